
// VMamba: 4 groups (one per direction), N = 1, bf16 in, f32 out, dynamic batch.
// CHECK-LABEL: func.func @scan_grouped_oflex
func.func @scan_grouped_oflex(%u: tensor<?x12x9xbf16>, %A: tensor<12x1xf32>, %B: tensor<?x4x1x9xbf16>) -> tensor<?x12x9xf32> {
  // CHECK: ssm.selective_scan {{.*}} delta_softplus out_type(f32) : tensor<?x12x9xbf16>, tensor<?x12x9xbf16>, tensor<12x1xf32>, tensor<?x4x1x9xbf16>, tensor<?x4x1x9xbf16>
  %y = ssm.selective_scan %u, %u, %A, %B, %B delta_softplus out_type(f32)
      : tensor<?x12x9xbf16>, tensor<?x12x9xbf16>, tensor<12x1xf32>, tensor<?x4x1x9xbf16>, tensor<?x4x1x9xbf16>
  return %y : tensor<?x12x9xf32>
}

