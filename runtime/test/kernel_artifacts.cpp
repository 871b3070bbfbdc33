//===- kernel_artifacts.cpp - .ssmb artifacts over the test kernels -------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "kernel_artifacts.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ssmrt::test {

using namespace ssmrt::format;

const char *testKernelsPath() { return SSMRT_TEST_KERNELS_PATH; }

Expected<std::vector<uint8_t>> readFileBytes(const std::string &path) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return notFoundError("cannot open '" + path + "': " + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0)
    bytes.insert(bytes.end(), chunk, chunk + n);
  std::fclose(f);
  return bytes;
}

Status writeFileBytes(const std::string &path,
                      const std::vector<uint8_t> &bytes) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return unavailableError("cannot create '" + path +
                            "': " + std::strerror(errno));
  size_t n = std::fwrite(bytes.data(), 1, bytes.size(), f);
  if (std::fclose(f) != 0 || n != bytes.size())
    return unavailableError("cannot write '" + path + "'");
  return okStatus();
}

namespace {
uint64_t f32Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
} // namespace

KernelIds addTestKernels(ModuleBuilder &b, const std::vector<uint8_t> &so) {
  uint32_t obj = b.addKernelObject(TargetKind::Cpu, BinaryFormat::So, "x86_64",
                                   so.data(), so.size());
  KernelIds k;
  std::vector<KernelArgRecord> binary = {bufferArg(), bufferArg(), bufferArg(),
                                         scalarArg(8), scalarArg(8)};
  k.add = b.addKernel("add_f32", obj, {1, 1, 1}, 0, binary);
  k.mul = b.addKernel("mul_f32", obj, {1, 1, 1}, 0, binary);
  k.scale = b.addKernel("scale_by_scalar", obj, {1, 1, 1}, 0,
                        {bufferArg(), bufferArg(), scalarArg(4)});
  k.mark =
      b.addKernel("mark_tiles", obj, {1, 1, 1}, 0, {bufferArg(), bufferArg()});
  k.sum = b.addKernel("sum_f64", obj, {1, 1, 1}, 0,
                      {bufferArg(), bufferArg(), scalarArg(8)});
  k.negate = b.addKernel("negate_via_hook", obj, {1, 1, 1}, 0,
                         {bufferArg(), bufferArg(), bufferArg(), scalarArg(8)});
  return k;
}

Expected<std::vector<uint8_t>> buildTestModule(const std::vector<uint8_t> &so) {
  ModuleBuilder b("ssmc test");
  KernelIds k = addTestKernels(b, so);

  { // add: 4 elements, one tile
    uint32_t first = b.addBindInput(0, 0);
    b.addBindInput(1, 1);
    b.addAlloc(2, 16);
    b.addLaunch(k.add, {1, 1, 1},
                {launchBuffer(0), launchBuffer(1), launchBuffer(2),
                 launchScalar(4), launchScalar(4)});
    uint32_t last = b.addReturn(2, 0);
    b.addEntry("add", {{"a", DType::F32, {4}}, {"b", DType::F32, {4}}},
               {{"sum", DType::F32, {4}}}, 3, first, last - first + 1);
  }
  { // add_big: 1000 tiles of one element
    uint32_t first = b.addBindInput(0, 0);
    b.addBindInput(1, 1);
    b.addAlloc(2, 4000);
    b.addLaunch(k.add, {1000, 1, 1},
                {launchBuffer(0), launchBuffer(1), launchBuffer(2),
                 launchScalar(1000), launchScalar(1)});
    uint32_t last = b.addReturn(2, 0);
    b.addEntry("add_big",
               {{"a", DType::F32, {1000}}, {"b", DType::F32, {1000}}},
               {{"sum", DType::F32, {1000}}}, 3, first, last - first + 1);
  }
  { // add_offset: a[4:8] + b[0:4] through a launch buffer offset
    uint32_t first = b.addBindInput(0, 0);
    b.addBindInput(1, 1);
    b.addAlloc(2, 16);
    b.addLaunch(k.add, {1, 1, 1},
                {launchBuffer(0, 16), launchBuffer(1), launchBuffer(2),
                 launchScalar(4), launchScalar(4)});
    uint32_t last = b.addReturn(2, 0);
    b.addEntry("add_offset", {{"a", DType::F32, {8}}, {"b", DType::F32, {8}}},
               {{"sum", DType::F32, {4}}}, 3, first, last - first + 1);
  }
  { // scale: x * 2.5, one element per tile
    uint32_t first = b.addBindInput(0, 0);
    b.addAlloc(1, 24);
    b.addLaunch(
        k.scale, {3, 2, 1},
        {launchBuffer(0), launchBuffer(1), launchScalar(f32Bits(2.5f))});
    uint32_t last = b.addReturn(1, 0);
    b.addEntry("scale", {{"x", DType::F32, {2, 3}}},
               {{"y", DType::F32, {2, 3}}}, 2, first, last - first + 1);
  }
  { // affine: x * w + c with constants; buffer 3 reuses buffer 1's storage
    std::vector<float> w(256), c(256);
    for (int i = 0; i < 256; ++i) {
      w[size_t(i)] = 0.5f + float(i) / 256.0f;
      c[size_t(i)] = float(i);
    }
    uint32_t wi = b.addConstant("w", w.data(), w.size() * 4);
    uint32_t ci = b.addConstant("c", c.data(), c.size() * 4);
    uint32_t first = b.addBindInput(0, 0);
    b.addAlloc(1, 1024);
    b.addUploadConstant(1, wi);
    b.addAlloc(2, 1024);
    b.addLaunch(k.mul, {4, 1, 1},
                {launchBuffer(0), launchBuffer(1), launchBuffer(2),
                 launchScalar(256), launchScalar(64)});
    b.addFree(1);
    b.addAlloc(3, 1024);
    b.addUploadConstant(3, ci);
    b.addAlloc(4, 1024);
    b.addLaunch(k.add, {4, 1, 1},
                {launchBuffer(2), launchBuffer(3), launchBuffer(4),
                 launchScalar(256), launchScalar(64)});
    b.addFree(2);
    b.addFree(3);
    uint32_t last = b.addReturn(4, 0);
    b.addEntry("affine", {{"x", DType::F32, {256}}}, {{"y", DType::F32, {256}}},
               5, first, last - first + 1);
  }
  { // concat: [x, y] by copies; x also passed through
    uint32_t first = b.addBindInput(0, 0);
    b.addBindInput(1, 1);
    b.addAlloc(2, 20);
    b.addCopy(2, 0, 0, 0, 12);
    b.addCopy(2, 12, 1, 0, 8);
    b.addReturn(2, 0);
    uint32_t last = b.addReturn(0, 1);
    b.addEntry("concat", {{"x", DType::F32, {3}}, {"y", DType::F32, {2}}},
               {{"xy", DType::F32, {5}}, {"x_again", DType::F32, {3}}}, 3,
               first, last - first + 1);
  }
  { // mark: a 10x10x10 grid
    uint32_t first = b.addAlloc(0, 4000);
    b.addAlloc(1, 8);
    b.addLaunch(k.mark, {10, 10, 10}, {launchBuffer(0), launchBuffer(1)});
    b.addReturn(0, 0);
    uint32_t last = b.addReturn(1, 1);
    b.addEntry("mark", {},
               {{"counts", DType::I32, {1000}}, {"calls", DType::I64, {1}}}, 2,
               first, last - first + 1);
  }
  { // sum: f64 reduction
    uint32_t first = b.addBindInput(0, 0);
    b.addAlloc(1, 8);
    b.addLaunch(k.sum, {1, 1, 1},
                {launchBuffer(0), launchBuffer(1), launchScalar(100)});
    uint32_t last = b.addReturn(1, 0);
    b.addEntry("sum", {{"x", DType::F64, {100}}}, {{"s", DType::F64, {1}}}, 2,
               first, last - first + 1);
  }
  { // negate: through the parallel-for hook
    uint32_t first = b.addBindInput(0, 0);
    b.addAlloc(1, 4000);
    b.addAlloc(2, 16);
    b.addLaunch(k.negate, {1, 1, 1},
                {launchBuffer(0), launchBuffer(1), launchBuffer(2),
                 launchScalar(1000)});
    b.addReturn(1, 0);
    uint32_t last = b.addReturn(2, 1);
    b.addEntry("negate", {{"x", DType::F32, {1000}}},
               {{"y", DType::F32, {1000}}, {"info", DType::I64, {2}}}, 3, first,
               last - first + 1);
  }
  return b.finish();
}

} // namespace ssmrt::test
