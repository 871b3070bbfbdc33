#!/bin/bash
# The GEMM batch on the GPU machine (the `run` device tool): build the
# runtime's C library with the CUDA driver, then bench_gemm.py over the
# carried artifacts/gemm of make_gemm_artifacts.py: every case on the library
# (cuBLASLt) and the fallback (compiler's kernel) path vs float64 and
# PyTorch, then the model of model.json end to end on each path.
# Logs go to $OUT (or ./gpu-out).
#   carry: artifacts/gemm
set -u
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/gpu.txt"
ls /usr/local/cuda/lib64/libcublasLt.so* 2>/dev/null | head -3
cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  -DSSMRT_BUILD_TESTS=OFF > "$OUT/build.log" 2>&1 &&
  cmake --build build-rt-gpu -j "$(nproc)" --target ssmrt_c >> "$OUT/build.log" 2>&1 ||
  { tail -30 "$OUT/build.log"; exit 1; }
# cuBLASLt from the toolkit where the loader does not find it by itself.
export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/cuda/lib64
MODEL=$([ -f artifacts/gemm/model.json ] && echo --model)
PYTHONUNBUFFERED=1 python3 bench/gpu/bench_gemm.py --lib build-rt-gpu/libssmrt_c.so \
  --artifacts artifacts/gemm $MODEL --json "$OUT/gemm.json" "$@" 2>&1 | tee "$OUT/gemm.log"
exit ${PIPESTATUS[0]}
