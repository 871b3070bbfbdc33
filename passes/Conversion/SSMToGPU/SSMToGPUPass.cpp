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
    // The pass's options as the kernels' options struct (the inverse of
    // getConvertSSMToGPUOptions).
    GPUKernelOptions options;
    forEachOptionPair(*this, options,
                      [](const auto &pass, auto &kernel) { kernel = pass; });
    RewritePatternSet patterns(&getContext());
    populateSelectiveScanToGPUPatterns(patterns, options.scan);
    populateSelectiveScanGradToGPUPatterns(patterns, options.grad);
    if (options.crossScanSteps > 0)
      populateCrossScanFusionToGPUPatterns(patterns, options.crossScanSteps);
    // Each scan is rewritten once; nothing else is folded on the way.
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig()
                .enableFolding(false)
                .enableConstantCSE(false)
                .setStrictness(GreedyRewriteStrictness::ExistingOps))))
      signalPassFailure();
  }

  /// Calls `fn(passOption, kernelOption)` for each convert-ssm-to-gpu option
  /// (a ConvertSSMToGPUOptions field, or the pass's own Option: protected,
  /// hence a member) and its GPUKernelOptions field. The one list of the
  /// pairs, for both directions.
  template <typename PassOptions, typename KernelOptions, typename Fn>
  static void forEachOptionPair(PassOptions &pass, KernelOptions &kernels,
                                Fn fn) {
    fn(pass.crossScanSteps, kernels.crossScanSteps);
    fn(pass.channelsPerBlock, kernels.scan.channelsPerBlock);
    fn(pass.tileSteps, kernels.scan.tileSteps);
    fn(pass.asyncCopies, kernels.scan.asyncCopies);
    fn(pass.unrollSteps, kernels.scan.unrollSteps);
    fn(pass.lanesPerChannel, kernels.scan.lanesPerChannel);
    fn(pass.polyExpStates, kernels.scan.polyExpStates);
    fn(pass.channelsPerThread, kernels.scan.channelsPerThread);
    fn(pass.maxSharedMemory, kernels.scan.maxSharedMemory);
    fn(pass.asyncMinLength, kernels.scan.asyncMinLength);
    fn(pass.chunks, kernels.scan.chunks);
    fn(pass.chunkMaxThreads, kernels.scan.chunkMaxThreads);
    fn(pass.chunkTargetThreads, kernels.scan.chunkTargetThreads);
    fn(pass.chunkMinSteps, kernels.scan.chunkMinSteps);
    fn(pass.vectorLoads, kernels.scan.vectorLoads);
    fn(pass.vectorMinLength, kernels.scan.vectorMinLength);
    fn(pass.prefetchMaxStates, kernels.scan.prefetchMaxStates);
    fn(pass.gradLanesPerChannel, kernels.grad.lanesPerChannel);
    fn(pass.gradChannelsPerBlock, kernels.grad.channelsPerBlock);
    fn(pass.gradTileSteps, kernels.grad.tileSteps);
    fn(pass.gradMaxSharedMemory, kernels.grad.maxSharedMemory);
    fn(pass.gradReduceLanes, kernels.grad.reduceLanes);
    fn(pass.gradRecomputeDecays, kernels.grad.recomputeDecays);
    fn(pass.gradPrefetch, kernels.grad.prefetch);
  }
};
} // namespace

ConvertSSMToGPUOptions
mlir::ssm::getConvertSSMToGPUOptions(const GPUKernelOptions &options) {
  ConvertSSMToGPUOptions pass;
  ConvertSSMToGPUPass::forEachOptionPair(
      pass, options, [](auto &pass, const auto &kernel) { pass = kernel; });
  return pass;
}
