//===- cuda_graph_test.cpp - CUDA graphs and device buffers on a GPU ------===//
//
// Part of the ssmc project. Compiled modules (ssm-compile --target=nvptx; the
// directory $SSMRT_TEST_GPU_ARTIFACTS, filled by
// bench/gpu/make_runtime_gpu_artifacts.sh) run on a CUDA device with CUDA
// graphs on and off: every graph run (captured, then replayed, with new
// inputs each time and with poisoned outputs) must give the bytes of a plain
// run on the same inputs, and the graphs must really be captured and
// replayed. Also the device-buffer API's checks on a real GPU (host memory
// passed as device memory). Without a CUDA device or without the artifacts
// the cases skip, saying why; bench/gpu/run_runtime_gpu_tests.sh runs them
// on the GPU machine.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <random>
#include <string>
#include <vector>

namespace ssmrt {
namespace {

/// The .ssmb files of $SSMRT_TEST_GPU_ARTIFACTS (sorted), or a skip reason.
std::vector<std::string> gpuArtifacts(std::string *why) {
  const char *dir = std::getenv("SSMRT_TEST_GPU_ARTIFACTS");
  if (!dir || !*dir) {
    *why = "SSMRT_TEST_GPU_ARTIFACTS is not set (nvptx .ssmb files from "
           "bench/gpu/make_runtime_gpu_artifacts.sh)";
    return {};
  }
  std::vector<std::string> files;
  if (DIR *d = ::opendir(dir)) {
    while (dirent *e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 5 && name.substr(name.size() - 5) == ".ssmb")
        files.push_back(std::string(dir) + "/" + name);
    }
    ::closedir(d);
  }
  std::sort(files.begin(), files.end());
  if (files.empty())
    *why = std::string("no .ssmb files in ") + dir;
  return files;
}

/// Random inputs for a signature: floats in [-0.5, 0.5), integers 0/1.
std::vector<HostTensor> randomInputs(const FunctionSignature &sig,
                                     std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  std::vector<HostTensor> inputs;
  for (const TensorDesc &desc : sig.inputs) {
    Expected<HostTensor> t = HostTensor::allocate(desc.dtype, desc.dims);
    EXPECT_TRUE(t.ok());
    uint64_t n = desc.elementCount();
    uint8_t *data = static_cast<uint8_t *>(t->data());
    for (uint64_t i = 0; i < n; ++i) {
      float v = dist(rng);
      switch (desc.dtype) {
      case DType::F32:
        std::memcpy(data + 4 * i, &v, 4);
        break;
      case DType::BF16:
      case DType::F16: {
        // bf16: the top half of the f32; f16: a small exact value.
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        uint16_t half = desc.dtype == DType::BF16
                            ? uint16_t(bits >> 16)
                            : uint16_t(0x3800 + (rng() & 0x3ff));
        std::memcpy(data + 2 * i, &half, 2);
        break;
      }
      default:
        std::memset(data + dtypeByteSize(desc.dtype) * i, int(rng() & 1), 1);
        break;
      }
    }
    inputs.push_back(std::move(*t));
  }
  return inputs;
}

std::vector<TensorView> views(const std::vector<HostTensor> &tensors) {
  std::vector<TensorView> out;
  for (const HostTensor &t : tensors)
    out.push_back(t.view());
  return out;
}

/// Runs `function` once with `options`; the outputs' bytes.
std::vector<std::vector<uint8_t>> run(const Module &module,
                                      const std::string &function,
                                      const std::vector<HostTensor> &inputs,
                                      const InvokeOptions &options) {
  Expected<std::vector<HostTensor>> out =
      module.invoke(function, views(inputs), options);
  EXPECT_TRUE(out.ok()) << out.status().toString();
  std::vector<std::vector<uint8_t>> bytes;
  if (out.ok())
    for (const HostTensor &t : *out) {
      const uint8_t *p = static_cast<const uint8_t *>(t.data());
      bytes.emplace_back(p, p + t.byteSize());
    }
  return bytes;
}

TEST(CudaGraphTest, ReplaysMatchPlainLaunches) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> device = instance->openDevice("cuda");
  if (!device.ok())
    GTEST_SKIP() << "no CUDA device here: " << device.status().toString();
  std::string why;
  std::vector<std::string> files = gpuArtifacts(&why);
  if (files.empty())
    GTEST_SKIP() << why;
  for (const std::string &path : files) {
    SCOPED_TRACE(path);
    Expected<Module> module = Module::load(*device, path);
    ASSERT_TRUE(module.ok()) << module.status().toString();
    for (const std::string &function : module->functions()) {
      SCOPED_TRACE(function);
      Expected<FunctionSignature> sig = module->signature(function);
      ASSERT_TRUE(sig.ok());
      std::mt19937 rng(17);
      std::vector<std::vector<HostTensor>> sets;
      for (int k = 0; k < 3; ++k)
        sets.push_back(randomInputs(*sig, rng));
      InvokeOptions plain;
      plain.graphs = InvokeOptions::Graphs::Off;
      plain.poisonOutputs = true;
      std::vector<std::vector<std::vector<uint8_t>>> expected;
      for (const auto &set : sets)
        expected.push_back(run(*module, function, set, plain));
      // Plain runs must be deterministic for a byte comparison.
      ASSERT_EQ(run(*module, function, sets[0], plain), expected[0])
          << "two plain runs differ: the kernels are not deterministic";
      Expected<ExecutionStats> before = module->executionStats(function);
      ASSERT_TRUE(before.ok());

      // Graphs: plain first run, capture, then replays; new inputs each
      // time (uploaded into the same device buffers), poisoned or not.
      InvokeOptions graphs;
      graphs.graphs = InvokeOptions::Graphs::On;
      for (bool poison : {true, false}) {
        graphs.poisonOutputs = poison;
        for (int k : {0, 1, 2, 0, 2}) {
          SCOPED_TRACE(testing::Message()
                       << "poison " << poison << " set " << k);
          EXPECT_EQ(run(*module, function, sets[size_t(k)], graphs),
                    expected[size_t(k)]);
        }
      }
      Expected<ExecutionStats> stats = module->executionStats(function);
      ASSERT_TRUE(stats.ok());
      EXPECT_EQ(stats->captureFailures, 0u) << stats->lastCaptureFailure;
      EXPECT_EQ(stats->graphCaptures - before->graphCaptures, 2u);
      EXPECT_EQ(stats->graphReplays - before->graphReplays, 6u);
      std::printf("[ graphs   ] %s %s: %llu plain, %llu captured, %llu "
                  "replayed\n",
                  path.c_str(), function.c_str(),
                  (unsigned long long)stats->plainRuns,
                  (unsigned long long)stats->graphCaptures,
                  (unsigned long long)stats->graphReplays);

      // Timing through graphs and without: both work.
      for (InvokeOptions::Graphs mode :
           {InvokeOptions::Graphs::Off, InvokeOptions::Graphs::On}) {
        InvokeOptions options;
        options.graphs = mode;
        Expected<std::vector<double>> ms =
            module->time(function, views(sets[0]), 3, 5, options);
        ASSERT_TRUE(ms.ok()) << ms.status().toString();
        EXPECT_EQ(ms->size(), 5u);
      }
    }
  }
}

TEST(CudaGraphTest, DeviceBuffersMustBeDeviceMemory) {
  Expected<Instance> instance = Instance::create();
  ASSERT_TRUE(instance.ok());
  Expected<Device> device = instance->openDevice("cuda");
  if (!device.ok())
    GTEST_SKIP() << "no CUDA device here: " << device.status().toString();
  std::string why;
  std::vector<std::string> files = gpuArtifacts(&why);
  if (files.empty())
    GTEST_SKIP() << why;
  Expected<Module> module = Module::load(*device, files[0]);
  ASSERT_TRUE(module.ok()) << module.status().toString();
  std::string function = module->functions()[0];
  Expected<FunctionSignature> sig = module->signature(function);
  ASSERT_TRUE(sig.ok());
  std::mt19937 rng(3);
  std::vector<HostTensor> inputs = randomInputs(*sig, rng);
  std::vector<HostTensor> outputs;
  for (const TensorDesc &desc : sig->outputs)
    outputs.push_back(*HostTensor::allocate(desc.dtype, desc.dims));
  std::vector<TensorView> out;
  for (HostTensor &t : outputs)
    out.push_back(TensorView(t.dtype(), t.dims(), t.data()));
  Status status = module->invokeWithBuffers(function, views(inputs), out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::InvalidArgument);
  EXPECT_NE(status.message().find("is not CUDA device memory"),
            std::string::npos)
      << status.toString();
  EXPECT_NE(status.message().find("input 0"), std::string::npos)
      << status.toString();
}

} // namespace
} // namespace ssmrt
