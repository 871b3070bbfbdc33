
// f32, 600 steps, 16384 threads (no chunks): vector fills by default, not
// cp.async.
// CHECK-LABEL: func.func @vim600
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c32{{.*}}, %{{.*}} = %c8{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<9830400xf32>, vector<4xf32>
// CHECK-NOT: nvgpu.device_async_copy
// CHECK: gpu.terminator
func.func @vim600(%u: tensor<8x2048x600xf32>, %dt: tensor<8x2048x600xf32>, %A: tensor<2048x4xf32>, %B: tensor<8x4x600xf32>, %C: tensor<8x4x600xf32>) -> tensor<8x2048x600xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C : tensor<8x2048x600xf32>, tensor<8x2048x600xf32>, tensor<2048x4xf32>, tensor<8x4x600xf32>, tensor<8x4x600xf32>
  return %y : tensor<8x2048x600xf32>
}

