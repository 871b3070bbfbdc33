
// A loop capturing a scalar computed in the host stays in place.
// CHECK-LABEL: func.func @scalar_capture
// CHECK-NOT: call @__ssm_dispatch
// CHECK: scf.parallel
func.func @scalar_capture(%in: memref<4xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %s, %in[%i] : memref<4xf32>
  }
  return
}

