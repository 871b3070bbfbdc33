#!/bin/bash
# The selective-scan backward batch on the GPU machine (the `run` device
# tool, carry artifacts/gpu-grad): build the runtime's C library with the
# CUDA driver, then bench_scan_grad.py over the carried artifacts (extra
# arguments go to it). Logs go to $OUT (or ./gpu-out).
set -u
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/gpu.txt"
cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  > "$OUT/build.log" 2>&1 &&
  cmake --build build-rt-gpu -j "$(nproc)" --target ssmrt_c >> "$OUT/build.log" 2>&1 ||
  { tail -30 "$OUT/build.log"; exit 1; }
PYTHONUNBUFFERED=1 python3 bench/gpu/bench_scan_grad.py --lib build-rt-gpu/libssmrt_c.so \
  --json "$OUT/bench.json" "$@" 2>&1 | tee "$OUT/bench.log"
