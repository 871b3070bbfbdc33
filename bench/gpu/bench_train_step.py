#!/usr/bin/env python3
"""The compiled train step on the GPU: img/s and device memory at full size.

For each `ssm-compile --train --target=nvptx` module given (batch 128, 224x224
for the issue's table), runs `train_step` through ssmc.TrainStep with the
parameters and AdamW moments resident on the device and a fixed batch of
random images already on the device, as a training loop sees it: each step
moves the targets in and the loss out. Reports the median wall time of
--iters steps after --warmup (each step ends by reading its loss, so it is a
full synchronization), img/s, the static plan's peak bytes of the entry plus
the resident state (parameters, moments and the spare set the step writes
into), and the process's device memory in use after the steps (cudaMemGetInfo
minus what was in use before loading), which includes the CUDA context.

Usage: bench_train_step.py MODULE.ssmb [...] [--iters 20] [--warmup 3] [--json F]
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import ssmc


def device_used_bytes(device: str) -> int:
    if not device.startswith("cuda"):
        return 0
    free, total = torch.cuda.mem_get_info()
    return total - free


def synchronize(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("modules", nargs="+")
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--json")
    p.add_argument("--device", default="cuda:0", help="cpu for a dry run of the script")
    a = p.parse_args()
    rows = []
    dev = a.device
    name = torch.cuda.get_device_name(0) if dev.startswith("cuda") else "cpu"
    print(f"{name}, torch {torch.__version__}")
    print(f"{'module':34s} {'batch':>5s} {'ms/step':>9s} {'img/s':>8s} "
          f"{'plan+state GiB':>14s} {'in use GiB':>10s} {'loss 0 -> last':>18s}")
    for path in a.modules:
        torch.cuda.synchronize()
        before = device_used_bytes(dev)
        ts = ssmc.TrainStep(path, device=dev)
        rng = np.random.default_rng(0)
        weights = {s.name: (rng.standard_normal(tuple(s.shape)) * 0.02).astype(np.float32)
                   for s in ts._param_specs}
        ts.load_weights(weights)
        spec = ts._data_specs[0]
        batch, classes = ts._targets_spec.shape
        images = torch.randn(tuple(spec.shape), device=dev)
        labels = rng.integers(0, classes, batch)
        losses, times, device_ms = [], [], []
        on_cuda = dev.startswith("cuda")
        for i in range(a.warmup + a.iters):
            synchronize(dev)
            if on_cuda:
                begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                begin.record()
            t0 = time.perf_counter()
            losses.append(ts.step(images, labels, lr=1e-4))
            times.append(time.perf_counter() - t0)
            if on_cuda:
                end.record()
                end.synchronize()
                device_ms.append(begin.elapsed_time(end))
        torch.cuda.synchronize()
        # How the runtime ran the step: a CUDA graph replayed (launch gaps
        # negligible) or kernel by kernel (capture failures say why).
        stats = ts._ssm.execution_stats("train_step") if on_cuda else {}
        in_use = device_used_bytes(dev) - before
        state_bytes = sum(4 * int(np.prod(s.shape)) for s in ts._state_specs) * 2
        plan = ts._ssm.peak_bytes("train_step")
        ms = statistics.median(times[a.warmup:]) * 1e3
        row = {"module": os.path.basename(path), "batch": int(batch), "ms_per_step": ms,
               "img_per_s": batch / ms * 1e3, "state_gib": state_bytes / 2 ** 30,
               "plan_gib": plan / 2 ** 30, "static_gib": (plan + state_bytes) / 2 ** 30,
               "in_use_gib": in_use / 2 ** 30, "losses": losses,
               "finite": bool(np.all(np.isfinite(losses))),
               "stream_ms": statistics.median(device_ms[a.warmup:]) if device_ms else None,
               "step_ms": [t * 1e3 for t in times],
               "execution": stats}
        rows.append(row)
        print(f"{row['module']:34s} {batch:5d} {ms:9.2f} {row['img_per_s']:8.0f} "
              f"{row['static_gib']:14.2f} {row['in_use_gib']:10.2f} "
              f"{losses[0]:8.4f} -> {losses[-1]:7.4f}")
        if stats:
            print("  steps (ms): " + " ".join(f"{t * 1e3:.0f}" for t in times))
            print(f"  stream {row['stream_ms']:.2f} ms/step; " +
                  ", ".join(f"{k} {v}" for k, v in stats.items()))
        del ts, images
        torch.cuda.synchronize()
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"device": name, "rows": rows}, f, indent=1)
    return 0 if all(r["finite"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
