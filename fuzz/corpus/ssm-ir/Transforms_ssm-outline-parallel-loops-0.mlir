// RUN: ssm-opt %s --split-input-file --ssm-outline-parallel-loops | FileCheck %s

// A top-level parallel loop becomes a kernel over tiles [begin, end): here
// both dimensions (4 x 6 < 64) are linearized into 24 tiles. Views and
// constants are recomputed inside, buffers are passed.
// CHECK-LABEL: func.func private @f_par0(
// CHECK-SAME: %[[IN:[a-z0-9]+]]: memref<4x6xf32> {llvm.noalias}, %[[OUT:[a-z0-9]+]]: memref<24xf32> {llvm.noalias}, %[[BEGIN:[a-z0-9]+]]: index, %[[END:[a-z0-9]+]]: index)
// CHECK:   %[[VIEW:.*]] = memref.expand_shape %[[OUT]]
// CHECK:   scf.for %[[T:.*]] = %[[BEGIN]] to %[[END]]
// CHECK:     %[[J:.*]] = arith.remui %[[T]]
// CHECK:     %[[IJ:.*]] = arith.divui %[[T]]
// CHECK:     memref.load %[[IN]]
// CHECK:     memref.store %{{.*}}, %[[VIEW]]
// CHECK-NOT: scf.parallel
// CHECK: func.func private @__ssm_dispatch_f_par0(memref<4x6xf32>, memref<24xf32>, index)
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[A0:[a-z0-9]+]]: memref<4x6xf32>, %[[A1:[a-z0-9]+]]: memref<24xf32>)
// CHECK: %[[N:.*]] = arith.constant 24 : index
// CHECK: call @__ssm_dispatch_f_par0(%[[A0]], %[[A1]], %[[N]]) : (memref<4x6xf32>, memref<24xf32>, index) -> ()
// CHECK-NOT: scf.parallel
func.func @f(%in: memref<4x6xf32>, %out: memref<24xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %view = memref.expand_shape %out [[0, 1]] output_shape [4, 6] : memref<24xf32> into memref<4x6xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c6) step (%c1, %c1) {
    %v = memref.load %in[%i, %j] : memref<4x6xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %view[%i, %j] : memref<4x6xf32>
  }
  return
}

