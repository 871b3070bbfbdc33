//===- Adjoint.h - what an adjoint rule sees of the reverse sweep -*- C++
//-*-===//
//
// The reverse sweep (Autodiff.cpp) visits the ops of the forward function in
// reverse and hands each one whose results carry a derivative to the rule of
// its op family (LinalgAdjoint.cpp, TensorAdjoint.cpp, SSMAdjoint.cpp). A rule
// reads the forward values (`primal`) and the adjoints of the op's results,
// and adds the adjoint of each active operand (`accumulate`). Rules emit at
// the builder's insertion point in the gradient function.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_PASSES_AUTODIFF_ADJOINT_H
#define SSM_PASSES_AUTODIFF_ADJOINT_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

#include <optional>

namespace mlir::ssm::autodiff {

class AdjointEmitter {
public:
  virtual ~AdjointEmitter() = default;

  virtual OpBuilder &builder() = 0;
  /// The gradient function's copy of a forward value (also works for values
  /// defined above a forward op's region, e.g. captured constants).
  virtual Value primal(Value forward) = 0;
  /// The adjoint accumulated so far for a result of the op being visited;
  /// null when nothing downstream needs it (zero).
  virtual Value adjoint(Value forwardResult) = 0;
  /// Whether a derivative has to flow into this forward value.
  virtual bool isActive(Value forward) = 0;
  /// Adds `adjoint` (of `forward`'s type) to the adjoint of `forward`.
  virtual void accumulate(Value forward, Value adjoint) = 0;

  //===--- helpers shared by the rules ----------------------------------===//
  /// A zero tensor of `type`.
  Value zeros(Location loc, RankedTensorType type);
  /// `a + b` elementwise (equal tensor types).
  Value add(Location loc, Value a, Value b);
  /// Maps each OpFoldResult's Value (if any) to its primal.
  SmallVector<OpFoldResult> primal(ArrayRef<OpFoldResult> values);
};

/// The values `op` reads: its operands and whatever its regions capture.
SmallVector<Value> inputsOf(Operation *op);

/// linalg structured ops on tensors (any payload of arith/math ops).
LogicalResult emitLinalgAdjoint(linalg::LinalgOp op, AdjointEmitter &e);
/// tensor dialect ops; std::nullopt when `op` is not one of them.
std::optional<LogicalResult> emitTensorAdjoint(Operation *op,
                                               AdjointEmitter &e);
/// ssm dialect ops; std::nullopt when `op` has no rule.
std::optional<LogicalResult> emitSSMAdjoint(Operation *op, AdjointEmitter &e);

} // namespace mlir::ssm::autodiff

#endif // SSM_PASSES_AUTODIFF_ADJOINT_H
