
// MambaOut's NHWC linear: the tokens (b, h, w) are one m dim of 2*3*5 = 30
// rows, collapsed on the way in and expanded on the way out.
// CHECK-LABEL: func.func @nhwc
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1, 2], [3]] : tensor<2x3x5x24xf32> into tensor<30x24xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only : tensor<30x24xf32> to memref<30x24xf32>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<30x40xf32>
// CHECK: gpu.launch_func @ssm_gemm_kernels::@gemm_0
// CHECK-SAME: bias = "n"
// CHECK-SAME: m = 30 : i64, n = 40 : i64
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[Y]] restrict writable : memref<30x40xf32> to tensor<30x40xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[T]] {{\[\[}}0, 1, 2], [3]] output_shape [2, 3, 5, 40] : tensor<30x40xf32> into tensor<2x3x5x40xf32>
// CHECK: return %[[E]]
func.func @nhwc(%x: tensor<2x3x5x24xf32>, %w: tensor<40x24xf32>, %bias: tensor<40xf32>) -> tensor<2x3x5x40xf32> {
  %e = tensor.empty() : tensor<2x3x5x40xf32>
  %i = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias : tensor<40xf32>) outs(%e : tensor<2x3x5x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x5x40xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x3x5x24xf32>, tensor<40x24xf32>) outs(%i : tensor<2x3x5x40xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x5x40xf32>
  return %r : tensor<2x3x5x40xf32>
}

