"""A custom graph written with ssmc.graph gets its gradient from ssm-autodiff.

The bidirectional Mamba mixer of test_graph.py (causal conv, a channel-first
linear, -exp(A_log), two selective scans through flips, average), its
``mixer_grad`` added by ``ssm-opt --ssm-autodiff``, compiled for the CPU and
run through the runtime's C API, against float64 PyTorch autograd of the
ssm_testing.torch_models references, on fresh random inputs at awkward
shapes: max|got - want| / max|want| <= 1e-5 for every input's gradient.
"""

import subprocess

import numpy as np
import pytest
import torch

from ssm_testing import torch_models as tm
from ssm_testing.compiled import REPO_ROOT
from ssmc.graph import Graph

SSM_COMPILE = REPO_ROOT / "build" / "bin" / "ssm-compile"
SSM_OPT = REPO_ROOT / "build" / "bin" / "ssm-opt"


def _rel(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b).max() / np.abs(b).max())


@pytest.fixture(scope="module")
def runtime():
    from ssm_testing.runtime_c import Runtime
    return Runtime(num_threads=2)


@pytest.mark.parametrize("b,d,l,n", [(1, 8, 1, 1), (2, 6, 7, 4)])
def test_mixer_gradient(runtime, tmp_path, b, d, l, n):
    rng = np.random.default_rng(b * 100 + l)
    f = lambda *s: rng.uniform(-1, 1, s).astype(np.float32)  # noqa: E731
    g = Graph("mixer")
    x, z = g.input("x", (b, d, l)), g.input("z", (b, d, l))
    w = g.input("conv_w", (d, 4))
    cb = g.input("conv_b", (d,))
    W_dt = g.input("W_dt", (d, d))
    A_log = g.input("A_log", (d, n))
    B, C = g.input("B", (b, n, l)), g.input("C", (b, n, l))
    D, bias = g.input("D", (d,)), g.input("bias", (d,))
    xc = g.causal_conv1d(x, w, cb)
    dt = g.linear_cf(W_dt, xc)
    A = g.neg_exp(A_log)
    yf = g.selective_scan(xc, dt, A, B, C, D=D, z=z, delta_bias=bias, delta_softplus=True)
    yb = g.flip(g.selective_scan(g.flip(xc, 2), g.flip(dt, 2), A, g.flip(B, 2), g.flip(C, 2),
                                 D=D, z=g.flip(z, 2), delta_bias=bias, delta_softplus=True), 2)
    g.output(g.gelu(g.scale(g.add(yf, yb), 0.5)), name="y")

    forward = tmp_path / "mixer.mlir"
    forward.write_text(g.to_mlir())
    grad = tmp_path / "mixer_grad.mlir"
    out = tmp_path / "mixer.ssmb"
    for cmd in ([SSM_OPT, forward, "--ssm-autodiff", "-o", grad],
                [SSM_COMPILE, grad, "--target=cpu", "-o", out]):
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    module = runtime.load(out)

    args = dict(x=f(b, d, l), z=f(b, d, l), conv_w=f(d, 4), conv_b=f(d), W_dt=f(d, d) * 0.3,
                A_log=f(d, n), B=f(b, n, l), C=f(b, n, l), D=f(d), bias=f(d))
    dy = f(b, d, l)
    got = module("mixer_grad", list(args.values()) + [dy])

    t = {k: torch.from_numpy(v).double().requires_grad_(True) for k, v in args.items()}
    xc_ref = tm.causal_conv1d(t["x"], t["conv_w"], t["conv_b"], activation="silu")
    dt_ref = torch.einsum("ok,bkl->bol", t["W_dt"], xc_ref)
    A_ref = -torch.exp(t["A_log"])
    yf_ref = tm.selective_scan(xc_ref, dt_ref, A_ref, t["B"], t["C"], D=t["D"], z=t["z"],
                               delta_bias=t["bias"], delta_softplus=True)
    fl = lambda v: torch.flip(v, [2])  # noqa: E731
    yb_ref = fl(tm.selective_scan(fl(xc_ref), fl(dt_ref), A_ref, fl(t["B"]), fl(t["C"]), D=t["D"],
                                  z=fl(t["z"]), delta_bias=t["bias"], delta_softplus=True))
    y_ref = torch.nn.functional.gelu((yf_ref + yb_ref) / 2)
    (y_ref * torch.from_numpy(dy).double()).sum().backward()

    assert len(got) == 1 + len(args)
    assert _rel(got[0], y_ref.detach().numpy()) <= 1e-5
    for (name, v), g_got in zip(t.items(), got[1:]):
        want = v.grad.numpy()
        if not np.abs(want).any():
            # One step (l = 1): the state starts at 0, A has no gradient.
            assert not np.abs(g_got).any(), name
            continue
        assert _rel(g_got, want) <= 1e-5, name
