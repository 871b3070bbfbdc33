
func.func @conv_width(%x: tensor<2x8x5xf32>, %w: tensor<8x0xf32>) {
  // expected-error @+1 {{expects a kernel width k >= 1, got 0}}
  %y = ssm.causal_conv1d none %x, %w : tensor<2x8x5xf32>, tensor<8x0xf32>
  return
}

