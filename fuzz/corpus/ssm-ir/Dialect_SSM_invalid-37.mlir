
func.func @cross_merge_grid_overflow(%y: tensor<2x1x3x20xf32>) {
  // expected-error @+1 {{expects height*width to fit in 64 bits, got 4294967296x4294967296}}
  %x = ssm.cross_merge %y [row] height 4294967296 width 4294967296 : tensor<2x1x3x20xf32>
  return
}

