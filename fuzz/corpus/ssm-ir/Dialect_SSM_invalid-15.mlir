
func.func @scan_groups_divide(%u: tensor<2x6x5xf32>, %A: tensor<6x4xf32>, %B: tensor<2x4x4x5xf32>) {
  // expected-error @+1 {{expects channels d = 6 to be divisible by the group count g = 4}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<6x4xf32>, tensor<2x4x4x5xf32>, tensor<2x4x4x5xf32>
  return
}

