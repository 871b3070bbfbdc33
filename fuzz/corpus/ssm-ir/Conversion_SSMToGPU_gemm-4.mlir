
// x[b, k, m]: the longest m run (b, m) is not one group of x, so b is the
// batch (as the model builders' transposed linears emit it).
// CHECK-LABEL: func.func @colA
// CHECK: gpu.launch_func @ssm_gemm_kernels::@gemm_0
// CHECK-SAME: a_strides = array<i64: 1, 23, 920>
// CHECK-SAME: batch = 2 : i64
func.func @colA(%x: tensor<2x40x23xf32>, %w: tensor<50x40xf32>) -> tensor<2x23x50xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x23x50xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x23x50xf32>) -> tensor<2x23x50xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x40x23xf32>, tensor<50x40xf32>) outs(%f : tensor<2x23x50xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x23x50xf32>
  return %r : tensor<2x23x50xf32>
}
