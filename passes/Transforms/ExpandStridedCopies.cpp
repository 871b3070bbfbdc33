//===- ExpandStridedCopies.cpp - strided memref.copy to linalg.copy ---===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_EXPANDSTRIDEDCOPIES
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {
/// Whether `a` and `b` are the same view of one buffer: the same value, or
/// subviews with equal offsets, sizes and strides of the same view.
bool sameView(Value a, Value b) {
  if (a == b)
    return true;
  auto x = a.getDefiningOp<memref::SubViewOp>();
  auto y = b.getDefiningOp<memref::SubViewOp>();
  return x && y && x.getMixedOffsets() == y.getMixedOffsets() &&
         x.getMixedSizes() == y.getMixedSizes() &&
         x.getMixedStrides() == y.getMixedStrides() &&
         sameView(x.getSource(), y.getSource());
}

struct ExpandStridedCopiesPass
    : mlir::ssm::impl::ExpandStridedCopiesBase<ExpandStridedCopiesPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies, noops;
    getOperation()->walk([&](memref::CopyOp copy) {
      if (sameView(copy.getSource(), copy.getTarget())) {
        noops.push_back(copy);
        return;
      }
      auto contiguous = [](Value v) {
        auto type = dyn_cast<MemRefType>(v.getType());
        return type && type.getLayout().isIdentity();
      };
      if (!contiguous(copy.getSource()) || !contiguous(copy.getTarget()))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : noops)
      rewriter.eraseOp(copy);
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};
} // namespace
