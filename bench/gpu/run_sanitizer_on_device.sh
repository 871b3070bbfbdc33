#!/bin/bash
# compute-sanitizer over the generated GPU kernels on the GPU machine (the
# `run` device tool): memcheck, racecheck, initcheck and synccheck, each over
# one forward of every small module of artifacts/models*/ (make_model_artifacts.py
# --set checks: all four families at batch 1-2, odd sizes, f32 and bf16:
# scan, fused SS2D, GEMM, causal conv, the generic, row-reduction and copy
# kernels), with the GEMMs on the compiler's kernel (SSMRT_GEMM=fallback) and
# through cuBLASLt (auto), CUDA graphs off (the sanitizers see plain launches).
# Logs go to $OUT; the last lines are one verdict per tool. Not yet run.
#   carry: artifacts/models4 (or ARTIFACTS=dir)
set -u
ARTIFACTS=${ARTIFACTS:-artifacts/models4}
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
cmake -S runtime -B build-rt-gpu -G Ninja -DSSM_ENABLE_CUDA=ON -DCMAKE_BUILD_TYPE=Release \
  -DSSMRT_BUILD_TESTS=OFF > "$OUT/build.log" 2>&1 &&
  cmake --build build-rt-gpu -j "$(nproc)" --target ssmrt_c >> "$OUT/build.log" 2>&1 ||
  { tail -30 "$OUT/build.log"; exit 1; }
export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/cuda/lib64
export SSMRT_CUDA_GRAPHS=0
SAN=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null | head -1)
rc=0
verdicts=()
for tool in memcheck racecheck initcheck synccheck; do
  for gemm in fallback auto; do
    log="$OUT/sanitizer-$tool-$gemm.log"
    SSMRT_GEMM=$gemm "$SAN" --tool "$tool" --error-exitcode 3 \
      python3 bench/gpu/bench_models.py --lib build-rt-gpu/libssmrt_c.so --run-once \
      --artifacts "$ARTIFACTS" --only "-c" > "$log" 2>&1
    r=$?
    summary=$(grep -E "ERROR SUMMARY|RACECHECK SUMMARY" "$log" | tail -1)
    verdicts+=("$tool/$gemm: rc=$r ${summary:-no summary}")
    [ "$r" = 0 ] || rc=1
  done
done
printf '%s\n' "${verdicts[@]}" | tee "$OUT/sanitizer-summary.txt"
exit $rc
