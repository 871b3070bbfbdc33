//===- Pipelines.cpp - the ssm lowering pipelines ---------------------===//

#include "ssm/Pipelines/Pipelines.h"

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"
#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::ssm::buildSSMGraphPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // bf16 models: intermediates between kernels stored in bf16; before any
  // ssm op is lowered (the scan and conv kernels load and store 16 bits).
  pm.addNestedPass<func::FuncOp>(createNarrowActivations());
}

void mlir::ssm::buildSSMToLoopsPipeline(OpPassManager &pm) {
  buildSSMToLoopsPipeline(pm, CPUVectorInfo{});
}

void mlir::ssm::buildSSMToLoopsPipeline(OpPassManager &pm,
                                        const CPUVectorInfo &vectors) {
  ConvertSSMToSCFOptions scf;
  scf.vectorBits = vectors.vectorBits;
  scf.vectorRegisters = vectors.vectorRegisters;
  scf.scalef = vectors.scalef;
  pm.addPass(createConvertSSMToSCF(scf));
  // arith/math on whole tensors become linalg.generic, which bufferizes;
  // chains of elementwise generics fuse into single loop nests.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createFuseElementwise());
  // Weight gradients (sums over batch and tokens) as GEMMs with one k.
  pm.addPass(createGemmReductionsToK());
  pm.addPass(createCanonicalizerPass());
}

/// Tensors to buffers, shared by the CPU and GPU pipelines: every returned
/// tensor its own buffer, one-shot bufferization with identity layouts at
/// function boundaries, results as caller-provided outputs (the runtime owns
/// every output).
static void addBufferizeToOutParams(OpPassManager &pm) {
  // Each buffer allocated where it is first written, not where CSE left the
  // tensor.empty it comes from (a gradient's forward).
  pm.addNestedPass<func::FuncOp>(ssm::createSinkTensorInits());
  pm.addNestedPass<func::FuncOp>(ssm::createCopyRepeatedResults());
  // A concat read only by elementwise ops is never built: they read its
  // pieces and write slices of their own outputs. After the sinking, so each
  // output's extract_slice and insert_slice share one empty tensor (one
  // buffer, written in place); after autodiff, which differentiates concats.
  pm.addNestedPass<func::FuncOp>(ssm::createSplitConcatConsumers());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}

void mlir::ssm::buildSSMBufferizePipeline(OpPassManager &pm) {
  addBufferizeToOutParams(pm);
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createCanonicalizerPass());
  // Intermediates share one workspace planned by live range; the runtime
  // allocates it through its static memory plan.
  pm.addPass(createPlanWorkspace());
}

void mlir::ssm::buildSSMGPUBufferizePipeline(OpPassManager &pm,
                                             const std::string &chip,
                                             bool padLibraryBuffers) {
  addBufferizeToOutParams(pm);
  pm.addPass(createCanonicalizerPass());
  // Depthwise convs as tiled kernels that read the unpadded input; before
  // planning, so the padded copies they no longer need take no workspace.
  SSMDepthwiseConvToGPUOptions depthwise;
  depthwise.chip = chip.empty() ? "sm_90" : chip;
  pm.addPass(createSSMDepthwiseConvToGPU(depthwise));
  // Norm chains (a row's reductions, the op that normalizes it, the residual
  // add before) as one warp-per-row kernel; before planning, so the buffers
  // the kernel reads live until it and no longer-needed statistics take no
  // workspace.
  SSMRowNormsToGPUOptions rowNorms;
  rowNorms.chip = chip.empty() ? "sm_90" : chip;
  pm.addPass(createSSMRowNormsToGPU(rowNorms));
  // Rows of the GEMM library calls' intermediates padded to the library's
  // alignment (before planning, which then places the padded bytes).
  if (padLibraryBuffers) {
    SSMPadLibraryBuffersOptions pad;
    pad.chip = chip.empty() ? "sm_90" : chip;
    pm.addPass(createSSMPadLibraryBuffers(pad));
  }
  // No deallocation pipeline: it rejects the kernels' barriers (unknown
  // memory effects), and every static intermediate becomes a workspace view
  // here (live ranges from uses); outputs are out-parameters.
  pm.addPass(createPlanWorkspace());
}

void mlir::ssm::buildSSMToLLVMPipeline(OpPassManager &pm) {
  // GEMM contractions offered to the runtime's BLAS (the loops stay as the
  // fallback); before any pass reorders their loops.
  pm.addPass(createConvertLinalgToCPUGemm());
  pm.addPass(createExpandStridedCopies());
  pm.addPass(createApproximateMath());
  pm.addPass(createReassociateReductions());
  pm.addPass(createInterchangeForLocality());
  // linalg becomes parallel loops; each top-level parallel loop becomes a
  // kernel the runtime's thread pool splits.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createPromoteLoopAccumulators());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createOutlineParallelLoops());
  pm.addPass(createDedupeKernels());
  pm.addNestedPass<func::FuncOp>(createHoistStaticAllocas());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Before any *-to-LLVM pass (vector-to-llvm converts arith too).
  // bf16 <-> f32 conversions as integer ops (round to nearest even): without
  // AVX512-BF16 LLVM would call __truncsfbf2, which the machine that loads
  // the .so may not provide.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  // x86vector ops (the scans' vscalefps, planCPUScan) become intrinsics.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::ssm::buildSSMToCPUPipeline(OpPassManager &pm,
                                      const CPUPipelineOptions &) {
  buildSSMGraphPipeline(pm);
  buildSSMToLoopsPipeline(pm);
  buildSSMBufferizePipeline(pm);
  buildSSMToLLVMPipeline(pm);
}

void mlir::ssm::buildSSMToGPUKernelsPipeline(OpPassManager &pm,
                                             const std::string &chip) {
  pm.addPass(createExpandStridedCopies());
  // Polynomial math: no libdevice / ocml needed to serialize the kernels.
  pm.addPass(createApproximateMath());
  pm.addPass(createReassociateReductions());
  // The ops no dedicated kernel took: one thread per output element, the
  // reductions sequential in their thread.
  pm.addPass(createSSMReductionsInnermost());
  SSMRowReductionsToGPUOptions rowReductions;
  rowReductions.chip = chip;
  pm.addPass(createSSMRowReductionsToGPU(rowReductions));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  // A sequential reduction's accumulator in a register, not global memory.
  pm.addNestedPass<func::FuncOp>(createPromoteLoopAccumulators());
  SSMDistributeParallelLoopsOptions distribute;
  distribute.chip = chip;
  pm.addPass(createSSMDistributeParallelLoops(distribute));
  // Maps what is left unmapped (nothing, today).
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  // Launch sizes folded to constants, so outlining records them as the
  // kernels' known block sizes (.maxntid / amdgpu-flat-work-group-size).
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  // Constants hoisted out of launch bodies by canonicalization go back in,
  // so kernels take only buffers.
  pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createSSMKernelAllocsToPrivate());
  pm.addPass(createSSMAlignWorkgroupBuffers());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
}

namespace {
/// LDS per workgroup on gfx90a / gfx942.
constexpr int64_t kAMDGPUMaxSharedMemory = 65536;

std::string rocdlChip(const ssm::GPUPipelineOptions &options) {
  return options.chip.empty() ? "gfx942" : options.chip.getValue();
}

/// The vendor tail shared by NVVM and ROCDL: lower the kernels' bodies, then
/// serialize the gpu.module to target assembly.
void addKernelSerialization(OpPassManager &pm) {
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createConvertVectorToSCFPass());
  kernels.addPass(createSCFToControlFlowPass());
  (void)kernels;
}
} // namespace

ssm::GPUKernelOptions mlir::ssm::GPUPipelineOptions::getKernelOptions() const {
  GPUKernelOptions options;
  options.crossScanSteps = scanCrossScanSteps;
  ScanKernelOptions &scan = options.scan;
  scan.channelsPerBlock = scanChannelsPerBlock;
  scan.tileSteps = scanTileSteps;
  scan.asyncCopies = scanAsyncCopies;
  scan.unrollSteps = scanUnrollSteps;
  scan.lanesPerChannel = scanLanesPerChannel;
  scan.polyExpStates = scanPolyExpStates;
  scan.channelsPerThread = scanChannelsPerThread;
  scan.maxSharedMemory = scanMaxSharedMemory;
  scan.asyncMinLength = scanAsyncMinLength;
  scan.chunks = scanChunks;
  scan.chunkMaxThreads = scanChunkMaxThreads;
  scan.chunkTargetThreads = scanChunkTargetThreads;
  scan.chunkMinSteps = scanChunkMinSteps;
  scan.vectorLoads = scanVectorLoads;
  scan.vectorMinLength = scanVectorMinLength;
  scan.prefetchMaxStates = scanPrefetchMaxStates;
  ScanGradKernelOptions &grad = options.grad;
  grad.lanesPerChannel = scanGradLanesPerChannel;
  grad.channelsPerBlock = scanGradChannelsPerBlock;
  grad.tileSteps = scanGradTileSteps;
  grad.maxSharedMemory = scanGradMaxSharedMemory;
  grad.reduceLanes = scanGradReduceLanes;
  grad.recomputeDecays = scanGradRecomputeDecays;
  grad.prefetch = scanGradPrefetch;
  return options;
}

void mlir::ssm::buildSSMToGPULoopsPipeline(OpPassManager &pm,
                                           const GPUKernelOptions &options,
                                           GPUVendor vendor,
                                           const std::string &chip) {
  GPUKernelOptions kernels = options;
  ScanKernelOptions &scan = kernels.scan;
  if (vendor == GPUVendor::AMD) {
    // cp.async (nvgpu) is NVIDIA-only; a workgroup has 64 KiB of LDS. The
    // tiles are filled by 16-byte loads (global_load_dwordx4) wherever the
    // kernel can: the NVIDIA default (scalar or cp.async fills by length) was
    // chosen by H200 measurements that say nothing about CDNA.
    scan.asyncCopies = false;
    scan.asyncMinLength = 0;
    scan.vectorLoads = true;
    scan.maxSharedMemory =
        std::min<int64_t>(scan.maxSharedMemory, kAMDGPUMaxSharedMemory);
  }
  // The GPU scan kernel does not read through flips: a flipped f32 scan
  // operand of a bf16 model (Vim's gate z) is a copy kernel, which then
  // stores bf16 (the graph stage already narrowed everything else).
  // GEMM results are stored in 16 bits too: convert-linalg-to-gpu-gemm
  // folds their rounding into the GEMM's epilogue.
  // VMamba's per-direction x_proj / dt_proj (a second batch dim: the scan
  // direction) as one GEMM per direction; convert-linalg-to-gpu-gemm reads
  // and writes the pieces' slices in place. Before the narrowing, so the
  // pieces' results may be stored in 16 bits like any GEMM's.
  pm.addNestedPass<func::FuncOp>(createSplitGroupedContractions());
  NarrowActivationsOptions narrow;
  narrow.roundFlips = true;
  narrow.narrowContractions = true;
  pm.addNestedPass<func::FuncOp>(createNarrowActivations(narrow));
  // Before elementwise fusion, so the biases cuBLASLt cannot add fold into
  // the GEMMs' consumers.
  pm.addPass(createSplitGemmBias());
  pm.addPass(createConvertSSMToGPU(getConvertSSMToGPUOptions(kernels)));
  // The scans convert-ssm-to-gpu leaves (dynamic shapes) keep one vector of
  // states per lane: no CPU vectors to plan for (planCPUScan: StateVector).
  buildSSMToLoopsPipeline(pm, CPUVectorInfo{/*vectorBits=*/0,
                                            /*vectorRegisters=*/0,
                                            /*scalef=*/false});
  // GEMM contractions (+ bias / ReLU) as tiled kernels that carry a
  // library-call descriptor (the runtime may call cuBLASLt instead).
  pm.addPass(createConvertLinalgToGPUGemm());
  // What is left of the long, few-output reductions (weight gradients) as
  // partial sums that fill the GPU.
  SplitReductionsOptions splitReductions;
  splitReductions.chip =
      !chip.empty() ? chip : (vendor == GPUVendor::AMD ? "gfx942" : "sm_90");
  pm.addPass(createSplitReductions(splitReductions));
}

void mlir::ssm::buildSSMGPUToNVVMPipeline(OpPassManager &pm,
                                          const GPUPipelineOptions &options) {
  const std::string chip =
      options.chip.empty() ? "sm_90" : options.chip.getValue();
  buildSSMToGPUKernelsPipeline(pm, chip);
  pm.addPass(createDedupeKernels());
  pm.addPass(createNameKernelsByModule());
  GpuNVVMAttachTargetOptions target;
  target.chip = chip;
  target.features = "+ptx80";
  pm.addPass(createGpuNVVMAttachTarget(target));
  // cp.async copies of the scan kernels (memref operands still typed).
  pm.nest<gpu::GPUModuleOp>().addPass(createConvertNVGPUToNVVMPass());
  addKernelSerialization(pm);
  pm.nest<gpu::GPUModuleOp>().addPass(createSSMNVVMFastMath());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;
  pm.nest<gpu::GPUModuleOp>().addPass(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::ssm::buildSSMGPUBinaryPipeline(OpPassManager &pm) {
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::ssm::buildSSMToNVVMPipeline(OpPassManager &pm,
                                       const GPUPipelineOptions &options) {
  buildSSMGraphPipeline(pm);
  buildSSMToGPULoopsPipeline(pm, options.getKernelOptions(), GPUVendor::NVIDIA,
                             options.chip);
  buildSSMGPUBufferizePipeline(pm, options.chip, options.padLibraryBuffers);
  buildSSMGPUToNVVMPipeline(pm, options);
  buildSSMGPUBinaryPipeline(pm);
}

void mlir::ssm::buildSSMGPUToROCDLPipeline(OpPassManager &pm,
                                           const GPUPipelineOptions &options) {
  buildSSMToGPUKernelsPipeline(pm, rocdlChip(options));
  pm.addPass(createDedupeKernels());
  pm.addPass(createNameKernelsByModule());
  GpuROCDLAttachTargetOptions target;
  target.chip = rocdlChip(options);
  pm.addPass(createGpuROCDLAttachTarget(target));
  addKernelSerialization(pm);
  pm.nest<gpu::GPUModuleOp>().addPass(createSSMROCDLFastMath());
  ConvertGpuOpsToROCDLOpsOptions rocdl;
  rocdl.chipset = rocdlChip(options);
  rocdl.useBarePtrCallConv = true;
  pm.nest<gpu::GPUModuleOp>().addPass(createConvertGpuOpsToROCDLOps(rocdl));
  // Again, for the float atomics convert-gpu-to-rocdl produced.
  pm.nest<gpu::GPUModuleOp>().addPass(createSSMROCDLFastMath());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::ssm::buildSSMROCDLBinaryPipeline(OpPassManager &pm,
                                            const GPUPipelineOptions &options,
                                            bool assembly) {
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = assembly ? "isa" : "bin";
  binary.toolkitPath = options.toolkit.empty() ? SSM_ROCM_TOOLKIT_DIR
                                               : options.toolkit.getValue();
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::ssm::buildSSMToROCDLPipeline(OpPassManager &pm,
                                        const GPUPipelineOptions &options) {
  buildSSMGraphPipeline(pm);
  buildSSMToGPULoopsPipeline(pm, options.getKernelOptions(), GPUVendor::AMD,
                             rocdlChip(options));
  buildSSMGPUBufferizePipeline(pm, rocdlChip(options),
                               options.padLibraryBuffers);
  buildSSMGPUToROCDLPipeline(pm, options);
  buildSSMROCDLBinaryPipeline(pm, options, /*assembly=*/true);
}

void mlir::ssm::registerSSMPipelines() {
  PassPipelineRegistration<GPUPipelineOptions>(
      "ssm-lower-to-nvvm",
      "Lower ssm + tensor IR to GPU kernels serialized as PTX (sm_90 default)",
      buildSSMToNVVMPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "ssm-lower-to-rocdl",
      "Lower ssm + tensor IR to GPU kernels serialized as AMDGPU assembly "
      "(gfx942 default)",
      buildSSMToROCDLPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "ssm-lower-to-cpu",
      "Lower ssm + tensor IR to the LLVM dialect for the CPU target",
      buildSSMToCPUPipeline);
  PassPipelineRegistration<>("ssm-graph",
                             "ssm graph cleanup (canonicalize, cse)",
                             buildSSMGraphPipeline);
  PassPipelineRegistration<>(
      "ssm-to-loops", "ssm ops to loops, dense tensor ops to linalg",
      [](OpPassManager &pm) { buildSSMToLoopsPipeline(pm); });
  PassPipelineRegistration<>("ssm-bufferize",
                             "bufferize, outputs as out-params, deallocation",
                             buildSSMBufferizePipeline);
  PassPipelineRegistration<>("ssm-to-llvm",
                             "bufferized loops to the LLVM dialect",
                             buildSSMToLLVMPipeline);
}
