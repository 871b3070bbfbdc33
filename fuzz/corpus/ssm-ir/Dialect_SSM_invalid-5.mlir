
func.func @scan_A_channels(%u: tensor<2x8x5xf32>, %A: tensor<6x4xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects A of shape (d, n) with d = 8, got (6, 4)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<6x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

