
// bf16 operands, grouped B / C (2 groups of 48 channels: 24 channels per
// block, the largest divisor of 48 up to 32, 4 lanes each: 96 threads, not a
// power of two), reverse, no optional operands,
// one tile (l = 5 < 8 steps): no checkpoints, no forward pass. dB / dC are
// accumulated in f32 buffers and converted by a third launch.
// CHECK-LABEL: func.func @grouped_bf16
// CHECK: %[[DB16:.*]] = memref.alloc() : memref<1x2x8x5xbf16>
// CHECK: %[[DC16:.*]] = memref.alloc() : memref<1x2x8x5xbf16>
// CHECK: %[[DBACC:.*]] = memref.alloc() : memref<1x2x8x5xf32>
// CHECK: %[[DCACC:.*]] = memref.alloc() : memref<1x2x8x5xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK: memref.store %{{.*}}, %[[DBACC]]
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c4{{.*}}, {{.*}} = %c1{{.*}}, {{.*}}) threads({{.*}}) in ({{.*}} = %c96,
// CHECK-NOT: scf.for {{.*}} -> (f32, f32) {
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[DBACC]]
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[DCACC]]
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: gpu.terminator
// CHECK: gpu.launch
// CHECK: memref.load %[[DBACC]]
// CHECK: memref.store %{{.*}}, %[[DB16]]
// CHECK: memref.load %[[DCACC]]
// CHECK: memref.store %{{.*}}, %[[DC16]]
// CHECK: bufferization.to_tensor %[[DB16]] restrict writable
func.func @grouped_bf16(%dout: tensor<1x96x5xbf16>, %u: tensor<1x96x5xbf16>, %dt: tensor<1x96x5xbf16>, %A: tensor<96x8xf32>, %B: tensor<1x2x8x5xbf16>, %C: tensor<1x2x8x5xbf16>) -> (tensor<1x96x5xbf16>, tensor<1x96x5xbf16>, tensor<96x8xf32>, tensor<1x2x8x5xbf16>, tensor<1x2x8x5xbf16>) {
  %du, %ddt, %dA, %dB, %dC = ssm.selective_scan_grad %dout, %u, %dt, %A, %B, %C reverse : tensor<1x96x5xbf16>, tensor<1x96x5xbf16>, tensor<1x96x5xbf16>, tensor<96x8xf32>, tensor<1x2x8x5xbf16>, tensor<1x2x8x5xbf16>
  return %du, %ddt, %dA, %dB, %dC : tensor<1x96x5xbf16>, tensor<1x96x5xbf16>, tensor<96x8xf32>, tensor<1x2x8x5xbf16>, tensor<1x2x8x5xbf16>
}

