
// CHECK-LABEL: func.func @pool_max
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: scf.parallel
// CHECK:   arith.maximumf
func.func @pool_max(%x: tensor<1x2x12xf32>) -> tensor<1x2x3xf32> {
  %0 = ssm.axis_pool max %x cols 4 : tensor<1x2x12xf32>
  return %0 : tensor<1x2x3xf32>
}

