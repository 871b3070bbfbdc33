//===- SSMToSCFPass.cpp - the convert-ssm-to-scf pass -----------------===//

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_CONVERTSSMTOSCF
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

void mlir::ssm::populateSSMToSCFPatterns(RewritePatternSet &patterns) {
  populateSelectiveScanToSCFPatterns(patterns);
  populateCausalConvToSCFPatterns(patterns);
  populateIndexMapToSCFPatterns(patterns);
  populateAxisPoolToSCFPatterns(patterns);
}

namespace {
struct ConvertSSMToSCFPass
    : mlir::ssm::impl::ConvertSSMToSCFBase<ConvertSSMToSCFPass> {
  using Base::Base;

  void runOnOperation() override {
    // Forward scans (and convs of flipped inputs) first, folding their
    // neighbours, then everything else.
    RewritePatternSet fused(&getContext());
    CPUVectorInfo vectors;
    vectors.vectorBits = vectorBits;
    vectors.vectorRegisters = vectorRegisters;
    vectors.scalef = scalef;
    populateFusedSelectiveScanPatterns(fused, vectors);
    populateFusedCausalConvPatterns(fused);
    if (failed(applyPatternsGreedily(getOperation(), std::move(fused))))
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<SSMDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateSSMToSCFPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
