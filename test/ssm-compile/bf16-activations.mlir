// A bf16 Vim layer (2 layers, embed 32: E = 64, L = 5) stores its activations
// between kernels in bf16 (ssm-narrow-activations, in the ssm stage); the
// residual stream and the logits stay f32, and f32 models are untouched.
// (GPU RUN lines keep library buffers dense: these checks pin the unpadded layouts.)
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --dtype=bf16 --model-option=depth=2 --model-option=embed_dim=32 --compile-to=ssm | FileCheck %s
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --model-option=depth=2 --model-option=embed_dim=32 --compile-to=ssm | FileCheck %s --check-prefix=F32
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --dtype=bf16 --model-option=depth=2 --model-option=embed_dim=32 --target=nvptx --gpu-pad-library-buffers=false --compile-to=loops | FileCheck %s --check-prefix=GPU
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --dtype=bf16 --model-option=depth=2 --model-option=embed_dim=32 --target=nvptx --gpu-pad-library-buffers=false --compile-to=llvm | FileCheck %s --check-prefix=GEMM
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --dtype=bf16 --model-option=depth=2 --model-option=embed_dim=32 --target=amdgpu --gpu-pad-library-buffers=false --chip=gfx942 --compile-to=llvm | FileCheck %s --check-prefix=GEMM
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --dtype=bf16 --model-option=depth=2 --model-option=embed_dim=32 --target=cpu --compile-to=bufferized | FileCheck %s --check-prefix=CPU

// CHECK: func.func @forward(%{{.*}}: tensor<2x3x32x32xbf16>
// CHECK-SAME: -> tensor<2x10xf32> attributes {ssm.activation_type = bf16}
// The conv + SiLU of the forward direction reads in_proj's f32 output and
// stores bf16; the scan reads it as u (bf16) next to f32 delta, B and C
// (GEMM outputs) and writes bf16 (Vim's z gate is applied after the scans).
// CHECK: %[[XC:.*]] = ssm.causal_conv1d silu %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<64xf32>) out_type(bf16) : tensor<2x64x5xf32>, tensor<64x4xf32>
// CHECK: ssm.selective_scan %[[XC]], {{.*}}delta_softplus : tensor<2x64x5xbf16>, tensor<2x64x5xf32>, tensor<64x16xf32>, tensor<2x16x5xf32>, tensor<2x16x5xf32>
// The backward direction: conv over the flipped input, scan, flip back, all
// bf16.
// CHECK: %[[XB:.*]] = ssm.causal_conv1d silu %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<64xf32>) out_type(bf16)
// CHECK: %[[YB:.*]] = ssm.selective_scan %[[XB]], {{.*}} : tensor<2x64x5xbf16>, tensor<2x64x5xf32>,
// CHECK: ssm.flip %[[YB]] along 2 : tensor<2x64x5xbf16>
// The direction sum reads both outputs through widenings (fused into it) and
// rounds its result for out_proj (a GEMM operand).
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// The residual stream: f32 adds tagged ssm.keep_f32.
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x5x32xf32>) attrs = {ssm.keep_f32}
// CHECK: return %{{.*}} : tensor<2x10xf32>

// F32: func.func @forward(%{{.*}}: tensor<2x3x32x32xf32>
// F32-NOT: bf16
// F32-NOT: ssm.activation_type
// F32-NOT: out_type
// F32-NOT: keep_f32
// F32: return

// With --target=nvptx the conv kernel stores bf16, x_proj's GEMM reads that buffer
// with no rounding kernel between, and the scan kernel loads it and stores
// its own output as bf16.
// GPU: %[[CONV:.*]] = memref.alloc() : memref<2x64x5xbf16>
// GPU: scf.parallel
// GPU: memref.store %{{.*}}, %[[CONV]][{{.*}}] : memref<2x64x5xbf16>
// GPU: %[[T:.*]] = bufferization.to_tensor %[[CONV]]
// GPU-NOT: linalg.generic
// GPU: %[[B:.*]] = bufferization.to_buffer %[[T]] read_only : tensor<2x64x5xbf16> to memref<2x64x5xbf16>
// x_proj's result (dt, B, C for the scan) is stored bf16 by the GEMM itself.
// GPU: gpu.launch_func @ssm_gemm_kernels::@{{.*}} args(%{{.*}} : memref<34x64xbf16>, %[[B]] : memref<2x64x5xbf16>, %{{.*}} : memref<2x34x5xbf16>)
// dt_proj's result (the scan's delta) too.
// GPU: %[[D:.*]] = memref.alloc() : memref<2x64x5xbf16>
// GPU: gpu.launch_func @ssm_gemm_kernels::@{{.*}}, %[[D]] : memref<2x64x5xbf16>)
// GPU: %[[Y:.*]] = memref.alloc() : memref<2x64x5xbf16>
// GPU: gpu.launch
// GPU: memref.load %[[CONV]]
// GPU: memref.store %{{.*}}, %[[Y]][{{.*}}] : memref<2x64x5xbf16>

// GEMM results (narrow-contractions, GPU targets): each layer's in_proj
// (2 x 2e x l), x_proj (2 x (dt_rank + 2n) x l, both directions) and dt_proj
// (2 x e x l, both directions) store bf16, rounded in the GEMM's epilogue
// (no rounding kernel of its own); the patch embedding (its bias along m),
// out_proj (read by the f32 residual add) and the head (the logits) store
// f32.
// GEMM: gpu.launch_func @ssm_gemm_kernels::@[[PATCH:gemm_[0-9]+]] {{.*}} : memref<2x32x4xf32>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@[[IN:gemm_[0-9]+]] {{.*}} : memref<2x128x5xbf16>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} : memref<2x34x5xbf16>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} : memref<2x64x5xbf16>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} : memref<2x34x5xbf16>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} : memref<2x64x5xbf16>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} : memref<2x5x32xf32>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@[[IN]] {{.*}} : memref<2x128x5xbf16>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} : memref<2x5x32xf32>)
// GEMM: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} : memref<2x10xf32>, %{{.*}} : memref<10xf32>)
// GEMM-NOT: gpu.launch_func @ssm_gemm_kernels
// No GEMM result stored f32 that a kernel then rounds:
// GEMM-NOT: memref<2x128x5xf32>
// GEMM-NOT: memref<2x34x5xf32>
// The patch embedding's kernel stores f32; in_proj's rounds each value once
// before it stores it.
// GEMM: gpu.module @ssm_gemm_kernels
// GEMM: llvm.func @[[PATCH]](
// GEMM-NOT: llvm.fptrunc
// GEMM: llvm.func @[[IN]](
// GEMM: llvm.fptrunc %{{.*}} : f32 to bf16

// The CPU keeps GEMM results f32 (its GEMM lowering has no 16-bit output).
// CPU: func.func @forward(
// CPU: linalg.generic {{.*}} outs(%{{.*}} : memref<2x128x5xf32>)
// CPU-NOT: memref<2x128x5xbf16>
// CPU: return
