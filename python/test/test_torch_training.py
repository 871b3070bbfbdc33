"""Training a compiled model through ssmc.torch.Module on the CPU.

A small Vim and a small MambaOut are compiled with ``gradients=True`` (the
whole-graph reverse-mode derivative ``forward_grad``) and wrapped in
``ssmc.torch.Module``; an unchanged PyTorch loop (cross-entropy, any
optimizer, gradient accumulation) trains them. Checked against the
repository's PyTorch reference implementation with the same weights:
  * every parameter's ``.grad`` and the image's, against float64 autograd
    (max|got - want| / max|want| <= 1e-4 per tensor);
  * the parameters after a few SGD-with-momentum and AdamW steps, against the
    reference trained the same way in float64 (<= 1e-4 relative);
  * gradient accumulation over two calls equals one call on the whole batch.
"""

import numpy as np
import pytest
import torch

import ssmc
import ssmc.torch as st_torch
from ssm_testing import reference_models as rm

TOL = 1e-4

CASES = [
    ("vim-t", dict(embed_dim=16, depth=2), 16, 3),
    ("mambaout-femto", dict(dims=[8, 8, 16, 16], depths=[1, 1, 1, 1]), 32, 2),
]


def _rel(got, want):
    got = got.detach().double()
    want = want.detach().double()
    scale = want.abs().max().item()
    diff = (got - want).abs().max().item()
    return diff / scale if scale else diff


def _setup(variant, options, img, batch, classes=5):
    blob = ssmc.compile(variant, gradients=True, img=img, batch=batch, classes=classes,
                        **options)
    ref = rm.build(variant, img=img, classes=classes, seed=3, **options)
    state = {k: v.detach().float().clone() for k, v in ref.state_dict().items()}
    model = st_torch.Module(blob, weights={k: v.numpy() for k, v in state.items()})
    ref = ref.double()
    g = torch.Generator().manual_seed(7)
    image = torch.randn(batch, 3, img, img, generator=g)
    labels = torch.randint(0, classes, (batch,), generator=g)
    return model, ref, image, labels


@pytest.mark.parametrize("variant,options,img,batch", CASES,
                         ids=[c[0] for c in CASES])
def test_gradients_match_autograd(variant, options, img, batch):
    model, ref, image, labels = _setup(variant, options, img, batch)
    assert model.trainable
    assert all(p.requires_grad for p in model.parameters())
    x = image.clone().requires_grad_()
    loss = torch.nn.functional.cross_entropy(model(x), labels)
    loss.backward()
    xr = image.double().requires_grad_()
    loss_ref = torch.nn.functional.cross_entropy(ref(xr), labels)
    loss_ref.backward()
    assert abs(loss.item() - loss_ref.item()) <= TOL * abs(loss_ref.item())
    errors = {"image": _rel(x.grad, xr.grad)}
    ref_params = dict(ref.named_parameters())
    for name, p in model.named_weights():
        want = ref_params[name].grad
        if want is None or not want.abs().max():
            assert p.grad is None or not p.grad.abs().max(), name
            continue
        errors[name] = _rel(p.grad, want)
    worst = max(errors, key=errors.get)
    assert errors[worst] <= TOL, (worst, errors[worst])
    # Negative control: another loss gives other gradients.
    model.zero_grad()
    model(image).sum().backward()
    name = next(iter(n for n in errors if n != "image"))
    assert _rel(dict(model.named_weights())[name].grad, ref_params[name].grad) > 100 * TOL


@pytest.mark.parametrize("opt", ["sgd", "adamw"])
def test_training_steps_match_pytorch(opt):
    variant, options, img, batch = CASES[0]
    model, ref, image, labels = _setup(variant, options, img, batch)

    def make(params):
        if opt == "sgd":
            return torch.optim.SGD(params, lr=0.05, momentum=0.9)
        return torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05)

    names = [n for n, _ in model.named_weights()]
    ref_params = dict(ref.named_parameters())
    ours, theirs = make([p for _, p in model.named_weights()]), make(
        [ref_params[n] for n in names])
    losses = []
    for step in range(3):
        for optimizer, net, x in ((ours, model, image), (theirs, ref, image.double())):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    ours_loss, ref_loss = losses[0::2], losses[1::2]
    assert np.allclose(ours_loss, ref_loss, rtol=TOL), (ours_loss, ref_loss)
    for name, p in model.named_weights():
        assert _rel(p, ref_params[name]) <= TOL, name


def test_gradient_accumulation():
    variant, options, img, batch = CASES[0]
    model, _, image, labels = _setup(variant, options, img, batch)
    loss = torch.nn.functional.cross_entropy(model(image), labels, reduction="sum")
    loss.backward()
    once = {n: p.grad.clone() for n, p in model.named_weights()}
    model.zero_grad()
    # The same batch as two backward calls of half the loss each.
    for _ in range(2):
        (0.5 * torch.nn.functional.cross_entropy(model(image), labels,
                                                 reduction="sum")).backward()
    for n, p in model.named_weights():
        assert _rel(p.grad, once[n]) <= 1e-6, n


def test_inference_only_module_still_refuses_grad():
    blob = ssmc.compile("vim-t", img=16, batch=1, classes=5, embed_dim=16, depth=1)
    ref = rm.build("vim-t", img=16, classes=5, seed=3, embed_dim=16, depth=1)
    model = st_torch.Module(blob, weights={k: v.numpy() for k, v in ref.state_dict().items()})
    assert not model.trainable
    assert not any(p.requires_grad for p in model.parameters())
    with pytest.raises(RuntimeError, match="inference-only"):
        model(torch.randn(1, 3, 16, 16, requires_grad=True))


def test_digits_training_command(tmp_path):
    """python3 -m ssmc.train: one epoch of a tiny Vim on the digits tracks the
    PyTorch reference step for step, and its checkpoint round-trips."""
    pytest.importorskip("sklearn.datasets", reason="python3-sklearn is not installed")
    pytest.importorskip("matplotlib", reason="python3-matplotlib is not installed")
    import json
    from ssmc import train
    out = tmp_path / "run"
    assert train.main(["--model", "vim-t", "--model-option", "embed_dim=16",
                       "--model-option", "depth=1", "--model-option", "patch=4",
                       "--model-option", "stride=4", "--epochs", "1", "--out", str(out),
                       "--compare-pytorch"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["first_50_loss_max_abs_dev"] < 1e-4
    assert abs(summary["ssmc"]["accuracy"] - summary["pytorch"]["accuracy"]) <= 0.01
    assert summary["ssmc"]["accuracy"] > 0.5
    assert (out / "curves.png").stat().st_size > 1000
    params, moments, step = train.load_checkpoint(out / "checkpoint.safetensors")
    assert step == 1437 // 32
    assert set(moments) == {f"optimizer.{k}.{n}" for n in params
                            for k in ("exp_avg", "exp_avg_sq")}
    # The checkpoint's weights give the same test accuracy in a fresh module.
    blob = ssmc.compile("vim-t", img=16, classes=10, batch=32, embed_dim=16, depth=1,
                        patch=4, stride=4)
    net = st_torch.Module(blob, weights=params)
    _, (xte, yte) = train.digits(16)
    assert abs(train.evaluate(net, xte, yte, 32) - summary["ssmc"]["accuracy"]) < 1e-9
