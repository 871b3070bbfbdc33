#!/usr/bin/python3
"""Writes the seed files of fuzz/corpus/{npy,safetensors,png} that Python can
make (run by fuzz/make-seeds.sh; numpy only):

* npy: np.save of every dtype the runtime reads (and some it rejects),
  versions 1.0 / 2.0 / 3.0, rank 0..4, empty arrays, fortran order;
* safetensors: files written by ssmc's NumPy writer (python/ssmc/
  safetensors_io.py), one with Vim-T's official parameter names and the
  shapes of its small tensors (norms, conv/dt biases, D, D_b; pos_embed,
  head.bias and A_log cut short) and "format": "pt" metadata, like a
  converted checkpoint's header;
* png: bit depths 1/2/4/8/16 of gray, gray+alpha, RGB, RGBA, palette (+tRNS),
  Adam7, several filters, written with zlib (the other PNG and JPEG seeds are
  the image tests' PIL and cjpeg files).
"""

import importlib.util
import io
import os
import struct
import sys
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def out(kind, name):
    os.makedirs(os.path.join(CORPUS, kind), exist_ok=True)
    return os.path.join(CORPUS, kind, name)


def npy_seeds():
    rng = np.random.default_rng(0)
    arrays = {
        "f32_2x3": rng.standard_normal((2, 3)).astype("<f4"),
        "f16_4": rng.standard_normal(4).astype("<f2"),
        "f64_scalar": np.array(3.5, "<f8"),
        "i32_2x2x2": np.arange(8, dtype="<i4").reshape(2, 2, 2),
        "i64_3": np.array([-1, 0, 1 << 40], "<i8"),
        "i8_5": np.arange(-2, 3, dtype="i1"),
        "u8_1x2x2x3": np.arange(12, dtype="u1").reshape(1, 2, 2, 3),
        "bool_4": np.array([True, False, True, True]),
        "bf16_bits_3": np.array([0x3F80, 0x4000, 0xBF80], "<u2"),
        "f32_empty_0x4": np.zeros((0, 4), "<f4"),
        "f32_big_endian": np.arange(3, dtype=">f4"),
        "u4_rejected": np.arange(3, dtype="<u4"),
    }
    for name, a in arrays.items():
        np.save(out("npy", name + ".npy"), a)
    np.save(out("npy", "f32_fortran.npy"), np.asfortranarray(np.ones((2, 3), "<f4")))
    # Versions 2.0 and 3.0 (32-bit header length; 3.0 allows UTF-8).
    from numpy.lib import format as npf
    for version in [(2, 0), (3, 0)]:
        with open(out("npy", "f32_v%d.npy" % version[0]), "wb") as f:
            npf.write_array(f, np.arange(6, dtype="<f4").reshape(3, 2), version=version)


def safetensors_seeds():
    spec = importlib.util.spec_from_file_location(
        "safetensors_io", os.path.join(ROOT, "python", "ssmc", "safetensors_io.py"))
    st = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(st)
    rng = np.random.default_rng(1)
    st.save_file({"x": rng.standard_normal((2, 3)).astype(np.float32)},
                 out("safetensors", "one_f32.safetensors"))
    st.save_file({
        "a": np.arange(4, dtype=np.int64), "b": np.arange(3, dtype=np.int32),
        "c": np.array([1, 0, 1], np.bool_), "d": np.arange(5, dtype=np.int8),
        "e": np.arange(2, dtype=np.uint8), "f": np.ones((2, 2), np.float16),
        "g": np.zeros((), np.float64),
        "h": st.float32_to_bf16(np.linspace(-1, 1, 6, dtype=np.float32)),
        "empty": np.zeros((0, 3), np.float32),
    }, out("safetensors", "dtypes.safetensors"), metadata={"k": "v", "format": "np"})
    # The small tensors of a Vim-T checkpoint (official names; real shapes
    # except pos_embed, head.bias and A_log, cut short), for two layers.
    tensors = {"norm_f.weight": np.ones(192, np.float32),
               "cls_token": np.zeros((1, 1, 192), np.float32),
               "pos_embed": np.zeros((1, 4, 192), np.float32),
               "head.bias": np.zeros(10, np.float32)}
    for i in range(2):
        p = "layers.%d." % i
        tensors[p + "norm.weight"] = np.ones(192, np.float32)
        tensors[p + "mixer.conv1d.bias"] = rng.standard_normal(384).astype(np.float32)
        tensors[p + "mixer.conv1d_b.bias"] = rng.standard_normal(384).astype(np.float32)
        tensors[p + "mixer.dt_proj.bias"] = rng.standard_normal(384).astype(np.float32)
        tensors[p + "mixer.D"] = np.ones(384, np.float32)
        tensors[p + "mixer.D_b"] = np.ones(384, np.float32)
        tensors[p + "mixer.A_log"] = np.log(np.tile(np.arange(1, 17, dtype=np.float32), (4, 1)))
    st.save_file(tensors, out("safetensors", "vim_t_small_tensors.safetensors"),
                 metadata={"format": "pt"})


def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png(width, height, depth, color, rows, plte=None, trns=None, interlace=0,
        level=6):
    """rows: the filtered, interlaced scanlines (filter byte included)."""
    data = b"\x89PNG\r\n\x1a\n"
    data += png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0,
                                           interlace))
    if plte:
        data += png_chunk(b"PLTE", plte)
    if trns:
        data += png_chunk(b"tRNS", trns)
    raw = zlib.compress(rows, level)
    data += png_chunk(b"IDAT", raw[: len(raw) // 2]) + png_chunk(b"IDAT", raw[len(raw) // 2:])
    return data + png_chunk(b"IEND", b"")


def png_seeds():
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
    w, h = 7, 5
    for color, depths in {0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8],
                          4: [8, 16], 6: [8, 16]}.items():
        for depth in depths:
            bits = w * channels[color] * depth
            stride = (bits + 7) // 8
            rows = b""
            for y in range(h):
                line = bytes((x * 37 + y * 11) & 0xFF for x in range(stride))
                rows += bytes([y % 5]) + line  # filters 0..4
            plte = bytes(i & 0xFF for i in range(3 * (1 << depth))) if color == 3 else None
            trns = b"\x00\x80" if color == 3 else None
            name = "gen_c%d_d%d.png" % (color, depth)
            with open(out("png", name), "wb") as f:
                f.write(png(w, h, depth, color, rows, plte, trns))
    # Adam7, 8-bit RGB, 9x9: the seven passes' scanlines, filter 0.
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
              (1, 0, 2, 2), (0, 1, 1, 2)]
    rows = b""
    for x0, y0, dx, dy in passes:
        pw = len(range(x0, 9, dx))
        for y in range(y0, 9, dy):
            if pw:
                rows += b"\x00" + bytes((x * 29 + y * 7) & 0xFF for x in range(3 * pw))
    with open(out("png", "gen_adam7_rgb8.png"), "wb") as f:
        f.write(png(9, 9, 8, 2, rows, interlace=1))


if __name__ == "__main__":
    npy_seeds()
    safetensors_seeds()
    png_seeds()
