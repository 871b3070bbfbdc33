
// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<2x6x9xf32>, %w: tensor<6x4xf32>, %b: tensor<6xf32>) -> (tensor<2x6x9xf32>, tensor<2x6x9xf32>) {
  // CHECK: ssm.causal_conv1d silu %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<6xf32>) : tensor<2x6x9xf32>, tensor<6x4xf32>
  %0 = ssm.causal_conv1d silu %x, %w bias(%b : tensor<6xf32>) : tensor<2x6x9xf32>, tensor<6x4xf32>
  // CHECK: ssm.causal_conv1d none %{{.*}}, %{{.*}} : tensor<2x6x9xf32>, tensor<6x4xf32>
  %1 = ssm.causal_conv1d none %x, %w : tensor<2x6x9xf32>, tensor<6x4xf32>
  return %0, %1 : tensor<2x6x9xf32>, tensor<2x6x9xf32>
}

