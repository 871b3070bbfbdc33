//===- ScalarAdjoint.h - reverse mode over straight-line scalar code -*- C++
//-*-===//
//
// The payload of a linalg op is straight-line arith/math code on scalars. Its
// reverse mode: seed the adjoints of some values, then walk the ops backwards
// and emit, at the builder's insertion point, the adjoint of each float
// operand from the adjoints of the results.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_PASSES_AUTODIFF_SCALARADJOINT_H
#define SSM_PASSES_AUTODIFF_SCALARADJOINT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

#include "llvm/ADT/DenseMap.h"

namespace mlir::ssm::autodiff {

class ScalarAdjoint {
public:
  ScalarAdjoint(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  /// Adds `adjoint` to the adjoint of `v`.
  void seed(Value v, Value adjoint);
  /// The adjoint of `v`; null when nothing flows into it (zero).
  Value get(Value v) const { return adjoints.lookup(v); }

  /// Walks `ops` (in forward order) backwards. An op with float operands,
  /// results that carry an adjoint and no rule stops the walk: it is
  /// returned in `unsupported`.
  LogicalResult run(ArrayRef<Operation *> ops, Operation *&unsupported);

private:
  LogicalResult visit(Operation *op);
  Value constant(Type type, double v);

  OpBuilder &b;
  Location loc;
  llvm::DenseMap<Value, Value> adjoints;
};

} // namespace mlir::ssm::autodiff

#endif // SSM_PASSES_AUTODIFF_SCALARADJOINT_H
