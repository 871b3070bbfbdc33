"""The four families from Python: ssmc.compile by name, ssmc.load with the
weights bound by their official names, numpy and torch round trips, the
ssmc.torch.Module wrapper with a PyTorch state_dict, and the error paths
(unknown model, bad weights, wrong input shape). Logits are checked against
the float64 PyTorch reference on the same weights (f32 rel. err <= 1e-4)."""

import numpy as np
import pytest
import torch

import ssmc
from ssm_testing import reference_models as rm

pytestmark = pytest.mark.skipif(not ssmc.has_compiler() or "vim-t" not in ssmc.models(),
                                reason="needs the compiler extension with the model builders")

TINY = {
    "vim-t": dict(img=32, embed_dim=32, depth=2, classes=7),
    "fastvim-t": dict(img=32, embed_dim=32, depth=2, classes=7),
    "vmamba-t": dict(img=64, dims=[16, 32, 48, 64], depths=[1, 1, 1, 1], classes=7),
    "mambaout-femto": dict(img=64, dims=[16, 32, 48, 64], depths=[1, 1, 1, 1], classes=7),
}


def _rel(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b).max() / np.abs(b).max())


@pytest.fixture(scope="module", params=list(TINY))
def family(request):
    variant = request.param
    opts = TINY[variant]
    ref = rm.build(variant, seed=11, **opts)
    state = {k: v.detach().clone() for k, v in ref.state_dict().items()}
    blob = ssmc.compile(variant, **opts)
    return variant, opts, ref.double().eval(), state, blob


def test_numpy_and_torch_round_trips(family):
    variant, opts, ref, state, blob = family
    module = ssmc.load(blob, weights={k: v.numpy() for k, v in state.items()})
    assert [s.name for s in module.inputs("forward")] == ["image"]
    shape = ssmc.image_shape(variant, **opts)
    x = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    with torch.no_grad():
        want = ref(torch.from_numpy(x).double()).numpy()
    got = module(x)
    assert isinstance(got, np.ndarray) and got.shape == (shape[0], opts["classes"])
    assert _rel(got, want) <= 1e-4
    got_t = module(torch.from_numpy(x), return_type="torch")
    assert isinstance(got_t, torch.Tensor) and got_t.dtype == torch.float32
    assert _rel(got_t.numpy(), want) <= 1e-4


def test_torch_module_wrapper_with_state_dict(family):
    import ssmc.torch as st
    variant, opts, ref, state, blob = family
    wrapped = st.Module(blob, weights={k: v.numpy().copy() for k, v in state.items()})
    assert isinstance(wrapped, torch.nn.Module)
    assert sorted(wrapped.state_dict()) == sorted(state)
    x = torch.randn(*ssmc.image_shape(variant, **opts), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        want = ref(x.double()).numpy()
        assert _rel(wrapped(x).numpy(), want) <= 1e-4
        # New weights through the PyTorch API change the compiled model's output.
        other = rm.build(variant, seed=12, **opts)
        wrapped.load_state_dict(other.state_dict())
        want2 = other.double().eval()(x.double()).numpy()
        assert _rel(wrapped(x).numpy(), want2) <= 1e-4


def test_error_paths(family):
    variant, opts, ref, state, blob = family
    weights = {k: v.numpy() for k, v in state.items()}
    bad = dict(weights)
    first = next(iter(bad))
    bad[first] = np.zeros((3, 3), np.float32)
    with pytest.raises(ssmc.Error, match=first.replace(".", r"\.")):
        ssmc.load(blob, weights=bad)
    module = ssmc.load(blob, weights=weights)
    shape = list(ssmc.image_shape(variant, **opts))
    shape[-1] += 1
    with pytest.raises(ssmc.Error, match="image"):
        module(np.zeros(shape, np.float32))
    with pytest.raises(ssmc.InvalidArgumentError, match="unknown model"):
        ssmc.compile(variant + "-xxl")
