//===- RowReductions.cpp - ssm-row-reductions-to-gpu
//-----------------------===//
//
// Reductions over a contiguous innermost dimension (the statistics of
// LayerNorm and RMSNorm over channels, row sums) as a GPU kernel with one
// warp per row: each lane folds a strided slice of the row, the lanes combine
// through xor shuffles, and lane 0 folds in the output's initial value and
// stores. planRowReduction (KernelPlans.h) decides which reductions qualify
// and the launch shape; the rest stay linalg ops for
// ssm-distribute-parallel-loops (one thread per row).
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/EmitUtils.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"
#include "ssm/Conversion/SSMToGPU/RowReductionUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMROWREDUCTIONSTOGPU
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using mlir::ssm::detail::RowReduction;

std::optional<RowReduction>
mlir::ssm::detail::matchRowReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op.getNumParallelLoops() < 1)
    return std::nullopt;
  unsigned loops = op.getNumLoops(), k = loops - 1;
  auto iterators = op.getIteratorTypesArray();
  unsigned dim = llvm::find(iterators, utils::IteratorType::reduction) -
                 iterators.begin();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  auto outType = dyn_cast<MemRefType>(init->get().getType());
  if (!outType || !outType.getElementType().isF32() ||
      op.getMatchingIndexingMap(init).isFunctionOfDim(dim))
    return std::nullopt;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Operation *combiner = yield.getOperand(0).getDefiningOp();
  BlockArgument acc = op.getMatchingBlockArgument(init);
  if (!combiner ||
      !isa<arith::AddFOp, arith::MaximumFOp, arith::MaxNumFOp,
           arith::MinimumFOp, arith::MinNumFOp>(combiner) ||
      !acc.hasOneUse() || acc.getUses().begin()->getOwner() != combiner ||
      !combiner->getResult(0).hasOneUse())
    return std::nullopt;
  RowReduction r;
  r.op = op;
  r.combiner = combiner;
  r.value = combiner->getOperand(0) == acc ? combiner->getOperand(1)
                                           : combiner->getOperand(0);
  if (r.value == acc)
    return std::nullopt;
  r.dim = dim;
  for (unsigned d = 0; d < loops; ++d)
    if (d != dim)
      r.rows *= ranges[d];
  r.rowLength = ranges[dim];
  r.contiguous = dim == k;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    auto type = dyn_cast<MemRefType>(in->get().getType());
    if (!type)
      return std::nullopt;
    if (!map.isFunctionOfDim(k))
      continue;
    auto last = dyn_cast<AffineDimExpr>(map.getResults().back());
    bool onlyLast = last && last.getPosition() == k;
    for (AffineExpr e : map.getResults().drop_back())
      onlyLast &= !e.isFunctionOfDim(k);
    if (!onlyLast || !type.getLayout().isIdentity())
      r.contiguous = false;
  }
  return r;
}

Value mlir::ssm::detail::reductionIdentity(OpBuilder &b, Location loc,
                                           Operation *combiner) {
  float v = 0.0f;
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner))
    v = -std::numeric_limits<float>::infinity();
  else if (isa<arith::MinimumFOp, arith::MinNumFOp>(combiner))
    v = std::numeric_limits<float>::infinity();
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

Value mlir::ssm::detail::combineLike(OpBuilder &b, Location loc,
                                     Operation *combiner, Value x, Value y) {
  OperationState state(loc, combiner->getName());
  state.addOperands({x, y});
  state.addTypes(x.getType());
  state.addAttributes(combiner->getAttrs());
  return b.create(state)->getResult(0);
}

ssm::detail::WarpPerRowLaunch mlir::ssm::detail::createWarpPerRowLaunch(
    OpBuilder &b, Location loc, int64_t blocks, int64_t lanes,
    int64_t rowsPerBlock, int64_t rows) {
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value one = idx(1);
  auto launch = gpu::LaunchOp::create(b, loc, idx(blocks), one, one,
                                      idx(lanes), idx(rowsPerBlock), one);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value row = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x, idx(rowsPerBlock)),
      launch.getThreadIds().y);
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                        idx(rows));
  auto guard = scf::IfOp::create(b, loc, inRange, /*withElse=*/false);
  b.setInsertionPointToStart(guard.thenBlock());
  return {launch, row, guard};
}

namespace {

/// The element values of loop point `ivs`: the body's ops up to the
/// combiner, cloned with each input block argument replaced by its load.
Value emitValue(OpBuilder &b, Location loc, const RowReduction &r,
                ValueRange ivs) {
  linalg::GenericOp op = r.op;
  IRMapping map;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    SmallVector<Value> indices;
    for (AffineExpr e : m.getResults())
      indices.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(m.getNumDims(), 0, e), ivs));
    Value v = memref::LoadOp::create(b, loc, in->get(), indices);
    map.map(op.getMatchingBlockArgument(in), v);
  }
  for (Operation &inner : op.getRegion().front().without_terminator()) {
    if (&inner == r.combiner)
      break;
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      map.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, map);
  }
  return map.lookupOrDefault(r.value);
}

struct RowReductionsToGPUPass
    : ssm::impl::SSMRowReductionsToGPUBase<RowReductionsToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ssm::GPUTargetInfo target = ssm::getGPUTargetInfo(chip);
    SmallVector<RowReduction> todo;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<gpu::LaunchOp>() ||
          op->getParentOfType<gpu::GPUFuncOp>())
        return;
      if (std::optional<RowReduction> r = ssm::detail::matchRowReduction(op))
        todo.push_back(*r);
    });
    for (RowReduction &r : todo) {
      ssm::RowReductionPlan plan =
          ssm::planRowReduction(r.rows, r.rowLength, r.contiguous, target);
      if (plan.strategy != ssm::ReductionStrategy::WarpPerRow)
        continue;
      emit(r, plan);
    }
  }

  void emit(const RowReduction &r, const ssm::RowReductionPlan &plan) {
    linalg::GenericOp op = r.op;
    Location loc = op.getLoc();
    OpBuilder b(op);
    auto idx = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto [launch, row, guard] = ssm::detail::createWarpPerRowLaunch(
        b, loc, plan.blocks, plan.lanesPerRow, plan.rowsPerBlock, r.rows);
    Value lane = launch.getThreadIds().x;

    // The row's parallel indices, innermost fastest.
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    unsigned k = op.getNumLoops() - 1;
    SmallVector<Value> rowSizes;
    for (unsigned d = 0; d < k; ++d)
      rowSizes.push_back(idx(ranges[d]));
    SmallVector<Value> ivs = ssm::detail::delinearize(b, loc, row, rowSizes);
    ivs.push_back(Value()); // the reduction index, set per use below

    // Each lane folds elements lane, lane + lanes, ...
    Value init = ssm::detail::reductionIdentity(b, loc, r.combiner);
    auto loop = scf::ForOp::create(b, loc, lane, idx(r.rowLength),
                                   idx(plan.lanesPerRow), ValueRange{init});
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      ivs[k] = loop.getInductionVar();
      Value v = emitValue(b, loc, r, ivs);
      Value acc = ssm::detail::combineLike(b, loc, r.combiner, v,
                                           loop.getRegionIterArgs()[0]);
      scf::YieldOp::create(b, loc, acc);
    }
    Value acc = loop.getResult(0);
    for (int64_t offset = plan.lanesPerRow / 2; offset >= 1; offset /= 2) {
      Value other = gpu::ShuffleOp::create(b, loc, acc, int32_t(offset),
                                           int32_t(plan.lanesPerRow),
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      acc = ssm::detail::combineLike(b, loc, r.combiner, acc, other);
    }
    // Lane 0 folds the output's initial value in and stores.
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, idx(0));
    auto store = scf::IfOp::create(b, loc, first, /*withElse=*/false);
    b.setInsertionPointToStart(store.thenBlock());
    OpOperand *out = op.getDpsInitOperand(0);
    AffineMap m = op.getMatchingIndexingMap(out);
    SmallVector<Value> indices;
    ivs[k] = idx(0);
    for (AffineExpr e : m.getResults())
      indices.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(m.getNumDims(), 0, e), ivs));
    Value old = memref::LoadOp::create(b, loc, out->get(), indices);
    memref::StoreOp::create(
        b, loc, ssm::detail::combineLike(b, loc, r.combiner, acc, old),
        out->get(), indices);
    b.setInsertionPointToEnd(&launch.getBody().front());
    gpu::TerminatorOp::create(b, loc);
    op.erase();
  }
};

} // namespace
