#!/usr/bin/env python3
"""What the layout of Vim's projections costs on the GPU, measured with
PyTorch (cuBLAS) on the lent card: each projection as the models write it
today (channel-first activations (B, E, L): a batch of B GEMMs with n = L =
197, whose rows are not 16-byte aligned) against the same with L padded to
200 and against the token-major form that folds the batch into one GEMM
(n = B x L), bf16 operands, f32 and bf16 outputs.

  bench_gemm_layouts.py [--batch 128] [--iters 50]

Prints ms per call (median of --iters, CUDA events, after warm-up) and
TFLOP/s.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_scan import cuda_median_ms  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--iters", type=int, default=50)
    a = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = "cuda"
    bf = torch.bfloat16
    B, L, D, E = a.batch, 197, 192, 384
    print(f"{torch.cuda.get_device_name()}, batch {B}, Vim-T (L={L}, D={D}, E={E})")
    cases = []
    # in_proj: (B, L, D) tokens -> x, z of width 2E.
    u = torch.randn(B, L, D, device=dev, dtype=bf)
    w_in = torch.randn(2 * E, D, device=dev, dtype=bf)
    flops = 2 * B * L * D * 2 * E
    cases.append(("in_proj channel-first out (B, 2E, L), bf16 out",
                  lambda: torch.matmul(w_in, u.transpose(1, 2)), flops))
    # The same with L padded to 200: the output's rows 16-byte aligned.
    u200 = torch.randn(B, 200, D, device=dev, dtype=bf)
    cases.append(("in_proj channel-first out, L padded to 200",
                  lambda: torch.matmul(w_in, u200.transpose(1, 2)), flops * 200 / L))
    cases.append(("in_proj token-major out (B*L, 2E), bf16 out",
                  lambda: torch.matmul(u.reshape(B * L, D), w_in.t()), flops))
    cases.append(("in_proj token-major out, f32 out (out_dtype)",
                  lambda: torch.mm(u.reshape(B * L, D), w_in.t(), out_dtype=torch.float32),
                  flops))
    # out_proj: y (B, E, L) -> (B, L, D).
    y = torch.randn(B, E, L, device=dev, dtype=bf)
    y_tm = torch.randn(B * L, E, device=dev, dtype=bf)
    w_out = torch.randn(D, E, device=dev, dtype=bf)
    flops = 2 * B * L * E * D
    cases.append(("out_proj from channel-first y (B, E, L)",
                  lambda: torch.matmul(y.transpose(1, 2), w_out.t()), flops))
    cases.append(("out_proj from token-major y (B*L, E)",
                  lambda: torch.matmul(y_tm, w_out.t()), flops))
    # x_proj: (B, E, L) -> (B, R + 2N, L) = (B, 44, L).
    w_x = torch.randn(44, E, device=dev, dtype=bf)
    flops = 2 * B * L * E * 44
    cases.append(("x_proj channel-first (B, 44, L)", lambda: torch.matmul(w_x, y), flops))
    cases.append(("x_proj token-major (B*L, 44)", lambda: torch.matmul(y_tm, w_x.t()), flops))
    for name, fn, fl in cases:
        try:
            ms = cuda_median_ms(fn, a.iters, warmup=5)
            print(f"  {name:52s} {ms * 1e3:8.1f} us  {fl / ms / 1e9:7.1f} TFLOP/s")
        except Exception as e:  # out_dtype needs a recent torch
            print(f"  {name:52s} unavailable: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
