"""Finding and importing ssmc's extension modules.

The extensions (``_ssm_runtime``, ``_ssm_compiler``) are built by CMake into
``<build>/ssmc/`` of the python project: ``build/python/ssmc/`` from the
top-level build (scripts/build.sh), ``build-py/ssmc/`` from
``cmake -S python -B build-py``. The package's ``__path__`` is extended so
that ``ssmc._ssm_runtime`` is found, in this order, in

1. the package's own directory (an installed package: ``cmake --install``);
2. every directory of ``$SSMC_EXTENSION_DIR`` (``os.pathsep``-separated);
3. ``<entry>/ssmc`` for every ``sys.path`` entry (e.g. ``PYTHONPATH=build/python``);
4. ``build/python/ssmc`` and ``build-py/ssmc`` of the source checkout this
   package lives in.

Only directories that hold an extension module are added.
"""

from __future__ import annotations

import glob
import importlib
import os
import sys
from typing import Iterable, List

EXTENSIONS = ("_ssm_runtime", "_ssm_compiler")

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_CHECKOUT_BUILD_DIRS = (
    os.path.join(_REPO_ROOT, "build", "python", "ssmc"),
    os.path.join(_REPO_ROOT, "build-py", "ssmc"),
)

_searched: List[str] = []


def _has_extension(directory: str) -> bool:
    return any(glob.glob(os.path.join(directory, name + ".*")) for name in EXTENSIONS)


def extension_search_path(package_path: Iterable[str]) -> List[str]:
    """The package's ``__path__`` extended with the directories holding built
    extension modules (see the module docstring for the order)."""
    dirs = [os.path.abspath(p) for p in package_path]
    candidates = [d for d in os.environ.get("SSMC_EXTENSION_DIR", "").split(os.pathsep) if d]
    candidates += [os.path.join(e, "ssmc") for e in sys.path if isinstance(e, str) and e]
    candidates += list(_CHECKOUT_BUILD_DIRS)
    for candidate in candidates:
        candidate = os.path.abspath(candidate)
        if candidate not in dirs and os.path.isdir(candidate) and _has_extension(candidate):
            dirs.append(candidate)
    _searched[:] = dirs
    return dirs


_HINTS = {
    "_ssm_runtime": (
        "build it with `cmake -S python -B build-py -G Ninja && cmake --build build-py` "
        "(no LLVM needed) or scripts/build.sh, then use it from the source checkout "
        "or point SSMC_EXTENSION_DIR at <build dir>/ssmc"),
    "_ssm_compiler": (
        "the compiler module needs LLVM/MLIR 22 and is built only by the top-level "
        "project with SSM_BUILD_COMPILER=ON and SSM_BUILD_PYTHON=ON (scripts/build.sh); "
        "a runtime-only build can load and run .ssmb files but not compile"),
}

_cache: dict = {}


def load(name: str):
    """Imports ``ssmc.<name>``; a clear ImportError if it is not built."""
    module = _cache.get(name)
    if module is not None:
        return module
    try:
        module = importlib.import_module("ssmc." + name)
    except ImportError as e:
        raise ImportError(
            f"ssmc: cannot import the extension module {name} ({e}). {_HINTS[name]}. "
            f"Searched: {', '.join(_searched) or '(nothing)'}") from e
    _cache[name] = module
    return module


def runtime():
    """The ``_ssm_runtime`` extension (raises ImportError if not built)."""
    return load("_ssm_runtime")


def compiler():
    """The ``_ssm_compiler`` extension (raises ImportError if not built)."""
    return load("_ssm_compiler")


def available(name: str) -> bool:
    """Whether extension ``name`` imports."""
    try:
        load(name)
        return True
    except ImportError:
        return False
