
// CHECK-LABEL: func.func @scan_used_last_state
// CHECK: ssm.selective_scan {{.*}} return_last_state
func.func @scan_used_last_state(%u: tensor<1x4x3xf32>, %A: tensor<4x2xf32>, %B: tensor<1x2x3xf32>) -> tensor<1x4x2xf32> {
  %y, %h = ssm.selective_scan %u, %u, %A, %B, %B return_last_state
      : tensor<1x4x3xf32>, tensor<1x4x3xf32>, tensor<4x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>
  return %h : tensor<1x4x2xf32>
}
