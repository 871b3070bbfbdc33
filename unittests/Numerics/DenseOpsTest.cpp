//===- DenseOpsTest.cpp - compiled dense ops vs the float64 reference -===//
//
// The dense ops the four model families need, written in upstream MLIR on
// tensors the way the model builders emit them (linalg named ops, generics
// with reductions, tensor.pad, arith/math), compiled through the CPU pipeline
// and compared with the float64 reference at odd sizes: f32 relative error
// <= 1e-5. Gradient paths are written as dense ops too (linear).
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include "gtest/gtest.h"

using namespace ssm::numerics;
namespace ref = ssm::ref;

namespace {

constexpr double kTol = 1e-5;

ref::Tensor rnd(std::vector<int64_t> shape, uint64_t seed, double lo = -1,
                double hi = 1) {
  return roundTo(ref::randomTensor(shape, seed, lo, hi), "f32");
}

// y[b,l,o] = sum_i x[b,l,i] W[o,i] + bias[o]  (PyTorch Linear, x W^T + b).
const char *kLinear = R"mlir(
func.func @linear(%x: tensor<2x7x5xf32>, %w: tensor<3x5xf32>, %bias: tensor<3xf32>) -> tensor<2x7x3xf32> {
  %e = tensor.empty() : tensor<2x7x3xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(b, l, o) -> (o)>, affine_map<(b, l, o) -> (b, l, o)>],
                          iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bias : tensor<3xf32>) outs(%e : tensor<2x7x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<2x7x3xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(b, l, o, i) -> (b, l, i)>, affine_map<(b, l, o, i) -> (o, i)>,
                                        affine_map<(b, l, o, i) -> (b, l, o)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x7x5xf32>, tensor<3x5xf32>) outs(%init : tensor<2x7x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x7x3xf32>
  return %y : tensor<2x7x3xf32>
}

// The gradient path: dx = dy W, dW = sum_{b,l} dy^T x, db = sum_{b,l} dy.
func.func @linear_grad(%dy: tensor<2x7x3xf32>, %x: tensor<2x7x5xf32>, %w: tensor<3x5xf32>)
    -> (tensor<2x7x5xf32>, tensor<3x5xf32>, tensor<3xf32>) {
  %zero = arith.constant 0.0 : f32
  %ex = tensor.empty() : tensor<2x7x5xf32>
  %zx = linalg.fill ins(%zero : f32) outs(%ex : tensor<2x7x5xf32>) -> tensor<2x7x5xf32>
  %dx = linalg.generic {indexing_maps = [affine_map<(b, l, i, o) -> (b, l, o)>, affine_map<(b, l, i, o) -> (o, i)>,
                                         affine_map<(b, l, i, o) -> (b, l, i)>],
                        iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%dy, %w : tensor<2x7x3xf32>, tensor<3x5xf32>) outs(%zx : tensor<2x7x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x7x5xf32>
  %ew = tensor.empty() : tensor<3x5xf32>
  %zw = linalg.fill ins(%zero : f32) outs(%ew : tensor<3x5xf32>) -> tensor<3x5xf32>
  %dw = linalg.generic {indexing_maps = [affine_map<(o, i, b, l) -> (b, l, o)>, affine_map<(o, i, b, l) -> (b, l, i)>,
                                         affine_map<(o, i, b, l) -> (o, i)>],
                        iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%dy, %x : tensor<2x7x3xf32>, tensor<2x7x5xf32>) outs(%zw : tensor<3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x5xf32>
  %eb = tensor.empty() : tensor<3xf32>
  %zb = linalg.fill ins(%zero : f32) outs(%eb : tensor<3xf32>) -> tensor<3xf32>
  %db = linalg.generic {indexing_maps = [affine_map<(o, b, l) -> (b, l, o)>, affine_map<(o, b, l) -> (o)>],
                        iterator_types = ["parallel", "reduction", "reduction"]}
      ins(%dy : tensor<2x7x3xf32>) outs(%zb : tensor<3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  return %dx, %dw, %db : tensor<2x7x5xf32>, tensor<3x5xf32>, tensor<3xf32>
}
)mlir";

TEST(DenseLinear, ForwardAndGradient) {
  Compiled compiled(kLinear);
  ref::Tensor x = rnd({2, 7, 5}, 1), w = rnd({3, 5}, 2), b = rnd({3}, 3);
  EXPECT_LE(ref::maxRelError(compiled.run("linear", {x, w, b})[0],
                             ref::linear(x, w, b)),
            kTol);
  ref::Tensor dy = rnd({2, 7, 3}, 4);
  std::vector<ref::Tensor> got = compiled.run("linear_grad", {dy, x, w});
  ref::LinearGrads want = ref::linearGrad(dy, x, w, b);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_LE(ref::maxRelError(got[0], want.dx), kTol) << "dx";
  EXPECT_LE(ref::maxRelError(got[1], want.dW), kTol) << "dW";
  EXPECT_LE(ref::maxRelError(got[2], *want.db), kTol) << "db";
}

// Patch embedding (k4 s4, as Vim's k16 s16 at a small size), the VMamba stem
// / downsample conv (k3 s2 p1, bias) and depthwise convs (3x3 p1 without
// bias, 7x7 p3 with bias).
const char *kConvs = R"mlir(
func.func @patch(%x: tensor<1x3x8x12xf32>, %w: tensor<5x3x4x4xf32>) -> tensor<1x5x2x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x5x2x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x5x2x3xf32>) -> tensor<1x5x2x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<4> : tensor<2xi64>}
      ins(%x, %w : tensor<1x3x8x12xf32>, tensor<5x3x4x4xf32>) outs(%z : tensor<1x5x2x3xf32>) -> tensor<1x5x2x3xf32>
  return %y : tensor<1x5x2x3xf32>
}

func.func @down(%x: tensor<2x3x7x6xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x4x3xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x3x7x6xf32> to tensor<2x3x9x8xf32>
  %e = tensor.empty() : tensor<2x4x4x3xf32>
  %init = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e : tensor<2x4x4x3xf32>) dimensions = [0, 2, 3]
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%p, %w : tensor<2x3x9x8xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<2x4x4x3xf32>) -> tensor<2x4x4x3xf32>
  return %y : tensor<2x4x4x3xf32>
}

func.func @dw3(%x: tensor<1x5x6x7xf32>, %w: tensor<5x3x3xf32>) -> tensor<1x5x6x7xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x5x6x7xf32> to tensor<1x5x8x9xf32>
  %e = tensor.empty() : tensor<1x5x6x7xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x5x6x7xf32>) -> tensor<1x5x6x7xf32>
  %y = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w : tensor<1x5x8x9xf32>, tensor<5x3x3xf32>) outs(%z : tensor<1x5x6x7xf32>) -> tensor<1x5x6x7xf32>
  return %y : tensor<1x5x6x7xf32>
}

func.func @dw7(%x: tensor<2x3x9x8xf32>, %w: tensor<3x7x7xf32>, %b: tensor<3xf32>) -> tensor<2x3x9x8xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 3, 3] high[0, 0, 3, 3] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x3x9x8xf32> to tensor<2x3x15x14xf32>
  %e = tensor.empty() : tensor<2x3x9x8xf32>
  %init = linalg.broadcast ins(%b : tensor<3xf32>) outs(%e : tensor<2x3x9x8xf32>) dimensions = [0, 2, 3]
  %y = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w : tensor<2x3x15x14xf32>, tensor<3x7x7xf32>) outs(%init : tensor<2x3x9x8xf32>) -> tensor<2x3x9x8xf32>
  return %y : tensor<2x3x9x8xf32>
}
)mlir";

TEST(DenseConv2d, PatchStemAndDepthwise) {
  Compiled compiled(kConvs);
  ref::Tensor x = rnd({1, 3, 8, 12}, 5), w = rnd({5, 3, 4, 4}, 6);
  EXPECT_LE(ref::maxRelError(compiled.run("patch", {x, w})[0],
                             ref::conv2d(x, w, std::nullopt, {4, 4, 0, 0, 1})),
            kTol)
      << "patch k4 s4";
  ref::Tensor x2 = rnd({2, 3, 7, 6}, 7), w2 = rnd({4, 3, 3, 3}, 8),
              b2 = rnd({4}, 9);
  EXPECT_LE(ref::maxRelError(compiled.run("down", {x2, w2, b2})[0],
                             ref::conv2d(x2, w2, b2, {2, 2, 1, 1, 1})),
            kTol)
      << "k3 s2 p1";
  ref::Tensor x3 = rnd({1, 5, 6, 7}, 10), w3 = rnd({5, 3, 3}, 11);
  ref::Tensor w3full = w3;
  w3full.shape = {5, 1, 3, 3};
  EXPECT_LE(
      ref::maxRelError(compiled.run("dw3", {x3, w3})[0],
                       ref::conv2d(x3, w3full, std::nullopt, {1, 1, 1, 1, 5})),
      kTol)
      << "depthwise 3x3";
  ref::Tensor x4 = rnd({2, 3, 9, 8}, 12), w4 = rnd({3, 7, 7}, 13),
              b4 = rnd({3}, 14);
  ref::Tensor w4full = w4;
  w4full.shape = {3, 1, 7, 7};
  EXPECT_LE(ref::maxRelError(compiled.run("dw7", {x4, w4, b4})[0],
                             ref::conv2d(x4, w4full, b4, {1, 1, 3, 3, 3})),
            kTol)
      << "depthwise 7x7";
}

// LayerNorm over the last dim (eps 1e-6 as MambaOut), RMSNorm (Vim), and the
// mean over tokens (FastVim's head pooling).
const char *kNorms = R"mlir(
#row = affine_map<(i, j) -> (i, j)>
#red = affine_map<(i, j) -> (i)>
#col = affine_map<(i, j) -> (j)>
func.func @layernorm(%x: tensor<6x13xf32>, %w: tensor<13xf32>, %b: tensor<13xf32>) -> tensor<6x13xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 13.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %er = tensor.empty() : tensor<6xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<6xf32>) -> tensor<6xf32>
  %sum = linalg.generic {indexing_maps = [#row, #red], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<6x13xf32>) outs(%zr : tensor<6xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  %var = linalg.generic {indexing_maps = [#row, #red, #red], iterator_types = ["parallel", "reduction"]}
      ins(%x, %sum : tensor<6x13xf32>, tensor<6xf32>) outs(%zr : tensor<6xf32>) {
  ^bb0(%a: f32, %s: f32, %acc: f32):
    %mu = arith.divf %s, %n : f32
    %d = arith.subf %a, %mu : f32
    %sq = arith.mulf %d, %d : f32
    %t = arith.addf %acc, %sq : f32
    linalg.yield %t : f32
  } -> tensor<6xf32>
  %e = tensor.empty() : tensor<6x13xf32>
  %y = linalg.generic {indexing_maps = [#row, #red, #red, #col, #col, #row], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum, %var, %w, %b : tensor<6x13xf32>, tensor<6xf32>, tensor<6xf32>, tensor<13xf32>, tensor<13xf32>)
      outs(%e : tensor<6x13xf32>) {
  ^bb0(%a: f32, %s: f32, %v: f32, %g: f32, %bb: f32, %o: f32):
    %mu = arith.divf %s, %n : f32
    %vv = arith.divf %v, %n : f32
    %ve = arith.addf %vv, %eps : f32
    %r = math.rsqrt %ve : f32
    %d = arith.subf %a, %mu : f32
    %xn = arith.mulf %d, %r : f32
    %sc = arith.mulf %xn, %g : f32
    %t = arith.addf %sc, %bb : f32
    linalg.yield %t : f32
  } -> tensor<6x13xf32>
  return %y : tensor<6x13xf32>
}

func.func @rmsnorm(%x: tensor<5x11xf32>, %w: tensor<11xf32>) -> tensor<5x11xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 11.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %er = tensor.empty() : tensor<5xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<5xf32>) -> tensor<5xf32>
  %ss = linalg.generic {indexing_maps = [#row, #red], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<5x11xf32>) outs(%zr : tensor<5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<5xf32>
  %e = tensor.empty() : tensor<5x11xf32>
  %y = linalg.generic {indexing_maps = [#row, #red, #col, #row], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %w : tensor<5x11xf32>, tensor<5xf32>, tensor<11xf32>) outs(%e : tensor<5x11xf32>) {
  ^bb0(%a: f32, %s: f32, %g: f32, %o: f32):
    %m = arith.divf %s, %n : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    %xn = arith.mulf %a, %r : f32
    %t = arith.mulf %xn, %g : f32
    linalg.yield %t : f32
  } -> tensor<5x11xf32>
  return %y : tensor<5x11xf32>
}

func.func @meanpool(%x: tensor<2x9x7xf32>) -> tensor<2x7xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 9.0 : f32
  %e = tensor.empty() : tensor<2x7xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x7xf32>) -> tensor<2x7xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, c, l) -> (b, l, c)>, affine_map<(b, c, l) -> (b, c)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<2x9x7xf32>) outs(%z : tensor<2x7xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %acc, %a : f32
    linalg.yield %t : f32
  } -> tensor<2x7xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(b, c) -> (b, c)>, affine_map<(b, c) -> (b, c)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<2x7xf32>) outs(%e : tensor<2x7xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %a, %n : f32
    linalg.yield %d : f32
  } -> tensor<2x7xf32>
  return %m : tensor<2x7xf32>
}
)mlir";

TEST(DenseNorms, LayerNormRMSNormMeanPool) {
  Compiled compiled(kNorms);
  ref::Tensor x = rnd({6, 13}, 20), w = rnd({13}, 21), b = rnd({13}, 22);
  EXPECT_LE(ref::maxRelError(compiled.run("layernorm", {x, w, b})[0],
                             ref::layerNorm(x, w, b, 1e-6)),
            kTol);
  ref::Tensor x2 = rnd({5, 11}, 23), w2 = rnd({11}, 24);
  EXPECT_LE(ref::maxRelError(compiled.run("rmsnorm", {x2, w2})[0],
                             ref::rmsNorm(x2, w2, 1e-5)),
            kTol);
  ref::Tensor x3 = rnd({2, 9, 7}, 25);
  EXPECT_LE(ref::maxRelError(compiled.run("meanpool", {x3})[0],
                             ref::meanPool(x3, {1})),
            kTol);
}

// Activations on whole tensors (arith/math elementwise, as the builders emit
// them): exact GELU (erf), SiLU, softplus with the mamba threshold 20.
const char *kActivations = R"mlir(
func.func @gelu(%x: tensor<3x17xf32>) -> tensor<3x17xf32> {
  %half = arith.constant dense<0.5> : tensor<3x17xf32>
  %one = arith.constant dense<1.0> : tensor<3x17xf32>
  %isqrt2 = arith.constant dense<0.70710678118654752> : tensor<3x17xf32>
  %s = arith.mulf %x, %isqrt2 : tensor<3x17xf32>
  %e = math.erf %s : tensor<3x17xf32>
  %p = arith.addf %e, %one : tensor<3x17xf32>
  %h = arith.mulf %x, %half : tensor<3x17xf32>
  %y = arith.mulf %h, %p : tensor<3x17xf32>
  return %y : tensor<3x17xf32>
}
func.func @silu(%x: tensor<3x17xf32>) -> tensor<3x17xf32> {
  %one = arith.constant dense<1.0> : tensor<3x17xf32>
  %n = arith.negf %x : tensor<3x17xf32>
  %e = math.exp %n : tensor<3x17xf32>
  %d = arith.addf %one, %e : tensor<3x17xf32>
  %y = arith.divf %x, %d : tensor<3x17xf32>
  return %y : tensor<3x17xf32>
}
func.func @softplus(%x: tensor<3x17xf32>) -> tensor<3x17xf32> {
  %thr = arith.constant dense<20.0> : tensor<3x17xf32>
  %e = math.exp %x : tensor<3x17xf32>
  %l = math.log1p %e : tensor<3x17xf32>
  %c = arith.cmpf ole, %x, %thr : tensor<3x17xf32>
  %y = arith.select %c, %l, %x : tensor<3x17xi1>, tensor<3x17xf32>
  return %y : tensor<3x17xf32>
}
)mlir";

TEST(DenseActivations, GeluSiluSoftplus) {
  Compiled compiled(kActivations);
  ref::Tensor x = rnd({3, 17}, 30, -6, 6);
  EXPECT_LE(ref::maxRelError(compiled.run("gelu", {x})[0], ref::gelu(x)), kTol);
  EXPECT_LE(ref::maxRelError(compiled.run("silu", {x})[0], ref::silu(x)), kTol);
  // Both sides of the softplus threshold.
  ref::Tensor wide = rnd({3, 17}, 31, -30, 30);
  EXPECT_LE(ref::maxRelError(compiled.run("softplus", {wide})[0],
                             ref::softplus(wide)),
            kTol);
}

// Gradient paths of the norms, activations and the depthwise conv, written
// as dense ops (the formulas of docs/semantics.md §3; conv: dw by correlation,
// dx by the flipped kernel over the re-padded gradient).
const char *kGradients = R"mlir(
#row = affine_map<(i, j) -> (i, j)>
#red = affine_map<(i, j) -> (i)>
#col = affine_map<(i, j) -> (j)>
#colred = affine_map<(i, j) -> (j)>
func.func @rmsnorm_grad(%g: tensor<5x11xf32>, %x: tensor<5x11xf32>, %w: tensor<11xf32>) -> (tensor<5x11xf32>, tensor<11xf32>) {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 11.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %er = tensor.empty() : tensor<5xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<5xf32>) -> tensor<5xf32>
  %ss = linalg.generic {indexing_maps = [#row, #red], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<5x11xf32>) outs(%zr : tensor<5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<5xf32>
  %rho = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%ss : tensor<5xf32>) outs(%er : tensor<5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.divf %a, %n : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    linalg.yield %r : f32
  } -> tensor<5xf32>
  // s2[r] = sum_d g w x rho
  %s2 = linalg.generic {indexing_maps = [#row, #col, #row, #red, #red], iterator_types = ["parallel", "reduction"]}
      ins(%g, %w, %x, %rho : tensor<5x11xf32>, tensor<11xf32>, tensor<5x11xf32>, tensor<5xf32>) outs(%zr : tensor<5xf32>) {
  ^bb0(%gg: f32, %ww: f32, %xx: f32, %r: f32, %acc: f32):
    %a = arith.mulf %gg, %ww : f32
    %b = arith.mulf %xx, %r : f32
    %c = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %c : f32
    linalg.yield %s : f32
  } -> tensor<5xf32>
  %e = tensor.empty() : tensor<5x11xf32>
  %dx = linalg.generic {indexing_maps = [#row, #col, #row, #red, #red, #row], iterator_types = ["parallel", "parallel"]}
      ins(%g, %w, %x, %rho, %s2 : tensor<5x11xf32>, tensor<11xf32>, tensor<5x11xf32>, tensor<5xf32>, tensor<5xf32>) outs(%e : tensor<5x11xf32>) {
  ^bb0(%gg: f32, %ww: f32, %xx: f32, %r: f32, %t: f32, %o: f32):
    %gh = arith.mulf %gg, %ww : f32
    %xh = arith.mulf %xx, %r : f32
    %m = arith.divf %t, %n : f32
    %c = arith.mulf %xh, %m : f32
    %d = arith.subf %gh, %c : f32
    %y = arith.mulf %r, %d : f32
    linalg.yield %y : f32
  } -> tensor<5x11xf32>
  %ec = tensor.empty() : tensor<11xf32>
  %zc = linalg.fill ins(%zero : f32) outs(%ec : tensor<11xf32>) -> tensor<11xf32>
  %dw = linalg.generic {indexing_maps = [#row, #row, #red, #colred], iterator_types = ["reduction", "parallel"]}
      ins(%g, %x, %rho : tensor<5x11xf32>, tensor<5x11xf32>, tensor<5xf32>) outs(%zc : tensor<11xf32>) {
  ^bb0(%gg: f32, %xx: f32, %r: f32, %acc: f32):
    %xh = arith.mulf %xx, %r : f32
    %c = arith.mulf %gg, %xh : f32
    %s = arith.addf %acc, %c : f32
    linalg.yield %s : f32
  } -> tensor<11xf32>
  return %dx, %dw : tensor<5x11xf32>, tensor<11xf32>
}

func.func @act_grads(%g: tensor<3x17xf32>, %x: tensor<3x17xf32>) -> (tensor<3x17xf32>, tensor<3x17xf32>) {
  %one = arith.constant dense<1.0> : tensor<3x17xf32>
  %half = arith.constant dense<0.5> : tensor<3x17xf32>
  %isqrt2 = arith.constant dense<0.70710678118654752> : tensor<3x17xf32>
  %isqrt2pi = arith.constant dense<0.39894228040143268> : tensor<3x17xf32>
  // silu'(x) = s (1 + x (1 - s))
  %n = arith.negf %x : tensor<3x17xf32>
  %en = math.exp %n : tensor<3x17xf32>
  %den = arith.addf %one, %en : tensor<3x17xf32>
  %s = arith.divf %one, %den : tensor<3x17xf32>
  %oms = arith.subf %one, %s : tensor<3x17xf32>
  %xo = arith.mulf %x, %oms : tensor<3x17xf32>
  %p = arith.addf %one, %xo : tensor<3x17xf32>
  %ds = arith.mulf %s, %p : tensor<3x17xf32>
  %dsilu = arith.mulf %g, %ds : tensor<3x17xf32>
  // gelu'(x) = Phi(x) + x phi(x)
  %xs = arith.mulf %x, %isqrt2 : tensor<3x17xf32>
  %erf = math.erf %xs : tensor<3x17xf32>
  %e1 = arith.addf %erf, %one : tensor<3x17xf32>
  %Phi = arith.mulf %e1, %half : tensor<3x17xf32>
  %x2 = arith.mulf %x, %x : tensor<3x17xf32>
  %hx2 = arith.mulf %x2, %half : tensor<3x17xf32>
  %nhx2 = arith.negf %hx2 : tensor<3x17xf32>
  %ex = math.exp %nhx2 : tensor<3x17xf32>
  %phi = arith.mulf %ex, %isqrt2pi : tensor<3x17xf32>
  %xphi = arith.mulf %x, %phi : tensor<3x17xf32>
  %dg = arith.addf %Phi, %xphi : tensor<3x17xf32>
  %dgelu = arith.mulf %g, %dg : tensor<3x17xf32>
  return %dsilu, %dgelu : tensor<3x17xf32>, tensor<3x17xf32>
}

// Depthwise 3x3, stride 1, padding 1 (VMamba): dw[c,a,e] = sum dy * xpad;
// dx = flipped kernel over dy padded by 1.
func.func @dw3_grad(%dy: tensor<2x4x5x6xf32>, %x: tensor<2x4x5x6xf32>, %w: tensor<4x3x3xf32>) -> (tensor<2x4x5x6xf32>, tensor<4x3x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %xp = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x4x5x6xf32> to tensor<2x4x7x8xf32>
  %ew = tensor.empty() : tensor<4x3x3xf32>
  %zw = linalg.fill ins(%zero : f32) outs(%ew : tensor<4x3x3xf32>) -> tensor<4x3x3xf32>
  %dw = linalg.generic {indexing_maps = [affine_map<(c, a, e, n, i, j) -> (n, c, i, j)>,
                                         affine_map<(c, a, e, n, i, j) -> (n, c, i + a, j + e)>,
                                         affine_map<(c, a, e, n, i, j) -> (c, a, e)>],
                        iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%dy, %xp : tensor<2x4x5x6xf32>, tensor<2x4x7x8xf32>) outs(%zw : tensor<4x3x3xf32>) {
  ^bb0(%g: f32, %v: f32, %acc: f32):
    %m = arith.mulf %g, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x3x3xf32>
  %gp = tensor.pad %dy low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x4x5x6xf32> to tensor<2x4x7x8xf32>
  %wf = linalg.generic {indexing_maps = [affine_map<(c, a, e) -> (c, 2 - a, 2 - e)>,
                                         affine_map<(c, a, e) -> (c, a, e)>],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%w : tensor<4x3x3xf32>) outs(%ew : tensor<4x3x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<4x3x3xf32>
  %ex = tensor.empty() : tensor<2x4x5x6xf32>
  %zx = linalg.fill ins(%zero : f32) outs(%ex : tensor<2x4x5x6xf32>) -> tensor<2x4x5x6xf32>
  %dx = linalg.generic {indexing_maps = [affine_map<(n, c, y, q, a, e) -> (n, c, y + a, q + e)>,
                                         affine_map<(n, c, y, q, a, e) -> (c, a, e)>,
                                         affine_map<(n, c, y, q, a, e) -> (n, c, y, q)>],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%gp, %wf : tensor<2x4x7x8xf32>, tensor<4x3x3xf32>) outs(%zx : tensor<2x4x5x6xf32>) {
  ^bb0(%g: f32, %v: f32, %acc: f32):
    %m = arith.mulf %g, %v : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x5x6xf32>
  return %dx, %dw : tensor<2x4x5x6xf32>, tensor<4x3x3xf32>
}
)mlir";

TEST(DenseGradients, RMSNormActivationsDepthwiseConv) {
  Compiled compiled(kGradients);
  ref::Tensor g = rnd({5, 11}, 40), x = rnd({5, 11}, 41), w = rnd({11}, 42);
  std::vector<ref::Tensor> rms = compiled.run("rmsnorm_grad", {g, x, w});
  ref::NormGrads want = ref::rmsNormGrad(g, x, w, 1e-5);
  ASSERT_EQ(rms.size(), 2u);
  EXPECT_LE(ref::maxRelError(rms[0], want.dx), kTol) << "rmsnorm dx";
  EXPECT_LE(ref::maxRelError(rms[1], *want.dweight), kTol) << "rmsnorm dw";

  ref::Tensor ga = rnd({3, 17}, 43), xa = rnd({3, 17}, 44, -6, 6);
  std::vector<ref::Tensor> acts = compiled.run("act_grads", {ga, xa});
  EXPECT_LE(ref::maxRelError(acts[0], ref::siluGrad(ga, xa)), kTol) << "silu'";
  EXPECT_LE(ref::maxRelError(acts[1], ref::geluGrad(ga, xa)), kTol) << "gelu'";

  ref::Tensor dy = rnd({2, 4, 5, 6}, 45), xc = rnd({2, 4, 5, 6}, 46),
              wc = rnd({4, 3, 3}, 47);
  ref::Tensor wfull = wc;
  wfull.shape = {4, 1, 3, 3};
  std::vector<ref::Tensor> conv = compiled.run("dw3_grad", {dy, xc, wc});
  ref::Conv2dGrads wantConv =
      ref::conv2dGrad(dy, xc, wfull, std::nullopt, {1, 1, 1, 1, 4});
  ASSERT_EQ(conv.size(), 2u);
  EXPECT_LE(ref::maxRelError(conv[0], wantConv.dx), kTol) << "depthwise dx";
  ref::Tensor dwWant = wantConv.dweight;
  dwWant.shape = {4, 3, 3};
  EXPECT_LE(ref::maxRelError(conv[1], dwWant), kTol) << "depthwise dw";
}

} // namespace
