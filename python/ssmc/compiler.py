"""Compiling models and ssm IR: :func:`compile` and the model registry.

Needs the ``_ssm_compiler`` extension (LLVM/MLIR 22; built by the top-level
project). Every function here raises ImportError with build instructions when
it is missing (a runtime-only build on a GPU machine).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from numpy import float32

from . import _ext
from .errors import InvalidArgumentError

__all__ = ["compile", "models", "weight_spec", "image_shape", "preprocessing",
           "model_config", "phases", "has_compiler"]

PathLike = Union[str, "os.PathLike[str]"]

#: CompileOptions knobs accepted by compile() besides the model keys.
_COMPILER_KEYS = ("cpu", "linker", "opt_level")
_DTYPE_ALIASES = {"float32": "f32", "float": "f32", "fp32": "f32",
                  "bfloat16": "bf16", "bf16": "bf16", "f32": "f32"}


def has_compiler() -> bool:
    """Whether this build has the compiler extension."""
    return _ext.available("_ssm_compiler")


def _option_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_option_value(key, v) for v in value)
    if key == "dtype":
        name = str(value)
        for prefix in ("torch.", "<class 'numpy.", "dtype('"):
            if name.startswith(prefix):
                name = name[len(prefix):]
        name = name.rstrip("')>")
        return _DTYPE_ALIASES.get(name, name)
    return str(value)


def _option_pairs(options: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """Model options as the (key, value) strings Models.h parses; lists
    become comma lists (``dims=[48, 96]`` -> ``"48,96"``)."""
    return [(str(k), _option_value(str(k), v)) for k, v in options.items() if v is not None]


def models() -> List[str]:
    """The registered model variant names ('vim-t', 'vmamba-t', ...); empty
    if the compiler was built without the model builders. Raises ImportError
    without the compiler extension."""
    return list(_ext.compiler().variant_names())


def model_config(name: str, **options: Any) -> Dict[str, Any]:
    """The hyper-parameters of model ``name`` with the overrides applied."""
    return dict(_ext.compiler().resolve_model_config(name, _option_pairs(options)))


def weight_spec(name: str, **options: Any) -> List[Tuple[str, Tuple[int, ...]]]:
    """``[(official weight name, shape)]`` of model ``name`` with
    ``options`` (img, batch, classes, dtype, embed_dim, depth, dims, depths,
    ...), in argument order. Unknown models or options raise
    :class:`ssmc.InvalidArgumentError` (listing the known ones)."""
    return [(n, tuple(s)) for n, s in _ext.compiler().weight_specs(name, _option_pairs(options))]


def image_shape(name: str, **options: Any) -> Tuple[int, ...]:
    """The input image shape ``(B, 3, H, W)`` of model ``name``."""
    return tuple(_ext.compiler().image_shape(name, _option_pairs(options)))


def preprocessing(name: str, **options: Any) -> Dict[str, Any]:
    """Eval preprocessing of the model's official code: ``{'resize_to': 256,
    'crop': 224, 'mean': (r, g, b), 'std': (r, g, b)}`` (resize the shorter
    side bicubically, center-crop, normalize)."""
    out = dict(_ext.compiler().preprocessing(name, _option_pairs(options)))
    # The builders store float32: show the values as written (0.485, not
    # 0.48500001430511475).
    for key in ("mean", "std"):
        out[key] = tuple(float(repr(float32(v))) for v in out[key])
    return out


def phases() -> List[str]:
    """The phases compile() can stop after, in pipeline order."""
    return list(_ext.compiler().phase_names())


def _looks_like_ir(text: str) -> bool:
    return any(token in text for token in ("func.func", "module", "{", "\n", "%"))


class _WeightsFile:
    """A .safetensors path for embedding: the given path, or a temporary
    file written from a mapping (removed on exit)."""

    def __init__(self, weights: Any):
        self.path = ""
        self._tmp: Optional[str] = None
        if weights is None:
            return
        if isinstance(weights, (str, os.PathLike)):
            self.path = os.fspath(weights)
            return
        if isinstance(weights, Mapping):
            from .runtime import as_tensor
            rt = _ext.runtime()
            fd, self._tmp = tempfile.mkstemp(suffix=".safetensors", prefix="ssmc-weights-")
            os.close(fd)
            rt.write_safetensors(self._tmp, {str(k): as_tensor(v) for k, v in weights.items()})
            self.path = self._tmp
            return
        raise TypeError("weights must be a .safetensors path or a mapping name -> array, "
                        f"got {type(weights).__name__}")

    def __enter__(self) -> str:
        return self.path

    def __exit__(self, *exc: Any) -> None:
        if self._tmp:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass


def compile(model_name_or_ir: str, target: str = "cpu", output: Optional[PathLike] = None,
            weights: Union[PathLike, Mapping[str, Any], None] = None, phase: str = "artifact",
            *, cpu: str = "host", linker: str = "", opt_level: int = 3,
            return_result: bool = False, gradients: bool = False, train: bool = False,
            train_options: Optional[Mapping[str, Any]] = None, **options: Any):
    """Compiles a registered model or ssm MLIR text.

    model_name_or_ir: a name from :func:`models` ('vim-t', ...), MLIR text
        (anything with ``func.func``/``module``/braces), or a path to a
        ``.mlir`` file.
    target: "cpu", "nvptx" or "amdgpu" (GPU modules run where this runtime
        has the device; :func:`ssmc.module_info` reads them anywhere). A model
        compiled by name records its name, preprocessing and
        hyper-parameters in the module for every target
        (:attr:`ssmc.Module.model_info`).
    output: also write the result there (bytes, or text for IR phases).
    weights: a ``.safetensors`` path (or a mapping name -> array, written to
        a temporary file) whose tensors are embedded as constants for the
        entry inputs of the same name; those inputs leave the signature, so
        the module is self-contained. Each must match its input's shape and
        dtype exactly.
    phase: where to stop: 'input', 'ssm', 'loops', 'bufferized', 'llvm'
        (return IR text), 'binary' (the kernel shared object, bytes) or
        'artifact' (the .ssmb, bytes; default).
    cpu, linker, opt_level: CPU code generation ('host' or an LLVM CPU name,
        an ld.lld path, LLVM -O level).
    return_result: return the low-level CompileResult (data, is_text, stats,
        workspace_bytes, diagnostics) instead of bytes/str.
    gradients: also emit ``<f>_grad`` for every public function ``f``
        (reverse-mode autodiff of the whole graph: takes f's inputs and one
        adjoint per result, returns f's results and the gradient of every
        floating-point input); :class:`ssmc.torch.Module` trains through it.
    train: also emit ``train_step``, the fused training step of ``forward``
        (softmax cross-entropy against soft targets, backward, global-norm
        clipping, AdamW; docs/training.md). With ``phase='artifact'`` and
        no ``output``/``return_result``, returns a :class:`ssmc.TrainStep`
        (parameters and AdamW state resident in runtime buffers,
        ``.step(images, targets, lr)``, checkpoints) instead of bytes;
        ``weights`` are then its initial parameters, not embedded.
    train_options: the step's hyper-parameters: label_smoothing,
        max_grad_norm (0: no clipping), weight_decay (default 0.05), beta1,
        beta2, eps (torch.optim.AdamW's defaults).
    **options: model hyper-parameters (Models.h keys): img, batch, classes,
        dtype ('f32'|'bf16'), embed_dim, depth, patch, stride, d_state, pool,
        pool_scale, dims, depths (lists welcome), ssm_ratio, mlp_ratio,
        expansion_ratio.

    Returns the .ssmb bytes (or the IR text / binary of an earlier phase).
    Raises :class:`ssmc.CompileError` with every MLIR diagnostic (source lines
    included for text), :class:`ssmc.InvalidArgumentError` for an unknown
    model, option, phase or target, ImportError without the compiler."""
    comp = _ext.compiler()
    if not isinstance(model_name_or_ir, str):
        if isinstance(model_name_or_ir, os.PathLike):
            model_name_or_ir = os.fspath(model_name_or_ir)
        else:
            raise TypeError("compile() takes a model name, MLIR text or a .mlir path, got "
                            f"{type(model_name_or_ir).__name__}")
    source = model_name_or_ir
    source_name = "<string>"
    is_ir = _looks_like_ir(source)
    if not is_ir and source.endswith(".mlir"):
        if not os.path.isfile(source):
            raise FileNotFoundError(f"no such .mlir file: '{source}'")
        source_name = source
        with open(source, encoding="utf-8") as f:
            source = f.read()
        is_ir = True
    if is_ir and options:
        raise InvalidArgumentError(
            f"model options ({', '.join(options)}) apply to registered models, not to IR")
    train_pairs = [(str(k), _option_value(str(k), v))
                   for k, v in (train_options or {}).items()]
    if train_pairs and not train:
        raise InvalidArgumentError("train_options need train=True")
    common = dict(target=target, phase=phase, cpu=cpu, linker=linker, opt_level=opt_level,
                  gradients=bool(gradients), train=bool(train), train_options=train_pairs)
    # A train step's weights are its initial parameters, not constants.
    returns_step = bool(train) and phase == "artifact" and output is None and not return_result
    initial = weights if returns_step else None
    if returns_step:
        weights = None
    with _WeightsFile(weights) as weights_path:
        if is_ir:
            result = comp.compile_ir(source, embed_weights=weights_path,
                                     source_name=source_name, **common)
        else:
            result = comp.compile_model(source, _option_pairs(options),
                                        embed_weights=weights_path, **common)
    data = result.data.decode("utf-8") if result.is_text else bytes(result.data)
    if output is not None:
        if isinstance(data, str):
            with open(output, "w", encoding="utf-8") as f:
                f.write(data)
        else:
            with open(output, "wb") as f:
                f.write(data)
    if return_result:
        return result
    if returns_step:
        from .train_step import TrainStep
        return TrainStep(data, initial, options=dict(train_options or {}))
    return data

