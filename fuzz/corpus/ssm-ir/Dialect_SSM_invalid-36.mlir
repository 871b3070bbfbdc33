
// Found with the ssm IR fuzz target (fuzz/): height -1 and width -20 read as huge
// unsigned values whose product wrapped to 20, so this verified with the
// result type tensor<2x3x-1x-20xf32>.
func.func @cross_merge_negative_grid(%y: tensor<2x1x3x20xf32>) {
  // expected-error @+1 {{expects a grid of at least 1x1, got -1x-20}}
  %x = ssm.cross_merge %y [row] height -1 width -20 : tensor<2x1x3x20xf32>
  return
}

