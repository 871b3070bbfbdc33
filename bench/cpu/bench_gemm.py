#!/usr/bin/python3
"""GEMM micro-benchmark: the models' dense shapes through ssmc on the CPU, with
the runtime's BLAS (SSMRT_GEMM=auto) and with the compiled loops
(SSMRT_GEMM=fallback), and torch.nn.functional.linear, in one process with the
same thread count; GFLOP/s against the machine's measured peak
(bench/cpu/gemm_peak.cpp, built and run first).

    /usr/bin/python3 bench/cpu/bench_gemm.py [--threads 2] [--runs 50] [--markdown]
        [--form token-major|channel-first]

Each case is one linear layer as the models write it, token-major
y[1, m, n] = x[1, m, k] w[n, k]^T (Vim-T's projections; VMamba-T's and
MambaOut's 1x1 convolutions and MLPs over 56x56 tokens), compiled from IR;
both ssmc paths are checked against float64 before timing. Timing: the
runtime's own timer (ssmrt_module_time: a whole invoke, inputs in, outputs
out), median of --runs after warm-up; torch: median of interleaved calls.
Needs build/bin/ssm-compile and build/runtime/libssmrt_c.so.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
# PyTorch's BLAS may be OpenBLAS (Debian's libblas.so.3): its idle threads
# spin for 2^n cycles after each call; with the smallest n they do not run
# into the ssmc timings that follow.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
import torch  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
from ssm_testing.runtime_c import Runtime  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cpu import compile_ir, rel_err  # noqa: E402

# (name, m, n, k): m tokens, n output channels, k input channels.
SHAPES = [
    ("Vim-T in_proj", 197, 768, 192),
    ("Vim-T x_proj", 197, 44, 384),
    ("Vim-T dt_proj", 197, 384, 12),
    ("Vim-T out_proj", 197, 192, 384),
    ("VMamba-T in_proj (1x1, 56x56)", 3136, 384, 96),
    ("VMamba-T out_proj (1x1, 56x56)", 3136, 96, 192),
    ("VMamba-T MLP fc1 (56x56)", 3136, 384, 96),
    ("VMamba-T MLP fc2 (56x56)", 3136, 96, 384),
    ("MambaOut-femto fc1 (56x56)", 3136, 288, 48),
    ("MambaOut-femto fc2 (56x56)", 3136, 48, 144),
]

IR = """func.func @forward(%x: tensor<1x{m}x{k}xf32>, %w: tensor<{n}x{k}xf32>) -> tensor<1x{m}x{n}xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x{m}x{n}xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<1x{m}x{n}xf32>) -> tensor<1x{m}x{n}xf32>
  %y = linalg.generic {{indexing_maps = [affine_map<(b, i, j, r) -> (b, i, r)>,
                                        affine_map<(b, i, j, r) -> (j, r)>,
                                        affine_map<(b, i, j, r) -> (b, i, j)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}}
      ins(%x, %w : tensor<1x{m}x{k}xf32>, tensor<{n}x{k}xf32>) outs(%c : tensor<1x{m}x{n}xf32>) {{
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }} -> tensor<1x{m}x{n}xf32>
  return %y : tensor<1x{m}x{n}xf32>
}}
"""


# Channel-first, as Vim's and VMamba's projections are written:
# y[1, n, m] = w[n, k] x[1, m, k]^T.
IR_CHANNEL_FIRST = """func.func @forward(%x: tensor<1x{m}x{k}xf32>, %w: tensor<{n}x{k}xf32>) -> tensor<1x{n}x{m}xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x{n}x{m}xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<1x{n}x{m}xf32>) -> tensor<1x{n}x{m}xf32>
  %y = linalg.generic {{indexing_maps = [affine_map<(b, j, i, r) -> (j, r)>,
                                        affine_map<(b, j, i, r) -> (b, i, r)>,
                                        affine_map<(b, j, i, r) -> (b, j, i)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}}
      ins(%w, %x : tensor<{n}x{k}xf32>, tensor<1x{m}x{k}xf32>) outs(%c : tensor<1x{n}x{m}xf32>) {{
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }} -> tensor<1x{n}x{m}xf32>
  return %y : tensor<1x{n}x{m}xf32>
}}
"""


def runtime_ms(module, inputs, runs: int, warmup: int = 5) -> float:
    """Median ms of the runtime's own timer (ssmrt_module_time)."""
    lib = module.rt.lib
    arrays = [np.ascontiguousarray(a) for a in inputs]
    n = len(arrays)
    dtypes = (ctypes.c_int32 * n)(*([1] * n))  # SSMRT_F32
    ranks = (ctypes.c_int32 * n)(*[a.ndim for a in arrays])
    flat = [d for a in arrays for d in a.shape]
    dims = (ctypes.c_int64 * len(flat))(*flat)
    data = (ctypes.c_void_p * n)(*[a.ctypes.data for a in arrays])
    out = (ctypes.c_double * runs)()
    module.rt._check(lib.ssmrt_module_time(module.handle, b"forward", n, dtypes, ranks,
                                           dims, data, warmup, runs, out))
    return float(np.median(list(out)))


def torch_ms(fn, runs: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts) * 1e3)


def measured_peak(threads: int) -> tuple[float, float]:
    exe = Path(tempfile.gettempdir()) / "ssmc_gemm_peak"
    subprocess.run(["/usr/lib/llvm-22/bin/clang++", "-O3", "-march=native", "-pthread",
                    str(REPO / "bench" / "cpu" / "gemm_peak.cpp"), "-ldl", "-o", str(exe)],
                   check=True)
    out = subprocess.run([str(exe), str(threads), "--peak-only"], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"1 thread ([\d.]+) GFLOP/s, \d+ threads ([\d.]+)", out)
    return float(m.group(1)), float(m.group(2))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--form", choices=["token-major", "channel-first"], default="token-major",
                    help="token-major y = x w^T, or channel-first y^T = w x^T")
    opts = ap.parse_args()
    channel_first = opts.form == "channel-first"

    peak1, peak = measured_peak(opts.threads)
    torch.set_num_threads(opts.threads)
    rt = Runtime(opts.threads)
    rng = np.random.default_rng(0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        tmp = Path(tmp)
        for i, (name, m, n, k) in enumerate(SHAPES):
            ir = IR_CHANNEL_FIRST if channel_first else IR
            art = compile_ir(ir.format(m=m, n=n, k=k), tmp / f"gemm{i}.ssmb")
            modules = {}
            for mode in ("auto", "fallback"):
                os.environ["SSMRT_GEMM"] = mode  # read when a module loads
                modules[mode] = rt.load(art)
            os.environ.pop("SSMRT_GEMM")
            x = rng.standard_normal((1, m, k)).astype(np.float32)
            w = (rng.standard_normal((n, k)) / np.sqrt(k)).astype(np.float32)
            want = x.astype(np.float64) @ w.astype(np.float64).T
            if channel_first:
                want = want.transpose(0, 2, 1)
            for mode, module in modules.items():
                err = rel_err(module("forward", [x, w])[0], want)
                assert err <= 1e-5, f"{name} ({mode}): relative error {err}"
            xt, wt = torch.from_numpy(x), torch.from_numpy(w)
            lib = runtime_ms(modules["auto"], [x, w], opts.runs)
            gen = runtime_ms(modules["fallback"], [x, w], opts.runs)
            if channel_first:
                tor = torch_ms(lambda: torch.matmul(wt, xt.transpose(1, 2)), opts.runs)
            else:
                tor = torch_ms(lambda: torch.nn.functional.linear(xt, wt), opts.runs)
            flops = 2.0 * m * n * k
            rows.append((name, m, n, k, lib, gen, tor, flops))
            print(f"{name}: library {lib:.3f} ms, compiled {gen:.3f} ms, torch {tor:.3f} ms",
                  file=sys.stderr)

    gf = lambda flops, ms: flops / (ms * 1e-3) / 1e9  # noqa: E731
    if opts.markdown:
        print(f"Measured {datetime.date.today().isoformat()}, {opts.threads} threads; "
              f"peak (FMA loop): {peak1:.1f} GFLOP/s on 1 thread, {peak:.1f} GFLOP/s on "
              f"{opts.threads}. Form: {opts.form}. GFLOP/s (% of the {opts.threads}-thread "
              "peak).\n")
        torch_op = "torch.matmul" if channel_first else "torch F.linear"
        print("| GEMM | m x n x k | ssmc + BLAS ms | GFLOP/s | ssmc compiled loops ms | "
              f"GFLOP/s | {torch_op} ms | GFLOP/s |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, m, n, k, lib, gen, tor, flops in rows:
            cells = [f"{ms:.3f} | {gf(flops, ms):.1f} ({100 * gf(flops, ms) / peak:.0f}%)"
                     for ms in (lib, gen, tor)]
            print(f"| {name} | {m}x{n}x{k} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
