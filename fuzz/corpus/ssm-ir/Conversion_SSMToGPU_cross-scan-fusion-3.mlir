
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

