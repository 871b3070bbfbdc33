//===- GradientCheck.h - ssm-autodiff against finite differences -*- C++
//-*-===//
//
// Runs ssm-autodiff on a function @f, compiles @f and @f_grad for the CPU and
// checks the gradient of L(x) = sum_j <w_j, f(x)_j> (random cotangents w)
// against float64 central differences of L, on random inputs:
//  * IR written with `$T` for the float type is compiled twice: in f64 (its
//    forward gives the finite differences, its gradient must match them to
//    ~1e-8) and in f32 (its gradient must match them to an f32 tolerance);
//  * IR the f64 pipeline cannot compile (ssm ops are f32/f16/bf16) brings a
//    float64 reference forward instead.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_UNITTESTS_AUTODIFF_GRADIENTCHECK_H
#define SSM_UNITTESTS_AUTODIFF_GRADIENTCHECK_H

#include "../Reference/SSMReference.h"

#include <functional>
#include <string>
#include <vector>

namespace ssm::autodiff_test {

using Tensors = std::vector<ref::Tensor>;
using Forward = std::function<Tensors(const Tensors &)>;

struct GradientCase {
  /// A module with `func.func @f`; `$T` stands for the float type.
  std::string ir;
  /// Per argument: uniform range of the random inputs (default [-1, 1]).
  std::vector<std::pair<double, double>> ranges;
  /// ssm-autodiff's `wrt` (empty: every float tensor argument).
  std::vector<unsigned> wrt;
  /// The float64 forward, when @f cannot be compiled in f64.
  Forward reference;
  /// Max relative error of the f64 gradient (when compiled) and the f32 one.
  double tol64 = 1e-7, tol32 = 1e-5;
  double step = 1e-5;
  uint64_t seed = 1;
};

struct GradientErrors {
  /// Per differentiated argument: f64 (or -1 when not compiled) and f32
  /// relative errors against the finite differences.
  std::vector<double> err64, err32;
};

/// Runs the check, reporting failures through GoogleTest; returns the errors.
GradientErrors checkGradient(const GradientCase &c);

/// The IR of `c.ir` after ssm-autodiff (f32), for inspection.
std::string differentiate(const std::string &ir, const std::string &dtype,
                          const std::vector<unsigned> &wrt);

} // namespace ssm::autodiff_test

#endif // SSM_UNITTESTS_AUTODIFF_GRADIENTCHECK_H
