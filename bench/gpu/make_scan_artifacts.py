#!/usr/bin/env python3
"""Compiles the selective-scan benchmark modules for --target=nvptx.

Writes one .mlir and one .ssmb per (shape, dtype, kernel variant) into
artifacts/gpu/ (ignored by git) plus manifest.json, which bench_scan.py reads
on the GPU machine. Run here (needs build/bin/ssm-compile):

  python3 bench/gpu/make_scan_artifacts.py [--variants 64x0u2,32x32u2l2]

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

# The rows: (shape, dtypes, the option naming its variants).
SHAPES = [((128, 768, 197, 16), ("f32", "bf16"), "variants"),
          ((128, 768, 730, 16), ("f32", "bf16"), "l730_variants"),
          ((8, 768, 16385, 16), ("bf16",), "long_variants"),
          ((128, 384, 3136, 1), ("bf16",), "n1_variants")]
# Small awkward cases, checked only (default kernel shape): channels not a
# multiple of the block (guarded rows), l not a multiple of the tile, n not a
# multiple of 4 (scalar state loads), reverse, grouped B/C.
# l = 1, batch 1; n = 1; l*b*d not a multiple of 4 (scalar fills); chunked
# scans (several chunk and tile sizes, cp.async, reverse, grouped), each also
# with 4 threads per channel and 2 channels per thread where it applies.
BASIC = (("l1", []), ("l4", ["--scan-lanes-per-channel=4"]),
         ("k2", ["--scan-channels-per-thread=2"]))
# The register-prefetched fill (--scan-prefetch-max-states) of every case,
# alone and with the other forms of the kernel.
PF = ["--scan-prefetch-max-states=64"]
SMALL = [dict(shape=(3, 80, 45, 5), dtype="f32", reverse=False, groups=1,
              flags=BASIC + (("c3t8", ["--scan-chunks=3", "--scan-tile-steps=8"]),
                             ("v0", ["--scan-vector-loads=false"]),
                             ("pf", PF), ("c3t8pf", ["--scan-chunks=3", "--scan-tile-steps=8"] + PF),
                             ("k2pf", ["--scan-channels-per-thread=2"] + PF),
                             ("l4pf", ["--scan-lanes-per-channel=4"] + PF))),
         dict(shape=(2, 128, 100, 16), dtype="bf16", reverse=True, groups=1,
              flags=BASIC + (("c3t16", ["--scan-chunks=3", "--scan-tile-steps=16"]),
                             ("c3t16l4", ["--scan-chunks=3", "--scan-tile-steps=16",
                                          "--scan-lanes-per-channel=4"]),
                             ("pf", PF), ("c3t16pf", ["--scan-chunks=3", "--scan-tile-steps=16"] + PF),
                             ("l4pf", ["--scan-lanes-per-channel=4"] + PF))),
         dict(shape=(2, 256, 77, 8), dtype="f32", reverse=False, groups=4,
              flags=BASIC + (("c2t16k2", ["--scan-chunks=2", "--scan-tile-steps=16",
                                          "--scan-channels-per-thread=2"]),
                             ("k2pf", ["--scan-channels-per-thread=2"] + PF),
                             ("c2t16k2pf", ["--scan-chunks=2", "--scan-tile-steps=16",
                                            "--scan-channels-per-thread=2"] + PF))),
         dict(shape=(1, 64, 1, 16), dtype="f32", reverse=False, groups=1,
              flags=(("l1", []), ("c4", ["--scan-chunks=4"]), ("pf", PF),
                     ("c4pf", ["--scan-chunks=4"] + PF))),
         dict(shape=(1, 33, 7, 4), dtype="f32", reverse=False, groups=1,
              flags=(("l1", []), ("c3t2", ["--scan-chunks=3", "--scan-tile-steps=2"]),
                     ("pf", PF), ("c3t2pf", ["--scan-chunks=3", "--scan-tile-steps=2"] + PF),
                     ("t8u4pf", ["--scan-tile-steps=8", "--scan-unroll-steps=4"] + PF))),
         dict(shape=(2, 96, 333, 1), dtype="bf16", reverse=True, groups=1,
              flags=(("l1", []), ("c5", ["--scan-chunks=5"]),
                     ("c5k2", ["--scan-chunks=5", "--scan-channels-per-thread=2"]),
                     ("pf", PF), ("t16u4pf", ["--scan-tile-steps=16", "--scan-unroll-steps=4"] + PF),
                     ("c5pf", ["--scan-chunks=5"] + PF))),
         dict(shape=(2, 64, 730, 16), dtype="f32", reverse=True, groups=1,
              flags=(("c3a", ["--scan-chunks=3"]),
                     ("c3s", ["--scan-chunks=3", "--scan-async-min-length=0"]),
                     ("c3t16pf", ["--scan-chunks=3", "--scan-tile-steps=16",
                                  "--scan-async-min-length=0"] + PF)))]


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
    parser.add_argument("--variants", default="64x0u2",
                        help="comma-separated kernel shapes CxT[uN][lM][pK][kJ][mS][cN][v][V][s][a][f|n]: "
                        "C channels per block, T steps per tile (0: the "
                        "compiler's choice: 16 when it prefetches, else 32), N "
                        "steps per loop iteration (default 2), M threads per "
                        "channel (default 1), K states per thread with a "
                        "polynomial exp2 (default: the compiler's choice, 2 "
                        "for chunked prefetching scans, else 0; named pa), J "
                        "channels per thread (default 1), S KiB of shared memory for "
                        "the tiles (default 100; above 48: dynamic shared memory), a: "
                        "cp.async double-buffered tiles (otherwise chosen by "
                        "the compiler: f32 and l >= 512), s: synchronous "
                        "tiles (--scan-async-min-length=0), cN: N chunks (0: "
                        "the compiler's choice, the default), v: no 16-byte "
                        "vector fills by length (--scan-vector-min-length=0), "
                        "V: 16-byte vector fills (--scan-vector-loads); the "
                        "compiler's own choice otherwise (f32, one pass, "
                        "l >= 512), f: the next tile prefetched into registers "
                        "(--scan-prefetch-max-states=1024), n: no prefetch "
                        "(--scan-prefetch-max-states=0); the compiler's choice "
                        "otherwise (scalar synchronous fills, n <= 16). "
                        "64x0u2 is the compiler's default kernel")
    parser.add_argument("--bf16-variants", default="64x0u2",
                        help="the variants also compiled for bf16 inputs")
    parser.add_argument("--l730-variants", default="",
                        help="variants of the l = 730 rows (default: those of "
                        "--variants; for bf16 also only those in "
                        "--bf16-variants)")
    parser.add_argument("--long-variants", default="64x0u2",
                        help="variants of the long-L row (8, 768, 16385, 16)")
    parser.add_argument("--n1-variants", default="64x0u2",
                        help="variants of VMamba's n = 1 row (128, 384, 3136, 1)")
    parser.add_argument("--only-shapes", default="",
                        help="comma-separated l values to compile (default all)")
    parser.add_argument("--no-checks", action="store_true",
                        help="skip the small correctness-only modules")
    parser.add_argument("--check-filter", default="",
                        help="regular expression: compile only the checks "
                        "whose suffix (l1, pf, c3t8, ...) it matches")
    parser.add_argument("--dtypes", default="f32,bf16")
    parser.add_argument("--out", default=os.path.join(ROOT, "artifacts", "gpu"))
    parser.add_argument("--compiler",
                        default=os.path.join(ROOT, "build", "bin", "ssm-compile"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for (b, d, l, n), dtypes, variant_option in SHAPES:
        if args.only_shapes and str(l) not in args.only_shapes.split(","):
            continue
        for dtype in args.dtypes.split(","):
            if dtype not in dtypes:
                continue
            mlir = os.path.join(args.out, f"scan_{dtype}_{b}x{d}x{l}x{n}.mlir")
            with open(mlir, "w") as f:
                f.write(module_text(b, d, l, n, dtype))
            variants = (getattr(args, variant_option) or args.variants).split(",")
            for variant in variants:
                m = re.fullmatch(r"(\d+)x(\d+)(?:u(\d+))?(?:l(\d+))?(?:p(\d+))?(?:k(\d+))?(?:m(\d+))?(?:c(\d+))?(v?)(V?)(s?)(a?)(f?)(n?)",
                                 variant)
                if not m:
                    sys.exit(f"bad variant '{variant}' (CxT[uN][lM][pK][kJ][mS][cN][v][V][s][a][f|n])")
                cpb, steps = int(m.group(1)), int(m.group(2))
                unroll = int(m.group(3) or 2)
                lanes = int(m.group(4) or 1)
                poly = None if m.group(5) is None else int(m.group(5))
                per_thread = int(m.group(6) or 1)
                max_shared_kib = int(m.group(7) or 100)
                chunks = int(m.group(8) or 0)
                scalar_loads = m.group(9) == "v"
                force_vectors = m.group(10) == "V"
                sync = m.group(11) == "s"
                async_copies = m.group(12) == "a"
                prefetch = (True if m.group(13) == "f" else
                            False if m.group(14) == "n" else None)
                if (variant_option in ("variants", "l730_variants") and
                        dtype != "f32" and
                        (async_copies or
                         variant not in args.bf16_variants.split(","))):
                    continue  # 16-bit inputs load synchronously
                name = (f"scan_{dtype}_{b}x{d}x{l}x{n}_c{cpb}_t{steps}"
                        f"_u{unroll}_l{lanes}_p{'a' if poly is None else poly}"
                        f"_k{per_thread}"
                        f"{f'_m{max_shared_kib}' if max_shared_kib != 100 else ''}"
                        f"_ch{chunks}{'_novec' if scalar_loads else ''}"
                        f"{'_vec' if force_vectors else ''}"
                        f"{'_sync' if sync else ''}"
                        f"{'_async' if async_copies else ''}"
                        f"{'_pf' if prefetch else '_nopf' if prefetch is False else ''}"
                        ".ssmb")
                cmd = [args.compiler, mlir, "--target=nvptx", "--chip=sm_90",
                       f"--scan-channels-per-block={cpb}",
                       f"--scan-tile-steps={steps}",
                       f"--scan-unroll-steps={unroll}",
                       f"--scan-lanes-per-channel={lanes}",
                       ] + ([f"--scan-poly-exp-states={poly}"] if poly is not None
                            else []) + [
                       f"--scan-channels-per-thread={per_thread}",
                       f"--scan-max-shared-memory={max_shared_kib * 1024}",
                       f"--scan-chunks={chunks}",
                       ] + (["--scan-vector-min-length=0"] if scalar_loads else []) + (
                           ["--scan-vector-loads"] if force_vectors else []) + (
                           ["--scan-async-copies"] if async_copies else []) + (
                           ["--scan-async-min-length=0"] if sync else []) + (
                           ["--scan-prefetch-max-states=1024"] if prefetch else
                           ["--scan-prefetch-max-states=0"] if prefetch is False
                           else []) + [
                       "-o", os.path.join(args.out, name)]
                subprocess.run(cmd, check=True)
                # The launches the compiler chose (one, or pass 1 / combine /
                # pass 2 of a chunked scan: the last grid's z is the chunks).
                host = subprocess.run(cmd[:-2] + ["--compile-to=llvm"],
                                      check=True, capture_output=True,
                                      text=True).stdout
                launches = re.findall(
                    r"blocks in \(%c(\d+), %c(\d+), %c(\d+)\) threads in "
                    r"\(%c(\d+),", host)
                launches = [[int(x) for x in g] for g in launches]
                manifest.append({"file": name, "shape": [b, d, l, n],
                                 "dtype": dtype, "channels_per_block": cpb,
                                 "tile_steps": steps, "unroll": unroll,
                                 "lanes": lanes,
                                 # None: the compiler's choice (by shape)
                                 "poly_exp_states": poly,
                                 "channels_per_thread": per_thread,
                                 "max_shared_kib": max_shared_kib,
                                 "chunks": launches[-1][2] if launches else 0,
                                 # What the compiler chose (the options
                                 # force, or its rule by shape decides):
                                 "vector_loads": bool(re.search(
                                     r": !llvm.ptr -> vector<", host)),
                                 "launches": launches,
                                 "async": "nvvm.cp.async" in host,
                                 "prefetch": prefetch,
                                 "command": " ".join(
                                     ["build/bin/ssm-compile",
                                      os.path.relpath(mlir, ROOT)] + cmd[2:-1]
                                     + ["-o", "artifacts/gpu/" + name])})
                print("wrote", name, launches, file=sys.stderr)
    for case in [] if args.no_checks else SMALL:
        b, d, l, n = case["shape"]
        tag = (f"{case['dtype']}_{b}x{d}x{l}x{n}"
               + ("_rev" if case["reverse"] else "")
               + (f"_g{case['groups']}" if case["groups"] > 1 else ""))
        mlir = os.path.join(args.out, f"check_{tag}.mlir")
        with open(mlir, "w") as f:
            f.write(module_text(b, d, l, n, case["dtype"], case["reverse"],
                                case["groups"]))
        for suffix, flags in case["flags"]:
            if args.check_filter and not re.fullmatch(args.check_filter, suffix):
                continue
            name = f"check_{tag}_{suffix}.ssmb"
            subprocess.run([args.compiler, mlir, "--target=nvptx"] + list(flags) +
                           ["-o", os.path.join(args.out, name)], check=True)
            manifest.append({"file": name, "shape": [b, d, l, n],
                             "dtype": case["dtype"], "reverse": case["reverse"],
                             "groups": case["groups"], "check_only": True,
                             "flags": list(flags)})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
