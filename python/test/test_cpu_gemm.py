"""CPU GEMM contractions (convert-linalg-to-cpu-gemm) against float64, through
both paths: the runtime's BLAS (SSMRT_GEMM=library; skipped where no BLAS
loads) and the compiled loops (SSMRT_GEMM=fallback). Awkward shapes (m, n or k
of 1, odd, not multiples of any register block), every contraction form the
models use (token-major and channel-first linears, batched, grouped, NHWC
tokens, a strided operand, a bias init the library accumulates onto); outputs
poisoned before each run, fresh random inputs each run."""

import os

import numpy as np
import pytest

import ssmc

pytestmark = pytest.mark.skipif(not ssmc.has_compiler(), reason="needs the compiler module")

MAP3 = "affine_map<(d0, d1, d2, d3) -> ({})>"
BODY = """  ^bb0(%p: f32, %q: f32, %o: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32"""


def t(*shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def contraction(maps, a, b, out, init, iters):
    return f"""  %y = linalg.generic {{indexing_maps = [{maps}], iterator_types = [{iters}]}}
      ins(%a, %b : {a}, {b}) outs({init} : {out}) {{
{BODY}
  }} -> {out}"""


def zero_init(out):
    return f"""  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : {out}
  %init = linalg.fill ins(%zero : f32) outs(%e : {out}) -> {out}"""


def case_token_major(m, n, k):
    """y[1, m, n] = x[1, m, k] w[n, k]^T (Vim's and MambaOut's linears)."""
    a, b, out = t(1, m, k), t(n, k), t(1, m, n)
    maps = ", ".join(MAP3.format(e) for e in ("d0, d1, d3", "d2, d3", "d0, d1, d2"))
    ir = f"""func.func @forward(%a: {a}, %b: {b}) -> {out} {{
{zero_init(out)}
{contraction(maps, a, b, out, "%init", '"parallel", "parallel", "parallel", "reduction"')}
  return %y : {out}
}}"""
    return ir, [(1, m, k), (n, k)], lambda x, w: x @ w.T


def case_channel_first_bias(m, n, k):
    """y[1, n, m] = w[n, k] x[1, m, k]^T + bias[n] (Vim's channel-first
    projections, VMamba's 1x1 convolutions): the bias is the init, the
    library adds the product to it."""
    a, b, out = t(n, k), t(1, m, k), t(1, n, m)
    maps = ", ".join(MAP3.format(e) for e in ("d1, d3", "d0, d2, d3", "d0, d1, d2"))
    ir = f"""func.func @forward(%a: {a}, %b: {b}, %bias: tensor<{n}xf32>) -> {out} {{
  %e = tensor.empty() : {out}
  %init = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2) -> (d1)>,
                                           affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                          iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%bias : tensor<{n}xf32>) outs(%e : {out}) {{
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }} -> {out}
{contraction(maps, a, b, out, "%init", '"parallel", "parallel", "parallel", "reduction"')}
  return %y : {out}
}}"""
    return ir, [(n, k), (1, m, k), (n,)], lambda w, x, bias: (w @ x[0].T + bias[:, None])[None]


def case_batched(batch, m, n, k):
    """y[b] = a[b] c[b] (batched forms)."""
    a, b, out = t(batch, m, k), t(batch, k, n), t(batch, m, n)
    maps = ", ".join(MAP3.format(e) for e in ("d0, d1, d3", "d0, d3, d2", "d0, d1, d2"))
    ir = f"""func.func @forward(%a: {a}, %b: {b}) -> {out} {{
{zero_init(out)}
{contraction(maps, a, b, out, "%init", '"parallel", "parallel", "parallel", "reduction"')}
  return %y : {out}
}}"""
    return ir, [(batch, m, k), (batch, k, n)], lambda x, y: x @ y


def case_nhwc(h, w_, n, k):
    """y[1, h, w, n] = x[1, h, w, k] w[n, k]^T (m = h * w tokens)."""
    a, b, out = t(1, h, w_, k), t(n, k), t(1, h, w_, n)
    m5 = "affine_map<(d0, d1, d2, d3, d4) -> ({})>"
    maps = ", ".join(m5.format(e) for e in ("d0, d1, d2, d4", "d3, d4", "d0, d1, d2, d3"))
    iters = '"parallel", "parallel", "parallel", "parallel", "reduction"'
    ir = f"""func.func @forward(%a: {a}, %b: {b}) -> {out} {{
{zero_init(out)}
{contraction(maps, a, b, out, "%init", iters)}
  return %y : {out}
}}"""
    return ir, [(1, h, w_, k), (n, k)], lambda x, w: x @ w.T


def case_grouped(g, m, n, k):
    """VMamba's grouped projections: y[1, g, m, n] = w[g, m, k] x[1, g, k, n]
    (a leading unit dim, then the group as the batch)."""
    a, b, out = t(g, m, k), t(1, g, k, n), t(1, g, m, n)
    m5 = "affine_map<(d0, d1, d2, d3, d4) -> ({})>"
    maps = ", ".join(m5.format(e) for e in ("d1, d2, d4", "d0, d1, d4, d3", "d0, d1, d2, d3"))
    iters = '"parallel", "parallel", "parallel", "parallel", "reduction"'
    ir = f"""func.func @forward(%a: {a}, %b: {b}) -> {out} {{
{zero_init(out)}
{contraction(maps, a, b, out, "%init", iters)}
  return %y : {out}
}}"""
    return ir, [(g, m, k), (1, g, k, n)], lambda w, x: (w @ x[0])[None]


def case_strided(m, n, k, pad):
    """A strided operand: the product reads columns [pad, pad + k) of a
    [1, m, k + 2 pad] input (a subview with an offset and a row stride)."""
    full, a, b, out = t(1, m, k + 2 * pad), t(1, m, k), t(n, k), t(1, m, n)
    maps = ", ".join(MAP3.format(e) for e in ("d0, d1, d3", "d2, d3", "d0, d1, d2"))
    ir = f"""func.func @forward(%full: {full}, %b: {b}) -> {out} {{
  %a = tensor.extract_slice %full[0, 0, {pad}] [1, {m}, {k}] [1, 1, 1] : {full} to {a}
{zero_init(out)}
{contraction(maps, a, b, out, "%init", '"parallel", "parallel", "parallel", "reduction"')}
  return %y : {out}
}}"""
    return ir, [(1, m, k + 2 * pad), (n, k)], lambda x, w: x[:, :, pad:pad + k] @ w.T


CASES = {
    "token_1x1x1": case_token_major(1, 1, 1),
    "token_1x7x5": case_token_major(1, 7, 5),
    "token_9x1x13": case_token_major(9, 1, 13),
    "token_17x33x1": case_token_major(17, 33, 1),
    "token_37x29x67": case_token_major(37, 29, 67),
    "channel_first_bias_1x5x3": case_channel_first_bias(1, 5, 3),
    "channel_first_bias_31x47x19": case_channel_first_bias(31, 47, 19),
    "batched_3x1x9x7": case_batched(3, 1, 9, 7),
    "batched_2x13x5x1": case_batched(2, 13, 5, 1),
    "nhwc_3x5x11x7": case_nhwc(3, 5, 11, 7),
    "grouped_4x3x19x7": case_grouped(4, 3, 19, 7),
    "grouped_2x1x5x1": case_grouped(2, 1, 5, 1),
    "strided_23x17x9": case_strided(23, 17, 9, 2),
}


def load(blob, mode):
    old = os.environ.get("SSMRT_GEMM")
    os.environ["SSMRT_GEMM"] = mode  # read when a module loads
    try:
        return ssmc.load(blob)
    finally:
        if old is None:
            del os.environ["SSMRT_GEMM"]
        else:
            os.environ["SSMRT_GEMM"] = old


@pytest.fixture(scope="module")
def blas_available():
    blob = ssmc.compile(CASES["token_1x1x1"][0])
    try:
        load(blob, "library")
        return True
    except ssmc.UnavailableError:
        return False


@pytest.mark.parametrize("mode", ["library", "fallback"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_gemm_against_float64(name, mode, blas_available):
    if mode == "library" and not blas_available:
        pytest.skip("no BLAS loads here (libopenblas.so.0 / libblis.so.4)")
    ir, shapes, reference = CASES[name]
    module = load(ssmc.compile(ir), mode)
    rng = np.random.default_rng(abs(hash((name, mode))) % 2**32)
    for _ in range(2):  # fresh inputs each run
        inputs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        want = reference(*[x.astype(np.float64) for x in inputs])
        got = np.full(want.shape, np.nan, np.float32)
        module.invoke_with_buffers("forward", inputs, [got], poison=True)
        scale = max(np.abs(want).max(), 1.0)
        assert np.isfinite(got).all()
        assert np.abs(got - want).max() <= 1e-5 * scale, name


def test_no_blas_falls_back_or_fails_as_asked(tmp_path):
    """With no BLAS to load (SSMRT_BLAS names a missing file; read once per
    process, so in a child): auto runs the compiled loops, library fails at
    load, and a bad SSMRT_GEMM is an error."""
    import subprocess
    import sys
    ir, shapes, _ = CASES["token_37x29x67"]
    (tmp_path / "gemm.ssmb").write_bytes(ssmc.compile(ir))
    child = f"""
import os, sys
import numpy as np
sys.path[:0] = {sys.path!r}
import ssmc
blob = open({str(tmp_path / "gemm.ssmb")!r}, "rb").read()
rng = np.random.default_rng(0)
x = rng.standard_normal({shapes[0]!r}).astype(np.float32)
w = rng.standard_normal({shapes[1]!r}).astype(np.float32)
os.environ["SSMRT_GEMM"] = "auto"
got = ssmc.load(blob)(x, w)
want = x.astype(np.float64) @ w.astype(np.float64).T
assert np.abs(got - want).max() <= 1e-5 * np.abs(want).max()
os.environ["SSMRT_GEMM"] = "library"
try:
    ssmc.load(blob)
    sys.exit("library mode loaded without a BLAS")
except ssmc.UnavailableError as e:
    assert "SSMRT_GEMM=library" in str(e) and "no-such-blas.so" in str(e), e
os.environ["SSMRT_GEMM"] = "sometimes"
try:
    ssmc.load(blob)
    sys.exit("a bad SSMRT_GEMM was accepted")
except ssmc.InvalidArgumentError as e:
    assert "expected auto, library or fallback" in str(e), e
print("ok")
"""
    env = dict(os.environ, SSMRT_BLAS="/nonexistent/no-such-blas.so")
    out = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr


@pytest.mark.parametrize("mode", ["library", "fallback"])
def test_contractions_sharing_a_zero_init(mode, blas_available):
    """Two linears on one zero init tensor (one filled buffer, copied into
    the first output; the second accumulates into it in place)."""
    if mode == "library" and not blas_available:
        pytest.skip("no BLAS loads here")
    x, w, out = t(1, 13, 7), t(11, 7), t(1, 13, 11)
    maps = ", ".join(MAP3.format(e) for e in ("d0, d1, d3", "d2, d3", "d0, d1, d2"))
    iters = '"parallel", "parallel", "parallel", "reduction"'
    first = contraction(maps, x, w, out, "%init", iters)
    second = contraction(maps, x, w, out, "%init", iters).replace("%y", "%y2").replace(
        "ins(%a, %b", "ins(%a, %c")
    ir = f"""func.func @forward(%a: {x}, %b: {w}, %c: {w}) -> ({out}, {out}) {{
{zero_init(out)}
{first}
{second}
  return %y, %y2 : {out}, {out}
}}"""
    module = load(ssmc.compile(ir), mode)
    rng = np.random.default_rng(5)
    for _ in range(2):
        a, b, c = (rng.standard_normal(s).astype(np.float32) for s in ((1, 13, 7), (11, 7), (11, 7)))
        got = [np.full((1, 13, 11), np.nan, np.float32) for _ in range(2)]
        module.invoke_with_buffers("forward", [a, b, c], got, poison=True)
        for g, ww in zip(got, (b, c)):
            want = a.astype(np.float64) @ ww.astype(np.float64).T
            assert np.abs(g - want).max() <= 1e-5 * max(np.abs(want).max(), 1.0)


def bf16_gemm_module(m, n, k, bias):
    """Two entries over the same bf16 GEMM y[1, m, n] = x[1, m, k] w[n, k]^T
    (+ bias[n], a bf16 vector widened by the init): `f32` returns the f32
    result, `rounded` the result rounded to bf16 by its sole reader, the
    form ssm-narrow-activations gives a bf16 model's GEMM (the GPU GEMM
    folds that rounding into its epilogue)."""
    x, w, out = f"tensor<1x{m}x{k}xbf16>", f"tensor<{n}x{k}xbf16>", t(1, m, n)
    maps = ", ".join(MAP3.format(e) for e in ("d0, d1, d3", "d2, d3", "d0, d1, d2"))
    args = f"%a: {x}, %b: {w}" + (f", %bias: tensor<{n}xbf16>" if bias else "")
    if bias:
        init = f"""  %e = tensor.empty() : {out}
  %init = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>,
                                           affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                          iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%bias : tensor<{n}xbf16>) outs(%e : {out}) {{
  ^bb0(%v: bf16, %o: f32):
    %v32 = arith.extf %v : bf16 to f32
    linalg.yield %v32 : f32
  }} -> {out}"""
    else:
        init = zero_init(out)
    gemm = f"""  %y = linalg.generic {{indexing_maps = [{maps}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}}
      ins(%a, %b : {x}, {w}) outs(%init : {out}) {{
  ^bb0(%p: bf16, %q: bf16, %o: f32):
    %p32 = arith.extf %p : bf16 to f32
    %q32 = arith.extf %q : bf16 to f32
    %0 = arith.mulf %p32, %q32 : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }} -> {out}"""
    out16 = f"tensor<1x{m}x{n}xbf16>"
    return f"""func.func @f32({args}) -> {out} {{
{init}
{gemm}
  return %y : {out}
}}
func.func @rounded({args}) -> {out16} {{
{init}
{gemm}
  %e16 = tensor.empty() : {out16}
  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                        affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%y : {out}) outs(%e16 : {out16}) {{
  ^bb0(%v: f32, %o: bf16):
    %v16 = arith.truncf %v : f32 to bf16
    linalg.yield %v16 : bf16
  }} -> {out16}
  return %r : {out16}
}}"""


@pytest.mark.parametrize("bias", [False, True], ids=["zero", "bias"])
@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (37, 29, 67), (5, 130, 3), (65, 63, 17),
                                   (1, 257, 96)])
def test_bf16_gemm_is_the_rounded_f32_gemm(m, n, k, bias):
    """A bf16 GEMM's 16-bit result is round_to_bf16(its f32 result), element
    for element (batch 1; m, n, k not multiples of any tile), on the CPU:
    f32 accumulation from the f32 init (the bias included), one rounding to
    nearest even at the store. The f32 result itself is the float64 GEMM of
    the bf16 inputs within f32 accumulation error."""
    module = ssmc.load(ssmc.compile(bf16_gemm_module(m, n, k, bias)))
    rng = np.random.default_rng(m * 10007 + n * 101 + k + int(bias))
    shapes = [(1, m, k), (n, k)] + ([(n,)] if bias else [])
    inputs = [np.asarray(ssmc.float32_to_bf16(rng.standard_normal(s).astype(np.float32) * 3))
              for s in shapes]
    full = np.full((1, m, n), np.nan, np.float32)
    module.invoke_with_buffers("f32", inputs, [full], poison=True)
    rounded = np.full((1, m, n), 0xFFFF, np.uint16)
    module.invoke_with_buffers("rounded", inputs, [rounded], poison=True)
    want = np.asarray(ssmc.float32_to_bf16(full))
    assert np.isfinite(full).all()
    np.testing.assert_array_equal(rounded, want)
    # The rounding shows (the test could tell a missing one from a right one).
    assert (ssmc.bf16_to_float32(rounded) != full).any()
    x, w = (ssmc.bf16_to_float32(a).astype(np.float64) for a in inputs[:2])
    ref = x @ w.T
    if bias:
        ref = ref + ssmc.bf16_to_float32(inputs[2]).astype(np.float64)
    assert np.abs(full - ref).max() <= 1e-5 * max(np.abs(ref).max(), 1.0)
