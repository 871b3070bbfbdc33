
// A sum is cols * y, a scaled mean is scale * y, and other column counts
// regroup the tokens: none of these folds.
// CHECK-LABEL: func.func @pool_of_broadcast_kept
// CHECK: ssm.axis_broadcast
// CHECK: ssm.axis_pool sum
// CHECK: ssm.axis_pool mean {{.*}} {scale = 2.500000e-01 : f64}
// CHECK: ssm.axis_pool mean %{{.*}} cols 2
func.func @pool_of_broadcast_kept(%y: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x8xf32>) {
  %b = ssm.axis_broadcast %y cols 4 : tensor<2x3x4xf32>
  %sum = ssm.axis_pool sum %b cols 4 : tensor<2x3x16xf32>
  %scaled = ssm.axis_pool mean %b cols 4 {scale = 0.25 : f64} : tensor<2x3x16xf32>
  %regroup = ssm.axis_pool mean %b cols 2 : tensor<2x3x16xf32>
  return %sum, %scaled, %regroup : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x8xf32>
}

