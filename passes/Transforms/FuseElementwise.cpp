//===- FuseElementwise.cpp - elementwise chains into one loop nest ----===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"
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

/// Fusing a producer that has several users copies its computation into each
/// consumer. That is cheap for a sum of inputs, but not along a residual
/// stream (r1 = x + h0 feeds a norm and r2 = r1 + h1, which feeds the next
/// norm and r3 = r2 + h2, ...): the copies compound, layer i's kernels would
/// recompute x + h0 + ... + h(i-1) from i + 1 buffers (quadratic work, and
/// every layer's kernels distinct). So a multi-user elementwise op that
/// reads another multi-user elementwise op's result is computed once (as are
/// the ops that replace it as fusion proceeds).
struct KeepOnce : RewriterBase::Listener {
  DenseSet<Operation *> ops;
  bool rewritingKept = false;

  static bool isShared(Operation *op) {
    return allParallel(op) && !op->hasOneUse();
  }
  explicit KeepOnce(Operation *root) {
    root->walk([&](linalg::LinalgOp op) {
      if (isShared(op) && llvm::any_of(op->getOperands(), [](Value v) {
            return isShared(v.getDefiningOp());
          }))
        ops.insert(op);
    });
  }
  bool mayDuplicate(Operation *producer) const {
    return producer->hasOneUse() || !ops.contains(producer);
  }
  // A fusion replaces its consumer (the pattern's root) by a new op: the
  // linalg ops created while a pattern rewrites a kept op are kept too.
  void notifyPatternBegin(const Pattern &, Operation *root) override {
    rewritingKept = ops.contains(root);
  }
  void notifyPatternEnd(const Pattern &, LogicalResult) override {
    rewritingKept = false;
  }
  void notifyOperationInserted(Operation *op, OpBuilder::InsertPoint) override {
    if (rewritingKept && isa<linalg::LinalgOp>(op))
      ops.insert(op);
  }
  void notifyOperationErased(Operation *op) override { ops.erase(op); }
};

/// A generic whose whole payload widens its one input (`extf`), yielded.
bool isWidenOnly(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1)
    return false;
  Block *body = generic.getBody();
  return body->getOperations().size() == 2 &&
         isa<arith::ExtFOp>(body->front());
}

/// A linalg op whose payload rounds (arith.truncf).
bool rounds(Operation *op) {
  bool found = false;
  op->walk([&](arith::TruncFOp) { found = true; });
  return found;
}

/// A generic that only rounds a contraction's result to 16 bits: the GEMM's
/// epilogue (ssm-narrow-activations), which the GEMM lowering folds into
/// the GEMM. Fused into its readers, the GEMM would store f32 again.
bool isGemmRounding(Operation *op) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!g || !ssm::gemm::roundsTo16Bit(g))
    return false;
  auto producer = g.getDpsInputs()[0].getDefiningOp<linalg::LinalgOp>();
  return producer && producer.getNumReductionLoops() > 0;
}

/// A contraction with one reduction loop that gemm::matchContraction does
/// not take: it stays a loop nest.
bool isNonGemmContraction(Operation *op) {
  auto g = dyn_cast<linalg::GenericOp>(op);
  bool w0 = false, w1 = false;
  return g && g.getNumReductionLoops() == 1 &&
         ssm::gemm::isMulAddBody(g, w0, w1) &&
         failed(ssm::gemm::matchContraction(g));
}

/// A named transpose as the equivalent linalg.generic, so that it fuses like
/// any elementwise op: the permutation becomes the indexing map its consumer
/// (or producer) reads through, and the transposed tensor is never stored.
struct GeneralizeTranspose : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    return linalg::generalizeNamedOp(rewriter, op);
  }
};

struct FuseElementwisePass
    : mlir::ssm::impl::FuseElementwiseBase<FuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    KeepOnce keepOnce(getOperation());
    RewritePatternSet patterns(&getContext());
    patterns.add<GeneralizeTranspose>(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [&](OpOperand *operand) {
          Operation *producer = operand->get().getDefiningOp();
          if (!allParallel(producer) || !keepOnce.mayDuplicate(producer) ||
              producer->hasAttr(ssm::kMaterializeAttr) ||
              isGemmRounding(producer))
            return false;
          // A value rounded to 16 bits and widened again is stored in 16
          // bits (a GEMM operand the GEMM reads as is, an intermediate of a
          // bf16 model): the rounding fuses into what produces the value,
          // never into the widening, or the 16-bit tensor would disappear.
          // A producer that only moves 16-bit values (a flip) may fuse.
          if (getElementTypeOrSelf(operand->get().getType())
                      .getIntOrFloatBitWidth() < 32 &&
              isWidenOnly(operand->getOwner()) && rounds(producer))
            return false;
          if (allParallel(operand->getOwner()))
            return true;
          // A widening is one extf per load: a contraction that is no GEMM
          // (a loop nest that loads each element several times, e.g.
          // VMamba's grouped x_proj / dt_proj at batch > 1) widens what it
          // loads rather than read an f32 copy stored by a kernel of its
          // own. A GEMM reads the 16-bit tensor through the widening.
          if (isWidenOnly(producer) && isNonGemmContraction(operand->getOwner()))
            return true;
          // A reduction that reads each element of the operand exactly once
          // (its map is a permutation of all loops, e.g. a norm's sum of
          // squares) may compute the producer inline: no recomputation.
          auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
          return consumer &&
                 consumer.getMatchingIndexingMap(operand).isPermutation();
        });
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig().setListener(&keepOnce))))
      signalPassFailure();
  }
};

} // namespace
