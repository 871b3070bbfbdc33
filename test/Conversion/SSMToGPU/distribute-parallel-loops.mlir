// ssm-reductions-innermost and ssm-distribute-parallel-loops: the loops no
// dedicated kernel takes get one thread per output element, in blocks of
// whole warps sized by planParallelLoop, never one-thread blocks.
// RUN: ssm-opt %s --split-input-file --ssm-distribute-parallel-loops --cse | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-distribute-parallel-loops=chip=gfx942 --cse | FileCheck %s --check-prefix=AMD
// RUN: ssm-opt %s --split-input-file --ssm-reductions-innermost | FileCheck %s --check-prefix=INTERCHANGE
// RUN: ssm-opt %s --split-input-file --ssm-distribute-parallel-loops --canonicalize | FileCheck %s --check-prefix=ORDER
// RUN: ssm-opt %s --split-input-file --ssm-distribute-parallel-loops --cse | FileCheck %s --check-prefix=UNROLL
// RUN: ssm-opt %s --split-input-file --ssm-distribute-parallel-loops=chip=gfx942 --cse | FileCheck %s --check-prefix=UNROLL-AMD
// RUN: ssm-opt %s --split-input-file --ssm-distribute-parallel-loops=elements-per-thread=4 --cse | FileCheck %s --check-prefix=FORCED
// The kernels these loops become: test/ssm-compile/generic-kernels.mlir.

// 3 x 7 x 5 = 105 iterations: two blocks of 64 threads (sm_90), one of 128
// (gfx942, two 64-wide wavefronts); the innermost index varies fastest
// (it indexes the accesses' unit-stride dimension).
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

// -----

// The coalescing order (planLinearizationOrder): an NCHW depthwise conv's
// loops (n, oh, ow, c) run with ow fastest, the loop that indexes the
// unit-stride w of the output and, as ow + kw, of the input window; then oh,
// which indexes the h of both, contiguous with w, so a warp covers
// consecutive rows of one plane; the others keep their order (n, c, oh, ow).
// ORDER-LABEL: func.func @depthwise_nchw
// ORDER-DAG: %[[C5:.*]] = arith.constant 5 : index
// ORDER-DAG: %[[C6:.*]] = arith.constant 6 : index
// ORDER-DAG: %[[C8:.*]] = arith.constant 8 : index
// ORDER: scf.if
// ORDER: %[[OW:.*]] = arith.remui %[[LIN:.*]], %[[C6]]
// ORDER: %[[R1:.*]] = arith.divui %[[LIN]], %[[C6]]
// ORDER: %[[OH:.*]] = arith.remui %[[R1]], %[[C5]]
// ORDER: %[[R2:.*]] = arith.divui %[[R1]], %[[C5]]
// ORDER: %[[C:.*]] = arith.remui %[[R2]], %[[C8]]
// ORDER: %[[N:.*]] = arith.divui %[[R2]], %[[C8]]
// ORDER: memref.load %{{.*}}[%[[N]], %[[C]], %[[OH]], %[[OW]]]
// ORDER: scf.for
// ORDER: memref.store %{{.*}}, %{{.*}}[%[[N]], %[[C]], %[[OH]], %[[OW]]]
func.func @depthwise_nchw(%in: memref<2x8x7x8xf32>, %w: memref<8x3x3xf32>, %out: memref<2x8x5x6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%n, %oh, %ow, %c) = (%c0, %c0, %c0, %c0) to (%c2, %c5, %c6, %c8) step (%c1, %c1, %c1, %c1) {
    %init = memref.load %out[%n, %c, %oh, %ow] : memref<2x8x5x6xf32>
    %acc = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a0 = %init) -> (f32) {
      %r = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a1 = %a0) -> (f32) {
        %h = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%oh, %kh)
        %x = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%ow, %kw)
        %v = memref.load %in[%n, %c, %h, %x] : memref<2x8x7x8xf32>
        %k = memref.load %w[%c, %kh, %kw] : memref<8x3x3xf32>
        %p = arith.mulf %v, %k : f32
        %s = arith.addf %a1, %p : f32
        scf.yield %s : f32
      }
      scf.yield %r : f32
    }
    memref.store %acc, %out[%n, %c, %oh, %ow] : memref<2x8x5x6xf32>
    scf.reduce
  }
  return
}

// -----

// Rows that are not contiguous give no second vote: the output's rows of 6
// are 8 apart and the input's w is strided, so oh does not move before c and
// only ow goes fastest (n, oh, c, ow).
// ORDER-LABEL: func.func @depthwise_nchw_padded_rows
// ORDER-DAG: %[[C5:.*]] = arith.constant 5 : index
// ORDER-DAG: %[[C6:.*]] = arith.constant 6 : index
// ORDER-DAG: %[[C8:.*]] = arith.constant 8 : index
// ORDER: scf.if
// ORDER: %[[OW:.*]] = arith.remui %[[LIN:.*]], %[[C6]]
// ORDER: %[[R1:.*]] = arith.divui %[[LIN]], %[[C6]]
// ORDER: %[[C:.*]] = arith.remui %[[R1]], %[[C8]]
// ORDER: %[[R2:.*]] = arith.divui %[[R1]], %[[C8]]
// ORDER: %[[OH:.*]] = arith.remui %[[R2]], %[[C5]]
// ORDER: %[[N:.*]] = arith.divui %[[R2]], %[[C5]]
// ORDER: memref.store %{{.*}}, %{{.*}}[%[[N]], %[[C]], %[[OH]], %[[OW]]]
func.func @depthwise_nchw_padded_rows(%in: memref<2x8x7x8xf32, strided<[512, 64, 9, 1]>>, %w: memref<8x3x3xf32>, %out: memref<2x8x5x6xf32, strided<[320, 40, 8, 1]>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c8 = arith.constant 8 : index
  %c0f = arith.constant 0.0 : f32
  scf.parallel (%n, %oh, %ow, %c) = (%c0, %c0, %c0, %c0) to (%c2, %c5, %c6, %c8) step (%c1, %c1, %c1, %c1) {
    %acc = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a0 = %c0f) -> (f32) {
      %r = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a1 = %a0) -> (f32) {
        %h = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%oh, %kh)
        %x = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%ow, %kw)
        %v = memref.load %in[%n, %c, %h, %x] : memref<2x8x7x8xf32, strided<[512, 64, 9, 1]>>
        %k = memref.load %w[%c, %kh, %kw] : memref<8x3x3xf32>
        %p = arith.mulf %v, %k : f32
        %s = arith.addf %a1, %p : f32
        scf.yield %s : f32
      }
      scf.yield %r : f32
    }
    memref.store %acc, %out[%n, %c, %oh, %ow] : memref<2x8x5x6xf32, strided<[320, 40, 8, 1]>>
    scf.reduce
  }
  return
}

// -----

// A transpose: the store's unit-stride loop (i) outweighs the load's (j).
// ORDER-LABEL: func.func @transpose
// ORDER-DAG: %[[C3:.*]] = arith.constant 3 : index
// ORDER: %[[I:.*]] = arith.remui %[[LIN:.*]], %[[C3]]
// ORDER: %[[J:.*]] = arith.divui %[[LIN]], %[[C3]]
// ORDER: memref.load %{{.*}}[%[[I]], %[[J]]]
// ORDER: memref.store %{{.*}}, %{{.*}}[%[[J]], %[[I]]]
func.func @transpose(%a: memref<3x4xf32>, %o: memref<4x3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c3, %c4) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<3x4xf32>
    memref.store %x, %o[%j, %i] : memref<4x3xf32>
    scf.reduce
  }
  return
}

// -----

// Already right: the store and one load run along the innermost loop (k),
// which outweighs the other load's loop; the order is the nest's.
// ORDER-LABEL: func.func @already_innermost
// ORDER-DAG: %[[C5:.*]] = arith.constant 5 : index
// ORDER-DAG: %[[C7:.*]] = arith.constant 7 : index
// ORDER: %[[K:.*]] = arith.remui %[[LIN:.*]], %[[C5]]
// ORDER: %[[R:.*]] = arith.divui %[[LIN]], %[[C5]]
// ORDER: %[[J:.*]] = arith.remui %[[R]], %[[C7]]
// ORDER: %[[I:.*]] = arith.divui %[[R]], %[[C7]]
// ORDER: memref.load %{{.*}}[%[[I]], %[[J]], %[[K]]]
// ORDER: memref.load %{{.*}}[%[[I]], %[[K]], %[[J]]]
// ORDER: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]], %[[K]]]
func.func @already_innermost(%a: memref<3x7x5xf32>, %b: memref<3x5x7xf32>, %o: memref<3x7x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %c5 = arith.constant 5 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c3, %c7, %c5) step (%c1, %c1, %c1) {
    %x = memref.load %a[%i, %j, %k] : memref<3x7x5xf32>
    %y = memref.load %b[%i, %k, %j] : memref<3x5x7xf32>
    %s = arith.addf %x, %y : f32
    memref.store %s, %o[%i, %j, %k] : memref<3x7x5xf32>
    scf.reduce
  }
  return
}

// -----

// No unit-stride information, so the nest's order: a layout whose last
// stride is not 1, an index scaled by 2, and one that mixes two loops.
// ORDER-LABEL: func.func @no_unit_stride
// ORDER-DAG: %[[C4:.*]] = arith.constant 4 : index
// ORDER: %[[J:.*]] = arith.remui %[[LIN:.*]], %[[C4]]
// ORDER: %[[I:.*]] = arith.divui %[[LIN]], %[[C4]]
// ORDER: memref.load %{{.*}}[%[[J]], %[[I]]] : memref<4x6xf32, strided<[1, 4]>>
func.func @no_unit_stride(%a: memref<4x6xf32, strided<[1, 4]>>, %b: memref<6x9xf32>, %o: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c6, %c4) step (%c1, %c1) {
    %x = memref.load %a[%j, %i] : memref<4x6xf32, strided<[1, 4]>>
    %i2 = affine.apply affine_map<(d0) -> (d0 * 2)>(%i)
    %y = memref.load %b[%i, %i2] : memref<6x9xf32>
    %s = arith.addf %x, %y : f32
    %ij = arith.addi %i, %j : index
    memref.store %s, %o[%j, %ij] : memref<4x16xf32>
    scf.reduce
  }
  return
}

// -----

// Several iterations per thread (planParallelLoop, elementsPerThread): a
// bf16 gate over 128 x 96 x 128 (1.6M iterations) runs 8 per thread on
// sm_90, thread t (< 196608, 768 blocks of 256) on t + k * 196608; all 16
// loads come before the arithmetic and that before the 8 stores. 8 divides
// the count: no bounds check past the thread's.
// UNROLL-LABEL: func.func @gate_bf16
// UNROLL: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c768)
// UNROLL: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c256)
// UNROLL: %[[LIN:.*]] = arith.addi
// UNROLL: arith.cmpi ult, %[[LIN]], %c196608
// UNROLL: scf.if
// UNROLL: arith.addi %[[LIN]], %c196608
// UNROLL-NOT: arith.select
// UNROLL-COUNT-16: memref.load
// UNROLL-NOT: memref.load
// UNROLL-NOT: memref.store
// UNROLL-COUNT-8: arith.mulf
// UNROLL-NOT: arith.mulf
// UNROLL-COUNT-8: memref.store %{{.*}}, %arg2
// UNROLL-NOT: memref.store
// UNROLL: processor = thread_x
// gfx942's 304 CUs: 4 per thread, so that 4 blocks per CU remain.
// UNROLL-AMD-LABEL: func.func @gate_bf16
// UNROLL-AMD-COUNT-8: memref.load
// UNROLL-AMD-NOT: memref.load
// UNROLL-AMD: arith.mulf
func.func @gate_bf16(%a: memref<128x96x128xbf16>, %g: memref<128x96x128xbf16>, %o: memref<128x96x128xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c96 = arith.constant 96 : index
  %c128 = arith.constant 128 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c128, %c96, %c128) step (%c1, %c1, %c1) {
    %x = memref.load %a[%i, %j, %k] : memref<128x96x128xbf16>
    %y = memref.load %g[%i, %j, %k] : memref<128x96x128xbf16>
    %s = arith.mulf %x, %y : bf16
    memref.store %s, %o[%i, %j, %k] : memref<128x96x128xbf16>
    scf.reduce
  }
  return
}

// -----

// Forced to 4 per thread: 35 iterations are 9 threads x 4, the last copy
// (27 + t) may run past the end: its index falls back to the thread's
// first (so its loads stay in bounds) and its store is guarded. Two views
// of one workspace at disjoint byte ranges do not alias.
// FORCED-LABEL: func.func @tail_guard
// FORCED: %[[LIN:.*]] = arith.addi
// FORCED: arith.cmpi ult, %[[LIN]], %c9
// FORCED: %[[L3:.*]] = arith.addi %[[LIN]], %c27
// FORCED: %[[IN:.*]] = arith.cmpi ult, %[[L3]], %c35
// FORCED: arith.select %[[IN]], %[[L3]], %[[LIN]]
// FORCED-COUNT-4: memref.load
// FORCED-COUNT-3: memref.store
// FORCED-NEXT: scf.if %[[IN]] {
// FORCED-NEXT: memref.store
func.func @tail_guard(%ws: memref<1024xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %c140 = arith.constant 140 : index
  %a = memref.view %ws[%c0][] : memref<1024xi8> to memref<5x7xf32>
  %o = memref.view %ws[%c140][] : memref<1024xi8> to memref<5x7xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c5, %c7) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<5x7xf32>
    memref.store %x, %o[%i, %j] : memref<5x7xf32>
    scf.reduce
  }
  return
}

// -----

// One iteration per thread where the copies could not all load first:
// overlapping views of one workspace (bytes 0-139 and 136-275), a
// store that may alias a load at another element (the same buffer, other
// indices), and a nested loop (a thread-per-row reduction).
// FORCED-LABEL: func.func @may_alias
// FORCED-COUNT-1: memref.load
// FORCED-NOT: memref.load
// FORCED-LABEL: func.func @shifted_in_place
// FORCED-COUNT-1: memref.load
// FORCED-NOT: memref.load
// FORCED-LABEL: func.func @row_sum
// FORCED: scf.for
// FORCED-COUNT-1: memref.store
// FORCED-NOT: memref.store
func.func @may_alias(%ws: memref<1024xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %c136 = arith.constant 136 : index
  %a = memref.view %ws[%c0][] : memref<1024xi8> to memref<5x7xf32>
  %o = memref.view %ws[%c136][] : memref<1024xi8> to memref<5x7xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c5, %c7) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<5x7xf32>
    memref.store %x, %o[%i, %j] : memref<5x7xf32>
    scf.reduce
  }
  return
}
func.func @shifted_in_place(%o: memref<36xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c35 = arith.constant 35 : index
  scf.parallel (%i) = (%c0) to (%c35) step (%c1) {
    %n = arith.addi %i, %c1 : index
    %x = memref.load %o[%n] : memref<36xf32>
    memref.store %x, %o[%i] : memref<36xf32>
    scf.reduce
  }
  return
}
func.func @row_sum(%a: memref<9x5xf32>, %o: memref<9xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c9 = arith.constant 9 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c9) step (%c1) {
    %s = scf.for %k = %c0 to %c5 step %c1 iter_args(%acc = %zero) -> (f32) {
      %x = memref.load %a[%i, %k] : memref<9x5xf32>
      %t = arith.addf %acc, %x : f32
      scf.yield %t : f32
    }
    memref.store %s, %o[%i] : memref<9xf32>
    scf.reduce
  }
  return
}
