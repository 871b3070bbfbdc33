#!/usr/bin/env python3
"""Selective-scan benchmark on a CUDA GPU: ssmc .ssmb (runtime C API) vs the
float64 reference and PyTorch's sequential reference scan.

Runs on the GPU machine, after building the runtime there with
-DSSM_ENABLE_CUDA=ON, over the artifacts of make_scan_artifacts.py:

  python3 bench/gpu/bench_scan.py --lib build-rt-gpu/libssmrt_c.so \
      --artifacts artifacts/gpu [--iters 100]

For each artifact (manifest.json):
  1. correctness, on fresh random inputs each of --checks rounds: invoke with
     outputs poisoned (0xFF bytes = NaN, so an unwritten element fails), then
     relative error ||out - ref|| / ||ref|| against the float64 reference
     (python/ssm_testing.torch_models.selective_scan on the same inputs, the
     bf16 ones upcast exactly), the largest elementwise error over max |ref|,
     and no NaN/Inf;
  2. timing: ssmrt_module_time (inputs resident on the device, runs queued
     back to back, CUDA events between them), median over --iters runs after
     --warmup; a second, independent timing call gives the spread;
  3. the bandwidth floor: bytes that must move (every input read once, the
     output written once) / the device-to-device copy bandwidth measured in
     this process (torch copy_ of a 2 GiB buffer, bytes read + written);
  4. PyTorch's sequential reference scan (the same function in f32, on the
     GPU, on the same inputs), median of --torch-iters runs.
Prints one table row per artifact and a final markdown table.
"""
import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time

T_START = time.monotonic()  # --budget-s counts from here (before torch loads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))
from ssm_testing.torch_models import selective_scan  # noqa: E402

F32, BF16 = 1, 3
POISON = 1


class Runtime:
    def __init__(self, path):
        lib = ctypes.CDLL(path)
        vp, sz, i32, i64 = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32,
                            ctypes.c_int64)
        lib.ssmrt_status_message.restype = ctypes.c_char_p
        lib.ssmrt_status_message.argtypes = [vp]
        lib.ssmrt_status_free.argtypes = [vp]
        lib.ssmrt_instance_create.restype = vp
        lib.ssmrt_instance_create.argtypes = [i32, ctypes.POINTER(vp)]
        lib.ssmrt_module_load.restype = vp
        lib.ssmrt_module_load.argtypes = [vp, ctypes.c_char_p, ctypes.c_char_p,
                                          ctypes.POINTER(vp)]
        lib.ssmrt_module_destroy.argtypes = [vp]
        lib.ssmrt_module_invoke_with_flags.restype = vp
        lib.ssmrt_module_invoke_with_flags.argtypes = [
            vp, ctypes.c_char_p, sz, ctypes.POINTER(i32), ctypes.POINTER(i32),
            ctypes.POINTER(i64), ctypes.POINTER(vp), ctypes.c_uint32,
            ctypes.POINTER(vp)]
        lib.ssmrt_module_time.restype = vp
        lib.ssmrt_module_time.argtypes = [
            vp, ctypes.c_char_p, sz, ctypes.POINTER(i32), ctypes.POINTER(i32),
            ctypes.POINTER(i64), ctypes.POINTER(vp), i32, i32,
            ctypes.POINTER(ctypes.c_double)]
        lib.ssmrt_outputs_data.restype = vp
        lib.ssmrt_outputs_data.argtypes = [vp, sz]
        lib.ssmrt_outputs_byte_size.restype = sz
        lib.ssmrt_outputs_byte_size.argtypes = [vp, sz]
        lib.ssmrt_outputs_destroy.argtypes = [vp]
        self.lib = lib
        self.instance = ctypes.c_void_p()
        self.check(lib.ssmrt_instance_create(0, ctypes.byref(self.instance)))

    def check(self, status):
        if status:
            message = self.lib.ssmrt_status_message(status).decode()
            self.lib.ssmrt_status_free(status)
            raise RuntimeError(message)

    def load(self, path, device="cuda"):
        module = ctypes.c_void_p()
        self.check(self.lib.ssmrt_module_load(self.instance, device.encode(),
                                              path.encode(),
                                              ctypes.byref(module)))
        return module

    @staticmethod
    def _pack(arrays):
        dtypes = (ctypes.c_int32 * len(arrays))(*[d for d, _ in arrays])
        ranks = (ctypes.c_int32 * len(arrays))(*[a.ndim for _, a in arrays])
        dims = [x for _, a in arrays for x in a.shape]
        dims = (ctypes.c_int64 * max(1, len(dims)))(*dims)
        data = (ctypes.c_void_p * len(arrays))(
            *[a.ctypes.data for _, a in arrays])
        return dtypes, ranks, dims, data

    def invoke_raw(self, module, function, arrays, flags=POISON):
        """Runs `function`; returns the runtime's outputs handle, which the
        caller reads and then frees with ssmrt_outputs_destroy."""
        dtypes, ranks, dims, data = self._pack(arrays)
        outputs = ctypes.c_void_p()
        self.check(self.lib.ssmrt_module_invoke_with_flags(
            module, function.encode(), len(arrays), dtypes, ranks, dims, data,
            flags, ctypes.byref(outputs)))
        return outputs

    def invoke(self, module, function, arrays, out_shape, flags=POISON):
        outputs = self.invoke_raw(module, function, arrays, flags)
        try:
            size = self.lib.ssmrt_outputs_byte_size(outputs, 0)
            assert size == 4 * math.prod(out_shape), (size, out_shape)
            pointer = self.lib.ssmrt_outputs_data(outputs, 0)
            out = np.ctypeslib.as_array(
                ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)),
                shape=out_shape).copy()
        finally:
            self.lib.ssmrt_outputs_destroy(outputs)
        return out

    def time(self, module, function, arrays, warmup, iters):
        dtypes, ranks, dims, data = self._pack(arrays)
        ms = (ctypes.c_double * iters)()
        self.check(self.lib.ssmrt_module_time(
            module, function.encode(), len(arrays), dtypes, ranks, dims, data,
            warmup, iters, ms))
        return list(ms)


def make_inputs(b, d, l, n, dtype, seed, groups=1):
    """Vim-like random inputs (never zeros): raw delta around 0 with the
    Mamba delta_bias init (softplus^-1 of dt in [1e-3, 1e-1], log-uniform),
    A = -(1..n) S4D-real scaled by a random factor, unit-normal u, B, C, z, D."""
    g = torch.Generator().manual_seed(seed)
    u = torch.randn(b, d, l, generator=g)
    delta = 0.5 * torch.randn(b, d, l, generator=g)
    A = -torch.arange(1, n + 1, dtype=torch.float32).repeat(d, 1) * (
        0.5 + torch.rand(d, 1, generator=g))
    bc = (b, n, l) if groups == 1 else (b, groups, n, l)
    B = torch.randn(*bc, generator=g)
    C = torch.randn(*bc, generator=g)
    D = torch.randn(d, generator=g)
    z = torch.randn(b, d, l, generator=g)
    dt = torch.exp(torch.rand(d, generator=g) * (math.log(0.1) - math.log(1e-3))
                   + math.log(1e-3))
    bias = dt + torch.log(-torch.expm1(-dt))  # softplus^-1(dt)
    if dtype == "bf16":
        u, delta, B, C, z = (x.to(torch.bfloat16) for x in (u, delta, B, C, z))
    return dict(u=u, delta=delta, A=A, B=B, C=C, D=D, z=z, bias=bias)


def as_runtime_arrays(x):
    order = ["u", "delta", "A", "B", "C", "D", "z", "bias"]
    arrays = []
    for k in order:
        t = x[k].contiguous()
        if t.dtype == torch.bfloat16:
            arrays.append((BF16, t.view(torch.int16).numpy()))
        else:
            arrays.append((F32, t.numpy()))
    return arrays


def reference(x, dtype, device, reverse=False):
    args = {k: v.to(device=device, dtype=dtype) for k, v in x.items()}
    if reverse:  # scan the time-flipped sequences, flip the result back
        for k in ("u", "delta", "B", "C", "z"):
            args[k] = args[k].flip(-1)
    y = selective_scan(args["u"], args["delta"], args["A"], args["B"],
                       args["C"], D=args["D"], z=args["z"],
                       delta_bias=args["bias"], delta_softplus=True)
    return y.flip(-1) if reverse else y


def worst(values):
    """The largest value, NaN if any is NaN (max() is order-dependent)."""
    return float("nan") if any(math.isnan(v) for v in values) else max(values)


def cuda_median_ms(run, iters, warmup=1):
    """Median CUDA-event time (ms) of run() over `iters` calls after `warmup`
    untimed ones; every bench in this folder times its PyTorch peer this way."""
    for _ in range(warmup):
        run()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        s, e = torch.cuda.Event(True), torch.cuda.Event(True)
        s.record()
        run()
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e))
    return statistics.median(times)


def copy_bandwidth(device, gib=2, iters=20):
    """Device-to-device copy bandwidth (bytes read + written per second) and
    the copy's median ms: the floor's denominator."""
    n = gib * (1 << 30) // 4
    x = torch.randn(n, device=device)
    y = torch.empty_like(x)
    ms = cuda_median_ms(lambda: y.copy_(x), iters, warmup=3)
    return 2 * n * 4 / (ms * 1e-3), ms


def describe_gpu(device):
    """Prints the GPU and the copy bandwidth measured now; returns (device
    name, bandwidth, copy ms)."""
    props = torch.cuda.get_device_properties(device)
    bandwidth, copy_ms = copy_bandwidth(device)
    print(f"device: {props.name}, {props.multi_processor_count} SMs; "
          f"torch {torch.__version__}; copy bandwidth "
          f"{bandwidth / 1e12:.2f} TB/s (2 GiB copy, {copy_ms:.3f} ms, "
          f"read + write)", flush=True)
    return props.name, bandwidth, copy_ms


def time_torch(x, device, iters):
    args = {k: v.to(device=device, dtype=torch.float32) for k, v in x.items()}
    def run():
        return selective_scan(args["u"], args["delta"], args["A"], args["B"],
                              args["C"], D=args["D"], z=args["z"],
                              delta_bias=args["bias"], delta_softplus=True)
    return cuda_median_ms(run, iters)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", default=os.path.join(ROOT, "build-rt-gpu",
                                                      "libssmrt_c.so"))
    parser.add_argument("--artifacts", default=os.path.join(ROOT, "artifacts",
                                                            "gpu"))
    parser.add_argument("--only", default="", help="substring filter")
    parser.add_argument("--checks", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--torch-iters", type=int, default=3)
    parser.add_argument("--json", default="")
    parser.add_argument("--checks-first", action="store_true",
                        help="run the correctness-only modules before the "
                        "timed ones")
    parser.add_argument("--priority", default="",
                        help="comma-separated substrings: the timed modules "
                        "whose file names hold the first come first, and so "
                        "on (stable; after the checks with --checks-first)")
    parser.add_argument("--budget-s", type=float, default=0,
                        help="skip (and list) the artifacts not started "
                        "within this many seconds of the start (0: no limit)")
    parser.add_argument("--device", default="cuda",
                        help="runtime device (cpu: a dry run of this script "
                        "over --target=cpu artifacts, checks only)")
    args = parser.parse_args()

    if args.device == "cpu":
        device, bandwidth, name = torch.device("cpu"), float("nan"), "cpu"
    else:
        device = torch.device("cuda")
        name, bandwidth, _ = describe_gpu(device)
    rt = Runtime(args.lib)
    with open(os.path.join(args.artifacts, "manifest.json")) as f:
        manifest = json.load(f)
    if args.priority:
        keys = args.priority.split(",")
        manifest.sort(key=lambda m: next(
            (i for i, k in enumerate(keys) if k in m["file"]), len(keys)))
    if args.checks_first:
        manifest = ([m for m in manifest if m.get("check_only")] +
                    [m for m in manifest if not m.get("check_only")])
    rows = []
    skipped = []
    torch_cache = {}
    check_cache = {}
    start = T_START
    for item in manifest:
        if args.only and args.only not in item["file"]:
            continue
        if args.budget_s and time.monotonic() - start > args.budget_s:
            skipped.append(item["file"])
            print(f"{item['file']}: skipped (budget of {args.budget_s:.0f} s "
                  f"spent)", flush=True)
            continue
        b, d, l, n = item["shape"]
        dtype = item["dtype"]
        if args.device == "cpu" and not item.get("check_only"):
            continue
        module = rt.load(os.path.join(args.artifacts, item["file"]),
                         args.device)
        errors, max_errors = [], []
        reverse, groups = item.get("reverse", False), item.get("groups", 1)
        for check in range(args.checks):
            # Kernel variants of one shape share inputs and references.
            key = (b, d, l, n, dtype, check, reverse, groups)
            if key not in check_cache:
                for k in [k for k in check_cache if k[:5] != key[:5]]:
                    del check_cache[k]
                x = make_inputs(b, d, l, n, dtype, seed=1000 + check,
                                groups=groups)
                check_cache[key] = (x, reference(x, torch.float64, device,
                                                 reverse).cpu().numpy())
                if device.type == "cuda":
                    torch.cuda.empty_cache()
            x, ref = check_cache[key]
            out = rt.invoke(module, "scan", as_runtime_arrays(x), (b, d, l))
            finite = bool(np.isfinite(out).all())
            err = float(np.linalg.norm(out - ref) / np.linalg.norm(ref))
            max_err = float(np.abs(out - ref).max() / np.abs(ref).max())
            errors.append(err if finite else float("nan"))
            max_errors.append(max_err if finite else float("nan"))
        if item.get("check_only"):
            rt.lib.ssmrt_module_destroy(module)
            rows.append(dict(item, rel_err=worst(errors),
                             max_err=worst(max_errors)))
            print(f"{item['file']}: rel err {worst(errors):.2e} (max "
                  f"elementwise {worst(max_errors):.2e})", flush=True)
            continue
        x = make_inputs(b, d, l, n, dtype, seed=7)
        arrays = as_runtime_arrays(x)
        ms1 = rt.time(module, "scan", arrays, args.warmup, args.iters)
        ms2 = rt.time(module, "scan", arrays, args.warmup, args.iters)
        med1, med2 = statistics.median(ms1), statistics.median(ms2)
        in_bytes = sum(a.nbytes for _, a in arrays)
        out_bytes = 4 * b * d * l
        floor_ms = (in_bytes + out_bytes) / bandwidth * 1e3
        key = (b, d, l, n)
        if key not in torch_cache:
            torch_cache[key] = time_torch(make_inputs(b, d, l, n, "f32", 7),
                                          device, args.torch_iters)
            torch.cuda.empty_cache()
        torch_ms = torch_cache[key]
        ms = min(med1, med2)
        row = dict(item, rel_err=worst(errors), max_err=worst(max_errors),
                   ms=ms, ms_runs=[med1, med2], min_ms=min(ms1 + ms2),
                   floor_ms=floor_ms, pct_floor=100 * floor_ms / ms,
                   bytes=in_bytes + out_bytes, torch_ms=torch_ms,
                   speedup_vs_torch=torch_ms / ms)
        rows.append(row)
        rt.lib.ssmrt_module_destroy(module)
        print(f"{item['file']}: rel err {row['rel_err']:.2e} (max elementwise "
              f"{row['max_err']:.2e}), median {med1:.4f} / {med2:.4f} ms "
              f"(min {row['min_ms']:.4f}), floor {floor_ms:.4f} ms = "
              f"{row['pct_floor']:.1f}% of floor, torch {torch_ms:.2f} ms "
              f"({row['speedup_vs_torch']:.0f}x)", flush=True)
    print()
    print("| shape (b, d, l, n) | dtype | kernel (ch x steps) | rel err | "
          "max err | ms (median) | floor ms | % of floor | PyTorch ref ms | "
          "vs PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r.get("check_only"):
            continue
        print(f"| {', '.join(map(str, r['shape']))} | {r['dtype']} | "
              f"{r['channels_per_block']} x {r['tile_steps']}, "
              f"unroll {r.get('unroll', 1)}, {r.get('lanes', 1)} lane(s), "
              f"{r.get('poly_exp_states', 0)} poly exp, "
              f"{r.get('channels_per_thread', 1)} ch/thread"
              f"{', %d KiB smem' % r['max_shared_kib'] if r.get('max_shared_kib', 100) != 100 else ''}"
              f"{', cp.async' if r.get('async') else ''}"
              f"{', %d chunks' % r['chunks'] if r.get('chunks', 1) > 1 else ''}"
              f"{', scalar loads' if not r.get('vector_loads', True) else ''}"
              f"{', prefetch' if r.get('prefetch') else ''} | "
              f"{r['rel_err']:.1e} | {r['max_err']:.1e} | {r['ms']:.4f} | "
              f"{r['floor_ms']:.4f} | {r['pct_floor']:.0f}% | "
              f"{r['torch_ms']:.2f} | {r['speedup_vs_torch']:.0f}x |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(device=name, bandwidth=bandwidth,
                           rows=rows, skipped=skipped), f, indent=1)
    for r in rows:
        if r.get("check_only"):
            print(f"checked {r['file']}: rel err {r['rel_err']:.1e}, max "
                  f"elementwise {r['max_err']:.1e}")
    for f in skipped:
        print(f"not run (budget): {f}")
    ok = all(r["rel_err"] <= (1e-5 if r["dtype"] == "f32" else 1e-2)
             for r in rows)
    print("numerics:", "PASS" if ok else "FAIL",
          f"({len(rows)} run, {len(skipped)} not run)" if skipped else "")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
