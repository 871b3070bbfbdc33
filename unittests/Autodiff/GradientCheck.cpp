//===- GradientCheck.cpp - ssm-autodiff against finite differences --------===//

#include "GradientCheck.h"

#include "../Numerics/NumericsHarness.h"

#include "ssm/Autodiff/Autodiff.h"
#include "ssm/Compiler/Compile.h"

#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace ssm::autodiff_test;
namespace ref = ssm::ref;
namespace numerics = ssm::numerics;

namespace {

std::string substitute(std::string ir, const std::string &dtype) {
  for (size_t at; (at = ir.find("$T")) != std::string::npos;)
    ir.replace(at, 2, dtype);
  return ir;
}

/// L = sum_j <w_j, y_j>.
double pairing(const Tensors &ws, const Tensors &ys) {
  double sum = 0;
  for (size_t j = 0; j < ws.size() && j < ys.size(); ++j)
    sum += ref::dot(ws[j], ys[j]);
  return sum;
}

} // namespace

std::string
ssm::autodiff_test::differentiate(const std::string &ir,
                                  const std::string &dtype,
                                  const std::vector<unsigned> &wrt) {
  mlir::DialectRegistry registry;
  mlir::ssm::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  std::string text = substitute(ir, dtype);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  if (!module) {
    ADD_FAILURE() << diagnostics << text;
    return {};
  }
  auto fn = module->lookupSymbol<mlir::func::FuncOp>("f");
  if (!fn) {
    ADD_FAILURE() << "no @f";
    return {};
  }
  mlir::ssm::DifferentiateOptions options;
  options.wrt.assign(wrt.begin(), wrt.end());
  options.keepResults = false;
  if (mlir::failed(mlir::ssm::differentiateFunction(fn, options)) ||
      mlir::failed(mlir::verify(*module))) {
    ADD_FAILURE() << "ssm-autodiff failed:\n" << diagnostics << text;
    return {};
  }
  // The CPU pipeline approximates f32 math inline; f64 erf & co. call libm
  // (loaded in this process).
  if (dtype == "f64") {
    mlir::PassManager pm(&context);
    mlir::math::MathExpandOpsPassOptions expand;
    expand.opMnemonics = {"rsqrt"}; // libm has no rsqrt
    pm.addPass(mlir::math::createMathExpandOpsPass(expand));
    pm.addPass(mlir::createConvertMathToLibmPass());
    if (mlir::failed(pm.run(*module))) {
      ADD_FAILURE() << diagnostics;
      return {};
    }
  }
  std::string out;
  llvm::raw_string_ostream os(out);
  module->print(os);
  return out;
}

GradientErrors ssm::autodiff_test::checkGradient(const GradientCase &c) {
  GradientErrors errors;
  bool compile64 = !c.reference;
  std::string ir32 = differentiate(c.ir, "f32", c.wrt);
  if (ir32.empty())
    return errors;
  numerics::Compiled f32(ir32);
  std::vector<std::vector<int64_t>> argShapes = f32.shapes("f");
  std::vector<std::vector<int64_t>> resultShapes = f32.shapes("f", false);
  if (argShapes.empty() && resultShapes.empty()) {
    ADD_FAILURE() << "no compiled @f";
    return errors;
  }

  // Inputs and cotangents, representable in f32 so both precisions see the
  // same point.
  Tensors xs, ws;
  for (size_t i = 0; i < argShapes.size(); ++i) {
    auto [lo, hi] =
        i < c.ranges.size() ? c.ranges[i] : std::make_pair(-1.0, 1.0);
    xs.push_back(numerics::roundTo(
        ref::randomTensor(argShapes[i], c.seed * 101 + i, lo, hi), "f32"));
  }
  for (size_t j = 0; j < resultShapes.size(); ++j)
    ws.push_back(numerics::roundTo(
        ref::randomTensor(resultShapes[j], c.seed * 101 + 50 + j), "f32"));
  std::vector<unsigned> wrt = c.wrt;
  if (wrt.empty())
    for (unsigned i = 0; i < xs.size(); ++i)
      wrt.push_back(i);

  std::unique_ptr<numerics::Compiled> f64;
  if (compile64) {
    std::string ir64 = differentiate(c.ir, "f64", c.wrt);
    if (ir64.empty())
      return errors;
    f64 = std::make_unique<numerics::Compiled>(ir64);
  }
  Forward forward =
      compile64
          ? Forward([&](const Tensors &args) { return f64->run("f", args); })
          : c.reference;

  // Central differences of L, element by element.
  Tensors fd;
  for (unsigned i : wrt) {
    ref::Tensor g(xs[i].shape);
    for (int64_t k = 0; k < g.numel(); ++k) {
      Tensors plus = xs, minus = xs;
      double h = c.step * std::max(1.0, std::abs(xs[i].data[k]));
      plus[i].data[k] += h;
      minus[i].data[k] -= h;
      g.data[k] =
          (pairing(ws, forward(plus)) - pairing(ws, forward(minus))) / (2 * h);
    }
    fd.push_back(std::move(g));
  }

  Tensors gradArgs = xs;
  gradArgs.insert(gradArgs.end(), ws.begin(), ws.end());
  Tensors g32 = f32.run("f_grad", gradArgs);
  Tensors g64 = compile64 ? f64->run("f_grad", gradArgs) : Tensors();
  EXPECT_EQ(g32.size(), wrt.size());
  for (size_t n = 0; n < wrt.size() && n < g32.size(); ++n) {
    double e32 = ref::maxRelError(g32[n], fd[n]);
    errors.err32.push_back(e32);
    EXPECT_LE(e32, c.tol32) << "f32 gradient of argument " << wrt[n];
    double e64 = -1;
    if (compile64 && n < g64.size()) {
      e64 = ref::maxRelError(g64[n], fd[n]);
      EXPECT_LE(e64, c.tol64) << "f64 gradient of argument " << wrt[n];
    }
    errors.err64.push_back(e64);
    // A gradient that is zero everywhere checks nothing.
    double largest = 0;
    for (double v : fd[n].data)
      largest = std::max(largest, std::abs(v));
    EXPECT_GT(largest, 0.0) << "argument " << wrt[n] << " has a zero gradient";
    const auto *test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::printf("[ gradient ] %s.%s arg %u: f64 %.3g  f32 %.3g\n",
                test ? test->test_suite_name() : "?", test ? test->name() : "?",
                wrt[n], e64, e32);
  }
  return errors;
}
