
func.func @conv_weight_rank(%x: tensor<2x8x5xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{expects weight of shape (d, k) with d = 8, got (8)}}
  %y = ssm.causal_conv1d silu %x, %w : tensor<2x8x5xf32>, tensor<8xf32>
  return
}

