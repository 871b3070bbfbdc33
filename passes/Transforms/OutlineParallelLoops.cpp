//===- OutlineParallelLoops.cpp - parallel loops to pool kernels ------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include <functional>

namespace mlir::ssm {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// Ops a kernel may recompute from its roots: views and constants.
bool isRematerializable(Operation *op) {
  return isa<arith::ConstantOp, memref::SubViewOp, memref::CollapseShapeOp,
             memref::ExpandShapeOp, memref::ReinterpretCastOp, memref::CastOp,
             memref::GetGlobalOp, memref::ViewOp>(op);
}

/// Collects what the loop needs from outside: roots (function arguments and
/// allocations, passed to the kernel) and the ops to rematerialize, in
/// dependency order. Fails on anything else.
LogicalResult collectCaptures(scf::ParallelOp loop, SetVector<Value> &roots,
                              SetVector<Operation *> &remat) {
  SetVector<Value> used;
  getUsedValuesDefinedAbove(loop.getRegion(), used);
  for (Value v :
       {loop.getLowerBound()[0], loop.getUpperBound()[0], loop.getStep()[0]})
    used.insert(v);
  for (Value v : loop.getLowerBound().drop_front())
    used.insert(v);
  for (Value v : loop.getUpperBound().drop_front())
    used.insert(v);
  for (Value v : loop.getStep().drop_front())
    used.insert(v);

  SmallVector<Value> worklist(used.begin(), used.end());
  SetVector<Operation *> seen;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    // Views of the planned workspace are roots too: each is its own buffer
    // (views live at the same time never overlap), and passing it as its own
    // argument rather than re-deriving it from the workspace base lets LLVM
    // tell the buffers apart (a shared base defeats its alias analysis and,
    // with it, vectorization of every loop that reads and writes the
    // workspace).
    if (isa<BlockArgument>(v) ||
        isa_and_nonnull<memref::AllocOp, memref::AllocaOp, memref::ViewOp>(
            v.getDefiningOp())) {
      if (!isa<MemRefType>(v.getType()))
        return failure(); // a scalar argument: not a buffer we can bind
      auto type = cast<MemRefType>(v.getType());
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return failure();
      roots.insert(v);
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (!def || !isRematerializable(def))
      return failure();
    if (seen.insert(def))
      for (Value operand : def->getOperands())
        worklist.push_back(operand);
  }
  // The kernel's signature and rematerialized ops in order of first use by
  // the loop (operands before their users): loops equal up to their buffers
  // get equal kernels (which ssm-dedupe-kernels merges), wherever and in
  // whatever order the host defined the buffers and views.
  SetVector<Value> byUse;
  std::function<void(Value)> require = [&](Value v) {
    if (roots.contains(v)) {
      byUse.insert(v);
      return;
    }
    Operation *def = v.getDefiningOp();
    if (!def || !seen.contains(def) || remat.contains(def))
      return;
    for (Value operand : def->getOperands())
      require(operand);
    remat.insert(def);
  };
  auto visit = [&](Operation *op) {
    for (Value operand : op->getOperands())
      require(operand);
  };
  visit(loop);
  loop.getRegion().walk<WalkOrder::PreOrder>(visit);
  // Every capture is reached from a use; if one were not, the loop stays.
  if (byUse.size() != roots.size() || remat.size() != seen.size())
    return failure();
  roots = std::move(byUse);
  return success();
}

std::optional<int64_t> constantIndex(Value v) {
  if (auto c = v.getDefiningOp<arith::ConstantIndexOp>())
    return c.value();
  return std::nullopt;
}

struct OutlineParallelLoopsPass
    : mlir::ssm::impl::OutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        entries.push_back(fn);
    for (func::FuncOp fn : entries) {
      SmallVector<scf::ParallelOp> loops;
      // Top-level loops, and those of top-level scf.if regions (the loops
      // convert-linalg-to-cpu-gemm keeps as a library call's fallback).
      for (Operation &op : fn.getBody().front()) {
        if (auto loop = dyn_cast<scf::ParallelOp>(op))
          loops.push_back(loop);
        if (auto ifOp = dyn_cast<scf::IfOp>(op))
          for (Region *region : {&ifOp.getThenRegion(), &ifOp.getElseRegion()})
            for (Block &block : *region)
              for (Operation &nested : block)
                if (auto loop = dyn_cast<scf::ParallelOp>(nested))
                  loops.push_back(loop);
      }
      unsigned index = 0;
      for (scf::ParallelOp loop : loops)
        if (outline(module, fn, loop, index))
          ++index;
    }
  }

  /// Outlines one loop; false when it stays in place.
  bool outline(ModuleOp module, func::FuncOp fn, scf::ParallelOp loop,
               unsigned index) {
    if (!loop.getInitVals().empty())
      return false;
    // Tiles linearize the leading dimensions with constant bounds, as many as
    // it takes to give a thread pool enough tiles (batch 1 alone is one).
    constexpr int64_t kMinTiles = 64;
    SmallVector<int64_t> lbs, trips, steps;
    int64_t tiles = 1;
    for (unsigned i = 0, e = loop.getNumLoops(); i < e && tiles < kMinTiles;
         ++i) {
      auto lb = constantIndex(loop.getLowerBound()[i]);
      auto ub = constantIndex(loop.getUpperBound()[i]);
      auto step = constantIndex(loop.getStep()[i]);
      if (!lb || !ub || !step || *step <= 0)
        break;
      lbs.push_back(*lb);
      steps.push_back(*step);
      trips.push_back(*ub > *lb ? (*ub - *lb + *step - 1) / *step : 0);
      tiles *= trips.back();
    }
    if (trips.empty() || tiles == 0)
      return false;
    SetVector<Value> roots;
    SetVector<Operation *> remat;
    if (failed(collectCaptures(loop, roots, remat)))
      return false;

    MLIRContext *ctx = module.getContext();
    Location loc = loop.getLoc();
    OpBuilder b(ctx);
    std::string name = (fn.getSymName() + "_par" + Twine(index)).str();
    SmallVector<Type> argTypes;
    for (Value root : roots)
      argTypes.push_back(root.getType());
    SmallVector<Type> kernelTypes(argTypes);
    kernelTypes.append({b.getIndexType(), b.getIndexType()});

    // The kernel: tiles [begin, end); tile tau is the point of the leading
    // dimensions whose row-major linear index is tau.
    b.setInsertionPoint(fn);
    auto kernel =
        func::FuncOp::create(b, loc, name, b.getFunctionType(kernelTypes, {}));
    kernel.setPrivate();
    // Every root is a distinct buffer (an input, an output, a workspace
    // view or an allocation): no two arguments alias, and saying so lets
    // LLVM keep accumulators in registers and vectorize without runtime
    // overlap checks. (Two inputs may be the same caller array; inputs are
    // only read, which noalias allows.)
    for (unsigned i = 0; i < roots.size(); ++i)
      kernel.setArgAttr(i, "llvm.noalias", b.getUnitAttr());
    Block *body = kernel.addEntryBlock();
    b.setInsertionPointToStart(body);
    IRMapping map;
    for (auto [root, arg] : llvm::zip(roots, body->getArguments()))
      map.map(root, arg);
    for (Operation *op : remat)
      b.clone(*op, map);
    Value begin = body->getArgument(roots.size());
    Value end = body->getArgument(roots.size() + 1);
    auto cst = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto tileLoop = scf::ForOp::create(b, loc, begin, end, cst(1));
    b.setInsertionPointToStart(tileLoop.getBody());
    Block &original = loop.getRegion().front();
    Value rest = tileLoop.getInductionVar();
    for (int i = int(trips.size()) - 1; i >= 0; --i) {
      Value pos = trips.size() == 1
                      ? rest
                      : arith::RemUIOp::create(b, loc, rest, cst(trips[i]));
      rest = arith::DivUIOp::create(b, loc, rest, cst(trips[i]));
      Value iv = arith::AddIOp::create(
          b, loc, cst(lbs[i]),
          arith::MulIOp::create(b, loc, pos, cst(steps[i])));
      map.map(original.getArgument(i), iv);
    }
    unsigned leading = trips.size();
    if (leading == loop.getNumLoops()) {
      for (Operation &op : original.without_terminator())
        b.clone(op, map);
    } else {
      SmallVector<Value> innerLbs, innerUbs, innerSteps;
      for (unsigned i = leading, e = loop.getNumLoops(); i < e; ++i) {
        innerLbs.push_back(map.lookupOrDefault(loop.getLowerBound()[i]));
        innerUbs.push_back(map.lookupOrDefault(loop.getUpperBound()[i]));
        innerSteps.push_back(map.lookupOrDefault(loop.getStep()[i]));
      }
      scf::ParallelOp::create(
          b, loc, innerLbs, innerUbs, innerSteps,
          [&](OpBuilder &, Location, ValueRange ivs) {
            for (unsigned i = leading, e = loop.getNumLoops(); i < e; ++i)
              map.map(original.getArgument(i), ivs[i - leading]);
            for (Operation &op : original.without_terminator())
              b.clone(op, map);
          });
    }
    b.setInsertionPointToEnd(body);
    func::ReturnOp::create(b, loc);

    // The host: a call of the dispatch declaration with the roots and the
    // tile count.
    std::string dispatchName = (Twine(mlir::ssm::kDispatchPrefix) + name).str();
    SmallVector<Type> dispatchTypes(argTypes);
    dispatchTypes.push_back(b.getIndexType());
    b.setInsertionPoint(fn);
    auto dispatch = func::FuncOp::create(b, loc, dispatchName,
                                         b.getFunctionType(dispatchTypes, {}));
    dispatch.setPrivate();
    b.setInsertionPoint(loop);
    SmallVector<Value> operands(roots.begin(), roots.end());
    operands.push_back(arith::ConstantIndexOp::create(b, loc, tiles));
    func::CallOp::create(b, loc, dispatch, operands);
    loop.erase();
    return true;
  }
};

} // namespace
