
func.func @conv_weight_channels(%x: tensor<2x8x5xf32>, %w: tensor<6x4xf32>) {
  // expected-error @+1 {{expects weight of shape (d, k) with d = 8, got (6, 4)}}
  %y = ssm.causal_conv1d silu %x, %w : tensor<2x8x5xf32>, tensor<6x4xf32>
  return
}

