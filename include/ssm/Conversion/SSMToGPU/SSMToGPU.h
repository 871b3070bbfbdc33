//===- SSMToGPU.h - lower ssm ops to dedicated GPU kernels --------*- C++
//-*-===//

#ifndef SSM_CONVERSION_SSMTOGPU_SSMTOGPU_H
#define SSM_CONVERSION_SSMTOGPU_SSMTOGPU_H

#include <cstdint>

namespace mlir {
class RewritePatternSet;
namespace ssm {

/// Launch shape of the selective-scan kernel (see convert-ssm-to-gpu).
struct ScanKernelOptions {
  int64_t channelsPerBlock = 64;
  /// Steps per tile; 0: by shape (16 for prefetching kernels, 32 otherwise).
  int64_t tileSteps = 0;
  /// Double-buffered tiles filled by cp.async (f32 sequences only).
  bool asyncCopies = false;
  /// Scan steps per iteration of the step loop (independent work between
  /// the states' recurrences).
  int64_t unrollSteps = 2;
  /// Threads per channel, each owning states / lanes of the n states (y is
  /// summed across them with shuffles).
  int64_t lanesPerChannel = 1;
  /// States per thread whose decay exp2 runs as a polynomial on the FMA pipe
  /// (the rest use the multi-function unit's ex2); -1: by shape (2 for
  /// chunked scans that prefetch, 0 otherwise).
  int64_t polyExpStates = -1;
  /// Channels per thread (register blocking over d; with one lane per
  /// channel): one step's B/C shared loads serve all of them.
  int64_t channelsPerThread = 1;
  /// Shared memory the tiles may use; above 48 KiB they are dynamic shared
  /// memory (sm_90: up to 227 KiB per block).
  int64_t maxSharedMemory = 100 * 1024;
  /// f32 scans at least this long use the cp.async tiles even without
  /// asyncCopies (0: never).
  int64_t asyncMinLength = 512;
  /// Chunks the steps are split into (pass 1: each chunk's end states from
  /// zero; a combine carries them across chunks; pass 2: each chunk from its
  /// carried states). 0: chosen by shape (chunkTargetThreads,
  /// chunkMinSteps); 1: one pass.
  int64_t chunks = 0;
  /// Chosen chunks: for scans of fewer than chunkMaxThreads threads (one
  /// per channel and lane), enough for chunkTargetThreads threads in all,
  /// but chunks of at least chunkMinSteps steps.
  int64_t chunkMaxThreads = 16384;
  int64_t chunkTargetThreads = 262144;
  int64_t chunkMinSteps = 256;
  /// Synchronous tile fills read u / delta / z by 16-byte vectors: always,
  /// or (by shape) for f32 scans of one pass and at least vectorMinLength
  /// steps (0: never by length), in place of cp.async.
  bool vectorLoads = false;
  int64_t vectorMinLength = 512;
  /// Scalar synchronous fills of scans with at most prefetchMaxStates
  /// states load the next tile into registers before the current tile's
  /// steps and store it to shared memory after them (0: never).
  int64_t prefetchMaxStates = 16;
};

/// The forward selective scan as a gpu.launch over buffers (greedy pattern;
/// scans it does not support are left alone).
void populateSelectiveScanToGPUPatterns(RewritePatternSet &patterns,
                                        const ScanKernelOptions &options);

/// VMamba's SS2D core, cross_merge(selective_scan(cross_scan(x))) through
/// the builder's reshapes, as one gpu.launch (CrossScanFusion.cpp) with
/// `stepsPerLane` scan steps per lane and segment; rooted at the scan with a
/// higher benefit than the plain scan lowering.
void populateCrossScanFusionToGPUPatterns(RewritePatternSet &patterns,
                                          int64_t stepsPerLane);

/// Launch shape of the selective-scan backward kernel (see
/// convert-ssm-to-gpu and SelectiveScanGrad.cpp).
struct ScanGradKernelOptions {
  /// Threads per channel, each owning n / lanes states (a power of two
  /// dividing n, at most 32); per-channel sums go through shuffles.
  int64_t lanesPerChannel = 4;
  /// Channels per block (0: 128 threads' worth).
  int64_t channelsPerBlock = 0;
  /// Steps per shared tile and per recomputed register block (a power of
  /// two, at least lanesPerChannel).
  int64_t tileSteps = 8;
  /// Shared memory a block may use; above 48 KiB it is dynamic.
  int64_t maxSharedMemory = 48 * 1024;
  /// Lanes summing one dB / dC element over the block's channels (1: one
  /// lane, one row at a time; more: rows split over adjacent lanes, 4 loads
  /// in flight, butterfly shuffles).
  int64_t reduceLanes = 1;
  /// Recompute exp(delta A) in the backward sweep instead of keeping the
  /// tile's T x S decays in registers (one more exp2 per state and step,
  /// T * S fewer live registers).
  bool recomputeDecays = false;
  /// Load the next tile's inputs (and, backward, its start states) before
  /// the current tile's steps and store them to shared memory after them,
  /// so the global loads' latency overlaps the steps.
  bool prefetch = false;
};

/// Every kernel choice of convert-ssm-to-gpu, with its default: the one
/// options struct that GPUTargetOptions (Compile.h) holds and
/// buildSSMToGPULoopsPipeline takes. Spelled as the pass options
/// (Passes.td: `<name>`, `grad-<name>`; getConvertSSMToGPUOptions), the
/// ssm-lower-to-{nvvm,rocdl} options (Pipelines.h: `scan-<name>`,
/// `scan-grad-<name>`; GPUPipelineOptions::getKernelOptions) and the same
/// ssm-compile flags (bound to a GPUKernelOptions). Only Passes.td repeats
/// the defaults; test/Conversion/SSMToGPU/default-options.mlir checks them.
struct GPUKernelOptions {
  /// VMamba's cross_scan -> selective_scan -> cross_merge chain as one
  /// kernel with this many steps per lane (4 or 8); 0: no fusion.
  int64_t crossScanSteps = 4;
  /// The forward selective-scan kernel.
  ScanKernelOptions scan;
  /// The selective-scan backward kernel.
  ScanGradKernelOptions grad;
};

/// ssm.selective_scan_grad as gpu.launch ops over buffers (zeroing, the
/// backward scan with per-tile recomputation and atomic dB / dC / dA / dD /
/// ddelta_bias sums, and a conversion of 16-bit dB / dC).
void populateSelectiveScanGradToGPUPatterns(
    RewritePatternSet &patterns, const ScanGradKernelOptions &options);

} // namespace ssm
} // namespace mlir

#endif // SSM_CONVERSION_SSMTOGPU_SSMTOGPU_H
