"""ctypes binding of the runtime's C API (runtime/include/ssmrt/c_api.h).

For benchmarks and tests that need the compiled code and PyTorch in one
process before the pybind11 package exists.  Needs build/runtime/libssmrt_c.so.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
_DTYPES = {1: np.float32, 2: np.float16, 4: np.float64, 5: np.int32, 6: np.int64,
           7: np.int8, 8: np.uint8, 9: np.bool_}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}
_BF16 = 3
# bfloat16 outputs come back as their uint16 bit patterns.
_OUT_DTYPES = {**_DTYPES, _BF16: np.uint16}


def _library(path: Optional[Path] = None) -> ctypes.CDLL:
    path = path or REPO_ROOT / "build" / "runtime" / "libssmrt_c.so"
    lib = ctypes.CDLL(str(path))
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    lib.ssmrt_status_message.restype = ctypes.c_char_p
    lib.ssmrt_status_message.argtypes = [vp]
    lib.ssmrt_status_free.argtypes = [vp]
    lib.ssmrt_instance_create.restype = vp
    lib.ssmrt_instance_create.argtypes = [ctypes.c_int32, ctypes.POINTER(vp)]
    lib.ssmrt_instance_destroy.argtypes = [vp]
    lib.ssmrt_instance_num_threads.argtypes = [vp]
    lib.ssmrt_module_load.restype = vp
    lib.ssmrt_module_load.argtypes = [vp, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(vp)]
    lib.ssmrt_module_destroy.argtypes = [vp]
    lib.ssmrt_module_peak_bytes.restype = vp
    lib.ssmrt_module_peak_bytes.argtypes = [vp, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64)]
    lib.ssmrt_module_invoke.restype = vp
    lib.ssmrt_module_invoke.argtypes = [vp, ctypes.c_char_p, sz, vp, vp, vp, vp, ctypes.POINTER(vp)]
    lib.ssmrt_outputs_count.restype = sz
    lib.ssmrt_outputs_count.argtypes = [vp]
    lib.ssmrt_outputs_dtype.argtypes = [vp, sz]
    lib.ssmrt_outputs_rank.argtypes = [vp, sz]
    lib.ssmrt_outputs_dims.restype = ctypes.POINTER(ctypes.c_int64)
    lib.ssmrt_outputs_dims.argtypes = [vp, sz]
    lib.ssmrt_outputs_data.restype = vp
    lib.ssmrt_outputs_data.argtypes = [vp, sz]
    lib.ssmrt_outputs_byte_size.restype = sz
    lib.ssmrt_outputs_byte_size.argtypes = [vp, sz]
    lib.ssmrt_outputs_destroy.argtypes = [vp]
    return lib


class RuntimeError_(RuntimeError):
    pass


class Runtime:
    """One runtime instance (thread pool) and the modules loaded on it."""

    def __init__(self, num_threads: int = 0, library: Optional[Path] = None):
        self.lib = _library(library)
        handle = ctypes.c_void_p()
        self._check(self.lib.ssmrt_instance_create(num_threads, ctypes.byref(handle)))
        self.instance = handle

    def _check(self, status) -> None:
        if status:
            message = self.lib.ssmrt_status_message(status).decode()
            self.lib.ssmrt_status_free(status)
            raise RuntimeError_(message)

    @property
    def num_threads(self) -> int:
        return self.lib.ssmrt_instance_num_threads(self.instance)

    def load(self, path) -> "Module":
        handle = ctypes.c_void_p()
        self._check(self.lib.ssmrt_module_load(self.instance, b"cpu", str(path).encode(),
                                               ctypes.byref(handle)))
        return Module(self, handle)

    def __del__(self):
        if getattr(self, "instance", None):
            self.lib.ssmrt_instance_destroy(self.instance)


class Module:
    def __init__(self, runtime: Runtime, handle):
        self.rt, self.handle = runtime, handle

    def peak_bytes(self, function: str) -> int:
        out = ctypes.c_uint64()
        self.rt._check(self.rt.lib.ssmrt_module_peak_bytes(self.handle, function.encode(),
                                                           ctypes.byref(out)))
        return out.value

    def __call__(self, function: str, inputs: Sequence[np.ndarray]) -> List[np.ndarray]:
        # bfloat16 travels as uint16 bit patterns tagged by ssmc's BF16Array.
        codes = [_BF16 if type(a).__name__ == "BF16Array" else _CODES[np.asarray(a).dtype]
                 for a in inputs]
        arrays = [np.ascontiguousarray(a) for a in inputs]
        n = len(arrays)
        dtypes = (ctypes.c_int32 * n)(*codes)
        ranks = (ctypes.c_int32 * n)(*[a.ndim for a in arrays])
        flat = [d for a in arrays for d in a.shape]
        dims = (ctypes.c_int64 * max(1, len(flat)))(*flat)
        data = (ctypes.c_void_p * n)(*[a.ctypes.data for a in arrays])
        outs = ctypes.c_void_p()
        lib = self.rt.lib
        self.rt._check(lib.ssmrt_module_invoke(self.handle, function.encode(), n, dtypes,
                                               ranks, dims, data, ctypes.byref(outs)))
        try:
            results = []
            for i in range(lib.ssmrt_outputs_count(outs)):
                dtype = np.dtype(_OUT_DTYPES[lib.ssmrt_outputs_dtype(outs, i)])
                rank = lib.ssmrt_outputs_rank(outs, i)
                shape = tuple(lib.ssmrt_outputs_dims(outs, i)[k] for k in range(rank))
                size = lib.ssmrt_outputs_byte_size(outs, i)
                buf = (ctypes.c_char * size).from_address(lib.ssmrt_outputs_data(outs, i))
                results.append(np.frombuffer(bytes(buf), dtype=dtype).reshape(shape))
            return results
        finally:
            lib.ssmrt_outputs_destroy(outs)

    def __del__(self):
        if getattr(self, "handle", None):
            self.rt.lib.ssmrt_module_destroy(self.handle)
