#!/usr/bin/env bash
# Configures (once) and builds ssmc: compiler, runtime, Python modules and
# tests, in build/.
# Usage: scripts/build.sh [ninja targets...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${SSM_BUILD_DIR:-build}
LLVM_DIR=${SSM_LLVM_DIR:-/usr/lib/llvm-22}

# Also reconfigures a build dir made before the Python modules were built.
if [[ ! -f $BUILD_DIR/build.ninja ]] ||
   ! grep -q '^SSM_BUILD_PYTHON:BOOL=ON' "$BUILD_DIR/CMakeCache.txt"; then
  cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DSSM_BUILD_PYTHON=ON \
    -DMLIR_DIR="$LLVM_DIR/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_DIR/bin/lit"
fi
# 2 cores: more jobs only thrash memory while linking MLIR tools.
cmake --build "$BUILD_DIR" -j "${SSM_JOBS:-2}" ${1:+--target "$@"}
