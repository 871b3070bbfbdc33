//===- ElementwiseGradTest.cpp - adjoints of elementwise ops, reductions --===//
//
// linalg.generic payloads of arith/math ops, broadcasts and reductions, in
// the forms the model builders emit, at odd shapes with size-1 dims.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "gtest/gtest.h"

using namespace ssm::autodiff_test;

namespace {

// Every arithmetic op of the payload rules, in one body.
TEST(ElementwiseGrad, Arithmetic) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @f(%x: tensor<2x1x5x$T>, %y: tensor<2x1x5x$T>, %z: tensor<2x1x5x$T>) -> tensor<2x1x5x$T> {
  %e = tensor.empty() : tensor<2x1x5x$T>
  %r = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %y, %z : tensor<2x1x5x$T>, tensor<2x1x5x$T>, tensor<2x1x5x$T>) outs(%e : tensor<2x1x5x$T>) {
  ^bb0(%a: $T, %b: $T, %c: $T, %o: $T):
    %two = arith.constant 2.5 : $T
    %s = arith.addf %a, %b : $T
    %d = arith.subf %s, %c : $T
    %m = arith.mulf %d, %a : $T
    %q = arith.divf %m, %c : $T
    %n = arith.negf %q : $T
    %k = arith.mulf %n, %two : $T
    %f = math.fma %k, %b, %a : $T
    linalg.yield %f : $T
  } -> tensor<2x1x5x$T>
  return %r : tensor<2x1x5x$T>
}
)mlir";
  // Keep the divisor away from 0.
  c.ranges = {{-1, 1}, {-1, 1}, {0.5, 1.5}};
  checkGradient(c);
}

TEST(ElementwiseGrad, Transcendental) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<3x7x$T>, %p: tensor<3x7x$T>) -> (tensor<3x7x$T>, tensor<3x7x$T>) {
  %e = tensor.empty() : tensor<3x7x$T>
  %r:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %p : tensor<3x7x$T>, tensor<3x7x$T>) outs(%e, %e : tensor<3x7x$T>, tensor<3x7x$T>) {
  ^bb0(%a: $T, %b: $T, %o: $T, %o2: $T):
    %e1 = math.exp %a : $T
    %t = math.tanh %e1 : $T
    %l = math.log %b : $T
    %s = math.sqrt %b : $T
    %rs = math.rsqrt %b : $T
    %er = math.erf %a : $T
    %l1 = math.log1p %b : $T
    %em = math.expm1 %a : $T
    %pw = math.powf %b, %a : $T
    %ab = math.absf %a : $T
    %si = math.sin %a : $T
    %co = math.cos %b : $T
    %v1 = arith.mulf %t, %l : $T
    %v2 = arith.addf %v1, %s : $T
    %v3 = arith.mulf %v2, %rs : $T
    %v4 = arith.addf %v3, %er : $T
    %v5 = arith.mulf %l1, %em : $T
    %v6 = arith.addf %pw, %ab : $T
    %v7 = arith.mulf %si, %co : $T
    %v8 = arith.addf %v6, %v7 : $T
    %v9 = arith.addf %v5, %v8 : $T
    linalg.yield %v4, %v9 : $T, $T
  } -> (tensor<3x7x$T>, tensor<3x7x$T>)
  return %r#0, %r#1 : tensor<3x7x$T>, tensor<3x7x$T>
}
)mlir";
  c.ranges = {{-1, 1}, {0.3, 2}};
  checkGradient(c);
}

// max / min / select / compare, and the activations as the builders spell
// them: silu (x / (1 + exp(-x))), exact gelu (erf), softplus with its
// threshold (select(x <= 20, log1p(exp(x)), x)).
TEST(ElementwiseGrad, SelectsAndActivations) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<5x3x$T>, %y: tensor<5x3x$T>) -> tensor<5x3x$T> {
  %e = tensor.empty() : tensor<5x3x$T>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<5x3x$T>, tensor<5x3x$T>) outs(%e : tensor<5x3x$T>) {
  ^bb0(%a: $T, %b: $T, %o: $T):
    %one = arith.constant 1.0 : $T
    %half = arith.constant 0.5 : $T
    %k = arith.constant 0.70710678118654752440 : $T
    %twenty = arith.constant 20.0 : $T
    %mx = arith.maximumf %a, %b : $T
    %mn = arith.minimumf %a, %b : $T
    %mxn = arith.maxnumf %a, %half : $T
    %mnn = arith.minnumf %b, %half : $T
    %na = arith.negf %a : $T
    %ex = math.exp %na : $T
    %den = arith.addf %ex, %one : $T
    %silu = arith.divf %a, %den : $T
    %t = arith.mulf %b, %k : $T
    %erf = math.erf %t : $T
    %p = arith.addf %erf, %one : $T
    %h = arith.mulf %b, %half : $T
    %gelu = arith.mulf %h, %p : $T
    %s3 = arith.mulf %b, %twenty : $T
    %le = arith.cmpf ole, %s3, %twenty : $T
    %eb = math.exp %s3 : $T
    %lp = math.log1p %eb : $T
    %sp = arith.select %le, %lp, %s3 : $T
    %gt = arith.cmpf ogt, %a, %b : $T
    %sel = arith.select %gt, %silu, %gelu : $T
    %u1 = arith.mulf %mx, %mn : $T
    %u2 = arith.addf %u1, %sel : $T
    %u3 = arith.addf %u2, %sp : $T
    %u4 = arith.mulf %mxn, %mnn : $T
    %u5 = arith.addf %u3, %u4 : $T
    linalg.yield %u5 : $T
  } -> tensor<5x3x$T>
  return %r : tensor<5x3x$T>
}
)mlir";
  checkGradient(c);
}

// Casts: f32 arguments widened to f64 (the builders' bf16 -> f32 widening,
// one precision up) and a result narrowed back.
TEST(ElementwiseGrad, Casts) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0) -> (d0)>
func.func @f(%x: tensor<9xf32>, %y: tensor<9xf64>) -> (tensor<9xf64>, tensor<9xf32>) {
  %e = tensor.empty() : tensor<9xf64>
  %e2 = tensor.empty() : tensor<9xf32>
  %r:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %y : tensor<9xf32>, tensor<9xf64>) outs(%e, %e2 : tensor<9xf64>, tensor<9xf32>) {
  ^bb0(%a: f32, %b: f64, %o: f64, %o2: f32):
    %w = arith.extf %a : f32 to f64
    %m = arith.mulf %w, %b : f64
    %s = math.sin %m : f64
    %n = arith.truncf %b : f64 to f32
    %q = arith.mulf %n, %a : f32
    linalg.yield %s, %q : f64, f32
  } -> (tensor<9xf64>, tensor<9xf32>)
  return %r#0, %r#1 : tensor<9xf64>, tensor<9xf32>
}
)mlir";
  // Steps of 2^-10 are exact in f32 for these inputs; the f32 result rounds.
  c.step = 1.0 / 1024;
  c.tol64 = 1e-5;
  c.tol32 = 1e-4;
  checkGradient(c);
}

// Broadcasts: a bias along one axis, a scale along another, a batch-1
// positional term read through a constant index (addBroadcastBatch).
TEST(ElementwiseGrad, Broadcasts) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#ax1 = affine_map<(d0, d1, d2) -> (d1)>
#ax2 = affine_map<(d0, d1, d2) -> (d2)>
#batch0 = affine_map<(d0, d1, d2) -> (0, d1, d2)>
func.func @f(%x: tensor<3x4x5x$T>, %b: tensor<4x$T>, %s: tensor<5x$T>, %pos: tensor<1x4x5x$T>) -> tensor<3x4x5x$T> {
  %e = tensor.empty() : tensor<3x4x5x$T>
  %r = linalg.generic {indexing_maps = [#id, #ax1, #ax2, #batch0, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %b, %s, %pos : tensor<3x4x5x$T>, tensor<4x$T>, tensor<5x$T>, tensor<1x4x5x$T>) outs(%e : tensor<3x4x5x$T>) {
  ^bb0(%a: $T, %c: $T, %d: $T, %p: $T, %o: $T):
    %m = arith.mulf %a, %d : $T
    %t = arith.addf %m, %c : $T
    %u = arith.mulf %t, %p : $T
    linalg.yield %u : $T
  } -> tensor<3x4x5x$T>
  return %r : tensor<3x4x5x$T>
}
)mlir";
  checkGradient(c);
}

// Sum over two dims, mean (sum then scale), max and min over a dim, as the
// builders' reduce()/reduceMean() emit them (fill + reduction generic).
TEST(ElementwiseGrad, Reductions) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#keep1 = affine_map<(d0, d1, d2) -> (d1)>
#keep02 = affine_map<(d0, d1, d2) -> (d0, d2)>
#v = affine_map<(d0) -> (d0)>
#v2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<3x1x7x$T>, %y: tensor<2x5x3x$T>) -> (tensor<1x$T>, tensor<3x7x$T>, tensor<5x$T>, tensor<2x3x$T>) {
  %zero = arith.constant 0.0 : $T
  %ninf = arith.constant -3.0e38 : $T
  %pinf = arith.constant 3.0e38 : $T
  %e1 = tensor.empty() : tensor<1x$T>
  %z1 = linalg.fill ins(%zero : $T) outs(%e1 : tensor<1x$T>) -> tensor<1x$T>
  %sum = linalg.generic {indexing_maps = [#id, #keep1], iterator_types = ["reduction", "parallel", "reduction"]}
      ins(%x : tensor<3x1x7x$T>) outs(%z1 : tensor<1x$T>) {
  ^bb0(%a: $T, %acc: $T):
    %sq = arith.mulf %a, %a : $T
    %s = arith.addf %acc, %sq : $T
    linalg.yield %s : $T
  } -> tensor<1x$T>
  %e2 = tensor.empty() : tensor<3x7x$T>
  %z2 = linalg.fill ins(%zero : $T) outs(%e2 : tensor<3x7x$T>) -> tensor<3x7x$T>
  %s2 = linalg.generic {indexing_maps = [#id, #keep02], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<3x1x7x$T>) outs(%z2 : tensor<3x7x$T>) {
  ^bb0(%a: $T, %acc: $T):
    %s = arith.addf %a, %acc : $T
    linalg.yield %s : $T
  } -> tensor<3x7x$T>
  %inv = arith.constant 0.142857142857 : $T
  %e3 = tensor.empty() : tensor<3x7x$T>
  %mean = linalg.generic {indexing_maps = [#v2, #v2], iterator_types = ["parallel", "parallel"]}
      ins(%s2 : tensor<3x7x$T>) outs(%e3 : tensor<3x7x$T>) {
  ^bb0(%a: $T, %o: $T):
    %m = arith.mulf %a, %inv : $T
    linalg.yield %m : $T
  } -> tensor<3x7x$T>
  %e4 = tensor.empty() : tensor<5x$T>
  %f4 = linalg.fill ins(%ninf : $T) outs(%e4 : tensor<5x$T>) -> tensor<5x$T>
  %mx = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>], iterator_types = ["reduction", "parallel", "reduction"]}
      ins(%y : tensor<2x5x3x$T>) outs(%f4 : tensor<5x$T>) {
  ^bb0(%a: $T, %acc: $T):
    %t = math.tanh %a : $T
    %m = arith.maximumf %acc, %t : $T
    linalg.yield %m : $T
  } -> tensor<5x$T>
  %e5 = tensor.empty() : tensor<2x3x$T>
  %f5 = linalg.fill ins(%pinf : $T) outs(%e5 : tensor<2x3x$T>) -> tensor<2x3x$T>
  %mn = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%y : tensor<2x5x3x$T>) outs(%f5 : tensor<2x3x$T>) {
  ^bb0(%a: $T, %acc: $T):
    %m = arith.minnumf %a, %acc : $T
    linalg.yield %m : $T
  } -> tensor<2x3x$T>
  return %sum, %mean, %mx, %mn : tensor<1x$T>, tensor<3x7x$T>, tensor<5x$T>, tensor<2x3x$T>
}
)mlir";
  checkGradient(c);
}

// The builders' layer norm (two-pass: mean, sum of squared deviations, then
// one map with rsqrt) and RMS norm, over a middle axis.
TEST(ElementwiseGrad, Norms) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d0, d2)>
#chan = affine_map<(d0, d1, d2) -> (d1)>
#r2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @f(%x: tensor<2x6x3x$T>, %w: tensor<6x$T>, %bias: tensor<6x$T>, %w2: tensor<6x$T>) -> (tensor<2x6x3x$T>, tensor<2x6x3x$T>) {
  %zero = arith.constant 0.0 : $T
  %invn = arith.constant 0.16666666666666666 : $T
  %eps = arith.constant 1.0e-5 : $T
  %er = tensor.empty() : tensor<2x3x$T>
  %z = linalg.fill ins(%zero : $T) outs(%er : tensor<2x3x$T>) -> tensor<2x3x$T>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<2x6x3x$T>) outs(%z : tensor<2x3x$T>) {
  ^bb0(%a: $T, %acc: $T):
    %s = arith.addf %acc, %a : $T
    linalg.yield %s : $T
  } -> tensor<2x3x$T>
  %em = tensor.empty() : tensor<2x3x$T>
  %mean = linalg.generic {indexing_maps = [#r2, #r2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<2x3x$T>) outs(%em : tensor<2x3x$T>) {
  ^bb0(%a: $T, %o: $T):
    %m = arith.mulf %a, %invn : $T
    linalg.yield %m : $T
  } -> tensor<2x3x$T>
  %var = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %mean : tensor<2x6x3x$T>, tensor<2x3x$T>) outs(%z : tensor<2x3x$T>) {
  ^bb0(%a: $T, %m: $T, %acc: $T):
    %d = arith.subf %a, %m : $T
    %sq = arith.mulf %d, %d : $T
    %s = arith.addf %acc, %sq : $T
    linalg.yield %s : $T
  } -> tensor<2x3x$T>
  %e = tensor.empty() : tensor<2x6x3x$T>
  %y = linalg.generic {indexing_maps = [#id, #row, #row, #chan, #chan, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %mean, %var, %w, %bias : tensor<2x6x3x$T>, tensor<2x3x$T>, tensor<2x3x$T>, tensor<6x$T>, tensor<6x$T>) outs(%e : tensor<2x6x3x$T>) {
  ^bb0(%a: $T, %m: $T, %v: $T, %g: $T, %b: $T, %o: $T):
    %d = arith.subf %a, %m : $T
    %vn = arith.mulf %v, %invn : $T
    %ve = arith.addf %vn, %eps : $T
    %r = math.rsqrt %ve : $T
    %n = arith.mulf %d, %r : $T
    %s = arith.mulf %n, %g : $T
    %t = arith.addf %s, %b : $T
    linalg.yield %t : $T
  } -> tensor<2x6x3x$T>
  %ss = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<2x6x3x$T>) outs(%z : tensor<2x3x$T>) {
  ^bb0(%a: $T, %acc: $T):
    %sq = arith.mulf %a, %a : $T
    %s = arith.addf %acc, %sq : $T
    linalg.yield %s : $T
  } -> tensor<2x3x$T>
  %rms = linalg.generic {indexing_maps = [#id, #row, #chan, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %ss, %w2 : tensor<2x6x3x$T>, tensor<2x3x$T>, tensor<6x$T>) outs(%e : tensor<2x6x3x$T>) {
  ^bb0(%a: $T, %q: $T, %g: $T, %o: $T):
    %m = arith.mulf %q, %invn : $T
    %me = arith.addf %m, %eps : $T
    %r = math.rsqrt %me : $T
    %n = arith.mulf %a, %r : $T
    %t = arith.mulf %n, %g : $T
    linalg.yield %t : $T
  } -> tensor<2x6x3x$T>
  return %y, %rms : tensor<2x6x3x$T>, tensor<2x6x3x$T>
}
)mlir";
  checkGradient(c);
}

// An init the payload reads (accumulate into an active tensor), and `wrt`
// picking one argument.
TEST(ElementwiseGrad, ReadInitAndWrt) {
  GradientCase c;
  c.ir = R"mlir(
#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>
func.func @f(%x: tensor<4x3x$T>, %y: tensor<3x4x$T>) -> tensor<3x4x$T> {
  %r = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x3x$T>) outs(%y : tensor<3x4x$T>) {
  ^bb0(%a: $T, %o: $T):
    %m = arith.mulf %a, %o : $T
    %s = arith.addf %m, %o : $T
    linalg.yield %s : $T
  } -> tensor<3x4x$T>
  return %r : tensor<3x4x$T>
}
)mlir";
  checkGradient(c);
  c.wrt = {1};
  checkGradient(c);
}

} // namespace
