#!/bin/bash
# One batch on the GPU machine (the `run` device tool): build the runtime with
# the CUDA driver, run its tests (GoogleTest built from the carried sources in
# .gpu-carry/googletest when the machine has none), then bench_scan.py over
# the carried artifacts/gpu. Logs go to $OUT (or ./gpu-out).
#   carry: artifacts/gpu .gpu-carry
# SCAN_ONLY=1: build only the runtime's C library and skip GoogleTest and
# ctest (scan measurements only); ARTIFACTS=dir: the artifacts to measure;
# DEADLINE=epoch seconds: no artifact is started after it (bench --budget-s).
set -u
SCAN_ONLY=${SCAN_ONLY:-0}
ARTIFACTS=${ARTIFACTS:-artifacts/gpu}
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/gpu.txt"
JOBS=$(nproc)
PREFIX=""
if [ "$SCAN_ONLY" = 0 ] && [ -d .gpu-carry/googletest ]; then
  cmake -S .gpu-carry/googletest -B /tmp/gtest-build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_GMOCK=OFF -DCMAKE_INSTALL_PREFIX=/tmp/gtest > "$OUT/gtest.log" 2>&1 &&
    cmake --build /tmp/gtest-build -j "$JOBS" >> "$OUT/gtest.log" 2>&1 &&
    cmake --install /tmp/gtest-build >> "$OUT/gtest.log" 2>&1 && PREFIX=/tmp/gtest
fi
cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  ${PREFIX:+-DCMAKE_PREFIX_PATH=$PREFIX} > "$OUT/build.log" 2>&1 &&
  cmake --build build-rt-gpu -j "$JOBS" $([ "$SCAN_ONLY" = 1 ] && echo --target ssmrt_c) \
    >> "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
if [ "$SCAN_ONLY" = 0 ]; then
  ctest --test-dir build-rt-gpu -j "$JOBS" > "$OUT/ctest.log" 2>&1
  echo "ctest rc=$?"; grep -E "tests passed|Cuda|Failed|FAILED" "$OUT/ctest.log" | head -20
  build-rt-gpu/test/ssmrt-tests --gtest_filter='Cuda*' 2>&1 | grep -E "OK|FAILED|SKIPPED|device 0" | head
fi
# DEADLINE=epoch seconds: the bench starts no artifact after it.
BUDGET=()
if [ -n "${DEADLINE:-}" ]; then
  BUDGET=(--budget-s "$((DEADLINE - $(date +%s)))")
  echo "bench budget: ${BUDGET[1]} s"
fi
PYTHONUNBUFFERED=1 python3 bench/gpu/bench_scan.py --lib build-rt-gpu/libssmrt_c.so \
  --artifacts "$ARTIFACTS" --json "$OUT/bench.json" "${BUDGET[@]}" "$@" 2>&1 | tee "$OUT/bench.log"
