//===- PromoteLoopAccumulators.cpp - reduction accumulators in registers --===//
//
// A sequential loop that reads and writes one memref element per iteration
// (the output of a linalg reduction lowered to loops) carries the element as
// an iter_arg instead: one load before the loop, one store after it.
// Passes.td gives the conditions and why they keep the loop's meaning.
//
//===----------------------------------------------------------------------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_PROMOTELOOPACCUMULATORS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// True if `value` is `root` or a view of it made by view-like ops.
bool isViewOf(Value value, Value root) {
  while (value) {
    if (value == root)
      return true;
    auto view = value.getDefiningOp<ViewLikeOpInterface>();
    if (!view)
      return false;
    value = view.getViewSource();
  }
  return false;
}

/// A load/store pair of `loop` to promote, if the loop qualifies: every
/// write of its body (nested regions included) is a store in the body block
/// to a memref defined outside at loop-invariant indices, every op's effects
/// are known, and the chosen store's memref has one matching load before it
/// and no other access in the body.
std::optional<std::pair<memref::LoadOp, memref::StoreOp>>
findAccumulator(scf::ForOp loop) {
  SmallVector<memref::StoreOp> stores;
  auto outside = [&](Value v) { return loop.isDefinedOutsideOfLoop(v); };
  WalkResult walk = loop.getBody()->walk([&](Operation *op) {
    if (isa<scf::YieldOp>(op) ||
        op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects)
      return WalkResult::interrupt();
    if (!effects.hasEffect<MemoryEffects::Write>() &&
        !effects.hasEffect<MemoryEffects::Free>())
      return WalkResult::advance();
    auto store = dyn_cast<memref::StoreOp>(op);
    if (!store || store->getBlock() != loop.getBody() ||
        !outside(store.getMemRef()) ||
        !llvm::all_of(store.getIndices(), outside))
      return WalkResult::interrupt();
    stores.push_back(store);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return std::nullopt;
  for (memref::StoreOp store : stores) {
    Value memref = store.getMemRef();
    memref::LoadOp load;
    bool other = false;
    loop.getBody()->walk([&](Operation *op) {
      if (op == store.getOperation())
        return WalkResult::advance();
      auto l = dyn_cast<memref::LoadOp>(op);
      if (l && l.getMemRef() == memref && !load &&
          l->getBlock() == loop.getBody() && l->isBeforeInBlock(store) &&
          l.getIndices() == store.getIndices()) {
        load = l;
        return WalkResult::advance();
      }
      for (Value operand : op->getOperands())
        if (isa<BaseMemRefType>(operand.getType()) &&
            (isViewOf(operand, memref) || isViewOf(memref, operand))) {
          other = true;
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (!other && load)
      return std::make_pair(load, store);
  }
  return std::nullopt;
}

/// Carries the accumulator of `load` / `store` through `loop`; returns the
/// loop that replaces it.
scf::ForOp promote(RewriterBase &rewriter, scf::ForOp loop, memref::LoadOp load,
                   memref::StoreOp store) {
  load->moveBefore(loop);
  Value stored = store.getValueToStore();
  FailureOr<LoopLikeOpInterface> grown =
      cast<LoopLikeOpInterface>(loop.getOperation())
          .replaceWithAdditionalYields(
              rewriter, load.getResult(),
              /*replaceInitOperandUsesInLoop=*/true,
              [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                return SmallVector<Value>{stored};
              });
  auto newLoop = cast<scf::ForOp>(grown->getOperation());
  rewriter.setInsertionPointAfter(newLoop);
  memref::StoreOp::create(rewriter, store.getLoc(), newLoop.getResults().back(),
                          store.getMemRef(), store.getIndices());
  rewriter.eraseOp(store);
  return newLoop;
}

struct PromoteLoopAccumulatorsPass
    : mlir::ssm::impl::PromoteLoopAccumulatorsBase<
          PromoteLoopAccumulatorsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Post-order: inner loops first, so an outer reduction loop sees the
    // inner one's single load before and store after it.
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : loops) {
      // A loop may carry several accumulators (a norm's sum and sum of
      // squares); each promotion replaces the loop by one more iter_arg.
      while (auto pair = findAccumulator(loop))
        loop = promote(rewriter, loop, pair->first, pair->second);
    }
  }
};
} // namespace
