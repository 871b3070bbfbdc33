//===- gpu_executor_test.cpp - the GPU executor over a host-memory device -===//
//
// Part of the ssmc project. The GPU executor (src/drivers/gpu/gpu_executor.*)
// only talks to a gpu::Device, so it is tested here on every machine through
// a device whose "device memory" is host memory and whose "kernels" are host
// functions named in the kernel object's text: the staged-input workspace,
// Alloc offsets, UploadConstant/Copy as device copies, output poisoning,
// launch argument passing (buffers and scalars), Return downloads, timing
// with events, and the errors (wrong vendor's kernel object, unknown kernel,
// failing launch with the kernel's name), graphs (the device records stream
// work between beginCapture and endCapture as closures and replays them),
// and runs over caller buffers (executeWithBuffers). The real drivers are
// covered by cuda_*_test.cpp and hip_*_test.cpp (skipping without their
// GPU).
//
//===----------------------------------------------------------------------===//

#include "../src/drivers/gpu/gpu_executor.h"

#include "ssmrt/format/writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
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
    if (capturing_ && refuseCapture) {
      captureBroken_ = true;
      return unavailableError("HostGPU: launch not capturable");
    }
    // The argument values are copied now, as the drivers do (every value
    // is 8 bytes of storage here).
    std::vector<uint64_t> values(kArgs);
    for (size_t a = 0; a < kArgs; ++a)
      std::memcpy(&values[a], args[a], 8);
    return queue([this, function, grid, block, sharedBytes, values]() mutable {
      std::vector<void *> pointers;
      for (uint64_t &v : values)
        pointers.push_back(&v);
      lastShared = sharedBytes;
      ++launches;
      reinterpret_cast<HostKernel>(function)(grid, block, pointers.data());
    });
  }
  Status copyAsync(uint64_t dst, uint64_t src, size_t bytes) override {
    SSMRT_RETURN_IF_ERROR(check(dst, bytes));
    SSMRT_RETURN_IF_ERROR(check(src, bytes));
    return queue([this, dst, src, bytes] {
      std::memmove(reinterpret_cast<void *>(dst),
                   reinterpret_cast<const void *>(src), bytes);
      ++copies;
    });
  }
  Status fillAsync(uint64_t dst, uint8_t value, size_t bytes) override {
    SSMRT_RETURN_IF_ERROR(check(dst, bytes));
    return queue([this, dst, value, bytes] {
      std::memset(reinterpret_cast<void *>(dst), value, bytes);
      ++fills;
      lastFill = value;
    });
  }
  Status checkDeviceRange(uint64_t address, uint64_t bytes) override {
    ++rangeChecks;
    for (const auto &[base, size] : live_)
      if (address >= base && address + bytes <= base + size)
        return okStatus();
    return invalidArgumentError("not HostGPU memory");
  }

  // Graphs: closures recorded while capturing.
  using Graph = std::vector<std::function<void()>>;
  bool supportsGraphs() const override { return graphs; }
  Status beginCapture() override {
    if (failBeginCapture)
      return unavailableError("HostGPU: no capture today");
    capturing_ = true;
    captureBroken_ = false;
    recorded_.clear();
    ++captures;
    return okStatus();
  }
  Expected<void *> endCapture() override {
    capturing_ = false;
    if (captureBroken_)
      return unavailableError("HostGPU: capture invalidated");
    ++liveGraphs;
    return static_cast<void *>(new Graph(std::move(recorded_)));
  }
  Status launchGraph(void *graph) override {
    ++graphLaunches;
    for (std::function<void()> &f : *static_cast<Graph *>(graph))
      f();
    return okStatus();
  }
  void destroyGraph(void *graph) override {
    --liveGraphs;
    delete static_cast<Graph *>(graph);
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
  bool graphs = false, refuseCapture = false, failBeginCapture = false;
  int allocations = 0, uploads = 0, copies = 0, launches = 0, liveEvents = 0;
  int captures = 0, graphLaunches = 0, liveGraphs = 0, fills = 0;
  int rangeChecks = 0;
  int lastFill = -1;
  unsigned lastShared = 0;

private:
  /// Every kernel of these tests takes 5 arguments.
  static constexpr size_t kArgs = 5;

  /// Runs `work` now, or records it while capturing.
  Status queue(std::function<void()> work) {
    if (capturing_)
      recorded_.push_back(std::move(work));
    else
      work();
    return okStatus();
  }

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
  bool capturing_ = false, captureBroken_ = false;
  Graph recorded_;
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
  uint32_t kernel =
      b.addKernel(kernelName, object, {kBlock, 1, 1}, 1024,
                  {fmt::bufferArg(), fmt::bufferArg(), fmt::bufferArg(),
                   fmt::scalarArg(4), fmt::scalarArg(4)});
  uint32_t constant = b.addConstant("k", kConstant, sizeof kConstant);
  uint64_t bytes = uint64_t(n) * 4;
  uint32_t sBits = 0;
  std::memcpy(&sBits, &s, 4);
  uint32_t first = b.commandCount();
  b.addBindInput(0, 0);
  b.addBindConstant(1, constant);
  b.addAlloc(2, bytes);            // scratch (arena)
  b.addAlloc(3, bytes);            // output c
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
    std::unique_ptr<Loaded> loaded =
        open(scaleModule(n, s, fmt::TargetKind::Nvptx, fmt::BinaryFormat::Ptx));
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
        Expected<std::vector<HostTensor>> out =
            gpu::executeEntry(loaded->plan, *exe, *ws,
                              {TensorView(DType::F32, {n}, a.data())}, poison);
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
      Expected<std::vector<double>> ms =
          gpu::timeEntry(loaded->plan, *exe, *ws,
                         {TensorView(DType::F32, {n}, a.data())}, 2, 5);
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
      Expected<std::vector<HostTensor>> failed =
          gpu::executeEntry(loaded->plan, *exe, *ws,
                            {TensorView(DType::F32, {n}, a.data())}, false);
      ASSERT_FALSE(failed.ok());
      EXPECT_EQ(failed.status().code(), StatusCode::Unavailable);
      EXPECT_NE(
          failed.status().toString().find("function 'f': kernel 'scale_add'"),
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

//===----------------------------------------------------------------------===//
// Graphs and caller buffers
//===----------------------------------------------------------------------===//

/// A loaded scale module on a HostDevice with graphs.
struct GraphFixture {
  static constexpr uint32_t kN = 1001;
  static constexpr float kS = 0.75f;
  std::unique_ptr<Loaded> loaded;
  std::shared_ptr<HostDevice> device;
  std::optional<gpu::GpuExecutable> exe;
  std::optional<gpu::GpuWorkspace> ws;

  GraphFixture() {
    loaded = open(
        scaleModule(kN, kS, fmt::TargetKind::Nvptx, fmt::BinaryFormat::Ptx));
    device = std::make_shared<HostDevice>(gpu::Vendor::Nvidia);
    device->kernels["scale_add"] = scaleAdd;
    device->graphs = true;
    Expected<gpu::GpuExecutable> e =
        gpu::GpuExecutable::load(*loaded->view, device, loaded->constants);
    EXPECT_TRUE(e.ok()) << e.status().toString();
    exe.emplace(std::move(*e));
    Expected<gpu::GpuWorkspace> w =
        gpu::GpuWorkspace::create(loaded->plan, device);
    EXPECT_TRUE(w.ok()) << w.status().toString();
    ws.emplace(std::move(*w));
  }
  ~GraphFixture() {
    ws.reset();
    exe.reset();
    EXPECT_EQ(device->liveGraphs, 0) << "graphs leaked";
  }

  /// Runs with graphs on `a`, checking both outputs.
  void runAndCheck(const std::vector<float> &a, bool poison = false) {
    Expected<std::vector<HostTensor>> out = gpu::executeEntry(
        loaded->plan, *exe, *ws, {TensorView(DType::F32, {kN}, a.data())},
        poison, /*graphs=*/true);
    ASSERT_TRUE(out.ok()) << out.status().toString();
    const float *c = (*out)[0].dataAs<float>();
    for (uint32_t i = 0; i < kN; ++i)
      ASSERT_EQ(c[i], a[i] * kS + kConstant[i % 4]) << "element " << i;
    EXPECT_EQ(std::memcmp((*out)[1].data(), kConstant, sizeof kConstant), 0);
  }
};

std::vector<float> randomInput(std::mt19937 &rng, size_t n) {
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(n);
  for (float &x : a)
    x = dist(rng);
  return a;
}

TEST(GpuGraphTest, ReplaysSeeNewInputsAndMatchPlainRuns) {
  GraphFixture f;
  std::mt19937 rng(5);
  // Run 1 plain, run 2 captured (and run), runs 3-5 replayed; every run
  // has new inputs, uploaded into the same staged buffer.
  for (int run = 0; run < 5; ++run)
    f.runAndCheck(randomInput(rng, GraphFixture::kN));
  EXPECT_EQ(f.ws->stats.plainRuns, 1u);
  EXPECT_EQ(f.ws->stats.graphCaptures, 1u);
  EXPECT_EQ(f.ws->stats.graphReplays, 3u);
  EXPECT_EQ(f.ws->stats.captureFailures, 0u);
  EXPECT_EQ(f.device->captures, 1);
  EXPECT_EQ(f.device->graphLaunches, 4);
  EXPECT_EQ(f.device->launches, 5); // every run launched the kernel once

  // Poisoned outputs are another key (the fill is part of the graph): the
  // poison is seen in a replay too (an output the kernel does not write
  // would stay NaN), and the answers are the same.
  for (int run = 0; run < 3; ++run)
    f.runAndCheck(randomInput(rng, GraphFixture::kN), /*poison=*/true);
  EXPECT_EQ(f.ws->stats.plainRuns, 2u);
  EXPECT_EQ(f.ws->stats.graphCaptures, 2u);
  EXPECT_EQ(f.ws->stats.graphReplays, 4u);
}

TEST(GpuGraphTest, ReplaysFillTheOutputs) {
  // The output fills are part of the graph: every replay fills both output
  // allocations (with 0xFF when poisoned) before the kernel and copies run.
  GraphFixture f;
  std::mt19937 rng(4);
  for (int run = 0; run < 4; ++run) {
    int before = f.device->fills;
    f.runAndCheck(randomInput(rng, GraphFixture::kN), /*poison=*/true);
    EXPECT_EQ(f.device->fills - before, 2) << "run " << run;
    EXPECT_EQ(f.device->lastFill, 0xFF);
  }
  EXPECT_EQ(f.ws->stats.graphReplays, 2u);
}

TEST(GpuGraphTest, UncapturableRunsFallBackToPlainLaunches) {
  GraphFixture f;
  f.device->refuseCapture = true;
  std::mt19937 rng(6);
  for (int run = 0; run < 4; ++run)
    f.runAndCheck(randomInput(rng, GraphFixture::kN));
  // Run 2 tried to capture, failed, ran plainly; the key is not retried.
  EXPECT_EQ(f.device->captures, 1);
  EXPECT_EQ(f.device->liveGraphs, 0);
  EXPECT_EQ(f.ws->stats.captureFailures, 1u);
  EXPECT_EQ(f.ws->stats.plainRuns, 4u);
  EXPECT_EQ(f.ws->stats.graphReplays, 0u);
  EXPECT_NE(f.ws->stats.lastCaptureFailure.find("launch not capturable"),
            std::string::npos)
      << f.ws->stats.lastCaptureFailure;

  // Other keys are tried until the second failure, then nothing is.
  gpu::RunBindings other;
  other.inputs = {f.ws->memory.pointer() + f.ws->inputOffsets[0]};
  other.outputs = {0, 0};
  for (int fill : {7, 7, 8, 8, 8}) {
    Expected<std::vector<uint64_t>> ran = gpu::runSchedule(
        f.loaded->plan, *f.exe, *f.ws, other, fill, /*graphs=*/true);
    ASSERT_TRUE(ran.ok()) << ran.status().toString();
  }
  EXPECT_EQ(f.device->captures, 2);
  EXPECT_EQ(f.ws->stats.captureFailures, 2u);

  GraphFixture g;
  g.device->failBeginCapture = true;
  for (int run = 0; run < 3; ++run)
    g.runAndCheck(randomInput(rng, GraphFixture::kN));
  EXPECT_EQ(g.ws->stats.captureFailures, 1u);
  EXPECT_EQ(g.ws->stats.plainRuns, 3u);
  EXPECT_NE(g.ws->stats.lastCaptureFailure.find("no capture today"),
            std::string::npos);
}

TEST(GpuGraphTest, ALaunchErrorIsReportedNotHidden) {
  GraphFixture f;
  std::mt19937 rng(7);
  f.runAndCheck(randomInput(rng, GraphFixture::kN));
  // The capturing run fails for a reason that is not about capturing: the
  // plain run after it reports the error.
  f.device->failLaunches = true;
  std::vector<float> a = randomInput(rng, GraphFixture::kN);
  Expected<std::vector<HostTensor>> out = gpu::executeEntry(
      f.loaded->plan, *f.exe, *f.ws,
      {TensorView(DType::F32, {GraphFixture::kN}, a.data())}, false, true);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().toString().find("function 'f': kernel 'scale_add'"),
            std::string::npos)
      << out.status().toString();
}

TEST(GpuGraphTest, GraphsAreOptional) {
  GraphFixture f;
  EXPECT_TRUE(gpu::useGraphs(*f.exe, InvokeOptions::Graphs::Default));
  EXPECT_TRUE(gpu::useGraphs(*f.exe, InvokeOptions::Graphs::On));
  EXPECT_FALSE(gpu::useGraphs(*f.exe, InvokeOptions::Graphs::Off));
  std::mt19937 rng(8);
  for (int run = 0; run < 3; ++run) {
    std::vector<float> a = randomInput(rng, GraphFixture::kN);
    ASSERT_TRUE(gpu::executeEntry(
                    f.loaded->plan, *f.exe, *f.ws,
                    {TensorView(DType::F32, {GraphFixture::kN}, a.data())},
                    false, /*graphs=*/false)
                    .ok());
  }
  EXPECT_EQ(f.ws->stats.plainRuns, 3u);
  EXPECT_EQ(f.device->captures, 0);

  // SSMRT_CUDA_GRAPHS=0 turns the default off; an unknown value is an error.
  std::string old;
  if (const char *value = std::getenv("SSMRT_CUDA_GRAPHS"))
    old = value;
  ::setenv("SSMRT_CUDA_GRAPHS", "0", 1);
  Expected<gpu::GpuExecutable> off =
      gpu::GpuExecutable::load(*f.loaded->view, f.device, f.loaded->constants);
  ASSERT_TRUE(off.ok()) << off.status().toString();
  EXPECT_FALSE(gpu::useGraphs(*off, InvokeOptions::Graphs::Default));
  EXPECT_TRUE(gpu::useGraphs(*off, InvokeOptions::Graphs::On));
  ::setenv("SSMRT_CUDA_GRAPHS", "sometimes", 1);
  Expected<gpu::GpuExecutable> bad =
      gpu::GpuExecutable::load(*f.loaded->view, f.device, f.loaded->constants);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(
                "SSMRT_CUDA_GRAPHS='sometimes': expected 1/on/true or "
                "0/off/false"),
            std::string::npos)
      << bad.status().toString();
  if (old.empty())
    ::unsetenv("SSMRT_CUDA_GRAPHS");
  else
    ::setenv("SSMRT_CUDA_GRAPHS", old.c_str(), 1);

  // A device without graphs never uses them.
  f.device->graphs = false;
  EXPECT_FALSE(gpu::useGraphs(*f.exe, InvokeOptions::Graphs::On));
}

TEST(GpuGraphTest, CallerBuffersInPlaceStagedAndChecked) {
  GraphFixture f;
  constexpr uint32_t n = GraphFixture::kN;
  HostDevice &device = *f.device;
  // Device buffers: the input at an aligned address and at a misaligned one
  // (staged into the workspace), the outputs likewise.
  Expected<uint64_t> in = device.allocate(n * 4 + 256);
  Expected<uint64_t> outC = device.allocate(n * 4 + 256);
  Expected<uint64_t> outK = device.allocate(16 + 256);
  ASSERT_TRUE(in.ok() && outC.ok() && outK.ok());
  auto aligned = [](uint64_t p) { return (p + 255) / 256 * 256; };
  std::mt19937 rng(9);
  for (int offset : {0, 4}) {
    SCOPED_TRACE(offset);
    uint64_t a = aligned(*in) + offset, c = aligned(*outC) + offset,
             k = aligned(*outK) + offset;
    for (int run = 0; run < 4; ++run) {
      std::vector<float> values = randomInput(rng, n);
      std::memcpy(reinterpret_cast<void *>(a), values.data(), n * 4);
      std::memset(reinterpret_cast<void *>(c), 0x55, n * 4);
      Status status = gpu::executeWithBuffers(
          f.loaded->plan, *f.exe, *f.ws,
          {TensorView(DType::F32, {n}, reinterpret_cast<void *>(a))},
          {TensorView(DType::F32, {n}, reinterpret_cast<void *>(c)),
           TensorView(DType::F32, {4}, reinterpret_cast<void *>(k))},
          run == 3, /*graphs=*/true);
      ASSERT_TRUE(status.ok()) << status.toString();
      const float *got = reinterpret_cast<const float *>(c);
      for (uint32_t i = 0; i < n; ++i)
        ASSERT_EQ(got[i], values[i] * GraphFixture::kS + kConstant[i % 4])
            << "element " << i << " run " << run;
      EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(k), kConstant, 16),
                0);
    }
  }
  // Each set of addresses was checked once (3 buffers, 2 sets).
  EXPECT_EQ(device.rangeChecks, 6);
  // Per address set: plain, capture, replay; then the poisoned run (a new
  // key: plain).
  EXPECT_EQ(f.ws->stats.graphCaptures, 2u);
  EXPECT_EQ(f.ws->stats.graphReplays, 2u);
  EXPECT_EQ(f.ws->stats.plainRuns, 4u);

  // Addresses that are not the device's: named.
  std::vector<float> host(n);
  Status wrong = gpu::executeWithBuffers(
      f.loaded->plan, *f.exe, *f.ws, {TensorView(DType::F32, {n}, host.data())},
      {TensorView(DType::F32, {n}, reinterpret_cast<void *>(aligned(*outC))),
       TensorView(DType::F32, {4}, reinterpret_cast<void *>(aligned(*outK)))},
      false, true);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.code(), StatusCode::InvalidArgument);
  EXPECT_NE(wrong.message().find(
                "function 'f': input 0 ('a') (1001xf32): not HostGPU memory"),
            std::string::npos)
      << wrong.toString();
  Status shortOut = gpu::executeWithBuffers(
      f.loaded->plan, *f.exe, *f.ws,
      {TensorView(DType::F32, {n}, reinterpret_cast<void *>(aligned(*in)))},
      {TensorView(DType::F32, {n}, reinterpret_cast<void *>(aligned(*outK))),
       TensorView(DType::F32, {4}, reinterpret_cast<void *>(aligned(*outK)))},
      false, true);
  EXPECT_NE(shortOut.message().find("output 0 ('c') (1001xf32)"),
            std::string::npos)
      << shortOut.toString();
  for (uint64_t p : {*in, *outC, *outK})
    ASSERT_TRUE(device.free(p).ok());
}

TEST(GpuGraphTest, KeepsAFewGraphsPerEntry) {
  GraphFixture f;
  constexpr uint32_t n = GraphFixture::kN;
  HostDevice &device = *f.device;
  std::vector<uint64_t> outs;
  Expected<uint64_t> in = device.allocate(n * 4);
  Expected<uint64_t> k = device.allocate(16);
  ASSERT_TRUE(in.ok() && k.ok());
  for (int i = 0; i < 10; ++i) {
    Expected<uint64_t> out = device.allocate(n * 4);
    ASSERT_TRUE(out.ok());
    outs.push_back(*out);
    for (int run = 0; run < 2; ++run)
      ASSERT_TRUE(
          gpu::executeWithBuffers(
              f.loaded->plan, *f.exe, *f.ws,
              {TensorView(DType::F32, {n}, reinterpret_cast<void *>(*in))},
              {TensorView(DType::F32, {n}, reinterpret_cast<void *>(*out)),
               TensorView(DType::F32, {4}, reinterpret_cast<void *>(*k))},
              false, true)
              .ok());
  }
  EXPECT_EQ(f.ws->stats.graphCaptures, 10u);
  EXPECT_EQ(device.liveGraphs, 8); // the least recently used dropped
  f.ws.reset();
  for (uint64_t p : outs)
    ASSERT_TRUE(device.free(p).ok());
  ASSERT_TRUE(device.free(*in).ok());
  ASSERT_TRUE(device.free(*k).ok());
}

} // namespace
} // namespace ssmrt
