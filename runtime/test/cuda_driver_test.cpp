//===- cuda_driver_test.cpp - the dlopen'd CUDA driver
//---------------------===//
//
// Part of the ssmc project. Without libcuda or a GPU (this project's dev and CI
// machines) the driver must report Unavailable and the GPU cases skip, saying
// so; on a GPU machine they run a PTX kernel and check it against the CPU.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/drivers/cuda.h"

#include <gtest/gtest.h>

#include <random>

namespace ssmrt {
namespace {

/// c[i] = a[i] + b[i] for i < n, one thread per element (checked by ptxas).
const char *kVectorAddPtx = R"ptx(.version 7.0
.target sm_52
.address_size 64

.visible .entry vadd(
    .param .u64 a,
    .param .u64 b,
    .param .u64 c,
    .param .u32 n)
{
    .reg .pred p;
    .reg .b32 r<5>;
    .reg .f32 f<4>;
    .reg .b64 rd<11>;

    ld.param.u64 rd1, [a];
    ld.param.u64 rd2, [b];
    ld.param.u64 rd3, [c];
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
    mul.wide.u32 rd7, r2, 4;
    add.s64 rd8, rd4, rd7;
    add.s64 rd9, rd5, rd7;
    add.s64 rd10, rd6, rd7;
    ld.global.f32 f1, [rd8];
    ld.global.f32 f2, [rd9];
    add.f32 f3, f1, f2;
    st.global.f32 [rd10], f3;
DONE:
    ret;
}
)ptx";

TEST(CudaDriver, LoadsOrReportsUnavailable) {
  Expected<std::shared_ptr<cuda::Driver>> driver = cuda::Driver::load();
  if (!driver.ok()) {
    EXPECT_EQ(driver.status().code(), StatusCode::Unavailable)
        << driver.status().toString();
    EXPECT_NE(driver.status().message().find("not available"),
              std::string::npos)
        << driver.status().toString();
    GTEST_SKIP() << "no CUDA driver here: " << driver.status().message();
  }
  EXPECT_GT((*driver)->deviceCount(), 0);
  Expected<std::unique_ptr<cuda::Device>> missing =
      cuda::Device::open(*driver, (*driver)->deviceCount());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::Unavailable);
}

TEST(CudaDriver, RunsAPtxKernel) {
  Expected<std::shared_ptr<cuda::Driver>> driver = cuda::Driver::load();
  if (!driver.ok())
    GTEST_SKIP() << "no CUDA driver here: " << driver.status().message();
  Expected<std::unique_ptr<cuda::Device>> device =
      cuda::Device::open(*driver, 0);
  ASSERT_TRUE(device.ok()) << device.status().toString();
  cuda::Device &gpu = **device;
  std::printf("CUDA device 0: %s (%s), driver %d\n", gpu.name().c_str(),
              gpu.chip().c_str(), (*driver)->version());

  const uint32_t n = 100003; // not a multiple of the block size
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(n), b(n), c(n, 0.0f);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = dist(rng);
    b[i] = dist(rng);
  }
  size_t bytes = n * sizeof(float);
  Expected<uint64_t> da = gpu.allocate(bytes), db = gpu.allocate(bytes),
                     dc = gpu.allocate(bytes);
  ASSERT_TRUE(da.ok() && db.ok() && dc.ok());
  ASSERT_TRUE(gpu.upload(*da, a.data(), bytes).ok());
  ASSERT_TRUE(gpu.upload(*db, b.data(), bytes).ok());
  Expected<int> module = gpu.loadModule(kVectorAddPtx);
  ASSERT_TRUE(module.ok()) << module.status().toString();
  uint64_t pa = *da, pb = *db, pc = *dc;
  uint32_t count = n;
  Status launched = gpu.launch(*module, "vadd", {(n + 255) / 256, 1, 1},
                               {256, 1, 1}, 0, {&pa, &pb, &pc, &count});
  ASSERT_TRUE(launched.ok()) << launched.toString();
  ASSERT_TRUE(gpu.synchronize().ok());
  ASSERT_TRUE(gpu.download(c.data(), *dc, bytes).ok());
  for (uint32_t i = 0; i < n; ++i)
    ASSERT_EQ(c[i], a[i] + b[i]) << "element " << i;

  Status unknown =
      gpu.launch(*module, "no_such_kernel", {1, 1, 1}, {1, 1, 1}, 0, {});
  EXPECT_EQ(unknown.code(), StatusCode::NotFound) << unknown.toString();
  EXPECT_FALSE(gpu.loadModule("this is not PTX").ok());
  EXPECT_TRUE(gpu.free(*da).ok() && gpu.free(*db).ok() && gpu.free(*dc).ok());
}

} // namespace
} // namespace ssmrt
