"""Whole-model gradients from ssm-autodiff against PyTorch autograd.

Each case builds a small registered variant as tensor IR (``ssm-compile
--compile-to=input``), adds ``forward_grad`` with ``ssm-opt --ssm-autodiff``,
compiles that for the CPU and runs it through the runtime's C API with random
logit cotangents. The reference is ``ssm_testing.reference_models`` in
float64 on the same weights and image, differentiated by autograd: the
gradient of <dlogits, logits> with respect to the image and every parameter
must match to max|got - want| / max|want| <= 1e-4 (f32). A negative control
checks that the comparison sees a wrong cotangent. The full-size -T models
(224x224) take minutes each and run only with SSMC_FULL_MODEL_GRADIENTS=1.
"""

import os
import subprocess
import zlib

import numpy as np
import pytest
import torch

from ssm_testing import reference_models as rm
from ssm_testing.compiled import REPO_ROOT
from ssmc import safetensors_io as st

SSM_COMPILE = REPO_ROOT / "build" / "bin" / "ssm-compile"
SSM_OPT = REPO_ROOT / "build" / "bin" / "ssm-opt"
TOL_F32 = 1e-4


def _option_args(options):
    args = []
    for key, value in options.items():
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        args.append(f"--model-option={key}={value}")
    return args


def _run(cmd):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _compile_grad(tmp_path, variant, img, classes, batch, options, dtype="f32"):
    """The .ssmb with `forward` and `forward_grad`, and the weight names."""
    common = [f"--model={variant}", f"--img={img}", f"--classes={classes}",
              f"--batch={batch}", f"--dtype={dtype}"] + _option_args(options)
    forward = tmp_path / "forward.mlir"
    grad = tmp_path / "grad.mlir"
    out = tmp_path / "grad.ssmb"
    _run([SSM_COMPILE] + common + ["--compile-to=input", "-o", forward])
    _run([SSM_OPT, forward, "--ssm-autodiff=function=forward", "-o", grad])
    _run([SSM_COMPILE, grad, "--target=cpu", "-o", out])
    lines = _run([SSM_COMPILE] + common[:4] + _option_args(options) + ["--print-weights"])
    names = [line.split(" [")[0] for line in lines.splitlines()]
    return out, names


def _rel_err(got, want):
    return float(np.abs(got.astype(np.float64) - want).max() / np.abs(want).max())


@pytest.fixture(scope="module")
def runtime():
    from ssm_testing.runtime_c import Runtime
    return Runtime(num_threads=2)


# (variant, overrides, img, batch): small, awkward configurations of the
# four families (class token in the middle, odd grids, max pooling).
CASES = [
    ("vim-t", dict(embed_dim=16, depth=2), 32, 2),
    ("fastvim-t", dict(embed_dim=16, depth=2, pool="max", pool_scale=0.25), 32, 1),
    ("vmamba-t", dict(dims=[8, 16, 24, 32], depths=[1, 1, 1, 1]), 32, 1),
    ("vmamba-v0-t", dict(dims=[8, 16, 24, 32], depths=[1, 1, 1, 1]), 32, 1),
    ("mambaout-femto", dict(dims=[8, 16, 24, 32], depths=[1, 1, 1, 1]), 40, 2),
]


def _check_gradients(runtime, tmp_path, variant, options, img, batch,
                     classes=5):
    """Returns the relative error of every gradient (and of the logits)."""
    seed = zlib.crc32(variant.encode()) % (2**31)
    path, names = _compile_grad(tmp_path, variant, img, classes, batch, options)
    model = rm.build(variant, img=img, classes=classes, seed=seed, **options)
    ref = model.double().eval()
    params = dict(ref.named_parameters())
    state = {k: v.float().numpy() for k, v in model.state_dict().items()}
    assert sorted(names) == sorted(state)

    rng = np.random.default_rng(seed + 1)
    image = rng.standard_normal((batch, 3, img, img)).astype(np.float32)
    dlogits = rng.standard_normal((batch, classes)).astype(np.float32)

    x = torch.from_numpy(image).double().requires_grad_(True)
    logits = ref(x)
    (logits * torch.from_numpy(dlogits).double()).sum().backward()

    module = runtime.load(path)
    inputs = [image] + [state[n] for n in names] + [dlogits]
    outs = module("forward_grad", inputs)
    assert len(outs) == 2 + len(names)
    errors = {"logits": _rel_err(outs[0], logits.detach().numpy()),
              "image": _rel_err(outs[1], x.grad.numpy())}
    for name, got in zip(names, outs[2:]):
        grad = params[name].grad if name in params else None
        want = np.zeros(got.shape) if grad is None else grad.numpy()
        if not np.abs(want).max():
            # Unused by this configuration: the gradient must be exactly 0.
            assert not np.abs(got).max(), name
            continue
        errors[name] = _rel_err(got, want)
    worst = max(errors, key=errors.get)
    print(f"{variant}: {len(errors) - 1} gradients, worst {worst} {errors[worst]:.3g}")

    # Negative control: another cotangent gives other gradients.
    bad = list(inputs)
    bad[-1] = dlogits[::-1].copy() if batch > 1 else -dlogits
    assert _rel_err(module("forward_grad", bad)[1], x.grad.numpy()) > 100 * TOL_F32
    return errors


@pytest.mark.parametrize("variant,options,img,batch", CASES,
                         ids=[f"{v}-img{i}-b{b}" for v, o, i, b in CASES])
def test_model_gradients(runtime, tmp_path, variant, options, img, batch):
    errors = _check_gradients(runtime, tmp_path, variant, options, img, batch)
    assert max(errors.values()) <= TOL_F32, errors


@pytest.mark.skipif(os.environ.get("SSMC_FULL_MODEL_GRADIENTS") != "1",
                    reason="opt-in: SSMC_FULL_MODEL_GRADIENTS=1")
@pytest.mark.parametrize("variant", ["vim-t", "fastvim-t", "vmamba-t", "mambaout-femto"])
def test_full_size_224(runtime, tmp_path, variant):
    """The real -T configuration at 224x224: 5-10 minutes per model (the
    gradient entry's compile and the float64 reference), so opt-in."""
    errors = _check_gradients(runtime, tmp_path, variant, {}, 224, 1, classes=10)
    assert max(errors.values()) <= TOL_F32, errors


@pytest.mark.parametrize("variant,options,img", [
    ("vim-t", dict(embed_dim=16, depth=1), 32),
    ("mambaout-femto", dict(dims=[8, 16, 24, 32], depths=[1, 1, 1, 1]), 32),
])
def test_model_gradients_bf16(runtime, tmp_path, variant, options, img):
    """bf16 weights and image (widened to f32 inside; the contractions' operands
    rounded to bf16, as autocast does): the gradients come back in bf16, within
    the bf16 bound of float64 autograd on the same bf16-rounded values (2e-2,
    the bound of bf16 logits: the rounded GEMM operands, which the reference
    does not round, move the gradients by ~1e-2)."""
    classes, batch = 5, 1
    seed = zlib.crc32(variant.encode()) % (2**31)
    path, names = _compile_grad(tmp_path, variant, img, classes, batch, options,
                                dtype="bf16")
    model = rm.build(variant, img=img, classes=classes, seed=seed, **options)
    state = {k: st.float32_to_bf16(v.float().numpy())
             for k, v in model.state_dict().items()}
    model.load_state_dict({k: torch.from_numpy(st.bf16_to_float32(v))
                           for k, v in state.items()})
    ref = model.double().eval()
    params = dict(ref.named_parameters())
    rng = np.random.default_rng(seed + 1)
    image = st.float32_to_bf16(rng.standard_normal((batch, 3, img, img)))
    dlogits = rng.standard_normal((batch, classes)).astype(np.float32)

    x = torch.from_numpy(st.bf16_to_float32(image)).double().requires_grad_(True)
    logits = ref(x)
    (logits * torch.from_numpy(dlogits).double()).sum().backward()

    outs = runtime.load(path)("forward_grad",
                              [image] + [state[n] for n in names] + [dlogits])
    grads = [st.bf16_to_float32(g) for g in outs[1:]]
    errors = {"image": _rel_err(grads[0], x.grad.numpy())}
    for name, got in zip(names, grads[1:]):
        errors[name] = _rel_err(got, params[name].grad.numpy())
    worst = max(errors, key=errors.get)
    print(f"{variant} bf16: worst {worst} {errors[worst]:.3g}")
    assert errors[worst] <= 2e-2, errors
    assert errors[worst] > 0  # the gradients really are bf16
