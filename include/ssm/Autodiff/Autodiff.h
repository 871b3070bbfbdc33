//===- Autodiff.h - reverse-mode automatic differentiation --------*- C++
//-*-===//
//
// differentiateFunction() is what the ssm-autodiff pass runs on each function;
// tools that need a gradient entry (a training step) call it directly.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_AUTODIFF_AUTODIFF_H
#define SSM_AUTODIFF_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::ssm {

struct DifferentiateOptions {
  /// Arguments to differentiate; empty: every floating-point tensor argument.
  SmallVector<unsigned> wrt;
  /// Return the forward results ahead of the gradients.
  bool keepResults = true;
  /// The gradient function is named `<function><suffix>`.
  std::string suffix = "_grad";
  /// Memory policy: cheap forward values the backward reads (elementwise
  /// maps, flips, the causal conv, small projections) are recomputed in the
  /// backward instead of kept across the forward; false keeps every one
  /// (more memory, no recomputation).
  bool recompute = true;
};

/// Adds `@<fn><suffix>(args..., dresults...) -> (results..., dargs...)` right
/// after `fn` (see the ssm-autodiff pass). On failure (an op without an
/// adjoint, dynamic shapes in a structured op, ...) emits an error naming the
/// op and adds nothing.
FailureOr<func::FuncOp>
differentiateFunction(func::FuncOp fn, const DifferentiateOptions &options);

/// differentiateFunction() on every public function of `module` that has no
/// gradient function yet and is not itself one (`<f><suffix>` next to `f`).
LogicalResult differentiateModule(ModuleOp module,
                                  const DifferentiateOptions &options);

} // namespace mlir::ssm

#endif // SSM_AUTODIFF_AUTODIFF_H
