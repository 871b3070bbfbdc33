#!/usr/bin/env python3
"""Generates image_test_data.h for image_test.cpp (run from anywhere):

    /usr/bin/python3 runtime/test/gen_image_test_data.py

Needs Debian's python3-pil, python3-numpy and libjpeg-turbo-progs (cjpeg).
Embeds small JPEG files (PIL and cjpeg encoders) with PIL's decoded pixels,
compressed PNG files (zlib fixed/dynamic Huffman, PIL's encoder) with their
pixels, and PIL's BICUBIC resizes / the torchvision-style normalized crop of
a synthetic image that image_test.cpp rebuilds with the same formula.
"""

import io
import os
import struct
import subprocess
import tempfile
import zlib

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "image_test_data.h")


def synthetic(w, h):
    """The test image: a smooth gradient plus hashed noise (uint64 math,
    mirrored by syntheticImage() in image_test.cpp)."""
    a = np.zeros((h, w, 3), np.uint8)
    for y in range(h):
        for x in range(w):
            for c in range(3):
                noise = ((x * 37 + y * 101 + c * 53 + x * y * 7) * 2654435761
                         >> 7) % 64
                a[y, x, c] = (x * 255 // max(w - 1, 1) * (c != 1) +
                              y * 255 // max(h - 1, 1) * (c != 0) + noise
                              ) % 256
    return a


def smooth(w, h):
    """A photo-like image (for JPEG: mostly low frequencies)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    a = np.stack([128 + 100 * np.sin(x / 3.0) * np.cos(y / 4.0),
                  128 + 90 * np.cos((x + y) / 5.0),
                  (x * 255 / max(w - 1, 1) + y * 7) % 256], -1)
    return np.clip(a, 0, 255).astype(np.uint8)


def pil_jpeg(img, **kw):
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kw)
    return buf.getvalue()


def cjpeg(img, args):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "in.ppm" if img.mode == "RGB" else "in.pgm")
        img.save(src)
        scans = os.path.join(d, "scans.txt")
        with open(scans, "w") as f:
            f.write("0;\n1;\n2;\n")
        args = [scans if a == "@SCANS" else a for a in args]
        out = os.path.join(d, "out.jpg")
        subprocess.run(["cjpeg", *args, "-outfile", out, src], check=True)
        with open(out, "rb") as f:
            return f.read()


def decoded(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def png_bytes(w, h, color_type, depth, rows, level=6, strategy=None,
              interlace=False):
    """A PNG with every row filtered by filter (y % 5), compressed by zlib.
    `rows(pass_rows)`: not needed; samples come from `rows[y][x]` tuples."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(
            ">I", zlib.crc32(t + d))
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bpp = max(1, channels * depth // 8)
    passes = ([(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
               (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
              if interlace else [(0, 0, 1, 1)])
    raw = bytearray()
    for (x0, y0, dx, dy) in passes:
        xs, ys = list(range(x0, w, dx)), list(range(y0, h, dy))
        if not xs or not ys:
            continue
        prev = None
        for y in ys:
            line = bytearray()
            for x in xs:
                for v in rows[y][x]:
                    line += struct.pack(">H", v) if depth == 16 else bytes([v])
            f = y % 5
            out = bytearray(len(line))
            for i in range(len(line)):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i] if prev is not None else 0
                c = prev[i - bpp] if prev is not None and i >= bpp else 0
                if f == 0:
                    p = 0
                elif f == 1:
                    p = a
                elif f == 2:
                    p = b
                elif f == 3:
                    p = (a + b) // 2
                else:
                    q = a + b - c
                    pa, pb, pc = abs(q - a), abs(q - b), abs(q - c)
                    p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                out[i] = (line[i] - p) & 255
            raw += bytes([f]) + out
            prev = line
    z = zlib.compressobj(level, zlib.DEFLATED, 15, 9,
                         zlib.Z_DEFAULT_STRATEGY if strategy is None
                         else strategy)
    comp = z.compress(bytes(raw)) + z.flush()
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type,
                                       0, 0, int(interlace))) +
            chunk(b"IDAT", comp) + chunk(b"IEND", b""))


def c_array(name, data):
    """A byte array as a string literal (printable bytes as themselves,
    others as 3-digit octal escapes); the size is sizeof(name) - 1."""
    data = bytes(data)
    pieces, line = [], ""
    for b in data:
        if 32 <= b < 127 and chr(b) not in '\\"?':
            piece = chr(b)
        else:
            piece = "\\%03o" % b
        if len(line) + len(piece) > 76:
            pieces.append('    "%s"' % line)
            line = ""
        line += piece
    pieces.append('    "%s"' % line)
    return "inline constexpr char %s[] =\n%s;\n" % (name, "\n".join(pieces))


def f_array(name, values):
    values = np.asarray(values, np.float32).ravel()
    body = ",\n".join("    " + ", ".join("%.9gf" % v for v in values[i:i + 6])
                      for i in range(0, len(values), 6))
    return "inline const float %s[%d] = {\n%s\n};\n" % (name, len(values),
                                                       body)


def main():
    out = ["// Generated by gen_image_test_data.py; do not edit.",
           "// Expected pixels are PIL %s's decoding / resampling." %
           Image.__version__, "", "#pragma once", "", "#include <cstddef>",
           "#include <cstdint>", "", "namespace ssmrt::image_test_data {", ""]
    entries = []

    def add(name, data, pixels, kind):
        h, w, _ = pixels.shape
        out.append(c_array(name + "_file", data))
        out.append(c_array(name + "_pixels", pixels.tobytes()))
        entries.append('    {"%s", %s_file, sizeof(%s_file) - 1, %d, %d, '
                       '%s_pixels, %s},' % (name, name, name, w, h, name,
                                            "true" if kind == "jpeg"
                                            else "false"))

    rgb = Image.fromarray(smooth(19, 13))
    odd = Image.fromarray(smooth(13, 11))
    add("jpeg_444", pil_jpeg(rgb, quality=90, subsampling=0),
        decoded(pil_jpeg(rgb, quality=90, subsampling=0)), "jpeg")
    for name, img, kw in [
            ("jpeg_422", rgb, dict(quality=85, subsampling=1)),
            ("jpeg_420", rgb, dict(quality=75, subsampling=2)),
            ("jpeg_420_odd", odd, dict(quality=80, subsampling=2)),
            ("jpeg_gray", rgb.convert("L"), dict(quality=90)),
            ("jpeg_exif", odd, dict(quality=70, exif=b"Exif\0\0" + b"MM" +
                                    b"\0" * 40, comment=b"hello"))]:
        data = pil_jpeg(img, **kw)
        add(name, data, decoded(data), "jpeg")
    for name, img, args in [
            ("jpeg_restart_420", rgb, ["-restart", "1B", "-sample", "2x2",
                                       "-quality", "85"]),
            ("jpeg_restart_rows", rgb, ["-restart", "1", "-quality", "90"]),
            ("jpeg_gray_restart", rgb.convert("L"), ["-restart", "2B"]),
            ("jpeg_noninterleaved", odd, ["-scans", "@SCANS", "-sample",
                                          "2x2", "-restart", "3B"]),
            ("jpeg_440", rgb, ["-sample", "1x2"]),
            ("jpeg_411", rgb, ["-sample", "4x1"]),
            ("jpeg_rgb", odd, ["-rgb"]),
            ("jpeg_16bit_quant", odd, ["-quality", "5"]),
            ("jpeg_optimized", rgb, ["-optimize", "-quality", "95"])]:
        data = cjpeg(img, args)
        add(name, data, decoded(data), "jpeg")
    prog = pil_jpeg(rgb, quality=80, progressive=True)
    arith = cjpeg(odd, ["-arithmetic"])

    # Compressed PNGs (the test's own encoder writes stored blocks only).
    pix = synthetic(24, 20)
    rows = [[tuple(int(v) for v in pix[y, x]) for x in range(24)]
            for y in range(20)]
    for name, kw in [("png_dynamic", dict(level=9)),
                     ("png_fixed", dict(strategy=zlib.Z_FIXED)),
                     ("png_rle", dict(strategy=zlib.Z_RLE)),
                     ("png_huffman_only", dict(strategy=zlib.Z_HUFFMAN_ONLY))]:
        data = png_bytes(24, 20, 2, 8, rows, **kw)
        add(name, data, decoded(data), "png")
    rows16 = [[tuple((int(v) << 8) | ((x * 7 + y) & 255) for v in pix[y, x])
               + (65535 - x * 100,) for x in range(24)] for y in range(20)]
    data = png_bytes(24, 20, 6, 16, rows16, interlace=True)
    add("png_rgba16_interlaced_dynamic", data, pix.copy(), "png")
    flat = Image.fromarray(np.tile(np.array([[[200, 30, 90]]], np.uint8),
                                   (24, 40, 1)))  # long runs: distance codes
    for name, img in [("png_pil_palette", Image.fromarray(pix).convert("P")),
                      ("png_pil_flat", flat),
                      ("png_pil_gray", Image.fromarray(pix).convert("L"))]:
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True)
        add(name, buf.getvalue(), decoded(buf.getvalue()), "png")

    out.append("struct EmbeddedImage {\n  const char *name;\n"
               "  const char *data;\n  size_t size;\n  int width, height;\n"
               "  const char *pixels; // PIL's RGB decoding\n"
               "  bool jpeg;\n};\n")
    out.append("inline const EmbeddedImage kImages[] = {\n%s\n};\n" %
               "\n".join(entries))
    out.append(c_array("kProgressiveJpeg", prog))
    out.append(c_array("kArithmeticJpeg", arith))

    # Resampling: PIL BICUBIC resizes of the synthetic 23x17 image and the
    # torchvision-style pipeline (Resize(16) -> CenterCrop(12) -> ToTensor ->
    # Normalize(ImageNet)) computed in numpy float32.
    src = Image.fromarray(synthetic(23, 17))
    resizes = []
    for (w, h) in [(21, 16), (12, 9), (5, 3), (46, 34), (40, 17), (23, 30),
                   (1, 1), (97, 3)]:
        r = np.asarray(src.resize((w, h), Image.BICUBIC))
        name = "resize_%dx%d" % (w, h)
        out.append(c_array(name, r.tobytes()))
        resizes.append("    {%d, %d, %s}," % (w, h, name))
    out.append("struct ResizeCase {\n  int width, height;\n"
               "  const char *pixels;\n};\n")
    out.append("inline const ResizeCase kResizes[] = {\n%s\n};\n" %
               "\n".join(resizes))

    def torchvision(img, size, crop):
        w, h = img.size
        if w <= h:
            nw, nh = size, int(size * h / w)
        else:
            nw, nh = int(size * w / h), size
        r = np.asarray(img.resize((nw, nh), Image.BICUBIC))
        top = int(round((nh - crop) / 2.0))
        left = int(round((nw - crop) / 2.0))
        c = r[top:top + crop, left:left + crop]
        x = c.astype(np.float32).transpose(2, 0, 1) / np.float32(255)
        mean = np.array([0.485, 0.456, 0.406], np.float32)[:, None, None]
        std = np.array([0.229, 0.224, 0.225], np.float32)[:, None, None]
        return (x - mean) / std
    out.append(f_array("kPreprocess_23x17_r16_c12", torchvision(src, 16, 12)))
    tall = Image.fromarray(synthetic(9, 14))
    out.append(f_array("kPreprocess_9x14_r20_c17", torchvision(tall, 20, 17)))
    out.append("} // namespace ssmrt::image_test_data\n")
    with open(OUT, "w") as f:
        f.write("\n".join(out))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
