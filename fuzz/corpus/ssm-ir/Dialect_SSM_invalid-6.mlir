
func.func @scan_A_dtype(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf16>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{operand #2 must be ranked tensor of 32-bit float values}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf16>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

