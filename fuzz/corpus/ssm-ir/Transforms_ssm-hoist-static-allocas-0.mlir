// RUN: ssm-opt %s --ssm-hoist-static-allocas | FileCheck %s

// CHECK-LABEL: func.func @lanes
// CHECK-NEXT: %[[S:.*]] = memref.alloca() : memref<16xf32>
// CHECK: scf.for
// CHECK-NOT: memref.alloca() : memref<16xf32>
// CHECK: memref.alloca(%{{.*}}) : memref<?xf32>
func.func @lanes(%n: index, %out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %s = memref.alloca() : memref<16xf32>
    %d = memref.alloca(%n) : memref<?xf32>
    %v = memref.load %s[%c0] : memref<16xf32>
    memref.store %v, %out[%i] : memref<8xf32>
  }
  return
}
