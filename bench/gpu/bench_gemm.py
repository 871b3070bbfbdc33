#!/usr/bin/env python3
"""GEMM benchmark on a CUDA GPU: ssmc's two paths for one contraction, the
vendor library (cuBLASLt, SSMRT_GEMM=library) and the compiler's tiled kernel
(SSMRT_GEMM=fallback), against a float64 reference and PyTorch.

Runs on the GPU machine, after building the runtime there with
-DSSM_ENABLE_CUDA=ON, over the artifacts of make_gemm_artifacts.py:

  python3 bench/gpu/bench_gemm.py --lib build-rt-gpu/libssmrt_c.so \
      --artifacts artifacts/gemm [--iters 50]

For each artifact (manifest.json) and each path:
  1. correctness, on fresh random inputs each of --checks rounds: outputs
     poisoned (NaN) before the invoke, relative error ||out - ref|| / ||ref||
     against the float64 reference (torch on the GPU, bf16 inputs upcast
     exactly), the largest elementwise error over max |ref|, every element
     finite; f32 must be <= 1e-5, bf16 inputs <= 1e-2;
     SSMRT_GEMM=library on a call the library cannot run exactly (bias along
     m) must fail with a clear error, and is reported as such;
  2. timing (timed cases): ssmrt_module_time (inputs resident, runs back to
     back, device events), median of --iters after --warmup, twice;
  3. the bandwidth floor: bytes that must move (x, w, bias read once, y
     written once) / the device-to-device copy bandwidth measured in this
     process (bench_scan.copy_bandwidth); TFLOP/s = 2 * batch * m * n * k / t;
  4. PyTorch on the same inputs (torch.nn.functional.linear / einsum in the
     inputs' dtype, + bias, + ReLU; TF32 off), median of --iters.
Prints one row per (case, path) and a final markdown table.
"""
import argparse
import json
import math
import os
import statistics
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_scan import (BF16, F32, Runtime, cuda_median_ms,  # noqa: E402
                        describe_gpu, worst)


def make_inputs(case, seed):
    """Unit-scale random inputs (never zeros): x ~ N(0, 1), w ~ N(0, 1/k),
    bias ~ N(0, 1)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*case["x"], generator=g)
    w = torch.randn(*case["w"], generator=g) / math.sqrt(case["k"])
    inputs = dict(x=x, w=w)
    if case["bias"]:
        inputs["bias"] = torch.randn(case["bias_len"], generator=g)
    if case["dtype"] == "bf16":
        inputs["x"] = x.to(torch.bfloat16)
        inputs["w"] = w.to(torch.bfloat16)
    return inputs


def as_runtime_arrays(inputs):
    arrays = []
    for k in ("x", "w", "bias"):
        if k not in inputs:
            continue
        t = inputs[k].contiguous()
        if t.dtype == torch.bfloat16:
            arrays.append((BF16, t.view(torch.int16).numpy()))
        else:
            arrays.append((F32, t.numpy()))
    return arrays


def compute(case, x, w, bias):
    """The contraction of `case` in the inputs' dtype (torch)."""
    form = case["form"]
    if form in ("tok", "nhwc"):
        y = torch.nn.functional.linear(x, w, bias)
    else:
        eq = {"chan": "mk,bnk->bmn", "conv": "mk,bkn->bmn",
              "colA": "bkm,nk->bmn"}[form]
        y = torch.einsum(eq, (w, x) if form != "colA" else (x, w))
        if bias is not None:
            y = y + (bias[:, None] if form in ("chan", "conv") else bias)
    return torch.relu(y) if case["relu"] else y


def reference(case, inputs, device):
    args = {k: v.to(device=device, dtype=torch.float64) for k, v in inputs.items()}
    return compute(case, args["x"], args["w"], args.get("bias"))


def time_torch(case, inputs, device, warmup, iters):
    args = {k: v.to(device=device) for k, v in inputs.items()}
    if "bias" in args and case["dtype"] == "bf16":
        args["bias"] = args["bias"].to(torch.bfloat16)
    run = lambda: compute(case, args["x"], args["w"], args.get("bias"))  # noqa: E731
    return cuda_median_ms(run, iters, warmup)


def bench_model(rt, args, failures):
    """The model of model.json end to end with each GEMM path: device time
    (inputs resident), and the two paths' logits compared on one input set
    (N(0, 1) image, N(0, 0.02) weights: a timing workload, not a trained
    net)."""
    spec = json.load(open(os.path.join(args.artifacts, "model.json")))
    g = torch.Generator().manual_seed(11)
    arrays = []
    for i, (dtype, dims) in enumerate(spec["inputs"]):
        t = torch.randn(*dims, generator=g) * (1.0 if i == 0 else 0.02)
        arrays.append((F32, t.numpy()) if dtype == F32 else
                      (BF16, t.to(torch.bfloat16).view(torch.int16).numpy()))
    rows, logits = [], {}
    # auto: the library where it can run a GEMM exactly (a bias along m, as
    # in the patch embedding, has no library epilogue: the kernel runs).
    for mode in ("auto", "fallback"):
        os.environ["SSMRT_GEMM"] = mode
        module = rt.load(os.path.join(args.artifacts, spec["file"]))
        try:
            logits[mode] = rt.invoke(module, "forward", arrays,
                                     tuple(spec["outputs"][0][1]))
            med = [statistics.median(rt.time(module, "forward", arrays, 3, 20))
                   for _ in range(2)]
            ms = min(med)
            rows.append(dict(model=spec["model"], batch=spec["batch"], mode=mode,
                             ms=ms, spread=abs(med[0] - med[1]) / ms,
                             img_s=spec["batch"] / ms * 1e3))
            print(f"{spec['model']} batch {spec['batch']} {mode}: {ms:.3f} ms, "
                  f"{spec['batch'] / ms * 1e3:.0f} img/s", flush=True)
        except RuntimeError as e:
            failures.append(f"{spec['model']} {mode}: {e}")
            print(f"{spec['model']} {mode}: ERROR {e}", flush=True)
        finally:
            rt.lib.ssmrt_module_destroy(module)
    os.environ.pop("SSMRT_GEMM", None)
    if len(logits) == 2:
        a, b = (torch.from_numpy(logits[m]).double() for m in ("auto", "fallback"))
        diff = float((a - b).norm() / b.norm())
        finite = bool(torch.isfinite(a).all() and torch.isfinite(b).all())
        print(f"{spec['model']} logits, auto (library) vs fallback: rel diff {diff:.2e}, "
              f"finite {finite}")
        if not finite or diff > 1e-4:
            failures.append(f"{spec['model']}: auto vs fallback rel diff {diff:.2e}"
                            f" finite={finite}")
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lib", required=True)
    p.add_argument("--artifacts", default="artifacts/gemm")
    p.add_argument("--iters", type=int, default=50)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--checks", type=int, default=2)
    p.add_argument("--json")
    p.add_argument("--model", action="store_true",
                   help="also time model.json's model end to end per path")
    args = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = "cuda"
    _, bandwidth, copy_ms = describe_gpu(device)
    rt = Runtime(args.lib)
    manifest = json.load(open(os.path.join(args.artifacts, "manifest.json")))
    rows, failures = [], []
    for case in manifest:
        path = os.path.join(args.artifacts, case["file"])
        flops = 2 * math.prod(case["y"]) * case["k"]
        in_size = 2 if case["dtype"] == "bf16" else 4
        nbytes = (in_size * (math.prod(case["x"]) + math.prod(case["w"]))
                  + 4 * (case["bias_len"] + math.prod(case["y"])))
        floor_ms = nbytes / bandwidth * 1e3
        tol = 1e-2 if case["dtype"] == "bf16" else 1e-5
        torch_ms = None
        if case["timed"]:
            torch_ms = time_torch(case, make_inputs(case, 99), device,
                                  args.warmup, args.iters)
        for mode in ("library", "fallback"):
            os.environ["SSMRT_GEMM"] = mode
            module = rt.load(path)
            row = dict(name=case["name"], mode=mode, dtype=case["dtype"],
                       shape=f"b{case['batch']} m{case['m']} n{case['n']} k{case['k']}",
                       bias=case["bias"], relu=case["relu"])
            try:
                errs, maxes, finite, unsupported = [], [], True, None
                for seed in range(args.checks):
                    inputs = make_inputs(case, 1000 * seed + 7)
                    try:
                        out = rt.invoke(module, "linear", as_runtime_arrays(inputs),
                                        tuple(case["y"]))
                    except RuntimeError as e:
                        if mode == "library" and "SSMRT_GEMM=library" in str(e):
                            unsupported = str(e)
                            break
                        raise
                    ref = reference(case, inputs, device)
                    o = torch.from_numpy(out).to(device=device, dtype=torch.float64)
                    finite = finite and bool(torch.isfinite(o).all())
                    errs.append(float((o - ref).norm() / ref.norm()))
                    maxes.append(float((o - ref).abs().max() / ref.abs().max()))
                if unsupported:
                    # Only a bias along m may lack a library epilogue.
                    row.update(status="library n/a", note=unsupported)
                    if case["library_bias"] != 2:
                        failures.append(f"{case['name']} {mode}: {unsupported}")
                    print(f"{case['name']:22s} {mode:8s} library cannot run it: "
                          f"{unsupported[:110]}")
                    rows.append(row)
                    continue
                rel, mx = worst(errs), worst(maxes)
                ok = finite and rel <= tol
                row.update(rel_err=rel, max_err=mx, ok=ok)
                if not ok:
                    failures.append(f"{case['name']} {mode}: rel err {rel:.2e}"
                                    f" finite={finite}")
                if case["timed"]:
                    arrays = as_runtime_arrays(make_inputs(case, 5))
                    med = [statistics.median(rt.time(module, "linear", arrays,
                                                      args.warmup, args.iters))
                           for _ in range(2)]
                    ms = min(med)
                    row.update(ms=ms, spread=abs(med[0] - med[1]) / ms,
                               tflops=flops / (ms * 1e-3) / 1e12, floor_ms=floor_ms,
                               floor_pct=floor_ms / ms * 100, torch_ms=torch_ms,
                               torch_tflops=flops / (torch_ms * 1e-3) / 1e12,
                               vs_torch=torch_ms / ms)
                print(f"{case['name']:22s} {mode:8s} {row['shape']:28s} {case['dtype']:5s} "
                      f"rel {rel:.1e} max {mx:.1e} {'ok' if ok else 'FAIL'}"
                      + (f"  {row['ms']:.4f} ms ({row['spread'] * 100:.1f}%) "
                         f"{row['tflops']:.1f} TFLOP/s  floor {floor_ms:.4f} ms "
                         f"({row['floor_pct']:.0f}%)  torch {torch_ms:.4f} ms "
                         f"{row['torch_tflops']:.1f} TFLOP/s  torch/ours "
                         f"{row['vs_torch']:.2f}" if "ms" in row else ""), flush=True)
            except RuntimeError as e:
                row.update(ok=False, error=str(e))
                failures.append(f"{case['name']} {mode}: {e}")
                print(f"{case['name']:22s} {mode:8s} ERROR {e}", flush=True)
            finally:
                rt.lib.ssmrt_module_destroy(module)
            rows.append(row)
    os.environ.pop("SSMRT_GEMM", None)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(bandwidth=bandwidth, rows=rows), f, indent=1)
    print("\n| case | shape | dtype | bias/relu | path | rel err | ms | TFLOP/s | "
          "floor ms | % of floor | torch ms | torch TFLOP/s | torch / ours |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "ms" not in r:
            continue
        print(f"| {r['name']} | {r['shape']} | {r['dtype']} | "
              f"{'b' if r['bias'] else '-'}{'+relu' if r['relu'] else ''} | {r['mode']} | "
              f"{r['rel_err']:.1e} | {r['ms']:.4f} | {r['tflops']:.1f} | "
              f"{r['floor_ms']:.4f} | {r['floor_pct']:.0f}% | {r['torch_ms']:.4f} | "
              f"{r['torch_tflops']:.1f} | {r['vs_torch']:.2f} |")
    if args.model:
        model_rows = bench_model(rt, args, failures)
        print("\n| model | batch | path | ms (median) | spread | img/s |")
        print("|---|---|---|---|---|---|")
        for r in model_rows:
            print(f"| {r['model']} | {r['batch']} | {r['mode']} | {r['ms']:.3f} | "
                  f"{r['spread'] * 100:.1f}% | {r['img_s']:.0f} |")
    checked = [r for r in rows if "rel_err" in r]
    print(f"\n{len(checked)} checks, worst rel err "
          f"{max(r['rel_err'] for r in checked):.2e}; "
          f"{sum(1 for r in rows if r.get('status') == 'library n/a')} library n/a")
    if failures:
        print("FAILURES:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
