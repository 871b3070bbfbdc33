
func.func @scan_z_shape(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %z: tensor<2x7x5xf32>) {
  // expected-error @+1 {{expects z of shape (b, d, l)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B z(%z : tensor<2x7x5xf32>) : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

