//===- ROCDLFastMath.cpp - the ssm-rocdl-fast-math pass ---------------===//
//
// Part of the ssmc project. See SSMROCDLFastMath in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMROCDLFASTMATH
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// afn math.exp2 on f32 -> llvm.amdgcn.exp2.f32 (v_exp_f32).
struct Exp2ToAMDGCN : OpRewritePattern<math::Exp2Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::Exp2Op op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().isF32() ||
        !arith::bitEnumContainsAll(op.getFastmath(),
                                   arith::FastMathFlags::afn))
      return failure();
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, rewriter.getF32Type(), rewriter.getStringAttr("llvm.amdgcn.exp2"),
        op->getOperands());
    return success();
  }
};

struct SSMROCDLFastMathPass
    : mlir::ssm::impl::SSMROCDLFastMathBase<SSMROCDLFastMathPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<Exp2ToAMDGCN>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
