
func.func @scan_delta_dtype(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %dt: tensor<2x8x5xf16>) {
  // expected-error @+1 {{expects delta to have u's element type 'f32', got 'f16'}}
  %y = ssm.selective_scan %u, %dt, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf16>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

