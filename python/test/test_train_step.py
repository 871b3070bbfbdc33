"""The compiled, fused train step (``ssmc.compile(..., train=True)``,
``ssmc.TrainStep``) against a PyTorch step on the CPU.

For a small configuration of each family, the compiled ``train_step``
(forward, label-smoothed soft-target cross-entropy, backward, AdamW with the
recipes' no-decay groups) runs three steps in a row with a changing learning
rate on fresh random images and soft targets, next to the PyTorch reference
model trained with ``F.cross_entropy(..., label_smoothing)`` and
``torch.optim.AdamW`` on the same param groups, in float32 and in float64.
The loss, every updated parameter and both AdamW moments must agree within
1e-5 relative (max|got - want| / max|want| per tensor) with both.
Clipping: one configuration with ``max_grad_norm`` well below the gradient
norm, against ``torch.nn.utils.clip_grad_norm_``. Checkpoints: save -> load
into a fresh step gives the identical next step; the parameters load into
the reference model under their official names and back.
"""

import numpy as np
import pytest
import torch

import ssmc
from ssmc import reference_models as rm
from ssmc.train import no_weight_decay

TOL = 1e-5
CLASSES = 5
SMOOTHING = 0.1
WD = 0.05

# (variant, overrides, img, batch)
CASES = [
    ("vim-t", dict(embed_dim=16, depth=2, patch=8, stride=8), 16, 2),
    ("fastvim-t", dict(embed_dim=16, depth=2, patch=8), 16, 2),
    ("vmamba-t", dict(dims=[8, 16, 24, 32], depths=[1, 1, 1, 1]), 32, 2),
    ("mambaout-femto", dict(dims=[8, 16, 24, 32], depths=[1, 1, 1, 1]), 32, 2),
]


def _rel(got, want):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    scale = np.abs(want).max()
    diff = np.abs(got - want).max()
    return diff / scale if scale else diff


def _init(variant, options, img):
    ref = rm.build(variant, img=img, classes=CLASSES, seed=3, **options)
    return {k: v.detach().float().numpy().copy() for k, v in ref.state_dict().items()}


def _compile(variant, options, img, batch, init, **train_options):
    opts = dict(label_smoothing=SMOOTHING, weight_decay=WD)
    opts.update(train_options)
    return ssmc.compile(variant, train=True, weights=init, img=img, batch=batch,
                        classes=CLASSES, train_options=opts, **options)


class _TorchStep:
    """The PyTorch step the compiled one must equal."""

    def __init__(self, variant, options, img, init, dtype, max_norm=0.0):
        self.model = rm.build(variant, img=img, classes=CLASSES, seed=None, **options)
        self.model.load_state_dict({k: torch.from_numpy(v) for k, v in init.items()})
        self.model = self.model.to(dtype).train()
        self.dtype = dtype
        self.max_norm = max_norm
        self.named = list(self.model.named_parameters())
        groups = [
            {"params": [p for n, p in self.named if not no_weight_decay(n, tuple(p.shape))],
             "weight_decay": WD},
            {"params": [p for n, p in self.named if no_weight_decay(n, tuple(p.shape))],
             "weight_decay": 0.0}]
        self.opt = torch.optim.AdamW(groups, lr=1e-3)
        self.norm = None

    def step(self, x, t, lr):
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.model(x.to(self.dtype)), t.to(self.dtype),
                                                 label_smoothing=SMOOTHING)
        loss.backward()
        if self.max_norm:
            self.norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(),
                                                             self.max_norm))
        self.opt.step()
        return loss.item()

    def state(self):
        out = {}
        for n, p in self.named:
            out[n] = p.detach().numpy()
            s = self.opt.state[p]
            out["optimizer.exp_avg." + n] = s["exp_avg"].numpy()
            out["optimizer.exp_avg_sq." + n] = s["exp_avg_sq"].numpy()
        return out


def _batch(g, batch, img):
    x = torch.randn(batch, 3, img, img, generator=g)
    t = torch.softmax(2 * torch.randn(batch, CLASSES, generator=g), dim=1)  # soft targets
    return x, t


def _compare(step, refs, losses):
    """Worst relative error of the loss and of every state tensor, per
    reference dtype."""
    got = step.state_dict()
    worst = {}
    for key, ref in refs.items():
        want = ref.state()
        assert sorted(want) == sorted(got)
        errors = {n: _rel(got[n], want[n]) for n in want}
        errors["loss"] = abs(losses[0] - losses[1][key]) / abs(losses[1][key])
        name = max(errors, key=errors.get)
        worst[key] = (name, errors[name])
    return worst


def test_no_decay_rule_is_the_compilers():
    comp = ssmc._ext.compiler()
    for variant, options, img, _ in CASES:
        for name, shape in rm.weight_spec(variant, img=img, classes=CLASSES, **options):
            assert comp.no_weight_decay(name, list(shape)) == no_weight_decay(name, shape), name


@pytest.mark.parametrize("variant,options,img,batch", CASES, ids=[c[0] for c in CASES])
def test_train_step_matches_pytorch(variant, options, img, batch):
    init = _init(variant, options, img)
    step = _compile(variant, options, img, batch, init)
    assert isinstance(step, ssmc.TrainStep)
    assert sorted(step.parameter_names) == sorted(init)
    refs = {"f32": _TorchStep(variant, options, img, init, torch.float32),
            "f64": _TorchStep(variant, options, img, init, torch.float64)}
    g = torch.Generator().manual_seed(11)
    for k, lr in enumerate([1e-3, 3e-3, 2e-3]):  # any schedule: lr is an input
        x, t = _batch(g, batch, img)
        loss = step.step(x.numpy(), t.numpy(), lr)
        ref_losses = {key: ref.step(x, t, lr) for key, ref in refs.items()}
        worst = _compare(step, refs, (loss, ref_losses))
        print(f"{variant} step {k + 1}: loss {loss:.6f}; worst vs f32 {worst['f32']}, "
              f"vs f64 {worst['f64']}")
        for key, (name, err) in worst.items():
            assert err <= TOL, (k + 1, key, name, err)
    assert step.step_count == 3


def test_clipping_is_active_and_matches():
    variant, options, img, batch = CASES[0]
    init = _init(variant, options, img)
    max_norm = 0.5
    step = _compile(variant, options, img, batch, init, max_grad_norm=max_norm)
    plain = _compile(variant, options, img, batch, init)
    refs = {"f32": _TorchStep(variant, options, img, init, torch.float32, max_norm),
            "f64": _TorchStep(variant, options, img, init, torch.float64, max_norm)}
    g = torch.Generator().manual_seed(5)
    for k in range(2):
        x, t = _batch(g, batch, img)
        loss = step.step(x, t, 2e-3)  # torch tensors are accepted too
        plain.step(x, t, 2e-3)
        ref_losses = {key: ref.step(x, t, 2e-3) for key, ref in refs.items()}
        assert refs["f64"].norm > 2 * max_norm  # the clip scales the gradients
        worst = _compare(step, refs, (loss, ref_losses))
        for key, (name, err) in worst.items():
            assert err <= TOL, (k + 1, key, name, err)
    # Negative control: without clipping the moments differ.
    name = "optimizer.exp_avg.head.weight"
    assert _rel(plain.state_dict()[name], step.state_dict()[name]) > 0.5


def test_labels_and_checkpoint_round_trip(tmp_path):
    variant, options, img, batch = CASES[0]
    init = _init(variant, options, img)
    blob = ssmc.compile(variant, train=True, img=img, batch=batch, classes=CLASSES,
                        train_options=dict(label_smoothing=SMOOTHING), **options)
    step = ssmc.TrainStep(blob, init)
    g = torch.Generator().manual_seed(2)
    x, _ = _batch(g, batch, img)
    labels = torch.randint(0, CLASSES, (batch,), generator=g)
    # Integer labels are one-hot targets.
    other = ssmc.TrainStep(blob, init)
    l1 = step.step(x, labels, 1e-3)
    l2 = other.step(x, step.targets(labels), 1e-3)
    assert l1 == l2
    step.step(*_batch(g, batch, img), 1e-3)

    path = tmp_path / "ckpt.safetensors"
    step.save_checkpoint(path)
    tensors, meta = ssmc.safetensors_io.load_file(str(path), with_metadata=True)
    assert meta["step"] == "2"
    assert sorted(tensors) == sorted(step.state_dict())
    assert {n for n in tensors if not n.startswith("optimizer.")} == set(init)

    # The parameters load into the reference model (official names), and
    # from it back into a train step.
    ref = rm.build(variant, img=img, classes=CLASSES, seed=None, **options)
    ref.load_state_dict({n: torch.from_numpy(v) for n, v in tensors.items()
                         if not n.startswith("optimizer.")}, strict=True)
    restored = ssmc.TrainStep(blob)
    restored.load_weights(ref.state_dict())
    restored.load_checkpoint(path)
    assert restored.step_count == 2
    x, t = _batch(g, batch, img)
    a = step.step(x, t, 5e-4)
    b = restored.step(x, t, 5e-4)
    assert a == b
    sa, sb = step.state_dict(), restored.state_dict()
    assert all(np.array_equal(sa[n], sb[n]) for n in sa)
    np.testing.assert_array_equal(step.forward(x.numpy()), restored.forward(x.numpy()))
    # A checkpoint of weights only restarts the moments.
    only = tmp_path / "weights.safetensors"
    ssmc.safetensors_io.save_file({n: v for n, v in tensors.items()
                                   if not n.startswith("optimizer.")}, str(only))
    fresh = ssmc.TrainStep(blob)
    fresh.load_checkpoint(only)
    assert fresh.step_count == 0
    assert not np.abs(fresh.state_dict()["optimizer.exp_avg.head.weight"]).max()


def test_errors():
    variant, options, img, batch = CASES[0]
    with pytest.raises(ssmc.InvalidArgumentError, match="train_options need train=True"):
        ssmc.compile(variant, img=img, train_options=dict(eps=1e-6), **options)
    with pytest.raises(ssmc.InvalidArgumentError, match="unknown train option 'lr'"):
        ssmc.compile(variant, img=img, train=True, train_options=dict(lr=1), **options)
    with pytest.raises(ssmc.CompileError, match="needs static f32 parameters"):
        ssmc.compile(variant, img=img, train=True, dtype="bf16", **options)
    blob = ssmc.compile(variant, img=img, batch=batch, classes=CLASSES, **options)
    with pytest.raises(ssmc.InvalidArgumentError, match="compile it with train=True"):
        ssmc.TrainStep(blob)
    step = ssmc.compile(variant, train=True, img=img, batch=batch, classes=CLASSES, **options)
    with pytest.raises(ssmc.InvalidArgumentError, match="images: expected shape"):
        step.step(np.zeros((batch + 1, 3, img, img), np.float32), np.zeros(batch, np.int64), 1e-3)
    assert step.step_count == 0


def _branches(variant, options):
    if variant in ("vim-t", "fastvim-t"):
        return options["depth"]
    return sum(options["depths"])


@pytest.mark.parametrize("variant,options,img,batch", CASES, ids=[c[0] for c in CASES])
def test_drop_path(variant, options, img, batch):
    """Stochastic depth: the compiled masks are drop_path_scales(seed, ...),
    the step equals the reference trained with those masks, the same seed
    repeats a step bit for bit and another seed changes it."""
    batch, rate = 4, 0.5
    init = _init(variant, options, img)
    step = _compile(variant, options, img, batch, init, drop_path=rate)
    assert step.has_seed
    count = _branches(variant, options)
    seed = 7
    scales = ssmc.train_step.drop_path_scales(seed, rate, count, batch)
    last = scales[-1]
    assert (last == 0).any() and (last != 0).any(), last  # both drops and keeps
    ref = _TorchStep(variant, options, img, init, torch.float64)
    rm.set_drop_path(ref.model, [torch.from_numpy(s) for s in scales])
    g = torch.Generator().manual_seed(3)
    x, t = _batch(g, batch, img)
    loss = step.step(x, t, 1e-3, seed=seed)
    want = ref.step(x, t, 1e-3)
    name, err = _compare(step, {"f64": ref}, (loss, {"f64": want}))["f64"]
    assert err <= TOL, (name, err)
    # Without the masks the reference is elsewhere: the masks matter.
    plain = _TorchStep(variant, options, img, init, torch.float64)
    assert abs(plain.step(x, t, 1e-3) - loss) > 1e-4

    again = ssmc.TrainStep(step, init)
    assert again.step(x, t, 1e-3, seed=seed) == loss
    a, b = step.state_dict(), again.state_dict()
    assert all(np.array_equal(a[n], b[n]) for n in a)
    other = ssmc.TrainStep(step, init)
    assert other.step(x, t, 1e-3, seed=seed + 1) != loss


def test_digits_training_command_compiled_step(tmp_path):
    """python3 -m ssmc.train --engine=compiled-step: one epoch of a tiny Vim
    on the digits with clipping and drop path tracks the PyTorch reference
    (the same masks, replayed) step for step; its checkpoint restores a
    TrainStep."""
    pytest.importorskip("sklearn.datasets", reason="python3-sklearn is not installed")
    pytest.importorskip("matplotlib", reason="python3-matplotlib is not installed")
    import json
    from ssmc import train
    out = tmp_path / "run"
    opts = ["--model-option", "embed_dim=16", "--model-option", "depth=2",
            "--model-option", "patch=4", "--model-option", "stride=4"]
    assert train.main(["--model", "vim-t", *opts, "--epochs", "1", "--out", str(out),
                       "--engine", "compiled-step", "--clip-grad", "1.0", "--drop-path", "0.2",
                       "--compare-pytorch"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["engine"] == "compiled-step"
    assert summary["first_50_loss_max_abs_dev"] < 1e-4
    assert abs(summary["ssmc"]["accuracy"] - summary["pytorch"]["accuracy"]) <= 0.01
    assert summary["ssmc"]["accuracy"] > 0.5
    params, moments, step = train.load_checkpoint(out / "checkpoint.safetensors")
    assert step == 1437 // 32
    assert set(moments) == {f"optimizer.{k}.{n}" for n in params
                            for k in ("exp_avg", "exp_avg_sq")}
    restored = ssmc.compile("vim-t", train=True, img=16, classes=10, batch=32, embed_dim=16,
                            depth=2, patch=4, stride=4)
    restored.load_checkpoint(out / "checkpoint.safetensors")
    assert restored.step_count == step
    _, (xte, yte) = train.digits(16)
    acc = train.evaluate(lambda x: torch.from_numpy(restored.forward(x.numpy())), xte, yte, 32)
    assert abs(acc - summary["ssmc"]["accuracy"]) < 1e-9
    with pytest.raises(SystemExit):
        train.main(["--model", "vim-t", *opts, "--drop-path", "0.1", "--out", str(out)])


def test_drop_path_hash_is_the_compilers():
    """ssmc.train_step's replica of the mask hash and threshold equals the
    compiler's (the IR's is checked through test_drop_path)."""
    comp = ssmc._ext.compiler()
    rng = np.random.default_rng(0)
    for seed in [0, 1, 7, 2**31 - 1, 2**32 - 1] + list(rng.integers(0, 2**32, 20)):
        samples = np.arange(5, dtype=np.uint32)
        for index in (0, 3, 40):
            got = ssmc.train_step._hash(int(seed), index, samples)
            want = [comp.drop_path_hash(int(seed), index, int(s)) for s in samples]
            assert [int(v) for v in got] == want
    for rate in (0.0, 0.025, 0.1, 0.5, 0.999):
        assert ssmc.train_step._threshold(rate) == comp.drop_path_threshold(rate)
