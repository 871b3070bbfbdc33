
func.func @cross_scan_rank(%x: tensor<2x3x20xf32>) {
  // expected-error @+1 {{expects input of rank 4 (b, c, h, w)}}
  %y = ssm.cross_scan %x [row] : tensor<2x3x20xf32>
  return
}

