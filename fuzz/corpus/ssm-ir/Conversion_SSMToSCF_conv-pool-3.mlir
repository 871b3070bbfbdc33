
// The max-pool gradient finds the first arg-max (strictly greater moves it).
// CHECK-LABEL: func.func @pool_max_grad
// CHECK: scf.for {{.*}} iter_args
// CHECK:   arith.cmpf ogt
// CHECK: arith.cmpi eq
func.func @pool_max_grad(%g: tensor<1x2x3xf32>, %x: tensor<1x2x12xf32>) -> tensor<1x2x12xf32> {
  %0 = ssm.axis_pool_grad max %g, %x cols 4 : tensor<1x2x3xf32>, tensor<1x2x12xf32>
  return %0 : tensor<1x2x12xf32>
}
