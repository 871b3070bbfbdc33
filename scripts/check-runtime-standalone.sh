#!/usr/bin/env bash
# Proves runtime/ needs no LLVM/MLIR: no source includes their headers, and it
# configures, builds and passes its tests with LLVM off PATH and CMAKE_PREFIX_PATH
# (as on the GPU machine, which has no LLVM).
set -euo pipefail
cd "$(dirname "$0")/.."

if grep -rnE '#\s*include\s*[<"](llvm|mlir|llvm-c|mlir-c)/' runtime; then
  echo "error: runtime sources include LLVM/MLIR headers (above)" >&2
  exit 1
fi
rm -rf build-rt
env -i HOME="$HOME" PATH=/usr/bin:/bin CMAKE_PREFIX_PATH= \
  cmake -S runtime -B build-rt -G Ninja -DCMAKE_BUILD_TYPE=Release
env -i HOME="$HOME" PATH=/usr/bin:/bin cmake --build build-rt -j 2
if grep -qE "/llvm-[0-9]+|(LLVM|MLIR)_DIR" build-rt/CMakeCache.txt; then
  echo "error: the runtime configuration found LLVM/MLIR:" >&2
  grep -E "/llvm-[0-9]+|(LLVM|MLIR)_DIR" build-rt/CMakeCache.txt >&2
  exit 1
fi
env -i HOME="$HOME" PATH=/usr/bin:/bin ctest --test-dir build-rt --output-on-failure
