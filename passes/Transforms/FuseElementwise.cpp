//===- FuseElementwise.cpp - elementwise chains into one loop nest ----===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

bool allParallel(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumLoops() == linalgOp.getNumParallelLoops();
}

struct FuseElementwisePass
    : mlir::ssm::impl::FuseElementwiseBase<FuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          if (!allParallel(operand->get().getDefiningOp()))
            return false;
          if (allParallel(operand->getOwner()))
            return true;
          // A reduction that reads each element of the operand exactly once
          // (its map is a permutation of all loops, e.g. a norm's sum of
          // squares) may compute the producer inline: no recomputation.
          auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
          return consumer && consumer.getMatchingIndexingMap(operand).isPermutation();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
