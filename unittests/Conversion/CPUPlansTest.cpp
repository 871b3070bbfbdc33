//===- CPUPlansTest.cpp - plans of the CPU loop lowerings -----------------===//

#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"

#include <gtest/gtest.h>

using namespace mlir::ssm;

namespace {

TEST(PlanScanGradChannelParts, EnoughBatchLanesNeedNoSplit) {
  EXPECT_EQ(planScanGradChannelParts(8, 384), 1);
  EXPECT_EQ(planScanGradChannelParts(128, 384), 1);
  // Dynamic batch: no split (and no extra partial sums).
  EXPECT_EQ(planScanGradChannelParts(0, 384), 1);
}

TEST(PlanScanGradChannelParts, FewLanesSplitTheChannels) {
  // Vim-T at batch 1: 8 parts of 48 channels.
  EXPECT_EQ(planScanGradChannelParts(1, 384), 8);
  // Batch 2: 4 parts, so 2 x 4 = 8 lanes.
  EXPECT_EQ(planScanGradChannelParts(2, 384), 4);
  // 3 lanes: ceil(8 / 3) = 3 parts.
  EXPECT_EQ(planScanGradChannelParts(3, 384), 3);
}

TEST(PlanScanGradChannelParts, PartsKeepAtLeast16Channels) {
  EXPECT_EQ(planScanGradChannelParts(1, 40), 2);
  EXPECT_EQ(planScanGradChannelParts(1, 31), 1);
  EXPECT_EQ(planScanGradChannelParts(1, 4), 1);
  EXPECT_EQ(planScanGradChannelParts(1, 1), 1);
}

const CPUVectorInfo kAVX512{512, 32, true};
const CPUVectorInfo kAVX2{256, 16, false};

TEST(PlanCPUScan, VimShapesRunChannelVectors) {
  // Vim-T / Vim-S: 384 / 768 channels, 16 states: 16-channel blocks, the 16
  // states in registers.
  for (int64_t channels : {384, 768}) {
    CPUScanPlan plan = planCPUScan(16, channels, kAVX512);
    EXPECT_EQ(plan.strategy, CPUScanStrategy::ChannelVector);
    EXPECT_EQ(plan.channelsPerVector, 16);
    EXPECT_TRUE(plan.statesInRegisters);
  }
  // AVX2: 8 channels per vector, 16 states do not fit in 16 registers.
  CPUScanPlan avx2 = planCPUScan(16, 384, kAVX2);
  EXPECT_EQ(avx2.strategy, CPUScanStrategy::ChannelVector);
  EXPECT_EQ(avx2.channelsPerVector, 8);
  EXPECT_FALSE(avx2.statesInRegisters);
  EXPECT_TRUE(planCPUScan(8, 384, kAVX2).statesInRegisters);
  // vscalefps (the exp of the recurrence) only with AVX-512.
  EXPECT_TRUE(planCPUScan(16, 384, kAVX512).scaledExp);
  EXPECT_FALSE(avx2.scaledExp);
}

TEST(PlanCPUScan, OneStateRunsChannelVectors) {
  // VMamba (n = 1), even a single channel: a vector<1xf32> per channel is
  // scalar code.
  for (int64_t channels : {1, 5, 96, 768}) {
    CPUScanPlan plan = planCPUScan(1, channels, kAVX512);
    EXPECT_EQ(plan.strategy, CPUScanStrategy::ChannelVector) << channels;
    EXPECT_TRUE(plan.statesInRegisters);
  }
}

TEST(PlanCPUScan, FewChannelsManyStatesKeepStateVectors) {
  // 3 channels x 16 states: a 16-channel block would be mostly dead lanes.
  EXPECT_EQ(planCPUScan(16, 3, kAVX512).strategy, CPUScanStrategy::StateVector);
  EXPECT_EQ(planCPUScan(16, 7, kAVX512).strategy, CPUScanStrategy::StateVector);
  EXPECT_EQ(planCPUScan(16, 8, kAVX512).strategy,
            CPUScanStrategy::ChannelVector);
  // Equal work (one block, 2 x 8 rows) prefers channel vectors.
  EXPECT_EQ(planCPUScan(16, 8, kAVX512).channelsPerVector, 16);
}

TEST(PlanCPUScan, ManyStatesLiveInMemory) {
  CPUScanPlan plan = planCPUScan(40, 20, kAVX512);
  EXPECT_EQ(plan.strategy, CPUScanStrategy::ChannelVector);
  EXPECT_FALSE(plan.statesInRegisters);
  EXPECT_TRUE(planCPUScan(24, 384, kAVX512).statesInRegisters);
  EXPECT_FALSE(planCPUScan(25, 384, kAVX512).statesInRegisters);
}

TEST(PlanCPUScan, DynamicChannelsAndNoVectors) {
  EXPECT_EQ(planCPUScan(16, 0, kAVX512).strategy,
            CPUScanStrategy::ChannelVector);
  // A "vector" of one f32 lane: nothing to vectorize across channels; no
  // vectors at all (the GPU pipelines' leftovers); lanes that are not a power
  // of two (the prologue's transpose needs one).
  EXPECT_EQ(planCPUScan(16, 384, CPUVectorInfo{32, 16, false}).strategy,
            CPUScanStrategy::StateVector);
  EXPECT_EQ(planCPUScan(1, 384, CPUVectorInfo{0, 0, false}).strategy,
            CPUScanStrategy::StateVector);
  EXPECT_EQ(planCPUScan(16, 384, CPUVectorInfo{384, 32, false}).strategy,
            CPUScanStrategy::StateVector);
}

} // namespace
