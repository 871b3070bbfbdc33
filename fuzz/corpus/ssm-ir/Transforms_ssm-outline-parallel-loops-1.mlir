
// With 64+ tiles in the leading dimension, the inner dimensions stay a
// parallel loop inside each tile.
// CHECK-LABEL: func.func private @g_par0(
// CHECK: scf.for
// CHECK:   scf.parallel
// CHECK-LABEL: func.func @g(
// CHECK: arith.constant 100 : index
func.func @g(%io: memref<100x7xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %c100 = arith.constant 100 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c100, %c7) step (%c1, %c1) {
    %v = memref.load %io[%i, %j] : memref<100x7xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %io[%i, %j] : memref<100x7xf32>
  }
  return
}

