
func.func @scan_grad_A_rank(%g: tensor<2x8x5xf32>, %u: tensor<2x8x5xf32>, %A: tensor<8xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects A of rank 2 (d, n)}}
  %r:5 = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

