
func.func @scan_state_size(%u: tensor<2x8x5xf32>, %A: tensor<8x257xf32>, %B: tensor<2x257x5xf32>) {
  // expected-error @+1 {{expects state size n in [1, 256], got 257}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x257xf32>, tensor<2x257x5xf32>, tensor<2x257x5xf32>
  return
}

