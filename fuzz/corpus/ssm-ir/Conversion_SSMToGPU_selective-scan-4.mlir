
// Not handled here (left for convert-ssm-to-scf): the last state output.
// CHECK-LABEL: func.func @last_state
// CHECK-NOT: gpu.launch
// CHECK: ssm.selective_scan
func.func @last_state(%u: tensor<1x64x8xf32>, %dt: tensor<1x64x8xf32>, %A: tensor<64x4xf32>, %B: tensor<1x4x8xf32>, %C: tensor<1x4x8xf32>) -> (tensor<1x64x8xf32>, tensor<1x64x4xf32>) {
  %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C return_last_state : tensor<1x64x8xf32>, tensor<1x64x8xf32>, tensor<64x4xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>
  return %y, %h : tensor<1x64x8xf32>, tensor<1x64x4xf32>
}
