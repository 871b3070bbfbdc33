// RUN: ssm-opt %s --ssm-plan-workspace | FileCheck %s

// %a and %b are live together (b reads a), %c only after both: it reuses
// %a's bytes. Sizes round up to 64. The workspace is the new last argument.
// CHECK-LABEL: func.func @chain(
// CHECK-SAME: %[[IN:.*]]: memref<16xf32>, %[[OUT:.*]]: memref<16xf32>, %[[WS:.*]]: memref<192xi8>) attributes {ssm.workspace_bytes = 192 : i64}
// CHECK-DAG: %[[A:.*]] = memref.view %[[WS]][%[[OA:.*]]][] : memref<192xi8> to memref<16xf32>
// CHECK-DAG: %[[B:.*]] = memref.view %[[WS]][%[[OB:.*]]][] : memref<192xi8> to memref<32xf32>
// CHECK-DAG: %[[OA]] = arith.constant 128 : index
// CHECK-DAG: %[[OB]] = arith.constant 0 : index
// CHECK: memref.view %[[WS]][%{{.*}}][] : memref<192xi8> to memref<8xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
func.func @chain(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  %b = memref.alloc() : memref<32xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  %sub = memref.subview %b[0] [16] [1] : memref<32xf32> to memref<16xf32, strided<[1]>>
  memref.copy %a, %sub : memref<16xf32> to memref<16xf32, strided<[1]>>
  memref.copy %sub, %out : memref<16xf32, strided<[1]>> to memref<16xf32>
  %c = memref.alloc() : memref<8xf32>
  %s2 = memref.subview %out[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  memref.copy %s2, %c : memref<8xf32, strided<[1]>> to memref<8xf32>
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<32xf32>
  memref.dealloc %c : memref<8xf32>
  return
}

// A returned buffer escapes: it stays a heap allocation, and with nothing
// else to plan no workspace argument is added.
// CHECK-LABEL: func.func @escapes(
// CHECK-SAME: %{{.*}}: memref<4xf32>) -> memref<4xf32> {
// CHECK: memref.alloc
func.func @escapes(%in: memref<4xf32>) -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %in, %a : memref<4xf32> to memref<4xf32>
  return %a : memref<4xf32>
}

// A buffer is live from the first op that touches it, not from its
// allocation: %late is allocated first but written only after %a's last
// read, so the two share offset 0 (64 bytes, not 128).
// CHECK-LABEL: func.func @first_use(
// CHECK-SAME: memref<64xi8>) attributes {ssm.workspace_bytes = 64 : i64}
// CHECK-COUNT-2: memref.view %{{.*}}[%c0{{(_[0-9]+)?}}][]
func.func @first_use(%in: memref<16xf32>, %out: memref<16xf32>) {
  %late = memref.alloc() : memref<16xf32>
  %a = memref.alloc() : memref<16xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  memref.copy %a, %out : memref<16xf32> to memref<16xf32>
  memref.copy %out, %late : memref<16xf32> to memref<16xf32>
  memref.copy %late, %out : memref<16xf32> to memref<16xf32>
  return
}
