"""`pip install --no-build-isolation .` into a fresh virtual environment
(`python3 -m venv --system-site-packages`), then compile -> load -> run in
that environment, checked against the float64 PyTorch reference.

setup.py reuses the already-built CMake tree (build/, or $SSM_BUILD_DIR), so
this costs only the wheel packing and install (about 10 s). Skipped, with
the reason, where venv/ensurepip, pip, setuptools or wheel are missing, or no
build tree configured with SSM_BUILD_PYTHON=ON exists (a fresh configure and
build of LLVM-linked targets is too slow for the test suite).
"""
import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from ssm_testing import torch_models as tm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.path.abspath(os.environ.get("SSM_BUILD_DIR", os.path.join(ROOT, "build")))


def _missing():
    for module, package in (("venv", "python3-venv"), ("ensurepip", "python3-venv"),
                            ("pip", "python3-pip"), ("setuptools", "python3-setuptools"),
                            ("wheel", "python3-wheel")):
        if importlib.util.find_spec(module) is None:
            return f"Python module {module} is missing (Debian package {package})"
    cache = os.path.join(BUILD_DIR, "CMakeCache.txt")
    if not os.path.isfile(cache) or "SSM_BUILD_PYTHON:BOOL=ON" not in open(cache).read():
        return f"no CMake build tree with SSM_BUILD_PYTHON=ON in {BUILD_DIR} (scripts/build.sh)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))

IR = """
func.func @forward(%u: tensor<1x4x6xf32> {ssm.name = "u"}, %dt: tensor<1x4x6xf32> {ssm.name = "delta"},
                   %A: tensor<4x3xf32> {ssm.name = "A"}, %B: tensor<1x3x6xf32> {ssm.name = "B"},
                   %C: tensor<1x3x6xf32> {ssm.name = "C"}) -> (tensor<1x4x6xf32> {ssm.name = "y"}) {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C delta_softplus
      : tensor<1x4x6xf32>, tensor<1x4x6xf32>, tensor<4x3xf32>, tensor<1x3x6xf32>, tensor<1x3x6xf32>
  return %y : tensor<1x4x6xf32>
}
"""

# Runs inside the venv, from a directory outside the checkout.
CHILD = textwrap.dedent("""
    import os, sys
    import numpy as np
    import ssmc
    from ssmc import _ext
    prefix = os.path.realpath(sys.prefix)
    for mod in (ssmc, _ext.runtime(), _ext.compiler()):
        path = os.path.realpath(mod.__file__)
        assert path.startswith(prefix + os.sep), (mod.__name__, path, prefix)
    pkg = os.path.dirname(os.path.realpath(ssmc.__file__))
    for f in ("py.typed", "_ssm_runtime.pyi", "_ssm_compiler.pyi"):
        assert os.path.isfile(os.path.join(pkg, f)), f
    # ssmc.train and its initialization come with the package.
    import ssmc.train
    from ssmc import reference_models
    reference_models.build("vim-t", embed_dim=8, depth=1, img=16, classes=3)
    assert "ssm_testing" not in sys.modules
    ir = open(sys.argv[1]).read()
    m = ssmc.load(ssmc.compile(ir, target="cpu"))
    rng = np.random.default_rng(7)
    args = {
        "u": rng.uniform(-1, 1, (1, 4, 6)).astype(np.float32),
        "delta": rng.uniform(-0.5, 0.5, (1, 4, 6)).astype(np.float32),
        "A": -rng.uniform(0.5, 2.0, (4, 3)).astype(np.float32),
        "B": rng.uniform(-1, 1, (1, 3, 6)).astype(np.float32),
        "C": rng.uniform(-1, 1, (1, 3, 6)).astype(np.float32),
    }
    y = m(*[args[k] for k in ("u", "delta", "A", "B", "C")])
    np.savez(sys.argv[2], y=np.asarray(y), **args)
    print("ok", ssmc.__file__)
""")


def test_pip_install_into_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, capture_output=True, text=True)
    py = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SSMC_EXTENSION_DIR")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["SSM_BUILD_DIR"] = BUILD_DIR
    install = subprocess.run(
        [py, "-m", "pip", "install", "--no-index", "--no-cache-dir", "--no-build-isolation", ROOT],
        cwd=str(tmp_path), env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stdout[-4000:] + install.stderr[-4000:]

    (tmp_path / "ir.mlir").write_text(IR)
    (tmp_path / "child.py").write_text(CHILD)
    out = tmp_path / "out.npz"
    run = subprocess.run([py, str(tmp_path / "child.py"), str(tmp_path / "ir.mlir"), str(out)],
                         cwd=str(tmp_path), env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert str(venv) in run.stdout, run.stdout

    data = np.load(out)
    t = {k: torch.from_numpy(data[k]).double() for k in ("u", "delta", "A", "B", "C")}
    ref = tm.selective_scan(t["u"], t["delta"], t["A"], t["B"], t["C"],
                            delta_softplus=True).numpy()
    y = data["y"].astype(np.float64)
    assert y.shape == ref.shape
    assert np.abs(y - ref).max() / np.abs(ref).max() <= 1e-4
