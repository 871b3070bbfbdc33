//===- cpu_driver_test.cpp - dlopen of embedded shared objects ------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "../src/drivers/cpu/cpu_driver.h"

#include "kernel_artifacts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace ssmrt {
namespace {

using Bytes = std::vector<uint8_t>;
using cpu::LoadMethod;
using cpu::SharedObject;

const Bytes &kernelBytes() {
  static const Bytes bytes = *test::readFileBytes(test::testKernelsPath());
  return bytes;
}

using ScaleFn = void (*)(void *const *, int64_t, int64_t);

void runScale(const SharedObject &so) {
  Expected<void *> sym = so.symbol("scale_by_scalar");
  ASSERT_TRUE(sym.ok()) << sym.status().toString();
  ScaleFn fn;
  void *p = *sym;
  std::memcpy(&fn, &p, sizeof(fn));
  float in[3] = {1, 2, 3}, out[3] = {};
  float scale = -2;
  uint64_t scaleSlot = 0;
  std::memcpy(&scaleSlot, &scale, 4);
  void *args[3] = {in, out, &scaleSlot};
  fn(args, 0, 3);
  EXPECT_EQ(out[0], -2.0f);
  EXPECT_EQ(out[2], -6.0f);
}

/// Files in `dir` whose names start with "ssmrt-kernel-".
int countKernelTempFiles(const std::string &dir) {
  int count = 0;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *e = ::readdir(d))
      if (std::strncmp(e->d_name, "ssmrt-kernel-", 13) == 0)
        ++count;
    ::closedir(d);
  }
  return count;
}

TEST(CpuDriverTest, LoadsThroughMemfd) {
  Expected<SharedObject> so = SharedObject::load(
      kernelBytes().data(), kernelBytes().size(), "test", LoadMethod::Memfd);
  ASSERT_TRUE(so.ok()) << so.status().toString();
  EXPECT_STREQ(so->method(), "memfd");
  runScale(*so);
}

TEST(CpuDriverTest, LoadsThroughATemporaryFileAndRemovesIt) {
  // A private TMPDIR so the check for leftovers is exact.
  std::string dir =
      std::string("/tmp/ssmrt-driver-test-") + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  const char *old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", dir.c_str(), 1);
  {
    Expected<SharedObject> so =
        SharedObject::load(kernelBytes().data(), kernelBytes().size(), "test",
                           LoadMethod::TempFile);
    ASSERT_TRUE(so.ok()) << so.status().toString();
    EXPECT_STREQ(so->method(), "tempfile");
    EXPECT_EQ(countKernelTempFiles(dir), 0); // unlinked right after dlopen
    runScale(*so);
    // A second load gets a fresh name, not the first object again.
    Expected<SharedObject> second =
        SharedObject::load(kernelBytes().data(), kernelBytes().size(), "test",
                           LoadMethod::TempFile);
    ASSERT_TRUE(second.ok());
    void *a = so->optionalSymbol("ssmrt_cpu_parallel_for");
    void *b = second->optionalSymbol("ssmrt_cpu_parallel_for");
    EXPECT_NE(a, nullptr);
    EXPECT_NE(a, b);
  }
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_EQ(::rmdir(dir.c_str()), 0);
}

TEST(CpuDriverTest, TempFileErrors) {
  const char *old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", "/nonexistent-ssmrt-dir", 1);
  Expected<SharedObject> so =
      SharedObject::load(kernelBytes().data(), kernelBytes().size(),
                         "kernel object 3", LoadMethod::TempFile);
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  ASSERT_FALSE(so.ok());
  EXPECT_EQ(so.status().code(), StatusCode::Unavailable);
  EXPECT_NE(so.status().message().find("kernel object 3: cannot create a "
                                       "temporary file from "
                                       "'/nonexistent-ssmrt-dir/"),
            std::string::npos)
      << so.status().toString();
}

TEST(CpuDriverTest, CorruptBytesGiveDlerror) {
  for (LoadMethod method : {LoadMethod::Memfd, LoadMethod::TempFile}) {
    Bytes garbage(1000, 0x5A);
    Expected<SharedObject> so =
        SharedObject::load(garbage.data(), garbage.size(), "obj", method);
    ASSERT_FALSE(so.ok());
    EXPECT_EQ(so.status().code(), StatusCode::FailedPrecondition);
    EXPECT_NE(so.status().message().find("obj: dlopen failed: "),
              std::string::npos);
    EXPECT_NE(so.status().message().find("ELF"), std::string::npos)
        << so.status().toString();
  }
  Expected<SharedObject> empty = SharedObject::load(nullptr, 0, "obj");
  EXPECT_EQ(empty.status().code(), StatusCode::InvalidArgument);
}

TEST(CpuDriverTest, MissingSymbol) {
  Expected<SharedObject> so =
      SharedObject::load(kernelBytes().data(), kernelBytes().size(), "obj");
  ASSERT_TRUE(so.ok());
  Expected<void *> sym = so->symbol("does_not_exist");
  ASSERT_FALSE(sym.ok());
  EXPECT_EQ(sym.status().code(), StatusCode::NotFound);
  EXPECT_NE(sym.status().message().find("symbol 'does_not_exist' not found"),
            std::string::npos);
  EXPECT_EQ(so->optionalSymbol("does_not_exist"), nullptr);
}

std::atomic<int> gChunks{0};
void countChunk(void *const *args, int64_t b, int64_t e) {
  auto *hits = static_cast<std::atomic<int> *>(args[0]);
  for (int64_t i = b; i < e; ++i)
    hits[i]++;
  gChunks++;
}

TEST(CpuDriverTest, ParallelForHookUsesTheCurrentPool) {
  std::atomic<int> hits[100] = {};
  void *args[1] = {hits};
  gChunks = 0;
  cpu::ssmrtCpuParallelFor(&countChunk, args, 100); // no pool: serial
  EXPECT_EQ(gChunks.load(), 1);
  ThreadPool pool(4);
  {
    cpu::CurrentThreadPool scope(&pool);
    gChunks = 0;
    cpu::ssmrtCpuParallelFor(&countChunk, args, 100);
    EXPECT_EQ(gChunks.load(), 4);
    gChunks = 0;
    cpu::ssmrtCpuParallelFor(&countChunk, args, 0);
    EXPECT_EQ(gChunks.load(), 0);
  }
  gChunks = 0;
  cpu::ssmrtCpuParallelFor(&countChunk, args, 100); // scope ended: serial
  EXPECT_EQ(gChunks.load(), 1);
  for (auto &h : hits)
    EXPECT_EQ(h.load(), 3);
}

} // namespace
} // namespace ssmrt
