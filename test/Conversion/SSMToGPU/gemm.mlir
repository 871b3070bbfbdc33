// convert-linalg-to-gpu-gemm: the linear forms the model builders emit become
// launches of a tiled kernel that carry the library-call descriptor; the
// kernel's tiles are in shared memory, filled and read with vector loads.
// RUN: ssm-opt %s --split-input-file --convert-linalg-to-gpu-gemm | FileCheck %s

// Vim's channel-first linear with a bias along m: y[b, m, n] = w[m, k] x[b, n, k] + bias[m].
// CHECK-LABEL: func.func @chan_bias
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[W:.*]] = bufferization.to_buffer %arg1 read_only : tensor<100x384xf32> to memref<100x384xf32>
// CHECK-DAG: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<2x197x384xf32> to memref<2x197x384xf32>
// CHECK-DAG: %[[Y:.*]] = memref.alloc() : memref<2x100x197xf32>
// CHECK-DAG: %[[B:.*]] = bufferization.to_buffer %arg2 read_only : tensor<100xf32> to memref<100xf32>
// CHECK: gpu.launch_func @ssm_gemm_kernels::@gemm_0 blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%[[W]] : memref<100x384xf32>, %[[X]] : memref<2x197x384xf32>, %[[Y]] : memref<2x100x197xf32>, %[[B]] : memref<100xf32>)
// CHECK-SAME: ssm.library_call = {a_arg = 0 : i64, a_dims = array<i64: 0, 1, -1>, a_strides = array<i64: 384, 1, 0>, activation = "none", b_arg = 1 : i64, b_dims = array<i64: 2, 1, 0>, b_strides = array<i64: 1, 384, 75648>, batch = 2 : i64, bias = "m", bias_arg = 3 : i64, c_arg = 2 : i64, c_dims = array<i64: 1, 2, 0>, c_strides = array<i64: 197, 1, 19700>, k = 384 : i64, m = 100 : i64, n = 197 : i64, op = "gemm"}
// CHECK: bufferization.to_tensor %[[Y]] restrict writable
// CHECK: gpu.module @ssm_gemm_kernels
// CHECK: gpu.func @gemm_0(%{{.*}}: memref<100x384xf32>, %{{.*}}: memref<2x197x384xf32>, %{{.*}}: memref<2x100x197xf32>, %{{.*}}: memref<100xf32>)
// CHECK-SAME: workgroup(%[[AS:.*]] : memref<16x68xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[BS:.*]] : memref<16x68xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// k is contiguous in both inputs: 16-byte loads along k, clamped at the m / n
// edge; the first tile's loads are issued before the k loop.
// CHECK: arith.minui %{{.*}}, %c99
// CHECK: %[[A0:.*]] = vector.load %{{.*}} {alignment = 16 : i64} : memref<100x384xf32>, vector<4xf32>
// CHECK: %[[B0:.*]] = vector.load %{{.*}} {alignment = 16 : i64} : memref<2x197x384xf32>, vector<4xf32>
// The k loop carries the 4 x 4 accumulators and the prefetched tile (values
// and edge flags).
// CHECK: scf.for {{.*}} iter_args({{.*}}, %[[CA:.*]] = %[[A0]], %[[FA:.*]] = %{{.*}}, %[[CB:.*]] = %[[B0]], %[[FB:.*]] = %{{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, vector<4xf32>, i1, vector<4xf32>, i1)
// CHECK: arith.select %[[FA]], %[[CA]], %{{.*}} : vector<4xf32>
// CHECK: memref.store %{{.*}}, %[[AS]]
// CHECK: arith.select %[[FB]], %[[CB]], %{{.*}} : vector<4xf32>
// CHECK: memref.store %{{.*}}, %[[BS]]
// CHECK: gpu.barrier
// The next tile's loads (the last tile again past the end), then the fmas.
// CHECK: arith.minui %{{.*}}, %c368
// CHECK: %[[A1:.*]] = vector.load %{{.*}} {alignment = 16 : i64} : memref<100x384xf32>, vector<4xf32>
// CHECK: %[[B1:.*]] = vector.load %{{.*}} {alignment = 16 : i64} : memref<2x197x384xf32>, vector<4xf32>
// CHECK: vector.load %[[AS]][%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<16x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: vector.load %[[BS]][%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<16x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: gpu.barrier
// CHECK: scf.yield {{.*}}, %[[A1]], %{{.*}}, %[[B1]], %{{.*}} : f32,
// n = 197 is not a multiple of 4: guarded scalar stores.
// CHECK: scf.if
// CHECK: memref.store
func.func @chan_bias(%x: tensor<2x197x384xf32>, %w: tensor<100x384xf32>, %bias: tensor<100xf32>) -> tensor<2x100x197xf32> {
  %e = tensor.empty() : tensor<2x100x197xf32>
  %i = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bias : tensor<100xf32>) outs(%e : tensor<2x100x197xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x100x197xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<100x384xf32>, tensor<2x197x384xf32>) outs(%i : tensor<2x100x197xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x100x197xf32>
  return %r : tensor<2x100x197xf32>
}

// -----

// Token-major linear, bf16 widened by a producer (read as bf16), bias along n,
// ReLU consumer fused; n % 4 == 0: one 16-byte store per row.
// CHECK-LABEL: func.func @tok_bf16_relu
// CHECK-NOT: linalg.generic
// CHECK: gpu.launch_func @ssm_gemm_kernels::@gemm_0
// CHECK-SAME: args(%{{.*}} : memref<64x32xbf16>, %{{.*}} : memref<48x32xbf16>, %{{.*}} : memref<64x48xf32>, %{{.*}} : memref<48xf32>)
// CHECK-SAME: activation = "relu"
// CHECK-SAME: b_strides = array<i64: 1, 32, 0>
// CHECK-SAME: bias = "n"
// CHECK: gpu.func @gemm_0
// CHECK: vector.load %{{.*}} {alignment = 8 : i64} : memref<64x32xbf16>, vector<4xbf16>
// CHECK: scf.for
// Widened when stored into the tile (not where it is loaded).
// CHECK: arith.extf %{{.*}} : vector<4xbf16> to vector<4xf32>
// CHECK: arith.maximumf
// CHECK: vector.store %{{.*}} {alignment = 16 : i64} : memref<64x48xf32>, vector<4xf32>
func.func @tok_bf16_relu(%x: tensor<64x32xbf16>, %w: tensor<48x32xbf16>, %bias: tensor<48xf32>) -> tensor<64x48xf32> {
  %e = tensor.empty() : tensor<64x48xf32>
  %i = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<48xf32>) outs(%e : tensor<64x48xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<64x48xf32>
  %xe = tensor.empty() : tensor<64x32xf32>
  %xf = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x32xbf16>) outs(%xe : tensor<64x32xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %v = arith.extf %in : bf16 to f32
    linalg.yield %v : f32
  } -> tensor<64x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%xf, %w : tensor<64x32xf32>, tensor<48x32xbf16>) outs(%i : tensor<64x48xf32>) {
  ^bb0(%a: f32, %b: bf16, %o: f32):
    %bf = arith.extf %b : bf16 to f32
    %p = arith.mulf %a, %bf : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x48xf32>
  %e2 = tensor.empty() : tensor<64x48xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r : tensor<64x48xf32>) outs(%e2 : tensor<64x48xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %v = arith.maximumf %in, %c0 : f32
    linalg.yield %v : f32
  } -> tensor<64x48xf32>
  return %relu : tensor<64x48xf32>
}

// -----

// Near misses stay linalg: a non-zero fill, and a reduction that is not a
// product sum.
// CHECK-LABEL: func.func @not_gemm
// CHECK-NOT: gpu.launch_func
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @not_gemm(%x: tensor<8x16xf32>, %w: tensor<4x16xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %f1 = linalg.fill ins(%one : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %r1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<8x16xf32>, tensor<4x16xf32>) outs(%f1 : tensor<8x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  %r2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<8x16xf32>, tensor<4x16xf32>) outs(%f0 : tensor<8x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %s = arith.addf %o, %d : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  return %r1, %r2 : tensor<8x4xf32>, tensor<8x4xf32>
}

// -----

// MambaOut's NHWC linear: the tokens (b, h, w) are one m dim of 2*3*5 = 30
// rows, collapsed on the way in and expanded on the way out.
// CHECK-LABEL: func.func @nhwc
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1, 2], [3]] : tensor<2x3x5x24xf32> into tensor<30x24xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only : tensor<30x24xf32> to memref<30x24xf32>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<30x40xf32>
// CHECK: gpu.launch_func @ssm_gemm_kernels::@gemm_0
// CHECK-SAME: bias = "n"
// CHECK-SAME: m = 30 : i64, n = 40 : i64
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[Y]] restrict writable : memref<30x40xf32> to tensor<30x40xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[T]] {{\[\[}}0, 1, 2], [3]] output_shape [2, 3, 5, 40] : tensor<30x40xf32> into tensor<2x3x5x40xf32>
// CHECK: return %[[E]]
func.func @nhwc(%x: tensor<2x3x5x24xf32>, %w: tensor<40x24xf32>, %bias: tensor<40xf32>) -> tensor<2x3x5x40xf32> {
  %e = tensor.empty() : tensor<2x3x5x40xf32>
  %i = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias : tensor<40xf32>) outs(%e : tensor<2x3x5x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x5x40xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x3x5x24xf32>, tensor<40x24xf32>) outs(%i : tensor<2x3x5x40xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x5x40xf32>
  return %r : tensor<2x3x5x40xf32>
}

// -----

// x[b, k, m]: the longest m run (b, m) is not one group of x, so b is the
// batch (as the model builders' transposed linears emit it).
// CHECK-LABEL: func.func @colA
// CHECK: gpu.launch_func @ssm_gemm_kernels::@gemm_0
// CHECK-SAME: a_strides = array<i64: 1, 23, 920>
// CHECK-SAME: batch = 2 : i64
func.func @colA(%x: tensor<2x40x23xf32>, %w: tensor<50x40xf32>) -> tensor<2x23x50xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x23x50xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x23x50xf32>) -> tensor<2x23x50xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x40x23xf32>, tensor<50x40xf32>) outs(%f : tensor<2x23x50xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x23x50xf32>
  return %r : tensor<2x23x50xf32>
}
