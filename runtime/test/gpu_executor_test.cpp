//===- gpu_executor_test.cpp - the GPU executor over a host-memory device -===//
//
// Part of the ssmc project. The GPU executor (src/drivers/gpu/gpu_executor.*)
// only talks to a gpu::Device, so it is tested here on every machine through
// a device whose "device memory" is host memory and whose "kernels" are host
// functions named in the kernel object's text: the staged-input workspace,
// Alloc offsets, UploadConstant/Copy as device copies, output poisoning,
// launch argument passing (buffers and scalars), Return downloads, timing
// with events, and the errors (wrong vendor's kernel object, unknown kernel,
// failing launch with the kernel's name). The real drivers are covered by
// cuda_*_test.cpp and hip_*_test.cpp (skipping without their GPU).
//
//===----------------------------------------------------------------------===//

#include "../src/drivers/gpu/gpu_executor.h"

#include "ssmrt/format/writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <sstream>

namespace ssmrt {
namespace {

namespace fmt = format;

/// A "kernel": grid, block and the argument pointers as the driver gets them.
using HostKernel = void (*)(std::array<unsigned, 3> grid,
                            std::array<unsigned, 3> block, void **args);

/// out[i] = a[i] * s + k[i % 4] for i < n: args (a, k, out, n: u32, s: f32).
void scaleAdd(std::array<unsigned, 3> grid, std::array<unsigned, 3> block,
              void **args) {
  const float *a = *static_cast<const float *const *>(args[0]);
  const float *k = *static_cast<const float *const *>(args[1]);
  float *out = *static_cast<float *const *>(args[2]);
  uint32_t n = *static_cast<const uint32_t *>(args[3]);
  float s = *static_cast<const float *>(args[4]);
  for (unsigned b = 0; b < grid[0]; ++b)
    for (unsigned t = 0; t < block[0]; ++t) {
      uint32_t i = b * block[0] + t;
      if (i < n)
        out[i] = a[i] * s + k[i % 4];
    }
}

/// A gpu::Device over host memory. Module images are lists of kernel names
/// (one per line) resolved against `kernels`.
class HostDevice final : public gpu::Device {
public:
  explicit HostDevice(gpu::Vendor vendor) : vendor_(vendor) {}
  ~HostDevice() override {
    EXPECT_EQ(live_.size(), 0u) << "device memory leaked";
    for (auto &[p, bytes] : live_)
      std::free(reinterpret_cast<void *>(p));
  }

  gpu::Vendor vendor() const override { return vendor_; }
  const char *api() const override { return "HostGPU"; }
  const std::string &name() const override { return name_; }
  const std::string &chip() const override { return chip_; }

  Expected<uint64_t> allocate(size_t bytes) override {
    void *p = std::malloc(bytes ? bytes : 1);
    uint64_t address = reinterpret_cast<uint64_t>(p);
    live_[address] = bytes;
    ++allocations;
    return address;
  }
  Status free(uint64_t pointer) override {
    if (!live_.erase(pointer))
      return invalidArgumentError("free of an unknown pointer");
    std::free(reinterpret_cast<void *>(pointer));
    return okStatus();
  }
  Status upload(uint64_t dst, const void *src, size_t bytes) override {
    SSMRT_RETURN_IF_ERROR(check(dst, bytes));
    std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
    ++uploads;
    return okStatus();
  }
  Status download(void *dst, uint64_t src, size_t bytes) override {
    SSMRT_RETURN_IF_ERROR(check(src, bytes));
    std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
    return okStatus();
  }
  Expected<int> loadModule(const std::string &image) override {
    modules_.push_back(image);
    return int(modules_.size() - 1);
  }
  Expected<void *> function(int module, const std::string &kernel) override {
    std::istringstream lines(modules_.at(size_t(module)));
    for (std::string line; std::getline(lines, line);)
      if (line == kernel && kernels.count(kernel))
        return reinterpret_cast<void *>(kernels[kernel]);
    return notFoundError("HostGPU kernel '" + kernel + "' not found");
  }
  Status setMaxDynamicSharedMemory(void *, unsigned) override {
    return okStatus();
  }
  Status launchFunction(void *function, std::array<unsigned, 3> grid,
                        std::array<unsigned, 3> block, unsigned sharedBytes,
                        void **args) override {
    if (failLaunches)
      return unavailableError("HostGPU launch failed");
    lastShared = sharedBytes;
    ++launches;
    reinterpret_cast<HostKernel>(function)(grid, block, args);
    return okStatus();
  }
  Status copyAsync(uint64_t dst, uint64_t src, size_t bytes) override {
    SSMRT_RETURN_IF_ERROR(check(dst, bytes));
    SSMRT_RETURN_IF_ERROR(check(src, bytes));
    std::memmove(reinterpret_cast<void *>(dst),
                 reinterpret_cast<const void *>(src), bytes);
    ++copies;
    return okStatus();
  }
  Status fillAsync(uint64_t dst, uint8_t value, size_t bytes) override {
    SSMRT_RETURN_IF_ERROR(check(dst, bytes));
    std::memset(reinterpret_cast<void *>(dst), value, bytes);
    return okStatus();
  }
  Expected<void *> createEvent() override {
    ++liveEvents;
    return static_cast<void *>(new int(0));
  }
  Status destroyEvent(void *event) override {
    --liveEvents;
    delete static_cast<int *>(event);
    return okStatus();
  }
  Status recordEvent(void *event) override {
    *static_cast<int *>(event) = ++clock_;
    return okStatus();
  }
  Expected<float> elapsedMs(void *start, void *end) override {
    return float(*static_cast<int *>(end) - *static_cast<int *>(start));
  }
  Status synchronize() override { return okStatus(); }

  std::map<std::string, HostKernel> kernels;
  bool failLaunches = false;
  int allocations = 0, uploads = 0, copies = 0, launches = 0, liveEvents = 0;
  unsigned lastShared = 0;

private:
  /// Every device access must stay inside one live allocation.
  Status check(uint64_t address, size_t bytes) const {
    for (const auto &[base, size] : live_)
      if (address >= base && address + bytes <= base + size)
        return okStatus();
    ADD_FAILURE() << "device access outside every allocation";
    return internalError("out of bounds");
  }

  gpu::Vendor vendor_;
  std::string name_ = "host-gpu", chip_ = "host";
  std::map<uint64_t, size_t> live_;
  std::vector<std::string> modules_;
  int clock_ = 0;
};

constexpr uint32_t kBlock = 64;
const float kConstant[4] = {0.5f, -1.0f, 2.0f, 0.25f};

/// f(a: Nxf32) -> (c: Nxf32, k: 4xf32): c = a * s + k[i % 4] computed into
/// an arena scratch and copied to the output; k uploaded into a second
/// output.
std::vector<uint8_t> scaleModule(uint32_t n, float s, fmt::TargetKind target,
                                 fmt::BinaryFormat format,
                                 const char *kernelName = "scale_add") {
  fmt::ModuleBuilder b("gpu-executor-test");
  const char image[] = "scale_add\n";
  uint32_t object =
      b.addKernelObject(target, format, "chip", image, sizeof image);
  uint32_t kernel = b.addKernel(
      kernelName, object, {kBlock, 1, 1}, 1024,
      {fmt::bufferArg(), fmt::bufferArg(), fmt::bufferArg(), fmt::scalarArg(4),
       fmt::scalarArg(4)});
  uint32_t constant = b.addConstant("k", kConstant, sizeof kConstant);
  uint64_t bytes = uint64_t(n) * 4;
  uint32_t sBits = 0;
  std::memcpy(&sBits, &s, 4);
  uint32_t first = b.commandCount();
  b.addBindInput(0, 0);
  b.addBindConstant(1, constant);
  b.addAlloc(2, bytes);           // scratch (arena)
  b.addAlloc(3, bytes);           // output c
  b.addAlloc(4, sizeof kConstant); // output k
  b.addUploadConstant(4, constant);
  b.addLaunch(kernel, {(n + kBlock - 1) / kBlock, 1, 1},
              {fmt::launchBuffer(0), fmt::launchBuffer(1), fmt::launchBuffer(2),
               fmt::launchScalar(n), fmt::launchScalar(sBits)});
  b.addCopy(3, 0, 2, 0, bytes);
  b.addFree(2);
  b.addReturn(3, 0);
  b.addReturn(4, 1);
  b.addEntry("f", {{"a", fmt::DType::F32, {n}}},
             {{"c", fmt::DType::F32, {n}}, {"k", fmt::DType::F32, {4}}}, 5,
             first, b.commandCount() - first);
  Expected<std::vector<uint8_t>> bytesOut = b.finish();
  EXPECT_TRUE(bytesOut.ok()) << bytesOut.status().toString();
  return bytesOut.ok() ? std::move(*bytesOut) : std::vector<uint8_t>();
}

/// An artifact opened and its first entry planned, as Module does.
struct Loaded {
  std::vector<uint8_t> bytes;
  std::optional<fmt::ArtifactView> view;
  std::vector<fmt::ConstantInfo> constants;
  detail::EntryPlan plan;
};

std::unique_ptr<Loaded> open(std::vector<uint8_t> bytes) {
  auto loaded = std::make_unique<Loaded>();
  loaded->bytes = std::move(bytes);
  Expected<fmt::ArtifactView> view =
      fmt::ArtifactView::open(loaded->bytes.data(), loaded->bytes.size());
  EXPECT_TRUE(view.ok()) << view.status().toString();
  if (!view.ok())
    return nullptr;
  loaded->view.emplace(*view);
  detail::PlanContext context;
  for (uint32_t i = 0; i < view->constantCount(); ++i) {
    fmt::ConstantInfo c = *view->constant(i);
    context.constantSizes.push_back(c.size);
    loaded->constants.push_back(c);
  }
  for (uint32_t k = 0; k < view->kernelCount(); ++k) {
    fmt::KernelInfo kernel = *view->kernel(k);
    context.kernelNames.emplace_back(kernel.name);
    context.kernelArgCounts.push_back(uint32_t(kernel.args.size()));
  }
  fmt::EntryInfo info = *view->entry(0);
  detail::EntryPlan &plan = loaded->plan;
  plan.signature.name = std::string(info.name);
  for (const fmt::TensorInfo &t : info.inputs)
    plan.signature.inputs.push_back(
        {std::string(t.name), t.dtype,
         std::vector<int64_t>(t.dims.begin(), t.dims.begin() + t.rank)});
  for (const fmt::TensorInfo &t : info.outputs)
    plan.signature.outputs.push_back(
        {std::string(t.name), t.dtype,
         std::vector<int64_t>(t.dims.begin(), t.dims.begin() + t.rank)});
  plan.bufferCount = info.bufferCount;
  for (uint32_t c = 0; c < info.commandCount; ++c)
    plan.commands.push_back(*view->command(info.firstCommand + c));
  Status planned = detail::planEntry(context, plan);
  EXPECT_TRUE(planned.ok()) << planned.toString();
  return loaded;
}

TEST(GpuExecutorTest, RunsASchedule) {
  for (uint32_t n : {1u, 63u, 64u, 1001u}) {
    SCOPED_TRACE(n);
    const float s = -1.75f;
    std::unique_ptr<Loaded> loaded = open(scaleModule(
        n, s, fmt::TargetKind::Nvptx, fmt::BinaryFormat::Ptx));
    ASSERT_TRUE(loaded);
    auto device = std::make_shared<HostDevice>(gpu::Vendor::Nvidia);
    device->kernels["scale_add"] = scaleAdd;
    {
      Expected<gpu::GpuExecutable> exe =
          gpu::GpuExecutable::load(*loaded->view, device, loaded->constants);
      ASSERT_TRUE(exe.ok()) << exe.status().toString();
      Expected<gpu::GpuWorkspace> ws =
          gpu::GpuWorkspace::create(loaded->plan, device);
      ASSERT_TRUE(ws.ok()) << ws.status().toString();
      // Inputs | arena | two outputs, each 256-byte aligned.
      EXPECT_EQ(ws->inputOffsets, std::vector<uint64_t>{0});
      EXPECT_EQ(ws->arenaOffset % 256, 0u);
      EXPECT_GE(ws->arenaOffset, uint64_t(n) * 4);

      std::mt19937 rng(n);
      std::uniform_real_distribution<float> dist(-1, 1);
      for (bool poison : {false, true}) {
        std::vector<float> a(n);
        for (float &x : a)
          x = dist(rng);
        Expected<std::vector<HostTensor>> out = gpu::executeEntry(
            loaded->plan, *exe, *ws, {TensorView(DType::F32, {n}, a.data())},
            poison);
        ASSERT_TRUE(out.ok()) << out.status().toString();
        ASSERT_EQ(out->size(), 2u);
        const float *c = (*out)[0].dataAs<float>();
        for (uint32_t i = 0; i < n; ++i)
          ASSERT_EQ(c[i], a[i] * s + kConstant[i % 4]) << "element " << i;
        EXPECT_EQ(std::memcmp((*out)[1].data(), kConstant, sizeof kConstant),
                  0);
      }
      EXPECT_EQ(device->lastShared, 1024u);
      EXPECT_EQ(device->launches, 2);

      std::vector<float> a(n, 1.0f);
      int launches = device->launches;
      Expected<std::vector<double>> ms = gpu::timeEntry(
          loaded->plan, *exe, *ws, {TensorView(DType::F32, {n}, a.data())}, 2,
          5);
      ASSERT_TRUE(ms.ok()) << ms.status().toString();
      // One event per run on the host device's clock: 1 "ms" apart.
      EXPECT_EQ(*ms, std::vector<double>(5, 1.0));
      EXPECT_EQ(device->launches, launches + 7);
      EXPECT_EQ(device->liveEvents, 0);
      EXPECT_EQ(gpu::timeEntry(loaded->plan, *exe, *ws,
                               {TensorView(DType::F32, {n}, a.data())}, 0, 0)
                    .status()
                    .code(),
                StatusCode::InvalidArgument);

      // A failing launch names the function and the kernel.
      device->failLaunches = true;
      Expected<std::vector<HostTensor>> failed = gpu::executeEntry(
          loaded->plan, *exe, *ws, {TensorView(DType::F32, {n}, a.data())},
          false);
      ASSERT_FALSE(failed.ok());
      EXPECT_EQ(failed.status().code(), StatusCode::Unavailable);
      EXPECT_NE(failed.status().toString().find(
                    "function 'f': kernel 'scale_add'"),
                std::string::npos)
          << failed.status().toString();
    }
  }
}

TEST(GpuExecutorTest, RejectsTheOtherVendorsKernelObjects) {
  struct Case {
    gpu::Vendor vendor;
    fmt::TargetKind target;
    fmt::BinaryFormat format;
    const char *message;
  };
  for (const Case &c :
       {Case{gpu::Vendor::Amd, fmt::TargetKind::Nvptx, fmt::BinaryFormat::Ptx,
             "(HostGPU) runs only Amdgpu kernel objects; compile with "
             "--target=amdgpu"},
        Case{gpu::Vendor::Nvidia, fmt::TargetKind::Amdgpu,
             fmt::BinaryFormat::Hsaco,
             "(HostGPU) runs only Nvptx kernel objects; compile with "
             "--target=nvptx"},
        Case{gpu::Vendor::Amd, fmt::TargetKind::Cpu, fmt::BinaryFormat::So,
             "runs only Amdgpu kernel objects"}}) {
    std::unique_ptr<Loaded> loaded =
        open(scaleModule(8, 1.0f, c.target, c.format));
    ASSERT_TRUE(loaded);
    auto device = std::make_shared<HostDevice>(c.vendor);
    device->kernels["scale_add"] = scaleAdd;
    Expected<gpu::GpuExecutable> exe =
        gpu::GpuExecutable::load(*loaded->view, device, loaded->constants);
    ASSERT_FALSE(exe.ok());
    EXPECT_EQ(exe.status().code(), StatusCode::FailedPrecondition);
    EXPECT_NE(exe.status().message().find(c.message), std::string::npos)
        << exe.status().toString();
  }

  // The Amdgpu/Hsaco object on an AMD device loads and runs.
  std::unique_ptr<Loaded> loaded = open(
      scaleModule(8, 2.0f, fmt::TargetKind::Amdgpu, fmt::BinaryFormat::Hsaco));
  ASSERT_TRUE(loaded);
  auto device = std::make_shared<HostDevice>(gpu::Vendor::Amd);
  device->kernels["scale_add"] = scaleAdd;
  Expected<gpu::GpuExecutable> exe =
      gpu::GpuExecutable::load(*loaded->view, device, loaded->constants);
  ASSERT_TRUE(exe.ok()) << exe.status().toString();
  Expected<gpu::GpuWorkspace> ws =
      gpu::GpuWorkspace::create(loaded->plan, device);
  ASSERT_TRUE(ws.ok());
  std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8};
  Expected<std::vector<HostTensor>> out = gpu::executeEntry(
      loaded->plan, *exe, *ws, {TensorView(DType::F32, {8}, a.data())}, true);
  ASSERT_TRUE(out.ok()) << out.status().toString();
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ((*out)[0].dataAs<float>()[i], a[i] * 2 + kConstant[i % 4]);
}

TEST(GpuExecutorTest, UnknownKernelIsNotFound) {
  std::unique_ptr<Loaded> loaded = open(scaleModule(
      8, 1.0f, fmt::TargetKind::Nvptx, fmt::BinaryFormat::Ptx, "missing"));
  ASSERT_TRUE(loaded);
  auto device = std::make_shared<HostDevice>(gpu::Vendor::Nvidia);
  device->kernels["scale_add"] = scaleAdd;
  Expected<gpu::GpuExecutable> exe =
      gpu::GpuExecutable::load(*loaded->view, device, loaded->constants);
  ASSERT_FALSE(exe.ok());
  EXPECT_EQ(exe.status().code(), StatusCode::NotFound)
      << exe.status().toString();
  EXPECT_NE(exe.status().message().find("'missing'"), std::string::npos);
}

} // namespace
} // namespace ssmrt
