
func.func @pool_cols(%x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects cols >= 1, got 0}}
  %p = ssm.axis_pool mean %x cols 0 : tensor<2x8x12xf32>
  return
}

