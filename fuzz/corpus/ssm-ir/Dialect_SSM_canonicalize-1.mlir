
// CHECK-LABEL: func.func @flip_other_dims
// CHECK: ssm.flip %{{.*}} along 2
// CHECK: ssm.flip %{{.*}} along 1
func.func @flip_other_dims(%x: tensor<1x4x7xf32>) -> tensor<1x4x7xf32> {
  %0 = ssm.flip %x along 2 : tensor<1x4x7xf32>
  %1 = ssm.flip %0 along 1 : tensor<1x4x7xf32>
  return %1 : tensor<1x4x7xf32>
}

