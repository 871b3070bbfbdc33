"""ssmc: compile vision state-space models (Vim, VMamba, FastVim, MambaOut) and
ssm IR into ``.ssmb`` modules, and run them with the LLVM-free runtime.

Compile and run::

    import numpy as np, ssmc

    blob = ssmc.compile("vim-t", img=224)               # .ssmb bytes
    m = ssmc.load(blob, weights="vim_t.safetensors")   # weights bound by name
    logits = m(np.random.rand(*ssmc.image_shape("vim-t")).astype(np.float32))

    ir = open("block.mlir").read()
    m = ssmc.load(ssmc.compile(ir))                    # any ssm MLIR text
    print(m.signature["forward"])
    y = m(x, dt, A, B, C)                              # numpy or torch in, numpy out
    y = m(x, dt, A, B, C, return_type="torch")         # torch out, zero-copy

PyTorch: :class:`ssmc.torch.Module` wraps a compiled module as a
``torch.nn.Module`` whose parameters are the weights (inference only).

Two extension modules back the package: ``_ssm_runtime`` (loading and
running; no LLVM, builds anywhere) and ``_ssm_compiler`` (needs LLVM/MLIR 22;
only from the full build). Without them ``import ssmc`` still works (e.g. for
:mod:`ssmc.convert` and :mod:`ssmc.safetensors_io`) and the functions that need
one raise ImportError with build instructions. See ``ssmc._ext`` for where the
extensions are looked for.

Errors are :class:`ssmc.Error` subclasses (:mod:`ssmc.errors`).
"""

from . import _ext

# Let `ssmc._ssm_runtime` / `ssmc._ssm_compiler` be found in build trees.
__path__ = _ext.extension_search_path(__path__)

from .errors import (CompileError, DataLossError, DeviceUnavailableError, Error,  # noqa: E402
                     FailedPreconditionError, InternalError, InvalidArgumentError,
                     NotFoundError, OutOfRangeError, UnavailableError, UnimplementedError)
from .safetensors_io import bf16_to_float32, float32_to_bf16  # noqa: E402
from .runtime import (Module, as_tensor, available_devices, format_versions, load,  # noqa: E402
                      module_info, to_torch)
from . import graph  # noqa: E402,F401  (ssmc.graph.Graph: custom graphs in Python)
from .compiler import (compile, has_compiler, image_shape, model_config, models,  # noqa: E402
                       phases, preprocessing, weight_spec)
from .train_step import TrainStep  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    # compiling
    "compile", "models", "weight_spec", "image_shape", "preprocessing", "model_config",
    "phases", "has_compiler",
    # training
    "TrainStep",
    # running
    "load", "module_info", "format_versions", "Module", "Tensor", "TensorSpec", "FunctionSignature", "MemoryPlan",
    "available_devices", "as_tensor", "to_torch", "read_safetensors", "write_safetensors",
    # bf16 helpers
    "float32_to_bf16", "bf16_to_float32",
    # errors
    "Error", "InvalidArgumentError", "NotFoundError", "UnavailableError",
    "DeviceUnavailableError", "DataLossError", "FailedPreconditionError", "OutOfRangeError",
    "UnimplementedError", "InternalError", "CompileError",
]

# Names served lazily: the runtime's classes (they need the extension) and the
# torch integration (it imports torch).
_RUNTIME_NAMES = ("Tensor", "TensorSpec", "FunctionSignature", "MemoryPlan",
                  "read_safetensors", "write_safetensors")


def __getattr__(name):
    if name in _RUNTIME_NAMES:
        return getattr(_ext.runtime(), name)
    if name == "torch":
        import importlib
        return importlib.import_module(".torch", __name__)
    raise AttributeError(f"module 'ssmc' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_RUNTIME_NAMES) | {"torch"})
