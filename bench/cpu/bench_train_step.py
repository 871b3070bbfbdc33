#!/usr/bin/python3
"""CPU training-step benchmark: forward + backward of the -T models.

ssmc runs `forward_grad` (ssm-compile --grad: the logits and the gradient of
<dlogits, logits> for the image and every parameter, one call); PyTorch eager
runs the same model (ssm_testing.reference_models, the same weights) forward
and `backward` on the same inputs in the same process with the same thread
count. The image gradient and every parameter gradient are compared first
(relative error <= 1e-4 against PyTorch in float64); then medians of
interleaved runs after warm-up. The optimizer step is not included on either
side (it is a few elementwise passes over 7-30 M parameters).

    /usr/bin/python3 bench/cpu/bench_train_step.py [--threads 2] [--runs 5]
        [--models vim-t,vmamba-t,fastvim-t,mambaout-femto] [--batch 1] [--markdown]
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
import torch  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
from ssm_testing import reference_models as rm  # noqa: E402
from ssm_testing.runtime_c import Runtime  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cpu import median_ms, rel_err  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--img", type=int, default=224)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--models", default="vim-t,vmamba-t,fastvim-t,mambaout-femto")
    ap.add_argument("--markdown", action="store_true")
    opts = ap.parse_args()

    torch.set_num_threads(opts.threads)
    rt = Runtime(opts.threads)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for variant in opts.models.split(","):
            common = [f"--model={variant}", f"--img={opts.img}", f"--batch={opts.batch}",
                      f"--classes={opts.classes}"]
            out = tmp / f"{variant}.ssmb"
            t0 = time.perf_counter()
            subprocess.run([str(REPO / "build" / "bin" / "ssm-compile"), *common, "--grad",
                            "-o", str(out)], check=True)
            compile_s = time.perf_counter() - t0
            names = [line.split(" [")[0] for line in subprocess.run(
                [str(REPO / "build" / "bin" / "ssm-compile"), *common, "--print-weights"],
                check=True, capture_output=True, text=True).stdout.splitlines()]
            model = rm.build(variant, img=opts.img, classes=opts.classes, seed=0).eval()
            state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
            rng = np.random.default_rng(1)
            x = rng.standard_normal((opts.batch, 3, opts.img, opts.img)).astype(np.float32)
            dlogits = rng.standard_normal((opts.batch, opts.classes)).astype(np.float32)
            module = rt.load(out)
            inputs = [x] + [state[n] for n in names] + [dlogits]

            # Gradients against PyTorch autograd in float64.
            ref = rm.build(variant, img=opts.img, classes=opts.classes, seed=0).double().eval()
            xd = torch.from_numpy(x).double().requires_grad_(True)
            (ref(xd) * torch.from_numpy(dlogits).double()).sum().backward()
            outs = module("forward_grad", inputs)
            params = dict(ref.named_parameters())
            errs = [rel_err(outs[1], xd.grad.numpy())]
            for name, got in zip(names, outs[2:]):
                if name in params and params[name].grad is not None and \
                        np.abs(params[name].grad.numpy()).max() > 0:
                    errs.append(rel_err(got, params[name].grad.numpy()))
            err = max(errs)
            assert err <= 1e-4, f"{variant}: gradient relative error {err}"
            del ref, xd

            xt = torch.from_numpy(x)
            dt = torch.from_numpy(dlogits)

            def torch_step():
                model.zero_grad(set_to_none=True)
                xg = xt.clone().requires_grad_(True)
                (model(xg) * dt).sum().backward()

            ours, theirs = median_ms([lambda: module("forward_grad", inputs), torch_step],
                                     opts.runs, warmup=2)
            peak = module.peak_bytes("forward_grad")
            rows.append((variant, ours, theirs, err, compile_s, peak))
            print(f"{variant}: ssmc {ours:.0f} ms, PyTorch eager {theirs:.0f} ms "
                  f"({theirs / ours:.1f}x), gradient rel err {err:.1e}, "
                  f"compile {compile_s:.1f} s", file=sys.stderr, flush=True)

    if opts.markdown:
        date = datetime.date.today().isoformat()
        print(f"Measured {date}, {os.cpu_count()} vCPUs, {opts.threads} threads, batch "
              f"{opts.batch}, f32, {opts.img}x{opts.img}, PyTorch {torch.__version__}.\n")
        print("| model | ssmc forward+backward ms | PyTorch eager ms (same process) | "
              "speed-up | max gradient rel. err | plan peak MiB (ssmc) | compile s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for variant, ours, theirs, err, compile_s, peak in rows:
            print(f"| {variant} | {ours:.0f} | {theirs:.0f} | {theirs / ours:.1f}x | "
                  f"{err:.1e} | {peak / 2**20:.0f} | {compile_s:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
