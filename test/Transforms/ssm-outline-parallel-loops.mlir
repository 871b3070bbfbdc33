// RUN: ssm-opt %s --split-input-file --ssm-outline-parallel-loops | FileCheck %s

// A top-level parallel loop becomes a kernel over [begin, end) of its first
// dimension; views and constants are recomputed inside, buffers are passed.
// CHECK-LABEL: func.func private @f_par0(
// CHECK-SAME: %[[IN:.*]]: memref<4x6xf32>, %[[OUT:.*]]: memref<24xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK:   %[[VIEW:.*]] = memref.expand_shape %[[OUT]]
// CHECK:   %[[LO:.*]] = arith.addi %{{.*}}, %{{.*}}
// CHECK:   %[[HI:.*]] = arith.minsi
// CHECK:   scf.parallel (%[[I:.*]], %[[J:.*]]) = (%[[LO]], %{{.*}}) to (%[[HI]], %{{.*}})
// CHECK:     memref.load %[[IN]][%[[I]], %[[J]]]
// CHECK:     memref.store %{{.*}}, %[[VIEW]][%[[I]], %[[J]]]
// CHECK: func.func private @__ssm_dispatch_f_par0(memref<4x6xf32>, memref<24xf32>, index)
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[A0:[a-z0-9]+]]: memref<4x6xf32>, %[[A1:[a-z0-9]+]]: memref<24xf32>)
// CHECK: call @__ssm_dispatch_f_par0(%[[A0]], %[[A1]], %{{c4.*}}) : (memref<4x6xf32>, memref<24xf32>, index) -> ()
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

// -----

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
