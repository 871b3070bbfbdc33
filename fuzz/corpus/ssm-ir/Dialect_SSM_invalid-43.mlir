
func.func @pool_divisible(%x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects the sequence length 12 to be a multiple of cols = 5}}
  %p = ssm.axis_pool max %x cols 5 : tensor<2x8x12xf32>
  return
}

