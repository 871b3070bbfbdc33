// RUN: ssm-opt %s --ssm-plan-workspace=report=2 -o /dev/null 2>&1 | FileCheck %s

// The report names the op at which the most bytes are live (the copy reading
// %a into %b; positions count every op of the planned body, the workspace
// views and their offsets included) and the largest buffers live there, each
// with its live range and the first and last ops that touch it; %c (live
// later, alone) is not listed.
// CHECK: workspace of @peak: 320 bytes (0.00 GiB), 3 buffers; most live at once: 320 bytes (0.00 GiB) in 2 buffers at op 8 of 13 (memref.copy)
// CHECK-NEXT: bytes GiB live ops type; written by -> last read by
// CHECK-NEXT: 256 0.00 8-9 memref<64xf32>; memref.copy -> memref.copy
// CHECK-NEXT: 64 0.00 6-8 memref<16xf32>; memref.copy -> memref.copy
// CHECK-NOT: memref<8xf32>
func.func @peak(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  %b = memref.alloc() : memref<64xf32>
  %c = memref.alloc() : memref<8xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  %sub = memref.subview %b[0] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1]>>
  memref.copy %a, %sub : memref<16xf32> to memref<16xf32, strided<[1]>>
  memref.copy %sub, %out : memref<16xf32, strided<[1]>> to memref<16xf32>
  %s2 = memref.subview %out[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  memref.copy %s2, %c : memref<8xf32, strided<[1]>> to memref<8xf32>
  return
}
