
func.func @scan_groups_differ(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x5xf32>, %C: tensor<2x4x4x5xf32>) {
  // expected-error @+1 {{expects B and C with the same group count, got 2 and 4}}
  %y = ssm.selective_scan %u, %u, %A, %B, %C : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x2x4x5xf32>, tensor<2x4x4x5xf32>
  return
}

