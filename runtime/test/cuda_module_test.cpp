//===- cuda_module_test.cpp - Modules with PTX kernels on 'cuda' devices --===//
//
// Part of the ssmc project. An .ssmb with a PTX kernel object (c = a + b,
// plus a constant bound in place) run through Instance/Module on a CUDA
// device: BindInput uploads, Alloc is device memory from the static plan,
// Launch takes the grid from the command and the block from the kernel
// metadata, Return downloads. Without SSM_ENABLE_CUDA, or without a driver or
// GPU (this project's dev and CI machines), opening 'cuda' must be
// Unavailable and the GPU cases skip, saying so; on a GPU machine they run.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"
#include "ssmrt/format/writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace ssmrt {
namespace {

namespace fmt = format;

/// c[i] = a[i] + b[i] + k[i % 4] for i < n (k: a 4-float constant).
const char *kAddPtx = R"ptx(.version 7.0
.target sm_52
.address_size 64

.visible .entry vadd(
    .param .u64 a,
    .param .u64 b,
    .param .u64 k,
    .param .u64 c,
    .param .u32 n)
{
    .reg .pred p;
    .reg .b32 r<6>;
    .reg .f32 f<6>;
    .reg .b64 rd<14>;

    ld.param.u64 rd1, [a];
    ld.param.u64 rd2, [b];
    ld.param.u64 rd3, [c];
    ld.param.u64 rd11, [k];
    ld.param.u32 r1, [n];
    mov.u32 r2, %ctaid.x;
    mov.u32 r3, %ntid.x;
    mov.u32 r4, %tid.x;
    mad.lo.s32 r2, r2, r3, r4;
    setp.ge.u32 p, r2, r1;
    @p bra DONE;
    cvta.to.global.u64 rd4, rd1;
    cvta.to.global.u64 rd5, rd2;
    cvta.to.global.u64 rd6, rd3;
    cvta.to.global.u64 rd12, rd11;
    mul.wide.u32 rd7, r2, 4;
    add.s64 rd8, rd4, rd7;
    add.s64 rd9, rd5, rd7;
    add.s64 rd10, rd6, rd7;
    and.b32 r5, r2, 3;
    mul.wide.u32 rd13, r5, 4;
    add.s64 rd12, rd12, rd13;
    ld.global.f32 f1, [rd8];
    ld.global.f32 f2, [rd9];
    ld.global.f32 f4, [rd12];
    add.f32 f3, f1, f2;
    add.f32 f5, f3, f4;
    st.global.f32 [rd10], f5;
DONE:
    ret;
}
)ptx";

constexpr uint32_t kN = 100003; // not a multiple of the block size
constexpr uint32_t kBlock = 128;
const float kConstant[4] = {0.5f, -1.0f, 2.0f, 0.25f};

/// add(a: Nxf32, b: Nxf32) -> (c: Nxf32), with a scratch copy of c through
/// an arena allocation (Alloc/Copy/Free) before the Return.
std::vector<uint8_t> addModule(fmt::TargetKind target = fmt::TargetKind::Nvptx,
                               fmt::BinaryFormat format = fmt::BinaryFormat::Ptx) {
  fmt::ModuleBuilder b("cuda-module-test");
  uint32_t object = b.addKernelObject(target, format, "sm_52", kAddPtx,
                                      std::strlen(kAddPtx) + 1);
  uint32_t kernel = b.addKernel(
      "vadd", object, {kBlock, 1, 1}, 0,
      {fmt::bufferArg(), fmt::bufferArg(), fmt::bufferArg(), fmt::bufferArg(),
       fmt::scalarArg(4)});
  uint32_t constant = b.addConstant("k", kConstant, sizeof kConstant);
  uint64_t bytes = uint64_t(kN) * 4;
  uint32_t first = b.commandCount();
  b.addBindInput(0, 0);
  b.addBindInput(1, 1);
  b.addBindConstant(2, constant);
  b.addAlloc(3, bytes); // scratch (arena)
  b.addAlloc(4, bytes); // the output
  b.addLaunch(kernel, {(kN + kBlock - 1) / kBlock, 1, 1},
              {fmt::launchBuffer(0), fmt::launchBuffer(1), fmt::launchBuffer(2),
               fmt::launchBuffer(3), fmt::launchScalar(kN)});
  b.addCopy(4, 0, 3, 0, bytes);
  b.addFree(3);
  b.addReturn(4, 0);
  fmt::TensorSpec vec{"a", fmt::DType::F32, {kN}};
  fmt::TensorSpec vecB{"b", fmt::DType::F32, {kN}};
  fmt::TensorSpec out{"c", fmt::DType::F32, {kN}};
  b.addEntry("add", {vec, vecB}, {out}, 5, first, b.commandCount() - first);
  Expected<std::vector<uint8_t>> bytesOut = b.finish();
  EXPECT_TRUE(bytesOut.ok()) << bytesOut.status().toString();
  return bytesOut.ok() ? std::move(*bytesOut) : std::vector<uint8_t>();
}

/// The CUDA device, or a skip reason.
Expected<Device> openCuda(const Instance &instance) {
  return instance.openDevice("cuda");
}

TEST(CudaModuleTest, OpenReportsUnavailableWithoutAGpu) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> device = instance->openDevice("cuda:0");
  if (device.ok()) {
    EXPECT_EQ(device->name(), "cuda:0");
    GTEST_SKIP() << "a CUDA GPU is present; the unavailable path is not "
                    "exercised here";
  }
  EXPECT_EQ(device.status().code(), StatusCode::Unavailable)
      << device.status().toString();
  EXPECT_NE(device.status().message().find("not available"), std::string::npos)
      << device.status().toString();
#if SSMRT_HAVE_CUDA
  std::vector<std::string> devices = Instance::availableDevices();
  EXPECT_NE(std::find(devices.begin(), devices.end(), "cuda"), devices.end());
  EXPECT_EQ(instance->openDevice("cuda:x").status().code(),
            StatusCode::InvalidArgument);
#endif
}

TEST(CudaModuleTest, CpuRejectsAnNvptxModule) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> cpu = instance->openDevice("cpu");
  ASSERT_TRUE(cpu.ok());
  Expected<Module> module = Module::loadFromMemory(*cpu, addModule());
  ASSERT_FALSE(module.ok());
  EXPECT_NE(module.status().message().find("runs only Cpu/So kernel objects"),
            std::string::npos)
      << module.status().toString();
}

TEST(CudaModuleTest, RunsAPtxModule) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> device = openCuda(*instance);
  if (!device.ok())
    GTEST_SKIP() << "no CUDA device here: " << device.status().toString();
  Expected<Module> module = Module::loadFromMemory(*device, addModule());
  ASSERT_TRUE(module.ok()) << module.status().toString();

  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (int round = 0; round < 2; ++round) {
    std::vector<float> a(kN), b(kN);
    for (uint32_t i = 0; i < kN; ++i) {
      a[i] = dist(rng);
      b[i] = dist(rng);
    }
    InvokeOptions options;
    options.poisonOutputs = round == 1;
    Expected<std::vector<HostTensor>> out = module->invoke(
        "add",
        {TensorView(DType::F32, {kN}, a.data()),
         TensorView(DType::F32, {kN}, b.data())},
        options);
    ASSERT_TRUE(out.ok()) << out.status().toString();
    ASSERT_EQ(out->size(), 1u);
    const float *c = (*out)[0].dataAs<float>();
    for (uint32_t i = 0; i < kN; ++i)
      ASSERT_EQ(c[i], a[i] + b[i] + kConstant[i % 4]) << "element " << i;
  }

  std::vector<float> a(kN, 1.0f), b(kN, 2.0f);
  Expected<std::vector<double>> ms =
      module->time("add",
                   {TensorView(DType::F32, {kN}, a.data()),
                    TensorView(DType::F32, {kN}, b.data())},
                   2, 5);
  ASSERT_TRUE(ms.ok()) << ms.status().toString();
  ASSERT_EQ(ms->size(), 5u);
  for (double t : *ms)
    EXPECT_TRUE(t > 0 && t < 1000) << t;

  // A CPU artifact on the GPU: a clear error naming the target.
  std::vector<uint8_t> cpuBytes =
      addModule(fmt::TargetKind::Cpu, fmt::BinaryFormat::So);
  Expected<Module> cpuModule = Module::loadFromMemory(*device, cpuBytes);
  ASSERT_FALSE(cpuModule.ok());
  EXPECT_NE(cpuModule.status().message().find("runs only Nvptx"),
            std::string::npos)
      << cpuModule.status().toString();
}

} // namespace
} // namespace ssmrt
