
func.func @scan_grad_dout(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %g: tensor<2x8x4xf32>) {
  // expected-error @+1 {{expects dout of shape (b, d, l) = (2, 8, 5) like u, got (2, 8, 4)}}
  %r:5 = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B : tensor<2x8x4xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

