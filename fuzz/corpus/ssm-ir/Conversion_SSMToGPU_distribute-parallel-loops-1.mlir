
// A nested loop (a channel's sequential walk) stays in its thread; a lower
// bound and step other than 0 / 1 are applied after delinearization.
// CHECK-LABEL: func.func @nested
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.if
// CHECK: scf.parallel
// CHECK: processor = sequential
// CHECK: processor = thread_x
// CHECK: processor = block_x
func.func @nested(%a: memref<4x9xf32>, %o: memref<4x9xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c9 = arith.constant 9 : index
  scf.parallel (%i) = (%c1) to (%c4) step (%c2) {
    scf.parallel (%t) = (%c0) to (%c9) step (%c1) {
      %x = memref.load %a[%i, %t] : memref<4x9xf32>
      memref.store %x, %o[%i, %t] : memref<4x9xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}

