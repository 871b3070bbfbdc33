#!/usr/bin/env python3
"""Where a compiled train step's wall time goes on the GPU: kernel, memset and
copy time against the wall time per step, and the largest idle gaps between
device events (host work the GPU waits for), from a CUPTI trace taken through
torch.profiler (the runtime's kernels run in the same process and context).

  python3 bench/gpu/trace_train_step.py artifacts/train/vim-t-b128-nvptx.ssmb
  SSMRT_CUDA_GRAPHS=0 python3 bench/gpu/trace_train_step.py ...   # without graphs
"""
import argparse
import time

import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

import ssmc


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("module")
    p.add_argument("--steps", type=int, default=2, help="traced steps (after 4 untraced)")
    p.add_argument("--gaps", type=int, default=8, help="largest gaps to list")
    p.add_argument("--top", type=int, default=0,
                   help="also list the N kernels with the most device time per step")
    a = p.parse_args()
    ts = ssmc.TrainStep(a.module, device="cuda:0")
    rng = np.random.default_rng(0)
    ts.load_weights({s.name: (rng.standard_normal(tuple(s.shape)) * 0.02).astype(np.float32)
                     for s in ts._param_specs})
    images = torch.randn(tuple(ts._data_specs[0].shape), device="cuda:0")
    labels = rng.integers(0, ts._targets_spec.shape[1], ts._targets_spec.shape[0])
    for _ in range(4):  # graphs captured, libraries loaded
        ts.step(images, labels, lr=1e-4)
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        t0 = time.perf_counter()
        for _ in range(a.steps):
            ts.step(images, labels, lr=1e-4)
        torch.cuda.synchronize()
        wall = (time.perf_counter() - t0) / a.steps
    events = sorted((e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA),
                    key=lambda e: e.time_range.start)
    by_kind = {}
    for e in events:
        kind = "copy" if "emcpy" in e.name else "memset" if "emset" in e.name else "kernel"
        by_kind[kind] = by_kind.get(kind, 0.0) + e.device_time / a.steps / 1e3
    print(f"wall {wall * 1e3:.1f} ms/step, {len(events) / a.steps:.0f} device events/step; "
          + ", ".join(f"{k} {v:.1f} ms" for k, v in sorted(by_kind.items())))
    if a.top > 0:
        per_name = {}
        for e in events:
            t, n = per_name.get(e.name, (0.0, 0))
            per_name[e.name] = (t + e.device_time / a.steps / 1e3, n + 1)
        total = sum(t for t, _ in per_name.values())
        print(f"top {a.top} of {len(per_name)} kernels by device time per step "
              f"(ms, % of {total:.1f} ms, launches per step):")
        for name, (t, n) in sorted(per_name.items(), key=lambda kv: -kv[1][0])[:a.top]:
            print(f"  {t:8.3f} {100 * t / total:5.1f}% {n // a.steps:5d}  {name[:110]}")
    if len(events) < 2:
        return
    gaps = [(events[i + 1].time_range.start - events[i].time_range.end, events[i].name,
             events[i + 1].name) for i in range(len(events) - 1)]
    idle = sum(g for g, _, _ in gaps if g > 0) / a.steps / 1e3
    span = (events[-1].time_range.end - events[0].time_range.start) / a.steps / 1e3
    print(f"GPU span {span:.1f} ms/step, idle between device events {idle:.1f} ms/step")
    for g, before, after in sorted(gaps, reverse=True)[:a.gaps]:
        print(f"  {g / 1e3:8.2f} ms idle after {before[:60]} before {after[:60]}")


if __name__ == "__main__":
    main()
