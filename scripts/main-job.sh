#!/usr/bin/env bash
# The main job: set up, build, and run the ssm compiler over an example model
# (one Vim-T bidirectional mixer block): parse, verify, canonicalize, print.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh ssm-opt

model=test/Models/vim-mixer.mlir
echo "== ssm-opt --canonicalize --cse $model"
build/bin/ssm-opt "$model" --canonicalize --cse | tee build/vim-mixer.canonical.mlir | grep -E "ssm\." 
echo "== $(grep -c 'ssm\.' build/vim-mixer.canonical.mlir) ssm ops; full IR in build/vim-mixer.canonical.mlir"
