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

// -----

// VMamba's cross-scan copies (4 directions of the same tensor) are recomputed
// from their input rather than kept: here from the argument.
// CHECK-LABEL: func.func @cross_grad
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x2x3x3xf32>
// CHECK: ssm.cross_scan %[[X]]
// CHECK-NOT: ssm.recomputed
// CHECK: ssm.selective_scan
// CHECK: %[[XS:.*]] = ssm.cross_scan %[[X]] [row, col, row_rev, col_rev] {ssm.recomputed}
// CHECK: %[[U:.*]] = tensor.collapse_shape %[[XS]] {{.*}} {ssm.recomputed}
// CHECK: ssm.selective_scan_grad %{{.*}}, %[[U]], %[[U]]
// KEEP-LABEL: func.func @cross_grad
// KEEP: ssm.cross_scan
// KEEP-NOT: ssm.cross_scan
// KEEP: ssm.selective_scan_grad
func.func @cross(%x: tensor<1x2x3x3xf32>, %A: tensor<8x1xf32>,
                 %B: tensor<1x4x1x9xf32>) -> tensor<1x8x9xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<1x2x3x3xf32>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<1x4x2x9xf32> into tensor<1x8x9xf32>
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<1x8x9xf32>, tensor<1x8x9xf32>, tensor<8x1xf32>, tensor<1x4x1x9xf32>, tensor<1x4x1x9xf32>
  return %y : tensor<1x8x9xf32>
}

// -----

// A padded copy the backward reads (p * p reads p) of a value it does not
// read (the projection t, a contraction over 80: kept only if needed): t is
// smaller than p, so t is kept and the pad recomputed from it.
// The forward's pad is then dead: the one pad left is the recomputed one.
// CHECK-LABEL: func.func @pad_grad
// CHECK: %[[T:.*]] = linalg.generic
// CHECK-NOT: tensor.pad
// CHECK: tensor.pad %[[T]] low
// CHECK: } {ssm.recomputed}
// CHECK-NOT: tensor.pad
// KEEP-LABEL: func.func @pad_grad
// KEEP: tensor.pad
// KEEP-NOT: tensor.pad
#x = affine_map<(b, c, h, w, k) -> (b, k, h, w)>
#w = affine_map<(b, c, h, w, k) -> (c, k)>
#t = affine_map<(b, c, h, w, k) -> (b, c, h, w)>
#id = affine_map<(b, c, h, w) -> (b, c, h, w)>
func.func @pad(%x: tensor<1x80x4x4xf32>, %W: tensor<2x80xf32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %t = linalg.generic {indexing_maps = [#x, #w, #t], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
       ins(%x, %W : tensor<1x80x4x4xf32>, tensor<2x80xf32>) outs(%f : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x4xf32>
  %p = tensor.pad %t low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  %e2 = tensor.empty() : tensor<1x2x6x6xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
       ins(%p : tensor<1x2x6x6xf32>) outs(%e2 : tensor<1x2x6x6xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x2x6x6xf32>
  return %r : tensor<1x2x6x6xf32>
}
