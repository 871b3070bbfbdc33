//===- KernelPlans.h - launch plans of the generic GPU kernels -*- C++ -*-===//
//
// Plain functions of shape and target (no IR) that decide how a kernel is
// launched; the passes that emit the kernels only apply them. Unit-tested in
// unittests/Conversion/KernelPlansTest.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_CONVERSION_SSMTOGPU_KERNELPLANS_H
#define SSM_CONVERSION_SSMTOGPU_KERNELPLANS_H

#include <cstdint>
#include <string>

namespace mlir::ssm {

/// What the launch plans need to know about a GPU. One place for the vendor
/// differences the plans depend on.
struct GPUTargetInfo {
  /// Streaming multiprocessors (NVIDIA) / compute units (AMD).
  int64_t computeUnits = 132;
  /// Threads that execute in lock step: 32 (warp), 64 (gfx9 wavefront).
  int64_t warpSize = 32;
  /// The largest block the plans use (the hardware allows 1024).
  int64_t maxThreadsPerBlock = 256;
};

/// The target description for a chip name: "sm_90" (H100: 132 SMs; other
/// sm_* chips are planned like it), "gfx942" (MI300X: 304 CUs), "gfx90a"
/// (MI200: 110 CUs per die). Unknown chips get their vendor's defaults.
GPUTargetInfo getGPUTargetInfo(const std::string &chip);

/// Launch of a parallel loop nest collapsed into `iterations` independent
/// iterations, one per thread: `blocks` blocks of `threadsPerBlock` threads
/// (the last block guarded).
struct ParallelLoopPlan {
  int64_t threadsPerBlock = 1;
  int64_t blocks = 1;
};

/// Whole warps per block; the largest block (maxThreadsPerBlock) unless that
/// leaves fewer than two blocks per compute unit, then smaller blocks (down to
/// two warps) so every compute unit gets work; a loop smaller than one block
/// gets its iteration count rounded up to whole warps. `iterations` < 1 is
/// treated as 1.
ParallelLoopPlan planParallelLoop(int64_t iterations,
                                  const GPUTargetInfo &target);

} // namespace mlir::ssm

#endif // SSM_CONVERSION_SSMTOGPU_KERNELPLANS_H
