//===- SplitReductions.cpp - partial sums for few-output reductions -------===//
//
// Passes.td (ssm-split-reductions): a reduction planSplitReduction splits
// becomes partial sums over slices of one reduction loop (a new leading
// parallel loop) and a short sum of the partials onto the original init.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SPLITREDUCTIONS
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// One f32 or f64 output (the train step sums its global gradient norm in
/// f64) accumulated by addf, indexed by every parallel loop once (any loop
/// order); no linalg.index.
bool isSplittable(linalg::GenericOp g) {
  if (g.getNumResults() != 1 || g.getNumDpsInits() != 1 ||
      !isa<RankedTensorType>(g.getResult(0).getType()))
    return false;
  auto outType = cast<RankedTensorType>(g.getResult(0).getType());
  if (!outType.hasStaticShape() ||
      !isa<Float32Type, Float64Type>(outType.getElementType()))
    return false;
  auto iters = g.getIteratorTypesArray();
  AffineMap outMap = g.getIndexingMapsArray().back();
  if (!outMap.isProjectedPermutation() ||
      int64_t(outMap.getNumResults()) != outType.getRank() ||
      outMap.getNumResults() == iters.size())
    return false;
  for (AffineExpr e : outMap.getResults())
    if (iters[cast<AffineDimExpr>(e).getPosition()] !=
        utils::IteratorType::parallel)
      return false;
  if (int64_t(llvm::count(iters, utils::IteratorType::parallel)) !=
      outType.getRank())
    return false;
  Block &body = g.getRegion().front();
  if (!body.getOps<linalg::IndexOp>().empty())
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  BlockArgument acc = body.getArguments().back();
  return add && acc.hasOneUse() && (add.getLhs() == acc || add.getRhs() == acc);
}

/// The loop positions of `g`'s reductions, in loop order.
SmallVector<int64_t> reductionLoops(linalg::GenericOp g) {
  SmallVector<int64_t> loops;
  for (auto [i, it] : llvm::enumerate(g.getIteratorTypesArray()))
    if (it == utils::IteratorType::reduction)
      loops.push_back(i);
  return loops;
}

void split(RewriterBase &rewriter, linalg::GenericOp g,
           const ssm::SplitReductionPlan &plan) {
  MLIRContext *ctx = g.getContext();
  Location loc = g.getLoc();
  auto outType = cast<RankedTensorType>(g.getResult(0).getType());
  const int64_t rank = outType.getRank();
  SmallVector<int64_t> ranges = g.getStaticLoopRanges();
  const int64_t numLoops = ranges.size();
  const int64_t r = reductionLoops(g)[plan.dim];
  const int64_t slice = ranges[r] / plan.splits;

  // The new loops are (s, the old loops...): old loop i is d{i+1}, and the
  // split loop r reads s * slice + r'.
  SmallVector<AffineExpr> oldToNew;
  for (int64_t i = 0; i < numLoops; ++i) {
    AffineExpr d = getAffineDimExpr(i + 1, ctx);
    oldToNew.push_back(i == r ? getAffineDimExpr(0, ctx) * slice + d : d);
  }
  SmallVector<AffineMap> maps;
  for (OpOperand *in : g.getDpsInputOperands())
    maps.push_back(g.getMatchingIndexingMap(in).replaceDimsAndSymbols(
        oldToNew, {}, numLoops + 1, 0));
  // An unread [splits, slice] operand indexed (s, r'): linalg infers each
  // loop's range from a plain dim of some operand, which s * slice + r'
  // alone is not (as upstream's splitReductionByScaling does).
  maps.push_back(AffineMap::get(
      numLoops + 1, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(r + 1, ctx)},
      ctx));
  // Partials [s, the output's dims...].
  SmallVector<AffineExpr> partialDims = {getAffineDimExpr(0, ctx)};
  for (AffineExpr e : g.getIndexingMapsArray().back().getResults())
    partialDims.push_back(oldToNew[cast<AffineDimExpr>(e).getPosition()]);
  maps.push_back(AffineMap::get(numLoops + 1, 0, partialDims, ctx));
  SmallVector<utils::IteratorType> iters = {utils::IteratorType::parallel};
  llvm::append_range(iters, g.getIteratorTypesArray());

  rewriter.setInsertionPoint(g);
  SmallVector<int64_t> partialShape = {plan.splits};
  llvm::append_range(partialShape, outType.getShape());
  Value empty = tensor::EmptyOp::create(rewriter, loc, partialShape,
                                        outType.getElementType());
  Value zero = arith::ConstantOp::create(
      rewriter, loc, rewriter.getFloatAttr(outType.getElementType(), 0.0));
  Value partialInit =
      linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
  Type i1 = rewriter.getI1Type();
  Value sliceShape = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{plan.splits, slice}, i1);
  SmallVector<Value> inputs(g.getDpsInputs());
  inputs.push_back(sliceShape);
  auto partials =
      linalg::GenericOp::create(rewriter, loc, TypeRange{partialInit.getType()},
                                inputs, ValueRange{partialInit}, maps, iters);
  rewriter.cloneRegionBefore(g.getRegion(), partials.getRegion(),
                             partials.getRegion().end());
  partials.getRegion().front().insertArgument(unsigned(g.getNumDpsInputs()), i1,
                                              loc);

  // out = init + sum over s of partials[s, ...].
  SmallVector<AffineExpr> sumIn = {getAffineDimExpr(rank, ctx)};
  for (int64_t i = 0; i < rank; ++i)
    sumIn.push_back(getAffineDimExpr(i, ctx));
  SmallVector<AffineMap> sumMaps = {
      AffineMap::get(rank + 1, 0, sumIn, ctx),
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
  SmallVector<utils::IteratorType> sumIters(rank,
                                            utils::IteratorType::parallel);
  sumIters.push_back(utils::IteratorType::reduction);
  auto total = linalg::GenericOp::create(
      rewriter, loc, TypeRange{outType}, partials.getResult(0),
      g.getDpsInits()[0], sumMaps, sumIters,
      [](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(
            b, l, Value(arith::AddFOp::create(b, l, args[1], args[0])));
      });
  rewriter.replaceOp(g, total.getResults());
}

struct SplitReductionsPass
    : mlir::ssm::impl::SplitReductionsBase<SplitReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    const ssm::GPUTargetInfo target = ssm::getGPUTargetInfo(chip);
    SmallVector<std::pair<linalg::GenericOp, ssm::SplitReductionPlan>> work;
    getOperation().walk([&](linalg::GenericOp g) {
      if (!isSplittable(g))
        return;
      SmallVector<int64_t> ranges = g.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        return;
      int64_t outputs = 1;
      std::vector<int64_t> reductions;
      for (auto [i, it] : llvm::enumerate(g.getIteratorTypesArray())) {
        if (it == utils::IteratorType::parallel)
          outputs *= ranges[i];
        else
          reductions.push_back(ranges[i]);
      }
      ssm::SplitReductionPlan plan =
          ssm::planSplitReduction(outputs, reductions, target);
      if (plan.splits >= 2)
        work.push_back({g, plan});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[g, plan] : work)
      split(rewriter, g, plan);
  }
};

} // namespace
