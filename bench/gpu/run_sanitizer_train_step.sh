#!/bin/bash
# compute-sanitizer over the backward kernels (the selective-scan gradient, the
# causal-conv gradient, the adjoint elementwise and reduction kernels, AdamW)
# on the GPU machine: the four tools over three steps of a small Vim's fused
# train step (bench/gpu/check_train_step_gpu.py, which also checks the step
# against the CPU one). The whole-model forward kernels are covered by
# run_session_on_device.sh.
# Prepare here (the compiler is needed): bench/gpu/make_runtime_gpu_artifacts.sh.
# STEP: another pair, STEP-cpu.ssmb and STEP-nvptx.ssmb (e.g. one with enough
# tokens x batch for ssm-split-reductions to split the norm-weight gradients);
# TOOLS: the tools to run (default all four).
#   carry: artifacts/gpurt
set -u
OUT=${OUT:-$PWD/gpu-out}
SESSION_S=${SESSION_S:-570}
source bench/gpu/device_lib.sh
build_python_module || exit 1
export SSMRT_CUDA_GRAPHS=0
rc=0
STEP=${STEP:-artifacts/gpurt/test/train-step}
for tool in ${TOOLS:-memcheck racecheck initcheck synccheck}; do
  for gemm in fallback auto; do
    log="$OUT/sanitizer-train-$(basename "$STEP")-$tool-$gemm.log"
    SSMRT_GEMM=$gemm capped 120 "$SAN" --tool "$tool" --error-exitcode 3 "$PY" \
      bench/gpu/check_train_step_gpu.py "$STEP-cpu.ssmb" "$STEP-nvptx.ssmb" > "$log" 2>&1
    r=$?
    echo "$tool/$gemm: rc=$r $(grep -E "ERROR SUMMARY|RACECHECK SUMMARY" "$log" | tail -1)" |
      tee -a "$OUT/sanitizer-train-summary.txt"
    [ "$r" = 0 ] || rc=1
  done
done
exit $rc
