#!/usr/bin/python3
"""CPU benchmark: compiled ssm code (through the runtime, its thread pool) vs
PyTorch doing the same math with its best ops, in one process, same inputs,
same thread count; median of many runs after warm-up.  Every compiled result
is also checked against PyTorch on the same inputs before it is timed.

    /usr/bin/python3 bench/cpu/bench_cpu.py [--threads 2] [--runs 30] [--markdown]

Needs build/bin/ssm-compile and build/runtime/libssmrt_c.so (scripts/build.sh).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# Idle OpenMP workers of PyTorch would otherwise spin on the cores between its
# calls and slow whatever runs next (ssmc's pool sleeps when idle).
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
import torch  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
from ssm_testing import torch_models as tm  # noqa: E402
from ssm_testing.runtime_c import Runtime  # noqa: E402

SCAN_IR = """
func.func @scan(%u: {seq}, %dt: {seq}, %A: {a}, %B: {bc}, %C: {bc}, %D: {d}, %z: {seq}, %bias: {d}) -> {seq} {{
  %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : {d}) z(%z : {seq}) delta_bias(%bias : {d}) delta_softplus : {seq}, {seq}, {a}, {bc}, {bc}
  return %y : {seq}
}}
"""


def tensor(*shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def compile_ir(text_or_path, out: Path) -> Path:
    if isinstance(text_or_path, Path):
        src = text_or_path
    else:
        src = out.with_suffix(".mlir")
        src.write_text(text_or_path)
    subprocess.run([str(REPO / "build" / "bin" / "ssm-compile"), str(src), "--target=cpu",
                    "-o", str(out)], check=True)
    return out


def median_ms(fns, runs: int, warmup: int = 3):
    """Medians (ms) of each function, runs interleaved so drift hits all alike."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    times = [[] for _ in fns]
    for _ in range(runs):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [float(np.median(ts) * 1e3) for ts in times]


def rel_err(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def scan_case(b, d, l, n, seed=0):
    rng = np.random.default_rng(seed)
    f = lambda *s: rng.uniform(-1, 1, s).astype(np.float32)  # noqa: E731
    args = [f(b, d, l), f(b, d, l), -np.exp(f(d, n)), f(b, n, l), f(b, n, l), f(d),
            f(b, d, l), f(d) * 0.5]
    ir = SCAN_IR.format(seq=tensor(b, d, l), a=tensor(d, n), bc=tensor(b, n, l), d=tensor(d))

    def torch_fn(u, dt, A, B, C, D, z, bias):
        return tm.selective_scan(u, dt, A, B, C, D=D, z=z, delta_bias=bias, delta_softplus=True)
    return ir, "scan", args, torch_fn


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--markdown", action="store_true")
    opts = ap.parse_args()

    torch.set_num_threads(opts.threads)
    rt = Runtime(opts.threads)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        tmp = Path(tmp)
        cases = []
        for (b, d, l, n) in [(1, 384, 197, 16), (1, 768, 197, 16), (8, 384, 197, 16)]:
            ir, fn, args, torch_fn = scan_case(b, d, l, n)
            cases.append((f"selective scan b{b} d{d} l{l} n{n}", ir, fn, args, torch_fn))
        for fn, label in [("vim_tiny_block", "Vim-T bidirectional mixer block (L=197)"),
                          ("vmamba_tiny_ss2d", "VMamba-T SS2D core, stage 0 (56x56)"),
                          ("fastvim_tiny_mixer_even", "FastVim-T pooled mixer (14x14)")]:
            args = tm.random_args(fn, 0)
            cases.append((label, REPO / "test" / "Models" / tm.MLIR_FILES[fn], fn, args,
                          lambda *a, fn=fn: tm.run_torch(fn, a)))
        for i, (label, ir, fn, args, torch_fn) in enumerate(cases):
            module = rt.load(compile_ir(ir, tmp / f"case{i}.ssmb"))
            targs = [torch.from_numpy(a) for a in args]
            t_ours, t_torch = median_ms(
                [lambda: module(fn, args), lambda: torch_fn(*targs)], opts.runs)
            ours = module(fn, args)
            ref = torch_fn(*targs)
            ref = list(ref) if isinstance(ref, (tuple, list)) else [ref]
            err = max(rel_err(o, r.numpy() if hasattr(r, "numpy") else r) for o, r in zip(ours, ref))
            rows.append((label, t_ours, t_torch, t_torch / t_ours, err, module.peak_bytes(fn)))
            print(f"{label:45s} ssmc {t_ours:8.3f} ms  torch {t_torch:8.3f} ms  "
                  f"x{t_torch / t_ours:6.2f}  rel.err {err:.1e}", file=sys.stderr)

    if opts.markdown:
        print(f"Measured {datetime.date.today()} on {platform.processor() or platform.machine()}, "
              f"{opts.threads} threads (ssmc thread pool and torch.set_num_threads), "
              f"PyTorch {torch.__version__}, median of {opts.runs} interleaved runs after 3 warm-up "
              f"runs, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}.\n")
        print("| workload | ssmc (ms) | PyTorch (ms) | speed-up | max rel. err vs PyTorch | runtime peak plan bytes |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, ours, theirs, ratio, err, peak in rows:
            print(f"| {label} | {ours:.3f} | {theirs:.3f} | {ratio:.1f}x | {err:.1e} | {peak} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
