//===- NVVMFastMath.cpp - the ssm-nvvm-fast-math pass -----------------===//

#include "ssm/Conversion/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMNVVMFASTMATH
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

bool isApproximable(Operation *op) {
  auto fmf = dyn_cast<arith::ArithFastMathInterface>(op);
  return fmf && op->getResult(0).getType().isF32() &&
         arith::bitEnumContainsAll(fmf.getFastMathFlagsAttr().getValue(),
                                   arith::FastMathFlags::afn);
}

template <typename OpTy>
struct ToIntrinsic : OpRewritePattern<OpTy> {
  ToIntrinsic(MLIRContext *context, StringRef intrinsic)
      : OpRewritePattern<OpTy>(context), intrinsic(intrinsic) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!isApproximable(op))
      return failure();
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, rewriter.getF32Type(), rewriter.getStringAttr(intrinsic),
        op->getOperands());
    return success();
  }
  std::string intrinsic;
};

struct SSMNVVMFastMathPass
    : mlir::ssm::impl::SSMNVVMFastMathBase<SSMNVVMFastMathPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ToIntrinsic<math::Exp2Op>>(&getContext(),
                                            "llvm.nvvm.ex2.approx.ftz.f");
    patterns.add<ToIntrinsic<arith::DivFOp>>(&getContext(),
                                             "llvm.nvvm.div.approx.ftz.f");
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
