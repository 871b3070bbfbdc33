
func.func @cross_merge_rank(%y: tensor<2x3x20xf32>) {
  // expected-error @+1 {{expects input of rank 4 (b, k, c, h*w)}}
  %x = ssm.cross_merge %y [row] height 4 width 5 : tensor<2x3x20xf32>
  return
}

