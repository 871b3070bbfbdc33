
func.func @conv_grad_dout(%g: tensor<2x8x5xf16>, %x: tensor<2x8x5xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{expects dout of x's type 'tensor<2x8x5xf32>', got 'tensor<2x8x5xf16>'}}
  %r:2 = ssm.causal_conv1d_grad silu %g, %x, %w : tensor<2x8x5xf16>, tensor<2x8x5xf32>, tensor<8x4xf32>
  return
}

