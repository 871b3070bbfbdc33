"""Convert official Vim / VMamba / FastVim / MambaOut checkpoints to safetensors.

Command line (run with python/ on ``sys.path``)::

    /usr/bin/python3 -m ssmc.convert SRC DST.safetensors --model vim-t \\
        [--img 224 --classes 1000 ...] [--dtype f32|bf16] [--ema]

SRC is a PyTorch ``.pth``/``.pt``/``.ckpt``/``.bin`` file (needs torch) or a
``.safetensors`` file.  The steps, each also a function here:

1. :func:`load_state_dict`: read the file; unwrap the container (``model``,
   ``state_dict``, ``module``; ``model_ema``/``state_dict_ema`` first with
   ``prefer_ema``); strip wrapper prefixes (``module.``, ``_orig_mod.``,
   ``backbone.``, ``model.``, ``ema.module.``).  A Lightning ``state_dict``
   holding both ``backbone.*`` and ``ema.module.*`` gives the backbone, or the
   EMA copy with ``prefer_ema``.
2. :func:`convert`: rename legacy names (VMamba: ``patch_embed.proj`` ->
   ``patch_embed.0`` ...; MambaOut timm names -> original names,
   docs/semantics.md §7.4), reshape VMamba ``[E, C, 1, 1]`` 1x1-conv weights to the expected
   ``[E, C]``, drop bookkeeping entries (``num_batches_tracked``, integer
   buffers) that are not expected, validate names and shapes against the
   expected spec (a :class:`WeightError` lists every missing, unexpected and
   mis-shaped tensor at once), cast to float32 or bfloat16 (round to
   nearest even).
3. :func:`ssmc.safetensors_io.save_file` writes the result.

The expected spec comes from ``ssmc.weight_spec(model, **options)`` (the
compiler's Python binding) when ``import ssmc`` provides it, else from
``ssmc.reference_models.weight_spec``, else the file is converted
without validation (said on stderr).  Official shapes are kept as they are
(e.g. Vim's conv1d weights stay ``[E, 1, 4]``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .safetensors_io import (BF16Array, SafetensorsError, bf16_to_float32, float32_to_bf16,
                             load_file, save_file)

__all__ = [
    "WeightError", "load_state_dict", "unwrap_container", "strip_prefixes", "convert",
    "expected_spec", "convert_file", "rename_vmamba_legacy", "rename_mambaout_timm", "main",
]

Spec = List[Tuple[str, Tuple[int, ...]]]

CONTAINER_KEYS = ("model", "state_dict", "module")
EMA_CONTAINER_KEYS = ("model_ema", "state_dict_ema")
EMA_PREFIX = "ema.module."
WRAPPER_PREFIXES = ("module.", "_orig_mod.", "ema.module.", "backbone.", "model.")
DTYPES = ("f32", "bf16")


class WeightError(ValueError):
    """The checkpoint does not match the expected weights.

    ``missing``: [(name, expected shape)], ``unexpected``: [(name, shape)],
    ``mismatched``: [(name, expected shape, got shape)]; the message lists
    all of them."""

    def __init__(self, missing: Sequence[Tuple[str, Tuple[int, ...]]] = (),
                 unexpected: Sequence[Tuple[str, Tuple[int, ...]]] = (),
                 mismatched: Sequence[Tuple[str, Tuple[int, ...], Tuple[int, ...]]] = (),
                 context: str = ""):
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.mismatched = list(mismatched)
        head = "checkpoint does not match the expected weights"
        if context:
            head += f" of {context}"
        counts = (f"{len(self.missing)} missing, {len(self.unexpected)} unexpected, "
                  f"{len(self.mismatched)} with the wrong shape")
        lines = [f"{head}: {counts}"]
        for name, shape in self.missing:
            lines.append(f"  missing:    {name}  expected {list(shape)}")
        for name, shape in self.unexpected:
            lines.append(f"  unexpected: {name}  shape {list(shape)}")
        for name, exp, got in self.mismatched:
            lines.append(f"  shape:      {name}  expected {list(exp)}, got {list(got)}")
        super().__init__("\n".join(lines))


def _note(notes: Optional[List[str]], msg: str) -> None:
    if notes is not None:
        notes.append(msg)


def _is_tensor(v: Any) -> bool:
    if isinstance(v, np.ndarray):
        return True
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(v, torch.Tensor)


def _shape(v: Any) -> Tuple[int, ...]:
    return tuple(int(s) for s in v.shape)


# ----------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------


def _torch_load(path: str, notes: Optional[List[str]]):
    try:
        import torch
    except ImportError:
        raise RuntimeError(
            f"{path}: reading a PyTorch checkpoint needs torch, which is not installed "
            "(Debian: apt-get install python3-torch); a .safetensors source needs only "
            "numpy") from None
    import pickle
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:          # a torch without weights_only
        pass
    except (pickle.UnpicklingError, RuntimeError, AttributeError, ValueError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        _note(notes, f"{os.path.basename(path)} holds more than tensors ({first[:120]}); "
                     "loaded with full unpickling: only convert files you trust")
    return torch.load(path, map_location="cpu")


def unwrap_container(obj: Any, prefer_ema: bool = False,
                     notes: Optional[List[str]] = None) -> Dict[str, Any]:
    """Finds the state dict inside a checkpoint object.

    Looks (recursively) under ``model``, ``state_dict``, ``module``, with
    ``model_ema``/``state_dict_ema`` tried first when ``prefer_ema`` and
    last otherwise; a mapping holding none of those keys is the state dict.
    Raises ValueError when no mapping of tensors is found."""
    seen = []
    while True:
        if not isinstance(obj, Mapping):
            raise ValueError(f"checkpoint holds a {type(obj).__name__}, not a state dict")
        order = (EMA_CONTAINER_KEYS + CONTAINER_KEYS if prefer_ema
                 else CONTAINER_KEYS + EMA_CONTAINER_KEYS)
        key = next((k for k in order if isinstance(obj.get(k), Mapping)), None)
        if key is None:
            break
        seen.append(key)
        obj = obj[key]
    if not any(_is_tensor(v) for v in obj.values()):
        raise ValueError("no tensors found in the checkpoint"
                         + (f" (under {'/'.join(seen)})" if seen else "")
                         + f"; top-level keys: {', '.join(map(str, list(obj)[:10]))}")
    if seen:
        _note(notes, f"weights taken from the checkpoint's {'/'.join(repr(k) for k in seen)}")
    return dict(obj)


def strip_prefixes(sd: Mapping[str, Any], prefer_ema: bool = False,
                   notes: Optional[List[str]] = None) -> Dict[str, Any]:
    """Strips wrapper prefixes from the names of a state dict.

    * Keys under ``ema.module.`` (a training-time EMA copy next to the
      weights) are taken alone with ``prefer_ema`` and dropped otherwise
      (unless every key has that prefix).
    * A prefix shared by every key (``module.``, ``_orig_mod.``,
      ``ema.module.``, ``backbone.``, ``model.``) is removed, repeatedly.
    * When only some keys start with ``backbone.`` (a training module
      holding a backbone plus losses etc.), those keys are kept, stripped.
    """
    sd = dict(sd)
    ema = [k for k in sd if k.startswith(EMA_PREFIX)]
    if ema and len(ema) < len(sd):
        if prefer_ema:
            sd = {k[len(EMA_PREFIX):]: sd[k] for k in ema}
            _note(notes, f"using the EMA weights ({len(ema)} '{EMA_PREFIX}*' entries)")
        else:
            sd = {k: v for k, v in sd.items() if not k.startswith(EMA_PREFIX)}
            _note(notes, f"ignored {len(ema)} EMA entries ('{EMA_PREFIX}*'; --ema uses them)")
    changed = True
    while changed and sd:
        changed = False
        for p in WRAPPER_PREFIXES:
            with_p = [k for k in sd if k.startswith(p)]
            if not with_p:
                continue
            if len(with_p) == len(sd):
                sd = {k[len(p):]: v for k, v in sd.items()}
                changed = True
            elif p == "backbone.":
                dropped = [k for k in sd if not k.startswith(p)]
                sd = {k[len(p):]: sd[k] for k in with_p}
                _note(notes, f"kept the {len(with_p)} 'backbone.*' entries, dropped "
                             f"{len(dropped)} others ({', '.join(dropped[:5])}"
                             f"{', ...' if len(dropped) > 5 else ''})")
                changed = True
            if changed:
                break
    return sd


def load_state_dict(path: str, prefer_ema: bool = False,
                    notes: Optional[List[str]] = None) -> Dict[str, Any]:
    """Reads a checkpoint and returns its flat state dict (names -> torch
    tensors for PyTorch files, numpy arrays / BF16Array for safetensors),
    container unwrapped and wrapper prefixes stripped.  ``notes`` (a list)
    collects what was chosen or dropped.  Raises RuntimeError when a PyTorch
    file needs torch and torch is missing, SafetensorsError for a broken
    safetensors file, ValueError when no state dict is found."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    if path.endswith(".safetensors"):
        obj: Any = load_file(path, bf16="bits")
    else:
        obj = _torch_load(path, notes)
    sd = unwrap_container(obj, prefer_ema, notes)
    if prefer_ema and not any(k.startswith(EMA_PREFIX) for k in sd) and not (
            isinstance(obj, Mapping) and any(isinstance(obj.get(k), Mapping)
                                             for k in EMA_CONTAINER_KEYS)):
        _note(notes, "no EMA weights in the checkpoint; using the regular weights")
    return strip_prefixes(sd, prefer_ema, notes)


# ----------------------------------------------------------------------------
# Renames
# ----------------------------------------------------------------------------

_VMAMBA_LEGACY = [
    (re.compile(r"^patch_embed\.proj\."), "patch_embed.0."),
    (re.compile(r"^patch_embed\.norm\."), "patch_embed.2."),
    (re.compile(r"^(layers\.\d+\.blocks\.\d+)\.ln_1\."), r"\1.norm."),
    (re.compile(r"^(layers\.\d+\.blocks\.\d+)\.self_attention\."), r"\1.op."),
    (re.compile(r"^norm\."), "classifier.norm."),
    (re.compile(r"^head\."), "classifier.head."),
]

# timm name -> original name. Every key is rewritten by the FIRST rule that
# matches and never again, so timm's "head.norm." (the pooled LayerNorm, the
# original top-level "norm.") and "head.pre_logits.norm." (the original
# "head.norm.") cannot be confused.
_MAMBAOUT_TIMM = [
    (re.compile(r"^stem\."), "downsample_layers.0."),
    (re.compile(r"^stages\.(\d+)\.downsample\."), r"downsample_layers.\1."),
    (re.compile(r"^stages\.(\d+)\.blocks\.(\d+)\."), r"stages.\1.\2."),
    (re.compile(r"^head\.pre_logits\.fc\."), "head.fc1."),
    (re.compile(r"^head\.pre_logits\.norm\."), "head.norm."),
    (re.compile(r"^head\.norm\."), "norm."),
    (re.compile(r"^head\.fc\."), "head.fc2."),
]


def _rename(name: str, rules) -> str:
    for pattern, repl in rules:
        new, n = pattern.subn(repl, name, count=1)
        if n:
            return new
    return name


def rename_vmamba_legacy(name: str) -> str:
    """VMamba's loader-side remap of legacy names (docs/semantics.md §5.5)."""
    return _rename(name, _VMAMBA_LEGACY)


def rename_mambaout_timm(name: str) -> str:
    """timm MambaOut name -> original MambaOut name (docs/semantics.md §7.4 table)."""
    return _rename(name, _MAMBAOUT_TIMM)


def _looks_timm_mambaout(names: Iterable[str]) -> bool:
    return any(n.startswith(("stem.", "head.pre_logits.")) or re.match(r"stages\.\d+\.blocks\.", n)
               for n in names)


def _looks_vmamba_legacy(names: Iterable[str]) -> bool:
    return any(n.startswith(("patch_embed.proj.", "patch_embed.norm."))
               or re.match(r"layers\.\d+\.blocks\.\d+\.(ln_1|self_attention)\.", n)
               for n in names)


def _family(model: Optional[str], expected: Optional[Spec], names: Sequence[str]) -> Optional[str]:
    """"vim" | "fastvim" | "vmamba" | "mambaout" from the model name, the
    expected names, or (last) the source names; None when unknown."""
    if model:
        for fam in ("fastvim", "vmamba", "mambaout", "vim"):
            if model.startswith(fam):
                return fam
    if expected:
        exp = {n for n, _ in expected}
        if "classifier.head.weight" in exp:
            return "vmamba"
        if "downsample_layers.0.conv1.weight" in exp:
            return "mambaout"
        if "patch_embed.proj.weight" in exp:
            return "vim" if "cls_token" in exp else "fastvim"
    # From the source names alone: only unambiguous signals (Vim and FastVim
    # also have "patch_embed.proj.*", so that one cannot mean VMamba here).
    if any(re.match(r"layers\.\d+\.mixer\.", n) for n in names):
        return "vim"
    if _looks_timm_mambaout(names) and any(n.startswith("stem.conv1.") for n in names):
        return "mambaout"
    if any(re.match(r"layers\.\d+\.blocks\.\d+\.(ln_1|self_attention|norm|op)\.", n)
           or n.startswith("classifier.head.") for n in names):
        return "vmamba"
    return None


# ----------------------------------------------------------------------------
# Conversion
# ----------------------------------------------------------------------------


def _to_numpy(v: Any) -> np.ndarray:
    """torch tensor / ndarray / BF16Array -> ndarray (bf16 torch -> BF16Array, exact)."""
    if isinstance(v, np.ndarray):
        return v
    import torch
    t = v.detach().cpu()
    if t.dtype == torch.bfloat16:
        return BF16Array(t.contiguous().view(torch.int16).numpy().view(np.uint16))
    return t.contiguous().numpy()


def _cast(a: np.ndarray, dtype: str) -> np.ndarray:
    if isinstance(a, BF16Array):
        return a.copy() if dtype == "bf16" else bf16_to_float32(a)
    if not np.issubdtype(a.dtype, np.floating):
        return np.ascontiguousarray(a)
    if dtype == "bf16":
        return float32_to_bf16(a)
    return np.ascontiguousarray(a, dtype=np.float32)


def convert(state_dict: Mapping[str, Any], expected: Optional[Sequence] = None,
            dtype: str = "f32", model: Optional[str] = None,
            notes: Optional[List[str]] = None) -> Dict[str, np.ndarray]:
    """Official state dict -> {name: ndarray} ready for safetensors.

    ``state_dict``: names -> torch tensors or numpy arrays (names already
    unwrapped by :func:`load_state_dict`).  ``expected``: [(name, shape)]
    or None (no validation).  ``dtype``: "f32" or "bf16" (BF16Array, rounded
    to nearest even; bf16 sources are kept bit-exact).  ``model`` (a variant
    name such as "vmamba-t") selects the family's renames; without it the
    family is inferred from ``expected`` or the names.

    Returns the tensors in ``expected`` order (else source order).  Raises
    :class:`WeightError` listing every missing, unexpected and mis-shaped
    tensor.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    exp_list = _normalize_spec(expected) if expected is not None else None
    exp = dict(exp_list) if exp_list is not None else None

    arrays: Dict[str, np.ndarray] = {}
    skipped = []
    for k, v in state_dict.items():
        if not _is_tensor(v):
            skipped.append(str(k))
            continue
        arrays[str(k)] = _to_numpy(v)
    if skipped:
        _note(notes, f"dropped {len(skipped)} non-tensor entries ({', '.join(skipped[:5])})")

    fam = _family(model, exp_list, list(arrays))
    rules = None
    if fam == "vmamba" and _looks_vmamba_legacy(arrays):
        rules, what = _VMAMBA_LEGACY, "VMamba legacy"
    elif fam == "mambaout" and _looks_timm_mambaout(arrays):
        rules, what = _MAMBAOUT_TIMM, "timm MambaOut"
    if rules is not None:
        renamed: Dict[str, np.ndarray] = {}
        for k, v in arrays.items():
            nk = _rename(k, rules)
            if nk in renamed:
                raise ValueError(f"{what} rename of {k} gives {nk}, which the checkpoint "
                                 "already holds")
            renamed[nk] = v
        n = sum(1 for k in arrays if _rename(k, rules) != k)
        _note(notes, f"renamed {n} {what} names")
        arrays = renamed

    # Bookkeeping buffers that are not weights.
    dropped = [k for k, v in arrays.items()
               if (exp is None or k not in exp)
               and (k.rsplit(".", 1)[-1] == "num_batches_tracked"
                    or (exp is not None and not isinstance(v, BF16Array)
                        and not np.issubdtype(v.dtype, np.floating)))]
    for k in dropped:
        del arrays[k]
    if dropped:
        _note(notes, f"dropped {len(dropped)} non-parameter entries ({', '.join(dropped[:5])})")

    if exp is not None:
        if fam == "vmamba":
            # Linear2d weights saved as 1x1 convs [out, in, 1, 1] -> [out, in].
            for k, v in list(arrays.items()):
                e = exp.get(k)
                if e is not None and len(e) == 2 and _shape(v) == tuple(e) + (1, 1):
                    arrays[k] = v.reshape(e)
        missing = [(k, s) for k, s in exp_list if k not in arrays]
        unexpected = [(k, _shape(v)) for k, v in arrays.items() if k not in exp]
        mismatched = [(k, exp[k], _shape(v)) for k, v in arrays.items()
                      if k in exp and _shape(v) != tuple(exp[k])]
        if missing or unexpected or mismatched:
            raise WeightError(missing, unexpected, mismatched, context=model or "")
        order = [k for k, _ in exp_list]
    else:
        order = list(arrays)
    return {k: _cast(arrays[k], dtype) for k in order}


def _normalize_spec(spec: Iterable) -> Spec:
    """[(name, shape)] from pairs, dicts {name, shape} or objects with .name/.shape."""
    out = []
    for item in spec:
        if isinstance(item, Mapping):
            name, shape = item["name"], item["shape"]
        elif hasattr(item, "name") and hasattr(item, "shape"):
            name, shape = item.name, item.shape
        else:
            name, shape = item
        out.append((str(name), tuple(int(s) for s in shape)))
    return out


def _reference_weight_spec() -> Optional[Callable]:
    try:  # needs torch
        from .reference_models import weight_spec
        return weight_spec
    except ImportError:
        return None


def _compiler_knows(model: str) -> bool:
    """Whether ``ssmc.weight_spec`` can describe ``model`` here: the package
    has it, the compiler extension is built (``ssmc.has_compiler()``) and its
    model builders list ``model`` (``ssmc.models()``)."""
    import ssmc
    if not callable(getattr(ssmc, "weight_spec", None)):
        return False
    try:
        if callable(getattr(ssmc, "has_compiler", None)) and not ssmc.has_compiler():
            return False
        if callable(getattr(ssmc, "models", None)):
            return model in ssmc.models()
    except ImportError:
        return False
    return True


def expected_spec(model: str, **options: Any) -> Tuple[Optional[Spec], str]:
    """The expected [(name, shape)] of ``model`` with ``options`` and where it
    came from: ``ssmc.weight_spec`` when the compiler's binding provides it
    for ``model`` (extension built with the model builders), else
    ``ssmc.reference_models.weight_spec``, else ``(None, why)``.
    Errors for bad options propagate (``ssmc.InvalidArgumentError`` or
    ``ValueError``)."""
    options = {k: v for k, v in options.items() if v is not None}
    if _compiler_knows(model):
        import ssmc
        return _normalize_spec(ssmc.weight_spec(model, **options)), "ssmc.weight_spec"
    fn = _reference_weight_spec()
    if fn is not None:
        return _normalize_spec(fn(model, **options)), "ssmc.reference_models.weight_spec"
    return None, "neither ssmc.weight_spec nor ssmc.reference_models is available"


def convert_file(src: str, dst: str, model: Optional[str] = None,
                 options: Optional[Mapping[str, Any]] = None, dtype: str = "f32",
                 prefer_ema: bool = False, validate: bool = True,
                 notes: Optional[List[str]] = None) -> Dict[str, Any]:
    """Loads ``src``, converts it (validated against ``model``'s spec when
    available) and writes ``dst``.  Returns a summary dict (tensors,
    parameters, dtype, spec source)."""
    options = {k: v for k, v in (options or {}).items() if v is not None}
    spec, source = (None, "validation disabled")
    if model and validate:
        spec, source = expected_spec(model, **options)
        if spec is None:
            _note(notes, f"converting without validation: {source}")
    elif not model:
        _note(notes, "no --model given: converting without validation")
    sd = load_state_dict(src, prefer_ema=prefer_ema, notes=notes)
    tensors = convert(sd, spec, dtype=dtype, model=model, notes=notes)
    metadata = {"format": "pt", "ssmc.dtype": dtype, "ssmc.source": os.path.basename(src)}
    if model:
        metadata["ssmc.model"] = model
        metadata["ssmc.options"] = json.dumps(options, sort_keys=True, default=str)
    save_file(tensors, dst, metadata=metadata)
    return dict(tensors=len(tensors), parameters=int(sum(a.size for a in tensors.values())),
                dtype=dtype, spec=source if spec is not None else None)


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------

_CLI_OPTIONS = [
    # (flag, key, type, help)
    ("--img", "img", int, "square input image size"),
    ("--batch", "batch", int, "batch size (changes no weight)"),
    ("--classes", "classes", int, "number of classes"),
    ("--embed-dim", "embed_dim", int, "Vim/FastVim width; VMamba C0"),
    ("--depth", "depth", int, "Vim/FastVim layers"),
    ("--patch", "patch", int, "Vim/FastVim patch size"),
    ("--stride", "stride", int, "Vim patch stride"),
    ("--d-state", "d_state", int, "SSM state size N"),
    ("--pool", "pool", str, "FastVim pooling: mean|max"),
    ("--pool-scale", "pool_scale", float, "FastVim pooling scale"),
    ("--dims", "dims", str, "VMamba/MambaOut stage widths, comma list"),
    ("--depths", "depths", str, "VMamba/MambaOut stage depths, comma list"),
    ("--ssm-ratio", "ssm_ratio", float, "VMamba E/C"),
    ("--mlp-ratio", "mlp_ratio", float, "VMamba MLP ratio; MambaOut head ratio"),
    ("--expansion-ratio", "expansion_ratio", float, "MambaOut hidden/C"),
]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """CLI entry point; returns the exit status (0 ok, 1 error)."""
    ap = argparse.ArgumentParser(
        prog="python3 -m ssmc.convert",
        description="Convert an official Vim/VMamba/FastVim/MambaOut checkpoint "
                    "(.pth/.ckpt or .safetensors) to a validated .safetensors file.")
    ap.add_argument("src", help="checkpoint to read (.pth, .pt, .ckpt, .bin, .safetensors)")
    ap.add_argument("dst", help="safetensors file to write")
    ap.add_argument("--model", help="variant, e.g. vim-t, vmamba-t, fastvim-t, mambaout-femto "
                                    "(names/shapes to validate against)")
    for flag, key, typ, hlp in _CLI_OPTIONS:
        ap.add_argument(flag, dest=key, type=typ, default=None, help=hlp)
    ap.add_argument("--dtype", choices=DTYPES, default="f32", help="stored dtype (default f32)")
    ap.add_argument("--ema", action="store_true", help="take the EMA weights when present")
    ap.add_argument("--no-validate", action="store_true",
                    help="do not check names/shapes against the model's spec")
    args = ap.parse_args(argv)
    options = {key: getattr(args, key) for _, key, _, _ in _CLI_OPTIONS}
    notes: List[str] = []
    try:
        summary = convert_file(args.src, args.dst, model=args.model, options=options,
                               dtype=args.dtype, prefer_ema=args.ema,
                               validate=not args.no_validate, notes=notes)
    except (WeightError, SafetensorsError, ValueError, RuntimeError, OSError) as e:
        for n in notes:
            print(f"ssmc.convert: {n}", file=sys.stderr)
        print(f"ssmc.convert: error: {e}", file=sys.stderr)
        return 1
    for n in notes:
        print(f"ssmc.convert: {n}", file=sys.stderr)
    checked = f"validated against {summary['spec']}" if summary["spec"] else "not validated"
    print(f"wrote {args.dst}: {summary['tensors']} tensors, {summary['parameters']:,} "
          f"parameters, {summary['dtype']}, {checked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
