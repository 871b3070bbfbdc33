
// Token-major linear, bf16 widened by a producer (read as bf16), bias along n,
// ReLU consumer fused; n % 4 == 0: one 16-byte store per row.
// CHECK-LABEL: func.func @tok_bf16_relu
// CHECK-NOT: linalg.generic
// CHECK: gpu.launch_func @ssm_gemm_kernels::@gemm_0
// CHECK-SAME: args(%{{.*}} : memref<64x32xbf16>, %{{.*}} : memref<48x32xbf16>, %{{.*}} : memref<64x48xf32>, %{{.*}} : memref<48xf32>)
// CHECK-SAME: activation = "relu"
// CHECK-SAME: b_strides = array<i64: 1, 32, 0>
// CHECK-SAME: bias = "n"
// CHECK: gpu.func @gemm_0
// CHECK: vector.load %{{.*}} {alignment = 8 : i64} : memref<64x32xbf16>, vector<4xbf16>
// CHECK: scf.for
// Widened when stored into the tile (not where it is loaded).
// CHECK: arith.extf %{{.*}} : vector<4xbf16> to vector<4xf32>
// CHECK: arith.maximumf
// CHECK: vector.store %{{.*}} {alignment = 16 : i64} : memref<64x48xf32>, vector<4xf32>
func.func @tok_bf16_relu(%x: tensor<64x32xbf16>, %w: tensor<48x32xbf16>, %bias: tensor<48xf32>) -> tensor<64x48xf32> {
  %e = tensor.empty() : tensor<64x48xf32>
  %i = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<48xf32>) outs(%e : tensor<64x48xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<64x48xf32>
  %xe = tensor.empty() : tensor<64x32xf32>
  %xf = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x32xbf16>) outs(%xe : tensor<64x32xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %v = arith.extf %in : bf16 to f32
    linalg.yield %v : f32
  } -> tensor<64x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%xf, %w : tensor<64x32xf32>, tensor<48x32xbf16>) outs(%i : tensor<64x48xf32>) {
  ^bb0(%a: f32, %b: bf16, %o: f32):
    %bf = arith.extf %b : bf16 to f32
    %p = arith.mulf %a, %bf : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x48xf32>
  %e2 = tensor.empty() : tensor<64x48xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r : tensor<64x48xf32>) outs(%e2 : tensor<64x48xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %v = arith.maximumf %in, %c0 : f32
    linalg.yield %v : f32
  } -> tensor<64x48xf32>
  return %relu : tensor<64x48xf32>
}

