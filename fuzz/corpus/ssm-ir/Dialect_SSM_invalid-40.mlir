
func.func @flip_dim(%x: tensor<2x3x5xf32>) {
  // expected-error @+1 {{expects dim in [0, 3) for a rank-3 tensor, got 3}}
  %y = ssm.flip %x along 3 : tensor<2x3x5xf32>
  return
}

