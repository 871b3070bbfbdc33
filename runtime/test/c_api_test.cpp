//===- c_api_test.cpp - The C API -----------------------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/c_api.h"

#include "kernel_artifacts.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <string>
#include <unistd.h>

#ifndef SSMRT_NO_C_SMOKE
extern "C" int ssmrt_c_api_smoke(const void *module_bytes, size_t size,
                                 char *error, size_t error_size);
#endif

namespace ssmrt {
namespace {

using Bytes = std::vector<uint8_t>;

const Bytes &moduleBytes() {
  static const Bytes bytes =
      *test::buildTestModule(*test::readFileBytes(test::testKernelsPath()));
  return bytes;
}

/// Frees a status at scope exit.
struct StatusHolder {
  ssmrt_status status = nullptr;
  ~StatusHolder() { ssmrt_status_free(status); }
};

#ifndef SSMRT_NO_C_SMOKE
TEST(CApiTest, FromC) {
  char error[256] = "";
  EXPECT_EQ(ssmrt_c_api_smoke(moduleBytes().data(), moduleBytes().size(), error,
                              sizeof(error)),
            0)
      << error;
}
#endif

TEST(CApiTest, LoadInspectInvoke) {
  ssmrt_instance *instance = nullptr;
  ASSERT_EQ(ssmrt_instance_create(3, &instance), nullptr);
  EXPECT_EQ(ssmrt_instance_num_threads(instance), 3);

  std::string path = std::string("/tmp/ssmrt-capi-test-") +
                     std::to_string(::getpid()) + ".ssmb";
  ASSERT_TRUE(test::writeFileBytes(path, moduleBytes()).ok());
  ssmrt_module *module = nullptr;
  ssmrt_status status =
      ssmrt_module_load(instance, nullptr, path.c_str(), &module);
  ::unlink(path.c_str());
  ASSERT_EQ(status, nullptr) << ssmrt_status_message(status);
  ASSERT_NE(module, nullptr);
  // Modules keep the thread pool alive.
  ssmrt_instance_destroy(instance);

  ASSERT_EQ(ssmrt_module_function_count(module), 9u);
  EXPECT_STREQ(ssmrt_module_function_name(module, 0), "add");
  EXPECT_STREQ(ssmrt_module_function_name(module, 3), "scale");
  EXPECT_EQ(ssmrt_module_function_name(module, 9), nullptr);

  size_t count = 0;
  ASSERT_EQ(ssmrt_module_io_count(module, "concat", 0, &count), nullptr);
  EXPECT_EQ(count, 2u);
  ASSERT_EQ(ssmrt_module_io_count(module, "concat", 1, &count), nullptr);
  EXPECT_EQ(count, 2u);
  int32_t dtype = 0, rank = 0;
  int64_t dims[8] = {};
  ASSERT_EQ(ssmrt_module_io_desc(module, "scale", 0, 0, &dtype, &rank, dims),
            nullptr);
  EXPECT_EQ(dtype, SSMRT_DTYPE_F32);
  EXPECT_EQ(rank, 2);
  EXPECT_EQ(dims[0], 2);
  EXPECT_EQ(dims[1], 3);
  uint64_t peak = 0;
  ASSERT_EQ(ssmrt_module_peak_bytes(module, "affine", &peak), nullptr);
  EXPECT_EQ(peak, 3072u);

  // scale: 2x3 input, flat dims.
  float x[6] = {1, 2, 3, 4, 5, 6};
  int32_t dtypes[1] = {SSMRT_DTYPE_F32};
  int32_t ranks[1] = {2};
  int64_t flatDims[2] = {2, 3};
  const void *data[1] = {x};
  ssmrt_outputs *outputs = nullptr;
  status = ssmrt_module_invoke(module, "scale", 1, dtypes, ranks, flatDims,
                               data, &outputs);
  ASSERT_EQ(status, nullptr) << ssmrt_status_message(status);
  ASSERT_EQ(ssmrt_outputs_count(outputs), 1u);
  EXPECT_EQ(ssmrt_outputs_rank(outputs, 0), 2);
  EXPECT_EQ(ssmrt_outputs_dims(outputs, 0)[1], 3);
  const float *y = static_cast<const float *>(ssmrt_outputs_data(outputs, 0));
  EXPECT_EQ(y[5], 15.0f);
  EXPECT_EQ(ssmrt_outputs_data(outputs, 1), nullptr);
  EXPECT_EQ(ssmrt_outputs_rank(outputs, 1), -1);
  ssmrt_outputs_destroy(outputs);

  // Two inputs with concatenated dims.
  float a[3] = {1, 2, 3}, b[2] = {4, 5};
  int32_t dt2[2] = {SSMRT_DTYPE_F32, SSMRT_DTYPE_F32};
  int32_t r2[2] = {1, 1};
  int64_t d2[2] = {3, 2};
  const void *p2[2] = {a, b};
  status = ssmrt_module_invoke(module, "concat", 2, dt2, r2, d2, p2, &outputs);
  ASSERT_EQ(status, nullptr) << ssmrt_status_message(status);
  EXPECT_EQ(ssmrt_outputs_count(outputs), 2u);
  EXPECT_EQ(static_cast<const float *>(ssmrt_outputs_data(outputs, 0))[4],
            5.0f);
  ssmrt_outputs_destroy(outputs);

  ssmrt_module_destroy(module);
}

TEST(CApiTest, InvokeBuffersAndFlags) {
  ssmrt_instance *instance = nullptr;
  ASSERT_EQ(ssmrt_instance_create(2, &instance), nullptr);
  ssmrt_module *module = nullptr;
  ssmrt_status status = ssmrt_module_load_from_memory(
      instance, "cpu", moduleBytes().data(), moduleBytes().size(), &module);
  ASSERT_EQ(status, nullptr) << ssmrt_status_message(status);
  ssmrt_instance_destroy(instance);

  // concat(x: 3, y: 2) -> (5, 3) into caller buffers.
  float a[3] = {1, 2, 3}, b[2] = {4, 5};
  float xy[5] = {}, x[3] = {};
  int32_t dtypes[2] = {SSMRT_DTYPE_F32, SSMRT_DTYPE_F32};
  int32_t ranks[2] = {1, 1};
  int64_t inDims[2] = {3, 2}, outDims[2] = {5, 3};
  const void *in[2] = {a, b};
  void *out[2] = {xy, x};
  status = ssmrt_module_invoke_buffers(module, "concat", 2, dtypes, ranks,
                                       inDims, in, 2, dtypes, ranks, outDims,
                                       out, SSMRT_INVOKE_POISON_OUTPUTS);
  ASSERT_EQ(status, nullptr) << ssmrt_status_message(status);
  EXPECT_EQ(xy[4], 5.0f);
  EXPECT_EQ(x[2], 3.0f);

  // Errors: a wrong output shape, overlapping buffers, bad flags.
  StatusHolder shape;
  int64_t badDims[2] = {4, 3};
  shape.status =
      ssmrt_module_invoke_buffers(module, "concat", 2, dtypes, ranks, inDims,
                                  in, 2, dtypes, ranks, badDims, out, 0);
  EXPECT_EQ(ssmrt_status_code(shape.status), SSMRT_INVALID_ARGUMENT);
  EXPECT_NE(std::string(ssmrt_status_message(shape.status))
                .find("output 0 ('xy'): dimension 0 is 4, expected 5"),
            std::string::npos)
      << ssmrt_status_message(shape.status);
  StatusHolder overlap;
  void *same[2] = {xy, xy + 1};
  overlap.status =
      ssmrt_module_invoke_buffers(module, "concat", 2, dtypes, ranks, inDims,
                                  in, 2, dtypes, ranks, outDims, same, 0);
  EXPECT_NE(std::string(ssmrt_status_message(overlap.status))
                .find("output 1 overlaps output 0"),
            std::string::npos)
      << ssmrt_status_message(overlap.status);
  StatusHolder flags;
  flags.status = ssmrt_module_invoke_buffers(
      module, "concat", 2, dtypes, ranks, inDims, in, 2, dtypes, ranks, outDims,
      out, SSMRT_INVOKE_GRAPHS | SSMRT_INVOKE_NO_GRAPHS);
  EXPECT_NE(std::string(ssmrt_status_message(flags.status))
                .find("contradict each other"),
            std::string::npos);
  StatusHolder missing;
  missing.status =
      ssmrt_module_invoke_buffers(module, "concat", 2, dtypes, ranks, inDims,
                                  in, 2, nullptr, ranks, outDims, out, 0);
  EXPECT_NE(std::string(ssmrt_status_message(missing.status))
                .find("output dtypes, ranks and data must be non-null"),
            std::string::npos)
      << ssmrt_status_message(missing.status);

  // Timing with flags, and the (CPU: empty) execution stats.
  double ms[2] = {};
  status =
      ssmrt_module_time_with_flags(module, "concat", 2, dtypes, ranks, inDims,
                                   in, 0, 2, SSMRT_INVOKE_NO_GRAPHS, ms);
  ASSERT_EQ(status, nullptr) << ssmrt_status_message(status);
  StatusHolder poisonTime;
  poisonTime.status =
      ssmrt_module_time_with_flags(module, "concat", 2, dtypes, ranks, inDims,
                                   in, 0, 2, SSMRT_INVOKE_POISON_OUTPUTS, ms);
  EXPECT_EQ(ssmrt_status_code(poisonTime.status), SSMRT_INVALID_ARGUMENT);
  uint64_t plain = 7, captures = 7, replays = 7, failures = 7;
  ASSERT_EQ(ssmrt_module_execution_stats(module, "concat", &plain, &captures,
                                         &replays, &failures),
            nullptr);
  EXPECT_EQ(plain + captures + replays + failures, 0u);
  ssmrt_module_destroy(module);
}

TEST(CApiTest, Errors) {
  ssmrt_instance *instance = nullptr;
  ASSERT_EQ(ssmrt_instance_create(0, &instance), nullptr);
  {
    StatusHolder s;
    s.status = ssmrt_instance_create(-1, nullptr);
    EXPECT_EQ(ssmrt_status_code(s.status), SSMRT_INVALID_ARGUMENT);
  }
  EXPECT_EQ(ssmrt_status_code(nullptr), SSMRT_OK);
  EXPECT_STREQ(ssmrt_status_message(nullptr), "Ok");

  ssmrt_module *module = nullptr;
#if !SSMRT_HAVE_CUDA && !SSMRT_HAVE_HIP
  {
    StatusHolder s;
    s.status = ssmrt_module_load(instance, "cuda:0", "x.ssmb", &module);
    EXPECT_EQ(ssmrt_status_code(s.status), SSMRT_UNAVAILABLE);
    EXPECT_STREQ(ssmrt_status_message(s.status),
                 "Unavailable: device 'cuda:0' is not available: this runtime "
                 "was built without the CUDA driver (available devices: cpu)");
    EXPECT_EQ(module, nullptr);
  }
#endif
  {
    StatusHolder s;
    s.status = ssmrt_module_load(instance, "cpu", "/nonexistent.ssmb", &module);
    EXPECT_EQ(ssmrt_status_code(s.status), SSMRT_NOT_FOUND);
    EXPECT_NE(std::strstr(ssmrt_status_message(s.status), "/nonexistent.ssmb"),
              nullptr);
  }
  {
    StatusHolder s;
    uint8_t junk[16] = {};
    s.status = ssmrt_module_load_from_memory(instance, "cpu", junk,
                                             sizeof(junk), &module);
    EXPECT_EQ(ssmrt_status_code(s.status), SSMRT_INVALID_ARGUMENT); // magic
    EXPECT_NE(std::strstr(ssmrt_status_message(s.status), "not a .ssmb"),
              nullptr);
  }
  ASSERT_EQ(ssmrt_module_load_from_memory(instance, "cpu", moduleBytes().data(),
                                          moduleBytes().size(), &module),
            nullptr);
  float a[4] = {};
  int32_t dtypes[2] = {SSMRT_DTYPE_F32, SSMRT_DTYPE_F16};
  int32_t ranks[2] = {1, 1};
  int64_t dims[2] = {4, 4};
  const void *data[2] = {a, a};
  ssmrt_outputs *outputs = nullptr;
  {
    StatusHolder s;
    s.status = ssmrt_module_invoke(module, "add", 2, dtypes, ranks, dims, data,
                                   &outputs);
    EXPECT_EQ(ssmrt_status_code(s.status), SSMRT_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(ssmrt_status_message(s.status),
                          "expected element type f32, got f16"),
              nullptr)
        << ssmrt_status_message(s.status);
    EXPECT_EQ(outputs, nullptr);
  }
  {
    StatusHolder s;
    s.status = ssmrt_module_invoke(module, "nope", 0, nullptr, nullptr, nullptr,
                                   nullptr, &outputs);
    EXPECT_NE(
        std::strstr(ssmrt_status_message(s.status), "unknown function 'nope'"),
        nullptr);
  }
  {
    StatusHolder s;
    int32_t badRanks[2] = {9, 1};
    s.status = ssmrt_module_invoke(module, "add", 2, dtypes, badRanks, dims,
                                   data, &outputs);
    EXPECT_NE(std::strstr(ssmrt_status_message(s.status), "rank 9"), nullptr);
  }
  {
    StatusHolder s;
    s.status = ssmrt_module_invoke(module, "add", 2, nullptr, ranks, dims, data,
                                   &outputs);
    EXPECT_EQ(ssmrt_status_code(s.status), SSMRT_INVALID_ARGUMENT);
  }
  {
    StatusHolder s;
    size_t count;
    s.status = ssmrt_module_io_count(module, "nope", 0, &count);
    EXPECT_EQ(ssmrt_status_code(s.status), SSMRT_INVALID_ARGUMENT);
  }
  {
    StatusHolder s;
    int32_t dt, rk;
    int64_t ds[8];
    s.status = ssmrt_module_io_desc(module, "add", 0, 5, &dt, &rk, ds);
    EXPECT_EQ(ssmrt_status_code(s.status), SSMRT_OUT_OF_RANGE);
  }
  ssmrt_module_destroy(module);
  ssmrt_instance_destroy(instance);
  // NULL is accepted by every destroy.
  ssmrt_module_destroy(nullptr);
  ssmrt_instance_destroy(nullptr);
  ssmrt_outputs_destroy(nullptr);
  ssmrt_status_free(nullptr);
}

/// Resolves `name` from `handle` as a pointer to a function of type F.
template <typename F> F resolve(void *handle, const char *name) {
  void *p = dlsym(handle, name);
  EXPECT_NE(p, nullptr) << name << ": " << dlerror();
  F fn = nullptr;
  std::memcpy(&fn, &p, sizeof(fn));
  return fn;
}

TEST(CApiTest, SharedLibraryExportsTheCApi) {
  void *lib = dlopen(SSMRT_C_LIBRARY_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << dlerror();
  const char *names[] = {
      "ssmrt_status_code",          "ssmrt_status_message",
      "ssmrt_status_free",          "ssmrt_instance_create",
      "ssmrt_instance_destroy",     "ssmrt_instance_num_threads",
      "ssmrt_module_load",          "ssmrt_module_load_from_memory",
      "ssmrt_module_destroy",       "ssmrt_module_function_count",
      "ssmrt_module_function_name", "ssmrt_module_io_count",
      "ssmrt_module_io_desc",       "ssmrt_module_peak_bytes",
      "ssmrt_module_invoke",        "ssmrt_outputs_count",
      "ssmrt_outputs_dtype",        "ssmrt_outputs_rank",
      "ssmrt_outputs_dims",         "ssmrt_outputs_data",
      "ssmrt_outputs_byte_size",    "ssmrt_outputs_destroy",
  };
  for (const char *name : names)
    EXPECT_NE(dlsym(lib, name), nullptr) << name;
  // Only the C API is exported.
  EXPECT_EQ(dlsym(lib, "_ZN5ssmrt10ThreadPoolD1Ev"), nullptr);

  auto create =
      resolve<decltype(&ssmrt_instance_create)>(lib, "ssmrt_instance_create");
  auto destroy =
      resolve<decltype(&ssmrt_instance_destroy)>(lib, "ssmrt_instance_destroy");
  auto load = resolve<decltype(&ssmrt_module_load_from_memory)>(
      lib, "ssmrt_module_load_from_memory");
  auto unload =
      resolve<decltype(&ssmrt_module_destroy)>(lib, "ssmrt_module_destroy");
  auto invoke =
      resolve<decltype(&ssmrt_module_invoke)>(lib, "ssmrt_module_invoke");
  auto outputData =
      resolve<decltype(&ssmrt_outputs_data)>(lib, "ssmrt_outputs_data");
  auto freeOutputs =
      resolve<decltype(&ssmrt_outputs_destroy)>(lib, "ssmrt_outputs_destroy");
  ASSERT_FALSE(::testing::Test::HasFailure());

  ssmrt_instance *instance = nullptr;
  ASSERT_EQ(create(2, &instance), nullptr);
  ssmrt_module *module = nullptr;
  ASSERT_EQ(load(instance, "cpu", moduleBytes().data(), moduleBytes().size(),
                 &module),
            nullptr);
  float a[4] = {1, 2, 3, 4};
  int32_t dtypes[2] = {SSMRT_DTYPE_F32, SSMRT_DTYPE_F32};
  int32_t ranks[2] = {1, 1};
  int64_t dims[2] = {4, 4};
  const void *data[2] = {a, a};
  ssmrt_outputs *outputs = nullptr;
  ASSERT_EQ(invoke(module, "add", 2, dtypes, ranks, dims, data, &outputs),
            nullptr);
  EXPECT_EQ(static_cast<const float *>(outputData(outputs, 0))[3], 8.0f);
  freeOutputs(outputs);
  unload(module);
  destroy(instance);
  dlclose(lib);
}

} // namespace
} // namespace ssmrt
