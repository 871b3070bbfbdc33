#!/usr/bin/env python3
"""Classifies the held-out digits with an inference module compiled from
trained weights (the main job's last step).

  classify-digits.py MODULE.ssmb --img 16 [--show 6]

Runs every held-out image of ssmc.train's split through MODULE (batch 1,
compiled with --weights=<run>/weights.safetensors), prints the accuracy and a
few digits as text with their predicted class and probability.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ssmc  # noqa: E402
from ssmc import train  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("module")
    p.add_argument("--img", type=int, default=16)
    p.add_argument("--show", type=int, default=6)
    args = p.parse_args()
    m = ssmc.load(args.module)
    _, (x, y) = train.digits(args.img)
    x, y = x.numpy(), y.numpy()
    correct, start, shown = 0, time.monotonic(), []
    for i in range(len(y)):
        logits = m(x[i:i + 1])[0]
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        pred = int(probs.argmax())
        correct += pred == y[i]
        if len(shown) < args.show:
            shown.append((i, pred, float(probs[pred])))
    ms = 1e3 * (time.monotonic() - start) / len(y)
    shades = " .:-=+*#%@"
    for i, pred, prob in shown:
        img = x[i, 0]
        step = max(1, args.img // 8)
        rows = ["".join(shades[min(9, int((v + 1) / 2 * 9.99))] * 2 for v in r[::step])
                for r in img[::step]]
        print(f"held-out digit {i}: label {y[i]}, predicted {pred} (p = {prob:.3f})")
        print("\n".join("    " + r for r in rows))
    print(f"held-out accuracy: {correct}/{len(y)} = {correct / len(y):.4f} "
          f"({ms:.2f} ms per image, batch 1, CPU)")


if __name__ == "__main__":
    main()
