
// Few channels, long l: the compiler splits the steps into chunks (64
// threads; 4096 chunks would give 262144 threads, but chunks keep >= 256
// steps: 16 of 256).
// CHECK-LABEL: func.func @long
// CHECK: memref.alloc() : memref<1x15x64x1xf32>
// CHECK: gpu.launch {{.*}} in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c15{{.*}})
// CHECK: gpu.launch
// CHECK: gpu.launch {{.*}} in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c16{{.*}})
func.func @long(%u: tensor<1x64x4096xbf16>, %dt: tensor<1x64x4096xbf16>, %A: tensor<64x1xf32>, %B: tensor<1x1x4096xbf16>, %C: tensor<1x1x4096xbf16>) -> tensor<1x64x4096xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C out_type(f32) : tensor<1x64x4096xbf16>, tensor<1x64x4096xbf16>, tensor<64x1xf32>, tensor<1x1x4096xbf16>, tensor<1x1x4096xbf16>
  return %y : tensor<1x64x4096xf32>
}

