
// Different direction lists, or a different grid over the same length, are
// not adjoint pairs.
// CHECK-LABEL: func.func @merge_of_scan_kept
// CHECK: ssm.cross_scan
// CHECK: ssm.cross_merge %{{.*}} [col, row]
// CHECK: ssm.cross_merge %{{.*}} [row, col] height 2 width 10
func.func @merge_of_scan_kept(%x: tensor<2x3x4x5xf32>) -> (tensor<2x3x4x5xf32>, tensor<2x3x2x10xf32>) {
  %xs = ssm.cross_scan %x [row, col] : tensor<2x3x4x5xf32>
  %a = ssm.cross_merge %xs [col, row] height 4 width 5 : tensor<2x2x3x20xf32>
  %b = ssm.cross_merge %xs [row, col] height 2 width 10 : tensor<2x2x3x20xf32>
  return %a, %b : tensor<2x3x4x5xf32>, tensor<2x3x2x10xf32>
}

