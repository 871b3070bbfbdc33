// The step's structure, every forward value kept (recompute=false; the
// memory policy is ssm-autodiff-recompute.mlir's subject).
// RUN: ssm-opt %s --ssm-train-step="max-grad-norm=1.0 label-smoothing=0.1 recompute=false" | FileCheck %s
// RUN: ssm-opt %s --ssm-train-step="weight-decay=0 name=step_fn recompute=false" | FileCheck %s --check-prefix=PLAIN

// A linear classifier: the train step keeps @forward, adds @train_step and
// nothing else (the loss and its gradient are helpers, erased). Scalars are
// one-element tensors; reductions to them run over a size-1 parallel loop.

// CHECK-LABEL: func.func @forward(
// CHECK-NOT: func.func @forward_train_loss
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32> {ssm.name = "image"}, %[[T:.*]]: tensor<2x4xf32> {ssm.name = "targets"},
// CHECK-SAME: %[[LR:.*]]: tensor<1xf32> {ssm.name = "lr"}, %[[STEP:.*]]: tensor<1xf32> {ssm.name = "step"},
// CHECK-SAME: %[[W:.*]]: tensor<3x4xf32> {ssm.name = "head.weight"}, %[[B:.*]]: tensor<4xf32> {ssm.name = "head.bias"},
// CHECK-SAME: %[[MW:.*]]: tensor<3x4xf32> {ssm.name = "optimizer.exp_avg.head.weight"}, %[[MB:.*]]: tensor<4xf32> {ssm.name = "optimizer.exp_avg.head.bias"},
// CHECK-SAME: %[[VW:.*]]: tensor<3x4xf32> {ssm.name = "optimizer.exp_avg_sq.head.weight"}, %[[VB:.*]]: tensor<4xf32> {ssm.name = "optimizer.exp_avg_sq.head.bias"})
// CHECK-SAME: -> (tensor<1xf32> {ssm.name = "loss"}, tensor<3x4xf32> {ssm.name = "head.weight"}, tensor<4xf32> {ssm.name = "head.bias"},
// CHECK-SAME: tensor<3x4xf32> {ssm.name = "optimizer.exp_avg.head.weight"}, tensor<4xf32> {ssm.name = "optimizer.exp_avg.head.bias"},
// CHECK-SAME: tensor<3x4xf32> {ssm.name = "optimizer.exp_avg_sq.head.weight"}, tensor<4xf32> {ssm.name = "optimizer.exp_avg_sq.head.bias"})
// The loss adjoint is 1.
// CHECK: %[[ONE:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1xf32>)
// CHECK: linalg.matmul ins(%[[X]], %[[W]]
// Label smoothing: t * 0.9 + 0.1 / 4.
// CHECK: ins(%[[T]] : tensor<2x4xf32>)
// CHECK: arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK: arith.addf
// The row max, the sum of exps, the log-sum-exp and the batch mean.
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.log
// CHECK: %[[LOSS:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "reduction"]{{.*}}outs(%{{.*}} : tensor<1xf32>)
// The gradient norm, summed in f64 over both gradients.
// CHECK: %[[N0:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "reduction"]{{.*}}outs(%{{.*}} : tensor<1xf64>)
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: %[[N1:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}}outs(%[[N0]] : tensor<1xf64>)
// The step's scalars: clip scale, step size, sqrt of the second bias
// correction, decay factor.
// CHECK: %[[S:.*]]:4 = linalg.generic {{.*}}iterator_types = ["parallel"]{{.*}}ins(%[[LR]], %[[STEP]], %[[N1]] : tensor<1xf32>, tensor<1xf32>, tensor<1xf64>)
// CHECK: math.powf
// CHECK: math.powf
// CHECK: arith.minimumf
// The weight decays (rank 2): its generic reads the decay factor.
// CHECK: %[[UW:.*]]:3 = linalg.generic {{.*}}ins(%[[W]], %{{.*}}, %[[MW]], %[[VW]], %[[S]]#0, %[[S]]#1, %[[S]]#2, %[[S]]#3 :
// CHECK: math.sqrt
// CHECK: linalg.yield
// The bias does not (rank 1).
// CHECK: %[[UB:.*]]:3 = linalg.generic {{.*}}ins(%[[B]], %{{.*}}, %[[MB]], %[[VB]], %[[S]]#0, %[[S]]#1, %[[S]]#2 :
// CHECK: return %[[LOSS]], %[[UW]]#0, %[[UB]]#0, %[[UW]]#1, %[[UB]]#1, %[[UW]]#2, %[[UB]]#2

// No clipping, no decay: no norm, and the parameter generics read three
// scalars.
// PLAIN-LABEL: func.func @step_fn(
// PLAIN-NOT: tensor<1xf64>
// PLAIN: %[[S:.*]]:4 = linalg.generic {{.*}}iterator_types = ["parallel"]{{.*}}ins(%{{.*}}, %{{.*}} : tensor<1xf32>, tensor<1xf32>)
// PLAIN: linalg.generic {{.*}}ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[S]]#0, %[[S]]#1, %[[S]]#2 : tensor<3x4xf32>
// PLAIN: linalg.generic {{.*}}ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[S]]#0, %[[S]]#1, %[[S]]#2 : tensor<4xf32>
func.func @forward(%x: tensor<2x3xf32> {ssm.name = "image"},
                   %w: tensor<3x4xf32> {ssm.name = "head.weight"},
                   %b: tensor<4xf32> {ssm.name = "head.bias"})
    -> (tensor<2x4xf32> {ssm.name = "logits"}) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x4xf32>) outs(%f : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%m, %b : tensor<2x4xf32>, tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
