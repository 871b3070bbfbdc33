
func.func @scan_B_batch(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<3x4x5xf32>) {
  // expected-error @+1 {{expects B to match batch 2}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<3x4x5xf32>, tensor<3x4x5xf32>
  return
}

