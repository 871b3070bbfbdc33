
// Merge: one parallel nest over the grid summing the k directions.
// CHECK-LABEL: func.func @cross_merge
// CHECK: scf.parallel
// CHECK-COUNT-4: arith.addf
// CHECK-NOT: scf.parallel
func.func @cross_merge(%y: tensor<1x4x2x12xf32>) -> tensor<1x2x3x4xf32> {
  %0 = ssm.cross_merge %y [row, col, row_rev, col_rev] height 3 width 4 : tensor<1x4x2x12xf32>
  return %0 : tensor<1x2x3x4xf32>
}

