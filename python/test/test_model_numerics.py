"""Whole models built by the compiler against independent PyTorch references.

Every case builds a registered variant with ``build/bin/ssm-compile --model``
(small configurations, awkward shapes, and one full-size -T model per family),
runs the .ssmb through the runtime's C API, and compares the logits with
``ssm_testing.reference_models`` evaluated in float64 on the same weights and
image: max|compiled - ref| / max|ref| <= 1e-4 for f32 and <= 2e-2 for bf16
(weights and image rounded to bfloat16, compared with the f32 model).

Both ways of supplying weights are exercised: bound at call time (the
signature lists them by official name) and embedded with ``--weights``
(only the image remains an input). Negative controls make sure the comparison
notices a perturbed weight.
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
TOL_F32 = 1e-4
TOL_BF16 = 2e-2


def _option_args(options):
    args = []
    for key, value in options.items():
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        args.append(f"--model-option={key}={value}")
    return args


def _compile(tmp_path, variant, img, classes, batch, options, dtype="f32",
             weights=None):
    out = tmp_path / f"{variant}-{dtype}.ssmb"
    cmd = [str(SSM_COMPILE), f"--model={variant}", f"--img={img}",
           f"--classes={classes}", f"--batch={batch}", f"--dtype={dtype}",
           "-o", str(out)] + _option_args(options)
    if weights is not None:
        cmd.append(f"--weights={weights}")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def _weight_names(variant, img, classes, options):
    cmd = [str(SSM_COMPILE), f"--model={variant}", f"--img={img}",
           f"--classes={classes}", "--print-weights"] + _option_args(options)
    lines = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line.split(" [")[0] for line in lines.splitlines()]


def _seed(name):
    return zlib.crc32(name.encode()) % (2**31)


def _rel_err(got, want):
    return float(np.abs(got.astype(np.float64) - want).max() / np.abs(want).max())


def _check(runtime, tmp_path, variant, options, img, classes=10, batch=1,
           dtype="f32", embed=False, seed=0):
    model = rm.build(variant, img=img, classes=classes, seed=seed, **options)
    ref = model.double().eval()
    state = {k: v.float().numpy() for k, v in model.state_dict().items()}
    names = _weight_names(variant, img, classes, options)
    assert sorted(names) == sorted(state), "compiler and reference disagree on the weights"
    image = np.random.default_rng(seed + 1).standard_normal(
        (batch, 3, img, img)).astype(np.float32)
    with torch.no_grad():
        want = ref(torch.from_numpy(image).double()).numpy()

    def cast(a):
        return st.float32_to_bf16(a) if dtype == "bf16" else a

    weights = None
    if embed:
        weights = tmp_path / f"{variant}-{dtype}.safetensors"
        st.save_file({n: cast(state[n]) for n in names}, weights)
    module = runtime.load(_compile(tmp_path, variant, img, classes, batch, options,
                                   dtype, weights))
    inputs = [cast(image)] + ([] if embed else [cast(state[n]) for n in names])
    got = module("forward", inputs)[0]
    assert got.shape == (batch, classes) and got.dtype == np.float32
    return got, want, (module, inputs, names, state, cast)


@pytest.fixture(scope="module")
def runtime():
    from ssm_testing.runtime_c import Runtime
    return Runtime(num_threads=2)


# (variant, overrides, img, batch, embed): small, awkward configurations.
SMALL = [
    ("vim-t", dict(embed_dim=32, depth=2), 32, 2, False),     # grid 2, cls at 2
    ("vim-t", dict(embed_dim=24, depth=1), 16, 1, True),      # one patch, L = 2
    ("vim-t-s8", dict(embed_dim=32, depth=2), 40, 1, False),  # overlapping, grid 4
    ("fastvim-t", dict(embed_dim=32, depth=3), 48, 2, True),  # odd layer transposes
    ("fastvim-t", dict(embed_dim=32, depth=2, pool="max", pool_scale=0.25), 32, 1, False),
    ("vmamba-t", dict(dims=[16, 32, 48, 64], depths=[1, 1, 2, 1]), 64, 2, False),
    ("vmamba-t-s2", dict(dims=[8, 16, 32, 64], depths=[1, 1, 1, 1]), 72, 1, True),
    ("vmamba-v0-t", dict(dims=[16, 32, 48, 64], depths=[1, 1, 1, 1]), 64, 1, False),
    ("mambaout-femto", dict(dims=[16, 32, 48, 64], depths=[1, 1, 2, 1]), 64, 2, True),
    ("mambaout-femto", dict(dims=[8, 16, 24, 32], depths=[1, 1, 1, 1]), 40, 1, False),
]


@pytest.mark.parametrize("variant,options,img,batch,embed", SMALL,
                         ids=[f"{v}-img{i}-b{b}{'-embedded' if e else ''}-{n}"
                              for n, (v, o, i, b, e) in enumerate(SMALL)])
def test_small_f32(runtime, tmp_path, variant, options, img, batch, embed):
    got, want, _ = _check(runtime, tmp_path, variant, options, img, batch=batch,
                          embed=embed, seed=_seed(variant + str(img)))
    assert _rel_err(got, want) <= TOL_F32


# bf16 models store their activations between kernels in bf16
# (ssm-narrow-activations): every family, with awkward sizes (odd grids and
# lengths, batch 2, overlapping patches, FastVim's transposed odd layers and
# max pool, VMamba v0 and ssm_ratio 2).
BF16 = [
    ("vim-t", dict(embed_dim=32, depth=2), 32, 1),
    ("vim-t", dict(embed_dim=24, depth=1), 48, 2),                       # L = 10
    ("vim-t-s8", dict(embed_dim=32, depth=2), 40, 1),                    # grid 4
    ("fastvim-t", dict(embed_dim=32, depth=2), 32, 1),
    ("fastvim-t", dict(embed_dim=32, depth=3, pool="max", pool_scale=0.25), 48, 2),
    ("vmamba-t", dict(dims=[16, 32, 48, 64], depths=[1, 1, 1, 1]), 64, 1),
    ("vmamba-t-s2", dict(dims=[8, 16, 32, 64], depths=[1, 1, 1, 1]), 72, 2),
    ("vmamba-v0-t", dict(dims=[16, 32, 48, 64], depths=[1, 1, 1, 1]), 64, 1),
    ("mambaout-femto", dict(dims=[16, 32, 48, 64], depths=[1, 1, 1, 1]), 64, 1),
    ("mambaout-femto", dict(dims=[8, 16, 24, 32], depths=[1, 1, 2, 1]), 40, 2),
]


@pytest.mark.parametrize("variant,options,img,batch", BF16,
                         ids=[f"{v}-img{i}-b{b}-{n}" for n, (v, o, i, b) in enumerate(BF16)])
def test_small_bf16(runtime, tmp_path, variant, options, img, batch):
    got, want, _ = _check(runtime, tmp_path, variant, options, img, dtype="bf16",
                          batch=batch, embed=variant.startswith("v"),
                          seed=_seed(variant + str(img)))
    err = _rel_err(got, want)
    print(f"{variant} img {img} batch {batch} bf16: {err:.3g}")
    assert err <= TOL_BF16
    assert err > 0  # bf16 rounding must show: the weights really are bf16


def test_negative_control(runtime, tmp_path):
    """A 1% change of one weight tensor is far outside the tolerance."""
    got, want, (module, inputs, names, state, _) = _check(
        runtime, tmp_path, "vim-t", dict(embed_dim=32, depth=1), 32, seed=5)
    assert _rel_err(got, want) <= TOL_F32
    k = 1 + names.index("layers.0.mixer.in_proj.weight")
    bad = list(inputs)
    bad[k] = inputs[k] * np.float32(1.01)
    assert _rel_err(module("forward", bad)[0], want) > 10 * TOL_F32


FULL = ["vim-t", "fastvim-t", "vmamba-t", "mambaout-femto"]


@pytest.mark.skipif(os.environ.get("SSMC_SKIP_FULL_MODELS") == "1",
                    reason="SSMC_SKIP_FULL_MODELS=1")
@pytest.mark.parametrize("variant", FULL)
def test_full_size_224(runtime, tmp_path, variant):
    """The real -T configuration at 224x224, weights embedded."""
    got, want, _ = _check(runtime, tmp_path, variant, {}, 224, classes=1000,
                          embed=True, seed=_seed(variant))
    assert _rel_err(got, want) <= TOL_F32


def test_embedded_weights_errors(tmp_path):
    """--weights: a mis-shaped and an unknown tensor are both named."""
    options = dict(embed_dim=16, depth=1)
    names = _weight_names("vim-t", 16, 10, options)
    model = rm.build("vim-t", img=16, classes=10, **options)
    state = {k: v.float().numpy() for k, v in model.state_dict().items()}
    state["head.bias"] = np.zeros(11, np.float32)
    state["not.a.weight"] = np.ones(3, np.float32)
    path = tmp_path / "bad.safetensors"
    st.save_file(state, path)
    cmd = [str(SSM_COMPILE), "--model=vim-t", "--img=16", "--classes=10",
           f"--weights={path}", "-o", str(tmp_path / "x.ssmb")] + _option_args(options)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "'head.bias': the model expects 10xf32, the file has 11xf32" in proc.stderr
    assert "'not.a.weight': no input of that name" in proc.stderr
    assert len(names) == len(state) - 1


ALL_VARIANTS = rm.VARIANTS


def _shallow(variant):
    """The variant's real widths, image size and structure at reduced depth."""
    family = rm.family_of(variant)
    if family in ("vim", "fastvim"):
        return dict(depth=2)
    return dict(depths=[1, 1, 1, 1])


@pytest.mark.skipif(os.environ.get("SSMC_SKIP_FULL_MODELS") == "1",
                    reason="SSMC_SKIP_FULL_MODELS=1")
@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_every_variant_224(runtime, tmp_path, variant):
    """Every registered variant at its real widths, 224x224, depth reduced to
    keep the float64 reference fast: compiles, loads, matches."""
    got, want, _ = _check(runtime, tmp_path, variant, _shallow(variant), 224,
                          classes=1000, embed=True, seed=_seed(variant))
    assert _rel_err(got, want) <= TOL_F32
