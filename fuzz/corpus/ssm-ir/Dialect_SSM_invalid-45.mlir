
func.func @broadcast_cols(%x: tensor<2x8x3xf32>) {
  // expected-error @+1 {{expects cols >= 1, got 0}}
  %p = ssm.axis_broadcast %x cols 0 : tensor<2x8x3xf32>
  return
}

