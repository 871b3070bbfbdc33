"""The ssmc Python package: compile -> load -> run, against float64 references.

Covers the pybind11 extensions (_ssm_runtime, _ssm_compiler) through the
public API: compiling MLIR text and registered models, loading from bytes and
files, signatures and memory plans, calls with NumPy arrays, torch tensors
and DLPack objects (zero-copy checks), weights bound by name, the
torch.nn.Module wrapper, and every error path (bad IR, unknown model, wrong
input shape/dtype/count, corrupt bytes, unknown and unavailable devices).

Numerics: random inputs (never zeros) in float32, compared with the float64
PyTorch reference of ssm_testing.torch_models / reference_models:
max|out - ref| / max|ref| <= 1e-4.

Needs the runtime extension; the compiler tests skip (with the reason) where
only the runtime was built, and the model-name tests skip when the compiler
has no model builders.
"""

import gc
import os
import threading

import numpy as np
import pytest
import torch
import torch.utils.dlpack

import ssmc
from ssmc import _ext
from ssm_testing import torch_models as tm

TOL = 1e-4

if not _ext.available("_ssm_runtime"):  # pragma: no cover - depends on the build
    try:
        _ext.runtime()
    except ImportError as e:
        pytest.fail(f"the ssmc runtime extension is not built: {e}", pytrace=False)

HAS_COMPILER = _ext.available("_ssm_compiler")
needs_compiler = pytest.mark.skipif(
    not HAS_COMPILER, reason="ssmc._ssm_compiler not built (runtime-only build)")


def _models():
    if not HAS_COMPILER:
        return []
    try:
        return ssmc.models()
    except Exception:  # pragma: no cover
        return []


needs_models = pytest.mark.skipif(
    "vim-t" not in _models(),
    reason="no model builders in this build (ssmc.models() is empty or lacks 'vim-t')")

# A small graph: the full Vim selective scan (D, z gate, delta_bias, softplus),
# a reverse scan plus a flip with two named outputs, and a bf16 scan.
SCAN_IR = """
func.func @forward(%u: tensor<2x8x7xf32> {ssm.name = "u"}, %dt: tensor<2x8x7xf32> {ssm.name = "delta"},
                   %A: tensor<8x4xf32> {ssm.name = "A"}, %B: tensor<2x4x7xf32> {ssm.name = "B"},
                   %C: tensor<2x4x7xf32> {ssm.name = "C"}, %D: tensor<8xf32> {ssm.name = "D"},
                   %z: tensor<2x8x7xf32> {ssm.name = "z"}, %bias: tensor<8xf32> {ssm.name = "delta_bias"})
    -> (tensor<2x8x7xf32> {ssm.name = "y"}) {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<8xf32>) z(%z : tensor<2x8x7xf32>)
      delta_bias(%bias : tensor<8xf32>) delta_softplus
      : tensor<2x8x7xf32>, tensor<2x8x7xf32>, tensor<8x4xf32>, tensor<2x4x7xf32>, tensor<2x4x7xf32>
  return %y : tensor<2x8x7xf32>
}

func.func @scan_and_flip(%u: tensor<1x4x5xf32> {ssm.name = "u"}, %dt: tensor<1x4x5xf32> {ssm.name = "delta"},
                         %A: tensor<4x2xf32> {ssm.name = "A"}, %B: tensor<1x2x5xf32> {ssm.name = "B"})
    -> (tensor<1x4x5xf32> {ssm.name = "y"}, tensor<1x4x5xf32> {ssm.name = "u_flipped"}) {
  %y = ssm.selective_scan %u, %dt, %A, %B, %B reverse
      : tensor<1x4x5xf32>, tensor<1x4x5xf32>, tensor<4x2xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>
  %f = ssm.flip %u along 2 : tensor<1x4x5xf32>
  return %y, %f : tensor<1x4x5xf32>, tensor<1x4x5xf32>
}

func.func @scan_bf16(%u: tensor<1x4x6xbf16>, %dt: tensor<1x4x6xbf16>, %A: tensor<4x2xf32>,
                     %B: tensor<1x2x6xbf16>) -> tensor<1x4x6xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %B delta_softplus out_type(f32)
      : tensor<1x4x6xbf16>, tensor<1x4x6xbf16>, tensor<4x2xf32>, tensor<1x2x6xbf16>, tensor<1x2x6xbf16>
  return %y : tensor<1x4x6xf32>
}
"""

FORWARD_INPUTS = ["u", "delta", "A", "B", "C", "D", "z", "delta_bias"]


def rel_err(out, ref) -> float:
    out = np.asarray(out, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    return float(np.abs(out - ref).max() / np.abs(ref).max())


def forward_inputs(seed: int):
    """Random float32 inputs of @forward, realistic ranges, no zeros."""
    rng = np.random.default_rng(seed)

    def nz(shape, lo, hi):
        x = rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)
        return x.astype(np.float32)

    return {
        "u": nz((2, 8, 7), 0.1, 1.0),
        "delta": nz((2, 8, 7), 0.05, 0.5),
        "A": -rng.uniform(0.5, 2.0, (8, 4)).astype(np.float32),
        "B": nz((2, 4, 7), 0.1, 1.0),
        "C": nz((2, 4, 7), 0.1, 1.0),
        "D": nz((8,), 0.1, 1.0),
        "z": nz((2, 8, 7), 0.1, 1.0),
        "delta_bias": nz((8,), 0.05, 0.3),
    }


def forward_reference(args) -> np.ndarray:
    t = {k: torch.from_numpy(v).double() for k, v in args.items()}
    y = tm.selective_scan(t["u"], t["delta"], t["A"], t["B"], t["C"], D=t["D"], z=t["z"],
                          delta_bias=t["delta_bias"], delta_softplus=True)
    return y.numpy()


@pytest.fixture(scope="module")
def scan_bytes():
    if not HAS_COMPILER:
        pytest.skip("ssmc._ssm_compiler not built (runtime-only build)")
    return ssmc.compile(SCAN_IR)


@pytest.fixture(scope="module")
def scan_module(scan_bytes):
    return ssmc.load(scan_bytes)


# ---------------------------------------------------------------------------
# Compiling


@needs_compiler
def test_compile_returns_ssmb_bytes_and_writes_output(tmp_path):
    out = tmp_path / "scan.ssmb"
    blob = ssmc.compile(SCAN_IR, output=str(out))
    assert isinstance(blob, bytes) and len(blob) > 128
    assert out.read_bytes() == blob
    # The file loads like the bytes.
    m = ssmc.load(out)
    assert m.path == str(out)
    assert m.functions == ["forward", "scan_and_flip", "scan_bf16"]


@needs_compiler
def test_compile_phases_return_ir_text(tmp_path):
    assert ssmc.phases() == ["input", "ssm", "loops", "bufferized", "llvm", "binary", "artifact"]
    text = ssmc.compile(SCAN_IR, phase="input")
    assert isinstance(text, str) and "ssm.selective_scan" in text
    loops = ssmc.compile(SCAN_IR, phase="loops", output=str(tmp_path / "loops.mlir"))
    assert isinstance(loops, str) and "ssm.selective_scan" not in loops
    assert (tmp_path / "loops.mlir").read_text() == loops
    so = ssmc.compile(SCAN_IR, phase="binary")
    assert isinstance(so, bytes) and so[:4] == b"\x7fELF"
    result = ssmc.compile(SCAN_IR, phase="bufferized", return_result=True)
    assert result.is_text and "bufferized" in result.stats
    result = ssmc.compile(SCAN_IR, return_result=True)
    assert not result.is_text and result.data[:4] == ssmc.compile(SCAN_IR)[:4]
    assert set(result.workspace_bytes) == {"forward", "scan_and_flip", "scan_bf16"}


@needs_compiler
def test_compile_from_mlir_file(tmp_path):
    path = tmp_path / "scan.mlir"
    path.write_text(SCAN_IR)
    m = ssmc.load(ssmc.compile(str(path)))
    assert "scan_bf16" in m.functions


@needs_compiler
def test_bad_ir_raises_with_the_diagnostic():
    bad = ("func.func @f(%x: tensor<2xf32>) -> tensor<3xf32> {\n"
           "  return %x : tensor<2xf32>\n"
           "}\n")
    with pytest.raises(ssmc.CompileError) as info:
        ssmc.compile(bad)
    msg = str(info.value)
    assert "<string>:2:3: error: type of return operand 0" in msg
    assert "return %x : tensor<2xf32>" in msg  # the source line
    assert isinstance(info.value, ssmc.Error) and isinstance(info.value, RuntimeError)

    with pytest.raises(ssmc.CompileError, match=r"custom op 'ssm.not_an_op' is unknown"):
        ssmc.compile("func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
                     "  %y = ssm.not_an_op %x : tensor<2xf32>\n  return %y : tensor<2xf32>\n}")
    # A verifier error of an ssm op.
    with pytest.raises(ssmc.CompileError, match="error:"):
        ssmc.compile(SCAN_IR.replace("tensor<8x4xf32> {ssm.name", "tensor<8x3xf32> {ssm.name", 1))


@needs_compiler
def test_compile_bad_options():
    with pytest.raises(ssmc.InvalidArgumentError, match="unknown phase 'objects'"):
        ssmc.compile(SCAN_IR, phase="objects")
    with pytest.raises(ssmc.InvalidArgumentError, match="unknown target 'tpu'"):
        ssmc.compile(SCAN_IR, target="tpu")
    with pytest.raises(ssmc.InvalidArgumentError, match="model options"):
        ssmc.compile(SCAN_IR, img=32)
    with pytest.raises(FileNotFoundError):
        ssmc.compile("no/such/file.mlir")


@needs_compiler
def test_unknown_model_name():
    with pytest.raises(ssmc.InvalidArgumentError, match="unknown model 'vim-xxl'") as info:
        ssmc.compile("vim-xxl")
    assert isinstance(info.value, ValueError)
    with pytest.raises(ssmc.InvalidArgumentError, match="vim-xxl"):
        ssmc.weight_spec("vim-xxl")


@needs_compiler
def test_embedded_weights_leave_the_signature(tmp_path):
    args = forward_inputs(11)
    weights = {k: args[k] for k in ("C", "D", "delta_bias")}  # only in @forward
    blob = ssmc.compile(SCAN_IR, weights=weights)
    m = ssmc.load(blob)
    names = [s.name for s in m.signature["forward"].inputs]
    assert names == ["u", "delta", "A", "B", "z"]
    y = m(*(args[n] for n in names))
    assert rel_err(y, forward_reference(args)) <= TOL
    # The same from a .safetensors file written by the runtime.
    path = tmp_path / "w.safetensors"
    ssmc.write_safetensors(str(path), weights)
    m2 = ssmc.load(ssmc.compile(SCAN_IR, weights=str(path)))
    np.testing.assert_array_equal(m2(*(args[n] for n in names)), y)
    # A weight no input names is a compile error naming it.
    with pytest.raises(ssmc.Error, match="nonexistent"):
        ssmc.compile(SCAN_IR, weights={"nonexistent": np.ones(3, np.float32)})


# ---------------------------------------------------------------------------
# Signature, memory plan


def test_signature(scan_module):
    m = scan_module
    assert m.functions == ["forward", "scan_and_flip", "scan_bf16"]
    sig = m.signature["forward"]
    assert [s.name for s in sig.inputs] == FORWARD_INPUTS
    assert [s.shape for s in sig.inputs] == [(2, 8, 7), (2, 8, 7), (8, 4), (2, 4, 7), (2, 4, 7),
                                             (8,), (2, 8, 7), (8,)]
    assert {s.dtype for s in sig.inputs} == {"f32"}
    assert [(s.name, s.shape, s.dtype) for s in sig.outputs] == [("y", (2, 8, 7), "f32")]
    assert sig.inputs[0].numpy_dtype == np.float32 and sig.inputs[0].nbytes == 2 * 8 * 7 * 4
    assert str(sig).startswith("forward(u: 2x8x7xf32, delta: 2x8x7xf32")
    two = m.signature["scan_and_flip"]
    assert [s.name for s in two.outputs] == ["y", "u_flipped"]
    bf = m.signature["scan_bf16"]
    assert [s.dtype for s in bf.inputs] == ["bf16", "bf16", "f32", "bf16"]
    assert bf.inputs[0].numpy_dtype == np.uint16
    assert [s.name for s in bf.inputs] == ["input0", "input1", "input2", "input3"]


def test_memory_plan(scan_module):
    for fn in scan_module.functions:
        plan = scan_module.memory_plan(fn)
        assert scan_module.peak_bytes(fn) == plan.peak_bytes
        outputs = sum(s.nbytes for s in scan_module.signature[fn].outputs)
        assert plan.output_bytes == outputs
        assert plan.peak_bytes >= outputs
    assert scan_module.peak_bytes() == scan_module.peak_bytes("forward")


# ---------------------------------------------------------------------------
# Running: numpy, torch, DLPack


def test_numpy_call_matches_float64_reference(scan_module):
    args = forward_inputs(1)
    y = scan_module(*(args[n] for n in FORWARD_INPUTS))
    assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (2, 8, 7)
    assert rel_err(y, forward_reference(args)) <= TOL
    # By name, in any order, and with function= given.
    y2 = scan_module(function="forward", **{n: args[n] for n in reversed(FORWARD_INPUTS)})
    np.testing.assert_array_equal(y, y2)


def test_two_outputs_and_reverse_scan(scan_module):
    rng = np.random.default_rng(2)
    u = rng.uniform(0.2, 1.0, (1, 4, 5)).astype(np.float32)
    dt = rng.uniform(0.1, 0.5, (1, 4, 5)).astype(np.float32)
    A = -rng.uniform(0.5, 1.5, (4, 2)).astype(np.float32)
    B = rng.uniform(0.2, 1.0, (1, 2, 5)).astype(np.float32)
    y, flipped = scan_module(u, dt, A, B, function="scan_and_flip")
    t = [torch.from_numpy(a).double() for a in (u, dt, A, B)]
    # reverse scan = flip, scan, flip
    ref = tm.selective_scan(*(x.flip(-1) for x in t[:2]), t[2], t[3].flip(-1),
                            t[3].flip(-1)).flip(-1).numpy()
    assert rel_err(y, ref) <= TOL
    np.testing.assert_array_equal(flipped, u[:, :, ::-1])


def test_torch_inputs_and_torch_outputs(scan_module):
    args = forward_inputs(3)
    ref = forward_reference(args)
    tensors = [torch.from_numpy(args[n]) for n in FORWARD_INPUTS]
    y = scan_module(*tensors, return_type="torch")
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32
    assert rel_err(y.numpy(), ref) <= TOL
    # Non-contiguous and requires_grad tensors are accepted (made contiguous,
    # detached).
    u_t = torch.from_numpy(np.ascontiguousarray(args["u"].transpose(0, 2, 1))).transpose(1, 2)
    assert not u_t.is_contiguous()
    tensors[0] = u_t
    tensors[5] = tensors[5].clone().requires_grad_(True)
    y2 = scan_module(*tensors, return_type="torch")
    torch.testing.assert_close(y2, y, rtol=0, atol=0)
    # Mixed numpy / torch / lists (converted with the signature's dtype).
    mixed = [args["u"], tensors[1], args["A"].tolist()] + [args[n] for n in FORWARD_INPUTS[3:]]
    np.testing.assert_array_equal(scan_module(*mixed), y.numpy())


def test_bf16_inputs_as_uint16_bits_and_torch_bfloat16(scan_module):
    rng = np.random.default_rng(4)
    u = rng.uniform(0.2, 1.0, (1, 4, 6)).astype(np.float32)
    dt = rng.uniform(-0.5, 0.5, (1, 4, 6)).astype(np.float32) + 0.05
    A = -rng.uniform(0.5, 1.5, (4, 2)).astype(np.float32)
    B = rng.uniform(0.2, 1.0, (1, 2, 6)).astype(np.float32) * rng.choice([-1, 1], (1, 2, 6))
    bits = [np.asarray(ssmc.float32_to_bf16(x)) for x in (u, dt, B)]
    y = scan_module(bits[0], bits[1], A, bits[2], function="scan_bf16")
    assert y.dtype == np.float32
    # Reference on the bf16-rounded values, in float64.
    q = [torch.from_numpy(ssmc.bf16_to_float32(b)).double() for b in bits]
    ref = tm.selective_scan(q[0], q[1], torch.from_numpy(A).double(), q[2], q[2],
                            delta_softplus=True).numpy()
    assert rel_err(y, ref) <= TOL
    # torch.bfloat16 tensors through DLPack: the same bits, the same result.
    tb = [torch.from_numpy(x).to(torch.bfloat16) for x in (u, dt, B)]
    for t, b in zip(tb, bits):
        assert np.array_equal(t.view(torch.int16).numpy().view(np.uint16), b)
    y2 = scan_module(tb[0], tb[1], torch.from_numpy(A), tb[2], function="scan_bf16")
    np.testing.assert_array_equal(y2, y)
    # A float32 array for a bf16 input is an error that says what to pass.
    with pytest.raises(ssmc.InvalidArgumentError, match="bf16"):
        scan_module(u, bits[1], A, bits[2], function="scan_bf16")


def test_dlpack_outputs_are_zero_copy(scan_module):
    args = forward_inputs(5)
    outs = scan_module.call_dlpack(*(args[n] for n in FORWARD_INPUTS))
    assert isinstance(outs, ssmc.Tensor)
    assert outs.owns_data and outs.shape == (2, 8, 7) and outs.dtype == "f32"
    t = torch.utils.dlpack.from_dlpack(outs)
    a = outs.numpy()
    assert t.data_ptr() == outs.data_ptr == a.ctypes.data
    assert outs.data_ptr % 64 == 0  # runtime buffers are 64-byte aligned
    assert rel_err(t.numpy(), forward_reference(args)) <= TOL
    # The torch tensor keeps the runtime buffer alive after every other
    # reference is gone.
    expected = t.clone()
    del outs, a
    gc.collect()
    torch.testing.assert_close(t, expected, rtol=0, atol=0)
    # return_type="torch" also shares the buffer: writes show through numpy.
    y = scan_module(*(args[n] for n in FORWARD_INPUTS), return_type="tensor")
    yt = ssmc.to_torch(y)
    yt[0, 0, 0] = 123.0
    assert y.numpy()[0, 0, 0] == 123.0
    # NumPy's DLPack import shares it as well; copy=True exports a copy.
    if hasattr(np, "from_dlpack"):
        assert np.from_dlpack(y).ctypes.data == y.data_ptr
    copied = torch.utils.dlpack.from_dlpack(y.__dlpack__(copy=True))
    assert copied.data_ptr() != y.data_ptr and torch.equal(copied, yt)
    with pytest.raises(BufferError):
        y.__dlpack__(dl_device=(2, 0))


def test_dlpack_inputs_are_zero_copy():
    x = torch.arange(1, 13, dtype=torch.float32).reshape(3, 4)
    view = ssmc.Tensor.from_object(x)
    assert not view.owns_data
    assert view.data_ptr == x.data_ptr() and view.shape == (3, 4) and view.dtype == "f32"
    # A strided-offset view (a row slice) is still read in place.
    row = x[1]
    assert ssmc.Tensor.from_dlpack(row).data_ptr == row.data_ptr()
    # numpy arrays too, through the buffer protocol.
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    assert ssmc.Tensor.from_object(a).data_ptr == a.ctypes.data
    # Round trip torch -> ssmc.Tensor -> torch: the same memory.
    back = torch.utils.dlpack.from_dlpack(ssmc.Tensor.from_object(x))
    assert back.data_ptr() == x.data_ptr()
    back[0, 0] = -1.0
    assert x[0, 0].item() == -1.0
    # The view keeps the torch storage alive.
    y = torch.full((5,), 7.0)
    v = ssmc.Tensor.from_object(y)
    del y
    gc.collect()
    np.testing.assert_array_equal(v.numpy(), np.full(5, 7.0, np.float32))
    # Non-contiguous DLPack producers are refused (ssmc.load calls make them
    # contiguous first).
    with pytest.raises(ssmc.InvalidArgumentError, match="not contiguous"):
        ssmc.Tensor.from_dlpack(x.t())
    # Every runtime dtype crosses DLPack both ways.
    for dtype in (torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.int32,
                  torch.int64, torch.int8, torch.uint8):
        src = (torch.arange(6).reshape(2, 3) + 1).to(dtype)
        t = ssmc.Tensor.from_object(src)
        out = torch.utils.dlpack.from_dlpack(t)
        assert out.dtype == dtype and torch.equal(out, src) and out.data_ptr() == src.data_ptr()


def test_calls_from_threads(scan_module):
    args = forward_inputs(6)
    ordered = [args[n] for n in FORWARD_INPUTS]
    expected = scan_module(*ordered)
    results = [None] * 4

    def work(i):
        results[i] = scan_module(*ordered)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


# ---------------------------------------------------------------------------
# Weights bound at load time


def test_weights_bound_by_name(scan_bytes, tmp_path):
    args = forward_inputs(7)
    ref = forward_reference(args)
    params = {k: args[k] for k in ("A", "D", "delta_bias")}
    m = ssmc.load(scan_bytes, weights=params)
    assert [s.name for s in m.inputs()] == ["u", "delta", "B", "C", "z"]
    assert sorted(m.weights) == ["A", "D", "delta_bias"]
    y = m(args["u"], args["delta"], args["B"], args["C"], args["z"])
    assert rel_err(y, ref) <= TOL
    # A name shared between functions binds where the shape matches: 'A' is
    # 8x4 in @forward but 4x2 in @scan_and_flip, which keeps it as an input.
    assert [s.name for s in m.inputs("scan_and_flip")] == ["u", "delta", "A", "B"]
    m_both = ssmc.load(scan_bytes, weights={"B": np.ones((1, 2, 5), np.float32)})
    assert [s.name for s in m_both.inputs("scan_and_flip")] == ["u", "delta", "A"]
    assert "B" in [s.name for s in m_both.inputs("forward")]
    # From a .safetensors file, with torch tensors, and a bound input
    # overridden by name.
    path = tmp_path / "w.safetensors"
    ssmc.write_safetensors(str(path), params, metadata={"format": "pt"})
    m2 = ssmc.load(scan_bytes, weights=str(path))
    np.testing.assert_array_equal(m2(args["u"], args["delta"], args["B"], args["C"], args["z"]), y)
    m3 = ssmc.load(scan_bytes, weights={k: torch.from_numpy(v) for k, v in params.items()})
    np.testing.assert_array_equal(m3(args["u"], args["delta"], args["B"], args["C"], args["z"]), y)
    other_D = args["D"] * 2
    y4 = m(args["u"], args["delta"], args["B"], args["C"], args["z"], D=other_D)
    assert rel_err(y4, forward_reference(dict(args, D=other_D))) <= TOL
    # float64 weights are cast to the input's float dtype.
    m5 = ssmc.load(scan_bytes, weights={k: v.astype(np.float64) for k, v in params.items()})
    np.testing.assert_array_equal(m5(args["u"], args["delta"], args["B"], args["C"], args["z"]), y)


def test_weight_errors_list_names(scan_bytes):
    with pytest.raises(ssmc.InvalidArgumentError) as info:
        ssmc.load(scan_bytes, weights={"A": np.ones((8, 4), np.float32),
                                       "bogus.weight": np.ones(2, np.float32),
                                       "other": np.ones(1, np.float32)})
    assert "'bogus.weight'" in str(info.value) and "'other'" in str(info.value)
    assert "match no input" in str(info.value)
    with pytest.raises(ssmc.InvalidArgumentError) as info:
        ssmc.load(scan_bytes, weights={"A": np.ones((4, 8), np.float32),
                                       "D": np.ones((8,), np.int32)})
    msg = str(info.value)
    assert "'A': expected 8x4xf32, got 4x8xf32" in msg
    assert "'D': expected 8xf32, got 8xi32" in msg
    m = ssmc.load(scan_bytes, weights={"A": np.ones((8, 4), np.float32)})
    with pytest.raises(ssmc.InvalidArgumentError, match=r"missing: B, C, D, z, delta_bias"):
        m(np.ones((2, 8, 7), np.float32), np.ones((2, 8, 7), np.float32))
    with pytest.raises(ssmc.InvalidArgumentError, match="1 more bound by weights"):
        m(np.ones((2, 8, 7), np.float32))
    with pytest.raises(TypeError):
        ssmc.load(scan_bytes, weights=42)


# ---------------------------------------------------------------------------
# Input errors


def test_wrong_input_shape_dtype_count(scan_module):
    args = forward_inputs(8)
    ordered = [args[n] for n in FORWARD_INPUTS]
    bad = list(ordered)
    bad[3] = np.ones((2, 4, 6), np.float32)
    with pytest.raises(ssmc.InvalidArgumentError, match=r"'B'.*expected 2x4x7xf32, got 2x4x6xf32"):
        scan_module(*bad)
    bad = list(ordered)
    bad[0] = ordered[0].astype(np.float64)
    with pytest.raises(ssmc.InvalidArgumentError, match=r"'u'.*expected 2x8x7xf32, got 2x8x7xf64"):
        scan_module(*bad)
    bad[0] = torch.from_numpy(ordered[0]).to(torch.float16)
    with pytest.raises(ssmc.InvalidArgumentError, match=r"got 2x8x7xf16"):
        scan_module(*bad)
    with pytest.raises(ssmc.InvalidArgumentError, match=r"takes 8 positional input\(s\), got 7"):
        scan_module(*ordered[:7])
    with pytest.raises(ssmc.InvalidArgumentError, match=r"got 9"):
        scan_module(*ordered, ordered[0])
    with pytest.raises(ssmc.InvalidArgumentError, match="no input named 'x'"):
        scan_module(*ordered[:7], x=ordered[7])
    with pytest.raises(ssmc.InvalidArgumentError, match="no function 'backward'"):
        scan_module(*ordered, function="backward")
    with pytest.raises(ssmc.InvalidArgumentError, match="unsupported NumPy dtype"):
        scan_module(np.ones((2, 8, 7), np.complex64), *ordered[1:])
    with pytest.raises(ssmc.InvalidArgumentError, match="return_type"):
        scan_module(*ordered, return_type="jax")
    # Still works afterwards.
    assert rel_err(scan_module(*ordered), forward_reference(args)) <= TOL


# ---------------------------------------------------------------------------
# Loading errors, devices


def test_corrupt_ssmb_bytes(scan_bytes, tmp_path):
    with pytest.raises(ssmc.DataLossError):
        ssmc.load(scan_bytes[:100])
    with pytest.raises(ssmc.DataLossError):
        ssmc.load(scan_bytes[: len(scan_bytes) // 2])
    flipped = bytearray(scan_bytes)
    flipped[len(flipped) // 2] ^= 0xFF
    with pytest.raises(ssmc.Error):
        ssmc.load(bytes(flipped))
    with pytest.raises(ssmc.Error):
        ssmc.load(b"not an ssmb file at all" * 10)
    with pytest.raises(ssmc.NotFoundError):
        ssmc.load(str(tmp_path / "missing.ssmb"))
    # memoryview and bytearray load like bytes.
    assert ssmc.load(memoryview(scan_bytes)).functions == ssmc.load(bytearray(scan_bytes)).functions


def test_devices(scan_bytes):
    # "cuda" / "hip" are listed by runtimes built with SSM_ENABLE_CUDA / _HIP.
    devices = ssmc.available_devices()
    assert devices[0] == "cpu" and set(devices) <= {"cpu", "cuda", "hip"}
    assert ssmc.load(scan_bytes, device="cpu:0").device == "cpu"
    with pytest.raises(ssmc.InvalidArgumentError, match="unknown device 'tpu:0'"):
        ssmc.load(scan_bytes, device="tpu:0")
    for device in ("cuda:0", "hip:0", "cuda"):
        if device.split(":")[0] in devices:
            # Built in: no GPU here (unavailable), or a GPU that cannot run
            # this CPU artifact.
            with pytest.raises((ssmc.DeviceUnavailableError, ssmc.FailedPreconditionError)):
                ssmc.load(scan_bytes, device=device)
            continue
        with pytest.raises(ssmc.DeviceUnavailableError, match="not available") as info:
            ssmc.load(scan_bytes, device=device)
        assert isinstance(info.value, RuntimeError)
        assert isinstance(info.value, ssmc.UnavailableError)
    with pytest.raises(TypeError):
        ssmc.load(scan_bytes, device=0)


def test_threads_option(scan_bytes):
    args = forward_inputs(9)
    ordered = [args[n] for n in FORWARD_INPUTS]
    one = ssmc.load(scan_bytes, threads=1)
    two = ssmc.load(scan_bytes, threads=2)
    np.testing.assert_allclose(one(*ordered), two(*ordered), rtol=1e-6, atol=1e-7)
    with pytest.raises(ssmc.InvalidArgumentError):
        ssmc.load(scan_bytes, threads=-1)


# ---------------------------------------------------------------------------
# safetensors / npy through the runtime


def test_safetensors_and_npy_io(tmp_path):
    x = np.random.default_rng(10).standard_normal((3, 5)).astype(np.float32)
    bits = np.asarray(ssmc.float32_to_bf16(x))
    path = str(tmp_path / "t.safetensors")
    ssmc.write_safetensors(path, {"x": x, "x_bf16": bits}, metadata={"k": "v"})
    tensors, meta = ssmc.read_safetensors(path)
    assert meta == {"k": "v"} and list(tensors) == ["x", "x_bf16"]
    # uint16 arrays are written as BF16
    assert tensors["x_bf16"].dtype == "bf16"
    np.testing.assert_array_equal(tensors["x"].numpy(), x)
    np.testing.assert_array_equal(tensors["x_bf16"].numpy(), bits)
    with open(path, "rb") as f:
        data = bytearray(f.read())
    data[8] = ord("[")  # break the JSON header
    with pytest.raises(ssmc.DataLossError):
        ssmc._ext.runtime().parse_safetensors(bytes(data))
    npy = str(tmp_path / "x.npy")
    ssmc._ext.runtime().write_npy(npy, x)
    np.testing.assert_array_equal(np.load(npy), x)
    np.testing.assert_array_equal(ssmc._ext.runtime().read_npy(npy).numpy(), x)


# ---------------------------------------------------------------------------
# torch.nn.Module wrapper


def test_torch_module_wrapper(scan_bytes):
    import ssmc.torch as st

    args = forward_inputs(12)
    params = {k: args[k] for k in ("A", "D", "delta_bias")}
    tm_mod = st.Module(scan_bytes, weights=params)
    assert isinstance(tm_mod, torch.nn.Module)
    names = [n for n, _ in tm_mod.named_parameters()]
    assert names == ["A", "D", "delta_bias"] and tm_mod.weight_names == names
    assert all(isinstance(p, torch.nn.Parameter) and not p.requires_grad
               for p in tm_mod.parameters())
    assert [s.name for s in tm_mod.inputs()] == ["u", "delta", "B", "C", "z"]
    inputs = [torch.from_numpy(args[n]) for n in ("u", "delta", "B", "C", "z")]
    y = tm_mod(*inputs)
    assert isinstance(y, torch.Tensor) and not y.requires_grad
    assert rel_err(y.numpy(), forward_reference(args)) <= TOL
    # forward reads the current parameter values. The parameters share memory
    # with the arrays they were made from (zero-copy).
    doubled = dict(args, D=args["D"] * 2)
    with torch.no_grad():
        tm_mod.D.mul_(2)
    np.testing.assert_array_equal(params["D"], doubled["D"])
    y2 = tm_mod(*inputs)
    assert rel_err(y2.numpy(), forward_reference(doubled)) <= TOL
    # load_state_dict by the official names.
    tm_mod.load_state_dict({k: torch.from_numpy(forward_inputs(12)[k]) for k in params})
    torch.testing.assert_close(tm_mod(*inputs), y, rtol=0, atol=0)
    # Inference only: explicit errors under autograd.
    tm_mod.D.requires_grad_(True)
    with pytest.raises(RuntimeError, match="inference-only"):
        tm_mod(*inputs)
    with torch.no_grad():
        tm_mod(*inputs)
    tm_mod.D.requires_grad_(False)
    with pytest.raises(RuntimeError, match="inference-only"):
        tm_mod(inputs[0].clone().requires_grad_(True), *inputs[1:])
    with torch.inference_mode():
        tm_mod(inputs[0].clone().requires_grad_(False), *inputs[1:])
    # From an ssmc.Module with bound weights; other function; dotted names.
    m = ssmc.load(scan_bytes, weights=params)
    again = st.Module(m)
    torch.testing.assert_close(again(*inputs), y, rtol=0, atol=0)
    flip = st.Module(ssmc.load(scan_bytes, weights={"A": np.ones((4, 2), np.float32)}),
                     function="scan_and_flip")
    assert [n for n, _ in flip.named_parameters()] == ["A"]
    assert "scan_and_flip" in repr(flip)


# ---------------------------------------------------------------------------
# Registered models (need lib/Models)


@needs_models
def test_model_registry():
    names = ssmc.models()
    for expected in ("vim-t", "vmamba-t", "fastvim-t", "mambaout-femto"):
        assert expected in names
    spec = ssmc.weight_spec("vim-t", img=32, embed_dim=32, depth=2)
    assert spec[0] == ("patch_embed.proj.weight", (32, 3, 16, 16))
    assert all(isinstance(n, str) and isinstance(s, tuple) for n, s in spec)
    assert ssmc.image_shape("vim-t", img=32, batch=2) == (2, 3, 32, 32)
    pre = ssmc.preprocessing("vim-t")
    assert pre["crop"] == 224 and pre["mean"] == (0.485, 0.456, 0.406)
    cfg = ssmc.model_config("vmamba-t", dims=[32, 64, 128, 256], depths=[1, 1, 1, 1])
    assert cfg["dims"] == [32, 64, 128, 256] and cfg["family"] == "vmamba"
    with pytest.raises(ssmc.InvalidArgumentError, match="bogus_key"):
        ssmc.weight_spec("vim-t", bogus_key=3)


@needs_models
def test_vim_tiny_model_against_reference():
    from ssm_testing import reference_models as R

    opts = dict(img=32, embed_dim=32, depth=2)
    blob = ssmc.compile("vim-t", **opts)
    ref = R.build("vim-t", seed=3, **opts)
    state = ref.state_dict()
    spec = ssmc.weight_spec("vim-t", **opts)
    assert [(n, tuple(t.shape)) for n, t in state.items()] == spec or \
        sorted((n, tuple(t.shape)) for n, t in state.items()) == sorted(spec)
    m = ssmc.load(blob, weights=state)
    assert [s.name for s in m.inputs()] == ["image"]
    x = torch.randn(*ssmc.image_shape("vim-t", **opts), generator=torch.Generator().manual_seed(0))
    y = m(x)
    with torch.no_grad():
        expected = ref.double()(x.double()).numpy()
    assert y.shape == (1, 1000)
    assert rel_err(y, expected) <= TOL
    # The torch wrapper: parameters under the official names.
    import ssmc.torch as st

    wrapped = st.Module(blob, weights=state)
    assert wrapped.weight_names == [n for n, _ in spec]
    assert sorted(wrapped.state_dict()) == sorted(state)
    dotted = [n for n in wrapped.weight_names if n.count(".") >= 3][0]  # layers.0.mixer.A_log
    scope, _, leaf = dotted.rpartition(".")
    assert dict(wrapped.named_weights())[dotted] is getattr(wrapped.get_submodule(scope), leaf)
    with torch.no_grad():
        torch.testing.assert_close(wrapped(x), torch.from_numpy(y), rtol=0, atol=0)
    # Embedded weights: a self-contained module taking only the image.
    with_weights = ssmc.load(ssmc.compile("vim-t", weights={k: v.numpy() for k, v in state.items()},
                                          **opts))
    assert [s.name for s in with_weights.signature["forward"].inputs] == ["image"]
    assert rel_err(with_weights(x), expected) <= TOL
