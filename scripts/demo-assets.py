#!/usr/bin/python3
"""Makes what the main job needs without network access:

  <out>/<model>.safetensors  deterministic weights with the official names, from
                             the PyTorch reference implementation (no official
                             checkpoint can be downloaded here; convert a real one
                             with `python3 -m ssmc.convert SRC DST --model <model>`)
  <out>/example.png          a 320x256 synthetic RGB scene (PNG written with zlib)

    /usr/bin/python3 scripts/demo-assets.py --model vim-t --out build/demo
"""

import argparse
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))


def write_png(path: Path, rgb: np.ndarray) -> None:
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                     chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def scene(width: int = 320, height: int = 256) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    sky = np.stack([90 + 0.3 * y, 140 + 0.3 * y, 230 - 0.2 * y], -1)
    ground = np.stack([60 + 0.2 * x / 3, 130 + 0.1 * y, 50 + 0 * x], -1)
    img = np.where((y > 150 + 10 * np.sin(x / 25))[..., None], ground, sky)
    sun = (x - 240) ** 2 + (y - 60) ** 2 < 30 ** 2
    img[sun] = (250, 220, 90)
    return np.clip(img, 0, 255).astype(np.uint8)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="vim-t")
    ap.add_argument("--img", type=int, default=224)
    ap.add_argument("--out", default=str(REPO / "build" / "demo"))
    opts = ap.parse_args()
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    from ssm_testing import reference_models as rm
    from ssmc import safetensors_io as st
    model = rm.build(opts.model, img=opts.img, seed=0)
    st.save_file({k: v.numpy() for k, v in model.state_dict().items()},
                 out / f"{opts.model}.safetensors")
    write_png(out / "example.png", scene())
    print(f"wrote {out / (opts.model + '.safetensors')} and {out / 'example.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
