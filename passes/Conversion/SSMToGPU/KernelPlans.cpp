//===- KernelPlans.cpp - launch plans of the generic GPU kernels ----------===//

#include "ssm/Conversion/SSMToGPU/KernelPlans.h"

#include <algorithm>

using namespace mlir::ssm;

GPUTargetInfo mlir::ssm::getGPUTargetInfo(const std::string &chip) {
  GPUTargetInfo info;
  if (chip.rfind("gfx", 0) == 0) {
    info.warpSize = 64;
    info.computeUnits = chip == "gfx90a" ? 110 : 304;
    return info;
  }
  // NVIDIA: the H100 SXM's 132 SMs (the H200 has the same count).
  info.warpSize = 32;
  info.computeUnits = 132;
  return info;
}

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

ParallelLoopPlan mlir::ssm::planParallelLoop(int64_t iterations,
                                             const GPUTargetInfo &target) {
  iterations = std::max<int64_t>(iterations, 1);
  const int64_t warp = std::max<int64_t>(target.warpSize, 1);
  int64_t threads =
      std::max<int64_t>(warp, target.maxThreadsPerBlock / warp * warp);
  // Smaller blocks while the grid would leave compute units idle.
  while (threads > 2 * warp &&
         ceilDiv(iterations, threads) < 2 * target.computeUnits)
    threads /= 2;
  threads = std::max(threads / warp * warp, warp);
  // A loop smaller than one block: whole warps covering it.
  threads = std::min(threads, ceilDiv(iterations, warp) * warp);
  return {threads, ceilDiv(iterations, threads)};
}

RowReductionPlan mlir::ssm::planRowReduction(int64_t rows, int64_t rowLength,
                                             bool rowContiguous,
                                             const GPUTargetInfo &target) {
  RowReductionPlan plan;
  const int64_t warp = std::max<int64_t>(target.warpSize, 1);
  if (!rowContiguous || rowLength < warp || rows < 1)
    return plan;
  plan.strategy = ReductionStrategy::WarpPerRow;
  plan.lanesPerRow = warp;
  int64_t perBlock = std::max<int64_t>(target.maxThreadsPerBlock / warp, 1);
  while (perBlock > 1 && ceilDiv(rows, perBlock) < 2 * target.computeUnits)
    perBlock /= 2;
  plan.rowsPerBlock = perBlock;
  plan.blocks = ceilDiv(rows, perBlock);
  return plan;
}

bool mlir::ssm::gemmLibraryTakesBias(bool alongN, bool biasIsF32) {
  return alongN && biasIsF32;
}
