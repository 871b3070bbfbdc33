// RUN: ssm-opt %s --split-input-file --ssm-expand-strided-copies | FileCheck %s

// A copy into a padded interior (strided target) becomes linalg.copy.
// CHECK-LABEL: func.func @strided_target
// CHECK: %[[SUB:.*]] = memref.subview
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32>) outs(%[[SUB]]
func.func @strided_target(%src: memref<2x3xf32>, %dst: memref<4x5xf32>) {
  %sub = memref.subview %dst[1, 1] [2, 3] [1, 1] : memref<4x5xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  memref.copy %src, %sub : memref<2x3xf32> to memref<2x3xf32, strided<[5, 1], offset: 6>>
  return
}

// -----

// Contiguous copies stay: they lower to memcpy.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%src: memref<2x3xf32>, %dst: memref<2x3xf32>) {
  memref.copy %src, %dst : memref<2x3xf32> to memref<2x3xf32>
  return
}

// -----

// A copy between two equal views of one buffer (what an in-place
// tensor.insert_slice leaves) does nothing: erased. A copy to another slice
// of the same buffer stays.
// CHECK-LABEL: func.func @same_view
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32>)
// CHECK: %[[S:.*]] = memref.subview %[[A]][0, 2] [4, 3] [1, 1]
// CHECK: %[[T:.*]] = memref.subview %[[A]][0, 5] [4, 3] [1, 1]
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%[[S]] : {{.*}}) outs(%[[T]] :
// CHECK-NOT: memref.copy
// CHECK: return
func.func @same_view(%a: memref<4x8xf32>) {
  %s = memref.subview %a[0, 2] [4, 3] [1, 1] : memref<4x8xf32> to memref<4x3xf32, strided<[8, 1], offset: 2>>
  %s2 = memref.subview %a[0, 2] [4, 3] [1, 1] : memref<4x8xf32> to memref<4x3xf32, strided<[8, 1], offset: 2>>
  memref.copy %s, %s2 : memref<4x3xf32, strided<[8, 1], offset: 2>> to memref<4x3xf32, strided<[8, 1], offset: 2>>
  %t = memref.subview %a[0, 5] [4, 3] [1, 1] : memref<4x8xf32> to memref<4x3xf32, strided<[8, 1], offset: 5>>
  memref.copy %s, %t : memref<4x3xf32, strided<[8, 1], offset: 2>> to memref<4x3xf32, strided<[8, 1], offset: 5>>
  return
}
