
func.func @cross_scan_empty(%x: tensor<2x3x4x5xf32>) {
  // expected-error @+1 {{expects at least one scan direction}}
  %y = ssm.cross_scan %x [] : tensor<2x3x4x5xf32>
  return
}

