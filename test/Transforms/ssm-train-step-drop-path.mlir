// RUN: ssm-opt %s --ssm-train-step="drop-path=0.5" | FileCheck %s
// RUN: ssm-opt %s --ssm-train-step | FileCheck %s --check-prefix=OFF

// Two residual adds tagged by the builders: branch 0 (rate 0.5 * 0/1 = 0)
// stays a plain add, branch 1 (rate 0.5) is scaled per sample by a mask
// hashed from the seed input.

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %{{.*}}: tensor<1xf32> {ssm.name = "step"}, %[[SEED:.*]]: tensor<1xi32> {ssm.name = "seed"}, %{{.*}}: tensor<4xf32> {ssm.name = "w"}
// CHECK-NOT: ssm.drop_path
// CHECK: %[[MASK:.*]] = linalg.generic {{.*}}ins(%[[SEED]] : tensor<1xi32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: linalg.index 0
// CHECK: arith.muli
// CHECK: arith.shrui
// CHECK: arith.cmpi ult
// CHECK: arith.select
// CHECK: linalg.generic {{.*}}ins(%{{.*}}, %{{.*}}, %[[MASK]] : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf

// Rate 0: no seed, no mask; the tags stay on @forward only.
// OFF: func.func @forward(
// OFF: ssm.drop_path = array<i64: 1, 2>
// OFF-LABEL: func.func @train_step(
// OFF-NOT: seed
// OFF-NOT: ssm.drop_path
// OFF-NOT: xi32>
func.func @forward(%x: tensor<2x4xf32> {ssm.name = "image"}, %w: tensor<4xf32> {ssm.name = "w"})
    -> (tensor<2x4xf32> {ssm.name = "logits"}) {
  %e = tensor.empty() : tensor<2x4xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %w : tensor<2x4xf32>, tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  %r0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %h : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) attrs = {ssm.drop_path = array<i64: 0, 2>} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  %r1 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%r0, %h : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) attrs = {ssm.drop_path = array<i64: 1, 2>} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  return %r1 : tensor<2x4xf32>
}
