
// CHECK-LABEL: func.func @pool_of_broadcast
// CHECK-SAME: (%[[Y:.*]]: tensor<2x3x5xbf16>)
// CHECK-NEXT: return %[[Y]], %[[Y]]
func.func @pool_of_broadcast(%y: tensor<2x3x5xbf16>) -> (tensor<2x3x5xbf16>, tensor<2x3x5xbf16>) {
  %b = ssm.axis_broadcast %y cols 7 : tensor<2x3x5xbf16>
  %mean = ssm.axis_pool mean %b cols 7 : tensor<2x3x35xbf16>
  %max = ssm.axis_pool max %b cols 7 : tensor<2x3x35xbf16>
  return %mean, %max : tensor<2x3x5xbf16>, tensor<2x3x5xbf16>
}

