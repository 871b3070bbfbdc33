//===- hip_driver_test.cpp - the dlopen'd HIP driver
//-----------------------===//
//
// Part of the ssmc project. No AMD GPU is lent to this project: with Debian's
// libamdhip64 installed (scripts/setup.sh) the driver loads the real library
// and must report Unavailable; the device test skips and says why.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/drivers/hip.h"

#include <gtest/gtest.h>

namespace ssmrt {
namespace {

TEST(HipDriver, ReportsUnavailableWithoutAnAmdGpu) {
  Expected<std::shared_ptr<hip::Driver>> driver = hip::Driver::load();
  if (driver.ok())
    GTEST_SKIP() << "an AMD GPU is present (" << (*driver)->deviceCount()
                 << "); this test covers machines without one";
  EXPECT_EQ(driver.status().code(), StatusCode::Unavailable)
      << driver.status().toString();
  EXPECT_NE(driver.status().message().find("device 'hip' is not available"),
            std::string::npos)
      << driver.status().toString();
}

TEST(HipDriver, OpensTheFirstDevice) {
  Expected<std::shared_ptr<hip::Driver>> driver = hip::Driver::load();
  if (!driver.ok())
    GTEST_SKIP() << "no AMD GPU here (never run on AMD hardware so far): "
                 << driver.status().message();
  Expected<std::unique_ptr<hip::Device>> device = hip::Device::open(*driver, 0);
  ASSERT_TRUE(device.ok()) << device.status().toString();
  Expected<uint64_t> buffer = (*device)->allocate(256);
  ASSERT_TRUE(buffer.ok()) << buffer.status().toString();
  EXPECT_TRUE((*device)->free(*buffer).ok());
  EXPECT_FALSE(hip::Device::open(*driver, (*driver)->deviceCount()).ok());
}

} // namespace
} // namespace ssmrt
