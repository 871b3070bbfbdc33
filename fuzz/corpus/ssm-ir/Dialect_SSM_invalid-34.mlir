
func.func @cross_merge_length(%y: tensor<2x4x3x20xf32>) {
  // expected-error @+1 {{expects sequences of length height*width = 24, got 20}}
  %x = ssm.cross_merge %y [row, col, row_rev, col_rev] height 4 width 6 : tensor<2x4x3x20xf32>
  return
}

