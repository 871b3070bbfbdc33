
func.func @scan_B_dtype(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xbf16>) {
  // expected-error @+1 {{expects B to have u's element type 'f32', got 'bf16'}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xbf16>, tensor<2x4x5xbf16>
  return
}

