// The model builders through ssm-compile --model (this file's IR is unused).
// RUN: ssm-compile --list-models | FileCheck %s --check-prefix=LIST
// LIST: vim-t
// LIST: vim-s-s8
// LIST: vmamba-t-s2
// LIST: vmamba-v0-b
// LIST: fastvim-b
// LIST: mambaout-base

// Official names and shapes, in argument order.
// RUN: ssm-compile --model=vim-t --print-weights | FileCheck %s --check-prefix=VIM
// VIM: patch_embed.proj.weight [192, 3, 16, 16]
// VIM: cls_token [1, 1, 192]
// VIM: pos_embed [1, 197, 192]
// VIM: layers.0.mixer.in_proj.weight [768, 192]
// VIM: layers.0.mixer.conv1d.weight [384, 1, 4]
// VIM: layers.0.mixer.x_proj.weight [44, 384]
// VIM: layers.0.mixer.A_b_log [384, 16]
// VIM: layers.23.mixer.out_proj.weight [192, 384]
// VIM: norm_f.weight [192]
// VIM: head.weight [1000, 192]
// RUN: ssm-compile --model=vim-t-s8 --print-weights | FileCheck %s --check-prefix=S8
// S8: pos_embed [1, 730, 192]
// RUN: ssm-compile --model=fastvim-t --model-option=depth=2 --print-weights | FileCheck %s --check-prefix=FV
// FV-NOT: cls_token
// FV: pos_embed [1, 196, 192]
// FV: layers.1.mixer.layernorm.bias [384]
// RUN: ssm-compile --model=vmamba-t --print-weights | FileCheck %s --check-prefix=VM
// VM: patch_embed.0.weight [48, 3, 3, 3]
// VM: layers.0.blocks.0.op.x_proj_weight [4, 8, 96]
// VM: layers.0.blocks.0.op.A_logs [384, 1]
// VM: layers.2.downsample.1.weight [768, 384, 3, 3]
// VM: classifier.head.weight [1000, 768]
// RUN: ssm-compile --model=mambaout-base --print-weights | FileCheck %s --check-prefix=MO
// MO: downsample_layers.0.conv1.weight [64, 3, 3, 3]
// MO: stages.0.0.fc1.weight [682, 128]
// MO: stages.0.0.conv.weight [128, 1, 7, 7]
// MO: head.fc2.weight [1000, 3072]

// The function: named image argument, f32 logits; bf16 widens its inputs.
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --dtype=bf16 --model-option=depth=1 --model-option=embed_dim=32 --compile-to=input | FileCheck %s --check-prefix=FN
// FN: func.func @forward(%{{.*}}: tensor<2x3x32x32xbf16> {ssm.name = "image"}, %{{.*}}: tensor<32x3x16x16xbf16> {ssm.name = "patch_embed.proj.weight"}
// FN-SAME: -> (tensor<2x10xf32> {ssm.name = "logits"})
// FN: arith.extf
// FN: ssm.selective_scan

// Errors.
// RUN: not ssm-compile --model=vim-x 2>&1 | FileCheck %s --check-prefix=ERR1
// ERR1: error: unknown model 'vim-x' (known: vim-t, vim-t-s8,
// RUN: not ssm-compile --model=vim-t --model-option=dims=1,2 2>&1 | FileCheck %s --check-prefix=ERR2
// ERR2: error: model 'vim-t' has no option 'dims'
// RUN: not ssm-compile --model=fastvim-t --img=200 2>&1 | FileCheck %s --check-prefix=ERR3
// ERR3: error: model 'fastvim-t': FastVim needs img to be a multiple of the patch 16 (got 200)
// RUN: not ssm-compile --model=vmamba-t --dtype=f16 2>&1 | FileCheck %s --check-prefix=ERR4
// ERR4: error: bad value 'f16' for option 'dtype' of model 'vmamba-t'
// RUN: not ssm-compile --model=vim-t --model-option=depth 2>&1 | FileCheck %s --check-prefix=ERR5
// ERR5: error: --model-option expects key=value, got 'depth'
