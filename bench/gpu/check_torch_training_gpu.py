#!/usr/bin/env python3
"""An unchanged PyTorch training loop over ssmc.torch.Module on CUDA.

The same small Vim compiled with its gradient for cpu and for nvptx
(artifacts/gpurt/g-{cpu,nvptx}.ssmb): the first step's gradients of every
parameter on the GPU match the CPU module's (<= 1e-4 relative), then 40
torch.optim.AdamW steps on CUDA tensors fit a fixed batch (the loss must fall
below half its start).
"""
import sys

import numpy as np
import torch
import ssmc
import ssmc.torch as st

DEVICE = sys.argv[3] if len(sys.argv) > 3 else "cuda:0"
torch.manual_seed(0)
rng = np.random.default_rng(0)
weights = {s.name: (rng.standard_normal(tuple(s.shape)) * 0.1).astype(np.float32)
           for s in ssmc.load(sys.argv[1]).signature["forward"].inputs if s.name != "image"}
cpu = st.Module(sys.argv[1], weights)
gpu = st.Module(sys.argv[2], weights, device=DEVICE)
x = torch.randn(8, 3, 32, 32)
y = torch.randint(0, 10, (8,))
for m, dev in ((cpu, "cpu"), (gpu, DEVICE)):
    m.zero_grad()
    torch.nn.functional.cross_entropy(m(x.to(dev)), y.to(dev)).backward()
worst = max(float((p.grad - q.grad.cpu()).abs().max() / p.grad.abs().max().clamp_min(1e-30))
            for p, q in zip(cpu.parameters(), gpu.parameters()))
print(f"first-step gradients, GPU vs CPU module: worst rel err {worst:.2e}")
opt = torch.optim.AdamW(gpu.parameters(), lr=1e-2)
xs, ys = x.to(DEVICE), y.to(DEVICE)
losses = []
for _ in range(40):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(gpu(xs), ys)
    loss.backward()
    opt.step()
    losses.append(float(loss))
print(f"AdamW on CUDA: loss {losses[0]:.4f} -> {losses[-1]:.4f}; grads on "
      f"{next(gpu.parameters()).grad.device}")
ok = worst <= 1e-4 and losses[-1] < 0.5 * losses[0]
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
