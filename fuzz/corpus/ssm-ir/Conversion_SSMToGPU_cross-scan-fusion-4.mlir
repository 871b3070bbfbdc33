
// Repeated directions (two forward row warps write the same positions in
// every segment): turns in every segment, 3 warps.
// CHECK-LABEL: func.func @repeated
// CHECK: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c96
// CHECK: gpu.barrier
// CHECK: gpu.barrier
// CHECK-NEXT: arith.constant 0 : index
// CHECK-NEXT: arith.cmpi eq
// CHECK-NEXT: scf.if
// CHECK: gpu.barrier
// CHECK-NEXT: arith.constant 1 : index
// CHECK-NEXT: arith.cmpi eq
// CHECK-NEXT: scf.if
// CHECK: gpu.barrier
// CHECK: gpu.terminator
func.func @repeated(%x: tensor<1x2x4x4xf32>, %delta: tensor<1x6x16xf32>, %A: tensor<6x1xf32>, %B: tensor<1x3x1x16xf32>, %C: tensor<1x3x1x16xf32>) -> tensor<1x2x4x4xf32> {
  %xs = ssm.cross_scan %x [row, row, col] : tensor<1x2x4x4xf32>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<1x3x2x16xf32> into tensor<1x6x16xf32>
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C : tensor<1x6x16xf32>, tensor<1x6x16xf32>, tensor<6x1xf32>, tensor<1x3x1x16xf32>, tensor<1x3x1x16xf32>
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [1, 3, 2, 16] : tensor<1x6x16xf32> into tensor<1x3x2x16xf32>
  %y = ssm.cross_merge %y4 [row, row, col] height 4 width 4 : tensor<1x3x2x16xf32>
  return %y : tensor<1x2x4x4xf32>
}
