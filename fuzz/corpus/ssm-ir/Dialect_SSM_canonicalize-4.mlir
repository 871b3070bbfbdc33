
// cross_merge(cross_scan(x)) = k * x.
// CHECK-LABEL: func.func @merge_of_scan
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x5xf32>)
// CHECK: %[[K:.*]] = arith.constant dense<4.000000e+00> : tensor<2x3x4x5xf32>
// CHECK: %[[R:.*]] = arith.mulf %[[X]], %[[K]]
// CHECK-NOT: ssm.
// CHECK: return %[[R]]
func.func @merge_of_scan(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<2x3x4x5xf32>
  %y = ssm.cross_merge %xs [row, col, row_rev, col_rev] height 4 width 5 : tensor<2x4x3x20xf32>
  return %y : tensor<2x3x4x5xf32>
}

