
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

