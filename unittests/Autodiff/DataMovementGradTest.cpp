//===- DataMovementGradTest.cpp - adjoints of slices, pads, reshapes ------===//
//
// tensor.extract_slice (strided, rank-reducing), insert_slice, pad
// (asymmetric), collapse/expand_shape, concat, linalg.transpose / broadcast,
// and fill/empty-initialized ops, at odd sizes. Each result goes through a
// nonlinear map so that a misplaced element changes the gradient.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

#include "gtest/gtest.h"

using namespace ssm::autodiff_test;

namespace {

TEST(DataMovementGrad, Slices) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<3x7x5x$T>, %d: tensor<4x6x$T>) -> (tensor<2x3x$T>, tensor<3x2x2x$T>, tensor<4x6x$T>) {
  %a = tensor.extract_slice %x[1, 0, 2] [1, 2, 3] [1, 3, 1] : tensor<3x7x5x$T> to tensor<2x3x$T>
  %b = tensor.extract_slice %x[0, 1, 0] [3, 2, 2] [1, 2, 3] : tensor<3x7x5x$T> to tensor<3x2x2x$T>
  %e = tensor.empty() : tensor<2x3x$T>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<2x3x$T>) outs(%e : tensor<2x3x$T>) {
  ^bb0(%v: $T, %o: $T):
    %m = arith.mulf %v, %v : $T
    linalg.yield %m : $T
  } -> tensor<2x3x$T>
  %ins = tensor.insert_slice %sq into %d[1, 2] [2, 3] [2, 1] : tensor<2x3x$T> into tensor<4x6x$T>
  %e2 = tensor.empty() : tensor<4x6x$T>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%ins : tensor<4x6x$T>) outs(%e2 : tensor<4x6x$T>) {
  ^bb0(%v: $T, %o: $T):
    %m = math.tanh %v : $T
    linalg.yield %m : $T
  } -> tensor<4x6x$T>
  return %a, %b, %t : tensor<2x3x$T>, tensor<3x2x2x$T>, tensor<4x6x$T>
}
)mlir";
  checkGradient(c);
}

TEST(DataMovementGrad, PadReshapeConcat) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<2x3x$T>, %y: tensor<1x6x$T>, %z: tensor<6x$T>) -> (tensor<5x4x$T>, tensor<3x6x$T>, tensor<2x3x1x$T>) {
  %c = arith.constant 0.5 : $T
  %p = tensor.pad %x low[2, 0] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %c : $T
  } : tensor<2x3x$T> to tensor<5x4x$T>
  %e = tensor.empty() : tensor<5x4x$T>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%p : tensor<5x4x$T>) outs(%e : tensor<5x4x$T>) {
  ^bb0(%v: $T, %o: $T):
    %m = arith.mulf %v, %v : $T
    linalg.yield %m : $T
  } -> tensor<5x4x$T>
  %flat = tensor.collapse_shape %x [[0, 1]] : tensor<2x3x$T> into tensor<6x$T>
  %row = tensor.expand_shape %flat [[0, 1]] output_shape [1, 6] : tensor<6x$T> into tensor<1x6x$T>
  %zr = tensor.expand_shape %z [[0, 1]] output_shape [1, 6] : tensor<6x$T> into tensor<1x6x$T>
  %cat = tensor.concat dim(0) %row, %y, %zr : (tensor<1x6x$T>, tensor<1x6x$T>, tensor<1x6x$T>) -> tensor<3x6x$T>
  %e2 = tensor.empty() : tensor<3x6x$T>
  %sq2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%cat : tensor<3x6x$T>) outs(%e2 : tensor<3x6x$T>) {
  ^bb0(%v: $T, %o: $T):
    %m = math.sin %v : $T
    linalg.yield %m : $T
  } -> tensor<3x6x$T>
  %x3 = tensor.expand_shape %x [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3x$T> into tensor<2x3x1x$T>
  %cat2 = tensor.concat dim(2) %x3 : (tensor<2x3x1x$T>) -> tensor<2x3x1x$T>
  return %sq, %sq2, %cat2 : tensor<5x4x$T>, tensor<3x6x$T>, tensor<2x3x1x$T>
}
)mlir";
  checkGradient(c);
}

TEST(DataMovementGrad, TransposeBroadcastFill) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<2x3x5x$T>, %v: tensor<3x$T>) -> (tensor<5x2x3x$T>, tensor<2x3x4x$T>) {
  %e = tensor.empty() : tensor<5x2x3x$T>
  %t = linalg.transpose ins(%x : tensor<2x3x5x$T>) outs(%e : tensor<5x2x3x$T>) permutation = [2, 0, 1]
  %e2 = tensor.empty() : tensor<5x2x3x$T>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%t : tensor<5x2x3x$T>) outs(%e2 : tensor<5x2x3x$T>) {
  ^bb0(%a: $T, %o: $T):
    %m = arith.mulf %a, %a : $T
    linalg.yield %m : $T
  } -> tensor<5x2x3x$T>
  %e3 = tensor.empty() : tensor<2x3x4x$T>
  %b = linalg.broadcast ins(%v : tensor<3x$T>) outs(%e3 : tensor<2x3x4x$T>) dimensions = [0, 2]
  %one = arith.constant 1.5 : $T
  %e4 = tensor.empty() : tensor<2x3x4x$T>
  %f = linalg.fill ins(%one : $T) outs(%e4 : tensor<2x3x4x$T>) -> tensor<2x3x4x$T>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b, %f : tensor<2x3x4x$T>, tensor<2x3x4x$T>) outs(%e4 : tensor<2x3x4x$T>) {
  ^bb0(%a: $T, %c: $T, %o: $T):
    %m = arith.mulf %a, %a : $T
    %n = arith.mulf %m, %c : $T
    linalg.yield %n : $T
  } -> tensor<2x3x4x$T>
  return %sq, %s : tensor<5x2x3x$T>, tensor<2x3x4x$T>
}
)mlir";
  checkGradient(c);
}

// A value used by several ops (adjoints add up) and returned directly.
TEST(DataMovementGrad, FanOutAndIdentity) {
  GradientCase c;
  c.ir = R"mlir(
func.func @f(%x: tensor<3x1x$T>) -> (tensor<3x1x$T>, tensor<3x1x$T>, tensor<3x$T>) {
  %e = tensor.empty() : tensor<3x1x$T>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %x : tensor<3x1x$T>, tensor<3x1x$T>) outs(%e : tensor<3x1x$T>) {
  ^bb0(%a: $T, %b: $T, %o: $T):
    %m = arith.mulf %a, %b : $T
    %n = math.exp %m : $T
    linalg.yield %n : $T
  } -> tensor<3x1x$T>
  %c = tensor.collapse_shape %sq [[0, 1]] : tensor<3x1x$T> into tensor<3x$T>
  return %x, %sq, %c : tensor<3x1x$T>, tensor<3x1x$T>, tensor<3x$T>
}
)mlir";
  checkGradient(c);
}

} // namespace
