#!/usr/bin/env python3
"""Compiles the selective-scan backward benchmark modules for --target=nvptx.

Writes one .mlir and one .ssmb per (shape, dtype, kernel variant) into
artifacts/gpu-grad/ (ignored by git) plus manifest.json, which
bench_scan_grad.py reads on the GPU machine. Run here (needs
build/bin/ssm-compile):

  python3 bench/gpu/make_scan_grad_artifacts.py [--variants p4t8,p16t16]

Every module has one function, `grad`, the adjoint of the scan:
  grad(dout, u, delta, A, B, C[, D][, z][, delta_bias])
    -> du, ddelta, dA, dB, dC[, dD][, dz][, ddelta_bias]
  u, delta, z, dout: (b, d, l); A: (d, n) f32; B, C: (b, n, l) or
  (b, g, n, l); D, delta_bias: (d,) f32.
dtypes: f32; bf16 (u, delta, B, C, z and dout bf16, so du, ddelta, dB, dC, dz
too); bf16in (as bf16 but dout f32: the gradient of the forward kernel's f32
output). Gradients of 16-bit operands are 16-bit; the kernel accumulates in
f32.
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The backward rows. Vim configuration (D, z, delta_bias, softplus)
# except VMamba's N = 1 row: 4 groups of B / C (the 4 scan directions), no z.
SHAPES = [dict(shape=(128, 768, 197, 16), dtype="f32"),
          dict(shape=(128, 768, 730, 16), dtype="f32"),
          dict(shape=(128, 768, 197, 16), dtype="bf16in"),
          dict(shape=(8, 768, 16385, 16), dtype="bf16"),
          dict(shape=(128, 384, 3136, 1), dtype="bf16", groups=4, z=False)]
# Small awkward cases, checked only: channels not a multiple of the block
# (guarded rows), odd l, l = 1, batch 1, n = 1 and n = 5 (scalar state
# accesses, one lane per channel), reverse, groups, no optional operands.
SMALL = [dict(shape=(3, 80, 45, 5), dtype="f32"),
         dict(shape=(2, 128, 100, 16), dtype="bf16", reverse=True),
         dict(shape=(2, 256, 77, 8), dtype="f32", groups=4),
         dict(shape=(1, 64, 1, 16), dtype="f32"),
         dict(shape=(3, 40, 33, 1), dtype="f32"),
         dict(shape=(2, 96, 50, 16), dtype="f32", D=False, z=False,
              bias=False, softplus=False),
         dict(shape=(2, 64, 70, 16), dtype="bf16in", reverse=True, groups=2,
              z=False),
         # The long rows' kernels at a smaller batch (their float64
         # references at the full batch are too slow for a device call).
         dict(shape=(2, 768, 16385, 16), dtype="bf16", variants="default"),
         dict(shape=(4, 384, 3136, 1), dtype="bf16", groups=4, z=False,
              variants="default")]


def case_options(case):
    return dict(groups=case.get("groups", 1), reverse=case.get("reverse", False),
                D=case.get("D", True), z=case.get("z", True),
                bias=case.get("bias", True),
                softplus=case.get("softplus", True))


def module_text(b, d, l, n, dtype, groups=1, reverse=False, D=True, z=True,
                bias=True, softplus=True):
    t = "f32" if dtype == "f32" else "bf16"
    seq = f"tensor<{b}x{d}x{l}x{t}>"
    gout = f"tensor<{b}x{d}x{l}x{'f32' if dtype == 'bf16in' else t}>"
    bc = (f"tensor<{b}x{n}x{l}x{t}>" if groups == 1 else
          f"tensor<{b}x{groups}x{n}x{l}x{t}>")
    vec = f"tensor<{d}xf32>"
    a = f"tensor<{d}x{n}xf32>"
    args = [f"%dout: {gout}", f"%u: {seq}", f"%delta: {seq}", f"%A: {a}",
            f"%B: {bc}", f"%C: {bc}"]
    results = [seq, seq, a, bc, bc]
    names = ["%du", "%ddelta", "%dA", "%dB", "%dC"]
    operands = ""
    if D:
        args.append(f"%D: {vec}")
        results.append(vec)
        names.append("%dD")
        operands += f" D(%D : {vec})"
    if z:
        args.append(f"%z: {seq}")
        results.append(seq)
        names.append("%dz")
        operands += f" z(%z : {seq})"
    if bias:
        args.append(f"%bias: {vec}")
        results.append(vec)
        names.append("%dbias")
        operands += f" delta_bias(%bias : {vec})"
    if softplus:
        operands += " delta_softplus"
    if reverse:
        operands += " reverse"
    return (f"func.func @grad({', '.join(args)}) -> ({', '.join(results)}) {{\n"
            f"  {', '.join(names)} = ssm.selective_scan_grad %dout, %u, %delta, "
            f"%A, %B, %C{operands}\n"
            f"      : {gout}, {seq}, {seq}, {a}, {bc}, {bc}\n"
            f"  return {', '.join(names)} : {', '.join(results)}\n}}\n")


def parse_variant(variant):
    """pPtT[cC][mM][rR][d][f]: P lanes per channel, T steps per tile, C
    channels per block (default: 128 threads' worth), M KiB of shared memory
    (default 48; above: the runtime raises the kernel's limit), R lanes per
    summed dB / dC element (default 1), d: decays recomputed in the backward
    sweep (--scan-grad-recompute-decays), f: the next tile prefetched
    (--scan-grad-prefetch)."""
    m = re.fullmatch(
        r"p(\d+)t(\d+)(?:c(\d+))?(?:m(\d+))?(?:r(\d+))?(d)?(f)?", variant)
    if not m:
        sys.exit(f"bad variant '{variant}' (pPtT[cC][mM][rR][d][f])")
    return dict(lanes=int(m.group(1)), tile_steps=int(m.group(2)),
                channels_per_block=int(m.group(3) or 0),
                max_shared_kib=int(m.group(4) or 48),
                reduce_lanes=int(m.group(5) or 1),
                recompute_decays=bool(m.group(6)),
                prefetch=bool(m.group(7)))


def flags(v):
    return [f"--scan-grad-lanes-per-channel={v['lanes']}",
            f"--scan-grad-tile-steps={v['tile_steps']}",
            f"--scan-grad-channels-per-block={v['channels_per_block']}",
            f"--scan-grad-max-shared-memory={v['max_shared_kib'] * 1024}",
            f"--scan-grad-reduce-lanes={v['reduce_lanes']}"] + (
                ["--scan-grad-recompute-decays"] if v["recompute_decays"]
                else []) + (["--scan-grad-prefetch"] if v["prefetch"] else [])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default="p4t8",
                        help="comma-separated kernel shapes pPtT[cC][mM][rR] "
                        "(the first is the one the long rows' small-batch "
                        "checks use)")
    parser.add_argument("--check-variants", default="p4t8,p16t16,p1t8,p4t8r4",
                        help="kernel shapes the small cases are checked with")
    parser.add_argument("--row-variants", default="",
                        help="per-row extra kernel shapes, ';'-separated "
                        "TAG=V1,V2 (TAG: b x d x l x n, e.g. "
                        "128x384x3136x1=p4t8r4,p4t16r4m64)")
    parser.add_argument("--long-check-variants", default="",
                        help="kernel shapes the long rows' small-batch "
                        "checks use (default: the first of --variants)")
    parser.add_argument("--only", default="", help="substring filter on "
                        "the perf rows' names")
    parser.add_argument("--out", default=os.path.join(ROOT, "artifacts",
                                                      "gpu-grad"))
    parser.add_argument("--target", default="nvptx",
                        help="cpu: the small cases for a dry run of "
                        "bench_scan_grad.py --device cpu")
    parser.add_argument("--compiler",
                        default=os.path.join(ROOT, "build", "bin", "ssm-compile"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []

    def compile_case(case, variant, check_only):
        b, d, l, n = case["shape"]
        opts = case_options(case)
        tag = (f"{case['dtype']}_{b}x{d}x{l}x{n}"
               + ("_rev" if opts["reverse"] else "")
               + (f"_g{opts['groups']}" if opts["groups"] > 1 else "")
               + ("" if opts["z"] else "_noz")
               + ("" if opts["D"] else "_noD")
               + ("" if opts["bias"] else "_nobias")
               + ("" if opts["softplus"] else "_nosp"))
        prefix = "check" if check_only else "grad"
        if not check_only and args.only and args.only not in tag:
            return
        mlir = os.path.join(args.out, f"{prefix}_{tag}.mlir")
        with open(mlir, "w") as f:
            f.write(module_text(b, d, l, n, case["dtype"], **opts))
        v = parse_variant(variant)
        name = f"{prefix}_{tag}_{variant}.ssmb"
        cmd = ([args.compiler, mlir, "--target=nvptx", "--chip=sm_90"] + flags(v)
               if args.target == "nvptx" else
               [args.compiler, mlir, "--target=cpu"])
        subprocess.run(cmd + ["-o", os.path.join(args.out, name)], check=True)
        manifest.append(dict(file=name, shape=[b, d, l, n],
                             dtype=case["dtype"], variant=variant,
                             check_only=check_only, **opts, **v,
                             command=" ".join(
                                 ["build/bin/ssm-compile",
                                  os.path.relpath(mlir, ROOT)] + cmd[2:]
                                 + ["-o", "artifacts/gpu-grad/" + name])))
        print("wrote", name, file=sys.stderr)

    # The checks first: a call that runs out of time still has them.
    for case in SMALL:
        variants = args.check_variants.split(",")
        if case.get("variants") == "default":
            variants = (args.long_check_variants or
                        args.variants.split(",")[0]).split(",")
        for variant in (variants if args.target == "nvptx" else ["p1t1"]):
            compile_case(case, variant, True)
    extra = {}
    for spec in filter(None, args.row_variants.split(";")):
        tag, _, names = spec.partition("=")
        extra[tag] = names.split(",")
    for case in SHAPES if args.target == "nvptx" else []:
        tag = "x".join(map(str, case["shape"]))
        for variant in args.variants.split(",") + extra.get(tag, []):
            compile_case(case, variant, False)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
