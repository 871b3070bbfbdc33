// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu | FileCheck %s
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="fuse-cross-scan=false" | FileCheck %s --check-prefix=OFF

// VMamba's SS2D core as the builder emits it (lib/Models/VMamba.cpp):
// cross_scan -> collapse (b, 4c, L) -> grouped scan -> expand -> cross_merge.
// One launch, grid (c, b), one warp per direction; y and the column-major
// image in shared memory; no cross_scan / cross_merge / xs / ys left.
// CHECK-LABEL: func.func @ss2d
// CHECK-NOT: ssm.cross_scan
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x3x12x16xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c3{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128
// CHECK-SAME: workgroup(%[[Y:[a-z0-9]+]] : memref<192xf32, #gpu.address_space<workgroup>>, %[[XT:[a-z0-9]+]] : memref<192xf32, #gpu.address_space<workgroup>>)
// The image transposed into shared memory: xT[w * 12 + h] = x[b, c, h, w].
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK: memref.load %{{.*}} : memref<2x3x12x16xf32>
// CHECK: memref.store %{{.*}}, %[[XT]]
// CHECK: gpu.barrier
// CHECK: scf.index_switch
// Direction 0 (row): u straight from x with 16-byte loads, delta / B / C
// in sequence order; 128-step segments (one full, then a masked tail), the
// warp scan of (prod, state) by shuffles up, lane 31's carry by shuffle idx.
// CHECK: case 0 {
// CHECK: scf.for
// CHECK: vector.load %{{.*}} : memref<2x12x192xf32>, vector<4xf32>
// CHECK: vector.load %{{.*}} : memref<2x3x12x16xf32>, vector<4xf32>
// CHECK: vector.load %{{.*}} : memref<2x4x1x192xf32>, vector<4xf32>
// CHECK: math.exp2 %{{.*}} fastmath<afn> : f32
// CHECK: gpu.shuffle  up
// CHECK: gpu.shuffle  idx
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[Y]]
// Direction 1 (col): u from the transposed image in shared memory.
// CHECK: case 1 {
// CHECK: vector.load %[[XT]]
// CHECK: memref.atomic_rmw addf
// CHECK: case 2 {
// CHECK: case 3 {
// CHECK: gpu.barrier
// CHECK: memref.load %[[Y]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: ssm.
// CHECK-NOT: tensor.collapse_shape
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[R]]

// Without the fusion the chain stays for the separate lowerings (the
// cross_scan / cross_merge for the generic one).
// OFF-LABEL: func.func @ss2d
// OFF: ssm.cross_scan
// OFF: ssm.cross_merge
func.func @ss2d(%x: tensor<2x3x12x16xf32>, %delta: tensor<2x12x192xf32>, %A: tensor<12x1xf32>, %B: tensor<2x4x1x192xf32>, %C: tensor<2x4x1x192xf32>, %D: tensor<12xf32>, %bias: tensor<12xf32>) -> tensor<2x3x12x16xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<2x3x12x16xf32>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<2x4x3x192xf32> into tensor<2x12x192xf32>
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<12xf32>) delta_bias(%bias : tensor<12xf32>) delta_softplus : tensor<2x12x192xf32>, tensor<2x12x192xf32>, tensor<12x1xf32>, tensor<2x4x1x192xf32>, tensor<2x4x1x192xf32>
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [2, 4, 3, 192] : tensor<2x12x192xf32> into tensor<2x4x3x192xf32>
  %y = ssm.cross_merge %y4 [row, col, row_rev, col_rev] height 12 width 16 : tensor<2x4x3x192xf32>
  return %y : tensor<2x3x12x16xf32>
}

// -----

// Odd grid (7 x 9: scalar loads), N = 4, bf16 inputs widened on load.
// CHECK-LABEL: func.func @odd
// CHECK: gpu.launch
// CHECK-NOT: vector.load
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK-COUNT-4: math.exp2 %{{.*}} fastmath<afn> : f32
// CHECK: gpu.terminator
// CHECK-NOT: ssm.cross_merge
func.func @odd(%x: tensor<1x5x7x9xbf16>, %delta: tensor<1x20x63xbf16>, %A: tensor<20x4xf32>, %B: tensor<1x4x4x63xbf16>, %C: tensor<1x4x4x63xbf16>, %D: tensor<20xf32>, %bias: tensor<20xf32>) -> tensor<1x5x7x9xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<1x5x7x9xbf16>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<1x4x5x63xbf16> into tensor<1x20x63xbf16>
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<20xf32>) delta_bias(%bias : tensor<20xf32>) delta_softplus out_type(f32) : tensor<1x20x63xbf16>, tensor<1x20x63xbf16>, tensor<20x4xf32>, tensor<1x4x4x63xbf16>, tensor<1x4x4x63xbf16>
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [1, 4, 5, 63] : tensor<1x20x63xf32> into tensor<1x4x5x63xf32>
  %y = ssm.cross_merge %y4 [row, col, row_rev, col_rev] height 7 width 9 : tensor<1x4x5x63xf32>
  return %y : tensor<1x5x7x9xf32>
}

// -----

// xs also feeds the x projection (as in the model): the fused kernel still
// reads x directly, the cross_scan stays for its other user.
// CHECK-LABEL: func.func @shared_xs
// CHECK: ssm.cross_scan
// CHECK: gpu.launch
// CHECK-NOT: ssm.selective_scan
// CHECK-NOT: ssm.cross_merge
func.func @shared_xs(%x: tensor<1x2x4x4xf32>, %delta: tensor<1x8x16xf32>, %A: tensor<8x1xf32>, %B: tensor<1x4x1x16xf32>, %C: tensor<1x4x1x16xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x4x2x16xf32>) {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<1x2x4x4xf32>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<1x4x2x16xf32> into tensor<1x8x16xf32>
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C : tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<8x1xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [1, 4, 2, 16] : tensor<1x8x16xf32> into tensor<1x4x2x16xf32>
  %y = ssm.cross_merge %y4 [row, col, row_rev, col_rev] height 4 width 4 : tensor<1x4x2x16xf32>
  return %y, %xs : tensor<1x2x4x4xf32>, tensor<1x4x2x16xf32>
}

// -----

// A merge over other directions than the scan's is not this chain.
// CHECK-LABEL: func.func @mismatch
// CHECK: ssm.cross_scan
// CHECK: ssm.cross_merge
func.func @mismatch(%x: tensor<1x2x4x4xf32>, %delta: tensor<1x8x16xf32>, %A: tensor<8x1xf32>, %B: tensor<1x4x1x16xf32>, %C: tensor<1x4x1x16xf32>) -> tensor<1x2x4x4xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<1x2x4x4xf32>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<1x4x2x16xf32> into tensor<1x8x16xf32>
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C : tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<8x1xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [1, 4, 2, 16] : tensor<1x8x16xf32> into tensor<1x4x2x16xf32>
  %y = ssm.cross_merge %y4 [row, row, row_rev, col_rev] height 4 width 4 : tensor<1x4x2x16xf32>
  return %y : tensor<1x2x4x4xf32>
}
