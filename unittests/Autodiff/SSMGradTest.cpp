//===- SSMGradTest.cpp - adjoints of ssm ops ------------------------------===//
//
// ssm ops compile only in f32/f16/bf16, so their finite differences come from
// the float64 reference implementations (unittests/Reference); the compiled
// f32 gradients (through the grad ops the pass emits) must match them.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "gtest/gtest.h"

using namespace ssm::autodiff_test;
namespace ref = ssm::ref;

namespace {

// All eight operands, softplus, shared B/C; then grouped B/C in reverse,
// composed with flips (Vim's backward direction) and without D/z/bias.
TEST(SSMGrad, SelectiveScan) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%u: tensor<2x3x5xf32>, %dt: tensor<2x3x5xf32>, %A: tensor<3x4xf32>, %B: tensor<2x4x5xf32>, %C: tensor<2x4x5xf32>, %D: tensor<3xf32>, %z: tensor<2x3x5xf32>, %bias: tensor<3xf32>) -> tensor<2x3x5xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<3xf32>) z(%z : tensor<2x3x5xf32>) delta_bias(%bias : tensor<3xf32>) delta_softplus
      : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<3x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return %y : tensor<2x3x5xf32>
}
)mlir";
  c.ranges = {{-1, 1}, {-1, 1}, {-1.5, -0.2}};
  c.reference = [](const Tensors &x) {
    return Tensors{ref::selectiveScan(x[0], x[1], x[2], x[3], x[4], x[5], x[6],
                                      x[7], true, false)
                       .out};
  };
  c.tol32 = 2e-5;
  checkGradient(c);
}

TEST(SSMGrad, SelectiveScanGroupedReverseFlipped) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%u: tensor<1x4x6xf32>, %dt: tensor<1x4x6xf32>, %A: tensor<4x3xf32>, %B: tensor<1x2x3x6xf32>, %C: tensor<1x2x3x6xf32>) -> tensor<1x4x6xf32> {
  %uf = ssm.flip %u along 2 : tensor<1x4x6xf32>
  %y = ssm.selective_scan %uf, %dt, %A, %B, %C reverse
      : tensor<1x4x6xf32>, tensor<1x4x6xf32>, tensor<4x3xf32>, tensor<1x2x3x6xf32>, tensor<1x2x3x6xf32>
  %yf = ssm.flip %y along 2 : tensor<1x4x6xf32>
  return %yf : tensor<1x4x6xf32>
}
)mlir";
  // Positive step sizes without softplus.
  c.ranges = {{-1, 1}, {0.1, 1}, {-1.5, -0.2}};
  c.reference = [](const Tensors &x) {
    ref::Tensor y = ref::selectiveScan(ref::flip(x[0], 2), x[1], x[2], x[3],
                                       x[4], std::nullopt, std::nullopt,
                                       std::nullopt, false, true)
                        .out;
    return Tensors{ref::flip(y, 2)};
  };
  c.tol32 = 2e-5;
  checkGradient(c);
}

TEST(SSMGrad, CausalConv1d) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<2x3x7xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>, %x1: tensor<1x2x1xf32>, %w1: tensor<2x3xf32>) -> (tensor<2x3x7xf32>, tensor<1x2x1xf32>) {
  %y = ssm.causal_conv1d silu %x, %w bias(%b : tensor<3xf32>) : tensor<2x3x7xf32>, tensor<3x4xf32>
  %y1 = ssm.causal_conv1d none %x1, %w1 : tensor<1x2x1xf32>, tensor<2x3xf32>
  return %y, %y1 : tensor<2x3x7xf32>, tensor<1x2x1xf32>
}
)mlir";
  c.reference = [](const Tensors &x) {
    return Tensors{
        ref::causalConv1d(x[0], x[1], x[2], ref::Activation::Silu),
        ref::causalConv1d(x[3], x[4], std::nullopt, ref::Activation::None)};
  };
  checkGradient(c);
}

// cross_scan's adjoint is cross_merge and back; squares around them so the
// permutation matters.
TEST(SSMGrad, CrossScanMerge) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @f(%x: tensor<1x2x3x5xf32>, %ys: tensor<2x4x1x6xf32>) -> (tensor<1x4x2x15xf32>, tensor<2x1x2x3xf32>) {
  %e = tensor.empty() : tensor<1x2x3x5xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x3x5xf32>) outs(%e : tensor<1x2x3x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x2x3x5xf32>
  %xs = ssm.cross_scan %sq [row, col, row_rev, col_rev] : tensor<1x2x3x5xf32>
  %y = ssm.cross_merge %ys [row, col_rev, col, row] height 2 width 3 : tensor<2x4x1x6xf32>
  return %xs, %y : tensor<1x4x2x15xf32>, tensor<2x1x2x3xf32>
}
)mlir";
  c.reference = [](const Tensors &x) {
    ref::Tensor sq = x[0];
    for (double &v : sq.data)
      v *= v;
    using D = ref::ScanDir;
    return Tensors{
        ref::crossScan(sq, {D::Row, D::Col, D::RowRev, D::ColRev}),
        ref::crossMerge(x[1], {D::Row, D::ColRev, D::Col, D::Row}, 2, 3)};
  };
  checkGradient(c);
}

// FastVim's pools (mean with a scale, max) and broadcast.
TEST(SSMGrad, AxisPoolBroadcast) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<2x3x12xf32>, %s: tensor<1x2x3xf32>) -> (tensor<2x3x3xf32>, tensor<2x3x4xf32>, tensor<1x2x15xf32>) {
  %m = ssm.axis_pool mean %x cols 4 {scale = 0.7 : f64} : tensor<2x3x12xf32>
  %x2 = ssm.flip %x along 1 : tensor<2x3x12xf32>
  %mx = ssm.axis_pool max %x2 cols 3 : tensor<2x3x12xf32>
  %b = ssm.axis_broadcast %s cols 5 : tensor<1x2x3xf32>
  return %m, %mx, %b : tensor<2x3x3xf32>, tensor<2x3x4xf32>, tensor<1x2x15xf32>
}
)mlir";
  c.reference = [](const Tensors &x) {
    return Tensors{
        ref::axisPool(x[0], 4, ref::PoolKind::Mean, 0.7),
        ref::axisPool(ref::flip(x[0], 1), 3, ref::PoolKind::Max, 1.0),
        ref::axisBroadcast(x[1], 5)};
  };
  checkGradient(c);
}

} // namespace
