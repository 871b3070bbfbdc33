
// Found with the ssm IR fuzz target (UBSan: signed integer overflow in h*w).
func.func @cross_scan_length_overflow(%x: tensor<2x3x4611686018427387904x4xf32>) {
  // expected-error @+1 {{expects h*w to fit in 64 bits, got 4611686018427387904*4}}
  %y = ssm.cross_scan %x [row] : tensor<2x3x4611686018427387904x4xf32>
  return
}

