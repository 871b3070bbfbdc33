// ssm-compile --train adds the fused training step of @forward (after the
// gradients when --grad is given too); --train-option sets its knobs.
// RUN: ssm-compile --model=vim-t --model-option=depth=1 --model-option=embed_dim=8 --img=16 --classes=3 --batch=2 --train --train-option=max_grad_norm=1 --compile-to=input | FileCheck %s --check-prefix=MODEL
// MODEL: func.func @forward(
// MODEL-LABEL: func.func @train_step(
// MODEL-SAME: tensor<2x3x16x16xf32> {ssm.name = "image"}, %{{.*}}: tensor<2x3xf32> {ssm.name = "targets"}, %{{.*}}: tensor<1xf32> {ssm.name = "lr"}, %{{.*}}: tensor<1xf32> {ssm.name = "step"}, %{{.*}}: tensor<8x3x16x16xf32> {ssm.name = "patch_embed.proj.weight"}
// MODEL-SAME: {ssm.name = "optimizer.exp_avg.patch_embed.proj.weight"}
// MODEL-SAME: {ssm.name = "optimizer.exp_avg_sq.head.bias"})
// MODEL-SAME: -> (tensor<1xf32> {ssm.name = "loss"}, tensor<8x3x16x16xf32> {ssm.name = "patch_embed.proj.weight"}
// MODEL: ssm.selective_scan_grad
// MODEL: ssm.causal_conv1d_grad
// MODEL: math.powf
// MODEL-NOT: func.func

// RUN: ssm-compile --model=mambaout-femto --model-option=dims=8,8,8,8 --model-option=depths=1,1,1,1 --img=32 --classes=2 --grad --train --compile-to=input | FileCheck %s --check-prefix=BOTH
// BOTH-DAG: func.func @forward(
// BOTH-DAG: func.func @forward_grad(
// BOTH-DAG: func.func @train_step(
// BOTH-NOT: func.func @train_step_grad

// RUN: not ssm-compile --model=vim-t --model-option=depth=1 --model-option=embed_dim=8 --img=16 --classes=3 --dtype=bf16 --train --compile-to=input 2>&1 | FileCheck %s --check-prefix=BF16
// BF16: error: 'func.func' op ssm-train-step: parameter 'patch_embed.proj.weight' is 'tensor<8x3x16x16xbf16>'; the train step needs static f32 parameters

// The GPU path takes the train step too (no rank-0 values on the host).
// RUN: ssm-compile --model=vim-t --model-option=depth=1 --model-option=embed_dim=8 --model-option=patch=8 --model-option=stride=8 --img=16 --classes=3 --batch=2 --train --train-option=max_grad_norm=1 --train-option=drop_path=0.1 --target=nvptx --compile-to=artifact -o %t.ssmb
// RUN: not ssm-compile --model=vim-t --train --train-option=beta1=2 --compile-to=input 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: --train-option: train option 'beta1' expects a number in [0, 1], got '2'
// RUN: not ssm-compile --model=vim-t --train --train-option=lr=1 --compile-to=input 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: --train-option: unknown train option 'lr' (known: label_smoothing,
// RUN: not ssm-compile --model=vim-t --train-option=eps=1 --compile-to=input 2>&1 | FileCheck %s --check-prefix=NEEDS
// NEEDS: error: --train-option needs --train
