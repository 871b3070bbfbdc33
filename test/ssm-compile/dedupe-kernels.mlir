// Repeated identical layers are compiled once (ssm-dedupe-kernels): Vim-T
// at depth 2 and at depth 5 holds the same kernels on every target (layers
// 0 and 1 differ from the others: layer 0 has no residual add, layer 1's
// absorbs the embedding sum; from layer 2 on, each layer reuses layer 1's
// kernels). Without the pass every layer adds about 14 GPU kernel objects
// and 16 CPU kernels. On the GPU the last layer differs too: its fused
// residual add + RMSNorm kernel (ssm-row-norms-to-gpu) need not store the
// residual stream, which no later layer reads, so the GPU compares depth 3
// (one layer between the first and the last) with depth 5. (This file's IR
// is unused.)

// The CPU thread-pool kernels in the shared object.
// RUN: ssm-compile --model=vim-t --img=32 --classes=10 --model-option=embed_dim=32 --model-option=depth=2 --compile-to=llvm -o %t.cpu2.mlir
// RUN: ssm-compile --model=vim-t --img=32 --classes=10 --model-option=embed_dim=32 --model-option=depth=5 --compile-to=llvm -o %t.cpu5.mlir
// RUN: grep -c "llvm.func @forward_par" %t.cpu2.mlir > %t.cpu2.count
// RUN: grep -c "llvm.func @forward_par" %t.cpu5.mlir > %t.cpu5.count
// RUN: diff %t.cpu2.count %t.cpu5.count
// RUN: FileCheck %s --check-prefix=CPU < %t.cpu5.mlir
// CPU: llvm.func @forward_par0(

// One PTX object per distinct kernel.
// RUN: ssm-compile --model=vim-t --img=32 --classes=10 --model-option=embed_dim=32 --model-option=depth=3 --target=nvptx -o %t.nv2.ssmb
// RUN: ssm-compile --model=vim-t --img=32 --classes=10 --model-option=embed_dim=32 --model-option=depth=5 --target=nvptx -o %t.nv5.ssmb
// RUN: ssm-run %t.nv2.ssmb --kernel-objects | wc -l > %t.nv2.count
// RUN: ssm-run %t.nv5.ssmb --kernel-objects | wc -l > %t.nv5.count
// RUN: diff %t.nv2.count %t.nv5.count
// RUN: ssm-run %t.nv5.ssmb --kernel-objects | FileCheck %s --check-prefix=NV
// NV: 0 Nvptx Ptx sm_90

// One HSACO code object per distinct kernel.
// RUN: ssm-compile --model=vim-t --img=32 --classes=10 --model-option=embed_dim=32 --model-option=depth=3 --target=amdgpu -o %t.amd2.ssmb
// RUN: ssm-compile --model=vim-t --img=32 --classes=10 --model-option=embed_dim=32 --model-option=depth=5 --target=amdgpu -o %t.amd5.ssmb
// RUN: ssm-run %t.amd2.ssmb --kernel-objects | wc -l > %t.amd2.count
// RUN: ssm-run %t.amd5.ssmb --kernel-objects | wc -l > %t.amd5.count
// RUN: diff %t.amd2.count %t.amd5.count
// RUN: ssm-run %t.amd5.ssmb --kernel-objects | FileCheck %s --check-prefix=AMD
// AMD: 0 Amdgpu Hsaco gfx942

// The deduplicated CPU module still runs (numerics: python/test/
// test_model_numerics.py compares whole multi-layer models with PyTorch).
// RUN: ssm-compile --model=vim-t --img=32 --classes=10 --model-option=embed_dim=32 --model-option=depth=5 -o %t.cpu5.ssmb
// RUN: ssm-run %t.cpu5.ssmb --input=random | FileCheck %s --check-prefix=OUT
// OUT: output[0]: 1x10xf32
