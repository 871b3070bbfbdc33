//===- KernelPlansTest.cpp - launch plans of the generic GPU kernels ------===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"

#include <gtest/gtest.h>

using namespace mlir::ssm;

namespace {

const GPUTargetInfo kH100 = getGPUTargetInfo("sm_90");
const GPUTargetInfo kMI300 = getGPUTargetInfo("gfx942");

void expectCovers(const ParallelLoopPlan &plan, int64_t iterations,
                  const GPUTargetInfo &target) {
  EXPECT_GE(plan.threadsPerBlock * plan.blocks, iterations);
  // The last block is the only partial one.
  EXPECT_LT(plan.threadsPerBlock * (plan.blocks - 1),
            std::max<int64_t>(iterations, 1));
  EXPECT_EQ(plan.threadsPerBlock % target.warpSize, 0);
  EXPECT_LE(plan.threadsPerBlock, target.maxThreadsPerBlock);
}

TEST(GPUTargetInfo, Chips) {
  EXPECT_EQ(kH100.warpSize, 32);
  EXPECT_EQ(kH100.computeUnits, 132);
  EXPECT_EQ(kMI300.warpSize, 64);
  EXPECT_EQ(kMI300.computeUnits, 304);
  EXPECT_EQ(getGPUTargetInfo("gfx90a").computeUnits, 110);
  EXPECT_EQ(getGPUTargetInfo("sm_80").warpSize, 32);
}

TEST(PlanLibraryRowPitch, VimChannelFirstRowsArePadded) {
  EXPECT_EQ(kH100.libraryAlignmentBytes, 16);
  EXPECT_EQ(kMI300.libraryAlignmentBytes, 16);
  // (b, 2e, l) in_proj output (f32) and the bf16 y out_proj reads.
  EXPECT_EQ(planLibraryRowPitch({128, 768, 197}, 4, kH100), 200);
  EXPECT_EQ(planLibraryRowPitch({128, 384, 197}, 2, kH100), 200);
  // The patch embedding's 14 x 14 tokens: f32 rows are aligned, bf16 not.
  EXPECT_EQ(planLibraryRowPitch({128, 192, 196}, 4, kH100), 196);
  EXPECT_EQ(planLibraryRowPitch({128, 768, 196}, 2, kH100), 200);
  EXPECT_EQ(planLibraryRowPitch({2, 44, 5}, 4, kMI300), 8);
}

TEST(PlanLibraryRowPitch, AlignedOrSingleRowsKeepTheirExtent) {
  // Token-major activations: 384 channels are whole 16-byte rows.
  EXPECT_EQ(planLibraryRowPitch({128, 197, 384}, 2, kH100), 384);
  EXPECT_EQ(planLibraryRowPitch({128, 197, 44}, 4, kH100), 44);
  // Rows of one element: (b, k, n = 1) is a column per batch, its pitch is
  // the next dim's.
  EXPECT_EQ(planLibraryRowPitch({1, 768, 1}, 4, kH100), 1);
  // One row: no pitch.
  EXPECT_EQ(planLibraryRowPitch({1, 1, 197}, 4, kH100), 197);
  EXPECT_EQ(planLibraryRowPitch({197}, 2, kH100), 197);
  EXPECT_EQ(planLibraryRowPitch({}, 2, kH100), 1);
  // An element that does not divide the alignment.
  EXPECT_EQ(planLibraryRowPitch({4, 5}, 3, kH100), 5);
  GPUTargetInfo none = kH100;
  none.libraryAlignmentBytes = 1;
  EXPECT_EQ(planLibraryRowPitch({4, 5}, 4, none), 5);
}

TEST(PlanLibraryRowPitch, RowsHoldTheExtentOfTheWidestVector) {
  // VMamba's f32 results of bf16 inputs along l: the bf16 operands want
  // n in multiples of 8, so the f32 rows hold it (56, not 52; 200, not the
  // already aligned 196).
  const int64_t bf16 = libraryExtentWidth({2, 4}, kH100);
  EXPECT_EQ(bf16, 8);
  EXPECT_EQ(planLibraryRowPitch({128, 768, 49}, 4, kH100, bf16), 56);
  EXPECT_EQ(planLibraryRowPitch({128, 104, 196}, 4, kH100, bf16), 200);
  EXPECT_EQ(planLibraryRowPitch({128, 768, 49}, 2, kH100, bf16), 56);
  // Without the wider operand: the element's own width.
  EXPECT_EQ(planLibraryRowPitch({128, 768, 49}, 4, kH100, 1), 52);
  EXPECT_EQ(planLibraryRowPitch({128, 104, 196}, 4, kH100), 196);
  // A single row or element keeps its extent.
  EXPECT_EQ(planLibraryRowPitch({1, 1, 49}, 4, kH100, bf16), 49);
  EXPECT_EQ(planLibraryRowPitch({128, 1}, 4, kH100, bf16), 1);
  EXPECT_EQ(libraryExtentWidth({}, kH100), 1);
  EXPECT_EQ(libraryExtentWidth({4}, kMI300), 4);
  EXPECT_EQ(libraryExtentWidth({3, 4}, kH100), 4);
}

TEST(PlanParallelLoop, LargeLoopsUseFullBlocks) {
  // Vim-T at batch 128: 128 x 197 x 384 activations.
  const int64_t n = 128 * 197 * 384;
  ParallelLoopPlan plan = planParallelLoop(n, kH100);
  EXPECT_EQ(plan.threadsPerBlock, 256);
  EXPECT_EQ(plan.blocks, (n + 255) / 256);
  expectCovers(plan, n, kH100);
}

TEST(PlanParallelLoop, MediumLoopsShrinkBlocksToFillTheGPU) {
  // One thread per LayerNorm row at batch 128: 25,216 rows are 99 blocks of
  // 256 on 132 SMs; 64-thread blocks give 394.
  const int64_t rows = 128 * 197;
  ParallelLoopPlan plan = planParallelLoop(rows, kH100);
  EXPECT_EQ(plan.threadsPerBlock, 64);
  EXPECT_GE(plan.blocks, 2 * kH100.computeUnits);
  expectCovers(plan, rows, kH100);
  // AMD: 64-wide wavefronts, at least two of them per block.
  ParallelLoopPlan amd = planParallelLoop(rows, kMI300);
  EXPECT_EQ(amd.threadsPerBlock, 128);
  expectCovers(amd, rows, kMI300);
}

TEST(PlanParallelLoop, TinyAndAwkwardLoops) {
  for (int64_t n : {0, 1, 31, 33, 1000, 4097, 65537, 1000003}) {
    SCOPED_TRACE(n);
    for (const GPUTargetInfo &target : {kH100, kMI300}) {
      ParallelLoopPlan plan = planParallelLoop(n, target);
      expectCovers(plan, n, target);
      EXPECT_GE(plan.threadsPerBlock, target.warpSize);
    }
  }
  // Never a one-thread block: a single iteration gets a whole warp.
  EXPECT_EQ(planParallelLoop(1, kH100).threadsPerBlock, 32);
  EXPECT_EQ(planParallelLoop(1, kH100).blocks, 1);
  EXPECT_EQ(planParallelLoop(40, kH100).threadsPerBlock, 64);
}

/// Every iteration is run by exactly one (thread, copy), thread t < stride,
/// and the copies below inBoundsCopies never go past the end.
void expectUnrollCovers(const ParallelLoopPlan &plan, int64_t iterations,
                        const GPUTargetInfo &target) {
  iterations = std::max<int64_t>(iterations, 1);
  expectCovers(plan, plan.stride, target);
  EXPECT_GE(plan.elementsPerThread, 1);
  EXPECT_GE(plan.elementsPerThread * plan.stride, iterations);
  // The last copy is not entirely past the end.
  EXPECT_LT((plan.elementsPerThread - 1) * plan.stride, iterations);
  EXPECT_GE(plan.inBoundsCopies, 1);
  EXPECT_LE(plan.inBoundsCopies, plan.elementsPerThread);
  EXPECT_LE(plan.inBoundsCopies * plan.stride, iterations);
  if (plan.inBoundsCopies < plan.elementsPerThread)
    EXPECT_GT((plan.inBoundsCopies + 1) * plan.stride, iterations);
}

TEST(PlanParallelLoop, LargeElementwiseLoopsRunSeveralElementsPerThread) {
  // MambaOut's GELU gate at batch 128, bf16: 16 bytes per thread and stream.
  const int64_t n = 128 * 56 * 56 * 8 * 2 * 10; // ~64M: any large loop
  ParallelLoopPlan bf16 = planParallelLoop(n, kH100, 2);
  EXPECT_EQ(bf16.elementsPerThread, 8);
  EXPECT_EQ(bf16.threadsPerBlock, 256);
  EXPECT_EQ(bf16.stride, (n + 7) / 8);
  expectUnrollCovers(bf16, n, kH100);
  EXPECT_EQ(planParallelLoop(n, kH100, 4).elementsPerThread, 4);
  EXPECT_EQ(planParallelLoop(n, kH100, 8).elementsPerThread, 2);
  EXPECT_EQ(planParallelLoop(n, kH100, 1).elementsPerThread, 8);
  EXPECT_EQ(planParallelLoop(n, kMI300, 2).elementsPerThread, 8);
  // Not unrollable (0 bytes): one iteration per thread, as before.
  ParallelLoopPlan plain = planParallelLoop(n, kH100);
  EXPECT_EQ(plain.elementsPerThread, 1);
  EXPECT_EQ(plain.stride, n);
  EXPECT_EQ(plain.inBoundsCopies, 1);
  EXPECT_EQ(plain.blocks, (n + 255) / 256);
}

TEST(PlanParallelLoop, UnrollKeepsFourBlocksPerComputeUnit) {
  // 4 x 132 x 256 threads are the least an unrolled grid keeps.
  const int64_t full = 4 * 132 * 256;
  EXPECT_EQ(planParallelLoop(8 * full, kH100, 2).elementsPerThread, 8);
  EXPECT_EQ(planParallelLoop(8 * (full - 1), kH100, 2).elementsPerThread, 4);
  EXPECT_EQ(planParallelLoop(2 * full, kH100, 2).elementsPerThread, 2);
  EXPECT_EQ(planParallelLoop(full, kH100, 2).elementsPerThread, 1);
  // Vim-T's 128 x 197 x 384 bf16 activations: 8 per thread.
  EXPECT_EQ(planParallelLoop(128 * 197 * 384, kH100, 2).elementsPerThread, 8);
  // One thread per LayerNorm row stays one per thread.
  EXPECT_EQ(planParallelLoop(128 * 197, kH100, 2).elementsPerThread, 1);
  // MI300X's 304 CUs need larger loops.
  EXPECT_EQ(planParallelLoop(8 * full, kMI300, 2).elementsPerThread, 2);
}

TEST(PlanParallelLoop, ForcedUnrollCoversAwkwardSizes) {
  for (int64_t n : {1, 2, 3, 5, 7, 31, 33, 257, 1000, 4097, 65537, 1000003})
    for (int64_t u : {1, 2, 3, 4, 8}) {
      SCOPED_TRACE(std::to_string(n) + " x " + std::to_string(u));
      for (const GPUTargetInfo &target : {kH100, kMI300})
        expectUnrollCovers(planParallelLoop(n, target, 2, u), n, target);
    }
  // 5 iterations at 4 per thread: stride 2, three copies, the third guarded.
  ParallelLoopPlan p = planParallelLoop(5, kH100, 4, 4);
  EXPECT_EQ(p.stride, 2);
  EXPECT_EQ(p.elementsPerThread, 3);
  EXPECT_EQ(p.inBoundsCopies, 2);
  EXPECT_EQ(planParallelLoop(1, kH100, 2, 8).elementsPerThread, 1);
  // Forcing never unrolls a body that does not allow it.
  EXPECT_EQ(planParallelLoop(1000, kH100, 0, 4).elementsPerThread, 1);
  // Divisible: no guarded copy.
  EXPECT_EQ(planParallelLoop(64, kH100, 2, 4).inBoundsCopies, 4);
}

TEST(PlanLinearizationOrder, UnitStrideLoopGoesFastest) {
  // VMamba's NCHW depthwise conv, loops (n, oh, ow, c): the input window
  // load and the output store both run along w.
  EXPECT_EQ(planLinearizationOrder(4, {{2, false}, {-1, false}, {2, true}}),
            (std::vector<unsigned>{0, 1, 3, 2}));
  // The outermost loop moves; the others keep their order.
  EXPECT_EQ(planLinearizationOrder(3, {{0, true}}),
            (std::vector<unsigned>{1, 2, 0}));
}

TEST(PlanLinearizationOrder, StoresOutweighLoads) {
  // A transpose: the store's loop wins against one load.
  EXPECT_EQ(planLinearizationOrder(2, {{1, false}, {0, true}}),
            (std::vector<unsigned>{1, 0}));
  EXPECT_EQ(planLinearizationOrder(2, {{0, false}, {1, true}}),
            (std::vector<unsigned>{0, 1}));
  // Three loads outweigh one store.
  EXPECT_EQ(planLinearizationOrder(
                3, {{1, false}, {1, false}, {1, false}, {2, true}}),
            (std::vector<unsigned>{0, 2, 1}));
}

TEST(PlanLinearizationOrder, TiesAndNoInformationKeepTheNestOrder) {
  const std::vector<unsigned> identity = {0, 1, 2};
  EXPECT_EQ(planLinearizationOrder(3, {}), identity);
  EXPECT_EQ(planLinearizationOrder(3, {{-1, true}, {-1, false}}), identity);
  // Already innermost.
  EXPECT_EQ(planLinearizationOrder(3, {{2, true}, {2, false}}), identity);
  // A tie, with or without the innermost loop in it.
  EXPECT_EQ(planLinearizationOrder(3, {{0, true}, {2, true}}), identity);
  EXPECT_EQ(planLinearizationOrder(3, {{0, false}, {1, false}}), identity);
  // Out-of-range loops are ignored; empty and single nests.
  EXPECT_EQ(planLinearizationOrder(3, {{7, true}, {-2, true}}), identity);
  EXPECT_TRUE(planLinearizationOrder(0, {{0, true}}).empty());
  EXPECT_EQ(planLinearizationOrder(1, {{0, true}}), (std::vector<unsigned>{0}));
}

TEST(PlanLinearizationOrder, NextOuterDimensionGoesSecondFastest) {
  // VMamba's NCHW depthwise conv, loops (n, oh, ow, c): the input window
  // (its rows oh + kh) and the output store run along w, then h; the filter
  // load runs along kw. ow fastest, then oh: a warp spans consecutive rows of
  // one plane, (n, c, oh, ow).
  EXPECT_EQ(
      planLinearizationOrder(4, {{2, false, 1}, {-1, false, -1}, {2, true, 1}}),
      (std::vector<unsigned>{0, 3, 1, 2}));
  // The output store alone decides; a load along another fastest loop has
  // no say in the second.
  EXPECT_EQ(planLinearizationOrder(3, {{0, true, 1}, {2, false, 0}}),
            (std::vector<unsigned>{2, 1, 0}));
  // Stores weigh 2 here too: one store's row loop outweighs a load's.
  EXPECT_EQ(
      planLinearizationOrder(4, {{3, false, 0}, {3, true, 1}, {3, false, -1}}),
      (std::vector<unsigned>{0, 2, 1, 3}));
  // Already in place: the nest's order.
  EXPECT_EQ(planLinearizationOrder(3, {{2, true, 1}, {2, false, 1}}),
            (std::vector<unsigned>{0, 1, 2}));
}

TEST(PlanLinearizationOrder, NoUniqueNextOuterLoopKeepsTheRestInOrder) {
  // A tie between the store's and the load's row loops: only the fastest
  // moves.
  EXPECT_EQ(planLinearizationOrder(4, {{2, false, 1}, {2, false, 3}}),
            (std::vector<unsigned>{0, 1, 3, 2}));
  EXPECT_EQ(planLinearizationOrder(4, {{2, true, 0}, {2, true, 1}}),
            (std::vector<unsigned>{0, 1, 3, 2}));
  // Rows that are not contiguous (a padded or strided buffer) give no second
  // vote (-1): the conv's order as with the fastest loop alone.
  EXPECT_EQ(planLinearizationOrder(
                4, {{2, false, -1}, {-1, false, -1}, {2, true, -1}}),
            (std::vector<unsigned>{0, 1, 3, 2}));
  // The fastest loop indexing its own next-outer dimension is no second.
  EXPECT_EQ(planLinearizationOrder(3, {{0, true, 0}}),
            (std::vector<unsigned>{1, 2, 0}));
  // Out-of-range next-outer loops are ignored.
  EXPECT_EQ(planLinearizationOrder(3, {{0, true, 5}, {0, false, -3}}),
            (std::vector<unsigned>{1, 2, 0}));
  // Without a fastest loop, no second one either.
  EXPECT_EQ(planLinearizationOrder(3, {{0, true, 2}, {1, true, 2}}),
            (std::vector<unsigned>{0, 1, 2}));
}

TEST(PlanRowReduction, WarpPerContiguousRow) {
  // RMSNorm statistics of Vim-T at batch 128: 25,216 rows of 192 channels.
  RowReductionPlan plan = planRowReduction(128 * 197, 192, true, kH100);
  EXPECT_EQ(plan.strategy, ReductionStrategy::WarpPerRow);
  EXPECT_EQ(plan.lanesPerRow, 32);
  EXPECT_EQ(plan.rowsPerBlock, 8);
  EXPECT_EQ(plan.blocks, 128 * 197 / 8);
  RowReductionPlan amd = planRowReduction(128 * 197, 192, true, kMI300);
  EXPECT_EQ(amd.lanesPerRow, 64);
  EXPECT_EQ(amd.rowsPerBlock, 4);
  EXPECT_EQ(amd.blocks, 128 * 197 / 4);
}

TEST(PlanRowReduction, FewRowsUseSmallerBlocks) {
  // Batch 1: 197 rows would be 25 blocks of 8 rows on 132 SMs.
  RowReductionPlan plan = planRowReduction(197, 384, true, kH100);
  EXPECT_EQ(plan.strategy, ReductionStrategy::WarpPerRow);
  EXPECT_EQ(plan.rowsPerBlock, 1);
  EXPECT_EQ(plan.blocks, 197);
  // Odd row counts: the last block is partial, never missing.
  for (int64_t rows : {1, 7, 9, 1001}) {
    RowReductionPlan p = planRowReduction(rows, 33, true, kH100);
    EXPECT_GE(p.blocks * p.rowsPerBlock, rows);
    EXPECT_LT((p.blocks - 1) * p.rowsPerBlock, rows);
  }
}

TEST(PlanRowReduction, StridedOrShortRowsTakeAThreadEach) {
  // A mean over the tokens of [b, l, c]: the reduced elements are c apart.
  EXPECT_EQ(planRowReduction(128 * 384, 196, false, kH100).strategy,
            ReductionStrategy::ThreadPerRow);
  // Rows shorter than a warp would idle most lanes.
  EXPECT_EQ(planRowReduction(100000, 16, true, kH100).strategy,
            ReductionStrategy::ThreadPerRow);
  EXPECT_EQ(planRowReduction(100000, 32, true, kMI300).strategy,
            ReductionStrategy::ThreadPerRow);
}

TEST(PlanRowNorm, WarpPerRowWithTheRowInRegisters) {
  // MambaOut-femto stage 3 at batch 128: 25,088 rows of 192 channels.
  RowNormPlan plan = planRowNorm(128 * 14 * 14, 192, 1, kH100);
  EXPECT_TRUE(plan.fused);
  EXPECT_EQ(plan.lanesPerRow, 32);
  EXPECT_EQ(plan.elementsPerLane, 6);
  EXPECT_EQ(plan.rowsPerBlock, 8);
  EXPECT_EQ(plan.blocks, 128 * 14 * 14 / 8);
  // The same rows on a 64-lane wavefront: half the registers per lane.
  RowNormPlan amd = planRowNorm(128 * 14 * 14, 192, 1, kMI300);
  EXPECT_TRUE(amd.fused);
  EXPECT_EQ(amd.lanesPerRow, 64);
  EXPECT_EQ(amd.elementsPerLane, 3);
  EXPECT_EQ(amd.rowsPerBlock, 4);
  // Odd lengths round up; the last element slot of some lanes is idle.
  EXPECT_EQ(planRowNorm(100, 97, 1, kH100).elementsPerLane, 4);
  EXPECT_EQ(planRowNorm(100, 385, 1, kH100).elementsPerLane, 13);
  // Rows shorter than a warp: one slot per lane, most lanes idle.
  RowNormPlan shortRows = planRowNorm(1, 3, 1, kH100);
  EXPECT_TRUE(shortRows.fused);
  EXPECT_EQ(shortRows.elementsPerLane, 1);
  EXPECT_EQ(shortRows.blocks, 1);
  EXPECT_EQ(shortRows.rowsPerBlock, 1);
}

TEST(PlanRowNorm, LongRowsKeepTodaysKernels) {
  // VMamba-T's widest LayerNorm (768 channels) still fits one held row.
  EXPECT_TRUE(planRowNorm(128 * 49, 768, 1, kH100).fused);
  EXPECT_EQ(planRowNorm(128 * 49, 768, 1, kH100).elementsPerLane, 24);
  EXPECT_FALSE(planRowNorm(128 * 49, 769, 1, kH100).fused);
  // Two held rows (a residual fused into the statistics) halve the limit.
  EXPECT_TRUE(planRowNorm(1000, 384, 2, kH100).fused);
  EXPECT_FALSE(planRowNorm(1000, 385, 2, kH100).fused);
  // A wavefront of 64 lanes holds twice the row.
  EXPECT_TRUE(planRowNorm(1000, 1536, 1, kMI300).fused);
  EXPECT_FALSE(planRowNorm(0, 192, 1, kH100).fused);
  // Every row gets a warp, the last block partial.
  for (int64_t rows : {1, 7, 9, 1001}) {
    RowNormPlan p = planRowNorm(rows, 48, 1, kH100);
    EXPECT_GE(p.blocks * p.rowsPerBlock, rows);
    EXPECT_LT((p.blocks - 1) * p.rowsPerBlock, rows);
  }
}

TEST(PlanStridedRowNorm, TilesTokensBySlicesOfChannels) {
  // FastVim-T's output norm at 224, batch 128: 25,088 tokens of 384
  // channels (bf16), four rows read by both statistics. A warp of tokens x
  // 8 slices would hold 48 x 4 values per thread: 16 tokens x 16 slices.
  StridedRowNormPlan fv = planStridedRowNorm(128 * 196, 384, 4, 2, kH100);
  EXPECT_TRUE(fv.fused);
  EXPECT_EQ(fv.tokensPerBlock, 16);
  EXPECT_EQ(fv.slices, 16);
  EXPECT_EQ(fv.elementsPerThread, 24);
  EXPECT_TRUE(fv.holdInRegisters);
  EXPECT_EQ(fv.blocks, 128 * 196 / 16);
  // One held row: a whole warp of tokens, 8 slices.
  StridedRowNormPlan one = planStridedRowNorm(2 * 16384, 384, 1, 2, kH100);
  EXPECT_EQ(one.tokensPerBlock, 32);
  EXPECT_EQ(one.slices, 8);
  EXPECT_EQ(one.elementsPerThread, 48);
  EXPECT_TRUE(one.holdInRegisters);
  // A 64-wide wavefront: the same register budget per thread.
  StridedRowNormPlan amd = planStridedRowNorm(128 * 196, 384, 4, 2, kMI300);
  EXPECT_TRUE(amd.holdInRegisters);
  EXPECT_EQ(amd.tokensPerBlock * amd.slices, 256);
  EXPECT_LE(amd.elementsPerThread * 4, kStridedNormMaxHeldPerThread);
}

TEST(PlanStridedRowNorm, WideRowsReloadAndAnyShapeIsValid) {
  // 4096 channels never fit: the widest tile, rows loaded again per pass.
  StridedRowNormPlan wide = planStridedRowNorm(100000, 4096, 2, 2, kH100);
  EXPECT_TRUE(wide.fused);
  EXPECT_FALSE(wide.holdInRegisters);
  EXPECT_EQ(wide.tokensPerBlock, 32);
  EXPECT_EQ(wide.slices, 8);
  EXPECT_EQ(wide.elementsPerThread, 512);
  // Few tokens: narrower tiles for more blocks, down to a 32-byte sector
  // (8 f32 tokens), never more slices than channels.
  StridedRowNormPlan few = planStridedRowNorm(37, 3, 2, 4, kH100);
  EXPECT_TRUE(few.fused);
  EXPECT_EQ(few.tokensPerBlock, 8);
  EXPECT_EQ(few.slices, 2);
  EXPECT_EQ(few.elementsPerThread, 2);
  EXPECT_EQ(few.blocks, 5);
  EXPECT_FALSE(planStridedRowNorm(0, 384, 1, 2, kH100).fused);
  for (int64_t rows : {1, 7, 31, 33, 1001})
    for (int64_t length : {1, 5, 97, 385}) {
      StridedRowNormPlan p = planStridedRowNorm(rows, length, 3, 2, kH100);
      ASSERT_TRUE(p.fused);
      EXPECT_GE(p.blocks * p.tokensPerBlock, rows);
      EXPECT_LT((p.blocks - 1) * p.tokensPerBlock, rows);
      EXPECT_GE(p.slices * p.elementsPerThread, length);
      EXPECT_LE(p.slices, length);
      EXPECT_LE(p.slices * p.tokensPerBlock, kH100.maxThreadsPerBlock);
    }
}

TEST(GemmLibraryTakesBias, OnlyAnF32BiasAlongN) {
  // Row-major C is the library's column-major C^T: its bias runs along our n.
  EXPECT_TRUE(gemmLibraryTakesBias(/*alongN=*/true, /*biasIsF32=*/true));
  // A channel-first 1x1 convolution's bias runs along m (the channels).
  EXPECT_FALSE(gemmLibraryTakesBias(false, true));
  // A bf16 bias next to an f32 output.
  EXPECT_FALSE(gemmLibraryTakesBias(true, false));
  EXPECT_FALSE(gemmLibraryTakesBias(false, false));
}

TEST(PlanSplitReduction, SplitsFewOutputsWithLongReductions) {
  // The causal conv's weight gradient: 384 x 4 outputs over 128 x 197.
  SplitReductionPlan conv = planSplitReduction(384 * 4, {128, 197}, kH100);
  ASSERT_GE(conv.splits, 2);
  const std::vector<int64_t> extents = {128, 197};
  EXPECT_EQ(extents[conv.dim] % conv.splits, 0);
  EXPECT_GE(384 * 4 * conv.splits, 8 * kH100.computeUnits * 256);
  EXPECT_GE(128 * 197 / conv.splits, 32);
  // The RMSNorm weight gradient: 192 outputs over 25,216 tokens.
  SplitReductionPlan norm = planSplitReduction(192, {128, 197}, kH100);
  EXPECT_GE(norm.splits, 2);
  EXPECT_GE(128 * 197 / norm.splits, 32);
  // Nothing to split: enough outputs, a short reduction, no divisor.
  EXPECT_EQ(planSplitReduction(128 * 197 * 192, {384}, kH100).splits, 0);
  EXPECT_EQ(planSplitReduction(16, {1000}, kH100).splits, 0); // < 1024 steps
  // Too few outputs to ever fill the GPU: the most splits that keep 32
  // steps each (4096 / 128, and 4000 / 125 with an exact divisor).
  EXPECT_EQ(planSplitReduction(16, {4096}, kH100).splits, 128);
  EXPECT_EQ(planSplitReduction(16, {4000}, kH100).splits, 125);
  // A prime extent has no divisor that keeps 32 steps.
  EXPECT_EQ(planSplitReduction(1, {2039}, kH100).splits, 0);
  EXPECT_EQ(planSplitReduction(0, {4096}, kH100).splits, 0);
  // More compute units want more threads: never fewer splits on MI300.
  EXPECT_GE(planSplitReduction(192, {128, 197}, kMI300).splits,
            std::min<int64_t>(norm.splits, 128));
}

// Library GEMM extents (planLibraryGemmExtents): Vim-T's projections at
// batch 128, bf16 inputs, f32 results, l = 197 rows padded to 200 by
// ssm-pad-library-buffers.

LibraryGemmOperand operand(std::vector<int64_t> strides,
                           std::vector<int64_t> held, int64_t row, int64_t col,
                           int64_t batch, int64_t elementBytes) {
  LibraryGemmOperand x;
  x.strides = std::move(strides);
  x.held = std::move(held);
  x.dims[0] = row;
  x.dims[1] = col;
  x.dims[2] = batch;
  x.elementBytes = elementBytes;
  return x;
}

/// A weight (function argument) of rows x cols, as A or B.
LibraryGemmOperand weight(int64_t rows, int64_t cols, bool transposed) {
  return operand({cols, 1}, {rows, cols}, transposed ? 1 : 0,
                 transposed ? 0 : 1, -1, 2);
}

/// A channel-first (b, e, l = 197) buffer padded to rows of 200.
LibraryGemmOperand channelFirst(int64_t e, int64_t elementBytes, bool result,
                                bool transposed = false) {
  LibraryGemmOperand x =
      operand({e * 200, 200, 1}, {128, e, 200}, transposed ? 2 : 1,
              transposed ? 1 : 2, 0, elementBytes);
  x.exclusive = result;
  return x;
}

LibraryGemm gemm(int64_t m, int64_t n, int64_t k, LibraryGemmOperand a,
                 LibraryGemmOperand b, LibraryGemmOperand c) {
  LibraryGemm g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.batch = 128;
  g.a = std::move(a);
  g.b = std::move(b);
  g.c = std::move(c);
  return g;
}

/// in_proj: C (b, 2e, l) channel-first, B the token-major (b, l, d) norm
/// output read as (k = d, n = l).
LibraryGemm inProj(bool growable) {
  LibraryGemmOperand x =
      operand({197 * 192, 192, 1}, {128, 197, 192}, 2, 1, 0, 2);
  x.growable = growable;
  return gemm(768, 197, 192, weight(768, 192, false), x,
              channelFirst(768, 4, true));
}

TEST(LibraryGemmExtents, InProjExtendsNWithSlackAfterTheLastBatch) {
  LibraryGemmExtents e = planLibraryGemmExtents(inProj(true), kH100);
  EXPECT_EQ(e.m, 768);
  EXPECT_EQ(e.n, 200);
  EXPECT_EQ(e.k, 192);
  // Rows 197..199 of a batch are the next batch's first rows; the last
  // batch's run 3 rows of 192 past the buffer.
  EXPECT_EQ(e.b.slack, 3 * 192);
  EXPECT_EQ(e.b.held, (std::vector<int64_t>{128, 197, 192}));
  EXPECT_EQ(e.c.held, (std::vector<int64_t>{128, 768, 200}));
  EXPECT_EQ(e.a.slack, 0);
  // The runtime's bound on B holds in the grown allocation.
  EXPECT_EQ(libraryOperandSpan(e.b, 192, 200, 128), 128 * 197 * 192 + 576);
}

TEST(LibraryGemmExtents, InProjWithoutSlackStaysUnchanged) {
  LibraryGemmExtents e = planLibraryGemmExtents(inProj(false), kH100);
  EXPECT_EQ(e.n, 197);
  // With the slack allocated, it extends without growing anything.
  LibraryGemm g = inProj(false);
  g.b.slack = 576;
  e = planLibraryGemmExtents(g, kH100);
  EXPECT_EQ(e.n, 200);
  EXPECT_EQ(e.b.slack, 576);
}

TEST(LibraryGemmExtents, XProjAndDtProjExtendNInTheirPadding) {
  // x_proj: (b, 44, l) = W (44, 384) x (b, 384, l).
  LibraryGemmExtents x = planLibraryGemmExtents(
      gemm(44, 197, 384, weight(44, 384, false), channelFirst(384, 2, false),
           channelFirst(44, 4, true)),
      kH100);
  EXPECT_EQ(x.m, 44);
  EXPECT_EQ(x.n, 200);
  EXPECT_EQ(x.k, 384);
  EXPECT_EQ(x.b.slack, 0);
  // dt_proj: (b, 384, l) = W (384, 12) x (b, 12, l); k = 12 (24 bytes) is
  // not extended: nothing guarantees zeros past it.
  LibraryGemmExtents dt = planLibraryGemmExtents(
      gemm(384, 197, 12, weight(384, 12, false), channelFirst(12, 2, false),
           channelFirst(384, 4, true)),
      kH100);
  EXPECT_EQ(dt.m, 384);
  EXPECT_EQ(dt.n, 200);
  EXPECT_EQ(dt.k, 12);
}

/// out_proj: the token-major (b, l, d) result = y^T W^T, y channel-first
/// read as (m = l, k = e).
LibraryGemm outProj(bool exclusive, bool growable) {
  LibraryGemmOperand c =
      operand({197 * 192, 192, 1}, {128, 197, 192}, 1, 2, 0, 4);
  c.exclusive = exclusive;
  c.growable = growable;
  return gemm(197, 192, 384, channelFirst(384, 2, false, true),
              weight(192, 384, true), c);
}

TEST(LibraryGemmExtents, OutProjGrowsTheTokenMajorResultToWholeRows) {
  LibraryGemmExtents e = planLibraryGemmExtents(outProj(true, true), kH100);
  EXPECT_EQ(e.m, 200);
  EXPECT_EQ(e.n, 192);
  EXPECT_EQ(e.k, 384);
  // The result allocated (b, 200, d): dim -2 padded.
  EXPECT_EQ(e.c.held, (std::vector<int64_t>{128, 200, 192}));
  EXPECT_EQ(e.a.slack, 0);
}

TEST(LibraryGemmExtents, ResultRowsNeverOverwriteTheNextBatch) {
  // (b, 197, d) as allocated: rows 197..199 of a batch are the next batch's
  // valid rows.
  EXPECT_EQ(planLibraryGemmExtents(outProj(true, false), kH100).m, 197);
  // A result that shares its allocation is never grown into.
  EXPECT_EQ(planLibraryGemmExtents(outProj(false, true), kH100).m, 197);
  LibraryGemm g = inProj(true);
  g.c.exclusive = false;
  EXPECT_EQ(planLibraryGemmExtents(g, kH100).n, 197);
}

TEST(LibraryGemmExtents, PatchEmbedGrowsTheResultPitch) {
  // (b, 192, 196) f32 = W (192, 768) x im2col (b, 768, 196) padded to 200:
  // 196 f32 rows are aligned, 196 bf16 ones are not.
  LibraryGemmOperand c =
      operand({192 * 196, 196, 1}, {128, 192, 196}, 1, 2, 0, 4);
  c.exclusive = true;
  LibraryGemmOperand b = channelFirst(768, 2, false);
  LibraryGemm g = gemm(192, 196, 768, weight(192, 768, false), b, c);
  EXPECT_EQ(planLibraryGemmExtents(g, kH100).n, 196);
  g.c.growable = true;
  LibraryGemmExtents e = planLibraryGemmExtents(g, kH100);
  EXPECT_EQ(e.n, 200);
  EXPECT_EQ(e.c.held, (std::vector<int64_t>{128, 192, 200}));
}

TEST(LibraryGemmExtents, KOnlyOverZeroPadding) {
  // A (6, 5) and B (5, 16), single matrices, k = 5 bf16 held as 8.
  LibraryGemmOperand a = operand({8, 1}, {6, 8}, 0, 1, -1, 2);
  LibraryGemmOperand b = operand({16, 1}, {8, 16}, 0, 1, -1, 2);
  LibraryGemmOperand c = operand({16, 1}, {6, 16}, 0, 1, -1, 4);
  c.exclusive = true;
  LibraryGemm g = gemm(6, 16, 5, a, b, c);
  g.batch = 1;
  EXPECT_EQ(planLibraryGemmExtents(g, kH100).k, 5);
  g.a.zeroPadding = true;
  EXPECT_EQ(planLibraryGemmExtents(g, kH100).k, 5);
  g.b.zeroPadding = true;
  EXPECT_EQ(planLibraryGemmExtents(g, kH100).k, 8);
  // Zero padding that does not hold the extra entries (the next row's data
  // would be summed in) does not count, growable or not.
  g.a.held = {6, 5};
  g.a.strides = {5, 1};
  g.a.growable = true;
  EXPECT_EQ(planLibraryGemmExtents(g, kH100).k, 5);
}

TEST(LibraryGemmExtents, BiasAndAlignedShapes) {
  // A bias along n holds 197 elements: n stays.
  LibraryGemm g = inProj(true);
  g.biasAxis = 'n';
  g.biasHeld = 197;
  EXPECT_EQ(planLibraryGemmExtents(g, kH100).n, 197);
  g.biasAxis = 'm';
  g.biasHeld = 768;
  EXPECT_EQ(planLibraryGemmExtents(g, kH100).n, 200);
  // Aligned extents are left alone; nothing grows.
  LibraryGemmExtents e = planLibraryGemmExtents(outProj(true, true), kH100);
  LibraryGemm aligned = outProj(true, true);
  aligned.m = 200;
  aligned.a.held[2] = 200;
  aligned.c.held[1] = 200;
  LibraryGemmExtents same = planLibraryGemmExtents(aligned, kH100);
  EXPECT_EQ(same.m, 200);
  EXPECT_EQ(same.c.held, e.c.held);
  // MI300 (hipBLASLt, same alignment) plans the same.
  EXPECT_EQ(planLibraryGemmExtents(inProj(true), kMI300).n, 200);
}

} // namespace

namespace {

DepthwiseConvShape dwShape(int64_t batch, int64_t channels, int64_t size,
                           int64_t k, int64_t pad, ConvLayout layout) {
  DepthwiseConvShape s;
  s.batch = batch;
  s.channels = channels;
  s.height = s.width = size;
  s.outHeight = s.outWidth = size + 2 * pad - k + 1;
  s.kernel = k;
  s.layout = layout;
  return s;
}

/// Invariants every depthwise plan keeps: the grid covers every output and
/// channel, no thread row / column lies wholly past the output, the block
/// fits the target, and the shared tile is the input tile plus its halo.
void expectValid(const DepthwiseConvPlan &p, const DepthwiseConvShape &s,
                 const GPUTargetInfo &target) {
  const bool nhwc = s.layout == ConvLayout::NHWC;
  EXPECT_EQ(p.threadsPerBlock, p.channelsPerBlock * p.threadsH * p.threadsW);
  EXPECT_LE(p.threadsPerBlock, target.maxThreadsPerBlock);
  EXPECT_GE(p.outputsPerThread, 1);
  EXPECT_LE(p.outputsPerThread, kMaxDepthwiseOutputsPerThread);
  EXPECT_EQ(p.registersPerThread,
            depthwiseRegistersPerThread(p.outputsPerThread, s.kernel));
  EXPECT_TRUE(p.outputsPerThread == 1 ||
              p.registersPerThread <= kMaxDepthwiseRegisters);
  EXPECT_EQ(p.tileHeight, p.threadsH * (nhwc ? 1 : p.outputsPerThread));
  EXPECT_EQ(p.tileWidth, p.threadsW * (nhwc ? p.outputsPerThread : 1));
  EXPECT_GE(p.tilesH * p.tileHeight, s.outHeight);
  EXPECT_LT((p.tilesH - 1) * p.tileHeight, s.outHeight);
  EXPECT_GE(p.tilesW * p.tileWidth, s.outWidth);
  EXPECT_LT((p.tilesW - 1) * p.tileWidth, s.outWidth);
  EXPECT_GE(p.channelGroups * p.channelsPerBlock, s.channels);
  EXPECT_LT((p.channelGroups - 1) * p.channelsPerBlock, s.channels);
  EXPECT_EQ(p.sharedBytes, p.channelsPerBlock *
                               (p.tileHeight + s.kernel - 1) *
                               (p.tileWidth + s.kernel - 1) * 4);
  EXPECT_LE(p.sharedBytes, 48 * 1024);
  // Never less than a warp where the image holds that many thread positions.
  const int64_t r = p.outputsPerThread;
  const int64_t positions = p.channelsPerBlock *
                            ((s.outHeight + (nhwc ? 0 : r - 1)) / (nhwc ? 1 : r)) *
                            ((s.outWidth + (nhwc ? r - 1 : 0)) / (nhwc ? r : 1));
  EXPECT_GE(p.threadsPerBlock, std::min(target.warpSize, positions));
}

TEST(PlanDepthwiseConv, MambaOutStagesFillTheGPU) {
  // MambaOut-femto's 7x7 NHWC convs (48, 96, 192, 288 conv channels).
  const int64_t stages[4][2] = {{48, 56}, {96, 28}, {192, 14}, {288, 7}};
  for (const GPUTargetInfo &target : {kH100, kMI300}) {
    for (auto [c, size] : stages) {
      for (int64_t batch : {32, 128}) {
        DepthwiseConvShape s = dwShape(batch, c, size, 7, 3, ConvLayout::NHWC);
        DepthwiseConvPlan p = planDepthwiseConv(s, target);
        expectValid(p, s, target);
        EXPECT_GE(batch * p.blocks(), target.computeUnits) << c;
        // Channel lanes split evenly: 48 channels as 3 groups of 16.
        EXPECT_EQ(c % p.channelsPerBlock, 0) << c;
        EXPECT_GE(p.threadsPerBlock, 64) << c;
      }
    }
  }
  DepthwiseConvPlan p =
      planDepthwiseConv(dwShape(128, 48, 56, 7, 3, ConvLayout::NHWC), kH100);
  EXPECT_EQ(p.channelsPerBlock, 16);
  EXPECT_EQ(p.outputsPerThread, 8);
  // Stage 2 (14 x 14 x 192): 7 x 7 output tiles, a 13 x 13 halo tile per 49
  // outputs (a 7 x 4 tile staged 13 x 10 per 28), 7 outputs per thread.
  p = planDepthwiseConv(dwShape(128, 192, 14, 7, 3, ConvLayout::NHWC), kH100);
  EXPECT_EQ(p.channelsPerBlock, 32);
  EXPECT_EQ(p.outputsPerThread, 7);
  EXPECT_EQ(p.tileHeight, 7);
  EXPECT_EQ(p.tileWidth, 7);
  EXPECT_EQ(p.threadsPerBlock, 224);
  EXPECT_EQ(p.registersPerThread, 41);
  // Staged by rows: a tile row of 13 x 32 = 416 elements, 2 per thread.
  EXPECT_EQ(p.stageCopiesPerRow, 2);
}

// Row staging only where it keeps three quarters of the lanes busy: NHWC
// MambaOut rows fill their blocks; VMamba's NCHW planes of 16 x 16 would
// leave 192 of 448 lanes idle and stage as one strided loop.
TEST(PlanDepthwiseConv, StageByRows) {
  for (const GPUTargetInfo &target : {kH100, kMI300})
    for (ConvLayout layout : {ConvLayout::NHWC, ConvLayout::NCHW})
      for (int64_t batch : {1, 16, 128})
        for (int64_t size : {1, 5, 13, 14, 56})
          for (int64_t c : {1, 3, 20, 48, 192}) {
            const int64_t k = layout == ConvLayout::NHWC ? 7 : 3;
            DepthwiseConvShape s = dwShape(batch, c, size, k, k / 2, layout);
            DepthwiseConvPlan p = planDepthwiseConv(s, target);
            if (p.stageCopiesPerRow == 0)
              continue;
            const int64_t rows = p.tileHeight + k - 1;
            const int64_t cols = p.tileWidth + k - 1;
            const int64_t row = layout == ConvLayout::NHWC
                                    ? cols * p.channelsPerBlock
                                    : rows * cols;
            EXPECT_LE(p.stageCopiesPerRow, 4);
            EXPECT_GE(p.stageCopiesPerRow * p.threadsPerBlock, row);
            EXPECT_LT((p.stageCopiesPerRow - 1) * p.threadsPerBlock, row);
            EXPECT_GE(4 * row, 3 * p.stageCopiesPerRow * p.threadsPerBlock);
          }
  EXPECT_EQ(planDepthwiseConv(dwShape(128, 48, 56, 7, 3, ConvLayout::NHWC),
                              kH100)
                .stageCopiesPerRow,
            1);
  EXPECT_EQ(planDepthwiseConv(dwShape(128, 768, 14, 3, 1, ConvLayout::NCHW),
                              kH100)
                .stageCopiesPerRow,
            0);
}

// The register estimate: accumulators, one kernel row of staged values, a
// weight and a fixed 20 (ptxas sm_90 gives MambaOut's 7x7 kernel with 4
// outputs 32 registers, with 7 outputs 32-40); the plan never exceeds the
// budget, even where the register axis is long.
TEST(PlanDepthwiseConv, RegistersPerThread) {
  EXPECT_EQ(depthwiseRegistersPerThread(4, 7), 4 + 10 + 1 + 20);
  EXPECT_EQ(depthwiseRegistersPerThread(1, 3), 1 + 3 + 1 + 20);
  EXPECT_LE(depthwiseRegistersPerThread(kMaxDepthwiseOutputsPerThread, 7),
            kMaxDepthwiseRegisters);
  // A 29 x 29 kernel: 8 outputs would need 65 registers.
  DepthwiseConvShape s = dwShape(1, 3, 64, 29, 14, ConvLayout::NHWC);
  DepthwiseConvPlan p = planDepthwiseConv(s, kH100);
  expectValid(p, s, kH100);
  EXPECT_EQ(depthwiseRegistersPerThread(8, 29), 65);
  EXPECT_LE(p.outputsPerThread, 7);
}

TEST(PlanDepthwiseConv, VMambaNCHW) {
  for (const GPUTargetInfo &target : {kH100, kMI300}) {
    for (auto [c, size] :
         std::vector<std::pair<int64_t, int64_t>>{{192, 56}, {384, 28},
                                                  {768, 14}, {1536, 7}}) {
      DepthwiseConvShape s = dwShape(32, c, size, 3, 1, ConvLayout::NCHW);
      DepthwiseConvPlan p = planDepthwiseConv(s, target);
      expectValid(p, s, target);
      EXPECT_GE(32 * p.blocks(), 2 * target.computeUnits);
      // Most lanes of the block's warps compute outputs of the image.
      int64_t lanes = (p.threadsPerBlock + target.warpSize - 1) /
                      target.warpSize * target.warpSize;
      EXPECT_GE(double(size * size * c) /
                    double(p.blocks() * lanes * p.outputsPerThread),
                0.75)
          << c << " " << size;
    }
  }
}

TEST(PlanDepthwiseConv, AwkwardShapesAtBatchOne) {
  for (const GPUTargetInfo &target : {kH100, kMI300})
    for (ConvLayout layout : {ConvLayout::NHWC, ConvLayout::NCHW})
      for (int64_t size : {1, 5, 7, 13})
        for (int64_t c : {1, 3, 48})
          for (auto [k, pad] :
               std::vector<std::pair<int64_t, int64_t>>{{3, 1}, {7, 3}}) {
            DepthwiseConvShape s = dwShape(1, c, size, k, pad, layout);
            expectValid(planDepthwiseConv(s, target), s, target);
          }
  // Unpadded (valid) convolutions and a kernel as large as the image.
  DepthwiseConvShape s = dwShape(1, 3, 7, 7, 0, ConvLayout::NHWC);
  EXPECT_EQ(s.outHeight, 1);
  DepthwiseConvPlan p = planDepthwiseConv(s, kH100);
  expectValid(p, s, kH100);
  EXPECT_EQ(p.blocks(), 1);
}

} // namespace

// ssm-split-grouped-contractions' decision: VMamba-T's stage-3 x_proj and
// dt_proj at batch 128 split into 4 GEMMs; long group dims and tiny pieces
// do not.
TEST(ShouldSplitGroups, VMambaProjections) {
  using mlir::ssm::gemm::shouldSplitGroups;
  EXPECT_TRUE(shouldSplitGroups(4, 128, 26, 196, 384));
  EXPECT_TRUE(shouldSplitGroups(4, 128, 384, 196, 24));
  EXPECT_TRUE(shouldSplitGroups(8, 2, 64, 64, 8));
  EXPECT_FALSE(shouldSplitGroups(16, 128, 26, 196, 384));
  EXPECT_FALSE(shouldSplitGroups(1, 128, 26, 196, 384));
  EXPECT_FALSE(shouldSplitGroups(4, 2, 8, 49, 16));
  EXPECT_FALSE(shouldSplitGroups(4, 0, 26, 196, 384));
}

namespace {

/// VMamba's per-direction x_proj (b, 26, l = 196) of 4 written in place into
/// a (b, 104, l) f32 buffer whose rows are padded to `pitch`: direction
/// `dir`'s view.
LibraryGemmOperand directionSlice(int64_t pitch, bool rowPadding) {
  LibraryGemmOperand c =
      operand({104 * pitch, pitch, 1}, {128, 26, pitch}, 1, 2, 0, 4);
  c.rowPadding = rowPadding;
  return c;
}

LibraryGemm xProjDirection(int64_t pitch, bool rowPadding) {
  return gemm(26, 196, 384, weight(26, 384, false),
              channelFirst(384, 2, false),
              directionSlice(pitch, rowPadding));
}

} // namespace

TEST(LibraryGemmExtents, InPlaceResultsExtendIntoTheirRowPadding) {
  // Rows of 200: n grows to 200 into the row padding of its own rows.
  LibraryGemmExtents e = planLibraryGemmExtents(xProjDirection(200, true),
                                                kH100);
  EXPECT_EQ(e.n, 200);
  EXPECT_EQ(e.m, 26);
  EXPECT_EQ(e.c.held, (std::vector<int64_t>{128, 26, 200}));
  // Not the allocation's row padding (another direction's data may follow),
  // or too little of it: unchanged.
  EXPECT_EQ(planLibraryGemmExtents(xProjDirection(200, false), kH100).n, 196);
  EXPECT_EQ(planLibraryGemmExtents(xProjDirection(196, true), kH100).n, 196);
}
