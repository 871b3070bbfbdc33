// RUN: ssm-opt %s --split-input-file --ssm-promote-loop-accumulators | FileCheck %s

// A reduction over k of a channel-first row: the accumulator out[i] is
// loaded once before the loop, carried, and stored once after it.
// CHECK-LABEL: func.func @row_sum
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK:   %[[INIT:.*]] = memref.load %[[OUT:.*]][%[[I]]]
// CHECK:   %[[SUM:.*]] = scf.for %{{.*}} = {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32)
// CHECK-NOT: memref.store
// CHECK:     %[[NEXT:.*]] = arith.addf %[[ACC]], %{{.*}}
// CHECK:     scf.yield %[[NEXT]]
// CHECK:   memref.store %[[SUM]], %[[OUT]][%[[I]]]
func.func @row_sum(%x: memref<192x25xf32>, %out: memref<25xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c25 = arith.constant 25 : index
  %c192 = arith.constant 192 : index
  scf.parallel (%i) = (%c0) to (%c25) step (%c1) {
    scf.for %k = %c0 to %c192 step %c1 {
      %v = memref.load %x[%k, %i] : memref<192x25xf32>
      %acc = memref.load %out[%i] : memref<25xf32>
      %s = arith.addf %acc, %v : f32
      memref.store %s, %out[%i] : memref<25xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Two accumulators (a sum and a sum of squares) and a nest of two reduction
// loops: every level carries both.
// CHECK-LABEL: func.func @moments
// CHECK: memref.load %{{.*}}[] : memref<f32>
// CHECK: memref.load %{{.*}}[] : memref<f32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK:   scf.for {{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK-NOT: memref.store
// CHECK: memref.store
// CHECK: memref.store
// CHECK: return
func.func @moments(%x: memref<4x6xf32>, %sum: memref<f32>, %sq: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c6 step %c1 {
      %v = memref.load %x[%i, %j] : memref<4x6xf32>
      %a = memref.load %sum[] : memref<f32>
      %b = memref.load %sq[] : memref<f32>
      %a2 = arith.addf %a, %v : f32
      %v2 = arith.mulf %v, %v : f32
      %b2 = arith.addf %b, %v2 : f32
      memref.store %a2, %sum[] : memref<f32>
      memref.store %b2, %sq[] : memref<f32>
    }
  }
  return
}

// -----

// Left alone: a store under a condition (it may not run), a store at an
// index that moves with the loop, an accumulator also read elsewhere (a
// different element of the same memref, or through a view of it), and an
// op whose memory effects are unknown.
// CHECK-LABEL: func.func @not_accumulators
// CHECK-NOT: iter_args
// CHECK: return
func.func private @opaque(memref<8xf32>)
func.func @not_accumulators(%x: memref<8xf32>, %out: memref<8xf32>, %c: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %k = %c0 to %c8 step %c1 {
    %v = memref.load %x[%k] : memref<8xf32>
    %acc = memref.load %out[%c0] : memref<8xf32>
    %s = arith.addf %acc, %v : f32
    scf.if %c {
      memref.store %s, %out[%c0] : memref<8xf32>
    }
  }
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = memref.load %out[%k] : memref<8xf32>
    %s = arith.addf %acc, %acc : f32
    memref.store %s, %out[%k] : memref<8xf32>
  }
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = memref.load %out[%c0] : memref<8xf32>
    %other = memref.load %out[%c1] : memref<8xf32>
    %s = arith.addf %acc, %other : f32
    memref.store %s, %out[%c0] : memref<8xf32>
  }
  %view = memref.subview %out[1] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 1>>
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = memref.load %out[%c0] : memref<8xf32>
    %other = memref.load %view[%c0] : memref<4xf32, strided<[1], offset: 1>>
    %s = arith.addf %acc, %other : f32
    memref.store %s, %out[%c0] : memref<8xf32>
  }
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = memref.load %out[%c0] : memref<8xf32>
    func.call @opaque(%x) : (memref<8xf32>) -> ()
    %s = arith.addf %acc, %acc : f32
    memref.store %s, %out[%c0] : memref<8xf32>
  }
  return
}
