#!/usr/bin/env python3
"""Compiles VMamba's SS2D core (cross_scan -> selective_scan -> cross_merge)
for --target=nvptx, fused (--scan-cross-scan-steps=4, the default, and 8) and
unfused (--scan-cross-scan-steps=0), into artifacts/ss2d/ (ignored by git)
with manifest.json, which
bench_ss2d.py reads on the GPU machine (with the runtime of the same working
tree: the .ssmb format version must match). Run here:

  python3 bench/gpu/make_ss2d_artifacts.py

Every module has one function, the IR lib/Models/VMamba.cpp emits for SS2D
steps 4-9 (v2, channel-first):
  ss2d(x, delta, A, B, C, D, delta_bias) -> y
  x: (b, c, h, w); delta: (b, 4c, h*w); A: (4c, n) f32; B, C: (b, 4, n, h*w)
  (grouped, direction k's own) or (b, n, h*w) (shared); D, delta_bias: (4c,)
  f32; delta_softplus; y: (b, c, h, w) f32. dtype bf16: x, delta, B, C bf16.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIRS = "[row, col, row_rev, col_rev]"

# The shape (VMamba-T stage 1 at 224: c = 192 after ssm_ratio 2).
MAIN = (128, 192, 56, 56, 1)
# Awkward shapes, checked only: h != w, odd h / w (scalar loads), h = 1,
# batch 1, channel counts that divide nothing, L below one 128-step segment,
# full segments plus a tail, N = 1 and N = 4, shared (ungrouped) B/C.
SMALL = [dict(shape=(2, 5, 7, 9, 4), dtype="f32", groups=4),
         dict(shape=(1, 3, 1, 6, 1), dtype="f32", groups=4),
         dict(shape=(1, 7, 1, 40, 1), dtype="f32", groups=4),
         dict(shape=(2, 4, 8, 12, 1), dtype="f32", groups=4),
         dict(shape=(3, 6, 12, 20, 1), dtype="f32", groups=4),
         dict(shape=(2, 3, 20, 12, 4), dtype="f32", groups=1),
         dict(shape=(1, 7, 56, 56, 1), dtype="f32", groups=4),
         dict(shape=(2, 3, 16, 12, 4), dtype="bf16", groups=4),
         dict(shape=(1, 5, 13, 11, 1), dtype="bf16", groups=4),
         dict(shape=(2, 9, 28, 28, 1), dtype="bf16", groups=4)]


def module_text(b, c, h, w, n, dtype, groups=4):
    t = "f32" if dtype == "f32" else "bf16"
    L, K = h * w, 4
    bc = (f"tensor<{b}x{groups}x{n}x{L}x{t}>" if groups > 1 else
          f"tensor<{b}x{n}x{L}x{t}>")
    seq = f"tensor<{b}x{K * c}x{L}x{t}>"
    out_type = "" if dtype == "f32" else " out_type(f32)"
    return f"""func.func @ss2d(%x: tensor<{b}x{c}x{h}x{w}x{t}>, %delta: {seq},
    %A: tensor<{K * c}x{n}xf32>, %B: {bc}, %C: {bc}, %D: tensor<{K * c}xf32>,
    %bias: tensor<{K * c}xf32>) -> tensor<{b}x{c}x{h}x{w}xf32> {{
  %xs = ssm.cross_scan %x {DIRS} : tensor<{b}x{c}x{h}x{w}x{t}>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]]
      : tensor<{b}x{K}x{c}x{L}x{t}> into {seq}
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<{K * c}xf32>)
      delta_bias(%bias : tensor<{K * c}xf32>) delta_softplus{out_type}
      : {seq}, {seq}, tensor<{K * c}x{n}xf32>, {bc}, {bc}
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [{b}, {K}, {c}, {L}]
      : tensor<{b}x{K * c}x{L}xf32> into tensor<{b}x{K}x{c}x{L}xf32>
  %y = ssm.cross_merge %y4 {DIRS} height {h} width {w} : tensor<{b}x{K}x{c}x{L}xf32>
  return %y : tensor<{b}x{c}x{h}x{w}xf32>
}}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(ROOT, "artifacts", "ss2d"))
    parser.add_argument("--compiler",
                        default=os.path.join(ROOT, "build", "bin", "ssm-compile"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []

    def compile_one(shape, dtype, groups, steps, check_only):
        fused = steps > 0
        tag = f"{dtype}_{'x'.join(map(str, shape))}" + (
            "_g1" if groups == 1 else "")
        mlir = os.path.join(args.out, f"ss2d_{tag}.mlir")
        with open(mlir, "w") as f:
            f.write(module_text(*shape, dtype, groups))
        name = f"ss2d_{tag}_{f'fused{steps}' if fused else 'unfused'}.ssmb"
        flags = [f"--scan-cross-scan-steps={steps}"]
        cmd = [args.compiler, mlir, "--target=nvptx", "--chip=sm_90"] + flags
        subprocess.run(cmd + ["-o", os.path.join(args.out, name)], check=True)
        # The fused module must hold exactly one kernel launch.
        host = subprocess.run(cmd + ["--compile-to=llvm"], check=True,
                              capture_output=True, text=True).stdout
        launches = host.count("gpu.launch_func")
        if fused and launches != 1:
            sys.exit(f"{name}: {launches} launches, expected 1 (fusion missed)")
        manifest.append(dict(file=name, shape=list(shape), dtype=dtype,
                             groups=groups, fused=fused, steps=steps,
                             launches=launches,
                             check_only=check_only,
                             command=" ".join(["build/bin/ssm-compile",
                                               os.path.relpath(mlir, ROOT)]
                                              + cmd[2:] + ["-o", name])))
        print("wrote", name, f"({launches} launches)", file=sys.stderr)

    for dtype in ("f32", "bf16"):
        for steps in (4, 8, 0):
            compile_one(MAIN, dtype, 4, steps, False)
    # The fused f32 kernel's PTX, for ptxas -v / cuobjdump on the device.
    ptx = subprocess.run([args.compiler, os.path.join(args.out,
                          "ss2d_f32_128x192x56x56x1.mlir"), "--target=nvptx",
                          "--compile-to=binary"], check=True,
                         capture_output=True, text=True).stdout
    with open(os.path.join(args.out, "ss2d_f32_main_fused.ptx"), "w") as f:
        f.write(ptx[ptx.index("//"):])
    for case in SMALL:
        compile_one(case["shape"], case["dtype"], case["groups"], 4, True)
    # The 8-step kernels too (N <= 2), and the unfused chain.
    compile_one((1, 7, 1, 40, 1), "f32", 4, 8, True)
    compile_one((3, 6, 12, 20, 1), "f32", 4, 8, True)
    compile_one((1, 5, 13, 11, 1), "bf16", 4, 8, True)
    compile_one((2, 5, 7, 9, 4), "f32", 4, 0, True)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
