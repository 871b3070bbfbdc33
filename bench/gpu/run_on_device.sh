#!/bin/bash
# One batch on the GPU machine (the `run` device tool): build the runtime with
# the CUDA driver, run its tests (GoogleTest built from the carried sources in
# .gpu-carry/googletest when the machine has none), then bench_scan.py over
# the carried artifacts/gpu. Logs go to $OUT (or ./gpu-out).
#   carry: artifacts/gpu .gpu-carry
set -u
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/gpu.txt"
JOBS=$(nproc)
PREFIX=""
if [ -d .gpu-carry/googletest ]; then
  cmake -S .gpu-carry/googletest -B /tmp/gtest-build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_GMOCK=OFF -DCMAKE_INSTALL_PREFIX=/tmp/gtest > "$OUT/gtest.log" 2>&1 &&
    cmake --build /tmp/gtest-build -j "$JOBS" >> "$OUT/gtest.log" 2>&1 &&
    cmake --install /tmp/gtest-build >> "$OUT/gtest.log" 2>&1 && PREFIX=/tmp/gtest
fi
cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  ${PREFIX:+-DCMAKE_PREFIX_PATH=$PREFIX} > "$OUT/build.log" 2>&1 &&
  cmake --build build-rt-gpu -j "$JOBS" >> "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
ctest --test-dir build-rt-gpu -j "$JOBS" > "$OUT/ctest.log" 2>&1
echo "ctest rc=$?"; grep -E "tests passed|Cuda|Failed|FAILED" "$OUT/ctest.log" | head -20
build-rt-gpu/test/ssmrt-tests --gtest_filter='Cuda*' 2>&1 | grep -E "OK|FAILED|SKIPPED|device 0" | head
PYTHONUNBUFFERED=1 python3 bench/gpu/bench_scan.py --lib build-rt-gpu/libssmrt_c.so \
  --json "$OUT/bench.json" "$@" 2>&1 | tee "$OUT/bench.log"
