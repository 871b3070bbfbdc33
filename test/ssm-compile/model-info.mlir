// A model compiled by name records a typed ModelInfo (name, family,
// preprocessing, hyper-parameters) in the .ssmb for every target, and
// ssm-run --list prints it without opening a device: the GPU modules are
// listed on a machine without a GPU, with each entry's static memory plan. (This file's IR is unused.)
// RUN: ssm-compile --model=vim-t --img=32 --classes=7 --model-option=embed_dim=16 --model-option=depth=1 -o %t.cpu.ssmb
// RUN: ssm-run %t.cpu.ssmb --list | FileCheck %s
// RUN: ssm-compile --model=vim-t --img=32 --classes=7 --model-option=embed_dim=16 --model-option=depth=1 --target=nvptx -o %t.nvptx.ssmb
// RUN: ssm-run %t.nvptx.ssmb --list | FileCheck %s
// RUN: ssm-run %t.nvptx.ssmb --kernel-objects | FileCheck %s --check-prefix=PTX
// RUN: ssm-compile --model=vim-t --img=32 --classes=7 --model-option=embed_dim=16 --model-option=depth=1 --target=amdgpu -o %t.amdgpu.ssmb
// RUN: ssm-run %t.amdgpu.ssmb --list | FileCheck %s
// MambaOut evaluates with crop_pct 1.0 (no resize margin); bf16 is recorded.
// RUN: ssm-compile --model=mambaout-femto --img=32 --classes=7 --dtype=bf16 --model-option=dims=8,16,24,32 --model-option=depths=1,1,1,1 --target=nvptx -o %t.mo.ssmb
// RUN: ssm-run %t.mo.ssmb --list | FileCheck %s --check-prefix=MO

// CHECK: forward(image: 1x3x32x32xf32, {{.*}}) -> (logits: 1x7xf32)
// CHECK-NEXT: memory plan: peak {{[1-9][0-9]*}} bytes (arena {{[1-9][0-9]*}}, outputs 28)
// CHECK-NEXT: model: vim-t (vim)
// CHECK-NEXT: preprocess: resize 36, crop 32, mean 0.485,0.456,0.406, std 0.229,0.224,0.225
// CHECK-NEXT: property: img = 32
// CHECK-NEXT: property: batch = 1
// CHECK-NEXT: property: classes = 7
// CHECK-NEXT: property: dtype = f32
// CHECK-NEXT: property: embed_dim = 16
// CHECK-NEXT: property: depth = 1
// CHECK-NEXT: property: patch = 16
// CHECK-NEXT: property: stride = 16
// CHECK-NEXT: property: d_state = 16
// CHECK-NOT: property

// PTX: 0 Nvptx Ptx sm_90

// MO: model: mambaout-femto (mambaout)
// MO-NEXT: preprocess: resize 32, crop 32,
// MO: property: dtype = bf16
// MO: property: dims = 8,16,24,32
// MO: property: expansion_ratio = 2.66666667
