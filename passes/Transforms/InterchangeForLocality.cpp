//===- InterchangeForLocality.cpp - innermost loop = unit stride ------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_INTERCHANGEFORLOCALITY
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// +1 per operand whose last index is loop `dim`, -1 per operand that uses
/// `dim` at another position (strided), 0 when the operand ignores it.
int contiguity(linalg::GenericOp op, unsigned dim) {
  int score = 0;
  for (AffineMap map : op.getIndexingMapsArray()) {
    if (map.getNumResults() == 0)
      continue;
    bool last = false, elsewhere = false;
    for (auto [i, expr] : llvm::enumerate(map.getResults()))
      if (expr.isFunctionOfDim(dim)) {
        if (i + 1 == map.getNumResults() && isa<AffineDimExpr>(expr))
          last = true;
        else
          elsewhere = true;
      }
    score += last ? 1 : (elsewhere ? -1 : 0);
  }
  return score;
}

struct InterchangeForLocalityPass
    : mlir::ssm::impl::InterchangeForLocalityBase<InterchangeForLocalityPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.getNumLoops() >= 2 && !isa<linalg::FillOp, linalg::CopyOp>(op))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic =
          dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          continue;
        generic = *g;
      }
      unsigned loops = generic.getNumLoops(), innermost = loops - 1;
      unsigned best = innermost;
      int bestScore = contiguity(generic, innermost);
      for (unsigned d = 0; d < innermost; ++d)
        if (int score = contiguity(generic, d); score > bestScore) {
          best = d;
          bestScore = score;
        }
      // The parallel loops go outside the reductions (keeping their order):
      // a gradient's sum over the tokens (dW[o, k] = sum_l dy[l, o] x[l, k])
      // would otherwise run as a sequential loop around a parallel one,
      // which the thread pool never sees (it outlines top-level parallel
      // loops only).
      SmallVector<unsigned> order;
      for (bool parallel : {true, false})
        for (unsigned d = 0; d < loops; ++d)
          if (d != best && linalg::isParallelIterator(
                               generic.getIteratorTypesArray()[d]) == parallel)
            order.push_back(d);
      order.push_back(best);
      if (llvm::equal(order, llvm::seq<unsigned>(0, loops)))
        continue;
      (void)linalg::interchangeGenericOp(rewriter, generic, order);
    }
  }
};

} // namespace
