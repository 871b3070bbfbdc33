
func.func @broadcast_rank(%x: tensor<2x8x3x1xf32>) {
  // expected-error @+1 {{expects input of rank 3 (b, e, rows)}}
  %p = ssm.axis_broadcast %x cols 2 : tensor<2x8x3x1xf32>
  return
}

