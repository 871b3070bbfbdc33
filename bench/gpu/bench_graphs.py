"""CUDA graphs on vs off for whole models on the GPU (issue 10, item 4).

For each .ssmb in --artifacts (Vim-T f32 at batch 1 and 128 from
make_runtime_gpu_artifacts.sh), loaded with ``ssmc.load(path,
device="cuda:0")`` and random inputs (N(0, 1) image, N(0, 0.02) weights):

  device ms   Module.time: inputs resident, runs queued back to back, the
              device time between events around each run (launch gaps
              included: the device idles while the host queues launches);
  call ms     wall clock of one synchronous ``invoke_with_buffers`` call with
              CUDA torch tensors in and out (the Python GPU path, no host
              copies): what a batch-1 user waits for;
  module ms   wall clock of ``module(*cuda_tensors, return_type="torch")``
              (graphs by default; new output tensors each call);

each with graphs off and on (the same module, ``graphs=False/True``), the
median of --iters runs after --warmup, the graph counters of the runtime, and
whether the outputs of both modes are byte-equal. --budget-s: no model is
started after that many seconds.
"""

import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ssmc  # noqa: E402
from ssmc.runtime import _torch_dtype  # noqa: E402


def make_inputs(sig, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    xs = []
    for i, spec in enumerate(sig.inputs):
        scale = 1.0 if i == 0 else 0.02
        t = torch.randn(tuple(spec.shape), generator=g) * scale
        xs.append(t.to(_torch_dtype(spec.dtype)).to(device))
    return xs


def host_array(t):
    t = t.cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(np.uint16)
    return t.numpy()


def call_ms(m, xs, ys, graphs, warmup, iters):
    for _ in range(warmup):
        m.invoke_with_buffers("forward", xs, ys, graphs=graphs)
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        m.invoke_with_buffers("forward", xs, ys, graphs=graphs)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--artifacts", default=os.path.join(ROOT, "artifacts", "gpurt", "bench"))
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--budget-s", type=float, default=240)
    parser.add_argument("--json", default="")
    parser.add_argument("--device", default="cuda:0",
                        help="cpu: a dry run of this script on CPU artifacts")
    args = parser.parse_args()
    start = time.monotonic()
    name = torch.cuda.get_device_name(0) if args.device != "cpu" else "cpu"
    print(f"{name}, torch {torch.__version__}", flush=True)
    files = sorted(f for f in os.listdir(args.artifacts) if f.endswith(".ssmb"))
    # Batch 1 first: it is the fast one.
    files.sort(key=lambda f: ("-b1-" not in f, f))
    rows = []
    for name in files:
        if time.monotonic() - start > args.budget_s:
            print(f"{name}: not run (budget of {args.budget_s:.0f} s spent)", flush=True)
            continue
        t0 = time.monotonic()
        m = ssmc.load(os.path.join(args.artifacts, name), device=args.device)
        load_s = time.monotonic() - t0
        sig = m.signature["forward"]
        batch = sig.inputs[0].shape[0]
        xs = make_inputs(sig, args.device)
        hosts = [host_array(x) for x in xs]
        big = batch >= 32
        iters = max(5, args.iters // 4) if big else args.iters
        row = dict(file=name, batch=batch, load_s=round(load_s, 2))
        outputs = {}
        for graphs in (False, True):
            key = "on" if graphs else "off"
            ms = m.runtime_module.time("forward", hosts, args.warmup, iters, graphs=graphs)
            row[f"device_ms_{key}"] = statistics.median(ms)
            ys = [torch.empty(tuple(s.shape), dtype=_torch_dtype(s.dtype), device=args.device)
                  for s in sig.outputs]
            row[f"call_ms_{key}"] = call_ms(m, xs, ys, graphs, args.warmup, iters)
            outputs[key] = [y.clone() for y in ys]
            print(f"{name} graphs {key}: device {row[f'device_ms_{key}']:.3f} ms, call "
                  f"{row[f'call_ms_{key}']:.3f} ms", flush=True)
        # The high-level call (graphs by default): CUDA tensors in, new CUDA
        # output tensors out, as ssmc.torch.Module's forward does.
        for _ in range(args.warmup):
            m(*xs, return_type="torch")
        times = []
        for _ in range(iters):
            t0 = time.perf_counter()
            m(*xs, return_type="torch")
            times.append((time.perf_counter() - t0) * 1e3)
        row["module_call_ms"] = statistics.median(times)
        row["equal"] = all(torch.equal(a.view(torch.uint8), b.view(torch.uint8))
                           for a, b in zip(outputs["off"], outputs["on"]))
        row["max_abs_diff"] = max(float((a.float() - b.float()).abs().max())
                                  for a, b in zip(outputs["off"], outputs["on"]))
        row["finite"] = all(bool(torch.isfinite(y.float()).all()) for y in outputs["on"])
        row["stats"] = m.execution_stats()
        for key in ("device", "call"):
            row[f"{key}_speedup"] = row[f"{key}_ms_off"] / row[f"{key}_ms_on"]
        rows.append(row)
        print(json.dumps(row), flush=True)
        del m, xs, ys, outputs
        torch.cuda.empty_cache()

    print(f"\n{'module':32s} {'batch':>5s} {'device ms off/on':>20s} {'x':>6s} "
          f"{'call ms off/on':>20s} {'x':>6s} {'module ms':>9s} {'img/s on':>9s} {'equal':>5s} "
          "captures/replays")
    for r in rows:
        s = r["stats"]
        print(f"{r['file']:32s} {r['batch']:5d} {r['device_ms_off']:9.3f} / {r['device_ms_on']:8.3f} "
              f"{r['device_speedup']:6.2f} {r['call_ms_off']:9.3f} / {r['call_ms_on']:8.3f} "
              f"{r['call_speedup']:6.2f} {r['module_call_ms']:9.3f} "
              f"{r['batch'] / (r['device_ms_on'] * 1e-3):9.1f} "
              f"{str(r['equal']):>5s} {s['graph_captures']}/{s['graph_replays']}"
              + (f" FAILED CAPTURES: {s['last_capture_failure']}" if s["capture_failures"] else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    ok = rows and all(r["equal"] and r["stats"]["capture_failures"] == 0 for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
