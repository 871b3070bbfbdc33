
func.func @pool_grad_dout(%g: tensor<2x8x4xf32>, %x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects dout of shape (b, e, rows) = (2, 8, 3), got (2, 8, 4)}}
  %dx = ssm.axis_pool_grad mean %g, %x cols 4 : tensor<2x8x4xf32>, tensor<2x8x12xf32>
  return
}

