
func.func @cross_merge_k(%y: tensor<2x4x3x20xf32>) {
  // expected-error @+1 {{expects 2 directional sequences, got 4}}
  %x = ssm.cross_merge %y [row, col] height 4 width 5 : tensor<2x4x3x20xf32>
  return
}

