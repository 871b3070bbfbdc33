
func.func @scan_delta_shape(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %dt: tensor<2x8x6xf32>) {
  // expected-error @+1 {{expects delta of shape (b, d, l) = (2, 8, 5) like u, got (2, 8, 6)}}
  %y = ssm.selective_scan %u, %dt, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x6xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

