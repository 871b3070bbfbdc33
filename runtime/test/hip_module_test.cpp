//===- hip_module_test.cpp - 'hip' devices through Instance/Module --------===//
//
// Part of the ssmc project. With SSM_ENABLE_HIP, Instance::openDevice("hip")
// loads the real libamdhip64 (Debian's libamdhip64-5, installed by
// scripts/setup.sh) and, with no AMD GPU on this project's machines, must be
// Unavailable with HIP's reason; without SSM_ENABLE_HIP it says the driver is
// not built in. The device cases skip without an AMD GPU, saying so: the HIP
// path has never run on AMD hardware. The executor logic the HIP device
// shares with CUDA is covered by gpu_executor_test.cpp.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"
#include "ssmrt/format/writer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ssmrt {
namespace {

namespace fmt = format;

/// f(a: 4xf32) -> (a) through one kernel object of `target`.
std::vector<uint8_t> oneKernelModule(fmt::TargetKind target,
                                     fmt::BinaryFormat format) {
  fmt::ModuleBuilder b("hip-module-test");
  const char image[] = "not a real code object";
  uint32_t object =
      b.addKernelObject(target, format, "gfx942", image, sizeof image);
  uint32_t kernel = b.addKernel("k", object, {64, 1, 1}, 0,
                                {fmt::bufferArg(), fmt::bufferArg()});
  uint32_t first = b.commandCount();
  b.addBindInput(0, 0);
  b.addAlloc(1, 16);
  b.addLaunch(kernel, {1, 1, 1}, {fmt::launchBuffer(0), fmt::launchBuffer(1)});
  b.addReturn(1, 0);
  b.addEntry("f", {{"a", fmt::DType::F32, {4}}}, {{"b", fmt::DType::F32, {4}}},
             2, first, b.commandCount() - first);
  Expected<std::vector<uint8_t>> bytes = b.finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().toString();
  return bytes.ok() ? std::move(*bytes) : std::vector<uint8_t>();
}

TEST(HipModuleTest, OpenReportsUnavailableWithoutAnAmdGpu) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> device = instance->openDevice("hip:0");
  if (device.ok()) {
    EXPECT_EQ(device->name(), "hip:0");
    GTEST_SKIP() << "an AMD GPU is present; the unavailable path is not "
                    "exercised here";
  }
  EXPECT_EQ(device.status().code(), StatusCode::Unavailable)
      << device.status().toString();
#if SSMRT_HAVE_HIP
  std::vector<std::string> devices = Instance::availableDevices();
  EXPECT_NE(std::find(devices.begin(), devices.end(), "hip"), devices.end());
  // The driver's own reason (no library, hipInit failing, or no GPU), not
  // "built without".
  EXPECT_NE(device.status().message().find("device 'hip' is not available: "),
            std::string::npos)
      << device.status().toString();
  EXPECT_EQ(device.status().message().find("built without"),
            std::string::npos)
      << device.status().toString();
  // Where the library loads, every entry point the driver uses resolved
  // (hipInit or the device count is what fails, not a missing symbol).
  EXPECT_EQ(device.status().message().find("lacks"), std::string::npos)
      << device.status().toString();
  EXPECT_EQ(instance->openDevice("hip:x").status().code(),
            StatusCode::InvalidArgument);
  EXPECT_EQ(instance->openDevice("hip:12345").status().code(),
            StatusCode::InvalidArgument);
#else
  EXPECT_NE(device.status().message().find("built without the HIP driver"),
            std::string::npos)
      << device.status().toString();
#endif
}

TEST(HipModuleTest, CpuRejectsAnAmdgpuModule) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> cpu = instance->openDevice("cpu");
  ASSERT_TRUE(cpu.ok());
  Expected<Module> module = Module::loadFromMemory(
      *cpu, oneKernelModule(fmt::TargetKind::Amdgpu, fmt::BinaryFormat::Hsaco));
  ASSERT_FALSE(module.ok());
  EXPECT_NE(module.status().message().find("runs only Cpu/So kernel objects"),
            std::string::npos)
      << module.status().toString();
}

TEST(HipModuleTest, RejectsBadCodeObjectsOnAnAmdGpu) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> device = instance->openDevice("hip");
  if (!device.ok())
    GTEST_SKIP() << "no AMD GPU here (the HIP path has never run on AMD "
                    "hardware): "
                 << device.status().toString();
  // An NVIDIA object: the executor's clear error.
  Expected<Module> nvptx = Module::loadFromMemory(
      *device, oneKernelModule(fmt::TargetKind::Nvptx, fmt::BinaryFormat::Ptx));
  ASSERT_FALSE(nvptx.ok());
  EXPECT_EQ(nvptx.status().code(), StatusCode::FailedPrecondition);
  EXPECT_NE(nvptx.status().message().find("runs only Amdgpu"),
            std::string::npos)
      << nvptx.status().toString();
  // Not a code object: hipModuleLoadData's error as a status.
  Expected<Module> junk = Module::loadFromMemory(
      *device, oneKernelModule(fmt::TargetKind::Amdgpu, fmt::BinaryFormat::Hsaco));
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("hipModuleLoadData"),
            std::string::npos)
      << junk.status().toString();
}

} // namespace
} // namespace ssmrt
