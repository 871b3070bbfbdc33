//===- Rematerialize.h - the gradient function's memory policy -*- C++ -*-===//

#ifndef SSM_PASSES_AUTODIFF_REMATERIALIZE_H
#define SSM_PASSES_AUTODIFF_REMATERIALIZE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::ssm::autodiff {

/// A reduction is cheap to recompute when each output sums at most this many
/// products: the dt projections (Vim 12, VMamba 6 to 48), a stem conv over 3
/// channels (27), a 7x7 depthwise conv (49); the full-size models' in/out
/// projections and MLPs sum 96+. On an H100, 64 f32 multiply-adds per element
/// take about as long as writing the element and reading it back.
constexpr int64_t kCheapReductionElements = 64;

/// Unit attribute on every recomputed copy: it tells the copy from the
/// forward op it repeats, which CSE would otherwise merge it back into.
constexpr llvm::StringLiteral kRecomputedAttr = "ssm.recomputed";

/// Whether `op` costs about as much to compute again as its result costs to
/// keep: views, fills and pads, elementwise/broadcast/transpose linalg ops,
/// linalg reductions of at most `maxReduction` elements per output, flip,
/// cross-scan/merge, the causal conv, axis pool/broadcast. Scans and large
/// contractions are not.
bool isCheapToRecompute(Operation *op, int64_t maxReduction);

/// In `grad` (one block: the forward, then the backward, which starts at the
/// first op that reads one of `resultAdjoints`), recomputes every cheap
/// forward value the backward reads right before its first backward use,
/// from values kept anyway (see Rematerialize.cpp). Returns how many values
/// are recomputed.
int64_t rematerializeForBackward(func::FuncOp grad,
                                 ArrayRef<BlockArgument> resultAdjoints,
                                 int64_t maxReduction);

} // namespace mlir::ssm::autodiff

#endif // SSM_PASSES_AUTODIFF_REMATERIALIZE_H
