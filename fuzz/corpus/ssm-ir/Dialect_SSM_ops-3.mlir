
// CHECK-LABEL: func.func @scan_grad_full
func.func @scan_grad_full(%g: tensor<2x8x7xf32>, %u: tensor<2x8x7xf32>, %A: tensor<8x16xf32>,
                          %B: tensor<2x16x7xf32>, %D: tensor<8xf32>, %z: tensor<2x8x7xf32>,
                          %bias: tensor<8xf32>) -> (tensor<8x16xf32>, tensor<8xf32>, tensor<2x8x7xf32>, tensor<8xf32>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}:3 = ssm.selective_scan_grad {{.*}} D({{.*}}) z({{.*}}) delta_bias({{.*}}) delta_softplus reverse :
  %du, %ddt, %dA, %dB, %dC, %dD, %dz, %dbias = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B
      D(%D : tensor<8xf32>) z(%z : tensor<2x8x7xf32>) delta_bias(%bias : tensor<8xf32>) delta_softplus reverse
      : tensor<2x8x7xf32>, tensor<2x8x7xf32>, tensor<2x8x7xf32>, tensor<8x16xf32>, tensor<2x16x7xf32>, tensor<2x16x7xf32>
  return %dA, %dD, %dz, %dbias : tensor<8x16xf32>, tensor<8xf32>, tensor<2x8x7xf32>, tensor<8xf32>
}

