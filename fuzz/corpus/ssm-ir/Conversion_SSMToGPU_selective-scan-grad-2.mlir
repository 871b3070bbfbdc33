
// Dynamic shapes are left for convert-ssm-to-scf.
// CHECK-LABEL: func.func @dynamic
// CHECK: ssm.selective_scan_grad
// CHECK-NOT: gpu.launch
func.func @dynamic(%dout: tensor<?x8x5xf32>, %u: tensor<?x8x5xf32>, %dt: tensor<?x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<?x4x5xf32>, %C: tensor<?x4x5xf32>) -> tensor<?x8x5xf32> {
  %du, %ddt, %dA, %dB, %dC = ssm.selective_scan_grad %dout, %u, %dt, %A, %B, %C : tensor<?x8x5xf32>, tensor<?x8x5xf32>, tensor<?x8x5xf32>, tensor<8x4xf32>, tensor<?x4x5xf32>, tensor<?x4x5xf32>
  return %du : tensor<?x8x5xf32>
}
