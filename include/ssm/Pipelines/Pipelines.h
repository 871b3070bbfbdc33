//===- Pipelines.h - the ssm lowering pipelines -------------------*- C++
//-*-===//
//
// The one place the pass order lives. ssm-opt registers these as
// `ssm-lower-to-cpu` (and the stage pipelines), and ssm-compile / Python call
// the same builders, so the tools never drift.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_PIPELINES_PIPELINES_H
#define SSM_PIPELINES_PIPELINES_H

#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"
#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace ssm {

/// Whether the GPU pipelines pad the rows of the buffers GEMM library calls
/// use (ssm-pad-library-buffers) unless told otherwise: on, because aligned
/// rows let cuBLASLt pick its fast kernels (Vim-T bf16 batch 128 on the H100:
/// 8,760 -> 11,941 img/s, docs/perf/h100.md); off with
/// `ssm-compile --gpu-pad-library-buffers=false` or the pipeline option.
inline constexpr bool kPadLibraryBuffersByDefault = true;

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {};

/// The GPU pipelines' textual options: the chip and toolkit, and the
/// GPUKernelOptions (SSMToGPU.h: their defaults and meaning) spelled
/// `scan-<name>` and `scan-grad-<name>` (getKernelOptions).
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  static constexpr GPUKernelOptions kDefaults{};

  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("GPU chip (sm_90; gfx90a, gfx942)")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("ROCm toolkit folder (llvm/bin/ld.lld, amdgcn/bitcode); "
                     "default: the build's link farm over Debian's "
                     "rocm-device-libs")};
  Option<bool> padLibraryBuffers{
      *this, "pad-library-buffers",
      llvm::cl::desc("pad the rows of the buffers GEMM library calls use to "
                     "the library's alignment (ssm-pad-library-buffers)"),
      llvm::cl::init(kPadLibraryBuffersByDefault)};
  Option<int64_t> scanCrossScanSteps{
      *this, "scan-cross-scan-steps",
      llvm::cl::desc("VMamba's cross_scan -> selective_scan -> cross_merge "
                     "as one kernel, this many steps per lane (0: not fused)"),
      llvm::cl::init(kDefaults.crossScanSteps)};
  Option<int64_t> scanChannelsPerBlock{
      *this, "scan-channels-per-block",
      llvm::cl::desc("selective-scan kernel: channels (threads) per block"),
      llvm::cl::init(kDefaults.scan.channelsPerBlock)};
  Option<int64_t> scanTileSteps{
      *this, "scan-tile-steps",
      llvm::cl::desc("selective-scan kernel: time steps per shared tile "
                     "(0: by shape)"),
      llvm::cl::init(kDefaults.scan.tileSteps)};
  Option<bool> scanAsyncCopies{
      *this, "scan-async-copies",
      llvm::cl::desc("selective-scan kernel: double-buffered cp.async tiles "
                     "(f32 sequences)"),
      llvm::cl::init(kDefaults.scan.asyncCopies)};
  Option<int64_t> scanUnrollSteps{
      *this, "scan-unroll-steps",
      llvm::cl::desc("selective-scan kernel: steps per step-loop iteration"),
      llvm::cl::init(kDefaults.scan.unrollSteps)};
  Option<int64_t> scanLanesPerChannel{
      *this, "scan-lanes-per-channel",
      llvm::cl::desc("selective-scan kernel: threads per channel"),
      llvm::cl::init(kDefaults.scan.lanesPerChannel)};
  Option<int64_t> scanPolyExpStates{
      *this, "scan-poly-exp-states",
      llvm::cl::desc("selective-scan kernel: states per thread with a "
                     "polynomial exp2 (FMA pipe; -1: by shape)"),
      llvm::cl::init(kDefaults.scan.polyExpStates)};
  Option<int64_t> scanChannelsPerThread{
      *this, "scan-channels-per-thread",
      llvm::cl::desc("selective-scan kernel: channels per thread"),
      llvm::cl::init(kDefaults.scan.channelsPerThread)};
  Option<int64_t> scanMaxSharedMemory{
      *this, "scan-max-shared-memory",
      llvm::cl::desc("selective-scan kernel: shared memory bytes for the "
                     "tiles (dynamic above 48 KiB)"),
      llvm::cl::init(kDefaults.scan.maxSharedMemory)};
  Option<int64_t> scanAsyncMinLength{
      *this, "scan-async-min-length",
      llvm::cl::desc("selective-scan kernel: f32 scans of at least this many "
                     "steps use cp.async tiles (0: never by length)"),
      llvm::cl::init(kDefaults.scan.asyncMinLength)};
  Option<int64_t> scanChunks{
      *this, "scan-chunks",
      llvm::cl::desc("selective-scan kernel: chunks of the steps scanned in "
                     "parallel (0: by shape, 1: one pass)"),
      llvm::cl::init(kDefaults.scan.chunks)};
  Option<int64_t> scanChunkMaxThreads{
      *this, "scan-chunk-max-threads",
      llvm::cl::desc("selective-scan kernel: chunks are chosen only for "
                     "scans of fewer threads"),
      llvm::cl::init(kDefaults.scan.chunkMaxThreads)};
  Option<int64_t> scanChunkTargetThreads{
      *this, "scan-chunk-target-threads",
      llvm::cl::desc("selective-scan kernel: chosen chunks give at least "
                     "this many threads"),
      llvm::cl::init(kDefaults.scan.chunkTargetThreads)};
  Option<int64_t> scanChunkMinSteps{
      *this, "scan-chunk-min-steps",
      llvm::cl::desc("selective-scan kernel: chosen chunks have at least "
                     "this many steps"),
      llvm::cl::init(kDefaults.scan.chunkMinSteps)};
  Option<bool> scanVectorLoads{
      *this, "scan-vector-loads",
      llvm::cl::desc("selective-scan kernel: 16-byte vector loads of u, "
                     "delta, z"),
      llvm::cl::init(kDefaults.scan.vectorLoads)};
  Option<int64_t> scanVectorMinLength{
      *this, "scan-vector-min-length",
      llvm::cl::desc("selective-scan kernel: f32 one-pass scans of at least "
                     "this many steps use 16-byte vector fills (0: never by "
                     "length)"),
      llvm::cl::init(kDefaults.scan.vectorMinLength)};
  Option<int64_t> scanPrefetchMaxStates{
      *this, "scan-prefetch-max-states",
      llvm::cl::desc("selective-scan kernel: scalar synchronous fills of "
                     "scans with at most this many states prefetch the next "
                     "tile into registers (0: never)"),
      llvm::cl::init(kDefaults.scan.prefetchMaxStates)};
  Option<int64_t> scanGradLanesPerChannel{
      *this, "scan-grad-lanes-per-channel",
      llvm::cl::desc("selective-scan backward kernel: threads per channel"),
      llvm::cl::init(kDefaults.grad.lanesPerChannel)};
  Option<int64_t> scanGradChannelsPerBlock{
      *this, "scan-grad-channels-per-block",
      llvm::cl::desc("selective-scan backward kernel: channels per block "
                     "(0: 128 threads' worth)"),
      llvm::cl::init(kDefaults.grad.channelsPerBlock)};
  Option<int64_t> scanGradTileSteps{
      *this, "scan-grad-tile-steps",
      llvm::cl::desc("selective-scan backward kernel: steps per tile"),
      llvm::cl::init(kDefaults.grad.tileSteps)};
  Option<int64_t> scanGradMaxSharedMemory{
      *this, "scan-grad-max-shared-memory",
      llvm::cl::desc("selective-scan backward kernel: shared memory bytes "
                     "per block (dynamic above 48 KiB)"),
      llvm::cl::init(kDefaults.grad.maxSharedMemory)};
  Option<int64_t> scanGradReduceLanes{
      *this, "scan-grad-reduce-lanes",
      llvm::cl::desc("selective-scan backward kernel: lanes per summed dB / "
                     "dC element"),
      llvm::cl::init(kDefaults.grad.reduceLanes)};
  Option<bool> scanGradRecomputeDecays{
      *this, "scan-grad-recompute-decays",
      llvm::cl::desc("selective-scan backward kernel: recompute exp(delta A) "
                     "in the backward sweep (fewer live registers)"),
      llvm::cl::init(kDefaults.grad.recomputeDecays)};
  Option<bool> scanGradPrefetch{
      *this, "scan-grad-prefetch",
      llvm::cl::desc("selective-scan backward kernel: load the next tile "
                     "during the current one's steps"),
      llvm::cl::init(kDefaults.grad.prefetch)};

  /// The kernel options these spell.
  GPUKernelOptions getKernelOptions() const;
};

/// Graph-level cleanup on ssm + tensor IR: canonicalize (the ssm folds) and
/// CSE; then ssm-narrow-activations (16-bit intermediates of functions
/// tagged ssm.activation_type, the bf16 models).
void buildSSMGraphPipeline(OpPassManager &pm);

/// ssm ops to loops over buffers, dense tensor ops to linalg (still tensors).
/// The CPU scans are planned for `vectors` (planCPUScan); the overload
/// without it plans for convert-ssm-to-scf's defaults (AVX-512).
void buildSSMToLoopsPipeline(OpPassManager &pm);
void buildSSMToLoopsPipeline(OpPassManager &pm, const CPUVectorInfo &vectors);

/// One-shot bufferization; results become out-parameters and every buffer
/// gets its deallocation.
void buildSSMBufferizePipeline(OpPassManager &pm);

/// Bufferized loops to the LLVM dialect, with the bare-pointer calling
/// convention for function arguments (static shapes).
void buildSSMToLLVMPipeline(OpPassManager &pm);

/// All of the above, in order: ssm + tensors to the LLVM dialect for the CPU.
void buildSSMToCPUPipeline(OpPassManager &pm,
                           const CPUPipelineOptions &options);

/// Bufferized loops to GPU kernels on the neutral gpu dialect: parallel loops
/// spread over blocks and threads (launch shapes planned for `chip`) and
/// outlined into a gpu.module. Shared by both vendors up to the target
/// attach.
void buildSSMToGPUKernelsPipeline(OpPassManager &pm, const std::string &chip);

/// Whose GPU the kernels are for: the stages are shared, a few kernel
/// choices are not (cp.async is NVIDIA-only; AMD has 64 KiB of LDS).
enum class GPUVendor { NVIDIA, AMD };

/// GPU stage 1: selective scans to dedicated gpu.launch kernels
/// (convert-ssm-to-gpu), then the rest as buildSSMToLoopsPipeline. For AMD
/// the scan kernels use no cp.async (nvgpu) and at most 64 KiB of shared
/// memory. `chip` sizes the reduction splits (empty: the vendor's default
/// chip, sm_90 or gfx942).
void buildSSMToGPULoopsPipeline(OpPassManager &pm,
                                const GPUKernelOptions &options,
                                GPUVendor vendor = GPUVendor::NVIDIA,
                                const std::string &chip = "");

/// GPU stage 2: buildSSMBufferizePipeline without the deallocation pipeline
/// (static intermediates become workspace views, outputs out-parameters);
/// with `padLibraryBuffers`, the buffers library GEMMs use get rows aligned
/// for `chip`'s library (sm_90 when empty).
void buildSSMGPUBufferizePipeline(
    OpPassManager &pm, const std::string &chip = "",
    bool padLibraryBuffers = kPadLibraryBuffersByDefault);

/// NVVM after bufferization: kernels outlined into a gpu.module targeting
/// `options.chip` and lowered to the NVVM dialect (bare-pointer kernel
/// arguments); the host function keeps its allocations and launch_funcs.
void buildSSMGPUToNVVMPipeline(OpPassManager &pm,
                               const GPUPipelineOptions &options);

/// ROCDL after bufferization: the same kernels outlined into a gpu.module
/// targeting `options.chip` (gfx942 default, gfx90a), afn exp2 as
/// llvm.amdgcn.exp2 (v_exp_f32; ssm-rocdl-fast-math), lowered to the ROCDL
/// dialect (bare-pointer kernel arguments, wave64) with each kernel's known
/// block size as its amdgpu-flat-work-group-size.
void buildSSMGPUToROCDLPipeline(OpPassManager &pm,
                                const GPUPipelineOptions &options);

/// gpu-module-to-binary to target assembly (PTX for NVVM).
void buildSSMGPUBinaryPipeline(OpPassManager &pm);

/// gpu-module-to-binary for ROCDL: AMDGPU assembly (`assembly`) or HSACO
/// code objects linked by LLVM 22's ld.lld, with `options.toolkit` (default:
/// the build's link farm over Debian's rocm-device-libs) as the ROCm path.
void buildSSMROCDLBinaryPipeline(OpPassManager &pm,
                                 const GPUPipelineOptions &options,
                                 bool assembly);

/// ssm + tensors to a gpu.binary holding PTX (NVVM, no CUDA toolkit needed)
/// or AMDGPU assembly (ROCDL) for `options.chip`; the same stages up to the
/// target attach. The host side stays func + gpu.launch_func (ssm-compile
/// writes it as the .ssmb schedule).
void buildSSMToNVVMPipeline(OpPassManager &pm,
                            const GPUPipelineOptions &options);
void buildSSMToROCDLPipeline(OpPassManager &pm,
                             const GPUPipelineOptions &options);

/// Registers `ssm-lower-to-{cpu,nvvm,rocdl}` and the stage pipelines.
void registerSSMPipelines();

} // namespace ssm
} // namespace mlir

#endif // SSM_PIPELINES_PIPELINES_H
