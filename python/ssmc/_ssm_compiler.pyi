"""Type stubs of ssmc._ssm_compiler, the compiler extension (python/src/compiler_module.cpp).

Built only by the top-level project (LLVM/MLIR 22). Use ``ssmc.compile``;
this module is its low-level layer.
"""

from typing import Any, Dict, List, Sequence, Tuple

from .errors import CompileError as CompileError
from .errors import InvalidArgumentError as InvalidArgumentError

_Options = Sequence[Tuple[str, str]]

#: Whether the model builders (SSMModels) are linked in.
HAS_MODELS: bool

class CompileResult:
    """What a compilation produced."""

    @property
    def data(self) -> bytes:
        """.ssmb ('artifact'), kernel shared object ('binary') or IR text."""
    @property
    def is_text(self) -> bool: ...
    @property
    def stats(self) -> str: ...
    @property
    def workspace_bytes(self) -> Dict[str, int]: ...
    @property
    def diagnostics(self) -> str: ...

def compile_ir(text: str, target: str = "cpu", phase: str = "artifact", embed_weights: str = "",
               cpu: str = "host", linker: str = "", opt_level: int = 3,
               source_name: str = "<string>", gradients: bool = False, train: bool = False,
               train_options: _Options = ...) -> CompileResult:
    """Parses MLIR text and compiles it; CompileError carries the diagnostics."""

def compile_model(model: str, options: _Options = ..., target: str = "cpu",
                  phase: str = "artifact", embed_weights: str = "", cpu: str = "host",
                  linker: str = "", opt_level: int = 3, gradients: bool = False,
                  train: bool = False, train_options: _Options = ...) -> CompileResult:
    """Builds a registered model with (key, value) overrides and compiles it."""

def no_weight_decay(name: str, shape: Sequence[int]) -> bool: ...
def drop_path_hash(seed: int, index: int, sample: int) -> int: ...
def drop_path_threshold(rate: float) -> int: ...
def phase_names() -> List[str]: ...
def variant_names() -> List[str]: ...
def resolve_model_config(model: str, options: _Options = ...) -> Dict[str, Any]: ...
def weight_specs(model: str, options: _Options = ...) -> List[Tuple[str, Tuple[int, ...]]]: ...
def image_shape(model: str, options: _Options = ...) -> Tuple[int, ...]: ...
def preprocessing(model: str, options: _Options = ...) -> Dict[str, Any]: ...
