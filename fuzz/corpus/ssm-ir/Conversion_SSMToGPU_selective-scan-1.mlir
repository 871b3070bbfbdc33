
// 80 channels: 32-thread blocks with the rows past d guarded on store; n = 5
// states read one by one; bf16 inputs widened on load, f32 output.
// CHECK-LABEL: func.func @awkward
// CHECK: in (%{{.*}} = %c32
// CHECK-SAME: memref<1x32x6xf32, #gpu.address_space<workgroup>>
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK-NOT: vector.load
// CHECK: arith.cmpi ult
// With vector-loads, u and delta (10800 elements, a multiple of 8) by
// 16-byte vectors of 8 bf16; still scalar B / C state loads.
// VEC-LABEL: func.func @awkward
// VEC-NOT: vector.load
// VEC: gpu.terminator
// VECBF-LABEL: func.func @awkward
// VECBF: vector.load %{{.*}} {alignment = 16 : i64} : memref<10800xbf16>, vector<8xbf16>
// VECBF: arith.extf %{{.*}} : bf16 to f32
// VECBF: gpu.barrier
// VECBF-NOT: vector.load
// VECBF: arith.cmpi ult
// CHECK: arith.andi
// CHECK: gpu.terminator
func.func @awkward(%u: tensor<3x80x45xbf16>, %dt: tensor<3x80x45xbf16>, %A: tensor<80x5xf32>, %B: tensor<3x5x45xbf16>, %C: tensor<3x5x45xbf16>) -> tensor<3x80x45xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C out_type(f32) : tensor<3x80x45xbf16>, tensor<3x80x45xbf16>, tensor<80x5xf32>, tensor<3x5x45xbf16>, tensor<3x5x45xbf16>
  return %y : tensor<3x80x45xf32>
}

