//===- KernelPlans.cpp - launch plans of the generic GPU kernels ----------===//

#include "ssm/Conversion/SSMToGPU/KernelPlans.h"

#include <algorithm>
#include <numeric>

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
                                             const GPUTargetInfo &target,
                                             int64_t accessBytes,
                                             int64_t forcedElementsPerThread) {
  iterations = std::max<int64_t>(iterations, 1);
  const int64_t warp = std::max<int64_t>(target.warpSize, 1);
  const int64_t maxThreads =
      std::max<int64_t>(warp, target.maxThreadsPerBlock / warp * warp);
  // 16 bytes per thread and access stream (one 128-bit access' worth).
  constexpr int64_t kBytesPerThread = 16, kMaxElementsPerThread = 8;
  constexpr int64_t kMinBlocksPerComputeUnit = 4;
  int64_t perThread = 1;
  if (accessBytes > 0 && forcedElementsPerThread > 0) {
    perThread = forcedElementsPerThread;
  } else if (accessBytes > 0) {
    perThread = std::clamp<int64_t>(kBytesPerThread / accessBytes, 1,
                                    kMaxElementsPerThread);
    while (perThread > 1 &&
           ceilDiv(iterations, perThread) <
               kMinBlocksPerComputeUnit * target.computeUnits * maxThreads)
      perThread /= 2;
  }
  perThread = std::min(perThread, iterations);
  const int64_t stride = ceilDiv(iterations, perThread);
  // No copy entirely past the end (5 iterations at 4 per thread: 3 copies).
  perThread = ceilDiv(iterations, stride);

  int64_t threads = maxThreads;
  // Smaller blocks while the grid would leave compute units idle.
  while (threads > 2 * warp &&
         ceilDiv(stride, threads) < 2 * target.computeUnits)
    threads /= 2;
  threads = std::max(threads / warp * warp, warp);
  // A loop smaller than one block: whole warps covering it.
  threads = std::min(threads, ceilDiv(stride, warp) * warp);
  return {threads, ceilDiv(stride, threads), perThread, stride,
          std::min(perThread, iterations / stride)};
}

/// The loop with strictly the most weight among `votes` (an access's loop
/// and whether it is a store), -1 where none has any or two tie.
static int uniqueHeaviestLoop(unsigned numLoops,
                              const std::vector<std::pair<int, bool>> &votes) {
  std::vector<int64_t> weight(numLoops, 0);
  for (auto [loop, isStore] : votes)
    if (loop >= 0 && unsigned(loop) < numLoops)
      weight[loop] += isStore ? 2 : 1;
  int best = -1;
  bool tied = false;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (best < 0 || weight[d] > weight[best]) {
      best = int(d);
      tied = false;
    } else if (weight[d] == weight[best]) {
      tied = true;
    }
  }
  if (best < 0 || tied || weight[best] == 0)
    return -1;
  return best;
}

std::vector<unsigned>
mlir::ssm::planLinearizationOrder(unsigned numLoops,
                                  const std::vector<LoopAccess> &accesses) {
  std::vector<unsigned> order(numLoops);
  for (unsigned d = 0; d < numLoops; ++d)
    order[d] = d;
  std::vector<std::pair<int, bool>> votes;
  for (const LoopAccess &access : accesses)
    votes.push_back({access.loop, access.isStore});
  int fastest = uniqueHeaviestLoop(numLoops, votes);
  if (fastest < 0)
    return order;
  // Among the accesses that run along the fastest loop, the loop that
  // indexes their (contiguous) next-outer dimension.
  votes.clear();
  for (const LoopAccess &access : accesses)
    if (access.loop == fastest)
      votes.push_back({access.outerLoop, access.isStore});
  int second = uniqueHeaviestLoop(numLoops, votes);
  order.erase(order.begin() + fastest);
  if (second >= 0 && second != fastest) {
    order.erase(std::find(order.begin(), order.end(), unsigned(second)));
    order.push_back(unsigned(second));
  }
  order.push_back(unsigned(fastest));
  return order;
}

namespace {
/// Warps of one row each per block: a block of maxThreadsPerBlock threads,
/// halved while that leaves fewer than two blocks per compute unit.
int64_t warpRowsPerBlock(int64_t rows, const GPUTargetInfo &target) {
  const int64_t warp = std::max<int64_t>(target.warpSize, 1);
  int64_t perBlock = std::max<int64_t>(target.maxThreadsPerBlock / warp, 1);
  while (perBlock > 1 && ceilDiv(rows, perBlock) < 2 * target.computeUnits)
    perBlock /= 2;
  return perBlock;
}
} // namespace

RowReductionPlan mlir::ssm::planRowReduction(int64_t rows, int64_t rowLength,
                                             bool rowContiguous,
                                             const GPUTargetInfo &target) {
  RowReductionPlan plan;
  const int64_t warp = std::max<int64_t>(target.warpSize, 1);
  if (!rowContiguous || rowLength < warp || rows < 1)
    return plan;
  plan.strategy = ReductionStrategy::WarpPerRow;
  plan.lanesPerRow = warp;
  plan.rowsPerBlock = warpRowsPerBlock(rows, target);
  plan.blocks = ceilDiv(rows, plan.rowsPerBlock);
  return plan;
}

RowNormPlan mlir::ssm::planRowNorm(int64_t rows, int64_t rowLength,
                                   int64_t heldRows,
                                   const GPUTargetInfo &target) {
  RowNormPlan plan;
  const int64_t warp = std::max<int64_t>(target.warpSize, 1);
  if (rows < 1 || rowLength < 1)
    return plan;
  const int64_t perLane = ceilDiv(rowLength, warp);
  if (perLane * std::max<int64_t>(heldRows, 1) > kRowNormMaxHeldPerLane)
    return plan;
  plan.fused = true;
  plan.lanesPerRow = warp;
  plan.elementsPerLane = perLane;
  plan.rowsPerBlock = warpRowsPerBlock(rows, target);
  plan.blocks = ceilDiv(rows, plan.rowsPerBlock);
  return plan;
}

StridedRowNormPlan mlir::ssm::planStridedRowNorm(int64_t rows,
                                                 int64_t rowLength,
                                                 int64_t heldRows,
                                                 int64_t elementBytes,
                                                 const GPUTargetInfo &target) {
  StridedRowNormPlan plan;
  if (rows < 1 || rowLength < 1)
    return plan;
  const int64_t warp = std::max<int64_t>(target.warpSize, 1);
  const int64_t block = std::max<int64_t>(target.maxThreadsPerBlock, warp);
  const int64_t held = std::max<int64_t>(heldRows, 1);
  const int64_t minTokens =
      std::min(warp, std::max<int64_t>(32 / std::max<int64_t>(elementBytes, 1),
                                       1));
  auto tiling = [&](int64_t tokens) {
    StridedRowNormPlan p;
    p.fused = true;
    p.tokensPerBlock = tokens;
    int64_t slices = 1;
    while (slices * 2 * tokens <= block && slices * 2 <= rowLength)
      slices *= 2;
    p.slices = slices;
    p.elementsPerThread = ceilDiv(rowLength, slices);
    p.holdInRegisters =
        p.elementsPerThread * held <= kStridedNormMaxHeldPerThread;
    p.blocks = ceilDiv(rows, tokens);
    return p;
  };
  // The widest tile that fills the GPU; narrower while the rows do not fit.
  int64_t tokens = warp;
  while (tokens > minTokens && tokens > 1 &&
         ceilDiv(rows, tokens) < 2 * target.computeUnits)
    tokens /= 2;
  StridedRowNormPlan widest = tiling(tokens);
  for (int64_t t = tokens; t >= std::max<int64_t>(minTokens, 1); t /= 2) {
    StridedRowNormPlan p = tiling(t);
    if (p.holdInRegisters)
      return p;
    if (t == 1)
      break;
  }
  return widest;
}

bool mlir::ssm::gemmLibraryTakesBias(bool alongN, bool biasIsF32) {
  return alongN && biasIsF32;
}

int64_t mlir::ssm::planLibraryRowPitch(const std::vector<int64_t> &shape,
                                       int64_t elementBytes,
                                       const GPUTargetInfo &target,
                                       int64_t extentMultiple) {
  if (shape.empty())
    return 1;
  const int64_t extent = shape.back();
  const int64_t align = target.libraryAlignmentBytes;
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i)
    rows *= shape[i];
  if (extent < 2 || rows < 2 || elementBytes < 1 || align < 1 ||
      align % elementBytes != 0)
    return extent;
  const int64_t perRow =
      std::lcm(align / elementBytes, std::max<int64_t>(extentMultiple, 1));
  return ceilDiv(extent, perRow) * perRow;
}

int64_t mlir::ssm::libraryExtentWidth(const std::vector<int64_t> &elementBytes,
                                      const GPUTargetInfo &target) {
  const int64_t align = target.libraryAlignmentBytes;
  int64_t width = 1;
  for (int64_t bytes : elementBytes)
    if (bytes >= 1 && align >= 1 && align % bytes == 0)
      width = std::lcm(width, align / bytes);
  return width;
}

SplitReductionPlan
mlir::ssm::planSplitReduction(int64_t outputs,
                              const std::vector<int64_t> &reductionExtents,
                              const GPUTargetInfo &target) {
  SplitReductionPlan plan;
  constexpr int64_t kMinSteps = 32;
  const int64_t block = target.maxThreadsPerBlock;
  if (outputs < 1 || outputs >= 4 * target.computeUnits * block)
    return plan;
  int64_t total = 1;
  for (int64_t e : reductionExtents) {
    if (e < 1)
      return plan;
    total *= e;
  }
  if (total < 1024)
    return plan;
  const int64_t wanted = ceilDiv(8 * target.computeUnits * block, outputs);
  int64_t best = 0, bestDim = -1;
  bool bestReaches = false;
  for (int64_t d = 0; d < int64_t(reductionExtents.size()); ++d) {
    const int64_t extent = reductionExtents[d];
    for (int64_t s = 2; s <= extent; ++s) {
      if (extent % s != 0 || total / s < kMinSteps)
        continue;
      const bool reaches = s >= wanted;
      // Prefer a split that reaches the thread count (the smallest such),
      // else the largest one.
      if (best == 0 || (reaches && (!bestReaches || s < best)) ||
          (!reaches && !bestReaches && s > best)) {
        best = s;
        bestDim = d;
        bestReaches = reaches;
      }
      if (reaches)
        break;
    }
  }
  if (best < 2)
    return plan;
  plan.dim = bestDim;
  plan.splits = best;
  return plan;
}

int64_t mlir::ssm::libraryOperandSpan(const LibraryGemmOperand &x, int64_t rows,
                                      int64_t cols, int64_t batch) {
  const int64_t extents[3] = {rows, cols, batch};
  int64_t span = 1;
  for (int i = 0; i < 3; ++i) {
    const int64_t d = x.dims[i];
    if (d < 0 || d >= int64_t(x.strides.size()) || extents[i] < 1)
      continue;
    span += (extents[i] - 1) * x.strides[d];
  }
  return span;
}

/// The elements of an operand's allocation: its `held` layout and slack.
static int64_t allocatedElements(const LibraryGemmOperand &x) {
  int64_t last = 0;
  for (size_t d = 0; d < x.held.size() && d < x.strides.size(); ++d) {
    if (x.held[d] < 1)
      return 0;
    last += (x.held[d] - 1) * x.strides[d];
  }
  return last + 1 + x.slack;
}

LibraryGemmExtents
mlir::ssm::planLibraryGemmExtents(const LibraryGemm &g,
                                  const GPUTargetInfo &target) {
  LibraryGemmExtents r{g.m, g.n, g.k, g.a, g.b, g.c};
  enum { M = 0, N = 1, K = 2 };
  // The extents each operand's (row, column) run along: A (m, k), B (k, n),
  // C (m, n).
  constexpr int kIndexedBy[3][2] = {{M, K}, {K, N}, {M, N}};
  auto extentOf = [](LibraryGemmExtents &x, int e) -> int64_t & {
    return e == M ? x.m : e == N ? x.n : x.k;
  };
  auto operandOf = [](LibraryGemmExtents &x, int j) -> LibraryGemmOperand & {
    return j == 0 ? x.a : j == 1 ? x.b : x.c;
  };
  auto valid = [](const LibraryGemmOperand &x) {
    if (x.strides.size() != x.held.size())
      return false;
    for (int i = 0; i < 3; ++i)
      if (x.dims[i] >= int64_t(x.strides.size()) || (i < 2 && x.dims[i] < 0))
        return false;
    return true;
  };
  if (!valid(g.a) || !valid(g.b) || !valid(g.c) || g.batch < 1)
    return r;
  // The extent along an operand's unit-stride dim, -1 if none.
  auto contiguousExtent = [&](const LibraryGemmOperand &x, int j) {
    for (int i = 0; i < 2; ++i)
      if (x.strides[x.dims[i]] == 1)
        return kIndexedBy[j][i];
    return -1;
  };
  // n first: Vim's channel-first results put l there.
  for (int e : {N, M, K}) {
    std::vector<int64_t> bytes;
    for (int j = 0; j < 3; ++j) {
      const LibraryGemmOperand &x = operandOf(r, j);
      if (contiguousExtent(x, j) == e)
        bytes.push_back(x.elementBytes);
    }
    const int64_t width = libraryExtentWidth(bytes, target);
    const int64_t current = extentOf(r, e);
    if (width <= 1 || current % width == 0)
      continue;
    const int64_t wanted = ceilDiv(current, width) * width;
    if ((g.biasAxis == 'm' && e == M) || (g.biasAxis == 'n' && e == N))
      if (g.biasHeld < wanted)
        continue;
    LibraryGemmExtents c = r;
    extentOf(c, e) = wanted;
    bool safe = true;
    for (int j = 0; j < 3 && safe; ++j) {
      LibraryGemmOperand &x = operandOf(c, j);
      bool indexed = false;
      for (int i = 0; i < 2; ++i) {
        if (kIndexedBy[j][i] != e)
          continue;
        indexed = true;
        const int64_t d = x.dims[i];
        if (j == 2) {
          // The result's extra entries: only its own unread padding (or
          // its allocation's row padding along its unit-stride dim).
          if (!x.exclusive)
            safe = x.rowPadding && x.strides[d] == 1 && x.held[d] >= wanted;
          else if (x.held[d] < wanted && x.growable)
            x.held[d] = wanted;
          else if (x.held[d] < wanted)
            safe = false;
        } else if (e == K) {
          // Extra k entries add their products to every result: zeros only.
          if (!x.zeroPadding || x.held[d] < wanted)
            safe = false;
        }
      }
      if (!indexed || j == 2 || !safe)
        continue;
      // An input's extended rows / columns may run into its padding, the
      // next rows or batch and the slack, never past its allocation.
      const int64_t rows = extentOf(c, kIndexedBy[j][0]);
      const int64_t cols = extentOf(c, kIndexedBy[j][1]);
      const int64_t span = libraryOperandSpan(x, rows, cols, g.batch);
      const int64_t held = allocatedElements(x);
      if (span > held) {
        if (x.growable)
          x.slack += span - held;
        else
          safe = false;
      }
    }
    if (safe)
      r = c;
  }
  return r;
}

/// NHWC: the largest power of two up to 32 (channel lanes of one warp) whose
/// last channel group wastes at most an eighth of the channels; all of them
/// where there are fewer (rounded up to a power of two).
static int64_t depthwiseChannelsPerBlock(int64_t channels) {
  int64_t cap = 32;
  while (cap > 1 && cap / 2 >= channels)
    cap /= 2;
  if (cap >= channels)
    return cap;
  for (int64_t p = cap; p > 1; p /= 2)
    if (ceilDiv(channels, p) * p - channels <= channels / 8)
      return p;
  return 1;
}

int64_t mlir::ssm::depthwiseRegistersPerThread(int64_t outputsPerThread,
                                               int64_t kernel) {
  // The accumulators, one kernel row's staged values along the register
  // axis, its weight, and the block origin, indices and addresses (ptxas
  // sm_90 on MambaOut's 7x7 kernel, 4 outputs: 32).
  constexpr int64_t kFixed = 20;
  return outputsPerThread + (outputsPerThread + kernel - 1) + 1 + kFixed;
}

DepthwiseConvPlan mlir::ssm::planDepthwiseConv(const DepthwiseConvShape &conv,
                                               const GPUTargetInfo &target) {
  const int64_t n = std::max<int64_t>(conv.batch, 1);
  const int64_t c = std::max<int64_t>(conv.channels, 1);
  const int64_t oh = std::max<int64_t>(conv.outHeight, 1);
  const int64_t ow = std::max<int64_t>(conv.outWidth, 1);
  const int64_t k = std::max<int64_t>(conv.kernel, 1);
  const bool nhwc = conv.layout == ConvLayout::NHWC;
  const int64_t warp = std::max<int64_t>(target.warpSize, 1);
  const int64_t maxThreads = std::max<int64_t>(target.maxThreadsPerBlock, 1);
  constexpr int64_t kMaxShared = 48 * 1024;
  // Outputs per thread along the register axis (W for NHWC, H for NCHW): up
  // to 8, within the register budget.
  const int64_t maxR = std::min<int64_t>(kMaxDepthwiseOutputsPerThread,
                                         nhwc ? ow : oh);
  std::vector<int64_t> channelChoices;
  if (nhwc)
    channelChoices = {depthwiseChannelsPerBlock(c)};
  else
    for (int64_t cb = 1; cb <= 8 && cb <= ceilDiv(c, 1); cb *= 2)
      channelChoices.push_back(cb);

  DepthwiseConvPlan best;
  double bestCost = -1;
  for (int64_t r = 1; r <= maxR; ++r) {
  const int64_t registers = depthwiseRegistersPerThread(r, k);
  if (r > 1 && registers > kMaxDepthwiseRegisters)
    break;
  for (int64_t cb : channelChoices) {
    for (int64_t th = 1; th <= 32; ++th) {
      for (int64_t tw = 1; tw <= 32; ++tw) {
        const int64_t threads = cb * th * tw;
        if (threads > maxThreads)
          break;
        DepthwiseConvPlan p;
        p.channelsPerBlock = cb;
        p.threadsH = th;
        p.threadsW = tw;
        p.outputsPerThread = r;
        p.registersPerThread = registers;
        p.tileHeight = nhwc ? th : th * r;
        p.tileWidth = nhwc ? tw * r : tw;
        // No thread row or column entirely past the output.
        if (p.tileHeight - (nhwc ? 1 : r) >= oh ||
            p.tileWidth - (nhwc ? r : 1) >= ow)
          continue;
        // At least a warp where one image's channel group has that many
        // thread positions: smaller blocks only win the cost model's fill
        // term on grids too small to matter.
        const int64_t positions = cb * ceilDiv(oh, nhwc ? 1 : r) *
                                  ceilDiv(ow, nhwc ? r : 1);
        if (threads < std::min(warp, positions))
          continue;
        // Past one warp, whole warps at least three quarters busy.
        if (threads > warp && 4 * threads < 3 * ceilDiv(threads, warp) * warp)
          continue;
        p.threadsPerBlock = threads;
        p.sharedBytes =
            cb * (p.tileHeight + k - 1) * (p.tileWidth + k - 1) * 4;
        if (p.sharedBytes > kMaxShared)
          continue;
        p.tilesH = ceilDiv(oh, p.tileHeight);
        p.tilesW = ceilDiv(ow, p.tileWidth);
        p.channelGroups = ceilDiv(c, cb);
        const double blocks = double(n) * double(p.blocks());
        const double lanes = double(ceilDiv(threads, warp) * warp);
        // Issue slots: FMAs of every lane, idle or past the edge; per kernel
        // row a shared read per staged value and a weight load per tap; per
        // staged element (index arithmetic, bounds predicate, global load,
        // conversion, shared store) about 24 (the sm_90 PTX of MambaOut's
        // conv: ~30).
        const double slots = blocks * lanes * double(r);
        const double fmas = slots * double(k * k);
        const double rowReads =
            blocks * lanes * double(k) * double(r + k - 1 + k);
        const double staged = blocks * double(p.sharedBytes / 4);
        double cost = fmas + rowReads + 24.0 * staged;
        // Idle compute units: fewer than two blocks each, or blocks too
        // small to fill one (at most 32 resident blocks per unit).
        const double fill =
            std::min(1.0, blocks / double(2 * target.computeUnits)) *
            std::min(1.0, 32.0 * lanes / 2048.0);
        cost /= std::max(fill, 1e-6);
        if (bestCost < 0 || cost < bestCost * (1 - 1e-9) ||
            (cost <= bestCost * (1 + 1e-9) &&
             threads > best.threadsPerBlock)) {
          best = p;
          bestCost = cost;
        }
      }
    }
  }
  }
  if (bestCost < 0) {
    // Unreachable for k <= 32: a single thread's tile always fits.
    best.outputsPerThread = 1;
    best.registersPerThread = depthwiseRegistersPerThread(1, k);
    best.sharedBytes = (k) * (k) * 4;
    best.tilesH = oh;
    best.tilesW = ow;
    best.channelGroups = c;
  }
  // Staging by rows: a row's positions per thread, if they keep at least
  // three quarters of the lanes busy and no more than 4 registers' worth.
  const int64_t rows = best.tileHeight + k - 1, cols = best.tileWidth + k - 1;
  const int64_t rowElements = nhwc ? cols * best.channelsPerBlock : rows * cols;
  const int64_t copies = ceilDiv(rowElements, best.threadsPerBlock);
  if (copies <= 4 && 4 * rowElements >= 3 * copies * best.threadsPerBlock)
    best.stageCopiesPerRow = copies;
  return best;
}
