
func.func @cross_merge_empty(%y: tensor<2x1x3x20xf32>) {
  // expected-error @+1 {{expects at least one scan direction}}
  %x = ssm.cross_merge %y [] height 4 width 5 : tensor<2x1x3x20xf32>
  return
}

