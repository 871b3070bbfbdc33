//===- ContractionGradTest.cpp - adjoints of contractions and convs -------===//
//
// linalg.matmul / batch_matmul, the builders' contraction generics (with a
// broadcast bias as init), strided and depthwise convolutions (named ops over
// tensor.pad, as the builders emit them) and the im2col gather the builders'
// conv2d uses, at odd sizes.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "gtest/gtest.h"

using namespace ssm::autodiff_test;

namespace {

TEST(ContractionGrad, MatmulAndBatchMatmul) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%a: tensor<3x5x$T>, %b: tensor<5x1x$T>, %p: tensor<2x3x5x$T>, %q: tensor<2x5x4x$T>) -> (tensor<3x1x$T>, tensor<2x3x4x$T>) {
  %zero = arith.constant 0.0 : $T
  %e = tensor.empty() : tensor<3x1x$T>
  %z = linalg.fill ins(%zero : $T) outs(%e : tensor<3x1x$T>) -> tensor<3x1x$T>
  %m = linalg.matmul ins(%a, %b : tensor<3x5x$T>, tensor<5x1x$T>) outs(%z : tensor<3x1x$T>) -> tensor<3x1x$T>
  %e2 = tensor.empty() : tensor<2x3x4x$T>
  %z2 = linalg.fill ins(%zero : $T) outs(%e2 : tensor<2x3x4x$T>) -> tensor<2x3x4x$T>
  %bm = linalg.batch_matmul ins(%p, %q : tensor<2x3x5x$T>, tensor<2x5x4x$T>) outs(%z2 : tensor<2x3x4x$T>) -> tensor<2x3x4x$T>
  return %m, %bm : tensor<3x1x$T>, tensor<2x3x4x$T>
}
)mlir";
  checkGradient(c);
}

// GraphBuilder::linearCF: y[b,o,l] = bias[o] + sum_k W[o,k] x[b,k,l], the
// bias broadcast into the init; and linearLast (x W^T) without bias.
TEST(ContractionGrad, BuilderLinears) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%w: tensor<4x3x$T>, %x: tensor<2x3x5x$T>, %bias: tensor<4x$T>, %w2: tensor<6x5x$T>) -> (tensor<2x4x5x$T>, tensor<2x3x6x$T>) {
  %e = tensor.empty() : tensor<2x4x5x$T>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bias : tensor<4x$T>) outs(%e : tensor<2x4x5x$T>) {
  ^bb0(%v: $T, %o: $T):
    linalg.yield %v : $T
  } -> tensor<2x4x5x$T>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : tensor<4x3x$T>, tensor<2x3x5x$T>) outs(%init : tensor<2x4x5x$T>) {
  ^bb0(%a: $T, %b: $T, %acc: $T):
    %m = arith.mulf %a, %b : $T
    %s = arith.addf %acc, %m : $T
    linalg.yield %s : $T
  } -> tensor<2x4x5x$T>
  %zero = arith.constant 0.0 : $T
  %e2 = tensor.empty() : tensor<2x3x6x$T>
  %z2 = linalg.fill ins(%zero : $T) outs(%e2 : tensor<2x3x6x$T>) -> tensor<2x3x6x$T>
  %y2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w2 : tensor<2x3x5x$T>, tensor<6x5x$T>) outs(%z2 : tensor<2x3x6x$T>) {
  ^bb0(%a: $T, %b: $T, %acc: $T):
    %m = arith.mulf %a, %b : $T
    %s = arith.addf %acc, %m : $T
    linalg.yield %s : $T
  } -> tensor<2x3x6x$T>
  return %y, %y2 : tensor<2x4x5x$T>, tensor<2x3x6x$T>
}
)mlir";
  checkGradient(c);
}

// A strided, padded full conv (k3 s2 p1, the VMamba downsample): the input
// adjoint is a gather with divisibility checks.
TEST(ContractionGrad, StridedConv) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<2x3x7x6x$T>, %w: tensor<4x3x3x3x$T>) -> tensor<2x4x4x3x$T> {
  %zero = arith.constant 0.0 : $T
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : $T
  } : tensor<2x3x7x6x$T> to tensor<2x3x9x8x$T>
  %e = tensor.empty() : tensor<2x4x4x3x$T>
  %z = linalg.fill ins(%zero : $T) outs(%e : tensor<2x4x4x3x$T>) -> tensor<2x4x4x3x$T>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%p, %w : tensor<2x3x9x8x$T>, tensor<4x3x3x3x$T>) outs(%z : tensor<2x4x4x3x$T>) -> tensor<2x4x4x3x$T>
  return %y : tensor<2x4x4x3x$T>
}
)mlir";
  checkGradient(c);
}

// Depthwise convs as the builders emit them: NCHW (VMamba) with a bias
// broadcast into the init, NHWC (MambaOut), and a strided dilated one.
TEST(ContractionGrad, DepthwiseConvs) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<1x3x5x4x$T>, %w: tensor<3x3x3x$T>, %bias: tensor<3x$T>, %xh: tensor<2x5x3x3x$T>, %wh: tensor<3x3x3x$T>, %ws: tensor<3x2x2x$T>) -> (tensor<1x3x5x4x$T>, tensor<2x5x3x3x$T>, tensor<1x3x2x1x$T>) {
  %zero = arith.constant 0.0 : $T
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : $T
  } : tensor<1x3x5x4x$T> to tensor<1x3x7x6x$T>
  %e = tensor.empty() : tensor<1x3x5x4x$T>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<3x$T>) outs(%e : tensor<1x3x5x4x$T>) {
  ^bb0(%v: $T, %o: $T):
    linalg.yield %v : $T
  } -> tensor<1x3x5x4x$T>
  %y = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w : tensor<1x3x7x6x$T>, tensor<3x3x3x$T>) outs(%init : tensor<1x3x5x4x$T>) -> tensor<1x3x5x4x$T>
  %ph = tensor.pad %xh low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : $T
  } : tensor<2x5x3x3x$T> to tensor<2x7x5x3x$T>
  %eh = tensor.empty() : tensor<2x5x3x3x$T>
  %zh = linalg.fill ins(%zero : $T) outs(%eh : tensor<2x5x3x3x$T>) -> tensor<2x5x3x3x$T>
  %yh = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%ph, %wh : tensor<2x7x5x3x$T>, tensor<3x3x3x$T>) outs(%zh : tensor<2x5x3x3x$T>) -> tensor<2x5x3x3x$T>
  %es = tensor.empty() : tensor<1x3x2x1x$T>
  %zs = linalg.fill ins(%zero : $T) outs(%es : tensor<1x3x2x1x$T>) -> tensor<1x3x2x1x$T>
  %ys = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>}
      ins(%x, %ws : tensor<1x3x5x4x$T>, tensor<3x2x2x$T>) outs(%zs : tensor<1x3x2x1x$T>) -> tensor<1x3x2x1x$T>
  return %y, %yh, %ys : tensor<1x3x5x4x$T>, tensor<2x5x3x3x$T>, tensor<1x3x2x1x$T>
}
)mlir";
  checkGradient(c);
}

// GraphBuilder::conv2d: pad, im2col gather generic
// cols[b,c,i,j,oh,ow] = in[b,c,oh*s+i,ow*s+j], collapse, contraction,
// expand; here k3 s2 p1 (overlapping windows) and a k2 s2 patch embedding.
TEST(ContractionGrad, Im2colConv) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<1x2x5x6x$T>, %w: tensor<3x2x3x3x$T>) -> tensor<1x3x3x3x$T> {
  %zero = arith.constant 0.0 : $T
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : $T
  } : tensor<1x2x5x6x$T> to tensor<1x2x7x8x$T>
  %e = tensor.empty() : tensor<1x2x3x3x3x3x$T>
  %cols = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%p : tensor<1x2x7x8x$T>) outs(%e : tensor<1x2x3x3x3x3x$T>) {
  ^bb0(%a: $T, %o: $T):
    linalg.yield %a : $T
  } -> tensor<1x2x3x3x3x3x$T>
  %patches = tensor.collapse_shape %cols [[0], [1, 2, 3], [4, 5]] : tensor<1x2x3x3x3x3x$T> into tensor<1x18x9x$T>
  %wf = tensor.collapse_shape %w [[0], [1, 2, 3]] : tensor<3x2x3x3x$T> into tensor<3x18x$T>
  %ey = tensor.empty() : tensor<1x3x9x$T>
  %zy = linalg.fill ins(%zero : $T) outs(%ey : tensor<1x3x9x$T>) -> tensor<1x3x9x$T>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%wf, %patches : tensor<3x18x$T>, tensor<1x18x9x$T>) outs(%zy : tensor<1x3x9x$T>) {
  ^bb0(%a: $T, %b: $T, %acc: $T):
    %m = arith.mulf %a, %b : $T
    %s = arith.addf %acc, %m : $T
    linalg.yield %s : $T
  } -> tensor<1x3x9x$T>
  %out = tensor.expand_shape %y [[0], [1], [2, 3]] output_shape [1, 3, 3, 3] : tensor<1x3x9x$T> into tensor<1x3x3x3x$T>
  return %out : tensor<1x3x3x3x$T>
}
)mlir";
  checkGradient(c);
}

// Non-overlapping windows: a k2 s2 patch gather (every pixel read once) and
// a k2 s3 one (rows 2 and 5 never read: their gradient is zero).
TEST(ContractionGrad, PatchEmbedGather) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<2x1x4x6x$T>, %y: tensor<1x2x6x3x$T>) -> (tensor<2x1x2x2x2x3x$T>, tensor<1x2x2x2x3x$T>) {
  %e2 = tensor.empty() : tensor<1x2x2x2x3x$T>
  %gaps = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3 * 3 + d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x2x6x3x$T>) outs(%e2 : tensor<1x2x2x2x3x$T>) {
  ^bb0(%a: $T, %o: $T):
    %s = math.sin %a : $T
    linalg.yield %s : $T
  } -> tensor<1x2x2x2x3x$T>
  %e = tensor.empty() : tensor<2x1x2x2x2x3x$T>
  %cols = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x1x4x6x$T>) outs(%e : tensor<2x1x2x2x2x3x$T>) {
  ^bb0(%a: $T, %o: $T):
    %s = arith.mulf %a, %a : $T
    linalg.yield %s : $T
  } -> tensor<2x1x2x2x2x3x$T>
  return %cols, %gaps : tensor<2x1x2x2x2x3x$T>, tensor<1x2x2x2x3x$T>
}
)mlir";
  checkGradient(c);
}

} // namespace
