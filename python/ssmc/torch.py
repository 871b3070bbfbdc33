"""PyTorch integration: a compiled module as a ``torch.nn.Module``.

:class:`Module` holds the weights as ``torch.nn.Parameter``\\ s under their
official checkpoint names (``blocks.0.mixer.A_log`` is the parameter
``A_log`` of the submodule ``blocks.0.mixer``), so ``state_dict()`` keys are
exactly the official names and ``load_state_dict(checkpoint)`` works; its
``forward`` runs the compiled code on the current parameter values and the
inputs, and returns torch tensors that share the runtime's output buffers.
The parameters share memory with what they were made from (the tensors read
from a .safetensors file, or the arrays/tensors passed as ``weights``), as
``torch.nn.Parameter(torch.from_numpy(a))`` does: clone them first to keep
the originals apart.

On the GPU: ``Module(...).cuda()`` (or ``.to("cuda:N")``) moves the
parameters with torch and loads the artifact on that GPU (it must be
compiled for nvptx); ``forward`` then reads the CUDA parameters and inputs in
place through DLPack and returns CUDA tensors, without a host round trip
(``ssmc.Module.invoke_with_buffers``). ``.cpu()`` moves it back.

Training: a module compiled with gradients (``ssmc.compile(...,
gradients=True)``, ``ssm-compile --grad``) carries ``<function>_grad``, the
whole graph's reverse-mode derivative. Its parameters then require grad, and
``forward`` under autograd is a ``torch.autograd.Function``: the compiled
forward runs on the current parameter values, and ``backward`` runs the
compiled gradient entry once and fills ``.grad`` of every parameter (and of
inputs that require grad), so an unchanged PyTorch training loop (any
optimizer, gradient accumulation) trains the compiled model. The gradient
entry recomputes the forward (nothing is saved between the two calls). A
module compiled without gradients is inference only: its parameters do not
require grad, and ``forward`` raises ``RuntimeError`` when gradient mode is
on and a parameter or an input requires grad.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

import torch
import torch.utils.dlpack

from . import runtime as _runtime
from .errors import InvalidArgumentError

__all__ = ["Module"]


_FLOAT_DTYPES = ("f32", "f64", "f16", "bf16")


class _CompiledFunction(torch.autograd.Function):
    """forward: the compiled entry; backward: its compiled ``_grad`` entry.

    apply(owner, *tensors): ``tensors`` are every input of the entry in
    signature order (parameters included)."""

    @staticmethod
    def forward(ctx, owner: "Module", *tensors: torch.Tensor):
        ctx.owner = owner
        ctx.save_for_backward(*tensors)
        outputs = owner._call(owner._function_name, [t.detach() for t in tensors], [])
        return outputs if len(outputs) > 1 else outputs[0]

    @staticmethod
    def backward(ctx, *grad_outputs: torch.Tensor):
        owner: Module = ctx.owner
        tensors = ctx.saved_tensors
        fn = owner._function_name
        results = owner._ssm.signature[fn].outputs
        adjoints = []
        for spec, g in zip(results, grad_outputs):
            if g is None:  # an output the loss does not use
                g = torch.zeros(spec.shape, dtype=torch.float32,
                                device=tensors[0].device if tensors else None)
            adjoints.append(g.detach().to(torch.float32).contiguous())
        outputs = owner._call(fn + "_grad", [t.detach() for t in tensors], adjoints)
        grads = list(outputs[len(results):])
        specs = owner._ssm.signature[fn].inputs
        floats = [i for i, spec in enumerate(specs) if spec.dtype in _FLOAT_DTYPES]
        if len(grads) != len(floats):  # pragma: no cover - a malformed module
            raise RuntimeError(
                f"'{fn}_grad' returned {len(grads)} gradients for {len(floats)} "
                "floating-point inputs")
        result: List[Optional[torch.Tensor]] = [None] * len(specs)
        for i, g in zip(floats, grads):
            if ctx.needs_input_grad[1 + i]:
                result[i] = g.to(device=tensors[i].device, dtype=tensors[i].dtype)
        return (None, *result)


class _Scope(torch.nn.Module):
    """A level of a dotted weight name (``blocks``, ``blocks.0``, ...)."""

    def forward(self, *args: Any, **kwargs: Any):  # pragma: no cover - never called
        raise RuntimeError("a parameter scope of ssmc.torch.Module is not callable")


def _to_parameter(tensor: Any, requires_grad: bool = False,
                  device: Optional[torch.device] = None) -> torch.nn.Parameter:
    """A Parameter sharing an ssmc.Tensor's (or a tensor's) memory, or a
    copy of it on ``device`` when it lives elsewhere."""
    if isinstance(tensor, torch.Tensor):
        t = tensor.detach()
    else:
        t = _runtime.to_torch(tensor)
    if device is not None and t.device != device:
        t = t.to(device)
    return torch.nn.Parameter(t, requires_grad=requires_grad and t.is_floating_point())


class Module(torch.nn.Module):
    """A compiled ssmc module as a ``torch.nn.Module`` (trainable when it
    was compiled with gradients).

    Args:
        module_or_path: an :class:`ssmc.Module`, or a ``.ssmb`` path/bytes to
            :func:`ssmc.load`.
        weights: a ``.safetensors`` path or a mapping name -> array/tensor;
            each becomes a Parameter named after it (default: the weights
            already bound in ``module_or_path``).
        function: the entry function ``forward`` runs (default: 'forward',
            or the only one).
        device, threads: passed to :func:`ssmc.load` for a path.

    ``forward(*inputs, **named)`` takes the function's inputs that are not
    parameters, in signature order (or by name), and returns a torch tensor
    (several: a tuple).
    """

    def __init__(self, module_or_path: Union["_runtime.Module", str, os.PathLike, bytes],
                 weights: Union[str, os.PathLike, Mapping[str, Any], None] = None, *,
                 function: Optional[str] = None, device: str = "cpu", threads: int = 0):
        super().__init__()
        if isinstance(module_or_path, _runtime.Module):
            ssm = module_or_path if weights is None else module_or_path.with_weights(weights)
        else:
            ssm = _runtime.load(module_or_path, device=device, weights=weights, threads=threads)
        # Plain attributes (not submodules / parameters).
        object.__setattr__(self, "_ssm", ssm)
        object.__setattr__(self, "_function_name", ssm._function(function))
        trainable = self._function_name + "_grad" in ssm.functions
        object.__setattr__(self, "_trainable", trainable)
        names: List[str] = []
        bound = ssm.weights
        # Parameters live where the module runs, so an optimizer steps them
        # there and no call copies them between host and device.
        home = None if ssm.device == "cpu" else torch.device(ssm.device)
        for spec in ssm.signature[self._function_name].inputs:
            if spec.name in bound:
                self._register_weight(spec.name,
                                      _to_parameter(bound[spec.name], trainable, home))
                names.append(spec.name)
        object.__setattr__(self, "_weight_names", names)

    def _apply(self, fn, *args, **kwargs):
        """Moves the parameters (torch), then the compiled module, to the
        device ``fn`` moves tensors to (``.cuda()``, ``.to(device)``,
        ``.cpu()``)."""
        result = super()._apply(fn, *args, **kwargs)
        current = "cpu" if self._ssm.device == "cpu" else self._ssm.device
        probe = fn(torch.empty(0, device=current))
        if isinstance(probe, torch.Tensor):
            target = _runtime._torch_device_name(probe.device)
            if target != current:
                object.__setattr__(self, "_ssm", self._ssm.to(target))
        return result

    @property
    def device(self) -> str:
        """The device the compiled module runs on ('cpu', 'cuda:0')."""
        return self._ssm.device

    def _register_weight(self, name: str, parameter: torch.nn.Parameter) -> None:
        parts = name.split(".")
        if any(not p for p in parts):
            raise InvalidArgumentError(f"weight name '{name}' has an empty component")
        scope: torch.nn.Module = self
        for part in parts[:-1]:
            child = scope._modules.get(part)
            if child is None:
                child = _Scope()
                try:
                    scope.add_module(part, child)
                except (KeyError, TypeError) as e:
                    raise InvalidArgumentError(
                        f"weight '{name}': cannot make '{part}' a submodule ({e})") from None
            elif not isinstance(child, _Scope):  # pragma: no cover - defensive
                raise InvalidArgumentError(f"weight '{name}': '{part}' is not a parameter scope")
            scope = child
        try:
            scope.register_parameter(parts[-1], parameter)
        except (KeyError, TypeError) as e:
            raise InvalidArgumentError(
                f"weight '{name}' cannot be registered as a parameter ({e})") from None

    @property
    def ssm_module(self) -> "_runtime.Module":
        """The underlying :class:`ssmc.Module`."""
        return self._ssm

    @property
    def function(self) -> str:
        """The entry function ``forward`` runs."""
        return self._function_name

    @property
    def weight_names(self) -> List[str]:
        """The official names of the parameters, in signature order."""
        return list(self._weight_names)

    def named_weights(self) -> Iterator[Tuple[str, torch.nn.Parameter]]:
        """(official name, parameter) pairs, in signature order: the same
        names as ``state_dict()`` keys."""
        params = dict(self.named_parameters())
        for name in self._weight_names:
            yield name, params[name]

    def inputs(self) -> List[Any]:
        """The TensorSpecs ``forward`` takes (the inputs that are not
        parameters)."""
        specs = self._ssm.signature[self._function_name].inputs
        return [s for s in specs if s.name not in set(self._weight_names)]

    @property
    def trainable(self) -> bool:
        """Whether the module carries the gradient entry ``<function>_grad``."""
        return self._trainable

    def _call(self, fn: str, tensors: List[torch.Tensor], adjoints: List[torch.Tensor]):
        """Runs ``fn`` on the forward entry's inputs (signature order, by
        name) followed by ``adjoints``; returns the outputs as a list."""
        specs = self._ssm.signature[self._function_name].inputs
        named = {spec.name: t for spec, t in zip(specs, tensors)}
        extra = self._ssm.signature[fn].inputs[len(specs):]
        named.update({spec.name: a for spec, a in zip(extra, adjoints)})
        out = self._ssm(function=fn, return_type="torch", **named)
        # Outputs share the runtime's buffers; clone so autograd owns them.
        out = list(out) if isinstance(out, tuple) else [out]
        return [o.clone() for o in out]

    def forward(self, *inputs: Any, **named: Any):
        wants_grad = torch.is_grad_enabled() and (
            any(p.requires_grad for _, p in self.named_weights()) or
            any(isinstance(x, torch.Tensor) and x.requires_grad
                for x in list(inputs) + list(named.values())))
        if wants_grad and self._trainable:
            params = dict(self.named_weights())
            free = iter(inputs)
            ordered = []
            for spec in self._ssm.signature[self._function_name].inputs:
                if spec.name in named:
                    x = named[spec.name]
                elif spec.name in params:
                    x = params[spec.name]
                else:
                    try:
                        x = next(free)
                    except StopIteration:
                        raise InvalidArgumentError(
                            f"'{self._function_name}' needs input '{spec.name}'") from None
                if not isinstance(x, torch.Tensor):
                    x = torch.as_tensor(x)
                ordered.append(x)
            return _CompiledFunction.apply(self, *ordered)
        if wants_grad:
            grad_params = [n for n, p in self.named_weights() if p.requires_grad]
            grad_inputs = [i for i, x in enumerate(list(inputs) + list(named.values()))
                           if isinstance(x, torch.Tensor) and x.requires_grad]
            what = (f"parameters {grad_params[:5]}" if grad_params else
                    f"input(s) {grad_inputs}")
            raise RuntimeError(
                "this ssmc.torch.Module is inference-only (compiled without gradients: "
                "ssmc.compile(..., gradients=True) or ssm-compile --grad makes it "
                f"trainable), but {what} require grad. Run it under torch.no_grad() or "
                "torch.inference_mode(), or set requires_grad=False.")
        args: Dict[str, Any] = {name: p.detach() for name, p in self.named_weights()}
        args.update(named)
        return self._ssm(*inputs, function=self._function_name, return_type="torch", **args)

    def extra_repr(self) -> str:
        sig = self._ssm.signature[self._function_name]
        return f"function={self._function_name!r}, signature='{sig}'"
