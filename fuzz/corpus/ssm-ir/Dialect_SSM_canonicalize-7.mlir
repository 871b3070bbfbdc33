
// CHECK-LABEL: func.func @scan_unused_last_state
// CHECK: %[[Y:.*]] = ssm.selective_scan {{.*}} delta_softplus reverse :
// CHECK-NOT: return_last_state
// CHECK: return %[[Y]]
func.func @scan_unused_last_state(%u: tensor<1x4x3xf32>, %A: tensor<4x2xf32>, %B: tensor<1x2x3xf32>) -> tensor<1x4x3xf32> {
  %y, %h = ssm.selective_scan %u, %u, %A, %B, %B delta_softplus reverse return_last_state
      : tensor<1x4x3xf32>, tensor<1x4x3xf32>, tensor<4x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>
  return %y : tensor<1x4x3xf32>
}

