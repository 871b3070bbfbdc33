// A Vim layer (bf16, batch 2, l = 5 tokens) for nvptx and amdgpu: the
// channel-first buffers its GEMM library calls use are allocated with rows
// of 8 elements (16 bytes: 32 B of f32, 16 B of bf16), every user sees a
// subview of the logical shape, and the records carry the padded strides
// and the extents the padding holds (l = 5 computed as 8: n of in_proj,
// x_proj, dt_proj, m of out_proj, whose token-major result is allocated
// (b, 8, d); in_proj's token-major B gets 3 rows of slack after the last
// batch).
// The whole pipeline then builds the artifact. (This file's IR is unused.)
// (Off by default until the padded layout has run on a GPU: the flag turns
// it on.)
// RUN: ssm-compile --model=vim-t --model-option=depth=1 --img=32 --batch=2 --dtype=bf16 --target=nvptx --gpu-pad-library-buffers --compile-to=bufferized | FileCheck %s
// RUN: ssm-compile --model=vim-t --model-option=depth=1 --img=32 --batch=2 --dtype=bf16 --target=amdgpu --gpu-pad-library-buffers --compile-to=bufferized | FileCheck %s --check-prefix=AMD
// RUN: ssm-compile --model=vim-t --model-option=depth=1 --img=32 --batch=2 --dtype=bf16 --target=nvptx --gpu-pad-library-buffers -o %t.nvptx.ssmb
// RUN: ssm-compile --model=vim-t --model-option=depth=1 --img=32 --batch=2 --dtype=bf16 --target=amdgpu --gpu-pad-library-buffers -o %t.amdgpu.ssmb

// in_proj: C is (b, 2e, l) bf16 (rounded in the GEMM), its row stride 8 and
// batch stride 768 x 8
// (on both targets; on gfx942 the bf16 conv output stays unpadded: the scan's
// 16-byte vector fills read it through a flat view, which a strided buffer
// cannot give).
// AMD: %[[XZ:.*]] = memref.subview %{{.*}}[0, 0, 0] [2, 768, 5] [1, 1, 1] : memref<2x768x8xbf16> to memref<2x768x5xbf16, strided<[6144, 8, 1]>>
// AMD: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}}_padded {{.*}}args(%arg6 : memref<768x192xbf16>, %{{.*}} : memref<2x5x192xbf16>, %[[XZ]] : memref<2x768x5xbf16, strided<[6144, 8, 1]>>)
// CHECK: %[[FLAT:.*]] = memref.subview %{{.*}}[0] [1920] [1] : memref<2496xbf16> to memref<1920xbf16, strided<[1]>>
// CHECK: %[[X:.*]] = memref.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2]] output_shape [2, 5, 192] : memref<1920xbf16, strided<[1]>> into memref<2x5x192xbf16>
// CHECK: %[[XZ:.*]] = memref.subview %{{.*}}[0, 0, 0] [2, 768, 5] [1, 1, 1] : memref<2x768x8xbf16> to memref<2x768x5xbf16, strided<[6144, 8, 1]>>
// CHECK: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}}_padded {{.*}}args(%arg6 : memref<768x192xbf16>, %[[X]] : memref<2x5x192xbf16>, %[[XZ]] : memref<2x768x5xbf16, strided<[6144, 8, 1]>>)
// CHECK-SAME: b_strides = array<i64: 1, 192, 960>
// CHECK-SAME: c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 8, 1, 6144>, k = 192 : i64, m = 768 : i64, n = 8 : i64
// The x half read by the causal conv and the z half by the gate after both
// scans: views of the padded buffer.
// CHECK: memref.subview %[[XZ]][0, 384, 0] [2, 384, 5] [1, 1, 1] : memref<2x768x5xbf16, strided<[6144, 8, 1]>> to memref<2x384x5xbf16, strided<[6144, 8, 1], offset: 3072>>
// The bf16 conv output (b, e, l): x_proj reads it as B.
// CHECK: %[[Y:.*]] = memref.subview %{{.*}}[0, 0, 0] [2, 384, 5] [1, 1, 1] : memref<2x384x8xbf16> to memref<2x384x5xbf16, strided<[3072, 8, 1]>>
// CHECK: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}}_padded {{.*}}args(%arg9 : memref<44x384xbf16>, %[[Y]] : memref<2x384x5xbf16, strided<[3072, 8, 1]>>, %{{.*}} : memref<2x44x5xbf16, strided<[352, 8, 1]>>)
// CHECK-SAME: b_dims = array<i64: 1, 2, 0>, b_strides = array<i64: 8, 1, 3072>
// CHECK-SAME: c_strides = array<i64: 8, 1, 352>, k = 384 : i64, m = 44 : i64, n = 8 : i64
// out_proj reads the gated sum of both directions, another padded (b, e, l)
// buffer, as a transposed A: m = l (stride 1), k = e (stride 8).
// CHECK: %[[OUT:.*]] = memref.subview %{{.*}}[0, 0, 0] [2, 5, 192] [1, 1, 1] : memref<2x8x192xf32> to memref<2x5x192xf32, strided<[1536, 192, 1]>>
// CHECK: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}}_padded {{.*}}args(%{{.*}} : memref<2x384x5xbf16, strided<[3072, 8, 1]>>, %arg21 : memref<192x384xbf16>, %[[OUT]] : memref<2x5x192xf32, strided<[1536, 192, 1]>>)
// CHECK-SAME: a_dims = array<i64: 2, 1, 0>, a_strides = array<i64: 1, 8, 3072>
// CHECK-SAME: c_strides = array<i64: 192, 1, 1536>, k = 384 : i64, m = 8 : i64, n = 192 : i64
// The head writes the function's output: never padded.
// CHECK: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}}%arg25 : memref<2x1000xf32>
// CHECK-SAME: k = 192 : i64, m = 2 : i64, n = 1000 : i64
