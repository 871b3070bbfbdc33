
func.func @scan_out_type(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects out_type f32, f16 or bf16, got i32}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B out_type(i32) : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

