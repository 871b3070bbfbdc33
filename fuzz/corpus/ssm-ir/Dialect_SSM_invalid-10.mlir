
func.func @scan_B_length(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x6xf32>) {
  // expected-error @+1 {{expects B to match batch 2, state size n and length l of u and A, got (2, 4, 6)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>
  return
}

