
func.func @scan_bias_shape(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %b: tensor<8x1xf32>) {
  // expected-error @+1 {{expects delta_bias of shape (d) with d = 8, got (8, 1)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B delta_bias(%b : tensor<8x1xf32>) : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

