
func.func @broadcast_negative_cols(%x: tensor<2x8x3xf32>) {
  // expected-error @+1 {{expects cols >= 1, got -2}}
  %p = ssm.axis_broadcast %x cols -2 : tensor<2x8x3xf32>
  return
}

