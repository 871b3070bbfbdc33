#!/bin/bash
# Training on the GPU machine in one `run` call, in order of what issue 11
# needs, each stage capped so a slow one cannot starve the rest:
#   1. the small compiled train step against the CPU one (3 steps);
#   2. an unchanged torch.optim.AdamW loop over ssmc.torch.Module on CUDA;
#   3. the train-step table at full size (bench_train_step.py over
#      $TRAIN_ARTIFACTS/*.ssmb: img/s and device memory);
#   4. compute-sanitizer over the backward kernels (run_sanitizer_train_step.sh)
#      with the time left.
# Prepare here (the compiler is needed): the artifacts/gpurt modules named in
# check_train_step_gpu.py and run_sanitizer_train_step.sh, and
#   for m in vim-t fastvim-t vmamba-t; do build/bin/ssm-compile --model=$m \
#     --img=224 --batch=128 --train --train-option=max_grad_norm=1.0 \
#     --target=nvptx -o artifacts/train6/$m-b128-nvptx.ssmb; done
#   carry: artifacts/gpurt artifacts/train6
set -u
OUT=${OUT:-$PWD/gpu-out}
SESSION_S=${SESSION_S:-570}
TRAIN_ARTIFACTS=${TRAIN_ARTIFACTS:-artifacts/train6}
source bench/gpu/device_lib.sh
gpu_info
build_python_module || exit 1
echo "== built ($(elapsed) s)"

echo "== 1. small train step, GPU vs CPU"
capped 60 "$PY" bench/gpu/check_train_step_gpu.py artifacts/gpurt/ts-cpu.ssmb \
  artifacts/gpurt/ts-nvptx.ssmb 2>&1 | tee "$OUT/train-step-check.log"
echo "rc=${PIPESTATUS[0]} ($(elapsed) s)"

echo "== 2. torch AdamW loop over ssmc.torch.Module on CUDA"
capped 90 "$PY" bench/gpu/check_torch_training_gpu.py artifacts/gpurt/g-cpu.ssmb \
  artifacts/gpurt/g-nvptx.ssmb 2>&1 | tee "$OUT/torch-training.log"
echo "rc=${PIPESTATUS[0]} ($(elapsed) s)"

echo "== 3. train-step table"
capped ${TABLE_S:-240} "$PY" bench/gpu/bench_train_step.py "$TRAIN_ARTIFACTS"/*.ssmb \
  --iters ${ITERS:-10} --warmup 2 --json "$OUT/train-step.json" 2>&1 | tee "$OUT/train-step.log"
echo "rc=${PIPESTATUS[0]} ($(elapsed) s)"

echo "== 4. compute-sanitizer over the backward kernels ($(left) s left)"
SESSION_S=$(( $(left) - 5 )) bash bench/gpu/run_sanitizer_train_step.sh
echo "== done ($(elapsed) s)"
