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

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

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
  /// loop nested in the body sequential inside its thread. The innermost
  /// dimension varies fastest with the thread index, so neighbouring threads
  /// touch neighbouring elements of row-major buffers.
  LogicalResult distribute(scf::ParallelOp root,
                           const ssm::GPUTargetInfo &target) {
    MLIRContext *ctx = &getContext();
    Location loc = root.getLoc();
    OpBuilder b(root);
    const unsigned rank = root.getNumLoops();

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
    // Dynamic totals plan for a large loop (full blocks).
    ssm::ParallelLoopPlan plan =
        ssm::planParallelLoop(staticTotal ? *staticTotal : INT32_MAX, target);
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
    Value inBounds =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, total);
    auto guard = scf::IfOp::create(b, loc, inBounds, /*withElse=*/false);
    b.setInsertionPointToStart(guard.thenBlock());

    // Innermost dimension fastest.
    SmallVector<Value> ivs = ssm::detail::delinearize(b, loc, linear, trips);
    for (unsigned d = 0; d < rank; ++d) {
      Value scaled = arith::MulIOp::create(b, loc, ivs[d], root.getStep()[d]);
      ivs[d] = arith::AddIOp::create(b, loc, root.getLowerBound()[d], scaled);
    }

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
};

} // namespace
