#!/usr/bin/env python3
"""The compiled train step on the CPU and on the GPU, each against a float64
PyTorch step of the reference implementation.

check_train_step_gpu.py compares the GPU step with the CPU step directly;
where the two differ by more than 1e-5 this tells which one is off: both
run three steps from the same initial weights (reference_models.build with
seed 3), zero moments, random images and soft targets, next to the
reference model in float64 trained by torch.optim.AdamW with the same
no-decay groups, global-norm clipping and no label smoothing (the options
the artifacts are compiled with: `--train --train-option=max_grad_norm=1.0`).
For each step it prints, per module, the worst parameter and the worst
moment (max |got - want| / max |want| per tensor), the same for PyTorch's
own float32 step (TF32 off: the yardstick of what float32 can reach), and
the same between the two modules.

  check_train_step_f64.py VARIANT CPU.ssmb NVPTX.ssmb [--max-norm 1.0]
      [--steps 3] [--model-option key=value ...]
"""
import argparse
import copy
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "python"))
import ssmc  # noqa: E402
from ssmc import reference_models as rm  # noqa: E402
from ssmc.train import no_weight_decay  # noqa: E402

WD = 0.05


def rel(got, want):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    scale = np.abs(want).max()
    return float(np.abs(got - want).max() / scale) if scale else float(np.abs(got).max())


def worst(got, want, moments):
    errs = {n: rel(got[n], want[n]) for n in want if n.startswith("optimizer.") == moments}
    name = max(errs, key=errs.get)
    return f"{errs[name]:.2e} ({name})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("variant")
    ap.add_argument("cpu")
    ap.add_argument("gpu")
    ap.add_argument("--max-norm", type=float, default=1.0)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--model-option", action="append", default=[],
                    help="key=value the artifacts were compiled with (ints, or "
                         "comma-separated ints), passed to reference_models.build")
    args = ap.parse_args()

    # Without a GPU (a dry run of this script) both sides run on the CPU.
    gpu_device = "cuda:0" if torch.cuda.is_available() else "cpu"
    steps = {"cpu": ssmc.TrainStep(args.cpu), "gpu": ssmc.TrainStep(args.gpu, device=gpu_device)}
    shape = steps["cpu"]._targets_spec.shape
    batch, classes = int(shape[0]), int(shape[1])
    img = int(steps["cpu"]._data_specs[0].shape[-1])
    overrides = {}
    for item in args.model_option:
        key, value = item.split("=", 1)
        ints = [int(v) for v in value.split(",")]
        overrides[key] = ints if "," in value else ints[0]
    ref = rm.build(args.variant, img=img, classes=classes, seed=3, **overrides)
    init = {k: v.detach().float().numpy().copy() for k, v in ref.state_dict().items()}
    for s in steps.values():
        s.load_weights(init)

    dev = gpu_device
    # PyTorch in float32 too (TF32 off): how far an f32 implementation of the
    # same step lands from float64 is the yardstick for ours.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    refs = {key: TorchStep(ref, dtype, dev, args.max_norm)
            for key, dtype in (("f64", torch.float64), ("torch-f32", torch.float32))}

    g = torch.Generator().manual_seed(11)
    for k, lr in enumerate([1e-3, 3e-3, 2e-3][:args.steps]):
        x = torch.randn(batch, 3, img, img, generator=g)
        t = torch.softmax(2 * torch.randn(batch, classes, generator=g), dim=1)
        losses = {key: s.step(x.numpy(), t.numpy(), lr) for key, s in steps.items()}
        for key, r in refs.items():
            losses[key] = r.step(x, t, lr)
        got = {key: s.state_dict() for key, s in steps.items()}
        got["torch-f32"] = refs["torch-f32"].state()
        want = refs["f64"].state()
        print(f"step {k + 1}: loss " + ", ".join(f"{key} {v:.7f}" for key, v in losses.items()))
        for key in ("cpu", "gpu", "torch-f32"):
            print(f"  {key} vs f64: params {worst(got[key], want, False)}, "
                  f"moments {worst(got[key], want, True)}")
        print(f"  gpu vs cpu: params {worst(got['gpu'], got['cpu'], False)}, "
              f"moments {worst(got['gpu'], got['cpu'], True)}", flush=True)


class TorchStep:
    """The reference model trained by torch.optim.AdamW in `dtype`."""

    def __init__(self, ref, dtype, dev, max_norm):
        self.model = copy.deepcopy(ref).to(device=dev, dtype=dtype).train()
        self.dev, self.dtype, self.max_norm = dev, dtype, max_norm
        self.named = list(self.model.named_parameters())
        self.opt = torch.optim.AdamW(
            [{"params": [p for n, p in self.named if not no_weight_decay(n, tuple(p.shape))],
              "weight_decay": WD},
             {"params": [p for n, p in self.named if no_weight_decay(n, tuple(p.shape))],
              "weight_decay": 0.0}], lr=1e-3)

    def step(self, x, t, lr):
        for group in self.opt.param_groups:
            group["lr"] = lr
        self.opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.model(x.to(self.dev, self.dtype)),
                                                 t.to(self.dev, self.dtype))
        loss.backward()
        if self.max_norm:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_norm)
        self.opt.step()
        return loss.item()

    def state(self):
        out = {}
        for n, p in self.named:
            out[n] = p.detach().cpu().numpy()
            st = self.opt.state[p]
            out["optimizer.exp_avg." + n] = st["exp_avg"].cpu().numpy()
            out["optimizer.exp_avg_sq." + n] = st["exp_avg_sq"].cpu().numpy()
        return out


if __name__ == "__main__":
    main()
