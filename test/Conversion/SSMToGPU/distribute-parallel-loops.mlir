// ssm-reductions-innermost and ssm-distribute-parallel-loops: the loops no
// dedicated kernel takes get one thread per output element, in blocks of
// whole warps sized by planParallelLoop, never one-thread blocks.
// RUN: ssm-opt %s --split-input-file --ssm-distribute-parallel-loops --cse | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-distribute-parallel-loops=chip=gfx942 --cse | FileCheck %s --check-prefix=AMD
// RUN: ssm-opt %s --split-input-file --ssm-reductions-innermost | FileCheck %s --check-prefix=INTERCHANGE
// The kernels these loops become: test/ssm-compile/generic-kernels.mlir.

// 3 x 7 x 5 = 105 iterations: two blocks of 64 threads (sm_90), one of 128
// (gfx942, two 64-wide wavefronts); the innermost index varies fastest.
// CHECK-LABEL: func.func @elementwise
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C105:.*]] = arith.constant 105 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[C2]])
// CHECK: scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[C64]])
// CHECK: %[[BASE:.*]] = arith.muli %[[B]], %[[C64]]
// CHECK: %[[LIN:.*]] = arith.addi %[[BASE]], %[[T]]
// CHECK: arith.cmpi ult, %[[LIN]], %[[C105]]
// CHECK: scf.if
// CHECK: arith.remui %[[LIN]], %[[C5]]
// CHECK: %[[R:.*]] = arith.divui %[[LIN]], %[[C5]]
// CHECK: arith.remui %[[R]], %[[C7]]
// CHECK: arith.divui %[[R]], %[[C7]]
// CHECK: memref.load
// CHECK: arith.addf
// CHECK: processor = thread_x
// CHECK: processor = block_x
// AMD-LABEL: func.func @elementwise
// AMD-DAG: %[[A1:.*]] = arith.constant 1 : index
// AMD-DAG: %[[A128:.*]] = arith.constant 128 : index
// AMD: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[A1]])
// AMD: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[A128]])
func.func @elementwise(%a: memref<3x7x5xf32>, %o: memref<3x7x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %c5 = arith.constant 5 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c3, %c7, %c5) step (%c1, %c1, %c1) {
    %x = memref.load %a[%i, %j, %k] : memref<3x7x5xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %o[%i, %j, %k] : memref<3x7x5xf32>
    scf.reduce
  }
  return
}

// -----

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

// -----

// A reduction between two parallel dimensions (a mean over the tokens of
// [b, l, c]) moves innermost, so both parallel dimensions spread over threads.
// INTERCHANGE-LABEL: func.func @mean_tokens
// INTERCHANGE: linalg.generic
// INTERCHANGE-SAME: iterator_types = ["parallel", "parallel", "reduction"]
func.func @mean_tokens(%a: memref<4x9x6xf32>, %o: memref<4x6xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, l, c) -> (i, l, c)>, affine_map<(i, l, c) -> (i, c)>],
       iterator_types = ["parallel", "reduction", "parallel"]} ins(%a : memref<4x9x6xf32>) outs(%o : memref<4x6xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}
