"""ssmc.graph: custom SSM graphs built in Python, compiled and run, against
float64 references (ssm_testing.torch_models) on fresh random inputs."""

import numpy as np
import pytest
import torch

import ssmc
from ssmc.graph import Graph
from ssm_testing import torch_models as tm

pytestmark = pytest.mark.skipif(not ssmc.has_compiler(), reason="needs the compiler extension")


def _rel(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b).max() / np.abs(b).max())


@pytest.mark.parametrize("b,d,l,n,activations", [
    (1, 8, 1, 1, "f32"), (2, 12, 7, 4, "f32"), (1, 16, 33, 16, "f32"),
    # bf16 storage between kernels (ssm-narrow-activations): conv, scans and
    # flips store bf16, every kernel computes in f32.
    (2, 12, 7, 4, "bf16"), (1, 16, 33, 16, "bf16")])
def test_bidirectional_mixer(b, d, l, n, activations):
    rng = np.random.default_rng(b * 100 + l)
    f = lambda *s: rng.uniform(-1, 1, s).astype(np.float32)  # noqa: E731
    g = Graph("mixer", activation_dtype=activations)
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
    g.output(g.scale(g.add(yf, yb), 0.5), name="y")
    module = ssmc.load(ssmc.compile(g.to_mlir()))
    signature = module.signature["mixer"]
    assert [i.name for i in signature.inputs] == [
        "x", "z", "conv_w", "conv_b", "W_dt", "A_log", "B", "C", "D", "bias"]
    assert [o.name for o in signature.outputs] == ["y"]
    args = dict(x=f(b, d, l), z=f(b, d, l), conv_w=f(d, 4), conv_b=f(d), W_dt=f(d, d) * 0.3,
                A_log=f(d, n), B=f(b, n, l), C=f(b, n, l), D=f(d), bias=f(d))
    got = module(*args.values())
    t = {k: torch.from_numpy(v).double() for k, v in args.items()}
    xc_ref = tm.causal_conv1d(t["x"], t["conv_w"], t["conv_b"], activation="silu")
    dt_ref = torch.einsum("ok,bkl->bol", t["W_dt"], xc_ref)
    A_ref = -torch.exp(t["A_log"])
    yf_ref = tm.selective_scan(xc_ref, dt_ref, A_ref, t["B"], t["C"], D=t["D"], z=t["z"],
                               delta_bias=t["bias"], delta_softplus=True)
    fl = lambda v: torch.flip(v, [2])  # noqa: E731
    yb_ref = fl(tm.selective_scan(fl(xc_ref), fl(dt_ref), A_ref, fl(t["B"]), fl(t["C"]), D=t["D"],
                                  z=fl(t["z"]), delta_bias=t["bias"], delta_softplus=True))
    want = ((yf_ref + yb_ref) / 2).numpy()
    if activations == "f32":
        assert _rel(got, want) <= 1e-5
    else:
        assert "ssm.activation_type = bf16" in g.to_mlir()
        assert 0 < _rel(got, want) <= 2e-2  # the rounding shows, within bf16


def test_cross_scan_merge_and_pool():
    rng = np.random.default_rng(3)
    x_np = rng.standard_normal((2, 3, 5, 7)).astype(np.float32)
    g = Graph("f")
    x = g.input("x", x_np.shape)
    xs = g.cross_scan(x)
    g.output(g.cross_merge(g.gelu(xs), 5, 7), name="merged")
    module = ssmc.load(ssmc.compile(g.to_mlir()))
    t = torch.from_numpy(x_np).double()
    want = tm.cross_merge(torch.nn.functional.gelu(tm.cross_scan(t)), 5, 7).numpy()
    assert _rel(module(x_np), want) <= 1e-5

    g = Graph("pool")
    y = g.input("y", (2, 3, 35))
    g.output(g.axis_broadcast(g.axis_pool(y, 7, "mean", scale=0.5), 7))
    module = ssmc.load(ssmc.compile(g.to_mlir()))
    y_np = rng.standard_normal((2, 3, 35)).astype(np.float32)
    want = np.repeat(y_np.astype(np.float64).reshape(2, 3, 5, 7).mean(-1) * 0.5, 7, axis=-1)
    assert _rel(module(y_np), want) <= 1e-5


def test_builder_errors():
    g = Graph("bad")
    u = g.input("u", (1, 8, 5))
    with pytest.raises(ValueError, match="delta"):
        g.selective_scan(u, g.input("dt", (1, 8, 4)), g.input("A", (8, 2)),
                         g.input("B", (1, 2, 5)), g.input("C", (1, 2, 5)))
    with pytest.raises(ValueError, match="multiple of cols"):
        g.axis_pool(u, 3)
    with pytest.raises(ValueError, match="no outputs"):
        Graph("empty").to_mlir()
    with pytest.raises(ValueError, match="dtype"):
        g.input("x", (2,), dtype="f64")
