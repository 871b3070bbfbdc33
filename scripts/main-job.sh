#!/usr/bin/env bash
# The main job: set up, build, compile the full Vim-T model (224x224, batch 1,
# f32) by name for the CPU with its weights embedded, and classify an image
# with ssm-run (preprocessing, top-5, timing).
#
# No official checkpoint can be downloaded on the build machines, so the
# weights are deterministic ones with the official names from the PyTorch
# reference (scripts/demo-assets.py) and the top-5 classes are not
# meaningful; with a real checkpoint:
#   python3 -m ssmc.convert vim_t_midclstok_76p1acc.pth vim-t.safetensors --model vim-t
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-vim-t}

scripts/setup.sh
scripts/build.sh ssm-compile ssm-run

demo=build/demo
echo "== weights and an example image -> $demo"
/usr/bin/python3 scripts/demo-assets.py --model "$MODEL" --out "$demo"
echo "== ssm-compile --model=$MODEL --img=224 --weights=$demo/$MODEL.safetensors -o $demo/$MODEL.ssmb"
build/bin/ssm-compile --model="$MODEL" --img=224 --weights="$demo/$MODEL.safetensors" \
  -o "$demo/$MODEL.ssmb" --emit-stats
build/bin/ssm-run "$demo/$MODEL.ssmb" --list
echo "== ssm-run $demo/$MODEL.ssmb --image=$demo/example.png --top=5"
build/bin/ssm-run "$demo/$MODEL.ssmb" --image="$demo/example.png" --top=5 --benchmark=10
