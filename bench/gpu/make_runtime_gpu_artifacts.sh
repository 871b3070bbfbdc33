#!/bin/bash
# Prepares what bench/gpu/run_runtime_gpu_tests.sh needs on the GPU machine,
# in artifacts/gpurt (git-ignored; carry it):
#   test/scan.ssmb      bench/gpu/runtime_gpu_scan.mlir, ssm-compile --target=nvptx
#   test/vim-tiny.ssmb  a tiny Vim (cuBLASLt GEMMs, scans, norms) from $MODELS
#   test/{grad,train-step}-{cpu,nvptx}.ssmb
#                       a small Vim with its gradient (--grad) and with its
#                       fused train step (--train), for each target: the
#                       trainable ssmc.torch.Module and TrainStep on CUDA
#                       against the same on the CPU
#   bench/*.ssmb        Vim-T f32 at batch 1 and 128 (224x224) from $MODELS, for
#                       the graphs on/off timing (bench_graphs.py)
#   googletest/         the GoogleTest sources (the GPU machine has none)
# $MODELS: the artifacts of make_model_artifacts.py (default artifacts/models);
# rows it lacks are left out (the GPU script says so). $SSM_COMPILE: the
# compiler (default build/bin/ssm-compile).
set -eu
SSM_COMPILE=${SSM_COMPILE:-build/bin/ssm-compile}
MODELS=${MODELS:-artifacts/models}
DEST=artifacts/gpurt
rm -rf "$DEST"
mkdir -p "$DEST/test" "$DEST/bench"
"$SSM_COMPILE" bench/gpu/runtime_gpu_scan.mlir --target=nvptx -o "$DEST/test/scan.ssmb"
small_vim="--model=vim-t --model-option=embed_dim=16 --model-option=depth=2 --img=32 --classes=10"
for t in cpu nvptx; do
  "$SSM_COMPILE" $small_vim --batch=8 --grad --target=$t -o "$DEST/test/grad-$t.ssmb"
  "$SSM_COMPILE" $small_vim --batch=4 --train --train-option=max_grad_norm=1.0 --target=$t \
    -o "$DEST/test/train-step-$t.ssmb"
done
copy() { # copy <model file> <destination>
  if [ -f "$MODELS/$1" ]; then cp "$MODELS/$1" "$2"; else echo "note: no $MODELS/$1"; fi
}
copy vim-t-c1-f32-b1-i16.ssmb "$DEST/test/vim-tiny.ssmb"
copy vim-t-f32-b1-i224.ssmb "$DEST/bench/"
copy vim-t-f32-b128-i224.ssmb "$DEST/bench/"
if [ -d /usr/src/googletest ]; then
  cp -r /usr/src/googletest "$DEST/googletest"
fi
du -sh "$DEST"
ls -R "$DEST" | head -20
