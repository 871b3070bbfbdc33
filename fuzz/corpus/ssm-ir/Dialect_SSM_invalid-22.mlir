
func.func @conv_x_rank(%x: tensor<8x5xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{expects x of rank 3 (b, d, l)}}
  %y = ssm.causal_conv1d silu %x, %w : tensor<8x5xf32>, tensor<8x4xf32>
  return
}

