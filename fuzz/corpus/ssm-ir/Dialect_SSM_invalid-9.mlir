
func.func @scan_BC_rank(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %C: tensor<2x1x4x5xf32>) {
  // expected-error @+1 {{expects B and C of the same rank, got 3 and 4}}
  %y = ssm.selective_scan %u, %u, %A, %B, %C : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x1x4x5xf32>
  return
}

