//===- SinkTensorInits.cpp - one tensor.empty / fill per use, at the use --===//
//
// CSE merges every `tensor.empty` of one type, and every zero fill of one,
// into the first: in a gradient function that is a forward op, shared with
// adjoints far into the backward. Bufferization then allocates that tensor
// where the forward made it, or writes an adjoint in place into a forward
// buffer, or copies a zero-filled forward buffer so that two writers each get
// one: a buffer live from the forward to the backward, for nothing. Each use
// here gets its own copy right before its user (the empties and fills cost
// nothing to repeat), so each buffer is allocated where it is first written.
//
//===----------------------------------------------------------------------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SINKTENSORINITS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// Replaces `op` (one result) by a clone right before each of its users,
/// made by `cloneBefore`; erases `op`.
void clonePerUse(Operation *op,
                 function_ref<Value(OpBuilder &, Operation *)> cloneBefore) {
  Value result = op->getResult(0);
  for (OpOperand &use : llvm::make_early_inc_range(result.getUses())) {
    OpBuilder b(use.getOwner());
    use.set(cloneBefore(b, op));
  }
  op->erase();
}

struct SinkTensorInitsPass
    : mlir::ssm::impl::SinkTensorInitsBase<SinkTensorInitsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Fills of an empty tensor: each use gets its own empty and fill.
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() &&
          fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      Operation *empty = fill.getOutputs()[0].getDefiningOp();
      clonePerUse(fill, [&](OpBuilder &b, Operation *op) {
        IRMapping map;
        map.map(empty->getResult(0), b.clone(*empty)->getResult(0));
        return b.clone(*op, map)->getResult(0);
      });
      if (empty->use_empty())
        empty->erase();
    }
    // Then every empty tensor: one per use.
    SmallVector<tensor::EmptyOp> empties;
    getOperation().walk([&](tensor::EmptyOp e) { empties.push_back(e); });
    for (tensor::EmptyOp empty : empties)
      clonePerUse(empty, [](OpBuilder &b, Operation *op) {
        return b.clone(*op)->getResult(0);
      });
  }
};

} // namespace
