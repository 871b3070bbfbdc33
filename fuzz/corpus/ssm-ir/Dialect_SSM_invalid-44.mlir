
func.func @pool_scale(%x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects a finite positive scale, got -1}}
  %p = ssm.axis_pool mean %x cols 4 {scale = -1.0 : f64} : tensor<2x8x12xf32>
  return
}

