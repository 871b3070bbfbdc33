
// CHECK-LABEL: func.func @cross_scan_merge
func.func @cross_scan_merge(%x: tensor<2x3x4x5xf32>, %ys: tensor<2x4x3x20xf32>) -> (tensor<2x4x3x20xf32>, tensor<2x3x4x5xf32>, tensor<1x2x3x6xf32>) {
  // CHECK: ssm.cross_scan %{{.*}} [row, col, row_rev, col_rev] : tensor<2x3x4x5xf32>
  %0 = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<2x3x4x5xf32>
  // CHECK: ssm.cross_merge %{{.*}} [row, col, row_rev, col_rev] height 4 width 5 : tensor<2x4x3x20xf32>
  %1 = ssm.cross_merge %ys [row, col, row_rev, col_rev] height 4 width 5 : tensor<2x4x3x20xf32>
  // Directions may repeat (VMamba's "bidi" mode).
  %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 3, 2, 3] [1, 1, 1, 1] : tensor<2x3x4x5xf32> to tensor<1x3x2x3xf32>
  // CHECK: ssm.cross_scan %{{.*}} [row, row] : tensor<1x3x2x3xf32>
  %2 = ssm.cross_scan %s [row, row] : tensor<1x3x2x3xf32>
  return %0, %1, %2 : tensor<2x4x3x20xf32>, tensor<2x3x4x5xf32>, tensor<1x2x3x6xf32>
}

