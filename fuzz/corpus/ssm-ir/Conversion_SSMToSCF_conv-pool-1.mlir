
// The gradient is parallel over channels, so dweight/dbias never race.
// CHECK-LABEL: func.func @conv_grad
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @conv_grad(%g: tensor<2x3x6xf32>, %x: tensor<2x3x6xf32>, %w: tensor<3x4xf32>) -> (tensor<2x3x6xf32>, tensor<3x4xf32>) {
  %dx, %dw = ssm.causal_conv1d_grad none %g, %x, %w : tensor<2x3x6xf32>, tensor<2x3x6xf32>, tensor<3x4xf32>
  return %dx, %dw : tensor<2x3x6xf32>, tensor<3x4xf32>
}

