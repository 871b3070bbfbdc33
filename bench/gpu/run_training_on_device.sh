#!/bin/bash
# Training on the GPU machine in one `run` call, in order of what issue 11
# needs, each stage capped so a slow one cannot starve the rest:
#   1. compiled train steps against the CPU ones (3 steps): the small Vim and
#      the full-size -T models at batch 2 ($TRAIN_ARTIFACTS/small);
#   2. the training cases of the GPU pytest (an unchanged torch.optim.AdamW
#      loop over ssmc.torch.Module on CUDA, TrainStep on CUDA vs the CPU);
#   3. the train-step table at full size (bench_train_step.py over
#      $TRAIN_ARTIFACTS/*.ssmb: img/s and device memory);
#   4. compute-sanitizer over the backward kernels (run_sanitizer_train_step.sh)
#      with the time left.
# Prepare here (the compiler is needed): bench/gpu/make_runtime_gpu_artifacts.sh
# (artifacts/gpurt), and
#   for m in vim-t fastvim-t vmamba-t; do build/bin/ssm-compile --model=$m \
#     --img=224 --batch=128 --train --train-option=max_grad_norm=1.0 \
#     --target=nvptx -o artifacts/train6/$m-b128-nvptx.ssmb; done
# and the same at --batch=2 for cpu and nvptx as artifacts/train6/small/$m-b2-$t.ssmb.
#   carry: artifacts/gpurt artifacts/train6
set -u
OUT=${OUT:-$PWD/gpu-out}
SESSION_S=${SESSION_S:-570}
TRAIN_ARTIFACTS=${TRAIN_ARTIFACTS:-artifacts/train6}
source bench/gpu/device_lib.sh
gpu_info
build_python_module || exit 1
echo "== built ($(elapsed) s)"

echo "== 1. train steps, GPU vs CPU: the small Vim, and $TRAIN_ARTIFACTS/small/*-cpu.ssmb"
for cpu in artifacts/gpurt/test/train-step-cpu.ssmb "$TRAIN_ARTIFACTS"/small/*-cpu.ssmb; do
  [ -f "$cpu" ] || continue
  echo "-- $cpu"
  capped ${CHECK_S:-60} "$PY" bench/gpu/check_train_step_gpu.py "$cpu" "${cpu%-cpu.ssmb}-nvptx.ssmb" \
    2>&1 | tee -a "$OUT/train-step-check.log"
  echo "rc=${PIPESTATUS[0]} ($(elapsed) s)"
done

echo "== 2. GPU pytest: training through ssmc.torch.Module and TrainStep on CUDA"
SSMC_TEST_GPU_ARTIFACTS=$PWD/artifacts/gpurt/test capped 120 "$PY" -m pytest -q -rs \
  python/test/test_gpu.py -p no:cacheprovider -k "train" 2>&1 | tee "$OUT/pytest-train.log" | tail -8
echo "rc=${PIPESTATUS[0]} ($(elapsed) s)"

echo "== 3. train-step table (a process per module: a fault ends only its row)"
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

if [ "${SANITIZER:-1}" = 1 ]; then
  echo "== 4. compute-sanitizer over the backward kernels ($(left) s left)"
  SESSION_S=$(( $(left) - 5 )) bash bench/gpu/run_sanitizer_train_step.sh
fi
echo "== done ($(elapsed) s)"
