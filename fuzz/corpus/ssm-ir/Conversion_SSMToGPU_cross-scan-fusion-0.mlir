// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu | FileCheck %s
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu | FileCheck %s --check-prefix=NOATOM
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="cross-scan-steps=0" | FileCheck %s --check-prefix=OFF

// VMamba's SS2D core as the builder emits it (lib/Models/VMamba.cpp):
// cross_scan -> collapse (b, 4c, L) -> grouped scan -> expand -> cross_merge.
// One launch, grid (c, b), one warp per direction; one shared line of
// 3 x 320 f32: y of the row directions (row-major), y of the column
// directions (column-major), the image transposed. No cross_scan /
// cross_merge / xs / ys left, no atomics.
// CHECK-LABEL: func.func @ss2d
// CHECK-NOT: ssm.cross_scan
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x3x16x20xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c3{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128
// CHECK-SAME: workgroup(%[[LINE:[a-z0-9]+]] : memref<960xf32, #gpu.address_space<workgroup>>)
// Zeroed y parts, the image transposed: line[640 + w * 16 + h] = x[b, c, h, w].
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[LINE]]
// CHECK: memref.store %{{.*}}, %[[LINE]]
// CHECK: memref.load %{{.*}} : memref<2x3x16x20xf32>
// CHECK: memref.store %{{.*}}, %[[LINE]]
// CHECK: gpu.barrier
// The first segment's loads (16-byte vectors): delta, B, C in sequence
// order; u from the transposed image (column warps) or from x (row warps).
// CHECK: vector.load %{{.*}} : memref<2x12x320xf32>, vector<4xf32>
// CHECK: vector.load %{{.*}} : memref<2x4x1x320xf32>, vector<4xf32>
// CHECK: vector.load %{{.*}} : memref<2x4x1x320xf32>, vector<4xf32>
// CHECK: scf.if %{{.*}} -> (f32, f32, f32, f32) {
// CHECK: vector.load %[[LINE]]
// CHECK: } else {
// CHECK: vector.load %{{.*}} : memref<2x3x16x20xf32>, vector<4xf32>
// Two full segments of 32 lanes x 4 steps, the next segment's loads carried
// (prefetch: the state, 4 steps of delta, u, B, C).
// CHECK: scf.for %{{.*}} = %{{.*}} to %c256 step %c128{{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK: vector.load %{{.*}} : memref<2x12x320xf32>, vector<4xf32>
// CHECK: math.exp2 %{{.*}} fastmath<afn> : f32
// CHECK: gpu.shuffle up
// CHECK: gpu.shuffle idx
// After a barrier, each warp adds each run of 4 steps' y into its kind's
// part with one 16-byte shared read-modify-write. Only in the middle segment
// (s0 = 128: the row run [128, 256) meets the row_rev run [64, 192)) do the
// warps of a kind take turns (row and col, barrier, row_rev and col_rev).
// CHECK: gpu.barrier
// CHECK: %[[MID:.*]] = arith.cmpi eq, %{{.*}}, %c128
// CHECK: scf.if %[[MID]] {
// CHECK: scf.if
// CHECK: vector.load %[[LINE]]
// CHECK: vector.store %{{.*}}, %[[LINE]]
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: vector.store %{{.*}}, %[[LINE]]
// CHECK: } else {
// CHECK-NOT: gpu.barrier
// CHECK: vector.store %{{.*}}, %[[LINE]]
// CHECK: scf.yield
// The masked tail segment (no turns), then y = row part + column part,
// stored once.
// CHECK: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: vector.store %{{.*}}, %[[LINE]]
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK: memref.load %[[LINE]]
// CHECK: memref.load %[[LINE]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: ssm.
// CHECK-NOT: tensor.collapse_shape
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[R]]
// NOATOM-NOT: memref.atomic_rmw

// Without the fusion the chain stays for the separate lowerings (the
// cross_scan / cross_merge for the generic one).
// OFF-LABEL: func.func @ss2d
// OFF: ssm.cross_scan
// OFF: ssm.cross_merge
func.func @ss2d(%x: tensor<2x3x16x20xf32>, %delta: tensor<2x12x320xf32>, %A: tensor<12x1xf32>, %B: tensor<2x4x1x320xf32>, %C: tensor<2x4x1x320xf32>, %D: tensor<12xf32>, %bias: tensor<12xf32>) -> tensor<2x3x16x20xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<2x3x16x20xf32>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<2x4x3x320xf32> into tensor<2x12x320xf32>
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<12xf32>) delta_bias(%bias : tensor<12xf32>) delta_softplus : tensor<2x12x320xf32>, tensor<2x12x320xf32>, tensor<12x1xf32>, tensor<2x4x1x320xf32>, tensor<2x4x1x320xf32>
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [2, 4, 3, 320] : tensor<2x12x320xf32> into tensor<2x4x3x320xf32>
  %y = ssm.cross_merge %y4 [row, col, row_rev, col_rev] height 16 width 20 : tensor<2x4x3x320xf32>
  return %y : tensor<2x3x16x20xf32>
}

