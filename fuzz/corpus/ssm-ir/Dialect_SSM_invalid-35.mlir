
func.func @cross_merge_grid(%y: tensor<2x1x3x20xf32>) {
  // expected-error @+1 {{expects a grid of at least 1x1, got 0x5}}
  %x = ssm.cross_merge %y [row] height 0 width 5 : tensor<2x1x3x20xf32>
  return
}

