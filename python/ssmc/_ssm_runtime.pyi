"""Type stubs of ssmc._ssm_runtime, the runtime extension (python/src/runtime_module.cpp).

Use the ``ssmc`` package; this module is its low-level layer.
"""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .errors import DataLossError as DataLossError
from .errors import DeviceUnavailableError as DeviceUnavailableError
from .errors import Error as Error
from .errors import FailedPreconditionError as FailedPreconditionError
from .errors import InternalError as InternalError
from .errors import InvalidArgumentError as InvalidArgumentError
from .errors import NotFoundError as NotFoundError
from .errors import OutOfRangeError as OutOfRangeError
from .errors import UnavailableError as UnavailableError
from .errors import UnimplementedError as UnimplementedError

#: Runtime dtype names: 'f32', 'f16', 'bf16', 'f64', 'i32', 'i64', 'i8', 'ui8', 'i1'.
DTYPES: Tuple[str, ...]
FORMAT_VERSION: int
MIN_FORMAT_VERSION: int

_TensorLike = Any  # Tensor | numpy.ndarray | buffer | object with __dlpack__ (CPU)
_Named = Union[Mapping[str, _TensorLike], Sequence[Tuple[str, _TensorLike]]]

def parse_dtype(name: str) -> str:
    """The canonical short name of a dtype name ('float32' -> 'f32')."""

def numpy_dtype(name: str) -> np.dtype:
    """The NumPy dtype holding elements of runtime dtype ``name`` (bf16 -> uint16)."""

class Tensor:
    """A dense C-order host tensor: a runtime-owned output, or a zero-copy view
    of a NumPy array / DLPack tensor."""

    @staticmethod
    def from_object(obj: _TensorLike) -> "Tensor":
        """Wraps an array, buffer or CPU DLPack object without copying."""
    @staticmethod
    def from_dlpack(obj: Any) -> "Tensor":
        """Imports an object with ``__dlpack__`` (CPU, C order) without copying."""
    @property
    def dtype(self) -> str: ...
    @property
    def shape(self) -> Tuple[int, ...]: ...
    @property
    def ndim(self) -> int: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def data_ptr(self) -> int: ...
    @property
    def owns_data(self) -> bool: ...
    def numpy(self) -> np.ndarray:
        """A NumPy array over the same memory (bf16 as uint16)."""
    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray: ...
    def __dlpack__(self, stream: Optional[int] = None) -> Any:
        """A 'dltensor' PyCapsule (CPU, no copy)."""
    def __dlpack_device__(self) -> Tuple[int, int]: ...

class TensorSpec:
    """An input or output of an entry function."""

    @property
    def name(self) -> str: ...
    @property
    def shape(self) -> Tuple[int, ...]: ...
    @property
    def dtype(self) -> str: ...
    @property
    def numpy_dtype(self) -> np.dtype: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def type(self) -> str:
        """'1x3x224x224xf32'."""

class FunctionSignature:
    """Name, inputs and outputs of an entry function."""

    @property
    def name(self) -> str: ...
    @property
    def inputs(self) -> List[TensorSpec]: ...
    @property
    def outputs(self) -> List[TensorSpec]: ...

class MemoryPlan:
    """The static memory plan of an entry function."""

    @property
    def peak_bytes(self) -> int: ...
    @property
    def arena_bytes(self) -> int: ...
    @property
    def output_bytes(self) -> int: ...
    @property
    def allocations(self) -> int: ...
    @property
    def reused_allocations(self) -> int: ...

class Device:
    """An open device."""

    @property
    def name(self) -> str: ...

class Instance:
    """Runtime state: the CPU thread pool."""

    def __init__(self, threads: int = 0) -> None: ...
    def open_device(self, name: str) -> Device:
        """'cpu'; GPU kinds this build cannot drive raise DeviceUnavailableError."""
    @property
    def num_threads(self) -> int: ...
    @staticmethod
    def available_devices() -> List[str]: ...

class BoundBuffers:
    """Caller buffers converted once by Module.bind_buffers."""
    def __len__(self) -> int: ...
    @property
    def device(self) -> str: ...

class Module:
    """A loaded .ssmb module."""

    @staticmethod
    def load(device: Device, path: str) -> "Module": ...
    @staticmethod
    def from_bytes(device: Device, data: Union[bytes, bytearray, memoryview]) -> "Module": ...
    @property
    def functions(self) -> List[str]: ...
    def signature(self, function: str) -> FunctionSignature: ...
    def memory_plan(self, function: str) -> MemoryPlan: ...
    def peak_bytes(self, function: str) -> int: ...
    def invoke(self, function: str, inputs: Sequence[_TensorLike]) -> List[Tensor]:
        """Runs ``function``; inputs must match the signature exactly."""
    def bind_buffers(self, buffers: Sequence[Any]) -> BoundBuffers:
        """Converts caller buffers once; the result stands for them inside
        invoke_with_buffers' input or output lists."""
    def invoke_with_buffers(self, function: str, inputs: Sequence[Any], outputs: Sequence[Any],
                            poison: bool = ..., graphs: Optional[bool] = ...,
                            sync_streams: bool = ...) -> None:
        """Runs ``function`` on caller buffers of the module's device (CUDA
        tensors on 'cuda:N', host arrays on 'cpu'); outputs written in place."""
    def time(self, function: str, inputs: Sequence[_TensorLike], warmup: int = ...,
             iterations: int = ..., graphs: Optional[bool] = ...) -> List[float]: ...
    def execution_stats(self, function: str) -> Dict[str, Any]: ...
    @property
    def compiler_version(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def device(self) -> Device: ...
    @property
    def model_info(self) -> Optional[Dict[str, Any]]: ...

def inspect_module(source: Union[str, bytes, bytearray, memoryview]) -> Dict[str, Any]:
    """A .ssmb's declarations (no device): format_version, compiler_version,
    functions, model_info, kernel_objects."""

def read_safetensors(path: str) -> Tuple[Dict[str, Tensor], Dict[str, str]]:
    """(tensors in name order, metadata)."""

def parse_safetensors(data: Union[bytes, bytearray, memoryview]) -> Tuple[Dict[str, Tensor], Dict[str, str]]: ...
def write_safetensors(path: str, tensors: _Named, metadata: Optional[Mapping[str, str]] = None) -> None: ...
def serialize_safetensors(tensors: _Named, metadata: Optional[Mapping[str, str]] = None) -> bytes: ...
def read_npy(path: str) -> Tensor: ...
def write_npy(path: str, tensor: _TensorLike) -> None: ...
