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
// CHECK-SAME: ssm.library_call = {a_arg = 0 : i64, a_strides = array<i64: 384, 1, 0>, activation = "none", b_arg = 1 : i64, b_strides = array<i64: 1, 384, 75648>, batch = 2 : i64, bias = "m", bias_arg = 3 : i64, c_arg = 2 : i64, c_strides = array<i64: 197, 1, 19700>, k = 384 : i64, m = 100 : i64, n = 197 : i64, op = "gemm"}
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

