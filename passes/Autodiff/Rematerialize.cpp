//===- Rematerialize.cpp - the gradient function's memory policy ----------===//
//
// A gradient function computes the forward, then the backward; every forward
// value an adjoint reads stays alive from its definition to that read, and at
// the backward's start all of them are alive at once: that is the peak of a
// training step (Vim-T at batch 128: ~400 MB per layer). Many of those values
// cost less to compute again than to keep: an elementwise map, a flip, the
// 4-tap causal conv, a projection with a reduction of a dozen elements (Vim's
// dt_proj) all read a value the backward keeps anyway. Such a value is
// recomputed right before its first backward use from what is kept anyway,
// so it is never kept across the forward.
//
// Which values: a forward op is recomputable when it is cheap (below) and
// each tensor operand is a function argument, a value the backward reads
// anyway, or the result of another recomputable op (chains are recomputed
// together). The largest such set is found by removing ops whose operands
// fail, until nothing changes. Then a cheap op whose result the backward
// keeps is recomputed from operands it does not keep when those are smaller
// (they are kept instead: a convolution's input rather than its padded copy
// or im2col patches), or, for a reshape, of the same size.
//
//===----------------------------------------------------------------------===//

#include "Rematerialize.h"

#include "Adjoint.h"

#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

#include <limits>

using namespace mlir;

namespace mlir::ssm::autodiff {

bool isCheapToRecompute(Operation *op, int64_t maxReduction) {
  if (isa<arith::ConstantOp, tensor::EmptyOp, tensor::ExtractSliceOp,
          tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::PadOp,
          linalg::FillOp, FlipOp, CausalConv1dOp, AxisBroadcastOp, AxisPoolOp,
          CrossScanOp, CrossMergeOp>(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics())
    return false;
  // Elementwise maps, broadcasts, transposes: one pass over the data. A
  // reduction is cheap when each output element sums few products.
  int64_t reduced = 1;
  for (auto [range, kind] : llvm::zip(linalgOp.getStaticLoopRanges(),
                                      linalgOp.getIteratorTypesArray())) {
    if (kind != utils::IteratorType::reduction)
      continue;
    if (ShapedType::isDynamic(range))
      return false;
    reduced *= range;
  }
  return reduced <= maxReduction;
}

int64_t rematerializeForBackward(func::FuncOp grad,
                                 ArrayRef<BlockArgument> resultAdjoints,
                                 int64_t maxReduction) {
  Block &body = grad.getBody().front();
  // The backward starts at the first op that reads a result adjoint
  // (directly or through another op); everything before it is forward.
  llvm::DenseSet<Value> fromAdjoint(resultAdjoints.begin(),
                                    resultAdjoints.end());
  Operation *boundary = nullptr;
  for (Operation &op : body) {
    if (llvm::none_of(inputsOf(&op),
                      [&](Value v) { return fromAdjoint.contains(v); }))
      continue;
    if (!boundary)
      boundary = &op;
    fromAdjoint.insert(op.getResults().begin(), op.getResults().end());
  }
  if (!boundary)
    return 0;

  auto isForward = [&](Operation *op) {
    return op->getBlock() == &body && op->isBeforeInBlock(boundary);
  };
  auto keptAnyway = [&](Value v) {
    return llvm::any_of(v.getUsers(), [&](Operation *user) {
      Operation *top = body.findAncestorOpInBlock(*user);
      return top && !isForward(top);
    });
  };

  // Candidates: the cheap forward ops; drop those whose operands are neither
  // arguments, nor kept anyway, nor candidates, until nothing changes.
  llvm::SetVector<Operation *> recompute;
  for (Operation &op : body) {
    if (&op == boundary)
      break;
    if (isCheapToRecompute(&op, maxReduction) && op.getNumRegions() <= 1)
      recompute.insert(&op);
  }
  // Roots: forward values the backward does not read but that are kept to
  // recompute a larger value from (below).
  llvm::DenseSet<Value> roots;
  auto available = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return !def || recompute.contains(def) || keptAnyway(v) ||
           roots.contains(v);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (Operation *op : llvm::to_vector(recompute)) {
      if (!llvm::all_of(inputsOf(op), available)) {
        recompute.remove(op);
        changed = true;
      }
    }
  }
  // A cheap op whose result is kept but whose operands are not all available
  // is recomputed anyway when the missing operands are smaller than the
  // result: they are kept instead (a padded tensor from the unpadded one, a
  // convolution's im2col patches from the padded image, which in turn comes
  // from the image). Each step keeps fewer bytes than it frees.
  auto bytesOf = [](Value v) -> int64_t {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || !type.hasStaticShape() ||
        type.getElementTypeBitWidth() % 8 != 0)
      return std::numeric_limits<int64_t>::max() / 4;
    return type.getNumElements() * (type.getElementTypeBitWidth() / 8);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (Operation &op : body) {
      if (&op == boundary)
        break;
      if (recompute.contains(&op) || op.getNumResults() != 1 ||
          op.getNumRegions() > 1 || !isCheapToRecompute(&op, maxReduction))
        continue;
      Value result = op.getResult(0);
      if (!keptAnyway(result) && !roots.contains(result))
        continue;
      llvm::SetVector<Value> missing;
      for (Value v : inputsOf(&op))
        if (!available(v))
          missing.insert(v);
      int64_t missingBytes = 0;
      for (Value v : missing)
        missingBytes += bytesOf(v);
      // A reshape costs nothing to repeat: equal sizes are enough there (it
      // lets the chain go on to its producer).
      bool reshape = isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op);
      if (missing.empty() || missingBytes > bytesOf(result) ||
          (missingBytes == bytesOf(result) && !reshape))
        continue;
      roots.insert(missing.begin(), missing.end());
      roots.erase(result);
      recompute.insert(&op);
      changed = true;
    }
  }

  // Clone each recomputed value (and the candidates it reads) right before
  // its first backward user, in the order the backward first needs them, so
  // a clone another clone reads already dominates it.
  struct Need {
    Operation *firstUser;
    Value value;
  };
  SmallVector<Need> needs;
  for (Operation *op : recompute)
    for (Value r : op->getResults()) {
      Operation *first = nullptr;
      for (Operation *user : r.getUsers()) {
        Operation *top = body.findAncestorOpInBlock(*user);
        if (top && !isForward(top) &&
            (!first || top->isBeforeInBlock(first)))
          first = top;
      }
      if (first)
        needs.push_back({first, r});
    }
  llvm::stable_sort(needs, [](const Need &a, const Need &b) {
    return a.firstUser != b.firstUser &&
           a.firstUser->isBeforeInBlock(b.firstUser);
  });

  IRMapping clones;
  OpBuilder b(grad.getContext());
  // Clones `op` (after the candidates it reads) before `at`, once.
  std::function<void(Operation *, Operation *)> cloneAt =
      [&](Operation *op, Operation *at) {
        if (clones.contains(op->getResult(0)))
          return;
        for (Value v : inputsOf(op))
          if (Operation *def = v.getDefiningOp(); def && recompute.contains(def))
            cloneAt(def, at);
        b.setInsertionPoint(at);
        // Marked, so that CSE does not merge the copy back into the
        // forward's op (their operands are the same values).
        b.clone(*op, clones)->setAttr(kRecomputedAttr, b.getUnitAttr());
      };
  int64_t count = 0;
  for (Need &need : needs) {
    Operation *op = need.value.getDefiningOp();
    bool fresh = !clones.contains(need.value);
    cloneAt(op, need.firstUser);
    Value copy = clones.lookup(need.value);
    // Every backward user comes at or after the first one, which the copy
    // precedes; clones read copies, never the originals.
    need.value.replaceUsesWithIf(copy, [&](OpOperand &use) {
      Operation *top = body.findAncestorOpInBlock(*use.getOwner());
      return top && top != copy.getDefiningOp() &&
             !top->isBeforeInBlock(need.firstUser);
    });
    count += fresh;
  }
  return count;
}

} // namespace mlir::ssm::autodiff
