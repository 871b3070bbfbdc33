
// FastVim: pool -> scan -> broadcast; neither the pooled (1x6x3) input nor the
// (1x6x3) scan output exists, only the broadcast (1x6x12) result.
// CHECK-LABEL: func.func @fastvim_pooled
// CHECK-NOT: memref.alloc() : memref<1x6x3xf32>
// CHECK: memref.alloc() : memref<1x6x12xf32>
// CHECK-NOT: memref.alloc() : memref<1x6x3xf32>
// CHECK-NOT: ssm.
// CHECK: return
func.func @fastvim_pooled(%x: tensor<1x6x12xf32>, %dt: tensor<1x6x3xf32>, %A: tensor<6x4xf32>, %B: tensor<1x4x3xf32>) -> tensor<1x6x12xf32> {
  %p = ssm.axis_pool mean %x cols 4 : tensor<1x6x12xf32>
  %s = ssm.selective_scan %p, %dt, %A, %B, %B delta_softplus : tensor<1x6x3xf32>, tensor<1x6x3xf32>, tensor<6x4xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>
  %y = ssm.axis_broadcast %s cols 4 : tensor<1x6x3xf32>
  return %y : tensor<1x6x12xf32>
}

