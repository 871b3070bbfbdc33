"""The Python package on a GPU: ``ssmc.load(..., device="cuda:0")`` and
``ssmc.torch.Module(...).cuda()`` with CUDA torch tensors in and out through
DLPack (``Module.invoke_with_buffers``: no host round trip), CUDA graphs on
and off, and the buffer API's errors (wrong device, dtype, shape,
non-contiguous, overlapping). ``invoke_with_buffers`` on the CPU runs
wherever the compiler module is built.

The GPU cases need torch with CUDA, a runtime module built with
SSM_ENABLE_CUDA and nvptx artifacts in $SSMC_TEST_GPU_ARTIFACTS
(bench/gpu/make_runtime_gpu_artifacts.sh); bench/gpu/run_runtime_gpu_tests.sh
runs them on the GPU machine. Elsewhere they skip, saying why.
"""

import os

import numpy as np
import pytest

import ssmc

SCAN_SHAPES = [(2, 64, 197), (2, 64, 197), (64, 16), (2, 16, 197), (2, 16, 197), (64,),
               (2, 64, 197), (64,)]


def _torch_cuda():
    """torch, or a skip saying why there is no CUDA device for these tests."""
    try:
        import torch
    except ImportError:
        pytest.skip("no CUDA device: torch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device: torch.cuda.is_available() is False")
    try:
        devices = ssmc.available_devices()
    except ImportError as e:
        pytest.skip(f"no runtime module: {e}")
    if "cuda" not in devices:
        pytest.skip("no CUDA device for ssmc: the runtime module was built without "
                    "SSM_ENABLE_CUDA")
    return torch


@pytest.fixture(scope="module")
def scan_path():
    _torch_cuda()
    folder = os.environ.get("SSMC_TEST_GPU_ARTIFACTS", "")
    path = os.path.join(folder, "scan.ssmb")
    if not folder or not os.path.isfile(path):
        pytest.skip("no nvptx artifacts: set SSMC_TEST_GPU_ARTIFACTS to the test/ folder of "
                    "bench/gpu/make_runtime_gpu_artifacts.sh")
    return path


def _scan_inputs(torch, seed, device="cuda:0"):
    g = torch.Generator().manual_seed(seed)
    xs = [torch.rand(shape, generator=g) - 0.5 for shape in SCAN_SHAPES]
    xs[2] = -torch.rand(SCAN_SHAPES[2], generator=g)  # A < 0: a decaying scan
    return [x.to(device) for x in xs]


def test_load_on_cuda_and_call_with_device_tensors(scan_path):
    torch = _torch_cuda()
    m = ssmc.load(scan_path, device="cuda:0")
    assert m.device == "cuda:0" and m.on_gpu
    for seed in range(4):  # new inputs every call: replays must see them
        xs = _scan_inputs(torch, seed)
        got = m(*xs, return_type="torch")
        assert all(t.device.type == "cuda" for t in got)
        # The host path of the same module (upload, run, download).
        want = m(*[x.cpu().numpy() for x in xs])
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g.cpu().numpy(), w)
    stats = m.execution_stats()
    assert stats["capture_failures"] == 0, stats["last_capture_failure"]
    assert stats["graph_captures"] >= 1 and stats["graph_replays"] >= 1, stats


def test_graphs_on_and_off_give_the_same_bytes(scan_path):
    torch = _torch_cuda()
    m = ssmc.load(scan_path, device="cuda:0")
    xs = _scan_inputs(torch, 7)
    sig = m.signature["forward"]
    outs = {}
    for graphs in (False, True):
        runs = []
        # The same output buffers every run: the graph's key.
        ys = [torch.empty(tuple(s.shape), device="cuda:0") for s in sig.outputs]
        for _ in range(4):
            m.invoke_with_buffers("forward", xs, ys, poison=True, graphs=graphs)
            runs.append([y.cpu() for y in ys])
        for r in runs[1:]:
            for a, b in zip(runs[0], r):
                assert torch.equal(a, b)
        outs[graphs] = runs[0]
    for a, b in zip(outs[False], outs[True]):
        assert torch.equal(a, b)
    stats = m.execution_stats()
    assert stats["graph_replays"] >= 2, stats


def test_device_buffer_errors(scan_path):
    torch = _torch_cuda()
    m = ssmc.load(scan_path, device="cuda:0")
    xs = _scan_inputs(torch, 1)
    ys = [torch.empty(s, device="cuda:0") for s in [(2, 64, 197), (2, 64, 197)]]
    with pytest.raises(ssmc.InvalidArgumentError, match=r"input #0 of 'forward': the tensor is "
                       r"on cpu:0 .* but the module runs on cuda:0"):
        m.invoke_with_buffers("forward", [xs[0].cpu()] + xs[1:], ys)
    with pytest.raises(ssmc.InvalidArgumentError,
                       match=r"input 0 \('input0'\): expected element type f32, got f64"):
        m.invoke_with_buffers("forward", [xs[0].double()] + xs[1:], ys)
    with pytest.raises(ssmc.InvalidArgumentError,
                       match=r"output 1 \('output1'\): dimension 2 is 196, expected 197"):
        m.invoke_with_buffers("forward", xs, [ys[0], ys[1][:, :, :196].contiguous()])
    with pytest.raises(ssmc.InvalidArgumentError, match=r"input #3 of 'forward': .*not "
                       r"contiguous \(C order\): pass tensor.contiguous\(\)"):
        b = xs[3].transpose(1, 2).contiguous().transpose(1, 2)
        m.invoke_with_buffers("forward", xs[:3] + [b] + xs[4:], ys)
    with pytest.raises(ssmc.InvalidArgumentError, match=r"output 0 overlaps input 0"):
        m.invoke_with_buffers("forward", xs, [xs[0], ys[1]])
    with pytest.raises(ssmc.InvalidArgumentError, match=r"lives in host memory"):
        m.invoke_with_buffers("forward", [x.cpu().numpy() for x in xs], ys)
    if torch.cuda.device_count() > 1:
        with pytest.raises(ssmc.InvalidArgumentError, match=r"is on cuda:1"):
            m.invoke_with_buffers("forward", [xs[0].to("cuda:1")] + xs[1:], ys)
    # The high-level call: a CUDA tensor of the wrong dtype is named.
    with pytest.raises(ssmc.InvalidArgumentError, match=r"input 'input1' of 'forward': expected "
                       r"dtype torch.float32"):
        m(xs[0], xs[1].half(), *xs[2:], return_type="torch")


def test_cuda_tensor_on_a_cpu_module_is_refused(scan_path):
    torch = _torch_cuda()
    if not ssmc.has_compiler():
        pytest.skip("needs the compiler module for a CPU artifact")
    blob = ssmc.compile(open(os.path.join(os.path.dirname(__file__), "..", "..", "bench", "gpu",
                                          "runtime_gpu_scan.mlir")).read())
    m = ssmc.load(blob)
    xs = _scan_inputs(torch, 2)
    with pytest.raises(ssmc.InvalidArgumentError, match=r"runs on 'cpu': load it with ssmc.load"):
        m(*xs)


def test_torch_module_cuda(scan_path):
    torch = _torch_cuda()
    xs = _scan_inputs(torch, 3, device="cpu")
    weights = {"input2": xs[2].numpy(), "input5": xs[5].numpy(), "input7": xs[7].numpy()}
    net = ssmc.torch.Module(scan_path, weights=weights, device="cuda:0")
    assert net.device == "cuda:0"
    net = net.cuda()
    assert all(p.device.type == "cuda" for p in net.parameters())
    free = [x.cuda() for i, x in enumerate(xs) if i not in (2, 5, 7)]
    with torch.no_grad():
        got = net(*free)
    assert all(t.device.type == "cuda" for t in got)
    want = ssmc.load(scan_path, device="cuda:0")(*[x.numpy() for x in xs])
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.cpu().numpy(), w)
    # A changed parameter is seen by the next call.
    with torch.no_grad():
        net.input5.add_(1.0)
        again = net(*free)
    assert not torch.equal(again[1], got[1])


def test_invoke_with_buffers_on_the_cpu():
    if not ssmc.has_compiler():
        pytest.skip("needs the compiler module (a CPU artifact is compiled here)")
    ir = """
    func.func @forward(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
      %s = arith.addf %a, %b : tensor<4xf32>
      %p = arith.mulf %a, %b : tensor<4xf32>
      return %s, %p : tensor<4xf32>, tensor<4xf32>
    }"""
    m = ssmc.load(ssmc.compile(ir))
    a = np.arange(4, dtype=np.float32)
    b = np.full(4, 2.0, dtype=np.float32)
    s, p = np.zeros(4, np.float32), np.zeros(4, np.float32)
    m.invoke_with_buffers("forward", [a, b], [s, p])
    np.testing.assert_array_equal(s, a + b)
    np.testing.assert_array_equal(p, a * b)
    with pytest.raises(ssmc.InvalidArgumentError, match=r"output 1 \('output1'\): expected "
                       r"element type f32, got f64"):
        m.invoke_with_buffers("forward", [a, b], [s, np.zeros(4)])
    with pytest.raises(ssmc.InvalidArgumentError, match=r"output #0 of 'forward': the array is "
                       r"read-only"):
        ro = np.zeros(4, np.float32)
        ro.flags.writeable = False
        m.invoke_with_buffers("forward", [a, b], [ro, p])
    with pytest.raises(ssmc.InvalidArgumentError, match=r"output 0 overlaps input 1"):
        m.invoke_with_buffers("forward", [a, b], [b, p])
    assert m.execution_stats()["plain_runs"] == 0

    # Buffers bound once stand for themselves, in order, in either list; they
    # are read and written in place on every call.
    bound_in, bound_out = m.bind_buffers([a, b]), m.bind_buffers([s, p])
    assert len(bound_in) == 2 and bound_in.device == "cpu"
    s[...], p[...] = -1, -1
    m.invoke_with_buffers("forward", [bound_in], [bound_out])
    np.testing.assert_array_equal(s, a + b)
    np.testing.assert_array_equal(p, a * b)
    a += 1  # changed in place: the bound buffer reads the new values
    m.invoke_with_buffers("forward", [bound_in], [bound_out])
    np.testing.assert_array_equal(s, a + b)
    m.invoke_with_buffers("forward", [m.bind_buffers([a]), b], [s, p])  # mixed
    np.testing.assert_array_equal(p, a * b)
    with pytest.raises(ssmc.InvalidArgumentError, match=r"output #1 of 'forward': .*read-only"):
        ro = np.zeros(4, np.float32)
        ro.flags.writeable = False
        m.invoke_with_buffers("forward", [bound_in], [s, m.bind_buffers([ro])])
    with pytest.raises(ssmc.InvalidArgumentError, match=r"output 1 overlaps input 1"):
        m.invoke_with_buffers("forward", [bound_in], [s, m.bind_buffers([b])])
    with pytest.raises(ssmc.InvalidArgumentError, match=r"buffer #1: .*not C-contiguous"):
        m.bind_buffers([a, np.zeros((4, 2), np.float32)[:, 0]])
    with pytest.raises(ssmc.InvalidArgumentError, match=r"expects 2 inputs, got 3"):
        m.invoke_with_buffers("forward", [bound_in, a], [bound_out])


def _gpu_artifact(name):
    """A file of $SSMC_TEST_GPU_ARTIFACTS, or a skip saying how to make it."""
    _torch_cuda()
    path = os.path.join(os.environ.get("SSMC_TEST_GPU_ARTIFACTS", ""), name)
    if not os.path.isfile(path):
        pytest.skip(f"no {name}: set SSMC_TEST_GPU_ARTIFACTS to the test/ folder of "
                    "bench/gpu/make_runtime_gpu_artifacts.sh")
    return path


def _small_vim_weights(module_path, scale=0.1):
    rng = np.random.default_rng(7)
    return {s.name: (rng.standard_normal(tuple(s.shape)) * scale).astype(np.float32)
            for s in ssmc.load(module_path).signature["forward"].inputs if s.name != "image"}


def test_trainable_torch_module_on_cuda():
    """An unchanged torch training loop over a module loaded on the GPU: the
    parameters and their gradients stay on the device, the first gradients
    match the CPU module's, and AdamW fits a fixed batch."""
    torch = _torch_cuda()
    cpu_path, gpu_path = _gpu_artifact("grad-cpu.ssmb"), _gpu_artifact("grad-nvptx.ssmb")
    weights = _small_vim_weights(cpu_path)
    cpu = ssmc.torch.Module(cpu_path, weights)
    gpu = ssmc.torch.Module(gpu_path, weights, device="cuda:0")
    assert all(p.device.type == "cuda" for p in gpu.parameters())
    g = torch.Generator().manual_seed(11)
    x = torch.randn(8, 3, 32, 32, generator=g)
    y = torch.randint(0, 10, (8,), generator=g)
    for m, dev in ((cpu, "cpu"), (gpu, "cuda:0")):
        m.zero_grad()
        torch.nn.functional.cross_entropy(m(x.to(dev)), y.to(dev)).backward()
    for (name, p), (_, q) in zip(cpu.named_weights(), gpu.named_weights()):
        assert q.grad is not None and q.grad.device.type == "cuda", name
        scale = float(p.grad.abs().max().clamp_min(1e-30))
        assert float((p.grad - q.grad.cpu()).abs().max()) / scale <= 1e-4, name
    opt = torch.optim.AdamW(gpu.parameters(), lr=1e-2)
    xs, ys = x.cuda(), y.cuda()
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(gpu(xs), ys)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.5 * losses[0], losses


def test_train_step_on_cuda_matches_cpu():
    """ssmc.TrainStep with its state resident on the GPU: two steps give the
    CPU step's losses and parameters (f32, 1e-5 relative)."""
    torch = _torch_cuda()
    cpu_path = _gpu_artifact("train-step-cpu.ssmb")
    gpu_path = _gpu_artifact("train-step-nvptx.ssmb")
    weights = _small_vim_weights(cpu_path)
    cpu = ssmc.TrainStep(cpu_path, weights)
    gpu = ssmc.TrainStep(gpu_path, weights, device="cuda:0")
    rng = np.random.default_rng(5)
    for _ in range(2):
        images = rng.standard_normal((4, 3, 32, 32)).astype(np.float32)
        labels = rng.integers(0, 10, 4)
        a = cpu.step(images, labels, lr=1e-3)
        b = gpu.step(torch.from_numpy(images).cuda(), labels, lr=1e-3)
        assert abs(a - b) <= 1e-5 * abs(a)
    want, got = dict(cpu.named_parameters()), dict(gpu.named_parameters())
    for name, w in want.items():
        err = np.abs(got[name] - w).max() / max(np.abs(w).max(), 1e-30)
        assert err <= 1e-5, (name, err)
