"""Compiled model IRs (test/Models/*.mlir) against the PyTorch float64 references.

Each IR file is compiled once per session with build/bin/ssm-compile
--compile-to=binary into a temporary directory, run on random float32
arguments and compared with ssm_testing.torch_models in float64 on the same
(float32-valued) arguments: max|compiled - ref| / max|ref| <= 1e-4 for every
result. Negative controls check that the comparison notices a wrong weight.

Seeds: every test gets its own seed derived from its node id; set
SSMC_TEST_SEED=<int> to shift all of them, or SSMC_TEST_SEED=random.
"""

import os
import re
import subprocess
import sys
import time
import zlib

import numpy as np
import pytest
import torch

from ssm_testing import compiled as C
from ssm_testing import torch_models as tm

REPO = C.REPO_ROOT
MODELS_DIR = REPO / "test" / "Models"
FNS = list(tm.MLIR_FILES)
TOL = 1e-4
# Compiled code runs on the calling thread's ordinary stack.
STACK = None


def mlir_path(fn):
    return MODELS_DIR / tm.MLIR_FILES[fn]


def rel_err(a, b):
    return float(np.abs(a.astype(np.float64) - b).max() / np.abs(b).max())


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """fn name -> CompiledFunction; each IR file is compiled at most once."""
    out_dir = tmp_path_factory.mktemp("ssm_models")
    cache = {}

    def get(fn):
        if fn not in cache:
            so = C.compile_ir(mlir_path(fn), out_dir / (mlir_path(fn).stem + ".so"))
            cache[fn] = C.CompiledFunction.from_mlir(mlir_path(fn), so, fn, stack_size=STACK)
        return cache[fn]

    return get


@pytest.fixture
def seed(request):
    base = os.environ.get("SSMC_TEST_SEED", "0")
    base = time.time_ns() if base == "random" else int(base)
    s = (zlib.crc32(request.node.nodeid.encode()) ^ base) & 0xFFFFFFFF
    print(f"seed = {s}")
    return s


def make_args(fn, seed, regime="init"):
    args = tm.random_args(fn, seed, np.float32, regime=regime)
    for name, a in zip(tm.arg_names(fn), args):
        assert a.dtype == np.float32 and a.flags.c_contiguous
        assert np.isfinite(a).all() and np.any(a != 0), name
    return args


# ---------------------------------------------------------------------------
# Signatures: the torch functions take the IR's arguments in the IR's order.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fn", FNS)
def test_signature_matches_ir(fn):
    text = mlir_path(fn).read_text()
    ins, outs = C.function_signature(mlir_path(fn), fn)
    header = re.search(r"func\.func\s+@%s\s*\((.*?)\)\s*->" % fn, text, re.S).group(1)
    ir_names = re.findall(r"%(\w+)\s*:", header)
    assert ir_names == tm.arg_names(fn)
    assert [s for s, _ in ins] == [s for _, s, _ in tm.ARG_SPECS[fn]]
    assert all(d == np.float32 for _, d in ins + outs)
    # The references return the IR's results (count and shapes).
    ref = tm.run_torch(fn, tm.random_args(fn, 0), torch.float32)
    assert [r.shape for r in ref] == [s for s, _ in outs]


# ---------------------------------------------------------------------------
# Compiled vs PyTorch float64.
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("regime", tm.REGIMES)
@pytest.mark.parametrize("fn", FNS)
def test_model_matches_torch(compiled, fn, regime, seed):
    args = make_args(fn, seed, regime)
    got = compiled(fn)(*args)
    ref = tm.run_torch(fn, args, torch.float64)
    assert len(got) == len(ref)
    for i, (g, r) in enumerate(zip(got, ref)):
        assert g.shape == r.shape
        assert np.isfinite(g).all(), f"result {i}: {np.isnan(g).sum()} NaN (unwritten?)"
        assert np.abs(r).max() > 0
        err = rel_err(g, r)
        print(f"{fn} [{regime}] result {i}: rel err {err:.3e}")
        assert err <= TOL, f"{fn} [{regime}] result {i}: rel err {err:.3e} (seed {seed})"


@pytest.mark.parametrize("fn", FNS)
def test_torch_float32_matches_float64(fn, seed):
    """The float32 references (the PyTorch side of benchmarks) agree too."""
    args = make_args(fn, seed, "scan")
    r32 = tm.run_torch(fn, args, torch.float32)
    r64 = tm.run_torch(fn, args, torch.float64)
    for a, b in zip(r32, r64):
        assert a.dtype == np.float32
        assert rel_err(a, b) <= TOL


# ---------------------------------------------------------------------------
# Negative controls: the comparison must notice a wrong weight.
# ---------------------------------------------------------------------------


def _perturbed(fn, args, how):
    names = tm.arg_names(fn)
    ix = {n: i for i, n in enumerate(names)}
    args = list(args)
    if how == "W_out*1.01":
        args[ix["W_out"]] = (args[ix["W_out"]] * np.float32(1.01)).astype(np.float32)
    elif how == "wrong A":
        if "A_b_log" in ix:   # forward and backward directions swap their A
            args[ix["A_log"]], args[ix["A_b_log"]] = args[ix["A_b_log"]], args[ix["A_log"]]
        else:                 # each VMamba direction takes the next one's A rows
            E = args[ix["W_in"]].shape[0]
            args[ix["A_logs"]] = np.ascontiguousarray(np.roll(args[ix["A_logs"]], E, axis=0))
    else:
        raise ValueError(how)
    return args


@pytest.mark.parametrize("how,regime", [("W_out*1.01", "init"), ("wrong A", "scan")])
@pytest.mark.parametrize("fn", FNS)
def test_negative_control(compiled, fn, how, regime, seed):
    args = make_args(fn, seed, regime)
    got = compiled(fn)(*args)
    ref_ok = tm.run_torch(fn, args, torch.float64)
    ref_bad = tm.run_torch(fn, _perturbed(fn, args, how), torch.float64)
    errs_ok = [rel_err(g, r) for g, r in zip(got, ref_ok)]
    errs_bad = [rel_err(g, r) for g, r in zip(got, ref_bad)]
    print(f"{fn} {how}: ok {errs_ok} perturbed {errs_bad}")
    assert max(errs_ok) <= TOL
    assert max(errs_bad) > 10 * TOL, f"perturbation {how} not detected: {errs_bad}"


# ---------------------------------------------------------------------------
# The reference building blocks against their literal definitions
# (docs/semantics.md §2).
# ---------------------------------------------------------------------------


def test_cross_scan_merge_index_maps():
    g = torch.Generator().manual_seed(0)
    for H, W in [(3, 5), (4, 4), (1, 7)]:
        x = torch.randn(2, 3, H, W, dtype=torch.float64, generator=g)
        ys = torch.randn(2, 4, 3, H * W, dtype=torch.float64, generator=g)
        xs = tm.cross_scan(x)
        assert torch.equal(xs, tm.cross_scan_by_index(x))
        # same terms, different summation order
        assert torch.allclose(tm.cross_merge(ys, H, W), tm.cross_merge_by_index(ys, H, W),
                              rtol=1e-14, atol=1e-14)
        # spot-check the maps of docs/semantics.md §2.4 and adjointness
        L = H * W
        h, w = H - 1, W // 2
        v = x[1, 2, h, w]
        assert xs[1, 0, 2, h * W + w] == v and xs[1, 1, 2, w * H + h] == v
        assert xs[1, 2, 2, L - 1 - (h * W + w)] == v and xs[1, 3, 2, L - 1 - (w * H + h)] == v
        lhs = (xs * ys).sum()
        rhs = (x * tm.cross_merge(ys, H, W)).sum()
        assert torch.allclose(lhs, rhs)


def _naive_scan(u, delta, A, B, C, D, z, bias, softplus):
    """Literal docs/semantics.md §2.1, one (b, d, n) at a time, in float64 numpy."""
    b_, dc, l = u.shape
    n = A.shape[1]
    if B.ndim == 3:
        B, C = B[:, None], C[:, None]
    G = B.shape[1]
    out = np.zeros((b_, dc, l))
    for b in range(b_):
        for d in range(dc):
            g = d // (dc // G)
            h = np.zeros(n)
            for t in range(l):
                dt = delta[b, d, t] + (bias[d] if bias is not None else 0.0)
                if softplus:
                    dt = np.log1p(np.exp(dt)) if dt <= 20 else dt
                h = np.exp(dt * A[d]) * h + dt * B[b, g, :, t] * u[b, d, t]
                y = (C[b, g, :, t] * h).sum() + (D[d] * u[b, d, t] if D is not None else 0.0)
                if z is not None:
                    y = y * z[b, d, t] / (1 + np.exp(-z[b, d, t]))
                out[b, d, t] = y
    return out


@pytest.mark.parametrize("grouped", [False, True])
def test_selective_scan_matches_definition(grouped):
    rng = np.random.default_rng(1)
    b, dc, l, n, G = 2, 8, 9, 3, 4
    u = rng.standard_normal((b, dc, l))
    delta = rng.standard_normal((b, dc, l)) * 3
    delta[0, 0, 0] = 25.0    # above the softplus threshold
    A = -np.exp(rng.standard_normal((dc, n)))
    shp = (b, G, n, l) if grouped else (b, n, l)
    B, Cm = rng.standard_normal(shp), rng.standard_normal(shp)
    D, z, bias = rng.standard_normal(dc), rng.standard_normal((b, dc, l)), rng.standard_normal(dc)
    T = lambda a: torch.from_numpy(a)
    for with_opt in (False, True):
        opt = (D, z, bias) if with_opt else (None, None, None)
        ref = _naive_scan(u, delta, A, B, Cm, *opt, softplus=with_opt)
        got = tm.selective_scan(T(u), T(delta), T(A), T(B), T(Cm),
                                *[None if o is None else T(o) for o in opt],
                                delta_softplus=with_opt)
        assert got.dtype == torch.float64
        np.testing.assert_allclose(got.numpy(), ref, rtol=1e-12, atol=1e-12)


def test_causal_conv_pool_broadcast_definitions():
    rng = np.random.default_rng(2)
    b, d, l, w, cols = 2, 5, 12, 4, 3
    x, wt, bias = rng.standard_normal((b, d, l)), rng.standard_normal((d, w)), rng.standard_normal(d)
    pre = np.zeros((b, d, l))
    for t in range(l):
        for k in range(w):
            s = t - (w - 1) + k
            if s >= 0:
                pre[:, :, t] += wt[:, k] * x[:, :, s]
    pre += bias[:, None]
    ref = pre / (1 + np.exp(-pre))
    got = tm.causal_conv1d(torch.from_numpy(x), torch.from_numpy(wt), torch.from_numpy(bias))
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-12, atol=1e-12)
    p = tm.axis_pool_mean(torch.from_numpy(x), cols).numpy()
    np.testing.assert_allclose(p[1, 2, 3], x[1, 2, 9:12].mean(), rtol=1e-14)
    yb = tm.axis_broadcast(torch.from_numpy(p), cols).numpy()
    assert yb.shape == x.shape and yb[1, 2, 10] == p[1, 2, 3]


# ---------------------------------------------------------------------------
# The compiled code must also run on an ordinary 8 MiB main-thread stack.
# ---------------------------------------------------------------------------

_DEFAULT_STACK_SCRIPT = r"""
import sys, numpy as np
sys.path.insert(0, sys.argv[1])
from ssm_testing.compiled import CompiledFunction
mlir, so, name, npz = sys.argv[2:6]
d = np.load(npz)
args = [d["a%d" % i] for i in range(len(d.files))]
out = CompiledFunction.from_mlir(mlir, so, name)(*args)   # on the main thread
print("ok" if all(np.isfinite(o).all() for o in out) else "nan")
"""


def _limit_stack_8mib():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    want = 8 << 20
    if hard != resource.RLIM_INFINITY and hard < want:
        want = hard
    resource.setrlimit(resource.RLIMIT_STACK, (want, hard))


# Regression: per-lane scan scratch once piled up on the stack (9.6 MB for
# VMamba's 384 x 3136 lanes); ssm-hoist-static-allocas keeps it at one lane.
@pytest.mark.parametrize("fn", FNS)
def test_runs_on_default_stack(compiled, fn, tmp_path):
    cf = compiled(fn)
    npz = tmp_path / "args.npz"
    np.savez(npz, **{f"a{i}": a for i, a in enumerate(tm.random_args(fn, 0))})
    proc = subprocess.run(
        [sys.executable, "-c", _DEFAULT_STACK_SCRIPT, str(REPO / "python"),
         str(mlir_path(fn)), cf.so_path, fn, str(npz)],
        capture_output=True, text=True, preexec_fn=_limit_stack_8mib, timeout=120)
    assert proc.returncode == 0, f"rc {proc.returncode} (-11 = SIGSEGV)\n{proc.stderr[-2000:]}"
    assert proc.stdout.strip() == "ok"
