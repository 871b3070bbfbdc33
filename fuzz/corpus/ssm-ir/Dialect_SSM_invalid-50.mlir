
func.func @pool_grad_dtype(%g: tensor<2x8x3xbf16>, %x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects dout with the input's element type 'f32', got 'bf16'}}
  %dx = ssm.axis_pool_grad max %g, %x cols 4 : tensor<2x8x3xbf16>, tensor<2x8x12xf32>
  return
}
