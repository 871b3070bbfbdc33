
func.func @scan_D_shape(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %D: tensor<7xf32>) {
  // expected-error @+1 {{expects D of shape (d) with d = 8, got (7)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B D(%D : tensor<7xf32>) : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

