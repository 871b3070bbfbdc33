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

// -----

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

// -----

// Views of the workspace are kernel arguments of their own (noalias), not
// re-derived from the workspace inside the kernel.
// CHECK-LABEL: func.func private @ws_par0(
// CHECK-SAME: %{{.*}}: memref<8xf32> {llvm.noalias}, %{{.*}}: memref<8xf32> {llvm.noalias}, %{{.*}}: index, %{{.*}}: index)
// CHECK-NOT: memref.view
// CHECK-LABEL: func.func @ws(
// CHECK: %[[A:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<64xi8> to memref<8xf32>
// CHECK: %[[B:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<64xi8> to memref<8xf32>
// CHECK: call @__ssm_dispatch_ws_par0(%[[A]], %[[B]], %{{.*}})
func.func @ws(%workspace: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %a = memref.view %workspace[%c0][] : memref<64xi8> to memref<8xf32>
  %b = memref.view %workspace[%c32][] : memref<64xi8> to memref<8xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %b[%i] : memref<8xf32>
  }
  return
}
