#!/usr/bin/env python3
"""Whole models on the GPU through the runtime: correctness and img/s.

Reads artifacts/models/manifest.json (make_model_artifacts.py, run where the
compiler is) and, for every module, on one GPU:
  * checks the logits against the repository's PyTorch reference
    implementation (python/ssmc/reference_models.py) with the same
    random weights and N(0, 1) image: f32 against the float64 model (relative
    error <= 1e-4), bf16 against the f32 model fed the same bf16-rounded
    weights and image (<= 2e-2); outputs are NaN-poisoned before each run. At
    batch 128 the first --check-images images are compared (a model's logits
    of one image do not depend on the others);
  * times `forward` with the runtime's device timer (median of --iters runs
    after --warmup), and reports img/s, the static plan's peak device bytes
    plus the weights, and the kernel objects of the module;
  * times MambaOut-femto's PyTorch peers on the same card in the same process
    (the reference implementation in eager mode and under torch.compile, bf16
    autocast for the bf16 rows).
The card's copy bandwidth and bf16 GEMM rate are measured first, so results
on another card than the H100 can be read as fractions of that card.

  python3 bench/gpu/bench_models.py --lib build-rt-gpu/libssmrt_c.so
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))
from bench_scan import BF16, F32, Runtime, cuda_median_ms, describe_gpu  # noqa: E402
from ssm_testing import reference_models as rm  # noqa: E402

TOL = {"f32": 1e-4, "bf16": 2e-2}


def bf16_bits(a):
    """float32 -> bfloat16 bit patterns (uint16), round to nearest even."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_round(a):
    return (bf16_bits(a).astype(np.uint32) << 16).view(np.float32)


def gemm_rate(device):
    n = 8192
    a = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    ms = cuda_median_ms(lambda: a @ a, 20, warmup=3)
    return 2 * n ** 3 / (ms * 1e-3)


def peak_bytes(rt, module):
    out = ctypes.c_uint64()
    lib = rt.lib
    lib.ssmrt_module_peak_bytes.restype = ctypes.c_void_p
    lib.ssmrt_module_peak_bytes.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                            ctypes.POINTER(ctypes.c_uint64)]
    rt.check(lib.ssmrt_module_peak_bytes(module, b"forward", ctypes.byref(out)))
    return out.value


def run_logits(rt, module, arrays, batch):
    return rt.invoke(module, "forward", arrays, (batch, 1000))


def reference_logits(model, image, device, dtype):
    """The reference's logits on the GPU, or on the CPU where it fails there."""
    for where in (device, torch.device("cpu")):
        try:
            with torch.no_grad():
                x = torch.from_numpy(image).to(device=where, dtype=dtype)
                return model.to(device=where, dtype=dtype)(x).double().cpu().numpy()
        except RuntimeError as e:
            print(f"reference on {where} failed: {e}", flush=True)
    raise RuntimeError("the reference failed on every device")


def selected(file, only):
    """--only: comma-separated substrings of the file name; '=name' matches
    the whole name."""
    if not only:
        return True
    return any(file == k[1:] if k.startswith("=") else k in file
               for k in only.split(","))


def torch_peers(variant, img, batch, dtype, device, iters):
    """(eager img/s, torch.compile img/s) of the reference implementation."""
    model = rm.build(variant, img=img, classes=1000, seed=0).to(device).eval()
    x = torch.randn(batch, 3, img, img, device=device)
    use_bf16 = dtype == "bf16"
    compiled = torch.compile(model)
    rates = []
    for fn in (model, compiled):
        def run():
            with torch.no_grad(), torch.autocast("cuda", torch.bfloat16, enabled=use_bf16):
                fn(x)
        ms = cuda_median_ms(run, iters, warmup=5 if fn is model else 10)
        rates.append(batch / (ms * 1e-3))
    return rates


def module_inputs(item):
    """The module's inputs (image, then the weights in signature order)
    from the reference model's random weights, as (dtype code, array)."""
    model = rm.build(item["variant"], img=item["img"], classes=1000, seed=0,
                     **item["options"])
    state = {k: v.float().numpy() for k, v in model.state_dict().items()}
    b, img = item["batch"], item["img"]
    image = np.random.default_rng(1).standard_normal((b, 3, img, img)).astype(np.float32)
    if item["dtype"] == "bf16":
        return model, state, image, [(BF16, bf16_bits(image))] + [
            (BF16, bf16_bits(state[n])) for n in item["weights"]]
    return model, state, image, [(F32, image)] + [(F32, state[n]) for n in item["weights"]]


def run_once(args):
    rt = Runtime(args.lib)
    with open(os.path.join(args.artifacts, "manifest.json")) as f:
        manifest = json.load(f)
    for item in manifest:
        if not selected(item["file"], args.only):
            continue
        module = rt.load(os.path.join(args.artifacts, item["file"]), "cuda")
        arrays = module_inputs(item)[3]
        run_logits(rt, module, arrays, item["batch"])  # loads and JITs
        torch.cuda.synchronize()
        run_logits(rt, module, arrays, item["batch"])
        rt.lib.ssmrt_module_destroy(module)
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", default=os.path.join(ROOT, "build-rt-gpu", "libssmrt_c.so"))
    parser.add_argument("--artifacts", default=os.path.join(ROOT, "artifacts", "models"))
    parser.add_argument("--only", default="")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--check-images", type=int, default=4)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--json", default="")
    parser.add_argument("--run-once", action="store_true",
                        help="one forward of each module, nothing else (for a "
                        "profiler: ncu ... bench_models.py --run-once --only X)")
    args = parser.parse_args()
    if args.run_once:
        return run_once(args)

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda")
    name, bandwidth, _ = describe_gpu(device)
    rate = gemm_rate(device)
    print(f"bf16 GEMM 8192^3: {rate / 1e12:.0f} TFLOP/s", flush=True)
    rt = Runtime(args.lib)
    with open(os.path.join(args.artifacts, "manifest.json")) as f:
        manifest = json.load(f)
    rows, failures = [], 0
    for item in manifest:
        if not selected(item["file"], args.only):
            continue
        variant, options, img = item["variant"], item["options"], item["img"]
        batch, dtype = item["batch"], item["dtype"]
        row = dict(file=item["file"], variant=variant, batch=batch, dtype=dtype,
                   kernel_objects=item["kernel_objects"])
        t0 = time.monotonic()
        try:
            module = rt.load(os.path.join(args.artifacts, item["file"]), "cuda")
        except RuntimeError as e:
            print(f"{item['file']}: load failed: {e}", flush=True)
            failures += 1
            continue
        row["load_s"] = time.monotonic() - t0
        model, state, image, arrays = module_inputs(item)
        if dtype == "bf16":
            # The reference sees exactly what the module sees.
            ref_state = {k: torch.from_numpy(bf16_round(v)) for k, v in state.items()}
            model.load_state_dict(ref_state)
            ref_image, ref_dtype = bf16_round(image), torch.float32
        else:
            ref_image, ref_dtype = image, torch.float64
        got = run_logits(rt, module, arrays, batch)
        k = min(batch, args.check_images)
        # --check-images 0: no reference (e.g. Vim at 2048 x 2048, whose
        # reference scan is a Python loop over 16,385 steps); finite logits only.
        err = 0.0
        if k > 0:
            want = reference_logits(model, ref_image[:k], device, ref_dtype)
            err = float(np.abs(got[:k].astype(np.float64) - want).max() / np.abs(want).max())
        again = run_logits(rt, module, arrays, batch)
        row["rel_err"] = err if k > 0 else None
        row["repeatable"] = bool(np.array_equal(got, again))
        row["ok"] = bool(np.isfinite(got).all() and err <= TOL[dtype])
        failures += not row["ok"]
        weight_bytes = sum(a.nbytes for _, a in arrays[1:])
        row["peak_gib"] = (peak_bytes(rt, module) + weight_bytes) / 2 ** 30
        model.cpu()
        del model
        torch.cuda.empty_cache()
        if item.get("timed"):
            ms = rt.time(module, "forward", arrays, args.warmup, args.iters)
            row["ms"] = statistics.median(ms)
            row["img_s"] = batch / (row["ms"] * 1e-3)
            if variant == "mambaout-femto" and batch > 1 and not args.no_peers:
                row["torch_eager"], row["torch_compile"] = torch_peers(
                    variant, img, batch, dtype, device, args.iters)
        rt.lib.ssmrt_module_destroy(module)
        rows.append(row)
        print(json.dumps(row), flush=True)

    print(f"\n{name}, {bandwidth / 1e12:.2f} TB/s copy, {rate / 1e12:.0f} TFLOP/s bf16 GEMM")
    print(f"{'module':42s} {'rel err':>8s} {'ok':>3s} {'ms':>9s} {'img/s':>8s} "
          f"{'GiB':>6s} {'kernels':>7s} {'torch eager / compile':>22s}")
    for r in rows:
        ms = f"{r['ms']:9.3f}" if "ms" in r else " " * 9
        ips = f"{r['img_s']:8.1f}" if "img_s" in r else " " * 8
        peers = (f"{r['torch_eager']:10.0f} / {r['torch_compile']:9.0f}"
                 if "torch_eager" in r else "")
        err = f"{r['rel_err']:8.1e}" if r["rel_err"] is not None else "   (none)"
        print(f"{r['file']:42s} {err} {'yes' if r['ok'] else 'NO':>3s} {ms} "
              f"{ips} {r['peak_gib']:6.2f} {r['kernel_objects']:7d} {peers:>22s}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(device=name, bandwidth=bandwidth, gemm_bf16=rate, rows=rows), f, indent=1)
    print(f"{len(rows) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
