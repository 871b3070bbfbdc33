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

