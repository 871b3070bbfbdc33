#!/usr/bin/env bash
# The main job: set up, build, compile an example model (one Vim-T
# bidirectional mixer block, test/Models/vim-mixer.mlir) for the CPU into a
# .ssmb model binary, and run it with ssm-run (random inputs, then timed).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh ssm-compile ssm-run

model=test/Models/vim-mixer.mlir
out=build/vim-mixer.ssmb
echo "== ssm-compile $model --target=cpu -o $out"
build/bin/ssm-compile "$model" --target=cpu -o "$out" --emit-stats
echo "== ssm-run $out (random inputs, seed 1)"
build/bin/ssm-run "$out" --function=vim_tiny_block --list
build/bin/ssm-run "$out" --function=vim_tiny_block --input=random --seed=1 --benchmark=20
