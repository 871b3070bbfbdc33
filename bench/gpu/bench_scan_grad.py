#!/usr/bin/env python3
"""Selective-scan backward benchmark on a CUDA GPU: ssmc .ssmb (runtime C API)
vs a float64 reference and PyTorch autograd through the sequential reference
scan.

Runs on the GPU machine, after building the runtime there with
-DSSM_ENABLE_CUDA=ON, over the artifacts of make_scan_grad_artifacts.py:

  python3 bench/gpu/bench_scan_grad.py --lib build-rt-gpu/libssmrt_c.so \
      --artifacts artifacts/gpu-grad [--iters 50]

For each artifact (manifest.json):
  1. correctness, on fresh random inputs (--checks rounds, new seed each):
     invoke with outputs poisoned (0xFF bytes = NaN, so an unwritten element
     fails), then for every gradient the relative error ||out - ref|| / ||ref||
     against PyTorch autograd of python/ssm_testing's selective scan in
     float64 on the GPU (bf16 inputs upcast exactly; the batch in slices to
     bound memory, dA / dD / ddelta_bias summed over them), the largest
     elementwise error over max |ref|, and no NaN / Inf; a gradient whose
     reference is exactly 0 (dA at l = 1) must come out 0;
  2. timing: ssmrt_module_time (inputs resident, runs back to back, CUDA
     events), median of --iters after --warmup, two independent calls;
  3. the floor: bytes that must move (every input read once, every gradient
     written once) / the device-to-device copy bandwidth measured in this
     process (bench_scan.copy_bandwidth);
  4. PyTorch: autograd's backward alone (torch.autograd.grad with the forward
     graph built beforehand, retain_graph) through the same sequential scan
     in f32 on the same inputs, median of --torch-iters (0: skip).
"""
import argparse
import ctypes
import json
import math
import os
import statistics
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_scan import (BF16, F32, POISON, ROOT, Runtime,  # noqa: E402
                        cuda_median_ms, describe_gpu, worst)
sys.path.insert(0, os.path.join(ROOT, "python"))
from ssm_testing.torch_models import selective_scan  # noqa: E402

GRADS = ["du", "ddelta", "dA", "dB", "dC", "dD", "dz", "ddelta_bias"]


class GradRuntime(Runtime):
    """Runtime with every output of an invoke read back (f32 / bf16)."""

    def __init__(self, path):
        super().__init__(path)
        lib = self.lib
        lib.ssmrt_outputs_count.restype = ctypes.c_size_t
        lib.ssmrt_outputs_count.argtypes = [ctypes.c_void_p]
        lib.ssmrt_outputs_dtype.restype = ctypes.c_int32
        lib.ssmrt_outputs_dtype.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

    def invoke_all(self, module, function, arrays, shapes, flags=POISON):
        outputs = self.invoke_raw(module, function, arrays, flags)
        try:
            count = self.lib.ssmrt_outputs_count(outputs)
            assert count == len(shapes), (count, len(shapes))
            result = []
            for i, shape in enumerate(shapes):
                dtype = self.lib.ssmrt_outputs_dtype(outputs, i)
                width = {F32: 4, BF16: 2}[dtype]
                size = self.lib.ssmrt_outputs_byte_size(outputs, i)
                assert size == width * math.prod(shape), (i, size, shape)
                pointer = self.lib.ssmrt_outputs_data(outputs, i)
                raw = np.ctypeslib.as_array(
                    ctypes.cast(pointer, ctypes.POINTER(
                        ctypes.c_uint8)), shape=(size,)).copy()
                if dtype == F32:
                    result.append(torch.from_numpy(raw.view(np.float32))
                                  .reshape(shape))
                else:
                    bits = torch.from_numpy(raw.view(np.int16)).reshape(shape)
                    result.append(bits.view(torch.bfloat16).float())
        finally:
            self.lib.ssmrt_outputs_destroy(outputs)
        return result


def make_inputs(item, seed):
    """Vim-like random inputs (never zeros): raw delta around 0 with Mamba's
    delta_bias init, A = -(1..n) scaled by a random factor per channel,
    unit-normal u, B, C, z, D and dout."""
    b, d, l, n = item["shape"]
    g = torch.Generator().manual_seed(seed)
    groups = item.get("groups", 1)
    x = dict(dout=torch.randn(b, d, l, generator=g),
             u=torch.randn(b, d, l, generator=g),
             delta=0.5 * torch.randn(b, d, l, generator=g),
             A=-torch.arange(1, n + 1, dtype=torch.float32).repeat(d, 1)
             * (0.5 + torch.rand(d, 1, generator=g)))
    if not item.get("softplus", True):
        # No softplus: delta is the step itself, positive as in a model.
        x["delta"] = 0.1 * x["delta"].abs() + 1e-3
    bc = (b, n, l) if groups == 1 else (b, groups, n, l)
    x["B"] = torch.randn(*bc, generator=g)
    x["C"] = torch.randn(*bc, generator=g)
    if item.get("D", True):
        x["D"] = torch.randn(d, generator=g)
    if item.get("z", True):
        x["z"] = torch.randn(b, d, l, generator=g)
    if item.get("bias", True):
        dt = torch.exp(torch.rand(d, generator=g)
                       * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3))
        x["bias"] = dt + torch.log(-torch.expm1(-dt))  # softplus^-1(dt)
    if item["dtype"] != "f32":
        for k in ("u", "delta", "B", "C", "z", "dout"):
            if k in x and not (k == "dout" and item["dtype"] == "bf16in"):
                x[k] = x[k].to(torch.bfloat16)
    return x


ORDER = ["dout", "u", "delta", "A", "B", "C", "D", "z", "bias"]


def as_runtime_arrays(x):
    arrays = []
    for k in ORDER:
        if k not in x:
            continue
        t = x[k].contiguous()
        if t.dtype == torch.bfloat16:
            arrays.append((BF16, t.view(torch.int16).numpy()))
        else:
            arrays.append((F32, t.numpy()))
    return arrays


def grad_names(item):
    names = GRADS[:5]
    for key, name in (("D", "dD"), ("z", "dz"), ("bias", "ddelta_bias")):
        if item.get(key, True):
            names.append(name)
    return names


def grad_shapes(x, item):
    of = dict(du="u", ddelta="delta", dA="A", dB="B", dC="C", dD="D", dz="z",
              ddelta_bias="bias")
    return [tuple(x[of[name]].shape) for name in grad_names(item)]


def scan_stacked(u, delta, A, B, C, D=None, z=None, delta_bias=None,
                 delta_softplus=False):
    """python/ssm_testing's sequential selective scan (docs/semantics.md §2.1) with
    the per-step states collected in a list and stacked, not written into a
    preallocated tensor: the same function, but autograd's backward stays
    linear in l (the reference's in-place slice writes make it copy the whole
    state gradient at every step). Checked against the reference's forward
    by --self-test."""
    b, dc, l = u.shape
    n = A.shape[1]
    if delta_bias is not None:
        delta = delta + delta_bias[:, None]
    if delta_softplus:
        delta = torch.nn.functional.softplus(delta, beta=1.0, threshold=20.0)

    def per_channel(M):  # -> (b, dc, n, l)
        if M.dim() == 3:
            return M.unsqueeze(1).expand(b, dc, n, l)
        return M.repeat_interleave(dc // M.shape[1], dim=1)

    Bd, Cd = per_channel(B), per_channel(C)
    dA = torch.exp(delta.unsqueeze(-1) * A[:, None, :])  # (b, dc, l, n)
    dBu = (delta * u).unsqueeze(-1) * Bd.transpose(2, 3)
    h = torch.zeros(b, dc, n, dtype=u.dtype, device=u.device)
    hs = []
    # Slices by unbind of 256-step pieces, not dA[:, :, t]: l slices would
    # give l full-size zero-filled gradients in the backward, one unbind of
    # all l steps a node whose l inputs autograd's engine handles in
    # quadratic time.
    for a_piece, bu_piece in zip(dA.split(256, dim=2), dBu.split(256, dim=2)):
        for a_t, bu_t in zip(a_piece.unbind(2), bu_piece.unbind(2)):
            h = a_t * h + bu_t
            hs.append(h)
    y = (torch.stack(hs, dim=2) * Cd.transpose(2, 3)).sum(-1)
    if D is not None:
        y = y + u * D[:, None]
    if z is not None:
        y = y * torch.nn.functional.silu(z)
    return y


def forward_and_grads(x, item, dtype, device, batch_slice=None,
                      build_only=False, scan=scan_stacked):
    """The gradients of sum(out * dout) w.r.t. the scan's operands by autograd
    of the sequential reference in `dtype` (reverse: the scan of the
    time-flipped sequences)."""
    keys = [k for k in ORDER if k in x and k != "dout"]
    args = {}
    for k in keys:
        v = x[k]
        if batch_slice is not None and k in ("u", "delta", "B", "C", "z"):
            v = v[batch_slice]
        args[k] = v.to(device=device, dtype=dtype).requires_grad_(True)
    dout = x["dout"]
    if batch_slice is not None:
        dout = dout[batch_slice]
    dout = dout.to(device=device, dtype=dtype)
    rev = item.get("reverse", False)
    flip = (lambda t: t.flip(-1)) if rev else (lambda t: t)
    y = scan(flip(args["u"]), flip(args["delta"]), args["A"],
                       flip(args["B"]), flip(args["C"]), D=args.get("D"),
                       z=flip(args["z"]) if "z" in args else None,
                       delta_bias=args.get("bias"),
                       delta_softplus=item.get("softplus", True))
    y = flip(y)
    inputs = [args[k] for k in keys]
    if build_only:
        return y, inputs, dout
    grads = torch.autograd.grad(y, inputs, dout)
    g = dict(zip(keys, grads))
    of = dict(u="du", delta="ddelta", A="dA", B="dB", C="dC", D="dD", z="dz",
              bias="ddelta_bias")
    return {of[k]: v.detach() for k, v in g.items()}


def reference(x, item, device, slice_elems=2 ** 28):
    """float64 gradients, the batch in slices of about slice_elems
    (b, d, l, n) elements; dA / dD / ddelta_bias summed over the slices."""
    b, d, l, n = item["shape"]
    step = max(1, min(b, int(slice_elems) // max(1, d * l * n)))
    total = {}
    for b0 in range(0, b, step):
        part = forward_and_grads(x, item, torch.float64, device,
                                 slice(b0, min(b, b0 + step)))
        for k, v in part.items():
            if k in ("dA", "dD", "ddelta_bias"):
                total[k] = total[k] + v if k in total else v
            else:
                total.setdefault(k, []).append(v.cpu())
        del part
        if device.type == "cuda":
            torch.cuda.empty_cache()
    return {k: (torch.cat(v) if isinstance(v, list) else v.cpu())
            for k, v in total.items()}


def compare(out, ref):
    """(relative error, max elementwise error / max |ref|); NaN if any output
    element is not finite; a zero reference must give a zero output."""
    out, ref = out.double(), ref.double()
    if not torch.isfinite(out).all():
        return float("nan"), float("nan")
    ref_norm = float(ref.norm())
    if ref_norm == 0.0:
        err = float(out.abs().max())
        return err, err
    return (float((out - ref).norm()) / ref_norm,
            float((out - ref).abs().max()) / float(ref.abs().max()))


def time_torch(x, item, device, iters, scan):
    """Median ms of autograd's backward (f32, same inputs, graph built once)."""
    xf = {k: v.float() for k, v in x.items()}
    y, inputs, dout = forward_and_grads(xf, item, torch.float32, device,
                                        build_only=True, scan=scan)
    ms = cuda_median_ms(
        lambda: torch.autograd.grad(y, inputs, dout, retain_graph=True), iters)
    del y, inputs, dout
    torch.cuda.empty_cache()
    return ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", default=os.path.join(ROOT, "build-rt-gpu",
                                                      "libssmrt_c.so"))
    parser.add_argument("--artifacts", default=os.path.join(
        ROOT, "artifacts", "gpu-grad"))
    parser.add_argument("--only", default="", help="substring filter")
    parser.add_argument("--checks", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--iters", type=int, default=30)
    parser.add_argument("--torch-iters", type=int, default=0)
    parser.add_argument("--torch-only", default="",
                        help="comma-separated shape tags (e.g. 128x768x197x16) "
                        "PyTorch is timed on (default: all)")
    parser.add_argument("--torch-scan", default="stacked",
                        choices=["stacked", "reference"],
                        help="the scan PyTorch's autograd is timed through: "
                        "the stacked form (backward linear in l) or "
                        "python/ssm_testing's (in-place slice writes)")
    parser.add_argument("--skip-check-above", type=float, default=0,
                        help="timed artifacts with more b*d*l*n elements are "
                        "not checked here (a check-only artifact of the same "
                        "d, l, n at a smaller batch covers their kernel); 0: "
                        "check all")
    parser.add_argument("--ref-slice-elems", type=float, default=2 ** 28,
                        help="the float64 reference runs the batch in slices "
                        "of about this many b*d*l*n elements (memory vs "
                        "per-step overhead)")
    parser.add_argument("--self-test", action="store_true",
                        help="check scan_stacked against the reference's "
                        "forward on random inputs and exit")
    parser.add_argument("--json", default="")
    parser.add_argument("--device", default="cuda",
                        help="runtime device (cpu: a dry run of this script "
                        "over --target=cpu artifacts, checks only)")
    args = parser.parse_args()
    if args.self_test:
        return self_test()

    if args.device == "cpu":
        device, bandwidth, name = torch.device("cpu"), float("nan"), "cpu"
    else:
        device = torch.device("cuda")
        name, bandwidth, _ = describe_gpu(device)
    rt = GradRuntime(args.lib)
    with open(os.path.join(args.artifacts, "manifest.json")) as f:
        manifest = json.load(f)
    rows, torch_cache, ref_cache = [], {}, {}
    for item in manifest:
        if args.only and args.only not in item["file"]:
            continue
        if args.device == "cpu" and not item.get("check_only"):
            continue
        module = rt.load(os.path.join(args.artifacts, item["file"]),
                         args.device)
        names = grad_names(item)
        errors = {k: [] for k in names}
        max_errors = {k: [] for k in names}
        case = (tuple(item["shape"]), item["dtype"], item.get("groups", 1),
                item.get("reverse", False), item.get("z", True),
                item.get("D", True), item.get("bias", True),
                item.get("softplus", True))
        b_, d_, l_, n_ = item["shape"]
        skip_check = (not item.get("check_only") and args.skip_check_above > 0
                      and b_ * d_ * l_ * n_ > args.skip_check_above)
        for check in range(0 if skip_check else args.checks):
            # Variants of one case share inputs and references.
            key = case + (check,)
            if key not in ref_cache:
                ref_cache.clear()
                x = make_inputs(item, seed=1000 + check)
                ref_cache[key] = (x, reference(x, item, device,
                                               args.ref_slice_elems))
            x, ref = ref_cache[key]
            outs = rt.invoke_all(module, "grad", as_runtime_arrays(x),
                                 grad_shapes(x, item))
            for k, out in zip(names, outs):
                err, max_err = compare(out, ref[k])
                errors[k].append(err)
                max_errors[k].append(max_err)
        # Not checked here (--skip-check-above): no errors to report.
        rel = {k: worst(v) for k, v in errors.items() if v}
        mx = {k: worst(v) for k, v in max_errors.items() if v}
        row = dict(item, rel_err=rel, max_err=mx,
                   worst_rel_err=worst(list(rel.values())) if not skip_check
                   else 0.0, checked_here=not skip_check)
        detail = ", ".join(f"{k} {v:.1e}" for k, v in rel.items())
        if item.get("check_only"):
            rt.lib.ssmrt_module_destroy(module)
            rows.append(row)
            print(f"{item['file']}: rel err {detail}", flush=True)
            continue
        x = make_inputs(item, seed=7)
        arrays = as_runtime_arrays(x)
        ms1 = rt.time(module, "grad", arrays, args.warmup, args.iters)
        ms2 = rt.time(module, "grad", arrays, args.warmup, args.iters)
        rt.lib.ssmrt_module_destroy(module)
        med1, med2 = statistics.median(ms1), statistics.median(ms2)
        in_bytes = sum(a.nbytes for _, a in arrays)
        width = {"f32": 4}.get(item["dtype"], 2)
        out_bytes = 0
        for k, shape in zip(names, grad_shapes(x, item)):
            w = 4 if k in ("dA", "dD", "ddelta_bias") else width
            out_bytes += w * math.prod(shape)
        floor_ms = (in_bytes + out_bytes) / bandwidth * 1e3
        ms = min(med1, med2)
        tag = "x".join(map(str, item["shape"]))
        torch_ms = float("nan")
        if args.torch_iters > 0 and (not args.torch_only or
                                     tag in args.torch_only.split(",")):
            tkey = case
            if tkey not in torch_cache:
                try:
                    torch_cache[tkey] = time_torch(
                        x, item, device, args.torch_iters,
                        scan_stacked if args.torch_scan == "stacked"
                        else selective_scan)
                except torch.OutOfMemoryError:
                    torch_cache[tkey] = float("nan")
                    torch.cuda.empty_cache()
            torch_ms = torch_cache[tkey]
        row.update(ms=ms, ms_runs=[med1, med2], min_ms=min(ms1 + ms2),
                   floor_ms=floor_ms, pct_floor=100 * floor_ms / ms,
                   bytes=in_bytes + out_bytes, torch_ms=torch_ms,
                   speedup_vs_torch=torch_ms / ms)
        rows.append(row)
        print(f"{item['file']}: rel err {detail}; median {med1:.4f} / "
              f"{med2:.4f} ms (min {row['min_ms']:.4f}), floor "
              f"{floor_ms:.4f} ms = {row['pct_floor']:.1f}% of floor, torch "
              f"bwd {torch_ms:.2f} ms ({row['speedup_vs_torch']:.0f}x)",
              flush=True)
    print()
    print("| shape (b, d, l, n) | dtype | kernel | worst rel err | ms (median) "
          "| floor ms | % of floor | PyTorch bwd ms | vs PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r.get("check_only"):
            continue
        err = (f"{r['worst_rel_err']:.1e}" if r["checked_here"] else
               "(small batch)")
        print(f"| {', '.join(map(str, r['shape']))} | {r['dtype']} | "
              f"{r['variant']} | {err} | {r['ms']:.4f} | "
              f"{r['floor_ms']:.4f} | {r['pct_floor']:.0f}% | "
              f"{r['torch_ms']:.2f} | {r['speedup_vs_torch']:.0f}x |")
    for r in rows:
        if r.get("check_only"):
            print(f"checked {r['file']}: worst rel err "
                  f"{r['worst_rel_err']:.1e}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(device=name, bandwidth=bandwidth, rows=rows), f,
                      indent=1)
    ok = all(r["worst_rel_err"] <= (1e-5 if r["dtype"] == "f32" else 1e-2)
             for r in rows)
    print("numerics:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def self_test():
    """scan_stacked == the reference's forward (float64, random inputs,
    grouped and not, with and without the optional operands)."""
    g = torch.Generator().manual_seed(3)
    f64 = torch.float64
    ok = True
    for groups, full in ((1, True), (2, True), (1, False)):
        b, d, l, n = 2, 6, 9, 4
        u = torch.randn(b, d, l, generator=g, dtype=f64)
        delta = 0.5 * torch.randn(b, d, l, generator=g, dtype=f64)
        A = -torch.rand(d, n, generator=g, dtype=f64) - 0.5
        bc = (b, n, l) if groups == 1 else (b, groups, n, l)
        B = torch.randn(*bc, generator=g, dtype=f64)
        C = torch.randn(*bc, generator=g, dtype=f64)
        extra = {}
        if full:
            extra = dict(D=torch.randn(d, generator=g, dtype=f64),
                         z=torch.randn(b, d, l, generator=g, dtype=f64),
                         delta_bias=torch.randn(d, generator=g, dtype=f64),
                         delta_softplus=True)
        else:
            delta = delta.abs()
        want = selective_scan(u, delta, A, B, C, **extra)
        got = scan_stacked(u, delta, A, B, C, **extra)
        err = float((got - want).norm() / want.norm())
        print(f"scan_stacked vs reference (groups {groups}, "
              f"{'all operands' if full else 'none optional'}): {err:.1e}")
        ok &= err < 1e-14
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
