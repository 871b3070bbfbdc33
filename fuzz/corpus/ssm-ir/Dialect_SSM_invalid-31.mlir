
func.func @cross_scan_keyword(%x: tensor<2x3x4x5xf32>) {
  // expected-error @+1 {{unknown scan direction 'diag' (expected row, col, row_rev or col_rev)}}
  %y = ssm.cross_scan %x [row, diag] : tensor<2x3x4x5xf32>
  return
}

