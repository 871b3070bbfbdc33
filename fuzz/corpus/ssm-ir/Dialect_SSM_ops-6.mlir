
// CHECK-LABEL: func.func @conv_grad
func.func @conv_grad(%g: tensor<2x6x9xbf16>, %x: tensor<2x6x9xbf16>, %w: tensor<6x3xbf16>, %b: tensor<6xbf16>) -> (tensor<6x3xbf16>, tensor<6xbf16>, tensor<2x6x9xbf16>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = ssm.causal_conv1d_grad silu %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<6xbf16>)
  %dx, %dw, %db = ssm.causal_conv1d_grad silu %g, %x, %w bias(%b : tensor<6xbf16>) : tensor<2x6x9xbf16>, tensor<2x6x9xbf16>, tensor<6x3xbf16>
  // CHECK: %{{[^,]*}}, %{{[^,]*}} = ssm.causal_conv1d_grad none
  %dx2, %dw2 = ssm.causal_conv1d_grad none %g, %x, %w : tensor<2x6x9xbf16>, tensor<2x6x9xbf16>, tensor<6x3xbf16>
  return %dw, %db, %dx2 : tensor<6x3xbf16>, tensor<6xbf16>, tensor<2x6x9xbf16>
}

