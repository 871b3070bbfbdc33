
func.func @scan_B_rank(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<4x5xf32>) {
  // expected-error @+1 {{expects B of shape (b, n, l) or (b, g, n, l), got (4, 5)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<4x5xf32>, tensor<4x5xf32>
  return
}

