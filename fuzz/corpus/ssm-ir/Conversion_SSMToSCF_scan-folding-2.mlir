
// A flip with another user is still materialized for that user; the scan
// reads through it all the same.
// CHECK-LABEL: func.func @shared_flip
// CHECK-COUNT-2: memref.alloc() : memref<1x6x7xf32>
func.func @shared_flip(%u: tensor<1x6x7xf32>, %A: tensor<6x4xf32>, %B: tensor<1x4x7xf32>) -> (tensor<1x6x7xf32>, tensor<1x6x7xf32>) {
  %ur = ssm.flip %u along 2 : tensor<1x6x7xf32>
  %y = ssm.selective_scan %ur, %u, %A, %B, %B : tensor<1x6x7xf32>, tensor<1x6x7xf32>, tensor<6x4xf32>, tensor<1x4x7xf32>, tensor<1x4x7xf32>
  return %y, %ur : tensor<1x6x7xf32>, tensor<1x6x7xf32>
}
