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

} // namespace
