//===- SSMAdjoint.cpp - adjoints of ssm ops -------------------------------===//
//
// The scan and the causal conv have grad ops (which recompute what they need
// from the forward operands); the index permutations are each other's
// adjoints: cross_scan <-> cross_merge (same directions), flip <-> flip, and
// axis_broadcast <-> sum axis_pool; axis_pool has axis_pool_grad.
//
//===----------------------------------------------------------------------===//

#include "Adjoint.h"

#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ssm;
using namespace mlir::ssm::autodiff;

namespace {

Value primalOrNull(AdjointEmitter &e, Value v) {
  return v ? e.primal(v) : Value();
}

void accumulateIfActive(AdjointEmitter &e, Value forward, Value adjoint) {
  if (forward && e.isActive(forward))
    e.accumulate(forward, adjoint);
}

LogicalResult selectiveScan(SelectiveScanOp op, AdjointEmitter &e) {
  if (op.getLastState() && e.adjoint(op.getLastState()))
    return op->emitOpError("ssm-autodiff: the last state has no adjoint "
                           "(ssm.selective_scan_grad differentiates `out`)");
  auto grad = SelectiveScanGradOp::create(
      e.builder(), op.getLoc(), e.adjoint(op.getOut()), e.primal(op.getU()),
      e.primal(op.getDelta()), e.primal(op.getA()), e.primal(op.getB()),
      e.primal(op.getC()), primalOrNull(e, op.getD()),
      primalOrNull(e, op.getZ()), primalOrNull(e, op.getDeltaBias()),
      op.getDeltaSoftplusAttr(), op.getReverseAttr());
  accumulateIfActive(e, op.getU(), grad.getDu());
  accumulateIfActive(e, op.getDelta(), grad.getDdelta());
  accumulateIfActive(e, op.getA(), grad.getDA());
  accumulateIfActive(e, op.getB(), grad.getDB());
  accumulateIfActive(e, op.getC(), grad.getDC());
  accumulateIfActive(e, op.getD(), grad.getDD());
  accumulateIfActive(e, op.getZ(), grad.getDZ());
  accumulateIfActive(e, op.getDeltaBias(), grad.getDDeltaBias());
  return success();
}

LogicalResult causalConv1d(CausalConv1dOp op, AdjointEmitter &e) {
  auto grad = CausalConv1dGradOp::create(
      e.builder(), op.getLoc(), op.getActivationAttr(), e.adjoint(op.getOut()),
      e.primal(op.getX()), e.primal(op.getWeight()),
      primalOrNull(e, op.getBias()));
  accumulateIfActive(e, op.getX(), grad.getDx());
  accumulateIfActive(e, op.getWeight(), grad.getDweight());
  accumulateIfActive(e, op.getBias(), grad.getDbias());
  return success();
}

} // namespace

std::optional<LogicalResult>
mlir::ssm::autodiff::emitSSMAdjoint(Operation *op, AdjointEmitter &e) {
  OpBuilder &b = e.builder();
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case([&](SelectiveScanOp o) { return selectiveScan(o, e); })
      .Case([&](CausalConv1dOp o) { return causalConv1d(o, e); })
      .Case([&](CrossScanOp o) -> LogicalResult {
        auto type = cast<RankedTensorType>(o.getInput().getType());
        accumulateIfActive(
            e, o.getInput(),
            CrossMergeOp::create(b, o.getLoc(), e.adjoint(o.getOut()),
                                 o.getDirections(), type.getDimSize(2),
                                 type.getDimSize(3)));
        return success();
      })
      .Case([&](CrossMergeOp o) -> LogicalResult {
        accumulateIfActive(e, o.getInput(),
                           CrossScanOp::create(b, o.getLoc(),
                                               e.adjoint(o.getOut()),
                                               o.getDirections()));
        return success();
      })
      .Case([&](FlipOp o) -> LogicalResult {
        accumulateIfActive(e, o.getInput(),
                           FlipOp::create(b, o.getLoc(), e.adjoint(o.getOut()),
                                          o.getDimAttr()));
        return success();
      })
      .Case([&](AxisPoolOp o) -> LogicalResult {
        accumulateIfActive(e, o.getInput(),
                           AxisPoolGradOp::create(
                               b, o.getLoc(), o.getKindAttr(),
                               e.adjoint(o.getOut()), e.primal(o.getInput()),
                               o.getColsAttr(), o.getScaleAttr()));
        return success();
      })
      .Case([&](AxisBroadcastOp o) -> LogicalResult {
        accumulateIfActive(
            e, o.getInput(),
            AxisPoolOp::create(b, o.getLoc(),
                               PoolKindAttr::get(b.getContext(), PoolKind::sum),
                               e.adjoint(o.getOut()), o.getColsAttr(),
                               b.getF64FloatAttr(1.0)));
        return success();
      })
      .Default([](Operation *) { return std::nullopt; });
}
