//===- schedule_test.cpp - Schedule validation and memory planning --------===//
//
// Part of the ssmc project. Schedules that pass the format's structural
// checks but misuse buffers (the format leaves dataflow to the executor):
// each must be a clear error, found when the module is planned and reported
// by invoke() and memoryPlan().
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"

#include "kernel_artifacts.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

namespace ssmrt {
namespace {

using namespace ssmrt::format;
using Bytes = std::vector<uint8_t>;

const Bytes &kernelBytes() {
  static const Bytes bytes = *test::readFileBytes(test::testKernelsPath());
  return bytes;
}

class ScheduleTest : public ::testing::Test {
protected:
  void SetUp() override {
    InstanceOptions options;
    options.numThreads = 2;
    Expected<Instance> instance = Instance::create(options);
    ASSERT_TRUE(instance.ok());
    device_ = *instance->openDevice("cpu");
  }

  /// Builds a module with one entry "f": inputs x: 4xf32 (16 bytes) and
  /// out: 4xf32 output by default; `body` adds the commands.
  Expected<Module>
  build(const std::function<void(ModuleBuilder &, const test::KernelIds &,
                                 uint32_t constant)> &body,
        std::vector<TensorSpec> inputs = {{"x", DType::F32, {4}}},
        std::vector<TensorSpec> outputs = {{"y", DType::F32, {4}}},
        uint32_t buffers = 6) {
    ModuleBuilder b("t");
    test::KernelIds k = test::addTestKernels(b, kernelBytes());
    float c[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint32_t constant = b.addConstant("c", c, sizeof(c)); // 32 bytes
    uint32_t first = b.commandCount();
    body(b, k, constant);
    uint32_t count = b.commandCount() - first;
    b.addEntry("f", inputs, outputs, buffers, first, count);
    Expected<Bytes> bytes = b.finish();
    if (!bytes.ok())
      return bytes.status();
    return Module::loadFromMemory(device_, *bytes);
  }

  /// Expects the schedule to be rejected with `fragment` in the message, by
  /// both memoryPlan() and invoke().
  void expectScheduleError(const Expected<Module> &module,
                           const std::string &fragment,
                           std::vector<TensorView> inputs = {}) {
    ASSERT_TRUE(module.ok()) << module.status().toString();
    if (inputs.empty())
      inputs = {TensorView(DType::F32, {4}, x_)};
    Expected<MemoryPlan> plan = module->memoryPlan("f");
    ASSERT_FALSE(plan.ok()) << "expected: " << fragment;
    EXPECT_EQ(plan.status().code(), StatusCode::FailedPrecondition);
    EXPECT_NE(plan.status().message().find(fragment), std::string::npos)
        << plan.status().toString() << "\n  expected: " << fragment;
    EXPECT_NE(plan.status().message().find("function 'f': invalid schedule: "),
              std::string::npos);
    Expected<std::vector<HostTensor>> out = module->invoke("f", inputs);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status(), plan.status());
  }

  Device device_;
  float x_[4] = {1, 2, 3, 4};
};

TEST_F(ScheduleTest, ValidMinimalSchedule) {
  Expected<Module> m =
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addBindInput(0, 0);
        b.addAlloc(1, 16);
        b.addCopy(1, 0, 0, 0, 16);
        b.addReturn(1, 0);
      });
  ASSERT_TRUE(m.ok()) << m.status().toString();
  Expected<std::vector<HostTensor>> out =
      m->invoke("f", {TensorView(DType::F32, {4}, x_)});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ((*out)[0].dataAs<float>()[2], 3.0f);
  EXPECT_EQ(*m->peakBytes("f"), 16u);
}

TEST_F(ScheduleTest, UseOfUnallocatedBuffer) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addAlloc(1, 16);
        b.addCopy(1, 0, 2, 0, 16);
        b.addReturn(1, 0);
      }),
      "command 1 (Copy): source buffer 2 is not allocated (no Alloc, "
      "BindInput or BindConstant before this command)");
}

TEST_F(ScheduleTest, UseAfterFree) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addBindInput(0, 0);
        b.addAlloc(1, 16);
        b.addFree(1);
        b.addCopy(1, 0, 0, 0, 16);
        b.addReturn(1, 0);
      }),
      "command 3 (Copy): destination buffer 1 is used after it was freed by "
      "command 2");
}

TEST_F(ScheduleTest, LaunchOnFreedBuffer) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &k, uint32_t) {
        b.addBindInput(0, 0);
        b.addAlloc(1, 16);
        b.addAlloc(2, 16);
        b.addFree(2);
        b.addLaunch(k.add, {1, 1, 1},
                    {launchBuffer(0), launchBuffer(2), launchBuffer(1),
                     launchScalar(4), launchScalar(4)});
        b.addReturn(1, 0);
      }),
      "command 4 (Launch): kernel 'add_f32' argument 1: buffer 2 is used "
      "after it was freed by command 3");
}

TEST_F(ScheduleTest, CopyOutOfRange) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addBindInput(0, 0);
        b.addAlloc(1, 16);
        b.addCopy(1, 8, 0, 0, 16);
        b.addReturn(1, 0);
      }),
      "command 2 (Copy): destination range [8, +16) is out of bounds of "
      "buffer 1 (16 bytes)");
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addBindInput(0, 0);
        b.addAlloc(1, 16);
        b.addCopy(1, 0, 0, 4, 16);
        b.addReturn(1, 0);
      }),
      "source range [4, +16) is out of bounds of buffer 0 (input 0, 16 "
      "bytes)");
  // Offsets chosen so that offset + bytes wraps around 2^64.
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addBindInput(0, 0);
        b.addAlloc(1, 16);
        b.addAlloc(2, 64);
        b.addCopy(1, 0xFFFFFFFFFFFFFFF0ull, 2, 0, 0x20);
        b.addReturn(1, 0);
      }),
      "destination range [18446744073709551600, +32) is out of bounds");
}

TEST_F(ScheduleTest, WriteToInput) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t c) {
        b.addBindInput(0, 0);
        b.addUploadConstant(0, c);
        b.addReturn(0, 0);
      }),
      "command 1 (UploadConstant): destination buffer 0 is bound to input 0, "
      "which is read-only");
}

TEST_F(ScheduleTest, UploadDoesNotFit) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t c) {
        b.addAlloc(1, 16);
        b.addUploadConstant(1, c);
        b.addReturn(1, 0);
      }),
      "command 1 (UploadConstant): constant 0 (32 bytes) does not fit buffer "
      "1 (16 bytes) at offset 0");
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t c) {
        b.addAlloc(1, 40);
        b.addUploadConstant(1, c, 16);
        b.addAlloc(2, 16);
        b.addReturn(2, 0);
      }),
      "does not fit buffer 1 (40 bytes) at offset 16");
}

TEST_F(ScheduleTest, UploadAtOffsetWorks) {
  Expected<Module> m =
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t c) {
        b.addAlloc(1, 48);
        b.addUploadConstant(1, c, 16);
        b.addAlloc(2, 16);
        b.addCopy(2, 0, 1, 32, 16);
        b.addFree(1);
        b.addReturn(2, 0);
      });
  ASSERT_TRUE(m.ok());
  Expected<std::vector<HostTensor>> out =
      m->invoke("f", {TensorView(DType::F32, {4}, x_)});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  const float *y = (*out)[0].dataAs<float>();
  EXPECT_EQ(y[0], 5.0f);
  EXPECT_EQ(y[3], 8.0f);
}

TEST_F(ScheduleTest, BindConstantIsReadInPlace) {
  Expected<Module> m =
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t c) {
        b.addBindConstant(1, c);
        b.addAlloc(2, 16);
        b.addCopy(2, 0, 1, 16, 16); // elements 4..7 of the constant
        b.addReturn(2, 0);
      });
  ASSERT_TRUE(m.ok()) << m.status().toString();
  Expected<std::vector<HostTensor>> out =
      m->invoke("f", {TensorView(DType::F32, {4}, x_)});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  const float *y = (*out)[0].dataAs<float>();
  EXPECT_EQ(y[0], 5.0f);
  EXPECT_EQ(y[3], 8.0f);
  Expected<MemoryPlan> plan = m->memoryPlan("f");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->peakBytes, 16u); // the bound constant costs nothing
}

TEST_F(ScheduleTest, BindConstantMisuse) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t c) {
        b.addBindConstant(1, c);
        b.addUploadConstant(1, c);
        b.addAlloc(2, 16);
        b.addReturn(2, 0);
      }),
      "command 1 (UploadConstant): destination buffer 1 is bound to constant "
      "0, which is read-only");
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t c) {
        b.addAlloc(1, 16);
        b.addBindConstant(1, c);
        b.addReturn(1, 0);
      }),
      "buffer 1 is already allocated");
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t c) {
        b.addBindConstant(1, c);
        b.addReturn(1, 0);
      },
            {{"x", DType::F32, {4}}}, {{"y", DType::F32, {8}}}),
      "constants cannot be returned");
}

TEST_F(ScheduleTest, ReturnSizeMismatch) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addAlloc(1, 12);
        b.addReturn(1, 0);
      }),
      "command 1 (Return): output 0 is 4xf32 (16 bytes) but buffer 1 (12 "
      "bytes) holds 12 bytes");
}

TEST_F(ScheduleTest, OutputNeverReturned) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addAlloc(1, 16);
        b.addFree(1);
      }),
      "output 0 (4xf32) is never returned");
}

TEST_F(ScheduleTest, OutputReturnedTwice) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addAlloc(1, 16);
        b.addReturn(1, 0);
        b.addReturn(1, 0);
      }),
      "command 2 (Return): output 0 is returned twice (by commands 1 and 2)");
}

TEST_F(ScheduleTest, FreeOfReturnedBuffer) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addAlloc(1, 16);
        b.addReturn(1, 0);
        b.addFree(1);
      }),
      "command 2 (Free): buffer 1 is returned as output 0 (by command 1) and "
      "must stay alive until the entry returns");
}

TEST_F(ScheduleTest, DoubleAllocAndDoubleFree) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addAlloc(1, 16);
        b.addAlloc(1, 16);
        b.addReturn(1, 0);
      }),
      "command 1 (Alloc): buffer 1 is already allocated (by command 0); Free "
      "it first");
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addAlloc(1, 16);
        b.addFree(1);
        b.addFree(1);
        b.addAlloc(2, 16);
        b.addReturn(2, 0);
      }),
      "command 2 (Free): buffer 1 is freed twice (first by command 1)");
  expectScheduleError(build([](ModuleBuilder &b, const test::KernelIds &,
                               uint32_t) { b.addFree(3); }),
                      "command 0 (Free): buffer 3 is not allocated");
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addBindInput(0, 0);
        b.addBindInput(0, 0);
      }),
      "command 1 (BindInput): buffer 0 is already bound to an input (by "
      "command 0)");
}

TEST_F(ScheduleTest, LaunchOffsetPastEnd) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &k, uint32_t) {
        b.addBindInput(0, 0);
        b.addAlloc(1, 16);
        b.addLaunch(k.add, {1, 1, 1},
                    {launchBuffer(0, 20), launchBuffer(0), launchBuffer(1),
                     launchScalar(0), launchScalar(1)});
        b.addReturn(1, 0);
      }),
      "command 2 (Launch): kernel 'add_f32' argument 0: offset 20 is past "
      "the end of buffer 0 (input 0, 16 bytes)");
}

TEST_F(ScheduleTest, AllocLimit) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addAlloc(1, uint64_t(1) << 50);
        b.addAlloc(2, 16);
        b.addReturn(2, 0);
      }),
      "command 0 (Alloc): allocation of 1125899906842624 bytes exceeds the "
      "1099511627776-byte limit");
}

TEST_F(ScheduleTest, HugeGrid) {
  expectScheduleError(
      build([](ModuleBuilder &b, const test::KernelIds &k, uint32_t) {
        b.addAlloc(1, 16);
        b.addAlloc(2, 16);
        b.addLaunch(k.mark, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu},
                    {launchBuffer(1), launchBuffer(2)});
        b.addReturn(1, 0);
      }),
      "more than 2^63 tiles");
}

TEST_F(ScheduleTest, ErrorOnlyAffectsItsEntry) {
  ModuleBuilder b("t");
  uint32_t first = b.addAlloc(0, 16);
  uint32_t last = b.addReturn(0, 0);
  b.addEntry("good", {}, {{"y", DType::F32, {4}}}, 1, first, last - first + 1);
  first = b.addAlloc(0, 16);
  b.addFree(0);
  last = b.addReturn(0, 0);
  b.addEntry("bad", {}, {{"y", DType::F32, {4}}}, 1, first, last - first + 1);
  Expected<Bytes> bytes = b.finish();
  ASSERT_TRUE(bytes.ok());
  Expected<Module> m = Module::loadFromMemory(device_, *bytes);
  ASSERT_TRUE(m.ok()) << m.status().toString();
  Expected<std::vector<HostTensor>> good = m->invoke("good", {});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ((*good)[0].dataAs<float>()[0], 0.0f); // allocations are zeroed
  Expected<std::vector<HostTensor>> bad = m->invoke("bad", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("function 'bad': invalid schedule: "
                                        "command 2 (Return): returned buffer "
                                        "0 is used after it was freed by "
                                        "command 1"),
            std::string::npos)
      << bad.status().toString();
}

//===----------------------------------------------------------------------===//
// Memory plan
//===----------------------------------------------------------------------===//

TEST_F(ScheduleTest, PlanReusesFreedStorageFirstFit) {
  // Three 100-byte temporaries live one after another reuse one 128-byte
  // slot; a 300-byte one after two frees coalesces them.
  Expected<Module> m =
      build([](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
        b.addBindInput(0, 0);
        b.addAlloc(1, 100); // arena [0, 128)
        b.addFree(1);
        b.addAlloc(2, 100); // reuses [0, 128)
        b.addAlloc(3, 100); // [128, 256)
        b.addFree(2);
        b.addFree(3);       // [0, 256) free, coalesced
        b.addAlloc(4, 200); // reuses [0, 256)
        b.addAlloc(5, 16);  // the output: separate storage
        b.addCopy(5, 0, 0, 0, 16);
        b.addFree(4);
        b.addReturn(5, 0);
      });
  ASSERT_TRUE(m.ok()) << m.status().toString();
  Expected<MemoryPlan> plan = m->memoryPlan("f");
  ASSERT_TRUE(plan.ok()) << plan.status().toString();
  EXPECT_EQ(plan->peakBytes, 216u);  // 200 + 16
  EXPECT_EQ(plan->arenaBytes, 256u); // never more than two 128-byte blocks
  EXPECT_EQ(plan->outputBytes, 16u);
  EXPECT_EQ(plan->allocations, 5u);
  EXPECT_EQ(plan->reusedAllocations, 2u);
  Expected<std::vector<HostTensor>> out =
      m->invoke("f", {TensorView(DType::F32, {4}, x_)});
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ((*out)[0].dataAs<float>()[3], 4.0f);
}

TEST_F(ScheduleTest, PlanKeepsLiveRangesDisjoint) {
  // Random Alloc/Free sequences: simultaneously live arena allocations must
  // not overlap. Each allocation is filled with its slot number when
  // allocated; when freed, its first and last byte are copied to the output,
  // which would show another slot's number had the storage been shared.
  std::mt19937 rng(5);
  constexpr int kSteps = 60;
  for (int round = 0; round < 30; ++round) {
    std::vector<uint8_t> expected(2 * kSteps, 0);
    Expected<Module> m = build(
        [&](ModuleBuilder &b, const test::KernelIds &, uint32_t) {
          // Buffer 0: the input, row k of 256 bytes all k. Buffers 1..8:
          // temporaries. Buffer 9: the output.
          b.addBindInput(0, 0);
          b.addAlloc(9, 2 * kSteps);
          uint64_t size[9] = {};
          for (int step = 0; step < kSteps; ++step) {
            uint32_t slot = 1 + rng() % 8;
            if (size[slot] != 0) {
              b.addCopy(9, uint64_t(2 * step), slot, 0, 1);
              b.addCopy(9, uint64_t(2 * step + 1), slot, size[slot] - 1, 1);
              b.addFree(slot);
              expected[size_t(2 * step)] = uint8_t(slot);
              expected[size_t(2 * step + 1)] = uint8_t(slot);
              size[slot] = 0;
            } else {
              size[slot] = 1 + rng() % 256;
              b.addAlloc(slot, size[slot]);
              b.addCopy(slot, 0, 0, slot * 256, size[slot]);
            }
          }
          b.addReturn(9, 0);
        },
        {{"rows", DType::U8, {9, 256}}}, {{"y", DType::U8, {2 * kSteps}}}, 10);
    ASSERT_TRUE(m.ok()) << m.status().toString();
    std::vector<uint8_t> rows(9 * 256);
    for (size_t i = 0; i < rows.size(); ++i)
      rows[i] = uint8_t(i / 256);
    Expected<std::vector<HostTensor>> out =
        m->invoke("f", {TensorView(DType::U8, {9, 256}, rows.data())});
    ASSERT_TRUE(out.ok()) << out.status().toString();
    const uint8_t *y = (*out)[0].dataAs<uint8_t>();
    for (size_t i = 0; i < expected.size(); ++i)
      ASSERT_EQ(int(y[i]), int(expected[i])) << "round " << round << " i " << i;
    Expected<MemoryPlan> plan = m->memoryPlan("f");
    ASSERT_TRUE(plan.ok());
    EXPECT_LE(plan->peakBytes, plan->arenaBytes + plan->outputBytes);
  }
}

} // namespace
} // namespace ssmrt
