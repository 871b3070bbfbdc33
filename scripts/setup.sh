#!/usr/bin/env bash
# Installs everything ssmc needs on a fresh Debian 12 machine (idempotent).
# Used by the README commands and by .ci/run. See README.md "Dependencies" for why each is here.
set -euo pipefail

PACKAGES=(
  # Compiler: LLVM/MLIR 22 headers, static libs, CMake config, lit/FileCheck, lld for linking.
  llvm-22-dev libmlir-22-dev mlir-22-tools lld-22 llvm-22-tools
  # AMDGPU device bitcode (ocml/ockl) linked into HSACO objects; the HIP runtime
  # library, so the runtime's HIP driver loads the real thing (no AMD GPU here).
  rocm-device-libs libamdhip64-5
  # The BLAS the CPU runtime dlopens for the models' GEMMs (the compiled
  # loops run without it). Note: it also becomes libblas.so.3, PyTorch's BLAS.
  libopenblas0-pthread
  # Build tools.
  cmake ninja-build ccache g++ pkg-config
  # Image decoding in the runtime's tooling library (ssmrt_image): the JPEG
  # and PNG decoders PIL uses.
  libjpeg62-turbo-dev libpng-dev
  # Tests: GoogleTest, Python test suite; clang + libFuzzer for the fuzz
  # targets (fuzz/, scripts/fuzz.sh).
  libgtest-dev python3-pytest clang-22 libfuzzer-22-dev
  # Python bindings and their tests/references; venv + pip + setuptools +
  # wheel for `pip install --no-build-isolation .` (setup.py).
  pybind11-dev python3-dev python3-numpy python3-torch python3-sklearn python3-matplotlib
  python3-venv python3-pip python3-setuptools python3-wheel
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present"
fi
