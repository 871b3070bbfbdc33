#!/usr/bin/env python3
"""Compiles whole models for --target=nvptx for bench_models.py.

Writes <variant>-<dtype>-b<batch>.ssmb into artifacts/models/ (ignored by git)
and manifest.json: per module its variant, options, dtype, batch, image size,
the weight names in signature order (the module's inputs are the image, then
these) and the kernel counts of the .ssmb. Run here (needs build/bin):

  python3 bench/gpu/make_model_artifacts.py                # the bench set
  python3 bench/gpu/make_model_artifacts.py --set checks   # small, awkward

The bench set is the issue's table: Vim-T, Vim-S, VMamba-T, FastVim-T and
MambaOut-femto at 224 x 224, batch 128 (bf16 and f32) and batch 1 (f32). The
checks set runs every family at batch 1 and 2 at small, awkward sizes. The
large set is FastVim-T and Vim-T at 2048 x 2048, batch 2 (bf16 and f32). The
variants set is every registered model (`ssm-compile --list-models`) at full
size, 224 x 224, batch 2, f32 and bf16 (logits checked, not timed).
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "bin")

# (variant, options, img, batch, dtype, timed)
BENCH = [(v, {}, 224, b, d, True)
         for v in ("vim-t", "vim-s", "vmamba-t", "fastvim-t", "mambaout-femto")
         for b, d in ((128, "bf16"), (128, "f32"), (1, "f32"))]
# The FastVim paper's high-resolution claim (issue 10): FastVim-T against Vim-T at
# 2048 x 2048, batch 2 (timed).
LARGE = [(v, {}, 2048, 2, d, True) for v in ("fastvim-t", "vim-t") for d in ("bf16", "f32")]
CHECKS = [
    ("vim-t", dict(embed_dim=32, depth=2), 32, 2, "f32", False),
    ("vim-t", dict(embed_dim=24, depth=1), 16, 1, "f32", False),
    ("vim-t-s8", dict(embed_dim=32, depth=2), 40, 1, "f32", False),
    ("fastvim-t", dict(embed_dim=32, depth=3), 48, 2, "f32", False),
    ("fastvim-t", dict(embed_dim=32, depth=2, pool="max", pool_scale=0.25), 32, 1, "f32", False),
    ("vmamba-t", dict(dims=[16, 32, 48, 64], depths=[1, 1, 2, 1]), 64, 2, "f32", False),
    ("vmamba-t-s2", dict(dims=[8, 16, 32, 64], depths=[1, 1, 1, 1]), 72, 1, "f32", False),
    ("vmamba-v0-t", dict(dims=[16, 32, 48, 64], depths=[1, 1, 1, 1]), 64, 1, "f32", False),
    ("mambaout-femto", dict(dims=[16, 32, 48, 64], depths=[1, 1, 2, 1]), 64, 2, "f32", False),
    ("mambaout-femto", dict(dims=[8, 16, 24, 32], depths=[1, 1, 1, 1]), 40, 1, "f32", False),
    ("vim-t", dict(embed_dim=32, depth=2), 32, 2, "bf16", False),
    ("vmamba-t", dict(dims=[16, 32, 48, 64], depths=[1, 1, 2, 1]), 64, 2, "bf16", False),
    # bf16 activations between kernels in every family (ssm-narrow-activations).
    ("vim-t-s8", dict(embed_dim=32, depth=2), 40, 1, "bf16", False),
    ("fastvim-t", dict(embed_dim=32, depth=3), 48, 2, "bf16", False),
    ("vmamba-v0-t", dict(dims=[16, 32, 48, 64], depths=[1, 1, 1, 1]), 64, 1, "bf16", False),
    ("mambaout-femto", dict(dims=[8, 16, 24, 32], depths=[1, 1, 2, 1]), 40, 2, "bf16", False),
    # A grouped projection split per scan direction (ssm-split-grouped-contractions):
    # GEMMs reading and writing slices in place, library calls with operand offsets.
    ("vmamba-t", dict(dims=[32, 48, 64, 96], depths=[1, 1, 1, 1]), 72, 3, "f32", False),
    ("vmamba-t", dict(dims=[32, 48, 64, 96], depths=[1, 1, 1, 1]), 72, 3, "bf16", False),
]


def variants():
    """Every registered model at full size, batch 2, f32 and bf16."""
    names = subprocess.run([os.path.join(BIN, "ssm-compile"), "--list-models"],
                           capture_output=True, text=True, check=True).stdout.split()
    return [(v, {}, 224, 2, d, False) for v in names for d in ("f32", "bf16")]


def option_args(options):
    return [f"--model-option={k}={','.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in options.items()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(ROOT, "artifacts", "models"))
    parser.add_argument("--set", choices=("bench", "checks", "all", "variants", "large"), default="all")
    parser.add_argument("--only", default="", help="substring of the file name")
    parser.add_argument("--chip", default="sm_90")
    parser.add_argument("--flags", default="",
                        help="more ssm-compile flags (space-separated), e.g. kernel knobs")
    parser.add_argument("--suffix", default="",
                        help="added to each file name (tells --flags variants apart)")
    parser.add_argument("--keep", action="store_true",
                        help="add to manifest.json instead of replacing it")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cases = (BENCH if args.set in ("bench", "all") else []) + \
            (CHECKS if args.set in ("checks", "all") else []) + \
            (variants() if args.set == "variants" else []) + \
            (LARGE if args.set == "large" else [])
    manifest = []
    manifest_path = os.path.join(args.out, "manifest.json")
    if args.keep and os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    for n, (variant, options, img, batch, dtype, timed) in enumerate(cases):
        tag = "" if not options else f"-c{n}"
        name = f"{variant}{tag}-{dtype}-b{batch}-i{img}.ssmb"
        if args.only and args.only not in name:
            continue
        common = [f"--model={variant}", f"--img={img}", "--classes=1000"] + option_args(options)
        weights = subprocess.run([os.path.join(BIN, "ssm-compile"), *common, "--print-weights"],
                                 capture_output=True, text=True, check=True).stdout
        name = name.replace(".ssmb", f"{args.suffix}.ssmb")
        path = os.path.join(args.out, name)
        cmd = [os.path.join(BIN, "ssm-compile"), *common, f"--batch={batch}",
               f"--dtype={dtype}", "--target=nvptx", f"--chip={args.chip}", *args.flags.split(),
               "-o", path]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            sys.exit(f"{name}: {proc.stderr}")
        listing = subprocess.run([os.path.join(BIN, "ssm-run"), path, "--kernel-objects"],
                                 capture_output=True, text=True).stdout
        objects = len(re.findall(r"^\s*\d+", listing, re.M))
        one_thread = listing.count("1x1x1")
        manifest = [m for m in manifest if m["file"] != name]
        manifest.append(dict(file=name, variant=variant, options=options, img=img,
                             batch=batch, dtype=dtype, timed=timed, flags=args.flags,
                             weights=[l.split(" [")[0] for l in weights.splitlines()],
                             kernel_objects=objects, bytes=os.path.getsize(path)))
        print(f"{name}: {os.path.getsize(path) / 1e6:.1f} MB, {objects} kernel objects",
              flush=True)
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
