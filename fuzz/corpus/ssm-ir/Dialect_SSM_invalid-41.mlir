
func.func @pool_rank(%x: tensor<8x12xf32>) {
  // expected-error @+1 {{expects input of rank 3 (b, e, rows*cols)}}
  %p = ssm.axis_pool mean %x cols 4 : tensor<8x12xf32>
  return
}

