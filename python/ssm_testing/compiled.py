"""Tiny ctypes loader for shared objects produced by ``ssm-compile --compile-to=binary``.

For each public ``func.func @name`` with tensor inputs i_0..i_{n-1} and results
o_0..o_{m-1} the .so exports

    void name_ssm_entry(void *const *args, int64_t tile_begin, int64_t tile_end);

where ``args`` holds n + m pointers to contiguous row-major buffers (inputs,
then preallocated outputs, then the workspace when the exported
``name_ssm_workspace_bytes`` is non-zero). We call it with (args, 0, 1). The global
``ssmrt_cpu_parallel_for`` is left NULL, so loops run serially.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import threading
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
SSM_COMPILE = REPO_ROOT / "build" / "bin" / "ssm-compile"

PathLike = Union[str, os.PathLike]
ShapeDtype = Tuple[Tuple[int, ...], np.dtype]

_ELEM_TYPES = {
    "f16": np.float16, "f32": np.float32, "f64": np.float64,
    "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
    "i1": np.bool_,
}


def compile_ir(mlir_path: PathLike, out_so: PathLike, extra_args: Sequence[str] = (),
               tool: PathLike = SSM_COMPILE) -> Path:
    """Compile every public function of ``mlir_path`` into ``out_so``."""
    out_so = Path(out_so)
    cmd = [str(tool), str(mlir_path), "--compile-to=binary", "-o", str(out_so), *extra_args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not out_so.exists():
        raise RuntimeError(f"{' '.join(cmd)} failed (rc {proc.returncode}):\n"
                           f"{proc.stdout}\n{proc.stderr}")
    return out_so


def parse_tensor_type(t: str) -> ShapeDtype:
    """'tensor<1x197x192xf32>' -> ((1, 197, 192), float32)."""
    m = re.fullmatch(r"\s*tensor<([^>]*)>\s*", t)
    if not m:
        raise ValueError(f"not a ranked tensor type: {t!r}")
    parts = m.group(1).split("x")
    elem = parts[-1].strip()
    if elem not in _ELEM_TYPES:
        raise ValueError(f"unsupported element type {elem!r} in {t!r}")
    dims = []
    for p in parts[:-1]:
        p = p.strip()
        if not p.isdigit():
            raise ValueError(f"dynamic or invalid dim {p!r} in {t!r}")
        dims.append(int(p))
    return tuple(dims), np.dtype(_ELEM_TYPES[elem])


_FUNC_RE = re.compile(
    r"func\.func\s+(?:(public|private|nested)\s+)?@([\w$.]+)\s*\((.*?)\)\s*"
    r"(?:->\s*(\([^)]*\)|tensor<[^>]*>))?\s*(?:attributes\s*\{[^}]*\}\s*)?\{",
    re.S)


def parse_signatures(mlir_text: str) -> Dict[str, Tuple[List[ShapeDtype], List[ShapeDtype]]]:
    """Map each public func.func name to (input types, result types)."""
    sigs = {}
    for m in _FUNC_RE.finditer(mlir_text):
        visibility, name, args, results = m.groups()
        if visibility in ("private", "nested"):
            continue
        ins = [parse_tensor_type(t) for t in re.findall(r"tensor<[^>]*>", args)]
        outs = [parse_tensor_type(t) for t in re.findall(r"tensor<[^>]*>", results or "")]
        sigs[name] = (ins, outs)
    return sigs


def function_signature(mlir_path: PathLike, name: str) -> Tuple[List[ShapeDtype], List[ShapeDtype]]:
    sigs = parse_signatures(Path(mlir_path).read_text())
    if name not in sigs:
        raise KeyError(f"no public func.func @{name} in {mlir_path} (found {sorted(sigs)})")
    return sigs[name]


class CompiledFunction:
    """Callable wrapper around ``name_ssm_entry`` of a compiled .so.

    ``output_shapes_dtypes``: list of (shape, dtype) of the results. Leave it
    None and pass ``mlir_path`` to take results (and input checks) from the
    MLIR signature; see also :meth:`from_mlir`.

    ``stack_size`` (bytes): when set, every call runs on a fresh thread with
    that stack size instead of the calling thread. The compiled code may place
    scratch buffers on the stack (memref.alloca); use this to give it room
    beyond the 8 MiB default of the main thread.
    """

    def __init__(self, so_path: PathLike, name: str,
                 output_shapes_dtypes: Optional[Sequence[ShapeDtype]] = None, *,
                 mlir_path: Optional[PathLike] = None,
                 input_shapes_dtypes: Optional[Sequence[ShapeDtype]] = None,
                 stack_size: Optional[int] = None):
        if output_shapes_dtypes is None:
            if mlir_path is None:
                raise ValueError("pass output_shapes_dtypes or mlir_path")
            ins, outs = function_signature(mlir_path, name)
            output_shapes_dtypes = outs
            if input_shapes_dtypes is None:
                input_shapes_dtypes = ins
        self.so_path = str(so_path)
        self.stack_size = stack_size
        self.name = name
        self.outputs = [(tuple(s), np.dtype(d)) for s, d in output_shapes_dtypes]
        self.inputs = (None if input_shapes_dtypes is None
                       else [(tuple(s), np.dtype(d)) for s, d in input_shapes_dtypes])
        self.lib = ctypes.CDLL(self.so_path)
        self.entry = getattr(self.lib, f"{name}_ssm_entry")
        self.entry.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int64, ctypes.c_int64]
        self.entry.restype = None
        # The planned workspace (ssm-plan-workspace) is the entry's last
        # argument when its exported size is non-zero; poisoned like outputs.
        try:
            size = ctypes.c_int64.in_dll(self.lib, f"{name}_ssm_workspace_bytes").value
        except ValueError:
            size = 0
        self.workspace = np.full(size, 0xFF, np.uint8) if size > 0 else None

    @classmethod
    def from_mlir(cls, mlir_path: PathLike, so_path: PathLike, name: str,
                  **kwargs) -> "CompiledFunction":
        return cls(so_path, name, mlir_path=mlir_path, **kwargs)

    def _check_inputs(self, arrays: Sequence[np.ndarray]) -> List[np.ndarray]:
        if self.inputs is not None and len(arrays) != len(self.inputs):
            raise TypeError(f"@{self.name} takes {len(self.inputs)} inputs, got {len(arrays)}")
        out = []
        for i, a in enumerate(arrays):
            a = np.asarray(a)
            if self.inputs is not None:
                shape, dtype = self.inputs[i]
                if a.shape != shape or a.dtype != dtype:
                    raise TypeError(f"@{self.name} input {i}: expected {shape} {dtype}, "
                                    f"got {a.shape} {a.dtype}")
            out.append(np.ascontiguousarray(a))
        return out

    def alloc_outputs(self) -> List[np.ndarray]:
        outs = []
        for shape, dtype in self.outputs:
            o = np.empty(shape, dtype)
            if np.issubdtype(dtype, np.floating):
                o.fill(np.nan)                    # poison: unwritten elements show up
            else:
                o.fill(np.iinfo(dtype).min if dtype != np.bool_ else True)
            outs.append(o)
        return outs

    def call_into(self, inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray]) -> None:
        """Call with preallocated contiguous buffers (no checks; for benchmarks)."""
        bufs = list(inputs) + list(outputs)
        if self.workspace is not None:
            bufs.append(self.workspace)
        ptrs = (ctypes.c_void_p * len(bufs))(*[b.ctypes.data for b in bufs])
        if self.stack_size is None:
            self.entry(ptrs, 0, 1)
        else:
            _run_with_stack(self.stack_size, lambda: self.entry(ptrs, 0, 1))

    def __call__(self, *arrays: np.ndarray) -> List[np.ndarray]:
        ins = self._check_inputs(arrays)
        outs = self.alloc_outputs()
        self.call_into(ins, outs)
        return outs


_stack_lock = threading.Lock()


def _run_with_stack(stack_size: int, fn) -> None:
    """Run ``fn()`` on a new thread with a ``stack_size``-byte stack."""
    with _stack_lock:
        old = threading.stack_size(stack_size)
        try:
            t = threading.Thread(target=fn)
            t.start()
        finally:
            threading.stack_size(old)
    t.join()
