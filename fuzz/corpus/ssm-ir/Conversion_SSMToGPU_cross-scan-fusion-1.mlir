
// Odd grid (7 x 9: scalar loads), N = 4, bf16 inputs widened on load.
// CHECK-LABEL: func.func @odd
// CHECK: gpu.launch
// CHECK-NOT: vector.load
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK-COUNT-4: math.exp2 %{{.*}} fastmath<afn> : f32
// CHECK: gpu.terminator
// CHECK-NOT: ssm.cross_merge
func.func @odd(%x: tensor<1x5x7x9xbf16>, %delta: tensor<1x20x63xbf16>, %A: tensor<20x4xf32>, %B: tensor<1x4x4x63xbf16>, %C: tensor<1x4x4x63xbf16>, %D: tensor<20xf32>, %bias: tensor<20xf32>) -> tensor<1x5x7x9xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<1x5x7x9xbf16>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<1x4x5x63xbf16> into tensor<1x20x63xbf16>
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<20xf32>) delta_bias(%bias : tensor<20xf32>) delta_softplus out_type(f32) : tensor<1x20x63xbf16>, tensor<1x20x63xbf16>, tensor<20x4xf32>, tensor<1x4x4x63xbf16>, tensor<1x4x4x63xbf16>
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [1, 4, 5, 63] : tensor<1x20x63xf32> into tensor<1x4x5x63xf32>
  %y = ssm.cross_merge %y4 [row, col, row_rev, col_rev] height 7 width 9 : tensor<1x4x5x63xf32>
  return %y : tensor<1x5x7x9xf32>
}

