"""The compiled, fused training step: :class:`TrainStep`.

``ssmc.compile(model, train=True, ...)`` emits the entry ``train_step``
(docs/training.md)::

    train_step(image, targets, lr, step, [seed,] params..., exp_avg..., exp_avg_sq...)
        -> (loss, params'..., exp_avg'..., exp_avg_sq'...)

(lr, step, seed and loss are one-element tensors; seed only with drop path)

forward, softmax cross-entropy against soft targets (label smoothing
compiled in), backward, global-norm clipping and AdamW, in one call.
:class:`TrainStep` keeps the parameters and both AdamW moments resident in
runtime buffers: two sets of buffers, the step reads one and writes the
other (``invoke_with_buffers``), then the two swap. Per step only the batch
(images, targets, and two scalars: lr and the step number) goes in and the
loss comes out; nothing else is copied. On a GPU module the buffers are
torch tensors on that GPU.

Checkpoints are safetensors: the parameters under their official names,
``optimizer.exp_avg.<name>`` / ``optimizer.exp_avg_sq.<name>`` (torch's
AdamW state names) and the step in the metadata, the same layout
``python3 -m ssmc.train`` writes.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import runtime as _runtime
from . import safetensors_io as _st
from .errors import InvalidArgumentError

__all__ = ["TrainStep", "drop_path_scales"]

_EXP_AVG = "optimizer.exp_avg."
_EXP_AVG_SQ = "optimizer.exp_avg_sq."


_M32 = 0xFFFFFFFF


def _hash(seed: int, index: int, sample: np.ndarray) -> np.ndarray:
    """dropPathHash (TrainStep.h) over uint32 arrays."""
    with np.errstate(over="ignore"):
        s = np.uint32(seed & _M32) * np.uint32(0x9E3779B1)
        i = np.uint32(((index + 1) * 0x85EBCA77) & _M32)
        x = s ^ i ^ ((sample.astype(np.uint32) + np.uint32(1)) * np.uint32(0xC2B2AE3D))
        x ^= x >> np.uint32(16)
        x *= np.uint32(0x85EBCA6B)
        x ^= x >> np.uint32(13)
        x *= np.uint32(0xC2B2AE35)
        x ^= x >> np.uint32(16)
    return x


def _threshold(rate: float) -> int:
    """dropPathThreshold (TrainStep.h): keep when hash >> 8 is below it."""
    return int(np.ceil((1.0 - rate) * float(1 << 24)))


def drop_path_scales(seed: int, rate: float, count: int, batch: int) -> List[np.ndarray]:
    """The per-sample factors the compiled train step applies to residual
    branch ``k`` (0 <= k < count) with stochastic depth ``rate`` and ``seed``:
    branch k is dropped at ``rate * k / (count - 1)`` (the official
    linspace schedule); a sample keeps it when the 24-bit hash of (seed, k,
    sample) lies below ``(1 - r) * 2**24``, and kept branches are scaled by
    ``1 / (1 - r)``. ``ssmc.reference_models.set_drop_path`` takes them."""
    out = []
    samples = np.arange(batch, dtype=np.uint32)
    for k in range(count):
        r = rate * k / (count - 1) if count > 1 else 0.0
        if r <= 0.0:
            out.append(np.ones(batch, dtype=np.float32))
            continue
        keep = (_hash(seed, k, samples) >> np.uint32(8)) < np.uint32(_threshold(r))
        out.append(np.where(keep, np.float32(1.0 / (1.0 - r)), np.float32(0.0)))
    return out


class TrainStep:
    """A module compiled with ``train=True``, ready to train.

    Args:
        module_or_path: the ``.ssmb`` bytes or path, an
            :class:`ssmc.Module` holding ``train_step``, or another
            TrainStep (its loaded code is shared, not its state).
        weights: initial parameters (a ``.safetensors`` path or a mapping
            official name -> array); default zeros, to be set with
            :meth:`load_weights` or :meth:`load_checkpoint`.
        device, threads: passed to :func:`ssmc.load`.
        options: the train options it was compiled with (recorded only).
        seed: with drop path compiled in (``train_options={'drop_path':
            rate}``), step ``n`` draws its masks from seed ``seed + n``
            unless :meth:`step` is given one: rerunning from the same state
            and seed repeats a step exactly.

    The AdamW moments start at zero and the step count at 0, as a fresh
    ``torch.optim.AdamW``.
    """

    function = "train_step"

    def __init__(self, module_or_path: Union["_runtime.Module", str, os.PathLike, bytes],
                 weights: Union[str, os.PathLike, Mapping[str, Any], None] = None, *,
                 device: str = "cpu", threads: int = 0,
                 options: Optional[Mapping[str, Any]] = None, seed: int = 0):
        if isinstance(module_or_path, TrainStep):  # shares its loaded code
            self._ssm = module_or_path._ssm
        elif isinstance(module_or_path, _runtime.Module):
            self._ssm = module_or_path
        else:
            self._ssm = _runtime.load(module_or_path, device=device, threads=threads)
        if self.function not in self._ssm.functions:
            raise InvalidArgumentError(
                f"the module has no '{self.function}' entry (functions: "
                f"{', '.join(self._ssm.functions)}): compile it with train=True")
        self.options = dict(options or {})
        sig = self._ssm.signature[self.function]
        names = [s.name for s in sig.inputs]
        if "targets" not in names:  # pragma: no cover - a malformed module
            raise InvalidArgumentError(f"'{self.function}' has no 'targets' input")
        t = names.index("targets")
        self.has_seed = len(names) > t + 3 and names[t + 3] == "seed"
        rest = sig.inputs[t + 3 + int(self.has_seed):]
        if names[t + 1:t + 3] != ["lr", "step"] or len(rest) % 3:
            raise InvalidArgumentError(  # pragma: no cover - a malformed module
                f"'{self.function}' does not have the train step signature")
        n = len(rest) // 3
        self._data_specs = list(sig.inputs[:t])
        self._targets_spec = sig.inputs[t]
        self._state_specs = list(rest)
        self._param_specs = list(rest[:n])
        self.step_count = 0
        self._state = [self._buffer(s) for s in self._state_specs]
        self._spare = [self._buffer(s) for s in self._state_specs]
        for b in self._state:
            self._zero(b)
        self._loss = self._buffer(sig.outputs[0])
        self._scalars = [self._buffer(sig.inputs[t + 1]), self._buffer(sig.inputs[t + 2])]
        self.seed = int(seed)
        if self.has_seed:
            self._scalars.append(self._buffer(sig.inputs[t + 3], np.int32))
        # Converted once: a step passes only the batch through DLPack.
        self._bound_state = self._ssm.bind_buffers(self._state)
        self._bound_spare = self._ssm.bind_buffers(self._spare)
        self._bound_fixed = self._ssm.bind_buffers(self._scalars)
        self._bound_loss = self._ssm.bind_buffers([self._loss])
        if weights is not None:
            self.load_weights(weights)

    # -- buffers ----------------------------------------------------------

    @property
    def device(self) -> str:
        return self._ssm.device

    def _buffer(self, spec, dtype=np.float32):
        if self._ssm.on_gpu:
            import torch
            return torch.empty(tuple(spec.shape), device=self.device,
                               dtype=torch.int32 if dtype == np.int32 else torch.float32)
        return np.empty(tuple(spec.shape), dtype=dtype)

    @staticmethod
    def _zero(buffer) -> None:
        buffer[...] = 0

    def _put(self, buffer, value) -> None:
        """Copies a host array into a resident buffer."""
        if self._ssm.on_gpu:
            import torch
            buffer.copy_(torch.as_tensor(np.asarray(value)).to(buffer.dtype))
        else:
            np.copyto(buffer, np.asarray(value, dtype=buffer.dtype), casting="same_kind")

    def _get(self, buffer) -> np.ndarray:
        if self._ssm.on_gpu:
            return buffer.detach().cpu().numpy().copy()
        return np.array(buffer, copy=True)

    def _input(self, value, spec, what: str):
        """A batch input as the device buffer the entry reads."""
        if self._ssm.on_gpu:
            import torch
            t = torch.as_tensor(value).to(device=self.device, dtype=torch.float32)
            out = t.contiguous()
        else:
            if hasattr(value, "detach"):
                value = value.detach().cpu().numpy()
            out = np.ascontiguousarray(value, dtype=np.float32)
        if tuple(out.shape) != tuple(spec.shape):
            raise InvalidArgumentError(
                f"{what}: expected shape {tuple(spec.shape)}, got {tuple(out.shape)}")
        return out

    # -- parameters and state ---------------------------------------------

    @property
    def parameter_names(self) -> List[str]:
        """The official parameter names, in signature order."""
        return [s.name for s in self._param_specs]

    def named_parameters(self) -> Iterator[Tuple[str, np.ndarray]]:
        """(name, copy of the current value) pairs."""
        for s, b in zip(self._param_specs, self._state):
            yield s.name, self._get(b)

    def state_dict(self) -> Dict[str, np.ndarray]:
        """Parameters and AdamW moments (copies), by checkpoint name."""
        return {s.name: self._get(b) for s, b in zip(self._state_specs, self._state)}

    def load_weights(self, weights: Union[str, os.PathLike, Mapping[str, Any]]) -> None:
        """Sets every parameter (a .safetensors path or a mapping); the
        moments and the step count are kept."""
        if isinstance(weights, (str, os.PathLike)):
            weights = _st.load_file(os.fspath(weights))
        tensors = {k: (v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v))
                   for k, v in weights.items()}
        missing = [s.name for s in self._param_specs if s.name not in tensors]
        if missing:
            raise InvalidArgumentError(
                f"{len(missing)} parameter(s) missing: {', '.join(missing[:10])}")
        self._assign(tensors, self._param_specs)

    def _assign(self, tensors: Mapping[str, np.ndarray], specs) -> None:
        index = {s.name: i for i, s in enumerate(self._state_specs)}
        for s in specs:
            v = tensors[s.name]
            if tuple(v.shape) != tuple(s.shape):
                raise InvalidArgumentError(
                    f"'{s.name}': expected shape {tuple(s.shape)}, got {tuple(v.shape)}")
            self._put(self._state[index[s.name]], v)

    # -- stepping ---------------------------------------------------------

    def targets(self, labels) -> np.ndarray:
        """One-hot float targets of integer class labels (shape (B,))."""
        shape = tuple(self._targets_spec.shape)
        labels = np.asarray(labels.cpu() if hasattr(labels, "cpu") else labels).astype(np.int64)
        if labels.shape != shape[:1]:
            raise InvalidArgumentError(
                f"labels: expected shape {shape[:1]}, got {labels.shape}")
        out = np.zeros(shape, dtype=np.float32)
        out[np.arange(shape[0]), labels] = 1.0
        return out

    def step(self, images, targets, lr: float, seed: Optional[int] = None) -> float:
        """One training step on a batch; returns the loss (before the
        update). ``targets``: class labels (shape (B,), integers) or soft
        targets (shape (B, C), e.g. mixup / cutmix); label smoothing, if
        compiled in, is applied to either. ``lr`` may follow any schedule.
        ``seed``: the drop-path seed of this step (default ``self.seed`` +
        the step number); an error without drop path compiled in."""
        if seed is not None and not self.has_seed:
            raise InvalidArgumentError(
                "seed= needs drop path compiled in (train_options={'drop_path': rate})")
        if len(self._data_specs) != 1:  # pragma: no cover - models have one image
            raise InvalidArgumentError("step() supports one data input")
        tshape = tuple(self._targets_spec.shape)
        t = np.asarray(targets.detach().cpu() if hasattr(targets, "detach") else targets)
        if t.ndim == 1 and len(tshape) == 2:
            t = self.targets(t)
        data = [self._input(images, self._data_specs[0], "images"),
                self._input(t, self._targets_spec, "targets")]
        self.step_count += 1
        self._put(self._scalars[0], np.float32(lr))
        self._put(self._scalars[1], np.float32(self.step_count))
        if self.has_seed:
            s = self.seed + self.step_count if seed is None else int(seed)
            self._put(self._scalars[2], np.int64(s & _M32).astype(np.uint32).view(np.int32))
        inputs = data + [self._bound_fixed, self._bound_state]
        outputs = [self._bound_loss, self._bound_spare]
        try:
            self._ssm.invoke_with_buffers(self.function, inputs, outputs)
        except Exception:
            self.step_count -= 1
            raise
        self._state, self._spare = self._spare, self._state
        self._bound_state, self._bound_spare = self._bound_spare, self._bound_state
        return float(self._loss.item())

    def forward(self, images):
        """The logits of ``forward`` on the current parameters."""
        named = {s.name: b for s, b in zip(self._param_specs, self._state)}
        return self._ssm(images, function="forward", **named)

    __call__ = forward

    # -- checkpoints ------------------------------------------------------

    def save_checkpoint(self, path: Union[str, os.PathLike]) -> None:
        """Parameters (official names), AdamW moments
        (``optimizer.exp_avg.<name>``, ``optimizer.exp_avg_sq.<name>``) and
        the step (metadata ``step``) as one .safetensors file."""
        _st.save_file(self.state_dict(), os.fspath(path),
                      metadata={"step": str(self.step_count)})

    def load_checkpoint(self, path: Union[str, os.PathLike]) -> None:
        """Restores what :meth:`save_checkpoint` (or ``python3 -m
        ssmc.train``) wrote. A checkpoint without moments (plain weights)
        restarts AdamW from zero at its step."""
        tensors, meta = _st.load_file(os.fspath(path), with_metadata=True)
        params = [s for s in self._state_specs if not s.name.startswith("optimizer.")]
        missing = [s.name for s in params if s.name not in tensors]
        if missing:
            raise InvalidArgumentError(
                f"checkpoint '{path}' lacks {len(missing)} parameter(s): "
                f"{', '.join(missing[:10])}")
        self._assign(tensors, params)
        moments = [s for s in self._state_specs if s.name.startswith("optimizer.")]
        index = {s.name: i for i, s in enumerate(self._state_specs)}
        for s in moments:
            if s.name in tensors:
                self._assign(tensors, [s])
            else:
                self._zero(self._state[index[s.name]])
        self.step_count = int((meta or {}).get("step", 0))

    def __repr__(self) -> str:
        return (f"<ssmc.TrainStep {len(self._param_specs)} parameters, step "
                f"{self.step_count}, device '{self.device}'>")
