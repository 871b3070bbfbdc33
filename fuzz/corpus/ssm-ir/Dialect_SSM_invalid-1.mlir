
func.func @scan_A_rank(%u: tensor<2x8x5xf32>, %A: tensor<8xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects A of rank 2 (d, n)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

