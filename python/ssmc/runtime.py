"""Loading and running compiled ``.ssmb`` modules: :func:`load` and :class:`Module`.

Inputs may be NumPy arrays, ``torch.Tensor``\\ s, any object with
``__dlpack__`` on the CPU, :class:`ssmc.Tensor`\\ s, or (converted with the
signature's dtype) Python scalars and lists. C-contiguous arrays and CPU
tensors are read in place, without a copy. NumPy has no bfloat16: a bf16 input
is passed as a ``uint16`` array of bit patterns (:func:`ssmc.float32_to_bf16`)
or as a ``torch.bfloat16`` tensor, and bf16 outputs come back to NumPy the
same way (to torch as ``torch.bfloat16``).

Outputs are runtime-owned buffers handed over without a copy: as NumPy arrays
(default), torch tensors (``return_type="torch"``, through DLPack) or
:class:`ssmc.Tensor` objects (``return_type="tensor"``, or
:meth:`Module.call_dlpack`) that any DLPack consumer can import.

On a GPU (``load(..., device="cuda:0")``, a runtime built with
``SSM_ENABLE_CUDA``): NumPy / CPU inputs are uploaded and the outputs
downloaded per call as above; when any input is a CUDA torch tensor the call
stays on the device instead: CUDA inputs are read in place through DLPack,
host inputs and the bound weights are copied to the device (the weights once,
then cached), the outputs are allocated with torch on the device and written
in place (``Module.invoke_with_buffers``), and come back as CUDA torch tensors
(``return_type="torch"``, no host round trip). Repeated calls replay a CUDA
graph of the schedule (see ``SSMRT_CUDA_GRAPHS`` in the runtime).
"""

from __future__ import annotations

import os
import threading
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _ext
from .errors import InvalidArgumentError
from .safetensors_io import bf16_to_float32, float32_to_bf16

__all__ = ["Module", "load", "available_devices", "as_tensor"]

PathLike = Union[str, "os.PathLike[str]"]
Weights = Union[PathLike, Mapping[str, Any], None]

_RETURN_TYPES = ("numpy", "torch", "tensor")
_FLOAT_DTYPES = ("f32", "f16", "bf16", "f64")

_instances: Dict[int, Any] = {}
_instances_lock = threading.Lock()


def _instance(threads: int):
    """The shared runtime Instance (thread pool) for a thread count."""
    if not isinstance(threads, int) or threads < 0:
        raise InvalidArgumentError(f"threads must be a non-negative int, got {threads!r}")
    with _instances_lock:
        inst = _instances.get(threads)
        if inst is None:
            inst = _ext.runtime().Instance(threads)
            _instances[threads] = inst
        return inst


def available_devices() -> List[str]:
    """Device names this runtime build can open (``['cpu']``)."""
    return list(_ext.runtime().Instance.available_devices())


def _is_torch_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "requires_grad") \
        and hasattr(value, "is_contiguous")


def _type_string(shape: Sequence[int], dtype: str) -> str:
    return "x".join([str(d) for d in shape] + [dtype])


def _describe(value: Any) -> str:
    """'1x3xf32'-style description of an input, for errors."""
    try:
        if _is_torch_tensor(value):
            return f"torch.Tensor {tuple(value.shape)} {value.dtype}"
        if isinstance(value, np.ndarray):
            return f"numpy.ndarray {value.shape} {value.dtype}"
    except Exception:  # pragma: no cover - description only
        pass
    return type(value).__name__


def as_tensor(value: Any, spec: Any = None):
    """Converts an input value to something the runtime reads in place.

    NumPy arrays are made C-contiguous and native-endian (copied only if they
    are not); torch tensors are detached, made contiguous and checked to be
    on the CPU, then read through DLPack; objects with ``__dlpack__`` and
    :class:`ssmc.Tensor` pass through. Anything else (scalars, lists) is
    converted with ``spec``'s dtype when a spec (a TensorSpec) is given."""
    rt = _ext.runtime()
    if isinstance(value, rt.Tensor):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.byteorder == ">":
            value = value.astype(value.dtype.newbyteorder("="))
        if not value.flags.c_contiguous:
            value = np.asarray(value, order="C")
        return value
    if _is_torch_tensor(value):
        t = value.detach() if value.requires_grad else value
        if t.device.type != "cpu":
            raise InvalidArgumentError(
                f"a tensor on device '{t.device}' was passed; this module reads host "
                "memory: pass tensor.cpu()")
        if not t.is_contiguous():
            t = t.contiguous()
        if str(t.dtype) == "torch.bool":  # torch 1.x exports bool as uint8 via DLPack
            return t.numpy()
        if getattr(t, "is_conj", None) is not None and t.is_conj():
            t = t.resolve_conj()
        return t
    if hasattr(value, "__dlpack__"):
        return value
    if spec is None:
        return np.asarray(value, order="C")
    if spec.dtype == "bf16":
        return np.asarray(float32_to_bf16(value))
    return np.asarray(value, dtype=spec.numpy_dtype, order="C")


_TORCH_DTYPES = {"f32": "float32", "f16": "float16", "bf16": "bfloat16", "f64": "float64",
                 "i32": "int32", "i64": "int64", "i8": "int8", "ui8": "uint8", "i1": "bool"}


def _torch_dtype(dtype: str):
    import torch
    return getattr(torch, _TORCH_DTYPES[dtype])


def _order_torch_work(device: str) -> None:
    """Orders the work pending on torch's current stream of ``device`` before
    a runtime call, once (the runtime's stream follows the legacy default
    stream), instead of once per tensor in its DLPack export: a train step
    passes ~1,800 parameter and moment buffers, and a stream-ordered export
    each cost a Vim-T step 76 ms of host time with the GPU idle (H100)."""
    import torch
    current = torch.cuda.current_stream(device)
    default = torch.cuda.default_stream(device)
    if current != default:
        default.wait_stream(current)


def _is_gpu_tensor(value: Any) -> bool:
    return _is_torch_tensor(value) and value.device.type == "cuda"


def _torch_device_name(device) -> str:
    """'cuda:N' for a torch device ('cuda' = the current device)."""
    import torch
    device = torch.device(device)
    if device.type == "cuda" and device.index is None:
        return f"cuda:{torch.cuda.current_device()}"
    return str(device)


def _on_device(value: Any, spec: Any, device: str, what: str):
    """``value`` as a C-contiguous torch tensor of ``spec``'s dtype on the GPU
    ``device`` (copied there from the host if needed; a CUDA tensor on
    another GPU or of another dtype is an error)."""
    import torch
    want = _torch_dtype(spec.dtype)
    if _is_torch_tensor(value):
        t = value.detach() if value.requires_grad else value
        # The common case (a parameter or input already in place) quickly.
        if t.is_cuda and t.dtype == want and t.is_contiguous() and \
                f"cuda:{t.get_device()}" == device and tuple(t.shape) == tuple(spec.shape):
            return t
        if t.device.type == "cuda" and _torch_device_name(t.device) != device:
            raise InvalidArgumentError(
                f"{what} is on {t.device}, but the module runs on {device}: move it there "
                f"(tensor.to('{device}'))")
        if t.dtype != want:
            raise InvalidArgumentError(
                f"{what}: expected dtype {want} ({spec.type}), got {t.dtype} "
                f"with shape {tuple(t.shape)}")
        if tuple(t.shape) != tuple(spec.shape):
            raise InvalidArgumentError(
                f"{what}: expected shape {tuple(spec.shape)} ({spec.type}), got "
                f"{tuple(t.shape)}")
        return t.to(device).contiguous()
    rt = _ext.runtime()
    if isinstance(value, rt.Tensor):
        host = to_torch(value)
    else:
        array = as_tensor(value, spec)
        host = to_torch(rt.Tensor.from_object(array)) if not _is_torch_tensor(array) else array
    if host.dtype != want and spec.dtype == "bf16" and \
            host.dtype in (torch.int16, getattr(torch, "uint16", torch.int16)):
        host = host.view(torch.bfloat16)
    return _on_device(host, spec, device, what)


def _to_numpy_float(tensor) -> np.ndarray:
    """float64/32 NumPy values of a float ssmc.Tensor (bf16 decoded)."""
    array = tensor.numpy()
    if tensor.dtype == "bf16":
        return bf16_to_float32(array)
    return array


def _cast_weight(tensor, dtype: str):
    """A float ssmc.Tensor converted to another float dtype (copy)."""
    rt = _ext.runtime()
    values = _to_numpy_float(tensor)
    if dtype == "bf16":
        out = np.asarray(float32_to_bf16(values.astype(np.float32)))
    else:
        out = values.astype(rt.numpy_dtype(dtype))
    return rt.Tensor.from_object(np.ascontiguousarray(out))


def _weight_tensors(weights: Weights) -> Dict[str, Any]:
    """name -> ssmc.Tensor from a .safetensors path or a mapping."""
    rt = _ext.runtime()
    if weights is None:
        return {}
    if isinstance(weights, (str, os.PathLike)):
        tensors, _metadata = rt.read_safetensors(os.fspath(weights))
        return dict(tensors)
    if isinstance(weights, Mapping):
        out = {}
        for name, value in weights.items():
            try:
                out[str(name)] = rt.Tensor.from_object(as_tensor(value))
            except InvalidArgumentError as e:
                raise InvalidArgumentError(f"weight '{name}': {e}") from None
        return out
    raise TypeError("weights must be a .safetensors path or a mapping name -> array/tensor, "
                    f"got {type(weights).__name__}")


class Module:
    """A compiled ``.ssmb`` module loaded on a device; create with :func:`load`.

    Call it like a function: ``y = module(x)`` runs ``forward`` (or the only
    function) on NumPy arrays / torch tensors and returns NumPy arrays; one
    output is returned as is, several as a tuple. Inputs bound from
    ``weights`` at load time are filled in automatically, so the call takes
    only the remaining ones (typically just the image); any input may also be
    given by its signature name as a keyword argument.

    Calls are thread-safe and release the GIL while the module runs.
    """

    def __init__(self, runtime_module: Any, weights: Weights = None, *, source: Any = None,
                 threads: int = 0):
        """Wraps a low-level ``_ssm_runtime.Module``; prefer :func:`load`.
        ``source`` (the .ssmb path or bytes) lets :meth:`to` load it on
        another device."""
        self._rt = runtime_module
        self._source = source
        self._threads = threads
        self._functions: List[str] = list(runtime_module.functions)
        self._signatures = {fn: runtime_module.signature(fn) for fn in self._functions}
        self._weights: Dict[str, Any] = {}
        self._bound: Dict[str, Dict[int, Any]] = {fn: {} for fn in self._functions}
        # Device copies of the bound weights (GPU calls), made on first use.
        self._device_bound: Dict[str, Dict[int, Any]] = {fn: {} for fn in self._functions}
        if weights is not None:
            self._bind(_weight_tensors(weights))

    # -- weights ----------------------------------------------------------

    def _bind(self, tensors: Dict[str, Any]) -> None:
        names = {spec.name for sig in self._signatures.values() for spec in sig.inputs}
        unknown = sorted(n for n in tensors if n not in names)
        if unknown:
            listed = ", ".join(repr(n) for n in unknown[:20])
            more = f" (and {len(unknown) - 20} more)" if len(unknown) > 20 else ""
            inputs = "; ".join(f"{fn}({', '.join(s.name for s in sig.inputs)})"
                               for fn, sig in self._signatures.items())
            raise InvalidArgumentError(
                f"{len(unknown)} weight(s) match no input of any function: {listed}{more}. "
                f"Inputs: {inputs}")
        # A weight binds every input of its name whose shape matches (float
        # weights are cast to the input's float dtype); a weight that binds
        # nowhere although its name exists is an error.
        bound_names = set()
        mismatches: Dict[str, List[str]] = {}
        converted: Dict[Tuple[str, str], Any] = {}
        for fn, sig in self._signatures.items():
            for i, spec in enumerate(sig.inputs):
                tensor = tensors.get(spec.name)
                if tensor is None:
                    continue
                same_shape = tuple(tensor.shape) == tuple(spec.shape)
                castable = tensor.dtype in _FLOAT_DTYPES and spec.dtype in _FLOAT_DTYPES
                if not same_shape or (tensor.dtype != spec.dtype and not castable):
                    mismatches.setdefault(spec.name, []).append(
                        f"'{spec.name}': expected {spec.type}, got "
                        f"{_type_string(tensor.shape, tensor.dtype)}"
                        + (f" (function '{fn}')" if len(self._signatures) > 1 else ""))
                    continue
                if tensor.dtype != spec.dtype:
                    key = (spec.name, spec.dtype)
                    if key not in converted:
                        converted[key] = _cast_weight(tensor, spec.dtype)
                    tensor = converted[key]
                self._bound[fn][i] = tensor
                self._weights.setdefault(spec.name, tensor)
                bound_names.add(spec.name)
        bad = [m for name, ms in mismatches.items() if name not in bound_names for m in ms]
        if bad:
            raise InvalidArgumentError(
                f"{len(bad)} weight(s) do not match their input: " + "; ".join(bad))

    def with_weights(self, weights: Weights) -> "Module":
        """A Module sharing this one's loaded code, with ``weights`` (a
        .safetensors path or a mapping) bound on top of this one's."""
        other = Module(self._rt, source=self._source, threads=self._threads)
        merged = dict(self._weights)
        merged.update(_weight_tensors(weights))
        other._bind(merged)
        return other

    def to(self, device: str) -> "Module":
        """This module on another device ('cpu', 'cuda:N'): itself if it is
        already there, else the same artifact loaded there, with the same
        weights bound. Needs the artifact's path or bytes (modules made by
        :func:`load` keep them)."""
        device = _torch_device_name(device) if not isinstance(device, str) or \
            device == "cuda" else device
        if device == self.device or (device == "cpu:0" and self.device == "cpu"):
            return self
        if self._source is None:
            raise InvalidArgumentError(
                "this Module does not know its artifact (it was not made by ssmc.load): "
                f"load it with ssmc.load(..., device='{device}')")
        other = load(self._source, device=device, threads=self._threads)
        if self._weights:
            other._bind(dict(self._weights))
        return other

    @property
    def weights(self) -> Dict[str, Any]:
        """The bound weights: name -> :class:`ssmc.Tensor` (float weights are
        already in the signature's dtype)."""
        return dict(self._weights)

    # -- introspection ----------------------------------------------------

    @property
    def functions(self) -> List[str]:
        """Entry function names, in artifact order."""
        return list(self._functions)

    @property
    def signature(self) -> Dict[str, Any]:
        """function name -> FunctionSignature (``.inputs`` / ``.outputs``: lists
        of TensorSpec with ``name``, ``shape``, ``dtype``)."""
        return dict(self._signatures)

    def inputs(self, function: Optional[str] = None) -> List[Any]:
        """The TensorSpecs a call must supply: the inputs of ``function`` not
        bound by weights, in call order."""
        fn = self._function(function)
        bound = self._bound[fn]
        return [s for i, s in enumerate(self._signatures[fn].inputs) if i not in bound]

    def peak_bytes(self, function: Optional[str] = None) -> int:
        """Most bytes the runtime allocates at once while running ``function``
        (outputs included, caller inputs not), from the static memory plan."""
        return self._rt.peak_bytes(self._function(function))

    def memory_plan(self, function: Optional[str] = None):
        """The static MemoryPlan of ``function``."""
        return self._rt.memory_plan(self._function(function))

    @property
    def device(self) -> str:
        """The device name ('cpu', 'cuda:0')."""
        return self._rt.device.name

    @property
    def on_gpu(self) -> bool:
        """True when the module runs on a GPU ('cuda:N', 'hip:N')."""
        return self.device != "cpu"

    def execution_stats(self, function: Optional[str] = None) -> Dict[str, Any]:
        """How the GPU runs of ``function`` went: plain_runs, graph_captures,
        graph_replays, capture_failures, last_capture_failure."""
        return self._rt.execution_stats(self._function(function))

    @property
    def path(self) -> str:
        """The file it was loaded from ('' for bytes)."""
        return self._rt.path

    @property
    def compiler_version(self) -> str:
        """The compiler version recorded in the artifact."""
        return self._rt.compiler_version

    @property
    def model_info(self) -> Optional[Dict[str, Any]]:
        """What the compiler recorded about the model (for a model compiled
        by name, any target): ``{'name': 'vim-t', 'family': 'vim',
        'preprocessing': {'resize_to', 'crop', 'mean', 'std'} (as
        :func:`ssmc.preprocessing` gives them), 'properties': {'img': '224',
        ...}}``; None for modules compiled from IR."""
        return _model_info(self._rt.model_info)

    @property
    def runtime_module(self):
        """The low-level ``_ssm_runtime.Module``."""
        return self._rt

    def __repr__(self) -> str:
        where = f" '{self.path}'" if self.path else ""
        bound = f", {len(self._weights)} weights bound" if self._weights else ""
        return f"<ssmc.Module{where} functions={self._functions} device='{self.device}'{bound}>"

    # -- calling ----------------------------------------------------------

    def _function(self, function: Optional[str]) -> str:
        if function is None:
            if "forward" in self._signatures:
                return "forward"
            if len(self._functions) == 1:
                return self._functions[0]
            raise InvalidArgumentError(
                "the module has several functions and none is 'forward': pass "
                f"function= one of {', '.join(self._functions)}")
        if function not in self._signatures:
            raise InvalidArgumentError(
                f"no function '{function}' in the module (functions: {', '.join(self._functions)})")
        return function

    def _arguments(self, fn: str, inputs: Sequence[Any], named: Mapping[str, Any],
                   convert=None) -> List[Any]:
        """The input slots of a call. ``convert(value, spec, what)`` turns a
        given value into what the runtime reads (default: as_tensor, host
        memory); bound weights fill the other slots (``convert`` set: their
        cached device copies)."""
        sig = self._signatures[fn]
        specs = sig.inputs
        slots: List[Any] = [None] * len(specs)
        on_device = convert is not None
        if not on_device:
            def convert(value, spec, what):
                return as_tensor(value, spec)
            for i, tensor in self._bound[fn].items():
                slots[i] = tensor
        index = {s.name: i for i, s in enumerate(specs)}
        given = set()
        for name, value in named.items():
            if name not in index:
                raise InvalidArgumentError(
                    f"'{fn}' has no input named '{name}' (inputs: {', '.join(s.name for s in specs)})")
            i = index[name]
            slots[i] = convert(value, specs[i], f"input '{name}' of '{fn}'")
            given.add(i)
        free = [i for i in range(len(specs)) if i not in self._bound[fn] and i not in given]
        if len(inputs) != len(free):
            expected = ", ".join(f"{specs[i].name}: {specs[i].type}" for i in free) or "none"
            extra = ""
            nbound = len(set(self._bound[fn]) - given)
            if nbound:
                extra += f" ({nbound} more bound by weights)"
            if given:
                extra += f" ({len(given)} given by name)"
            missing = ""
            if len(inputs) < len(free):
                missing = " missing: " + ", ".join(specs[i].name for i in free[len(inputs):]) + ";"
            raise InvalidArgumentError(
                f"'{fn}' takes {len(free)} positional input(s){extra}, got {len(inputs)}:"
                f"{missing} expected ({expected})")
        if on_device:
            # Device copies of the bound weights not given by name, made once.
            cache = self._device_bound[fn]
            for i, tensor in self._bound[fn].items():
                if i in given:
                    continue
                if i not in cache:
                    cache[i] = convert(tensor, specs[i], f"weight '{specs[i].name}'")
                slots[i] = cache[i]
        for i, value in zip(free, inputs):
            what = f"input '{specs[i].name}' of '{fn}'"
            try:
                slots[i] = convert(value, specs[i], what)
            except InvalidArgumentError as e:
                if str(e).startswith(what):
                    raise
                raise InvalidArgumentError(f"{what}: {e}") from None
        return slots

    def invoke(self, function: Optional[str], inputs: Sequence[Any]) -> List[Any]:
        """Runs ``function`` on ``inputs``, which are all of its inputs in
        signature order (weights bound at load time are not filled in);
        returns the outputs as a list of :class:`ssmc.Tensor`."""
        fn = self._function(function)
        specs = self._signatures[fn].inputs
        args = [as_tensor(v, specs[i] if i < len(specs) else None) for i, v in enumerate(inputs)]
        return self._rt.invoke(fn, args)

    def _run(self, inputs: Sequence[Any], function: Optional[str], named: Mapping[str, Any]):
        fn = self._function(function)
        return self._rt.invoke(fn, self._arguments(fn, inputs, named))

    def _wants_device_call(self, inputs: Sequence[Any], named: Mapping[str, Any]) -> bool:
        """A call stays on the GPU when the module runs on one and an input
        is a CUDA tensor; a CUDA tensor given to a CPU module is an error."""
        gpu = [v for v in list(inputs) + list(named.values()) if _is_gpu_tensor(v)]
        if gpu and not self.on_gpu:
            raise InvalidArgumentError(
                f"a tensor on {gpu[0].device} was passed, but the module runs on "
                f"'{self.device}': load it with ssmc.load(..., device='{gpu[0].device}') "
                "(or module.to(...)), or pass tensor.cpu()")
        return bool(gpu) and self.on_gpu

    def _run_on_device(self, inputs: Sequence[Any], function: Optional[str],
                       named: Mapping[str, Any], poison: bool = False,
                       graphs: Optional[bool] = None) -> List[Any]:
        """Runs on the GPU with device buffers: inputs in place, outputs
        allocated with torch on the device and written in place."""
        import torch
        fn = self._function(function)
        device = self.device
        slots = self._arguments(
            fn, inputs, named, convert=lambda v, spec, what: _on_device(v, spec, device, what))
        outputs = [torch.empty(tuple(spec.shape), dtype=_torch_dtype(spec.dtype), device=device)
                   for spec in self._signatures[fn].outputs]
        _order_torch_work(device)
        self._rt.invoke_with_buffers(fn, slots, outputs, poison=poison, graphs=graphs,
                                     sync_streams=False)
        return outputs

    def invoke_with_buffers(self, function: Optional[str], inputs: Sequence[Any],
                            outputs: Sequence[Any], poison: bool = False,
                            graphs: Optional[bool] = None) -> None:
        """Runs ``function`` on caller buffers of the module's device: all
        of its inputs in signature order (read in place) and one buffer per
        output (written in place). On 'cuda:N': CUDA torch tensors (or any
        DLPack tensors) on that GPU, C-contiguous, of the signature's dtype
        and shape; on 'cpu': NumPy arrays or CPU tensors. Errors name the
        buffer (wrong device, dtype, shape, non-contiguous, overlapping).
        An element of ``inputs`` or ``outputs`` may be what
        :meth:`bind_buffers` returned: it stands for its buffers, in order.
        graphs: None follows $SSMRT_CUDA_GRAPHS."""
        if self.on_gpu:
            _order_torch_work(self.device)
        self._rt.invoke_with_buffers(self._function(function), list(inputs), list(outputs),
                                     poison=poison, graphs=graphs, sync_streams=not self.on_gpu)

    def bind_buffers(self, buffers: Sequence[Any]):
        """Converts caller buffers of the module's device once, for any
        number of :meth:`invoke_with_buffers` calls (a train step's resident
        parameters and moments): the result stands for them, in order,
        inside an input or output list. The buffers must stay where they are
        (written in place, not replaced) while the result is used."""
        return self._rt.bind_buffers(list(buffers))

    def call_dlpack(self, *inputs: Any, function: Optional[str] = None, **named: Any):
        """Like ``__call__`` but returns :class:`ssmc.Tensor` outputs, which
        export ``__dlpack__`` (zero-copy into torch, JAX, CuPy, NumPy
        >= 1.22 ``from_dlpack``...)."""
        return _unpack(self._run(inputs, function, named))

    def __call__(self, *inputs: Any, function: Optional[str] = None,
                 return_type: str = "numpy", **named: Any):
        """Runs ``function`` (default: 'forward', or the only function).

        Positional inputs fill the inputs not bound by weights, in signature
        order; keyword inputs are matched by signature name (and override
        bound weights). Inputs must match the signature's shapes and dtypes
        exactly: errors name the input and show expected and actual types.

        return_type: "numpy" (default), "torch" (torch tensors sharing the
        runtime's buffers through DLPack) or "tensor" (:class:`ssmc.Tensor`).
        Returns one output as is, several as a tuple."""
        if return_type not in _RETURN_TYPES:
            raise InvalidArgumentError(
                f"return_type must be one of {', '.join(_RETURN_TYPES)}, got {return_type!r}")
        if self._wants_device_call(inputs, named):
            outputs = self._run_on_device(inputs, function, named)
            if return_type == "torch":
                return _unpack(outputs)
            rt = _ext.runtime()
            host = [rt.Tensor.from_object(o.cpu()) for o in outputs]
            if return_type == "numpy":
                return _unpack([t.numpy() for t in host])
            return _unpack(host)
        outputs = self._run(inputs, function, named)
        if return_type == "numpy":
            return _unpack([t.numpy() for t in outputs])
        if return_type == "torch":
            return _unpack([to_torch(t) for t in outputs])
        return _unpack(outputs)


def _unpack(values: List[Any]):
    return values[0] if len(values) == 1 else tuple(values)


def to_torch(tensor):
    """A torch tensor sharing an :class:`ssmc.Tensor`'s memory (DLPack; bool
    through NumPy, which torch 1.x's DLPack lacks)."""
    import torch
    import torch.utils.dlpack

    if tensor.dtype == "i1":
        return torch.from_numpy(tensor.numpy())
    return torch.utils.dlpack.from_dlpack(tensor)


def _model_info(info: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The extension's model_info dict with mean / std shown as written
    (0.485, not the float32 value 0.48500001430511475)."""
    if info is None or info.get("preprocessing") is None:
        return info
    pre = dict(info["preprocessing"])
    for key in ("mean", "std"):
        pre[key] = tuple(float(repr(np.float32(v))) for v in pre[key])
    return dict(info, preprocessing=pre)


def format_versions() -> Tuple[int, int]:
    """The ``.ssmb`` format versions this runtime reads, oldest and newest;
    the compiler built with it writes the newest (``module_info(...)
    ['format_version']``)."""
    rt = _ext.runtime()
    return rt.MIN_FORMAT_VERSION, rt.FORMAT_VERSION


def module_info(path_or_bytes: Union[PathLike, bytes, bytearray, memoryview]) -> Dict[str, Any]:
    """What a ``.ssmb`` declares, validated like :func:`load` but without
    loading it on a device (a module compiled for a GPU can be inspected on a
    machine without one): ``{'format_version', 'compiler_version',
    'functions': [FunctionSignature], 'model_info': dict or None (see
    :attr:`Module.model_info`), 'kernel_objects': [{'target', 'format',
    'chip', 'size'}], 'memory_plans': {function: MemoryPlan, or None where
    its schedule is invalid}}`` (the plans :meth:`Module.memory_plan`
    gives, here also for a GPU module on a machine without the GPU).
    Corrupt bytes raise :class:`ssmc.DataLossError`."""
    rt = _ext.runtime()
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        info = rt.inspect_module(path_or_bytes)
    elif isinstance(path_or_bytes, (str, os.PathLike)):
        info = rt.inspect_module(os.fspath(path_or_bytes))
    else:
        raise TypeError("module_info() takes a .ssmb path or bytes, got "
                        f"{type(path_or_bytes).__name__}")
    info["model_info"] = _model_info(info["model_info"])
    return info


def load(path_or_bytes: Union[PathLike, bytes, bytearray, memoryview], device: str = "cpu",
         weights: Weights = None, threads: int = 0) -> Module:
    """Loads a compiled module.

    path_or_bytes: a ``.ssmb`` path or its bytes (e.g. from :func:`ssmc.compile`).
    device: "cpu" (or "cpu:0"), or "cuda:N" with a runtime built with
        SSM_ENABLE_CUDA and an artifact compiled with target="nvptx"; a GPU
        this runtime cannot drive (not built in, no driver, no such GPU)
        raises :class:`ssmc.DeviceUnavailableError`; unknown names raise
        InvalidArgumentError. See the module docstring for GPU calls.
    weights: a ``.safetensors`` path or a mapping name -> array/tensor. Each
        weight binds the inputs of the same signature name and shape, in
        every function that has one, so calls pass only the other inputs.
        Names that match no input, or match only inputs of another shape or
        a non-float dtype, raise InvalidArgumentError listing them; float
        weights are cast to the input's float dtype (e.g. f32 -> bf16).
    threads: size of the CPU thread pool; 0 = $SSMRT_NUM_THREADS or all
        hardware threads. Modules loaded with the same count share a pool.

    Corrupt or truncated bytes raise :class:`ssmc.DataLossError`; a missing
    file raises :class:`ssmc.NotFoundError`."""
    rt = _ext.runtime()
    if not isinstance(device, str):
        raise TypeError(f"device must be a string like 'cpu' or 'cuda:0', got {type(device).__name__}")
    dev = _instance(threads).open_device(device)
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        module = rt.Module.from_bytes(dev, path_or_bytes)
        source: Any = bytes(path_or_bytes)
    elif isinstance(path_or_bytes, (str, os.PathLike)):
        source = os.fspath(path_or_bytes)
        module = rt.Module.load(dev, source)
    else:
        raise TypeError("load() takes a .ssmb path or bytes, got "
                        f"{type(path_or_bytes).__name__}")
    return Module(module, weights, source=source, threads=threads)
