//===- GemmReductionsToK.cpp - several reduction loops as one k -----------===//
//
// Passes.td (ssm-gemm-reductions-to-k): a contraction summing over several
// loops (a weight gradient over batch and tokens) gets inputs transposed and
// collapsed so the loops are one k, and then matches as a GEMM.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_GEMMREDUCTIONSTOK
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// The loop dims of `map`'s results, if each is a plain, distinct dim.
std::optional<SmallVector<int64_t>> plainDims(AffineMap map) {
  if (!map.isProjectedPermutation())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

bool qualifies(linalg::GenericOp g) {
  bool w0, w1;
  if (g.getNumResults() != 1 ||
      !isa<RankedTensorType>(g.getResult(0).getType()) ||
      !ssm::gemm::isMulAddBody(g, w0, w1))
    return false;
  auto outType = cast<RankedTensorType>(g.getResult(0).getType());
  if (!outType.hasStaticShape() || !outType.getElementType().isF32())
    return false;
  auto iters = g.getIteratorTypesArray();
  const int64_t reductions = llvm::count(iters, utils::IteratorType::reduction);
  if (reductions < 2)
    return false;
  auto out = plainDims(g.getIndexingMapsArray()[2]);
  if (!out || int64_t(out->size()) + reductions != int64_t(iters.size()))
    return false;
  for (int64_t d : *out)
    if (iters[d] != utils::IteratorType::parallel)
      return false;
  for (unsigned i = 0; i < 2; ++i) {
    auto type = dyn_cast<RankedTensorType>(g.getDpsInputs()[i].getType());
    auto dims = plainDims(g.getIndexingMapsArray()[i]);
    if (!type || !type.hasStaticShape() || !dims)
      return false;
    for (auto [d, it] : llvm::enumerate(iters))
      if (it == utils::IteratorType::reduction && !llvm::is_contained(*dims, d))
        return false;
  }
  return true;
}

void rewrite(RewriterBase &rewriter, linalg::GenericOp g) {
  MLIRContext *ctx = g.getContext();
  Location loc = g.getLoc();
  auto iters = g.getIteratorTypesArray();
  SmallVector<int64_t> reductionLoops;
  for (auto [d, it] : llvm::enumerate(iters))
    if (it == utils::IteratorType::reduction)
      reductionLoops.push_back(d);
  SmallVector<int64_t> outDims = *plainDims(g.getIndexingMapsArray()[2]);
  const int64_t rank = outDims.size();
  rewriter.setInsertionPoint(g);

  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (unsigned i = 0; i < 2; ++i) {
    Value input = g.getDpsInputs()[i];
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> dims = *plainDims(g.getIndexingMapsArray()[i]);
    // Where the input holds the reduction dims, in loop order. Already one
    // adjacent run (token-major activations: (b, l) leading): collapsed in
    // place. Otherwise transposed: the kept (parallel) dims in their order,
    // then the reduction dims.
    SmallVector<int64_t> runPos;
    for (int64_t d : reductionLoops)
      runPos.push_back(llvm::find(dims, d) - dims.begin());
    bool adjacent = true;
    for (size_t j = 1; j < runPos.size(); ++j)
      adjacent &= runPos[j] == runPos[j - 1] + 1;
    SmallVector<int64_t> order; // input positions in the new dim order
    if (adjacent) {
      order = llvm::to_vector(llvm::seq<int64_t>(0, dims.size()));
    } else {
      for (auto [pos, d] : llvm::enumerate(dims))
        if (!llvm::is_contained(reductionLoops, d))
          order.push_back(pos);
      llvm::append_range(order, runPos);
      SmallVector<int64_t> shape;
      for (int64_t p : order)
        shape.push_back(type.getDimSize(p));
      Value init =
          tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
      input = linalg::TransposeOp::create(rewriter, loc, input, init, order)
                  .getResult()[0];
    }
    // Groups over the (possibly transposed) dims: one per kept dim, one for
    // the run of reductions; the new loops are the output's dims, then k.
    SmallVector<ReassociationIndices> groups;
    SmallVector<AffineExpr> results;
    for (int64_t q = 0; q < int64_t(order.size());) {
      int64_t loop = dims[order[q]];
      if (loop == reductionLoops.front()) {
        ReassociationIndices k;
        for (size_t j = 0; j < reductionLoops.size(); ++j)
          k.push_back(q++);
        groups.push_back(k);
        results.push_back(getAffineDimExpr(rank, ctx));
        continue;
      }
      groups.push_back({q++});
      results.push_back(
          getAffineDimExpr(llvm::find(outDims, loop) - outDims.begin(), ctx));
    }
    input = tensor::CollapseShapeOp::create(rewriter, loc, input, groups);
    inputs.push_back(input);
    maps.push_back(AffineMap::get(rank + 1, 0, results, ctx));
  }
  maps.push_back(
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank));
  SmallVector<utils::IteratorType> newIters(rank,
                                            utils::IteratorType::parallel);
  newIters.push_back(utils::IteratorType::reduction);
  auto contraction =
      linalg::GenericOp::create(rewriter, loc, g.getResultTypes(), inputs,
                                g.getDpsInits(), maps, newIters);
  rewriter.cloneRegionBefore(g.getRegion(), contraction.getRegion(),
                             contraction.getRegion().end());
  rewriter.replaceOp(g, contraction.getResults());
}

struct GemmReductionsToKPass
    : mlir::ssm::impl::GemmReductionsToKBase<GemmReductionsToKPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> work;
    getOperation().walk([&](linalg::GenericOp g) {
      if (qualifies(g))
        work.push_back(g);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp g : work)
      rewrite(rewriter, g);
  }
};

} // namespace
