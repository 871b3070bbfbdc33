//===- SSMCanonicalize.cpp - ssm canonicalization patterns ------------===//
//
// Each rewrite here is mathematically exact; test/Dialect/SSM/canonicalize.mlir
// covers every one.
//
//===----------------------------------------------------------------------===//

#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

/// Drops the last-state result of a scan when nothing uses it.
struct DropUnusedLastState : OpRewritePattern<SelectiveScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectiveScanOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getLastState() || !op.getLastState().use_empty())
      return failure();
    auto scan = SelectiveScanOp::create(
        rewriter, op.getLoc(), op.getU(), op.getDelta(), op.getA(), op.getB(),
        op.getC(), op.getD(), op.getZ(), op.getDeltaBias(),
        op.getDeltaSoftplus(), op.getReverse(), /*return_last_state=*/false,
        op.getOutTypeAttr());
    rewriter.replaceAllUsesWith(op.getOut(), scan.getOut());
    rewriter.eraseOp(op);
    return success();
  }
};

/// cross_merge(cross_scan(x)) = k * x for k directions (the two are adjoint
/// index maps; each direction is a permutation of the grid).
struct MergeOfScan : OpRewritePattern<CrossMergeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CrossMergeOp merge,
                                PatternRewriter &rewriter) const override {
    auto scan = merge.getInput().getDefiningOp<CrossScanOp>();
    if (!scan || scan.getDirections() != merge.getDirections())
      return failure();
    Value x = scan.getInput();
    if (x.getType() != merge.getType())
      return failure(); // different grid (h, w) over the same length
    int64_t k = merge.getDirections().size();
    if (k == 1) {
      rewriter.replaceOp(merge, x);
      return success();
    }
    auto type = cast<RankedTensorType>(x.getType());
    if (!type.hasStaticShape())
      return failure();
    auto factor = arith::ConstantOp::create(
        rewriter, merge.getLoc(),
        DenseElementsAttr::get(
            type, rewriter.getFloatAttr(type.getElementType(), double(k))));
    rewriter.replaceOpWithNewOp<arith::MulFOp>(merge, x, factor);
    return success();
  }
};

} // namespace

void SelectiveScanOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                  MLIRContext *context) {
  results.add<DropUnusedLastState>(context);
}

void CrossMergeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                               MLIRContext *context) {
  results.add<MergeOfScan>(context);
}
