//===- module_test.cpp - Loading and invoking modules on the CPU ----------===//
//
// Part of the ssmc project. End-to-end: the test kernel library embedded in
// an .ssmb, loaded through the CPU driver, run by the schedule executor.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"
#include "ssmrt/npy.h"

#include "kernel_artifacts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <unistd.h>

namespace ssmrt {
namespace {

using format::DType;
using Bytes = std::vector<uint8_t>;

const Bytes &kernelBytes() {
  static const Bytes bytes = [] {
    Expected<Bytes> b = test::readFileBytes(test::testKernelsPath());
    if (!b.ok()) {
      ADD_FAILURE() << b.status().toString();
      return Bytes();
    }
    return std::move(*b);
  }();
  return bytes;
}

const Bytes &testModuleBytes() {
  static const Bytes bytes = [] {
    Expected<Bytes> b = test::buildTestModule(kernelBytes());
    if (!b.ok()) {
      ADD_FAILURE() << b.status().toString();
      return Bytes();
    }
    return std::move(*b);
  }();
  return bytes;
}

std::string tempPath(const std::string &name) {
  const char *dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/ssmrt-module-test-" +
         std::to_string(::getpid()) + "-" + name;
}

class ModuleTest : public ::testing::Test {
protected:
  void SetUp() override {
    InstanceOptions options;
    options.numThreads = 4;
    Expected<Instance> instance = Instance::create(options);
    ASSERT_TRUE(instance.ok()) << instance.status().toString();
    instance_.emplace(std::move(*instance));
    Expected<Device> cpu = instance_->openDevice("cpu");
    ASSERT_TRUE(cpu.ok()) << cpu.status().toString();
    device_ = *cpu;
    Expected<Module> module =
        Module::loadFromMemory(device_, testModuleBytes());
    ASSERT_TRUE(module.ok()) << module.status().toString();
    module_.emplace(std::move(*module));
  }

  std::optional<Instance> instance_;
  Device device_;
  std::optional<Module> module_;
};

std::vector<float> randomFloats(std::mt19937 &rng, size_t n) {
  std::uniform_real_distribution<float> dist(-100.0f, 100.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

TEST_F(ModuleTest, FunctionsAndSignatures) {
  EXPECT_EQ(
      module_->functions(),
      (std::vector<std::string>{"add", "add_big", "add_offset", "scale",
                                "affine", "concat", "mark", "sum", "negate"}));
  Expected<FunctionSignature> sig = module_->signature("concat");
  ASSERT_TRUE(sig.ok());
  ASSERT_EQ(sig->inputs.size(), 2u);
  EXPECT_EQ(sig->inputs[0].name, "x");
  EXPECT_EQ(sig->inputs[0].dtype, DType::F32);
  EXPECT_EQ(sig->inputs[0].dims, (std::vector<int64_t>{3}));
  ASSERT_EQ(sig->outputs.size(), 2u);
  EXPECT_EQ(sig->outputs[0].typeString(), "5xf32");
  EXPECT_EQ(sig->toString(),
            "concat(x: 3xf32, y: 2xf32) -> (xy: 5xf32, x_again: 3xf32)");
  EXPECT_EQ(module_->compilerVersion(), "ssmc test");
  EXPECT_EQ(module_->path(), "");
  EXPECT_EQ(module_->device().name(), "cpu");

  Expected<FunctionSignature> missing = module_->signature("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::InvalidArgument);
  EXPECT_NE(missing.status().message().find("available functions: add, "),
            std::string::npos);
}

TEST_F(ModuleTest, AddMatchesFloat64Reference) {
  std::mt19937 rng(1);
  for (int round = 0; round < 10; ++round) {
    std::vector<float> a = randomFloats(rng, 4), b = randomFloats(rng, 4);
    Expected<std::vector<HostTensor>> out =
        module_->invoke("add", {TensorView(DType::F32, {4}, a.data()),
                                TensorView(DType::F32, {4}, b.data())});
    ASSERT_TRUE(out.ok()) << out.status().toString();
    ASSERT_EQ(out->size(), 1u);
    const HostTensor &sum = (*out)[0];
    EXPECT_EQ(sum.dtype(), DType::F32);
    EXPECT_EQ(sum.dims(), (std::vector<int64_t>{4}));
    EXPECT_TRUE(sum.ownsData());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(sum.data()) % 64, 0u);
    for (size_t i = 0; i < 4; ++i) {
      double expected = double(a[i]) + double(b[i]);
      EXPECT_EQ(sum.dataAs<float>()[i], static_cast<float>(expected));
    }
  }
}

TEST_F(ModuleTest, MultiTileLaunchSplitsAcrossThreads) {
  std::mt19937 rng(2);
  std::vector<float> a = randomFloats(rng, 1000), b = randomFloats(rng, 1000);
  Expected<std::vector<HostTensor>> out =
      module_->invoke("add_big", {TensorView(DType::F32, {1000}, a.data()),
                                  TensorView(DType::F32, {1000}, b.data())});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  for (size_t i = 0; i < 1000; ++i)
    ASSERT_EQ((*out)[0].dataAs<float>()[i],
              static_cast<float>(double(a[i]) + double(b[i])))
        << i;
}

TEST_F(ModuleTest, EveryTileRunsExactlyOnce) {
  for (int round = 0; round < 5; ++round) {
    Expected<std::vector<HostTensor>> out = module_->invoke("mark", {});
    ASSERT_TRUE(out.ok()) << out.status().toString();
    const HostTensor &counts = (*out)[0];
    ASSERT_EQ(counts.elementCount(), 1000u);
    for (size_t t = 0; t < 1000; ++t)
      ASSERT_EQ(counts.dataAs<int32_t>()[t], 1) << "tile " << t;
    // 1000 tiles on a pool of 4: 4 contiguous chunks, one call each.
    EXPECT_EQ((*out)[1].dataAs<int64_t>()[0], 4);
  }
}

TEST(ModuleThreadsTest, OneThreadMeansOneCall) {
  InstanceOptions options;
  options.numThreads = 1;
  Expected<Instance> instance = Instance::create(options);
  ASSERT_TRUE(instance.ok());
  EXPECT_EQ(instance->numThreads(), 1u);
  Expected<Device> cpu = instance->openDevice("cpu");
  ASSERT_TRUE(cpu.ok());
  Expected<Module> module = Module::loadFromMemory(*cpu, testModuleBytes());
  ASSERT_TRUE(module.ok());
  Expected<std::vector<HostTensor>> out = module->invoke("mark", {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[1].dataAs<int64_t>()[0], 1);
  for (size_t t = 0; t < 1000; ++t)
    ASSERT_EQ((*out)[0].dataAs<int32_t>()[t], 1);
}

TEST(ModuleThreadsTest, EnvironmentSetsThreadCount) {
  const char *old = std::getenv("SSMRT_NUM_THREADS");
  std::string saved = old ? old : "";
  ::setenv("SSMRT_NUM_THREADS", "3", 1);
  Expected<Instance> three = Instance::create();
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->numThreads(), 3u);
  InstanceOptions explicitTwo;
  explicitTwo.numThreads = 2;
  EXPECT_EQ(Instance::create(explicitTwo)->numThreads(), 2u);
  for (const char *bad : {"zero", "0", "-1", "3x", "100000"}) {
    ::setenv("SSMRT_NUM_THREADS", bad, 1);
    Expected<Instance> instance = Instance::create();
    ASSERT_FALSE(instance.ok()) << bad;
    EXPECT_EQ(instance.status().code(), StatusCode::InvalidArgument);
    EXPECT_NE(instance.status().message().find("SSMRT_NUM_THREADS"),
              std::string::npos);
  }
  if (old)
    ::setenv("SSMRT_NUM_THREADS", saved.c_str(), 1);
  else
    ::unsetenv("SSMRT_NUM_THREADS");
  Expected<Instance> fallback = Instance::create();
  ASSERT_TRUE(fallback.ok());
  if (!old) {
    EXPECT_EQ(fallback->numThreads(),
              std::max<size_t>(1, std::thread::hardware_concurrency()));
  }
}

TEST_F(ModuleTest, ScalarArgumentAndGrid) {
  float x[6] = {1, -2, 3.5f, 0, 1e-3f, 100};
  Expected<std::vector<HostTensor>> out =
      module_->invoke("scale", {TensorView(DType::F32, {2, 3}, x)});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 3}));
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ((*out)[0].dataAs<float>()[i], x[i] * 2.5f);
}

TEST_F(ModuleTest, LaunchBufferOffset) {
  float a[8] = {0, 0, 0, 0, 1, 2, 3, 4},
        b[8] = {10, 20, 30, 40, -1, -1, -1, -1};
  Expected<std::vector<HostTensor>> out =
      module_->invoke("add_offset", {TensorView(DType::F32, {8}, a),
                                     TensorView(DType::F32, {8}, b)});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  const float *y = (*out)[0].dataAs<float>();
  EXPECT_EQ(y[0], 11);
  EXPECT_EQ(y[3], 44);
}

TEST_F(ModuleTest, ConstantsAllocFreeAndReuse) {
  std::mt19937 rng(3);
  std::vector<float> x = randomFloats(rng, 256);
  for (int round = 0; round < 3; ++round) { // arenas are reused
    Expected<std::vector<HostTensor>> out =
        module_->invoke("affine", {TensorView(DType::F32, {256}, x.data())});
    ASSERT_TRUE(out.ok()) << out.status().toString();
    for (size_t i = 0; i < 256; ++i) {
      float w = 0.5f + float(i) / 256.0f, c = float(i);
      ASSERT_EQ((*out)[0].dataAs<float>()[i], x[i] * w + c) << i;
    }
  }
  Expected<MemoryPlan> plan = module_->memoryPlan("affine");
  ASSERT_TRUE(plan.ok()) << plan.status().toString();
  // Live: w(1024) + t(1024) + c(1024) + y(1024) with w freed before c.
  EXPECT_EQ(plan->peakBytes, 3072u);
  EXPECT_EQ(*module_->peakBytes("affine"), 3072u);
  EXPECT_EQ(plan->arenaBytes, 2048u); // c reuses w's storage
  EXPECT_EQ(plan->outputBytes, 1024u);
  EXPECT_EQ(plan->allocations, 4u);
  EXPECT_EQ(plan->reusedAllocations, 1u);
}

TEST_F(ModuleTest, CopiesAndInputPassThrough) {
  float x[3] = {1, 2, 3}, y[2] = {4, 5};
  Expected<std::vector<HostTensor>> out =
      module_->invoke("concat", {TensorView(DType::F32, {3}, x),
                                 TensorView(DType::F32, {2}, y)});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  ASSERT_EQ(out->size(), 2u);
  const float *xy = (*out)[0].dataAs<float>();
  EXPECT_EQ(std::vector<float>(xy, xy + 5),
            (std::vector<float>{1, 2, 3, 4, 5}));
  const HostTensor &again = (*out)[1];
  EXPECT_TRUE(again.ownsData());
  EXPECT_NE(again.data(), static_cast<const void *>(x)); // a copy
  EXPECT_EQ(
      std::vector<float>(again.dataAs<float>(), again.dataAs<float>() + 3),
      (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(*module_->peakBytes("concat"), 20u);
}

TEST_F(ModuleTest, Float64Reduction) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> dist(-1, 1);
  std::vector<double> x(100);
  double expected = 0;
  for (double &v : x) {
    v = dist(rng);
    expected += v;
  }
  Expected<std::vector<HostTensor>> out =
      module_->invoke("sum", {TensorView(DType::F64, {100}, x.data())});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_DOUBLE_EQ((*out)[0].dataAs<double>()[0], expected);
}

TEST_F(ModuleTest, ParallelForHookIsInstalled) {
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i);
  Expected<std::vector<HostTensor>> out =
      module_->invoke("negate", {TensorView(DType::F32, {1000}, x.data())});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  for (size_t i = 0; i < 1000; ++i)
    ASSERT_EQ((*out)[0].dataAs<float>()[i], -float(i));
  const int64_t *info = (*out)[1].dataAs<int64_t>();
  EXPECT_EQ(info[0], 1); // hook installed
  EXPECT_EQ(info[1], 4); // split across the pool of 4
}

TEST_F(ModuleTest, UnalignedInputsAreHandled) {
  std::vector<uint8_t> storage(4 * 4 + 2);
  float a[4] = {1, 2, 3, 4}, b[4] = {1, 1, 1, 1};
  std::memcpy(storage.data() + 1, a, sizeof(a)); // misaligned for float
  Expected<std::vector<HostTensor>> out =
      module_->invoke("add", {TensorView(DType::F32, {4}, storage.data() + 1),
                              TensorView(DType::F32, {4}, b)});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ((*out)[0].dataAs<float>()[3], 5.0f);
}

TEST_F(ModuleTest, ConcurrentInvocations) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(uint32_t(100 + t));
      for (int round = 0; round < 25; ++round) {
        std::vector<float> x = randomFloats(rng, 256);
        Expected<std::vector<HostTensor>> out = module_->invoke(
            "affine", {TensorView(DType::F32, {256}, x.data())});
        if (!out.ok()) {
          failures++;
          continue;
        }
        for (size_t i = 0; i < 256; ++i)
          if ((*out)[0].dataAs<float>()[i] !=
              x[i] * (0.5f + float(i) / 256.0f) + float(i))
            failures++;
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(ModuleTest, LoadFromFile) {
  std::string path = tempPath("module.ssmb");
  ASSERT_TRUE(test::writeFileBytes(path, testModuleBytes()).ok());
  Expected<Module> module = Module::load(device_, path);
  ASSERT_TRUE(module.ok()) << module.status().toString();
  EXPECT_EQ(module->path(), path);
  float a[4] = {1, 2, 3, 4};
  Expected<std::vector<HostTensor>> out = module->invoke(
      "add", {TensorView(DType::F32, {4}, a), TensorView(DType::F32, {4}, a)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].dataAs<float>()[3], 8.0f);
  ::unlink(path.c_str());

  Expected<Module> missing = Module::load(device_, path);
  EXPECT_EQ(missing.status().code(), StatusCode::NotFound);
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
}

TEST_F(ModuleTest, ModulesOutliveTheirInstance) {
  Expected<Module> module = Module::loadFromMemory(device_, testModuleBytes());
  ASSERT_TRUE(module.ok());
  instance_.reset();
  device_ = Device();
  Expected<std::vector<HostTensor>> out = module->invoke("mark", {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[1].dataAs<int64_t>()[0], 4);
}

TEST_F(ModuleTest, ManyModulesAtOnceStayIndependent) {
  // Each load is its own dlopen (a distinct memfd), so the hook and the
  // kernels of one module never alias another's.
  std::vector<Module> modules;
  for (int i = 0; i < 8; ++i) {
    Expected<Module> m = Module::loadFromMemory(device_, testModuleBytes());
    ASSERT_TRUE(m.ok()) << m.status().toString();
    modules.push_back(std::move(*m));
  }
  modules.erase(modules.begin() + 2, modules.begin() + 5);
  for (int i = 0; i < 3; ++i) {
    Expected<Module> m = Module::loadFromMemory(device_, testModuleBytes());
    ASSERT_TRUE(m.ok());
    modules.push_back(std::move(*m));
  }
  for (Module &m : modules) {
    Expected<std::vector<HostTensor>> out = m.invoke("mark", {});
    ASSERT_TRUE(out.ok());
    EXPECT_EQ((*out)[1].dataAs<int64_t>()[0], 4);
  }
}

//===----------------------------------------------------------------------===//
// Input validation
//===----------------------------------------------------------------------===//

void expectInvalid(const Expected<std::vector<HostTensor>> &result,
                   const std::string &fragment) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << fragment;
  EXPECT_EQ(result.status().code(), StatusCode::InvalidArgument)
      << result.status().toString();
  EXPECT_NE(result.status().message().find(fragment), std::string::npos)
      << result.status().toString() << "\n  expected: " << fragment;
}

TEST_F(ModuleTest, RejectsBadInputs) {
  float a[8] = {}, b[8] = {};
  TensorView ok(DType::F32, {4}, a);
  expectInvalid(module_->invoke("ad", {ok, ok}),
                "unknown function 'ad' (available functions: add, add_big, "
                "add_offset, scale, affine, concat, mark, sum, negate)");
  expectInvalid(module_->invoke("add", {ok}),
                "function 'add' expects 2 inputs, got 1 (signature: "
                "add(a: 4xf32, b: 4xf32) -> (sum: 4xf32))");
  expectInvalid(module_->invoke("add", {ok, ok, ok}),
                "expects 2 inputs, got 3");
  expectInvalid(
      module_->invoke("add", {ok, TensorView(DType::F16, {4}, b)}),
      "function 'add': input 1 ('b'): expected element type f32, got f16 "
      "(expected 4xf32, got 4xf16)");
  expectInvalid(module_->invoke("add", {TensorView(DType::F32, {2, 2}, a), ok}),
                "input 0 ('a'): expected rank 1, got rank 2 (expected 4xf32, "
                "got 2x2xf32)");
  expectInvalid(module_->invoke("add", {ok, TensorView(DType::F32, {8}, b)}),
                "input 1 ('b'): dimension 0 is 8, expected 4 (expected 4xf32, "
                "got 8xf32)");
  expectInvalid(
      module_->invoke("add", {ok, TensorView(DType::F32, {4}, nullptr)}),
      "input 1 ('b') (4xf32): data pointer is null");
  expectInvalid(
      module_->invoke("add", {ok, TensorView(static_cast<DType>(42), {4}, b)}),
      "input 1 ('b'): invalid dtype value 42");
}

//===----------------------------------------------------------------------===//
// invokeWithBuffers on the CPU: caller buffers are host memory
//===----------------------------------------------------------------------===//

void expectInvalidStatus(const Status &status, const std::string &fragment) {
  ASSERT_FALSE(status.ok()) << "expected an error containing: " << fragment;
  EXPECT_EQ(status.code(), StatusCode::InvalidArgument) << status.toString();
  EXPECT_NE(status.message().find(fragment), std::string::npos)
      << status.toString() << "\n  expected: " << fragment;
}

TEST_F(ModuleTest, InvokeWithBuffersWritesInPlace) {
  std::mt19937 rng(21);
  std::vector<float> x = randomFloats(rng, 256);
  Expected<std::vector<HostTensor>> expected =
      module_->invoke("affine", {TensorView(DType::F32, {256}, x.data())});
  ASSERT_TRUE(expected.ok()) << expected.status().toString();
  for (bool poison : {false, true}) {
    std::vector<float> y(256, 7.0f);
    InvokeOptions options;
    options.poisonOutputs = poison;
    Status status = module_->invokeWithBuffers(
        "affine", {TensorView(DType::F32, {256}, x.data())},
        {TensorView(DType::F32, {256}, y.data())}, options);
    ASSERT_TRUE(status.ok()) << status.toString();
    EXPECT_EQ(std::memcmp(y.data(), (*expected)[0].data(), 256 * 4), 0);
  }
  // Executions on the CPU are not GPU runs.
  Expected<ExecutionStats> stats = module_->executionStats("affine");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->plainRuns + stats->graphCaptures + stats->graphReplays, 0u);
  EXPECT_EQ(module_->executionStats("nope").status().code(),
            StatusCode::InvalidArgument);
}

TEST_F(ModuleTest, InvokeWithBuffersCopiesPassThroughAndMisalignedOutputs) {
  float x[3] = {1, 2, 3}, y[2] = {4, 5};
  // Output 0 at a misaligned address: computed aside, then copied in.
  alignas(16) char storage[5 * 4 + 1];
  float *xy = reinterpret_cast<float *>(storage + 1);
  float again[3] = {0, 0, 0};
  Status status = module_->invokeWithBuffers(
      "concat",
      {TensorView(DType::F32, {3}, x), TensorView(DType::F32, {2}, y)},
      {TensorView(DType::F32, {5}, xy), TensorView(DType::F32, {3}, again)});
  ASSERT_TRUE(status.ok()) << status.toString();
  float got[5];
  std::memcpy(got, xy, sizeof got);
  EXPECT_EQ(std::vector<float>(got, got + 5),
            (std::vector<float>{1, 2, 3, 4, 5}));
  EXPECT_EQ(std::vector<float>(again, again + 3),
            (std::vector<float>{1, 2, 3}));
}

TEST_F(ModuleTest, InvokeWithBuffersRejectsBadBuffers) {
  float a[4] = {}, b[4] = {}, c[8] = {};
  TensorView va(DType::F32, {4}, a), vb(DType::F32, {4}, b);
  TensorView out(DType::F32, {4}, c);
  EXPECT_TRUE(module_->invokeWithBuffers("add", {va, vb}, {out}).ok());
  expectInvalidStatus(module_->invokeWithBuffers("add", {va, vb}, {}),
                      "function 'add' has 1 output, got 0 (signature: add(a: "
                      "4xf32, b: 4xf32) -> (sum: 4xf32))");
  expectInvalidStatus(module_->invokeWithBuffers("add", {va}, {out}),
                      "function 'add' expects 2 inputs, got 1");
  expectInvalidStatus(
      module_->invokeWithBuffers("add", {va, vb},
                                 {TensorView(DType::BF16, {4}, c)}),
      "function 'add': output 0 ('sum'): expected element type f32, got bf16 "
      "(expected 4xf32, got 4xbf16)");
  expectInvalidStatus(module_->invokeWithBuffers(
                          "add", {va, vb}, {TensorView(DType::F32, {2, 2}, c)}),
                      "output 0 ('sum'): expected rank 1, got rank 2");
  expectInvalidStatus(module_->invokeWithBuffers(
                          "add", {va, vb}, {TensorView(DType::F32, {8}, c)}),
                      "output 0 ('sum'): dimension 0 is 8, expected 4");
  expectInvalidStatus(
      module_->invokeWithBuffers("add", {va, vb},
                                 {TensorView(DType::F32, {4}, nullptr)}),
      "output 0 ('sum') (4xf32): data pointer is null");
  expectInvalidStatus(
      module_->invokeWithBuffers("add", {va, vb},
                                 {TensorView(DType::F32, {4}, b + 2)}),
      "function 'add': output 0 overlaps input 1: outputs cannot be written "
      "over inputs");
  float x[3] = {1, 2, 3}, y[2] = {4, 5};
  expectInvalidStatus(
      module_->invokeWithBuffers(
          "concat",
          {TensorView(DType::F32, {3}, x), TensorView(DType::F32, {2}, y)},
          {TensorView(DType::F32, {5}, c), TensorView(DType::F32, {3}, c + 4)}),
      "function 'concat': output 1 overlaps output 0: each output needs a "
      "buffer of its own");
  // Inputs may share memory; an output over two inputs is reported against
  // the one reaching furthest, and inputs given out of address order are
  // swept in address order.
  float wide[12] = {};
  EXPECT_TRUE(module_->invokeWithBuffers("add", {va, va}, {out}).ok());
  expectInvalidStatus(
      module_->invokeWithBuffers(
          "add",
          {TensorView(DType::F32, {4}, wide), TensorView(DType::F32, {4}, wide + 1)},
          {TensorView(DType::F32, {4}, wide + 3)}),
      "function 'add': output 0 overlaps input 1: outputs cannot be written "
      "over inputs");
  expectInvalidStatus(
      module_->invokeWithBuffers(
          "add",
          {TensorView(DType::F32, {4}, wide + 8), TensorView(DType::F32, {4}, wide)},
          {TensorView(DType::F32, {4}, wide + 2)}),
      "function 'add': output 0 overlaps input 1: outputs cannot be written "
      "over inputs");
  Status unknown = module_->invokeWithBuffers("ad", {va, vb}, {out});
  EXPECT_EQ(unknown.code(), StatusCode::InvalidArgument);
}

//===----------------------------------------------------------------------===//
// Devices and loading errors
//===----------------------------------------------------------------------===//

TEST(DeviceTest, OnlyTheCpuIsAvailable) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  EXPECT_TRUE(instance->openDevice("cpu").ok());
  EXPECT_TRUE(instance->openDevice("cpu:0").ok());
  std::vector<std::string> expected = {"cpu"};
#if SSMRT_HAVE_CUDA
  expected.push_back("cuda");
#endif
#if SSMRT_HAVE_HIP
  expected.push_back("hip");
#endif
  EXPECT_EQ(Instance::availableDevices(), expected);
  // With a driver built in, 'cuda' / 'hip' are covered by
  // cuda_module_test.cpp / hip_module_test.cpp.
#if !SSMRT_HAVE_CUDA && !SSMRT_HAVE_HIP
  Expected<Device> cuda = instance->openDevice("cuda:0");
  ASSERT_FALSE(cuda.ok());
  EXPECT_EQ(cuda.status().code(), StatusCode::Unavailable);
  EXPECT_EQ(cuda.status().message(),
            "device 'cuda:0' is not available: this runtime was built without "
            "the CUDA driver (available devices: cpu)");
#endif
#if !SSMRT_HAVE_HIP
  Expected<Device> hip = instance->openDevice("hip");
  EXPECT_EQ(hip.status().code(), StatusCode::Unavailable);
  EXPECT_NE(hip.status().message().find("built without the HIP driver"),
            std::string::npos)
      << hip.status().toString();
#endif
  Expected<Device> tpu = instance->openDevice("tpu");
  EXPECT_EQ(tpu.status().code(), StatusCode::InvalidArgument);
  EXPECT_NE(tpu.status().message().find("unknown device 'tpu'"),
            std::string::npos);
  EXPECT_EQ(instance->openDevice("cpu:1").status().code(),
            StatusCode::InvalidArgument);

  Expected<Module> noDevice =
      Module::loadFromMemory(Device(), testModuleBytes());
  EXPECT_EQ(noDevice.status().code(), StatusCode::InvalidArgument);
}

class LoadErrorTest : public ::testing::Test {
protected:
  void SetUp() override {
    Expected<Instance> instance = Instance::create();
    ASSERT_TRUE(instance.ok());
    device_ = *instance->openDevice("cpu");
  }
  Device device_;
};

TEST_F(LoadErrorTest, CorruptArtifact) {
  Bytes bytes = testModuleBytes();
  bytes[bytes.size() / 2] ^= 0x40;
  Expected<Module> m = Module::loadFromMemory(device_, bytes);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::DataLoss);
  EXPECT_EQ(Module::loadFromMemory(device_, Bytes{1, 2, 3}).status().code(),
            StatusCode::DataLoss);
}

TEST_F(LoadErrorTest, CorruptSharedObjectIsADlopenError) {
  Bytes garbage(4096, 0xAB);
  format::ModuleBuilder b("t");
  test::addTestKernels(b, garbage);
  Expected<Bytes> bytes = b.finish();
  ASSERT_TRUE(bytes.ok());
  Expected<Module> m = Module::loadFromMemory(device_, *bytes);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::FailedPrecondition);
  const std::string &msg = m.status().message();
  EXPECT_NE(msg.find("kernel object 0 (Cpu/So, chip 'x86_64', 4096 bytes): "
                     "dlopen failed: "),
            std::string::npos)
      << msg;
  // dlerror() text, e.g. "/proc/self/fd/7: invalid ELF header".
  EXPECT_NE(msg.find("ELF"), std::string::npos) << msg;

  // A truncated library.
  Bytes half(kernelBytes().begin(), kernelBytes().begin() + 512);
  format::ModuleBuilder t("t");
  test::addTestKernels(t, half);
  Expected<Module> truncated = Module::loadFromMemory(device_, *t.finish());
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("dlopen failed"),
            std::string::npos);
}

TEST_F(LoadErrorTest, MissingSymbolIsNamed) {
  format::ModuleBuilder b("t");
  uint32_t obj =
      b.addKernelObject(format::TargetKind::Cpu, format::BinaryFormat::So,
                        "x86_64", kernelBytes().data(), kernelBytes().size());
  b.addKernel("add_f32", obj, {1, 1, 1}, 0, {format::bufferArg()});
  b.addKernel("no_such_kernel", obj, {1, 1, 1}, 0, {format::bufferArg()});
  Expected<Bytes> bytes = b.finish();
  ASSERT_TRUE(bytes.ok());
  Expected<Module> m = Module::loadFromMemory(device_, *bytes);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::NotFound);
  EXPECT_NE(m.status().message().find("kernel 1 'no_such_kernel': symbol "
                                      "'no_such_kernel' not found"),
            std::string::npos)
      << m.status().toString();
  EXPECT_NE(m.status().message().find("in kernel object 0"), std::string::npos);
}

TEST_F(LoadErrorTest, GpuArtifactOnTheCpu) {
  format::ModuleBuilder b("t");
  const char ptx[] = ".version 8.0\n";
  b.addKernelObject(format::TargetKind::Nvptx, format::BinaryFormat::Ptx,
                    "sm_90", ptx, sizeof(ptx));
  Expected<Bytes> bytes = b.finish();
  ASSERT_TRUE(bytes.ok());
  Expected<Module> m = Module::loadFromMemory(device_, *bytes);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::FailedPrecondition);
  EXPECT_NE(m.status().message().find("device 'cpu' runs only Cpu/So"),
            std::string::npos)
      << m.status().toString();
}

TEST_F(LoadErrorTest, FileErrorsCarryThePath) {
  std::string path = tempPath("corrupt.ssmb");
  Bytes bytes = testModuleBytes();
  bytes.resize(bytes.size() - 10);
  ASSERT_TRUE(test::writeFileBytes(path, bytes).ok());
  Expected<Module> m = Module::load(device_, path);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::DataLoss);
  EXPECT_NE(m.status().message().find("'" + path + "': truncated"),
            std::string::npos)
      << m.status().toString();
  ::unlink(path.c_str());
}

} // namespace
} // namespace ssmrt
