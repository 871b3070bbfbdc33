
// CHECK-LABEL: func.func @flip
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) =
// CHECK:   %[[R:.*]] = arith.subi %{{.*}}, %[[J]]
// CHECK:   tensor.extract %arg0[%[[I]], %[[R]]]
func.func @flip(%x: tensor<3x7xf16>) -> tensor<3x7xf16> {
  %0 = ssm.flip %x along 1 : tensor<3x7xf16>
  return %0 : tensor<3x7xf16>
}
