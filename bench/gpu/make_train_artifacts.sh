#!/bin/bash
# Compiles what bench/gpu/run_training_on_device.sh needs, into $DEST
# (default artifacts/train; git-ignored, carry it):
#   <model>-b128-nvptx.ssmb     the fused train step of each family's -T model
#                               at batch 128, 224x224, clipping 1.0 (the table)
#   small/<model>-b2-{cpu,nvptx}.ssmb
#                               the same at batch 2 (full size: float64 parity)
#   cfg/<model>-{cpu,nvptx}.ssmb and cfg/options
#                               small configurations of the four families (the
#                               float64 parity at the sizes the pytest uses)
# MODELS: the families (default all four); FLAGS: extra ssm-compile flags;
# $SSM_COMPILE: the compiler (default build/bin/ssm-compile); SMALL=0 skips
# small/ (the full-size batch-2 pairs, the largest files). Two compiles run
# at a time.
set -eu
SSM_COMPILE=${SSM_COMPILE:-build/bin/ssm-compile}
DEST=${DEST:-artifacts/train}
MODELS=${MODELS:-vim-t fastvim-t vmamba-t mambaout-femto}
FLAGS=${FLAGS:-}
SMALL=${SMALL:-1}
mkdir -p "$DEST/small" "$DEST/cfg"
train="--train --train-option=max_grad_norm=1.0"

# The small configurations: the options reference_models.build takes too.
declare -A CFG=(
  [vim-t]="embed_dim=16 depth=2 patch=8 stride=8|16"
  [fastvim-t]="embed_dim=16 depth=2 patch=8|16"
  [vmamba-t]="dims=8,16,24,32 depths=1,1,1,1|32"
  [mambaout-femto]="dims=8,16,24,32 depths=1,1,1,1|32"
)

compile() { # compile <output> <flags...>
  local out=$1; shift
  "$SSM_COMPILE" "$@" $train $FLAGS -o "$out" || { echo "FAILED: $out" >&2; return 1; }
}

: > "$DEST/cfg/options"
for m in $MODELS; do
  compile "$DEST/$m-b128-nvptx.ssmb" --model=$m --img=224 --batch=128 --target=nvptx &
  if [ "$SMALL" != 0 ]; then
    for t in cpu nvptx; do
      compile "$DEST/small/$m-b2-$t.ssmb" --model=$m --img=224 --batch=2 --target=$t
    done
  fi
  wait
  options=${CFG[$m]%|*} img=${CFG[$m]#*|}
  flags=() line="$m"
  for o in $options; do
    flags+=(--model-option=$o)
    line+=" --model-option $o"
  done
  for t in cpu nvptx; do
    compile "$DEST/cfg/$m-$t.ssmb" --model=$m "${flags[@]}" --img=$img --classes=5 --batch=2 \
      --target=$t
  done
  echo "$line" >> "$DEST/cfg/options"
done
ls -la "$DEST" "$DEST/small" "$DEST/cfg"
