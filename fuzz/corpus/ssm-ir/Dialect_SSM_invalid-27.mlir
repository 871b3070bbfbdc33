
func.func @conv_activation(%x: tensor<2x8x5xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{unknown keyword 'gelu'}}
  %y = ssm.causal_conv1d gelu %x, %w : tensor<2x8x5xf32>, tensor<8x4xf32>
  return
}

