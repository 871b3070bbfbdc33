//===- SSMToGPUPass.cpp - the convert-ssm-to-gpu pass -----------------===//

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_CONVERTSSMTOGPU
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {
struct ConvertSSMToGPUPass
    : mlir::ssm::impl::ConvertSSMToGPUBase<ConvertSSMToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ScanKernelOptions options;
    options.channelsPerBlock = channelsPerBlock;
    options.tileSteps = tileSteps;
    options.asyncCopies = asyncCopies;
    options.unrollSteps = unrollSteps;
    options.lanesPerChannel = lanesPerChannel;
    options.polyExpStates = polyExpStates;
    options.channelsPerThread = channelsPerThread;
    options.maxSharedMemory = maxSharedMemory;
    options.asyncMinLength = asyncMinLength;
    options.chunks = chunks;
    options.chunkMaxThreads = chunkMaxThreads;
    options.chunkTargetThreads = chunkTargetThreads;
    options.chunkMinSteps = chunkMinSteps;
    options.vectorLoads = vectorLoads;
    options.vectorMinLength = vectorMinLength;
    options.prefetchMaxStates = prefetchMaxStates;
    RewritePatternSet patterns(&getContext());
    populateSelectiveScanToGPUPatterns(patterns, options);
    ScanGradKernelOptions grad;
    grad.lanesPerChannel = gradLanesPerChannel;
    grad.channelsPerBlock = gradChannelsPerBlock;
    grad.tileSteps = gradTileSteps;
    grad.maxSharedMemory = gradMaxSharedMemory;
    grad.reduceLanes = gradReduceLanes;
    grad.recomputeDecays = gradRecomputeDecays;
    grad.prefetch = gradPrefetch;
    populateSelectiveScanGradToGPUPatterns(patterns, grad);
    if (crossScanSteps > 0)
      populateCrossScanFusionToGPUPatterns(patterns, crossScanSteps);
    // Each scan is rewritten once; nothing else is folded on the way.
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig()
                .enableFolding(false)
                .enableConstantCSE(false)
                .setStrictness(GreedyRewriteStrictness::ExistingOps))))
      signalPassFailure();
  }
};
} // namespace
