#!/bin/bash
# Whole models on the GPU machine (the `run` device tool): build the
# runtime's C library with the CUDA driver, then bench_models.py over the
# carried artifacts/models of make_model_artifacts.py. Logs go to $OUT (or
# ./gpu-out); extra arguments go to bench_models.py. ARTIFACTS=dir: the
# modules (default artifacts/models).
#   carry: artifacts/models
set -u
ARTIFACTS=${ARTIFACTS:-artifacts/models}
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/gpu.txt"
cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  -DSSMRT_BUILD_TESTS=OFF > "$OUT/build.log" 2>&1 &&
  cmake --build build-rt-gpu -j "$(nproc)" --target ssmrt_c >> "$OUT/build.log" 2>&1 ||
  { tail -30 "$OUT/build.log"; exit 1; }
export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/cuda/lib64
PYTHONUNBUFFERED=1 python3 bench/gpu/bench_models.py --lib build-rt-gpu/libssmrt_c.so \
  --artifacts "$ARTIFACTS" --json "$OUT/models.json" "$@" 2>&1 | tee "$OUT/models.log"
rc=${PIPESTATUS[0]}
# PROFILE=substring: every kernel of that module's second forward under
# Nsight Compute (duration only, clocks left alone), summed per kernel name.
if [ -n "${PROFILE:-}" ]; then
  NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
  "$NCU" --clock-control none --metrics gpu__time_duration.sum --csv --print-units base \
    python3 bench/gpu/bench_models.py --lib build-rt-gpu/libssmrt_c.so --run-once \
    --artifacts "$ARTIFACTS" --only "$PROFILE" > "$OUT/ncu.csv" 2> "$OUT/ncu.err"
  echo "ncu rc=$?"
  python3 bench/gpu/summarize_ncu.py "$OUT/ncu.csv" | tee "$OUT/profile.txt"
fi
exit $rc
