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

/// f32 atomic fadd outside LDS: allowed to use the hardware float atomic
/// (global_atomic_add_f32) instead of a compare-and-swap loop. The runtime
/// allocates every buffer with hipMalloc (coarse-grained, local memory), and
/// the kernels' atomics are sums whose denormal flushing is immaterial.
struct MarkFloatAtomics : OpRewritePattern<LLVM::AtomicRMWOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LLVM::AtomicRMWOp op,
                                PatternRewriter &rewriter) const override {
    auto ptr = dyn_cast<LLVM::LLVMPointerType>(op.getPtr().getType());
    if (op.getBinOp() != LLVM::AtomicBinOp::fadd || !op.getType().isF32() ||
        !ptr || ptr.getAddressSpace() == kLDSAddressSpace ||
        op->hasAttr(kNoFineGrained))
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op->setAttr(kNoFineGrained, rewriter.getUnitAttr());
      op->setAttr(kNoRemote, rewriter.getUnitAttr());
      op->setAttr(kIgnoreDenormal, rewriter.getUnitAttr());
    });
    return success();
  }
  static constexpr unsigned kLDSAddressSpace = 3;
  static constexpr llvm::StringLiteral kNoFineGrained =
      "rocdl.no_fine_grained_memory";
  static constexpr llvm::StringLiteral kNoRemote = "rocdl.no_remote_memory";
  static constexpr llvm::StringLiteral kIgnoreDenormal =
      "rocdl.ignore_denormal_mode";
};

struct SSMROCDLFastMathPass
    : mlir::ssm::impl::SSMROCDLFastMathBase<SSMROCDLFastMathPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<Exp2ToAMDGCN, MarkFloatAtomics>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
