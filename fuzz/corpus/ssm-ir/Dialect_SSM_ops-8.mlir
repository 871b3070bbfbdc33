
// CHECK-LABEL: func.func @flip
func.func @flip(%x: tensor<1x8x197xf32>) -> tensor<1x8x197xf32> {
  // CHECK: ssm.flip %{{.*}} along 2 : tensor<1x8x197xf32>
  %0 = ssm.flip %x along 2 : tensor<1x8x197xf32>
  return %0 : tensor<1x8x197xf32>
}

