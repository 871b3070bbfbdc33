"""The type stubs (_ssm_compiler.pyi, _ssm_runtime.pyi) against the built
extensions: every function, class, method and property a stub declares exists
in the extension, every public name of the extension is declared, and the
keyword arguments a stub gives a function are the ones the extension takes
(pybind11 records them in the function's docstring signature)."""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

STUBS = Path(__file__).resolve().parents[1] / "ssmc"


def _declared(stub):
    """{name: (kind, params)} of the stub's top level; classes map to
    {member: kind}."""
    tree = ast.parse((STUBS / stub).read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = ("function", [a.arg for a in node.args.args + node.args.kwonlyargs])
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = ("variable", None)
        elif isinstance(node, ast.ClassDef):
            members = {}
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    members[item.name] = "member"
            out[node.name] = ("class", members)
    return out


def _extension(name):
    try:
        from ssmc import _ext
    except ImportError as e:  # pragma: no cover
        pytest.skip(f"ssmc is not importable: {e}")
    try:
        return importlib.import_module(f"ssmc.{name}")
    except ImportError as e:
        pytest.skip(f"the {name} extension is not built: {e}")


def _pybind_params(fn):
    """Parameter names from a pybind11 docstring signature 'f(a: int, b: str = ...)'."""
    doc = (fn.__doc__ or "").strip().splitlines()
    if not doc:
        return None
    m = re.match(r"^\w+\((.*)\)\s*->", doc[0])
    if not m:
        return None
    return [p.split(":")[0].strip() for p in re.split(r",\s*(?![^\[]*\])", m.group(1)) if p.strip()]


@pytest.mark.parametrize("name", ["_ssm_compiler", "_ssm_runtime"])
def test_stub_matches_extension(name):
    ext = _extension(name)
    declared = _declared(f"{name}.pyi")
    public = {n for n in dir(ext) if not n.startswith("_")}
    missing_in_stub = sorted(n for n in public
                             if n not in declared and not inspect.ismodule(getattr(ext, n))
                             and not (isinstance(getattr(ext, n), type)
                                      and issubclass(getattr(ext, n), BaseException)))
    assert not missing_in_stub, f"{name}: not in the stub: {missing_in_stub}"
    for decl, (kind, detail) in declared.items():
        assert hasattr(ext, decl), f"{name}.pyi declares {decl}, the extension has none"
        obj = getattr(ext, decl)
        if kind == "class":
            for member in detail:
                if member.startswith("__") and member not in ("__call__", "__init__"):
                    continue
                assert hasattr(obj, member), f"{name}.{decl} has no {member}"
        elif kind == "function":
            params = _pybind_params(obj)
            if params is not None:
                assert params == detail, f"{name}.{decl}: stub {detail}, extension {params}"
