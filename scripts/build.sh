#!/usr/bin/env bash
# Configures (once) and builds ssmc: compiler, runtime and tests, in build/.
# Usage: scripts/build.sh [ninja targets...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${SSM_BUILD_DIR:-build}
LLVM_DIR=${SSM_LLVM_DIR:-/usr/lib/llvm-22}

if [[ ! -f $BUILD_DIR/build.ninja ]]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR="$LLVM_DIR/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_DIR/bin/lit"
fi
# 2 cores: more jobs only thrash memory while linking MLIR tools.
cmake --build "$BUILD_DIR" -j "${SSM_JOBS:-2}" ${1:+--target "$@"}
