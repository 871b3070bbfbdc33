
func.func @scan_C_state(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %C: tensor<2x3x5xf32>) {
  // expected-error @+1 {{expects C to match batch 2, state size n and length l of u and A, got (2, 3, 5)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %C : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x3x5xf32>
  return
}

