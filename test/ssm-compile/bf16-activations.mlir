// A bf16 Vim layer (2 layers, embed 32: E = 64, L = 5) stores its activations
// between kernels in bf16 (ssm-narrow-activations, in the ssm stage); the
// residual stream and the logits stay f32, and f32 models are untouched.
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --dtype=bf16 --model-option=depth=2 --model-option=embed_dim=32 --compile-to=ssm | FileCheck %s
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --model-option=depth=2 --model-option=embed_dim=32 --compile-to=ssm | FileCheck %s --check-prefix=F32
// RUN: ssm-compile --model=vim-t --img=32 --batch=2 --classes=10 --dtype=bf16 --model-option=depth=2 --model-option=embed_dim=32 --target=nvptx --compile-to=loops | FileCheck %s --check-prefix=GPU

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
// GPU: gpu.launch_func @ssm_gemm_kernels::@{{.*}} args(%{{.*}} : memref<34x64xbf16>, %[[B]] : memref<2x64x5xbf16>, %{{.*}} : memref<2x34x5xf32>)
// GPU: %[[Y:.*]] = memref.alloc() : memref<2x64x5xbf16>
// GPU: gpu.launch
// GPU: memref.load %[[CONV]]
// GPU: memref.store %{{.*}}, %[[Y]][{{.*}}] : memref<2x64x5xbf16>
