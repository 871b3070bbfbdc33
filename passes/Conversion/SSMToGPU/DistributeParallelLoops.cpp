//===- DistributeParallelLoops.cpp - generic loops onto GPU threads -------===//
//
// ssm-reductions-innermost and ssm-distribute-parallel-loops (Passes.td):
// everything that no dedicated kernel (scan, SS2D, GEMM) takes becomes loops;
// these two passes make those loops GPU kernels with one thread per output
// element instead of one block per element (gpu-map-parallel-loops alone maps
// a single parallel loop to blocks of one thread).
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/EmitUtils.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"
#include "ssm/Conversion/SSMToGPU/MemoryExtent.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMREDUCTIONSINNERMOST
#define GEN_PASS_DEF_SSMDISTRIBUTEPARALLELLOOPS
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

bool insideKernel(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<gpu::GPUFuncOp>();
}

//===----------------------------------------------------------------------===//
// ssm-reductions-innermost
//===----------------------------------------------------------------------===//

struct ReductionsInnermostPass
    : ssm::impl::SSMReductionsInnermostBase<ReductionsInnermostPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!insideKernel(op) && op.getNumReductionLoops() > 0 &&
          op.getNumParallelLoops() > 0)
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      // Parallel loops first (in their order), then the reductions.
      SmallVector<unsigned> order;
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      for (auto [d, it] : llvm::enumerate(iterators))
        if (it == utils::IteratorType::parallel)
          order.push_back(d);
      for (auto [d, it] : llvm::enumerate(iterators))
        if (it != utils::IteratorType::parallel)
          order.push_back(d);
      if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
        continue;
      rewriter.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          continue;
        generic = *g;
      }
      (void)linalg::interchangeGenericOp(rewriter, generic, order);
    }
  }
};

//===----------------------------------------------------------------------===//
// ssm-distribute-parallel-loops
//===----------------------------------------------------------------------===//

gpu::ParallelLoopDimMappingAttr mapTo(MLIRContext *ctx, gpu::Processor p) {
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::ParallelLoopDimMappingAttr::get(ctx, p, id, id);
}

/// Iterations of loop dimension `d`, when static.
std::optional<int64_t> staticTripCount(scf::ParallelOp loop, unsigned d) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()[d]);
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound()[d]);
  std::optional<int64_t> step = getConstantIntValue(loop.getStep()[d]);
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  return *ub <= *lb ? 0 : (*ub - *lb + *step - 1) / *step;
}

/// Which of a parallel loop's induction variables index the unit-stride
/// dimension of the accesses in its body, and the next-outer dimension
/// where it is contiguous with it, for planLinearizationOrder.
class UnitStrideVotes {
public:
  explicit UnitStrideVotes(scf::ParallelOp root) : root(root) {}

  std::vector<ssm::LoopAccess> collect() {
    std::vector<ssm::LoopAccess> accesses;
    auto add = [&](Value base, ValueRange indices, bool isStore) {
      auto [loop, outerLoop] = unitStrideLoops(base, indices);
      accesses.push_back({loop, isStore, outerLoop});
    };
    root.getBody()->walk([&](Operation *op) {
      if (auto load = dyn_cast<memref::LoadOp>(op))
        add(load.getMemRef(), load.getIndices(), false);
      else if (auto store = dyn_cast<memref::StoreOp>(op))
        add(store.getMemRef(), store.getIndices(), true);
      else if (auto load = dyn_cast<vector::LoadOp>(op))
        add(load.getBase(), load.getIndices(), false);
      else if (auto store = dyn_cast<vector::StoreOp>(op))
        add(store.getBase(), store.getIndices(), true);
      else if (auto read = dyn_cast<vector::TransferReadOp>(op))
        add(minorIdentity(read), read.getIndices(), false);
      else if (auto write = dyn_cast<vector::TransferWriteOp>(op))
        add(minorIdentity(write), write.getIndices(), true);
    });
    return accesses;
  }

private:
  /// The induction variables `v` depends on (bit d: loop d), all of them
  /// where that is unknown (a value carried or produced by a region op).
  uint64_t deps(Value v) {
    if (!root.getRegion().isAncestor(v.getParentRegion()))
      return 0;
    auto [it, inserted] = memo.try_emplace(v, ~uint64_t(0));
    if (!inserted)
      return it->second;
    uint64_t result = ~uint64_t(0);
    auto operandDeps = [&](ValueRange operands) {
      uint64_t d = 0;
      for (Value operand : operands)
        d |= deps(operand);
      return d;
    };
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      Operation *owner = arg.getOwner()->getParentOp();
      if (owner == root.getOperation()) {
        result = uint64_t(1) << arg.getArgNumber();
      } else if (auto loop = dyn_cast<scf::ForOp>(owner)) {
        if (arg == loop.getInductionVar())
          result = operandDeps(
              {loop.getLowerBound(), loop.getUpperBound(), loop.getStep()});
      } else if (auto loop = dyn_cast<scf::ParallelOp>(owner)) {
        result = operandDeps(loop.getLowerBound()) |
                 operandDeps(loop.getUpperBound()) |
                 operandDeps(loop.getStep());
      }
    } else if (Operation *op = v.getDefiningOp(); op->getNumRegions() == 0) {
      result = operandDeps(op->getOperands());
    }
    return memo[v] = result;
  }

  /// The loop d where `v` is iv_d, or iv_d plus values that depend on no
  /// induction variable (a conv window's oh + kh).
  std::optional<unsigned> unitIv(Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return arg.getOwner()->getParentOp() == root.getOperation()
                 ? std::optional<unsigned>(arg.getArgNumber())
                 : std::nullopt;
    if (auto add = v.getDefiningOp<arith::AddIOp>()) {
      for (auto [x, y] : {std::pair(add.getLhs(), add.getRhs()),
                          std::pair(add.getRhs(), add.getLhs())})
        if (deps(y) == 0)
          if (std::optional<unsigned> d = unitIv(x))
            return d;
      return std::nullopt;
    }
    auto apply = v.getDefiningOp<affine::AffineApplyOp>();
    if (!apply)
      return std::nullopt;
    AffineMap map = apply.getAffineMap();
    std::optional<unsigned> pos;
    for (auto [i, operand] : llvm::enumerate(apply.getMapOperands())) {
      if (deps(operand) == 0)
        continue;
      if (pos)
        return std::nullopt;
      pos = i;
    }
    if (!pos)
      return std::nullopt;
    AffineExpr term =
        *pos < map.getNumDims()
            ? getAffineDimExpr(*pos, map.getContext())
            : getAffineSymbolExpr(*pos - map.getNumDims(), map.getContext());
    if (!isUnitTerm(map.getResult(0), term))
      return std::nullopt;
    return unitIv(apply.getMapOperands()[*pos]);
  }

  /// Whether `e` is `term` plus terms without it.
  static bool isUnitTerm(AffineExpr e, AffineExpr term) {
    if (e == term)
      return true;
    auto add = dyn_cast<AffineBinaryOpExpr>(e);
    if (!add || add.getKind() != AffineExprKind::Add)
      return false;
    auto uses = [&](AffineExpr x) {
      bool found = false;
      x.walk([&](AffineExpr sub) { found |= sub == term; });
      return found;
    };
    return (isUnitTerm(add.getLHS(), term) && !uses(add.getRHS())) ||
           (isUnitTerm(add.getRHS(), term) && !uses(add.getLHS()));
  }

  /// The loop that indexes the unit-stride last dimension of `base`, -1
  /// where none does or the layout is not unit-stride there, and the loop
  /// that indexes the next-outer dimension where the two are contiguous (its
  /// static stride is the last dimension's static size), else -1. Loops of a
  /// single iteration get no vote: they place no neighbours.
  std::pair<int, int> unitStrideLoops(Value base, ValueRange indices) {
    auto type = base ? dyn_cast<MemRefType>(base.getType()) : MemRefType();
    if (!type || indices.empty() || !type.isLastDimUnitStride())
      return {-1, -1};
    int loop = voteOf(indices.back());
    if (loop < 0 || indices.size() < 2 || type.getRank() < 2)
      return {loop, -1};
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)))
      return {loop, -1};
    int64_t rowStride = strides[strides.size() - 2];
    int64_t rowSize = type.getShape().back();
    if (ShapedType::isDynamic(rowStride) || ShapedType::isDynamic(rowSize) ||
        rowStride != rowSize)
      return {loop, -1};
    return {loop, voteOf(indices[indices.size() - 2])};
  }

  /// The loop `index` is the induction variable of (plus loop-invariant
  /// values), -1 where there is none or it runs a single iteration.
  int voteOf(Value index) {
    std::optional<unsigned> d = unitIv(index);
    if (!d || staticTripCount(root, *d) == 1)
      return -1;
    return int(*d);
  }

  /// A transfer's base where its vector runs along the memref's last
  /// dimensions in order, null otherwise.
  template <typename TransferOp> static Value minorIdentity(TransferOp op) {
    return op.getPermutationMap().isMinorIdentity() ? op.getBase() : Value();
  }

  scf::ParallelOp root;
  DenseMap<Value, uint64_t> memo;
};

/// The smallest element size in bytes of the loads and stores of `loop`'s
/// body where its iterations may run several per thread with all their
/// loads first (planParallelLoop's accessBytes), 0 where they may not: the
/// body must be straight-line loads, stores and ops without memory effects,
/// and no store may touch what a load of another iteration reads, so every
/// loaded buffer is provably disjoint from every stored one, or the load
/// reads exactly the element the store later writes (an in-place update).
int64_t unrollAccessBytes(scf::ParallelOp loop) {
  SmallVector<memref::LoadOp> loads;
  SmallVector<memref::StoreOp> stores;
  int64_t bytes = 0;
  auto account = [&](MemRefType type) {
    Type element = type.getElementType();
    int64_t size =
        element.isIndex() ? 8
        : element.isIntOrFloat()
            ? int64_t(llvm::divideCeil(element.getIntOrFloatBitWidth(), 8))
            : 0;
    if (size > 0)
      bytes = bytes == 0 ? size : std::min(bytes, size);
    return size > 0;
  };
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (op.getNumRegions() != 0)
      return 0;
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (!account(load.getMemRefType()))
        return 0;
      loads.push_back(load);
    } else if (auto store = dyn_cast<memref::StoreOp>(op)) {
      if (!account(store.getMemRefType()))
        return 0;
      stores.push_back(store);
    } else if (!isMemoryEffectFree(&op)) {
      return 0;
    }
  }
  for (memref::StoreOp store : stores)
    for (memref::LoadOp load : loads) {
      bool inPlace = load.getMemRef() == store.getMemRef() &&
                     llvm::equal(load.getIndices(), store.getIndices()) &&
                     load->isBeforeInBlock(store);
      if (!inPlace && !ssm::detail::provablyDisjoint(load.getMemRef(),
                                                    store.getMemRef()))
        return 0;
    }
  return bytes;
}

struct DistributeParallelLoopsPass
    : ssm::impl::SSMDistributeParallelLoopsBase<DistributeParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ssm::GPUTargetInfo target = ssm::getGPUTargetInfo(chip);
    SmallVector<scf::ParallelOp> roots;
    getOperation()->walk([&](scf::ParallelOp loop) {
      if (!insideKernel(loop) && !loop->getParentOfType<scf::ParallelOp>() &&
          loop.getNumReductions() == 0 &&
          !loop->hasAttr(gpu::getMappingAttrName()))
        roots.push_back(loop);
    });
    for (scf::ParallelOp root : roots)
      if (failed(distribute(root, target)))
        return signalPassFailure();
  }

  /// root(i0..ik) { body }  becomes
  ///   parallel (block) { parallel (thread) {
  ///     lin = block * T + thread
  ///     if (lin < total) { (i0..ik) = delinearize(lin); body } } }
  /// with the outer loop mapped to block x, the inner to thread x, and any
  /// loop nested in the body sequential inside its thread. The loop that
  /// indexes the unit-stride dimension of the body's accesses
  /// (planLinearizationOrder; else the innermost) varies fastest with the
  /// thread index, so neighbouring threads touch neighbouring elements, and
  /// the loop that indexes their contiguous next-outer dimension next, so a
  /// warp wider than a row moves on to the following row.
  LogicalResult distribute(scf::ParallelOp root,
                           const ssm::GPUTargetInfo &target) {
    MLIRContext *ctx = &getContext();
    Location loc = root.getLoc();
    OpBuilder b(root);
    const unsigned rank = root.getNumLoops();
    // deps() keeps one bit per loop.
    std::vector<unsigned> order(rank);
    std::iota(order.begin(), order.end(), 0u);
    if (rank <= 64)
      order =
          ssm::planLinearizationOrder(rank, UnitStrideVotes(root).collect());

    // Trip counts, and the total when static (the models' shapes are).
    SmallVector<Value> trips;
    std::optional<int64_t> staticTotal = 1;
    for (unsigned d = 0; d < rank; ++d) {
      std::optional<int64_t> n = staticTripCount(root, d);
      if (n) {
        trips.push_back(arith::ConstantIndexOp::create(b, loc, *n));
        if (staticTotal)
          *staticTotal *= *n;
        continue;
      }
      staticTotal = std::nullopt;
      Value span = arith::SubIOp::create(b, loc, root.getUpperBound()[d],
                                         root.getLowerBound()[d]);
      trips.push_back(
          arith::CeilDivSIOp::create(b, loc, span, root.getStep()[d]));
    }
    if (staticTotal && *staticTotal == 0) {
      root.erase();
      return success();
    }
    // Dynamic totals plan for a large loop (full blocks), one iteration per
    // thread.
    ssm::ParallelLoopPlan plan =
        ssm::planParallelLoop(staticTotal ? *staticTotal : INT32_MAX, target,
                              staticTotal ? unrollAccessBytes(root) : 0,
                              staticTotal ? int64_t(elementsPerThread) : 0);
    Value threads =
        arith::ConstantIndexOp::create(b, loc, plan.threadsPerBlock);
    Value total;
    if (staticTotal) {
      total = arith::ConstantIndexOp::create(b, loc, *staticTotal);
    } else {
      total = trips.front();
      for (Value t : ArrayRef<Value>(trips).drop_front())
        total = arith::MulIOp::create(b, loc, total, t);
    }
    Value blocks =
        staticTotal ? Value(arith::ConstantIndexOp::create(b, loc, plan.blocks))
                    : Value(arith::CeilDivSIOp::create(b, loc, total, threads));
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);

    auto grid = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                        ValueRange{blocks}, ValueRange{one});
    if (failed(gpu::setMappingAttr(grid, {mapTo(ctx, gpu::Processor::BlockX)})))
      return root.emitError("ssm-distribute-parallel-loops: block mapping");
    b.setInsertionPointToStart(grid.getBody());
    auto block = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                         ValueRange{threads}, ValueRange{one});
    if (failed(
            gpu::setMappingAttr(block, {mapTo(ctx, gpu::Processor::ThreadX)})))
      return root.emitError("ssm-distribute-parallel-loops: thread mapping");
    b.setInsertionPointToStart(block.getBody());
    Value linear = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, grid.getInductionVars()[0], threads),
        block.getInductionVars()[0]);
    Value stride =
        plan.elementsPerThread > 1
            ? Value(arith::ConstantIndexOp::create(b, loc, plan.stride))
            : total;
    Value inBounds = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                           linear, stride);
    auto guard = scf::IfOp::create(b, loc, inBounds, /*withElse=*/false);
    b.setInsertionPointToStart(guard.thenBlock());

    // The loop indices of linear iteration `lin`, the last loop of `order`
    // fastest.
    SmallVector<Value> orderedTrips;
    for (unsigned d : order)
      orderedTrips.push_back(trips[d]);
    auto indicesOf = [&](Value lin) {
      SmallVector<Value> ordered =
          ssm::detail::delinearize(b, loc, lin, orderedTrips);
      SmallVector<Value> ivs(rank);
      for (auto [d, iv] : llvm::zip(order, ordered))
        ivs[d] = iv;
      for (unsigned d = 0; d < rank; ++d) {
        Value scaled = arith::MulIOp::create(b, loc, ivs[d], root.getStep()[d]);
        ivs[d] = arith::AddIOp::create(b, loc, root.getLowerBound()[d], scaled);
      }
      return ivs;
    };
    if (plan.elementsPerThread > 1) {
      emitCopies(b, loc, root, plan, linear, total, indicesOf);
      root.erase();
      return success();
    }
    SmallVector<Value> ivs = indicesOf(linear);

    // Move the body (without its terminator) under the guard.
    Block *body = root.getBody();
    for (auto [arg, iv] : llvm::zip(body->getArguments(), ivs))
      arg.replaceAllUsesWith(iv);
    Block *dest = guard.thenBlock();
    dest->getOperations().splice(std::prev(dest->end()), body->getOperations(),
                                 body->begin(), std::prev(body->end()));
    root.erase();

    // Loops nested in the body run sequentially in their thread.
    LogicalResult nested = success();
    guard.walk([&](scf::ParallelOp inner) {
      SmallVector<gpu::ParallelLoopDimMappingAttr> seq(
          inner.getNumLoops(), mapTo(ctx, gpu::Processor::Sequential));
      if (failed(gpu::setMappingAttr(inner, seq)))
        nested = inner.emitError("ssm-distribute-parallel-loops: nested loop");
    });
    return nested;
  }

  /// The plan's U copies of `root`'s body (a straight-line one, see
  /// unrollAccessBytes) for linear iterations linear + k * stride: first
  /// every copy's loads (and the index arithmetic they need), then the rest
  /// of their arithmetic, then their stores, so a thread has all its loads in
  /// flight at once. A copy past inBoundsCopies may run past the end: its
  /// indices fall back to copy 0's (in bounds, so its loads are too) and its
  /// stores run only where its own iteration exists.
  void emitCopies(OpBuilder &b, Location loc, scf::ParallelOp root,
                  const ssm::ParallelLoopPlan &plan, Value linear, Value total,
                  function_ref<SmallVector<Value>(Value)> indicesOf) {
    Block *body = root.getBody();
    // The loads and what they depend on (uses follow definitions).
    DenseSet<Operation *> feedsLoads;
    for (Operation &op : llvm::reverse(body->without_terminator()))
      if (isa<memref::LoadOp>(op) ||
          llvm::any_of(op.getUsers(), [&](Operation *user) {
            return feedsLoads.contains(user);
          }))
        feedsLoads.insert(&op);

    const int64_t copies = plan.elementsPerThread;
    SmallVector<IRMapping> maps(copies);
    SmallVector<Value> exists(copies);
    for (int64_t k = 0; k < copies; ++k) {
      Value lin = linear;
      if (k > 0)
        lin = arith::AddIOp::create(
            b, loc, linear,
            arith::ConstantIndexOp::create(b, loc, k * plan.stride));
      if (k >= plan.inBoundsCopies) {
        exists[k] = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          lin, total);
        lin = arith::SelectOp::create(b, loc, exists[k], lin, linear);
      }
      maps[k].map(body->getArguments(), indicesOf(lin));
    }
    auto cloneCopies = [&](function_ref<bool(Operation &)> take) {
      for (int64_t k = 0; k < copies; ++k)
        for (Operation &op : body->without_terminator())
          if (take(op))
            b.clone(op, maps[k]);
    };
    cloneCopies([&](Operation &op) { return feedsLoads.contains(&op); });
    cloneCopies([&](Operation &op) {
      return !feedsLoads.contains(&op) && !isa<memref::StoreOp>(op);
    });
    for (int64_t k = 0; k < copies; ++k) {
      OpBuilder::InsertionGuard insertion(b);
      if (exists[k]) {
        auto tail = scf::IfOp::create(b, loc, exists[k], /*withElse=*/false);
        b.setInsertionPointToStart(tail.thenBlock());
      }
      for (Operation &op : body->without_terminator())
        if (isa<memref::StoreOp>(op))
          b.clone(op, maps[k]);
    }
  }
};

} // namespace
