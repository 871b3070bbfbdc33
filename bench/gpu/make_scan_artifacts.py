#!/usr/bin/env python3
"""Compiles the selective-scan benchmark modules for --target=nvptx.

Writes one .mlir and one .ssmb per (shape, dtype, kernel variant) into
artifacts/gpu/ (ignored by git) plus manifest.json, which bench_scan.py reads
on the GPU machine. Run here (needs build/bin/ssm-compile):

  python3 bench/gpu/make_scan_artifacts.py [--variants 64x32u2,32x32u2l2]

Every module has one function, the Vim configuration of the scan:
  scan(u, delta, A, B, C, D, z, delta_bias) -> out
  u, delta, z: (b, d, l); A: (d, n) f32; B, C: (b, n, l); D, delta_bias: (d,)
  f32; delta_softplus. dtype bf16: u, delta, z, B, C in bf16, out f32.
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SHAPES = [(128, 768, 197, 16), (128, 768, 730, 16)]
# Small awkward cases, checked only (default kernel shape): channels not a
# multiple of the block (guarded rows), l not a multiple of the tile, n not a
# multiple of 4 (scalar state loads), reverse, grouped B/C.
SMALL = [dict(shape=(3, 80, 45, 5), dtype="f32", reverse=False, groups=1),
         dict(shape=(2, 128, 100, 16), dtype="bf16", reverse=True, groups=1),
         dict(shape=(2, 256, 77, 8), dtype="f32", reverse=False, groups=4)]


def module_text(b, d, l, n, dtype, reverse=False, groups=1):
    t = "f32" if dtype == "f32" else "bf16"
    seq = f"tensor<{b}x{d}x{l}x{t}>"
    bc = (f"tensor<{b}x{n}x{l}x{t}>" if groups == 1 else
          f"tensor<{b}x{groups}x{n}x{l}x{t}>")
    out = f"tensor<{b}x{d}x{l}xf32>"
    out_type = "" if dtype == "f32" else " out_type(f32)"
    if reverse:
        out_type = " reverse" + out_type
    return f"""func.func @scan(%u: {seq}, %delta: {seq}, %A: tensor<{d}x{n}xf32>,
                 %B: {bc}, %C: {bc}, %D: tensor<{d}xf32>, %z: {seq},
                 %bias: tensor<{d}xf32>) -> {out} {{
  %y = ssm.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<{d}xf32>)
         z(%z : {seq}) delta_bias(%bias : tensor<{d}xf32>) delta_softplus{out_type}
       : {seq}, {seq}, tensor<{d}x{n}xf32>, {bc}, {bc}
  return %y : {out}
}}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default="64x32u2",
                        help="comma-separated kernel shapes CxT[uN][lM][a]: "
                        "C channels per block, T steps per tile, N steps per "
                        "loop iteration (default 2), M threads per channel "
                        "(default 1), K states per thread with a polynomial exp2 (default "
                        "0), J channels per thread (default 1), S KiB of shared memory for "
                        "the tiles (default 100; above 48: dynamic shared memory), a: "
                        "cp.async double-buffered tiles (otherwise chosen by "
                        "the compiler: f32 and l >= 512)")
    parser.add_argument("--bf16-variants", default="64x32u2",
                        help="the variants also compiled for bf16 inputs")
    parser.add_argument("--dtypes", default="f32,bf16")
    parser.add_argument("--out", default=os.path.join(ROOT, "artifacts", "gpu"))
    parser.add_argument("--compiler",
                        default=os.path.join(ROOT, "build", "bin", "ssm-compile"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for b, d, l, n in SHAPES:
        for dtype in args.dtypes.split(","):
            mlir = os.path.join(args.out, f"scan_{dtype}_{b}x{d}x{l}x{n}.mlir")
            with open(mlir, "w") as f:
                f.write(module_text(b, d, l, n, dtype))
            for variant in args.variants.split(","):
                m = re.fullmatch(r"(\d+)x(\d+)(?:u(\d+))?(?:l(\d+))?(?:p(\d+))?(?:k(\d+))?(?:m(\d+))?(a?)",
                                 variant)
                if not m:
                    sys.exit(f"bad variant '{variant}' (CxT[uN][lM][pK][kJ][mS][a])")
                cpb, steps = int(m.group(1)), int(m.group(2))
                unroll = int(m.group(3) or 2)
                lanes = int(m.group(4) or 1)
                poly = int(m.group(5) or 0)
                per_thread = int(m.group(6) or 1)
                max_shared_kib = int(m.group(7) or 100)
                async_copies = m.group(8) == "a"
                if dtype != "f32" and (async_copies or
                                       variant not in args.bf16_variants.split(",")):
                    continue  # 16-bit inputs load synchronously
                name = (f"scan_{dtype}_{b}x{d}x{l}x{n}_c{cpb}_t{steps}"
                        f"_u{unroll}_l{lanes}_p{poly}_k{per_thread}"
                        f"{f'_m{max_shared_kib}' if max_shared_kib != 100 else ''}"
                        f"{'_async' if async_copies else ''}.ssmb")
                cmd = [args.compiler, mlir, "--target=nvptx", "--chip=sm_90",
                       f"--scan-channels-per-block={cpb}",
                       f"--scan-tile-steps={steps}",
                       f"--scan-unroll-steps={unroll}",
                       f"--scan-lanes-per-channel={lanes}",
                       f"--scan-poly-exp-states={poly}",
                       f"--scan-channels-per-thread={per_thread}",
                       f"--scan-max-shared-memory={max_shared_kib * 1024}"] + (
                           ["--scan-async-copies"] if async_copies else []) + [
                       "-o", os.path.join(args.out, name)]
                subprocess.run(cmd, check=True)
                manifest.append({"file": name, "shape": [b, d, l, n],
                                 "dtype": dtype, "channels_per_block": cpb,
                                 "tile_steps": steps, "unroll": unroll,
                                 "lanes": lanes, "poly_exp_states": poly,
                                 "channels_per_thread": per_thread,
                                 "max_shared_kib": max_shared_kib,
                                 "async": async_copies or (dtype == "f32" and l >= 512),
                                 "command": " ".join(
                                     ["build/bin/ssm-compile",
                                      os.path.relpath(mlir, ROOT)] + cmd[2:-1]
                                     + ["-o", "artifacts/gpu/" + name])})
                print("wrote", name, file=sys.stderr)
    for case in SMALL:
        b, d, l, n = case["shape"]
        tag = (f"{case['dtype']}_{b}x{d}x{l}x{n}"
               + ("_rev" if case["reverse"] else "")
               + (f"_g{case['groups']}" if case["groups"] > 1 else ""))
        mlir = os.path.join(args.out, f"check_{tag}.mlir")
        with open(mlir, "w") as f:
            f.write(module_text(b, d, l, n, case["dtype"], case["reverse"],
                                case["groups"]))
        for suffix, flags in (("l1", []),
                              ("l4", ["--scan-lanes-per-channel=4"]),
                              ("k2", ["--scan-channels-per-thread=2"])):
            name = f"check_{tag}_{suffix}.ssmb"
            subprocess.run([args.compiler, mlir, "--target=nvptx"] + flags +
                           ["-o", os.path.join(args.out, name)], check=True)
            manifest.append({"file": name, "shape": [b, d, l, n],
                             "dtype": case["dtype"], "reverse": case["reverse"],
                             "groups": case["groups"], "check_only": True,
                             "flags": flags})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
