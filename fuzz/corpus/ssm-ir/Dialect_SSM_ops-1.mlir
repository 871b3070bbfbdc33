
// CHECK-LABEL: func.func @scan_vim
func.func @scan_vim(%u: tensor<2x8x7xf32>, %dt: tensor<2x8x7xf32>, %A: tensor<8x16xf32>,
                    %B: tensor<2x16x7xf32>, %C: tensor<2x16x7xf32>, %D: tensor<8xf32>,
                    %z: tensor<2x8x7xf32>, %bias: tensor<8xf32>) -> (tensor<2x8x7xf32>, tensor<2x8x16xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = ssm.selective_scan {{.*}} D(%{{.*}} : tensor<8xf32>) z(%{{.*}} : tensor<2x8x7xf32>) delta_bias(%{{.*}} : tensor<8xf32>) delta_softplus reverse return_last_state :
  %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<8xf32>) z(%z : tensor<2x8x7xf32>)
      delta_bias(%bias : tensor<8xf32>) delta_softplus reverse return_last_state
      : tensor<2x8x7xf32>, tensor<2x8x7xf32>, tensor<8x16xf32>, tensor<2x16x7xf32>, tensor<2x16x7xf32>
  return %y, %h : tensor<2x8x7xf32>, tensor<2x8x16xf32>
}

