#!/usr/bin/env bash
# The main job: set up, build, then
#   1. train a small Vision Mamba (Vim) from scratch on scikit-learn's
#      handwritten digits with ssmc (the model compiled with its reverse-mode
#      gradient and trained through ssmc.torch.Module and PyTorch's AdamW),
#      next to the PyTorch reference implementation trained the same way;
#   2. compile the trained weights into an inference module with ssm-compile
#      and classify the held-out digits with it (accuracy, a few examples);
#   3. compile the full Vim-T (224x224) by name with weights embedded and
#      classify an image with ssm-run (preprocessing, top-5, timing). No
#      official checkpoint can be downloaded on these machines: these weights
#      are deterministic ones with the official names (scripts/demo-assets.py),
#      so the classes of step 3 are not meaningful; with a real checkpoint:
#        python3 -m ssmc.convert vim_t_midclstok_76p1acc.pth vim-t.safetensors --model vim-t
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-vim-t}
EPOCHS=${EPOCHS:-6}

scripts/setup.sh
scripts/build.sh

demo=build/demo
run=$demo/digits
digits_options=(--model-option=embed_dim=32 --model-option=depth=2 --model-option=patch=4
                --model-option=stride=4)
echo "== 1. train Vim (embed 32, depth 2, 16 tokens) on the digits: python3 -m ssmc.train"
(cd python && /usr/bin/python3 -m ssmc.train --model vim-t --img 16 --epochs "$EPOCHS" \
   "${digits_options[@]}" --out "../$run" --compare-pytorch)
echo "== 2. ssm-compile the trained weights (batch 1) and classify the held-out digits"
build/bin/ssm-compile --model=vim-t --img=16 --classes=10 "${digits_options[@]}" \
  --weights="$run/weights.safetensors" -o "$run/vim-digits.ssmb"
/usr/bin/python3 scripts/classify-digits.py "$run/vim-digits.ssmb" --img 16 --show 3

echo "== 3. the full $MODEL (224x224) by name, weights embedded, on an image"
/usr/bin/python3 scripts/demo-assets.py --model "$MODEL" --out "$demo"
build/bin/ssm-compile --model="$MODEL" --img=224 --weights="$demo/$MODEL.safetensors" \
  -o "$demo/$MODEL.ssmb" --emit-stats
build/bin/ssm-run "$demo/$MODEL.ssmb" --list
echo "== ssm-run $demo/$MODEL.ssmb --image=$demo/example.png --top=5"
build/bin/ssm-run "$demo/$MODEL.ssmb" --image="$demo/example.png" --top=5 --benchmark=10
