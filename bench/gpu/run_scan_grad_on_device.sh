#!/bin/bash
# The selective-scan backward batch on the GPU machine (the `run` device
# tool, carry artifacts/gpu-grad): build the runtime's C library with the
# CUDA driver, then bench_scan_grad.py over the carried artifacts (extra
# arguments go to it). Logs go to $OUT (or ./gpu-out).
#   FULL=1: first build the whole runtime (GoogleTest from the carried
#     .gpu-carry/googletest where the machine has none) and run its ctest
#     (carry .gpu-carry too);
#   GEMM=1: bench_gemm.py's checks over the carried artifacts/gemm
#     (or $GEMM_ARTIFACTS; carry it too; few timing iterations, no model
#     rows).
#   STEP_LIMIT=s: each of ctest and the GEMM checks is stopped after s
#     seconds (default 90), so the scan batch still runs.
set -u
OUT=${OUT:-$PWD/gpu-out}
FULL=${FULL:-0}
GEMM=${GEMM:-0}
STEP_LIMIT=${STEP_LIMIT:-90}
JOBS=$(nproc)
mkdir -p "$OUT"
SECONDS=0
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/gpu.txt"
PREFIX=""
if [ "$FULL" = 1 ] && [ -d .gpu-carry/googletest ]; then
  cmake -S .gpu-carry/googletest -B /tmp/gtest-build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_GMOCK=OFF -DCMAKE_INSTALL_PREFIX=/tmp/gtest > "$OUT/build.log" 2>&1 &&
    cmake --build /tmp/gtest-build -j "$JOBS" >> "$OUT/build.log" 2>&1 &&
    cmake --install /tmp/gtest-build >> "$OUT/build.log" 2>&1 && PREFIX=/tmp/gtest
  echo "[${SECONDS}s] googletest: ${PREFIX:-none}"
fi
cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  ${PREFIX:+-DCMAKE_PREFIX_PATH=$PREFIX} >> "$OUT/build.log" 2>&1 &&
  cmake --build build-rt-gpu -j "$JOBS" --target ssmrt_c >> "$OUT/build.log" 2>&1 ||
  { tail -30 "$OUT/build.log"; exit 1; }
echo "[${SECONDS}s] runtime C library built"
# The rest of the runtime and its tests build while the GEMM checks run
# (their timings are not reported from this batch); the scan timings start
# only after the build.
if [ "$FULL" = 1 ]; then
  cmake --build build-rt-gpu -j "$JOBS" > "$OUT/build-all.log" 2>&1 &
  BUILD_PID=$!
fi
if [ "$GEMM" = 1 ]; then
  # cuBLASLt from the toolkit where the loader does not find it by itself.
  LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/cuda/lib64 \
    PYTHONUNBUFFERED=1 timeout "$STEP_LIMIT" python3 bench/gpu/bench_gemm.py \
    --lib build-rt-gpu/libssmrt_c.so --artifacts "${GEMM_ARTIFACTS:-artifacts/gemm}" \
    --iters 10 --warmup 3 --json "$OUT/gemm.json" > "$OUT/gemm.log" 2>&1
  echo "[${SECONDS}s] bench_gemm rc=$?"
  grep -E "nhwc|FAIL|ERROR|checks, worst" "$OUT/gemm.log" | head -20
fi
if [ "$FULL" = 1 ]; then
  wait "$BUILD_PID"
  brc=$?
  echo "[${SECONDS}s] runtime and tests built rc=$brc"
  [ "$brc" = 0 ] || tail -30 "$OUT/build-all.log"
  timeout "$STEP_LIMIT" ctest --test-dir build-rt-gpu -j "$JOBS" > "$OUT/ctest.log" 2>&1
  echo "[${SECONDS}s] ctest rc=$?"
  grep -E "tests passed|tests failed|\(Failed\)|\(Skipped\)|Not Run|Timeout" "$OUT/ctest.log" | head -30
fi
PYTHONUNBUFFERED=1 python3 bench/gpu/bench_scan_grad.py --lib build-rt-gpu/libssmrt_c.so \
  --json "$OUT/bench.json" "$@" 2>&1 | tee "$OUT/bench.log"
rc=${PIPESTATUS[0]}
echo "[${SECONDS}s] bench_scan_grad rc=$rc"
exit $rc
