#!/usr/bin/env python3
"""The compiled train step on the GPU against the same step on the CPU.

Runs `train_step` of the same small model compiled for cpu and for nvptx
(artifacts/gpurt/test/train-step-{cpu,nvptx}.ssmb of
make_runtime_gpu_artifacts.sh, `ssm-compile --train`) on the same
random parameters, zero moments, images and one-hot targets, three steps in a
row feeding each step's outputs back, and compares the loss and every updated
tensor (max |gpu - cpu| / max |cpu| <= 1e-5). The CPU step itself matches
torch.optim.AdamW (python/test/test_train_step.py), so this checks the GPU
step against PyTorch's too.
"""
import sys

import numpy as np
import ssmc

cpu = ssmc.load(sys.argv[1])
gpu = ssmc.load(sys.argv[2], device="cuda:0")
sig = cpu.signature["train_step"]
rng = np.random.default_rng(0)
inputs = []
for spec in sig.inputs:
    shape = tuple(spec.shape)
    if spec.name.startswith("optimizer."):
        inputs.append(np.zeros(shape, np.float32))
    elif spec.name == "targets":
        t = np.zeros(shape, np.float32)
        t[np.arange(shape[0]), rng.integers(0, shape[1], shape[0])] = 1
        inputs.append(t)
    elif spec.name in ("lr", "step"):
        inputs.append(np.full(shape, 1e-3 if spec.name == "lr" else 1, np.float32))
    else:
        inputs.append((rng.standard_normal(shape) * 0.1).astype(np.float32))
names = [s.name for s in sig.inputs]


def host(x):
    """A runtime result (on the CPU or the GPU) as a NumPy array."""
    return x if isinstance(x, np.ndarray) else ssmc.to_torch(x).cpu().numpy()


worst = 0.0
for step in range(1, 4):
    inputs[names.index("step")] = np.full((1,), step, np.float32)
    a = [host(x) for x in cpu.invoke("train_step", inputs)]
    b = [host(x) for x in gpu.invoke("train_step", inputs)]
    errs = [float(np.abs(x - y).max() / max(np.abs(x).max(), 1e-30)) for x, y in zip(a, b)]
    worst = max(worst, max(errs))
    print(f"step {step}: loss cpu {float(a[0][0]):.6f} gpu {float(b[0][0]):.6f}, "
          f"{len(errs)} outputs, worst rel err {max(errs):.2e}")
    # Feed the updated parameters and moments back in (outputs after the loss
    # are in the order of the state inputs).
    state = [i for i, n in enumerate(names)
             if n not in ("image", "targets", "lr", "step", "seed")]
    for i, out in zip(state, a[1:]):
        inputs[i] = out
print("PASS" if worst <= 1e-5 else "FAIL", f"worst {worst:.2e}")
sys.exit(0 if worst <= 1e-5 else 1)
