
// 16-bit inputs widen on load; the f32 output is stored as is; reverse walks
// t = l - 1 - i; grouped B/C index the channel's group d / (d / g).
// CHECK-LABEL: func.func @scan_bf16_reverse_grouped
// CHECK: memref.alloc() : memref<1x4x3xf32>
// CHECK: scf.parallel
// CHECK: arith.divui
// CHECK: scf.for %[[I:.*]] =
// CHECK:   arith.subi
// CHECK:   arith.extf %{{.*}} : bf16 to f32
// CHECK-NOT: arith.truncf
// CHECK: return
func.func @scan_bf16_reverse_grouped(%u: tensor<1x4x3xbf16>, %A: tensor<4x1xf32>, %B: tensor<1x2x1x3xbf16>) -> tensor<1x4x3xf32> {
  %y = ssm.selective_scan %u, %u, %A, %B, %B reverse out_type(f32) : tensor<1x4x3xbf16>, tensor<1x4x3xbf16>, tensor<4x1xf32>, tensor<1x2x1x3xbf16>, tensor<1x2x1x3xbf16>
  return %y : tensor<1x4x3xf32>
}

