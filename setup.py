"""pip / setuptools build of the ssmc Python package (python/ssmc) with its
two pybind11 extensions, built by CMake.

    python3 -m venv --system-site-packages venv
    venv/bin/pip install --no-build-isolation .

(--no-build-isolation: setuptools and wheel come from the system, Debian's
python3-setuptools / python3-wheel; nothing is downloaded.)

Which CMake build tree provides the extensions:

* ``$SSMC_BUILD_DIR`` (or scripts/build.sh's ``$SSM_BUILD_DIR``) if set: a top-level build tree (configured with
  -DSSM_BUILD_PYTHON=ON, or configured here if it does not exist yet);
* else ``build/`` if it is a top-level tree configured with
  SSM_BUILD_PYTHON=ON (scripts/build.sh makes one): reused, so installing
  after a build only relinks what changed;
* else ``build-pip/``, configured here like scripts/build.sh does
  (LLVM/MLIR 22 from ``$SSM_LLVM_DIR``, default /usr/lib/llvm-22; ccache is
  used when installed).

``$SSMC_CMAKE_ARGS`` (split on spaces) is added when a tree is configured
here, e.g. ``-DSSM_ENABLE_CUDA=ON``. Only the extension targets (_ssm_runtime, _ssm_compiler) are built, with
``$SSM_JOBS`` jobs (default 2).

Runtime only (no LLVM; loads and runs .ssmb modules, cannot compile):
``SSMC_RUNTIME_ONLY=1 pip install --no-build-isolation .`` builds
``_ssm_runtime`` alone through the standalone ``cmake -S python`` project in
``$SSMC_BUILD_DIR`` (default build-pip-runtime/).
"""

import glob
import os
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def _truthy(value):
    return value.lower() not in ("", "0", "off", "false", "no")


RUNTIME_ONLY = _truthy(os.environ.get("SSMC_RUNTIME_ONLY", ""))
EXTENSIONS = ["_ssm_runtime"] if RUNTIME_ONLY else ["_ssm_runtime", "_ssm_compiler"]


def _cache_has_python(build_dir):
    cache = os.path.join(build_dir, "CMakeCache.txt")
    if not os.path.isfile(cache) or not os.path.isfile(os.path.join(build_dir, "build.ninja")):
        return False
    with open(cache, encoding="utf-8", errors="replace") as f:
        return any(line.startswith("SSM_BUILD_PYTHON:BOOL=ON") for line in f)


def _run(cmd):
    print("ssmc setup.py: " + " ".join(cmd), flush=True)
    subprocess.check_call(cmd, cwd=ROOT)


class CMakeBuildExt(build_ext):
    """Configures (when needed) and builds the extension targets with CMake,
    then copies the modules where setuptools puts extensions."""

    def run(self):
        self._ext_dir = self._cmake_build()
        super().run()
        # setuptools' build/lib tree outlives a run: drop a module of the
        # other mode (a runtime-only wheel must not ship an old _ssm_compiler).
        for name in {"_ssm_runtime", "_ssm_compiler"} - set(EXTENSIONS):
            for stale in glob.glob(os.path.join(self.build_lib, "ssmc", name + ".*")):
                if not stale.endswith(".pyi"):
                    os.remove(stale)

    def _cmake_build(self):
        jobs = os.environ.get("SSM_JOBS", "2")
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        python = ["-DPython_EXECUTABLE=" + sys.executable] + os.environ.get(
            "SSMC_CMAKE_ARGS", "").split()
        if RUNTIME_ONLY:
            build_dir = os.path.abspath(os.environ.get("SSMC_BUILD_DIR") or
                                        os.path.join(ROOT, "build-pip-runtime"))
            if not os.path.isfile(os.path.join(build_dir, "CMakeCache.txt")):
                _run(["cmake", "-S", os.path.join(ROOT, "python"), "-B", build_dir,
                      "-DCMAKE_BUILD_TYPE=Release"] + generator + python)
            _run(["cmake", "--build", build_dir, "-j", jobs, "--target", "_ssm_runtime"])
            return os.path.join(build_dir, "ssmc")

        build_dir = os.environ.get("SSMC_BUILD_DIR") or os.environ.get("SSM_BUILD_DIR")
        if not build_dir:
            default = os.path.join(ROOT, "build")
            build_dir = default if _cache_has_python(default) else os.path.join(ROOT, "build-pip")
        build_dir = os.path.abspath(build_dir)
        if not _cache_has_python(build_dir):
            llvm = os.environ.get("SSM_LLVM_DIR", "/usr/lib/llvm-22")
            _run(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                  "-DSSM_BUILD_PYTHON=ON",
                  "-DMLIR_DIR=" + os.path.join(llvm, "lib", "cmake", "mlir"),
                  "-DLLVM_EXTERNAL_LIT=" + os.path.join(llvm, "bin", "lit")]
                 + generator + python)
        _run(["cmake", "--build", build_dir, "-j", jobs, "--target"] + EXTENSIONS)
        return os.path.join(build_dir, "python", "ssmc")

    def build_extension(self, ext):
        name = ext.name.split(".")[-1]
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = os.path.join(self._ext_dir, name + suffix)
        if not os.path.isfile(built):
            raise RuntimeError(
                f"ssmc setup.py: {built} was not built: the CMake build tree was configured "
                f"for another Python (this one is {sys.executable}, suffix {suffix}); set "
                f"SSMC_BUILD_DIR to a new directory to configure one for it")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        print(f"ssmc setup.py: copying {built} -> {target}", flush=True)
        shutil.copyfile(built, target)
        shutil.copymode(built, target)


setup(
    name="ssmc",
    version="0.1.0",
    description="Compiler (MLIR) and LLVM-free runtime for vision state-space models",
    python_requires=">=3.8",
    install_requires=["numpy"],
    package_dir={"": "python"},
    packages=["ssmc"],
    package_data={"ssmc": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("ssmc." + name, sources=[]) for name in EXTENSIONS],
    cmdclass={"build_ext": CMakeBuildExt},
    # setuptools' own build files stay out of CMake's build/ tree.
    options={"build": {"build_base": os.path.join(
        "build-pip", "setuptools-runtime" if RUNTIME_ONLY else "setuptools")}},
    zip_safe=False,
)
