// The memory policy of ssm-autodiff: a cheap forward value the backward reads
// is computed again right before the backward needs it (a copy marked
// ssm.recomputed, which CSE leaves alone), so it is not kept across the
// forward; recompute=false keeps it. An expensive value (a scan) is kept.
// RUN: ssm-opt %s --split-input-file --ssm-autodiff --cse | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-autodiff=recompute=false --cse | FileCheck %s --check-prefix=KEEP

// y = scan(silu-conv(x), ...) * w: the conv output u is an operand the scan
// gradient reads; it is recomputed from x (an argument) after the backward
// starts, i.e. after the first op that reads the result adjoint %dy.
// CHECK-LABEL: func.func @f_grad
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x4x9xf32>
// CHECK: %[[U:.*]] = ssm.causal_conv1d silu %[[X]]
// CHECK-NOT: ssm.recomputed
// CHECK: %[[Y:.*]] = ssm.selective_scan %[[U]]
// CHECK: linalg.generic
// CHECK-SAME: %arg5
// CHECK: %[[U2:.*]] = ssm.causal_conv1d silu %[[X]], %{{.*}} {ssm.recomputed}
// CHECK: ssm.selective_scan_grad %{{.*}}, %[[U2]], %[[U2]]
// KEEP-LABEL: func.func @f_grad
// KEEP: %[[U:.*]] = ssm.causal_conv1d
// KEEP-NOT: ssm.causal_conv1d
// KEEP: ssm.selective_scan_grad %{{.*}}, %[[U]], %[[U]]
func.func @f(%x: tensor<1x4x9xf32>, %w: tensor<4x3xf32>, %A: tensor<4x2xf32>,
             %B: tensor<1x2x9xf32>, %s: tensor<1x4x9xf32>) -> tensor<1x4x9xf32> {
  %u = ssm.causal_conv1d silu %x, %w : tensor<1x4x9xf32>, tensor<4x3xf32>
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<1x4x9xf32>, tensor<1x4x9xf32>, tensor<4x2xf32>, tensor<1x2x9xf32>, tensor<1x2x9xf32>
  %e = tensor.empty() : tensor<1x4x9xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
       ins(%y, %s : tensor<1x4x9xf32>, tensor<1x4x9xf32>) outs(%e : tensor<1x4x9xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x4x9xf32>
  return %r : tensor<1x4x9xf32>
}
