
// Found with the ssm IR fuzz target (UBSan: signed integer overflow in
// rows*cols; the wrapped length verified).
func.func @broadcast_length_overflow(%x: tensor<2x8x5xf32>) {
  // expected-error @+1 {{expects rows*cols to fit in 64 bits, got 5*4611686018427387904}}
  %p = ssm.axis_broadcast %x cols 4611686018427387904 : tensor<2x8x5xf32>
  return
}

