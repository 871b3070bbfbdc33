
// CHECK-LABEL: func.func @pool_broadcast
func.func @pool_broadcast(%x: tensor<2x8x12xf32>, %p: tensor<2x8x3xf32>) -> (tensor<2x8x3xf32>, tensor<2x8x3xf32>, tensor<2x8x3xf32>, tensor<2x8x12xf32>, tensor<2x8x12xf32>) {
  // CHECK: ssm.axis_pool mean %{{.*}} cols 4 : tensor<2x8x12xf32>
  %0 = ssm.axis_pool mean %x cols 4 : tensor<2x8x12xf32>
  // CHECK: ssm.axis_pool max %{{.*}} cols 4 {scale = 2.500000e-01 : f64} : tensor<2x8x12xf32>
  %1 = ssm.axis_pool max %x cols 4 {scale = 0.25 : f64} : tensor<2x8x12xf32>
  // CHECK: ssm.axis_pool sum %{{.*}} cols 4 : tensor<2x8x12xf32>
  %2 = ssm.axis_pool sum %x cols 4 : tensor<2x8x12xf32>
  // CHECK: ssm.axis_broadcast %{{.*}} cols 4 : tensor<2x8x3xf32>
  %3 = ssm.axis_broadcast %p cols 4 : tensor<2x8x3xf32>
  // CHECK: ssm.axis_pool_grad max %{{.*}}, %{{.*}} cols 4 : tensor<2x8x3xf32>, tensor<2x8x12xf32>
  %4 = ssm.axis_pool_grad max %p, %x cols 4 : tensor<2x8x3xf32>, tensor<2x8x12xf32>
  return %0, %1, %2, %3, %4 : tensor<2x8x3xf32>, tensor<2x8x3xf32>, tensor<2x8x3xf32>, tensor<2x8x12xf32>, tensor<2x8x12xf32>
}
