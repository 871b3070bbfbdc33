
// CHECK-LABEL: func.func @scan_grad_minimal
func.func @scan_grad_minimal(%g: tensor<1x4x3xf16>, %u: tensor<1x4x3xf16>, %A: tensor<4x2xf32>,
                             %B: tensor<1x2x2x3xf16>) -> tensor<1x2x2x3xf16> {
  // CHECK: %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} = ssm.selective_scan_grad %
  %du, %ddt, %dA, %dB, %dC = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B
      : tensor<1x4x3xf16>, tensor<1x4x3xf16>, tensor<1x4x3xf16>, tensor<4x2xf32>, tensor<1x2x2x3xf16>, tensor<1x2x2x3xf16>
  return %dB : tensor<1x2x2x3xf16>
}

