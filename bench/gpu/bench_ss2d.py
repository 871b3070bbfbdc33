#!/usr/bin/env python3
"""VMamba SS2D core on a CUDA GPU: the fused cross-scan + 4-direction scan +
cross-merge kernel (and the unfused chain) vs the float64 reference and
PyTorch eager.

Runs on the GPU machine over the artifacts of make_ss2d_artifacts.py, with
the runtime built there (-DSSM_ENABLE_CUDA=ON); reuses bench_scan.py's
runtime binding and copy-bandwidth measurement:

  python3 bench/gpu/bench_ss2d.py --lib build-rt-gpu/libssmrt_c.so \
      --artifacts artifacts/ss2d

For each artifact (manifest.json):
  1. correctness on fresh random inputs (--checks seeds per artifact; the big
     shape once): outputs poisoned (NaN bytes) before the invoke, relative
     error ||out - ref|| / ||ref|| against float64 (python/ssm_testing:
     cross_scan -> selective_scan -> cross_merge in float64 on the GPU, the
     bf16 inputs upcast exactly), largest elementwise error / max |ref|, no
     NaN/Inf; f32 must be <= 1e-5, bf16 inputs <= 1e-2;
  2. timing (big shape): ssmrt_module_time (inputs resident, runs back to
     back, CUDA events), median of --iters after --warmup, two calls;
  3. floor: bytes that must move (x, delta, A, B, C, D, delta_bias read once,
     y written once) / device-to-device copy bandwidth measured here;
  4. PyTorch eager on the same inputs (f32, GPU): cross-scan by flips /
     transposes, the sequential reference scan, cross-merge; median of
     --torch-iters.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_scan  # noqa: E402
from bench_scan import (BF16, F32, Runtime, cuda_median_ms,  # noqa: E402
                        describe_gpu, worst)
from ssm_testing.torch_models import (cross_merge, cross_scan,  # noqa: E402
                                      selective_scan)

ORDER = ["x", "delta", "A", "B", "C", "D", "bias"]


def make_inputs(b, c, h, w, n, dtype, seed, groups=4, device="cpu"):
    """VMamba-like random inputs (never zeros): unit-normal x, B, C, D; raw
    delta 0.5 N(0, 1) with the dt_proj bias init (softplus^-1 of dt in
    [1e-3, 1e-1], log-uniform); A = -(1..n) * U(0.5, 1.5) (A_logs init,
    perturbed)."""
    g = torch.Generator(device=device).manual_seed(seed)
    L, K = h * w, 4
    kw = dict(generator=g, device=device)
    x = torch.randn(b, c, h, w, **kw)
    delta = 0.5 * torch.randn(b, K * c, L, **kw)
    A = -torch.arange(1, n + 1, dtype=torch.float32, device=device).repeat(
        K * c, 1) * (0.5 + torch.rand(K * c, 1, **kw))
    bc = (b, K, n, L) if groups == 4 else (b, n, L)
    B = torch.randn(*bc, **kw)
    C = torch.randn(*bc, **kw)
    D = torch.randn(K * c, **kw)
    dt = torch.exp(torch.rand(K * c, **kw) * (math.log(0.1) - math.log(1e-3))
                   + math.log(1e-3))
    bias = dt + torch.log(-torch.expm1(-dt))
    if dtype == "bf16":
        x, delta, B, C = (t.to(torch.bfloat16) for t in (x, delta, B, C))
    return dict(x=x, delta=delta, A=A, B=B, C=C, D=D, bias=bias)


def as_runtime_arrays(inputs):
    arrays = []
    for k in ORDER:
        t = inputs[k].contiguous().cpu()
        if t.dtype == torch.bfloat16:
            arrays.append((BF16, t.view(torch.int16).numpy()))
        else:
            arrays.append((F32, t.numpy()))
    return arrays


def ss2d_torch(inputs, dtype, device):
    """cross_scan -> selective_scan (sequential) -> cross_merge in `dtype`."""
    a = {k: v.to(device=device, dtype=dtype) for k, v in inputs.items()}
    b, c, h, w = a["x"].shape
    xs = cross_scan(a["x"]).reshape(b, 4 * c, h * w)
    ys = selective_scan(xs, a["delta"], a["A"], a["B"], a["C"], D=a["D"],
                        delta_bias=a["bias"], delta_softplus=True)
    return cross_merge(ys.view(b, 4, c, h * w), h, w)


def time_torch(inputs, device, iters):
    a = {k: v.to(device=device, dtype=torch.float32) for k, v in inputs.items()}
    return cuda_median_ms(lambda: ss2d_torch(a, torch.float32, device), iters)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", default="build-rt-gpu/libssmrt_c.so")
    parser.add_argument("--artifacts", default=os.path.join(
        os.path.dirname(os.path.dirname(HERE)), "artifacts", "ss2d"))
    parser.add_argument("--checks", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--slow-iters", type=int, default=3,
                        help="timed runs of the unfused chain")
    parser.add_argument("--torch-iters", type=int, default=3)
    parser.add_argument("--json", default="")
    parser.add_argument("--skip", default="",
                        help="comma-separated substrings: artifacts to leave out")
    args = parser.parse_args()

    device = torch.device("cuda")
    name, bandwidth, _ = describe_gpu(device)
    rt = Runtime(args.lib)
    with open(os.path.join(args.artifacts, "manifest.json")) as f:
        manifest = json.load(f)

    rows, cache, torch_ms = [], {}, {}
    skip = [x for x in args.skip.split(",") if x]
    for item in manifest:
        if any(x in item["file"] for x in skip):
            continue
        b, c, h, w, n = item["shape"]
        dtype, groups = item["dtype"], item["groups"]
        module = rt.load(os.path.join(args.artifacts, item["file"]), "cuda")
        big = not item["check_only"]
        errors, max_errors = [], []
        for check in range(1 if big else args.checks):
            key = (tuple(item["shape"]), dtype, groups, check)
            if key not in cache:
                cache.clear()
                torch.cuda.empty_cache()
                x = make_inputs(b, c, h, w, n, dtype, 1000 + check, groups,
                                device="cuda")
                ref = ss2d_torch(x, torch.float64, device).cpu().numpy()
                cache[key] = (x, as_runtime_arrays(x), ref)
                torch.cuda.empty_cache()
            x, arrays, ref = cache[key]
            out = rt.invoke(module, "ss2d", arrays, (b, c, h, w))
            finite = bool(np.isfinite(out).all())
            err = float(np.linalg.norm(out - ref) / np.linalg.norm(ref))
            max_err = float(np.abs(out - ref).max() / np.abs(ref).max())
            errors.append(err if finite else float("nan"))
            max_errors.append(max_err if finite else float("nan"))
        row = dict(item, rel_err=worst(errors), max_err=worst(max_errors))
        if big:
            x, arrays, _ = cache[key]
            # One run first: the unfused chain takes far longer per run.
            first = rt.time(module, "ss2d", arrays, 1, 1)[0]
            slow = first > 20.0
            warmup, iters = ((1, args.slow_iters) if slow else
                             (args.warmup, args.iters))
            ms1 = rt.time(module, "ss2d", arrays, warmup, iters)
            ms2 = ms1 if slow else rt.time(module, "ss2d", arrays, warmup,
                                           iters)
            med1, med2 = statistics.median(ms1), statistics.median(ms2)
            in_bytes = sum(a.nbytes for _, a in arrays)
            out_bytes = 4 * b * c * h * w
            floor_ms = (in_bytes + out_bytes) / bandwidth * 1e3
            tkey = tuple(item["shape"])
            if tkey not in torch_ms:
                torch_ms[tkey] = time_torch(x, device, args.torch_iters)
                torch.cuda.empty_cache()
            ms = min(med1, med2)
            row.update(ms=ms, ms_runs=[med1, med2], min_ms=min(ms1 + ms2),
                       iters=iters, floor_ms=floor_ms, bytes=in_bytes + out_bytes,
                       x_floor=ms / floor_ms, torch_ms=torch_ms[tkey],
                       speedup_vs_torch=torch_ms[tkey] / ms)
            print(f"{item['file']}: rel err {row['rel_err']:.2e} (max "
                  f"{row['max_err']:.2e}), median {med1:.4f} / {med2:.4f} ms "
                  f"({iters} runs), floor {floor_ms:.4f} ms = "
                  f"{row['x_floor']:.2f}x floor, torch {torch_ms[tkey]:.2f} ms",
                  flush=True)
        else:
            print(f"{item['file']}: rel err {row['rel_err']:.2e} (max "
                  f"{row['max_err']:.2e})", flush=True)
        rows.append(row)
        rt.lib.ssmrt_module_destroy(module)

    print()
    print("| shape (b, c, h, w, n) | dtype | kernel | launches | rel err | "
          "max err | ms (median) | floor ms | x floor | % of floor | "
          "PyTorch eager ms | vs PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["check_only"]:
            continue
        print(f"| {', '.join(map(str, r['shape']))} | "
              f"{'f32' if r['dtype'] == 'f32' else 'bf16 in, f32 out'} | "
              f"{('fused, %d steps/lane' % r['steps']) if r['fused'] else 'unfused'}"
              f" | {r['launches']} | "
              f"{r['rel_err']:.1e} | {r['max_err']:.1e} | {r['ms']:.4f} | "
              f"{r['floor_ms']:.4f} | {r['x_floor']:.2f} | "
              f"{100 / r['x_floor']:.0f}% | {r['torch_ms']:.1f} | "
              f"{r['speedup_vs_torch']:.0f}x |")
    for r in rows:
        if r["check_only"]:
            print(f"checked {r['file']}: rel err {r['rel_err']:.1e}, max "
                  f"elementwise {r['max_err']:.1e}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(device=name, bandwidth=bandwidth, rows=rows,
                           date=time.strftime("%Y-%m-%d")), f, indent=1)
    ok = all(r["rel_err"] <= (1e-5 if r["dtype"] == "f32" else 1e-2)
             for r in rows)
    print("numerics:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
