#!/bin/bash
# Training on the GPU machine in one `run` call, in order of what issue 11
# needs, each stage capped so a slow one cannot starve the rest:
#   1. the train-step table at full size (bench_train_step.py over
#      $TRAIN_ARTIFACTS/*.ssmb: img/s and device memory), and the first
#      module's kernel, copy and idle time per step (trace_train_step.py);
#   2. compiled train steps against float64 PyTorch (check_train_step_f64.py):
#      the full-size -T models at batch 2, CPU and GPU modules
#      ($TRAIN_ARTIFACTS/small/<variant>-b2-{cpu,nvptx}.ssmb), next to
#      PyTorch's own float32 step; small configurations of the four families
#      the same way ($TRAIN_ARTIFACTS/cfg, when present); and the small Vim
#      GPU against CPU (check_train_step_gpu.py);
#   3. an Nsight Compute per-kernel profile of one step (PROFILE=<module>);
#   4. the training cases of the GPU pytest (an unchanged torch.optim.AdamW
#      loop over ssmc.torch.Module on CUDA, TrainStep on CUDA vs the CPU);
#   5. compute-sanitizer over the backward kernels (run_sanitizer_train_step.sh,
#      for each STEPS pair) with the time left.
# Prepare here (the compiler is needed): bench/gpu/make_runtime_gpu_artifacts.sh
# (artifacts/gpurt) and bench/gpu/make_train_artifacts.sh ($TRAIN_ARTIFACTS:
# the b128 modules, small/ and cfg/).
#   carry: artifacts/gpurt $TRAIN_ARTIFACTS
set -u
OUT=${OUT:-$PWD/gpu-out}
SESSION_S=${SESSION_S:-570}
TRAIN_ARTIFACTS=${TRAIN_ARTIFACTS:-artifacts/train}
source bench/gpu/device_lib.sh
gpu_info
build_python_module || exit 1
echo "== built ($(elapsed) s)"

echo "== 1. train-step table (a process per module: a fault ends only its row)"
for m in "$TRAIN_ARTIFACTS"/*.ssmb; do
  capped ${TABLE_S:-120} "$PY" bench/gpu/bench_train_step.py "$m" --iters ${ITERS:-10} --warmup 2 \
    --json "$OUT/train-step-$(basename "$m" .ssmb).json" 2>&1 | tee -a "$OUT/train-step.log"
  r=${PIPESTATUS[0]}
  echo "rc=$r ($(elapsed) s)"
  # MEMCHECK_FAULTS=1: a module that faults runs again under memcheck to name the kernel.
  if [ "$r" != 0 ] && [ "${MEMCHECK_FAULTS:-0}" = 1 ]; then
    capped 150 "$SAN" --tool memcheck --print-limit 5 "$PY" bench/gpu/bench_train_step.py "$m" \
      --iters 1 --warmup 0 > "$OUT/memcheck-$(basename "$m" .ssmb).log" 2>&1
    grep -m 12 -E "Invalid|at .*train_step|Address|ERROR SUMMARY|by thread" \
      "$OUT/memcheck-$(basename "$m" .ssmb).log"
  fi
done

# Where a step's wall time goes beyond its kernels (host gaps): Vim-T's, else the first.
first=$(ls "$TRAIN_ARTIFACTS"/vim-t-*.ssmb "$TRAIN_ARTIFACTS"/*.ssmb 2>/dev/null | head -1)
capped ${TRACE_S:-60} "$PY" bench/gpu/trace_train_step.py "$first" 2>&1 | tee "$OUT/trace-train.log"

echo "== 2. train steps against float64 PyTorch ($(left) s left)"
# Small configurations: $TRAIN_ARTIFACTS/cfg/options, a line per module pair
# cfg/<variant>-{cpu,nvptx}.ssmb: "<variant> --model-option key=value ...".
if [ -f "$TRAIN_ARTIFACTS/cfg/options" ]; then
  while read -r variant options; do
    echo "-- $variant (small configuration: $options)"
    capped 40 "$PY" bench/gpu/check_train_step_f64.py "$variant" \
      "$TRAIN_ARTIFACTS/cfg/$variant-cpu.ssmb" "$TRAIN_ARTIFACTS/cfg/$variant-nvptx.ssmb" \
      $options < /dev/null 2>&1 | tee -a "$OUT/train-step-f64.log"
  done < "$TRAIN_ARTIFACTS/cfg/options"
fi
for cpu in "$TRAIN_ARTIFACTS"/small/*-b2-cpu.ssmb; do
  [ -f "$cpu" ] || continue
  variant=$(basename "$cpu" -b2-cpu.ssmb)
  echo "-- $variant"
  capped ${CHECK_S:-100} "$PY" bench/gpu/check_train_step_f64.py "$variant" "$cpu" \
    "${cpu%-cpu.ssmb}-nvptx.ssmb" --steps ${CHECK_STEPS:-2} 2>&1 | tee -a "$OUT/train-step-f64.log"
  echo "rc=${PIPESTATUS[0]} ($(elapsed) s)"
done
capped 60 "$PY" bench/gpu/check_train_step_gpu.py artifacts/gpurt/test/train-step-cpu.ssmb \
  artifacts/gpurt/test/train-step-nvptx.ssmb 2>&1 | tee -a "$OUT/train-step-check.log"

if [ -n "${PROFILE:-}" ]; then
  echo "== 3. ncu profile of one step of $PROFILE ($(left) s left)"
  SSMRT_CUDA_GRAPHS=0 capped ${PROFILE_S:-150} "$NCU" --clock-control none \
    --metrics gpu__time_duration.sum --csv --print-units base "$PY" bench/gpu/bench_train_step.py \
    "$PROFILE" --iters 1 --warmup 1 > "$OUT/ncu-train.csv" 2> "$OUT/ncu-train.err"
  echo "ncu rc=$?"
  "$PY" bench/gpu/summarize_ncu.py "$OUT/ncu-train.csv" | tee "$OUT/profile-train.txt" | head -30
fi

echo "== 4. GPU pytest: training through ssmc.torch.Module and TrainStep on CUDA"
SSMC_TEST_GPU_ARTIFACTS=$PWD/artifacts/gpurt/test capped ${PYTEST_S:-120} "$PY" -m pytest -q -rs \
  python/test/test_gpu.py -p no:cacheprovider -k "train" 2>&1 | tee "$OUT/pytest-train.log" | tail -8
echo "rc=${PIPESTATUS[0]} ($(elapsed) s)"

if [ "${SANITIZER:-1}" = 1 ]; then
  for step in ${STEPS:-artifacts/gpurt/test/train-step}; do
    echo "== 5. compute-sanitizer over the backward kernels of $step ($(left) s left)"
    STEP=$step SESSION_S=$(( $(left) - 5 )) bash bench/gpu/run_sanitizer_train_step.sh
  done
fi
echo "== done ($(elapsed) s)"
