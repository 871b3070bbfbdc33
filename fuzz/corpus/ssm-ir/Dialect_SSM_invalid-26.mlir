
func.func @conv_bias(%x: tensor<2x8x5xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{expects bias of shape (d) with d = 8, got (4)}}
  %y = ssm.causal_conv1d silu %x, %w bias(%b : tensor<4xf32>) : tensor<2x8x5xf32>, tensor<8x4xf32>
  return
}

