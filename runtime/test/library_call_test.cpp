//===- library_call_test.cpp - LibraryCalls records and their execution ---===//
//
// Part of the ssmc project. The .ssmb LibraryCalls section (artifact.h): a
// round trip through ModuleBuilder / ArtifactView, one corruption per
// validation rule (checksums refreshed, so only the record rule can catch
// it), and the GPU executor's use of a record over a host-memory device:
// the library call replaces the launch, SSMRT_GEMM forces either path, a
// device without a library runs the kernel, and a record whose extents
// exceed its buffers never reaches the library.
//
//===----------------------------------------------------------------------===//

#include "../src/drivers/cuda/cublaslt.h"
#include "../src/drivers/gpu/gpu_executor.h"

#include "ssmrt/format/reader.h"
#include "ssmrt/format/writer.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <random>

namespace ssmrt {
namespace {

using namespace ssmrt::format;
using test::Bytes;

/// y[m, n] = x[m, k] * w[n, k]^T + bias[n]: the GEMM of every module here.
struct Gemm {
  uint32_t m = 5, n = 7, k = 3;
};

LibraryCallRecord gemmRecord(const Gemm &g, uint32_t command) {
  LibraryCallRecord r = {};
  r.op = uint32_t(LibraryOp::Gemm);
  r.command = command;
  r.a_arg = 0;
  r.b_arg = 1;
  r.c_arg = 2;
  r.bias_arg = 3;
  r.a_dtype = r.b_dtype = r.c_dtype = r.bias_dtype = uint32_t(DType::F32);
  r.bias = uint32_t(GemmBias::AlongN);
  r.activation = uint32_t(GemmActivation::None);
  r.m = g.m;
  r.n = g.n;
  r.k = g.k;
  r.batch = 1;
  r.a_strides[0] = g.k; // x[m, k]: row-major (m, k)
  r.a_strides[1] = 1;
  r.b_strides[0] = 1; // w[n, k] is B = (k, n) column-major
  r.b_strides[1] = g.k;
  r.c_strides[0] = g.n;
  r.c_strides[1] = 1;
  return r;
}

/// f(x: m x k, w: n x k, bias: n) -> y: m x n with one launch of kernel
/// `gemm` (args x, w, y, bias) and its LibraryCalls record, edited by `edit`.
/// `xRows` lets x be smaller than the record says.
Bytes gemmModule(const Gemm &g,
                 const std::function<void(LibraryCallRecord &)> &edit = {},
                 uint32_t xRows = 0) {
  ModuleBuilder b("library-call-test");
  const char image[] = "gemm\n";
  uint32_t object = b.addKernelObject(TargetKind::Nvptx, BinaryFormat::Ptx,
                                      "sm_90", image, sizeof image);
  uint32_t kernel =
      b.addKernel("gemm", object, {32, 1, 1}, 0,
                  {bufferArg(), bufferArg(), bufferArg(), bufferArg()});
  uint32_t first = b.commandCount();
  b.addBindInput(0, 0);
  b.addBindInput(1, 1);
  b.addBindInput(2, 2);
  b.addAlloc(3, uint64_t(g.m) * g.n * 4);
  uint32_t launch = b.addLaunch(
      kernel, {1, 1, 1},
      {launchBuffer(0), launchBuffer(1), launchBuffer(3), launchBuffer(2)});
  b.addReturn(3, 0);
  LibraryCallRecord r = gemmRecord(g, launch);
  if (edit)
    edit(r);
  b.addLibraryCall(r);
  int64_t rows = xRows ? xRows : g.m;
  b.addEntry("f",
             {{"x", DType::F32, {rows, g.k}},
              {"w", DType::F32, {g.n, g.k}},
              {"bias", DType::F32, {g.n}}},
             {{"y", DType::F32, {g.m, g.n}}}, 4, first,
             b.commandCount() - first);
  Expected<Bytes> bytes = b.finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().toString();
  return bytes.ok() ? *bytes : Bytes();
}

TEST(LibraryCallFormat, RoundTrip) {
  Gemm g{70, 45, 37};
  Bytes bytes = gemmModule(g);
  Expected<ArtifactView> v = test::openBytes(bytes);
  ASSERT_TRUE(v.ok()) << v.status().toString();
  ASSERT_EQ(v->libraryCallCount(), 1u);
  Expected<LibraryCallInfo> c = v->libraryCall(0);
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->op, LibraryOp::Gemm);
  EXPECT_EQ(c->command, 4u);
  EXPECT_EQ(c->aArg, 0u);
  EXPECT_EQ(c->bArg, 1u);
  EXPECT_EQ(c->cArg, 2u);
  EXPECT_EQ(c->biasArg, 3u);
  EXPECT_EQ(c->bias, GemmBias::AlongN);
  EXPECT_EQ(c->activation, GemmActivation::None);
  EXPECT_EQ(c->m, 70u);
  EXPECT_EQ(c->n, 45u);
  EXPECT_EQ(c->k, 37u);
  EXPECT_EQ(c->batch, 1u);
  EXPECT_EQ(c->aBytes, 70u * 37 * 4);
  EXPECT_EQ(c->bBytes, 45u * 37 * 4);
  EXPECT_EQ(c->cBytes, 70u * 45 * 4);
  EXPECT_EQ(c->biasBytes, 45u * 4);
  EXPECT_EQ(v->findSection(SectionKind::LibraryCalls)->name, "library_calls");
  EXPECT_EQ(v->libraryCall(1).status().code(), StatusCode::OutOfRange);
  // Batched, broadcast A, column-major A, bias along m, ReLU, bf16 inputs.
  Bytes batched = gemmModule(g, [&](LibraryCallRecord &r) {
    r.batch = 3;
    r.a_strides[0] = 1;
    r.a_strides[1] = g.m;
    r.a_strides[2] = 0;
    r.b_strides[2] = uint64_t(g.n) * g.k;
    r.c_strides[2] = uint64_t(g.m) * g.n;
    r.bias = uint32_t(GemmBias::AlongM);
    r.activation = uint32_t(GemmActivation::Relu);
    r.a_dtype = r.b_dtype = uint32_t(DType::BF16);
  });
  v = test::openBytes(batched);
  ASSERT_TRUE(v.ok()) << v.status().toString();
  c = v->libraryCall(0);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->aBytes, 70u * 37 * 2);
  EXPECT_EQ(c->bBytes, 3u * 45 * 37 * 2);
  EXPECT_EQ(c->cBytes, 3u * 70 * 45 * 4);
  EXPECT_EQ(c->biasBytes, 70u * 4);
  EXPECT_EQ(c->aType, DType::BF16);
}

/// open() must reject `bytes` with DataLoss naming the record and `what`.
void expectRejected(const Bytes &bytes, const std::string &what) {
  Expected<ArtifactView> v = test::openBytes(bytes);
  ASSERT_FALSE(v.ok()) << "accepted, expected '" << what << "'";
  EXPECT_EQ(v.status().code(), StatusCode::DataLoss) << v.status().toString();
  EXPECT_NE(v.status().message().find("LibraryCalls record 0"),
            std::string::npos)
      << v.status().message();
  EXPECT_NE(v.status().message().find(what), std::string::npos)
      << "'" << v.status().message() << "' lacks '" << what << "'";
}

TEST(LibraryCallFormat, EveryFieldIsValidated) {
  Gemm g;
  Bytes good = gemmModule(g);
  ASSERT_TRUE(test::openBytes(good).ok());
  struct Case {
    const char *what;
    std::function<void(LibraryCallRecord &)> edit;
  } const cases[] = {
      {"unknown op 2", [](auto &r) { r.op = 2; }},
      {"unknown op 0", [](auto &r) { r.op = 0; }},
      {"command 99 out of range", [](auto &r) { r.command = 99; }},
      {"command 0 is not a Launch", [](auto &r) { r.command = 0; }},
      {"A argument 4 out of range", [](auto &r) { r.a_arg = 4; }},
      {"bias argument 9 out of range", [](auto &r) { r.bias_arg = 9; }},
      {"C is also an input argument", [](auto &r) { r.c_arg = 1; }},
      {"unsupported A / B dtype", [](auto &r) { r.b_dtype = 5; }},
      {"unsupported C dtype",
       [](auto &r) { r.c_dtype = uint32_t(DType::F64); }},
      // A 16-bit C only from inputs of its type.
      {"needs A and B of that type",
       [](auto &r) { r.c_dtype = uint32_t(DType::BF16); }},
      {"needs A and B of that type",
       [](auto &r) {
         r.a_dtype = r.b_dtype = uint32_t(DType::BF16);
         r.c_dtype = uint32_t(DType::F16);
       }},
      {"unsupported bias dtype", [](auto &r) { r.bias_dtype = 0; }},
      {"unknown bias kind 4", [](auto &r) { r.bias = 4; }},
      {"unknown activation 0", [](auto &r) { r.activation = 0; }},
      {"must be 0 without a bias",
       [](auto &r) { r.bias = uint32_t(GemmBias::None); }},
      {"must be in [1, 2^31)", [](auto &r) { r.m = 0; }},
      {"must be in [1, 2^31)", [](auto &r) { r.k = uint64_t(1) << 31; }},
      {"must be in [1, 2^31)", [](auto &r) { r.batch = 0; }},
      {"A strides (2, 2)",
       [](auto &r) { r.a_strides[0] = r.a_strides[1] = 2; }},
      // Rows closer than a row's length overlap.
      {"A strides (2, 1) are neither", [](auto &r) { r.a_strides[0] = 2; }},
      {"B strides (1, 1) are neither", [](auto &r) { r.b_strides[1] = 1; }},
      // Column-major C (m = 5 rows) needs a column stride >= 5.
      {"C strides (1, 4)",
       [](auto &r) {
         r.c_strides[0] = 1;
         r.c_strides[1] = 4;
       }},
      {"A batch stride must be 0 with batch 1",
       [](auto &r) { r.a_strides[2] = 100; }},
      {"C batch stride 0 overlaps", [](auto &r) { r.batch = 2; }},
      // Results never share memory between batches (inputs may: see
      // InputBatchesMayOverlap).
      {"C batch stride 34 overlaps",
       [](auto &r) {
         r.batch = 2;
         r.c_strides[2] = 34;
       }},
      {"A extent overflows",
       [](auto &r) { r.a_strides[0] = uint64_t(1) << 62; }},
      {"A extent overflows",
       [](auto &r) {
         r.batch = 3;
         r.a_strides[2] = uint64_t(1) << 63;
         r.c_strides[2] = 35;
       }},
      {"reserved field is not zero", [](auto &r) { r.reserved0 = 1; }},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.what);
    Bytes bad = good;
    test::patchRecord<LibraryCallRecord>(bad, SectionKind::LibraryCalls, 0,
                                         c.edit);
    expectRejected(bad, c.what);
  }
}

/// A 16-bit C (format v6): read with its 2-byte extents; a file that says
/// version 5 cannot have one.
TEST(LibraryCallFormat, SixteenBitC) {
  Gemm g{70, 45, 37};
  for (DType t : {DType::BF16, DType::F16}) {
    SCOPED_TRACE(int(t));
    Bytes bytes = gemmModule(g, [&](LibraryCallRecord &r) {
      r.a_dtype = r.b_dtype = r.c_dtype = r.bias_dtype = uint32_t(t);
    });
    Expected<ArtifactView> v = test::openBytes(bytes);
    ASSERT_TRUE(v.ok()) << v.status().toString();
    Expected<LibraryCallInfo> c = v->libraryCall(0);
    ASSERT_TRUE(c.ok()) << c.status().toString();
    EXPECT_EQ(c->cType, t);
    EXPECT_EQ(c->biasType, t);
    EXPECT_EQ(c->cBytes, 70u * 45 * 2);
    EXPECT_EQ(c->biasBytes, 45u * 2);

    // A file claiming an older version has records of the older size
    // (v7 added the operand offsets), so a patched version is refused
    // before its C dtype is read.
    FileHeader h = test::readHeader(bytes);
    ASSERT_EQ(h.format_version, kFormatVersion);
    h.format_version = kGemm16BitOutputFormatVersion - 1;
    test::writeHeader(bytes, h);
    test::refreshChecksums(bytes);
    Expected<ArtifactView> old = test::openBytes(bytes);
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.status().code(), StatusCode::DataLoss);
    EXPECT_NE(old.status().message().find("record size 192, expected 160"),
              std::string::npos)
        << old.status().message();
  }
}

/// CublasLt::supports: which records the library runs (the rest run the
/// compiler's kernel). A 16-bit C with inputs of its type and f32 compute,
/// with and without a bias of C's type; never a 16-bit C from other
/// inputs, an f32 bias with a 16-bit C, or a bias along m.
TEST(LibraryCallCublasLt, SupportsSixteenBitC) {
  auto call = [](DType in, DType c, GemmBias bias, DType biasType) {
    LibraryCallInfo r;
    r.op = LibraryOp::Gemm;
    r.aType = r.bType = in;
    r.cType = c;
    r.bias = bias;
    r.biasType = biasType;
    r.m = 197;
    r.n = 768;
    r.k = 192;
    r.batch = 1;
    r.aStrides = {192, 1, 0}; // x[m, k] row-major
    r.bStrides = {1, 192, 0}; // w[n, k]: (k, n) column-major
    r.cStrides = {768, 1, 0};
    return r;
  };
  using cuda::CublasLt;
  const DType F32 = DType::F32, BF16 = DType::BF16, F16 = DType::F16;
  // Unchanged: f32 C.
  EXPECT_TRUE(CublasLt::supports(call(F32, F32, GemmBias::None, F32)));
  EXPECT_TRUE(CublasLt::supports(call(BF16, F32, GemmBias::AlongN, F32)));
  EXPECT_FALSE(CublasLt::supports(call(BF16, F32, GemmBias::AlongN, BF16)));
  // 16-bit C from inputs of its type, with or without a bias of its type.
  for (DType t : {BF16, F16}) {
    SCOPED_TRACE(int(t));
    EXPECT_TRUE(CublasLt::supports(call(t, t, GemmBias::None, F32)));
    EXPECT_TRUE(CublasLt::supports(call(t, t, GemmBias::AlongN, t)));
    LibraryCallInfo relu = call(t, t, GemmBias::AlongN, t);
    relu.activation = GemmActivation::Relu;
    EXPECT_TRUE(CublasLt::supports(relu));
    // An f32 bias with a 16-bit D: not a documented combination.
    EXPECT_FALSE(CublasLt::supports(call(t, t, GemmBias::AlongN, F32)));
    EXPECT_FALSE(CublasLt::supports(call(t, t, GemmBias::AlongM, t)));
    // A 16-bit C from f32 inputs, or from the other 16-bit type.
    EXPECT_FALSE(CublasLt::supports(call(F32, t, GemmBias::None, F32)));
    EXPECT_FALSE(
        CublasLt::supports(call(t == BF16 ? F16 : BF16, t, GemmBias::None, F32)));
    // Column-major C stays refused.
    LibraryCallInfo cm = call(t, t, GemmBias::None, F32);
    cm.cStrides = {1, 197, 0};
    EXPECT_FALSE(CublasLt::supports(cm));
  }
  EXPECT_FALSE(CublasLt::supports(call(F32, DType::F64, GemmBias::None, F32)));
}

TEST(LibraryCallFormat, InputBatchesMayOverlap) {
  // Inputs are only read: a batch stride shorter than a matrix (padded
  // extents whose extra rows run into the next batch's, as
  // ssm-pad-library-buffers records them) is accepted, and the bytes the
  // record reads still cover the last batch's whole matrix.
  Bytes bytes = gemmModule(Gemm{}, [](LibraryCallRecord &r) {
    r.batch = 2;
    r.a_strides[2] = 3;
    r.c_strides[2] = 35;
  });
  Expected<ArtifactView> v = test::openBytes(bytes);
  ASSERT_TRUE(v.ok()) << v.status().toString();
  Expected<LibraryCallInfo> c = v->libraryCall(0);
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->aStrides[2], 3u);
  EXPECT_EQ(c->aBytes, (3u + 5 * 3) * 4);
  EXPECT_EQ(c->cBytes, 2u * 35 * 4);
}

TEST(LibraryCallFormat, ScalarArgumentAndDuplicateAndWriterErrors) {
  // An operand that is a scalar launch argument.
  ModuleBuilder b("library-call-test");
  const char image[] = "gemm\n";
  uint32_t object = b.addKernelObject(TargetKind::Nvptx, BinaryFormat::Ptx,
                                      "sm_90", image, sizeof image);
  uint32_t kernel =
      b.addKernel("gemm", object, {32, 1, 1}, 0,
                  {bufferArg(), scalarArg(8), bufferArg(), bufferArg()});
  uint32_t first = b.addBindInput(0, 0);
  b.addAlloc(1, 140);
  uint32_t launch = b.addLaunch(
      kernel, {1, 1, 1},
      {launchBuffer(0), launchScalar(3), launchBuffer(1), launchBuffer(0)});
  b.addReturn(1, 0);
  b.addEntry("f", {{"x", DType::F32, {15}}}, {{"y", DType::F32, {35}}}, 2,
             first, b.commandCount() - first);
  LibraryCallRecord r = gemmRecord(Gemm{}, launch);
  r.bias = uint32_t(GemmBias::None);
  r.bias_arg = 0;
  r.bias_dtype = 0;
  b.addLibraryCall(r);
  Expected<Bytes> bytes = b.finish();
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::InvalidArgument);
  EXPECT_NE(bytes.status().message().find("does not validate"),
            std::string::npos);
  EXPECT_NE(bytes.status().message().find("B argument 1 is not a buffer"),
            std::string::npos)
      << bytes.status().message();

  // Two records for one launch.
  Bytes one = gemmModule(Gemm{});
  Expected<ArtifactView> v = test::openBytes(one);
  ASSERT_TRUE(v.ok());
  ModuleBuilder twice("library-call-test");
  uint32_t o = twice.addKernelObject(TargetKind::Nvptx, BinaryFormat::Ptx,
                                     "sm_90", image, sizeof image);
  uint32_t k =
      twice.addKernel("gemm", o, {32, 1, 1}, 0,
                      {bufferArg(), bufferArg(), bufferArg(), bufferArg()});
  uint32_t f = twice.addBindInput(0, 0);
  twice.addBindInput(1, 1);
  twice.addBindInput(2, 2);
  twice.addAlloc(3, 140);
  uint32_t l = twice.addLaunch(
      k, {1, 1, 1},
      {launchBuffer(0), launchBuffer(1), launchBuffer(3), launchBuffer(2)});
  twice.addReturn(3, 0);
  twice.addEntry("f",
                 {{"x", DType::F32, {5, 3}},
                  {"w", DType::F32, {7, 3}},
                  {"bias", DType::F32, {7}}},
                 {{"y", DType::F32, {5, 7}}}, 4, f, twice.commandCount() - f);
  twice.addLibraryCall(gemmRecord(Gemm{}, l));
  twice.addLibraryCall(gemmRecord(Gemm{}, l));
  bytes = twice.finish();
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find(
                "LibraryCalls record 1: a second library call for command"),
            std::string::npos)
      << bytes.status().message();
}

//===----------------------------------------------------------------------===//
// The GPU executor over a host-memory device with a host "library"
//===----------------------------------------------------------------------===//

/// The kernel writes 7 everywhere (so it is told apart from the library).
void sevens(std::array<unsigned, 3>, std::array<unsigned, 3>, void **args) {
  float *y = *static_cast<float *const *>(args[2]);
  for (int i = 0; i < 5 * 7; ++i)
    y[i] = 7.0f;
}

class HostDevice final : public gpu::Device {
public:
  ~HostDevice() override {
    for (auto &[p, bytes] : live_)
      std::free(reinterpret_cast<void *>(p));
  }
  gpu::Vendor vendor() const override { return gpu::Vendor::Nvidia; }
  const char *api() const override { return "HostGPU"; }
  const std::string &name() const override { return name_; }
  const std::string &chip() const override { return name_; }
  Expected<uint64_t> allocate(size_t bytes) override {
    uint64_t p = reinterpret_cast<uint64_t>(std::malloc(bytes ? bytes : 1));
    live_[p] = bytes;
    return p;
  }
  Status free(uint64_t pointer) override {
    std::free(reinterpret_cast<void *>(pointer));
    live_.erase(pointer);
    return okStatus();
  }
  Status upload(uint64_t dst, const void *src, size_t bytes) override {
    std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
    return okStatus();
  }
  Status download(void *dst, uint64_t src, size_t bytes) override {
    std::memcpy(dst, reinterpret_cast<const void *>(src), bytes);
    return okStatus();
  }
  Expected<int> loadModule(const std::string &) override { return 0; }
  Expected<void *> function(int, const std::string &kernel) override {
    if (kernel != "gemm")
      return notFoundError(kernel);
    return reinterpret_cast<void *>(&sevens);
  }
  Status setMaxDynamicSharedMemory(void *, unsigned) override {
    return okStatus();
  }
  Status launchFunction(void *function, std::array<unsigned, 3> grid,
                        std::array<unsigned, 3> block, unsigned,
                        void **args) override {
    ++launches;
    reinterpret_cast<decltype(&sevens)>(function)(grid, block, args);
    return okStatus();
  }
  Status copyAsync(uint64_t dst, uint64_t src, size_t bytes) override {
    std::memmove(reinterpret_cast<void *>(dst),
                 reinterpret_cast<const void *>(src), bytes);
    return okStatus();
  }
  Status fillAsync(uint64_t dst, uint8_t value, size_t bytes) override {
    std::memset(reinterpret_cast<void *>(dst), value, bytes);
    return okStatus();
  }
  Expected<void *> createEvent() override { return nullptr; }
  Status destroyEvent(void *) override { return okStatus(); }
  Status recordEvent(void *) override { return okStatus(); }
  Expected<float> elapsedMs(void *, void *) override { return 0.0f; }
  Status synchronize() override { return okStatus(); }

  /// The "library": a row-major f32 GEMM + bias along n from the record's
  /// strides, in double.
  Expected<bool> libraryGemm(const LibraryCallInfo &c, uint64_t a, uint64_t b,
                             uint64_t out, uint64_t bias) override {
    ++libraryCalls;
    if (!hasLibrary)
      return false;
    const float *A = reinterpret_cast<const float *>(a);
    const float *B = reinterpret_cast<const float *>(b);
    const float *bv = reinterpret_cast<const float *>(bias);
    float *C = reinterpret_cast<float *>(out);
    for (uint64_t i = 0; i < c.m; ++i)
      for (uint64_t j = 0; j < c.n; ++j) {
        double s = bv[j];
        for (uint64_t p = 0; p < c.k; ++p)
          s += double(A[i * c.aStrides[0] + p * c.aStrides[1]]) *
               B[p * c.bStrides[0] + j * c.bStrides[1]];
        C[i * c.cStrides[0] + j * c.cStrides[1]] = float(s);
      }
    return true;
  }

  bool hasLibrary = true;
  int launches = 0, libraryCalls = 0;

private:
  std::string name_ = "host-gpu";
  std::map<uint64_t, size_t> live_;
};

/// Restores SSMRT_GEMM on scope exit.
struct GemmMode {
  explicit GemmMode(const char *mode) {
    if (const char *old = std::getenv("SSMRT_GEMM"))
      saved = old;
    if (mode)
      ::setenv("SSMRT_GEMM", mode, 1);
    else
      ::unsetenv("SSMRT_GEMM");
  }
  ~GemmMode() {
    if (saved)
      ::setenv("SSMRT_GEMM", saved->c_str(), 1);
    else
      ::unsetenv("SSMRT_GEMM");
  }
  std::optional<std::string> saved;
};

struct Outcome {
  Status status;
  std::vector<float> y;
};

/// Loads `bytes` on `device` and runs f on random inputs; `expected` gets
/// the double-precision y = x w^T + bias.
Outcome run(const Bytes &bytes, std::shared_ptr<HostDevice> device,
            std::vector<float> *expected = nullptr, int64_t xRowOffset = 0) {
  Outcome result;
  Expected<ArtifactView> view = ArtifactView::open(bytes.data(), bytes.size());
  if (!view.ok())
    return {view.status(), {}};
  ssmrt::detail::PlanContext context;
  context.kernelNames = {"gemm"};
  context.kernelArgCounts = {4};
  EntryInfo info = *view->entry(0);
  ssmrt::detail::EntryPlan plan;
  plan.signature.name = "f";
  for (const TensorInfo &t : info.inputs)
    plan.signature.inputs.push_back(
        {std::string(t.name), t.dtype,
         std::vector<int64_t>(t.dims.begin(), t.dims.begin() + t.rank)});
  for (const TensorInfo &t : info.outputs)
    plan.signature.outputs.push_back(
        {std::string(t.name), t.dtype,
         std::vector<int64_t>(t.dims.begin(), t.dims.begin() + t.rank)});
  plan.bufferCount = info.bufferCount;
  for (uint32_t c = 0; c < info.commandCount; ++c)
    plan.commands.push_back(*view->command(info.firstCommand + c));
  Status planned = ssmrt::detail::planEntry(context, plan);
  if (!planned.ok())
    return {planned, {}};
  Expected<gpu::GpuExecutable> exe =
      gpu::GpuExecutable::load(*view, device, {});
  if (!exe.ok())
    return {exe.status(), {}};
  Expected<gpu::GpuWorkspace> ws = gpu::GpuWorkspace::create(plan, device);
  if (!ws.ok())
    return {ws.status(), {}};
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  std::vector<std::vector<float>> data;
  std::vector<TensorView> inputs;
  for (const TensorDesc &d : plan.signature.inputs) {
    std::vector<float> v(size_t(d.elementCount()));
    for (float &x : v)
      x = normal(rng);
    data.push_back(std::move(v));
  }
  for (size_t i = 0; i < data.size(); ++i)
    inputs.emplace_back(plan.signature.inputs[i].dtype,
                        plan.signature.inputs[i].dims, data[i].data());
  if (expected) {
    const auto &x = data[0], &w = data[1], &bias = data[2];
    int64_t m = plan.signature.outputs[0].dims[0],
            n = plan.signature.outputs[0].dims[1],
            k = plan.signature.inputs[0].dims[1];
    expected->assign(size_t(m * n), 0.0f);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = bias[j];
        for (int64_t p = 0; p < k; ++p)
          s += double(x[(i + xRowOffset) * k + p]) * w[j * k + p];
        (*expected)[size_t(i * n + j)] = float(s);
      }
  }
  Expected<std::vector<HostTensor>> out =
      gpu::executeEntry(plan, *exe, *ws, inputs, /*poisonOutputs=*/true);
  if (!out.ok())
    return {out.status(), {}};
  const float *y = static_cast<const float *>((*out)[0].data());
  result.y.assign(y, y + (*out)[0].elementCount());
  return result;
}

TEST(LibraryCallExecutor, TheLibraryReplacesTheLaunch) {
  for (const char *mode :
       {static_cast<const char *>(nullptr), "auto", "library"}) {
    SCOPED_TRACE(mode ? mode : "(unset)");
    GemmMode scoped(mode);
    auto device = std::make_shared<HostDevice>();
    std::vector<float> expected;
    Outcome r = run(gemmModule(Gemm{}), device, &expected);
    ASSERT_TRUE(r.status.ok()) << r.status.toString();
    EXPECT_EQ(device->libraryCalls, 1);
    EXPECT_EQ(device->launches, 0);
    ASSERT_EQ(r.y.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_FLOAT_EQ(r.y[i], expected[i]) << i;
  }
}

TEST(LibraryCallExecutor, FallbackAndMissingLibraryRunTheKernel) {
  {
    GemmMode scoped("fallback");
    auto device = std::make_shared<HostDevice>();
    Outcome r = run(gemmModule(Gemm{}), device);
    ASSERT_TRUE(r.status.ok()) << r.status.toString();
    EXPECT_EQ(device->libraryCalls, 0);
    EXPECT_EQ(device->launches, 1);
    for (float y : r.y)
      EXPECT_EQ(y, 7.0f);
  }
  {
    GemmMode scoped(nullptr);
    auto device = std::make_shared<HostDevice>();
    device->hasLibrary = false;
    Outcome r = run(gemmModule(Gemm{}), device);
    ASSERT_TRUE(r.status.ok()) << r.status.toString();
    EXPECT_EQ(device->libraryCalls, 1);
    EXPECT_EQ(device->launches, 1);
    for (float y : r.y)
      EXPECT_EQ(y, 7.0f);
  }
}

TEST(LibraryCallExecutor, ForcedLibraryWithoutOneIsAnError) {
  GemmMode scoped("library");
  auto device = std::make_shared<HostDevice>();
  device->hasLibrary = false;
  Outcome r = run(gemmModule(Gemm{}), device);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), StatusCode::FailedPrecondition);
  EXPECT_NE(r.status.message().find("SSMRT_GEMM=library"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(device->launches, 0);
}

TEST(LibraryCallExecutor, BadModeIsAnError) {
  GemmMode scoped("cublas");
  Outcome r = run(gemmModule(Gemm{}), std::make_shared<HostDevice>());
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.code(), StatusCode::InvalidArgument);
  EXPECT_NE(r.status.message().find("SSMRT_GEMM='cublas'"), std::string::npos)
      << r.status.message();
}

TEST(LibraryCallExecutor, ExtentsPastTheBufferNeverReachTheLibrary) {
  GemmMode scoped(nullptr);
  auto device = std::make_shared<HostDevice>();
  // x holds 4 rows where the record reads 5.
  Outcome r = run(gemmModule(Gemm{}, {}, /*xRows=*/4), device);
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("out of bounds"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(device->libraryCalls, 0);
}

/// Operand offsets (format v7): the library reads A from one row into x
/// (a view such as one direction's slice of a grouped projection); an
/// offset whose extent runs past the buffer never reaches the library, and
/// one that overflows is refused when the file is read.
TEST(LibraryCallExecutor, OperandOffsets) {
  GemmMode scoped(nullptr);
  Gemm g;
  auto shifted = [&](LibraryCallRecord &c) { c.a_offset = g.k; };
  {
    auto device = std::make_shared<HostDevice>();
    std::vector<float> expected;
    Bytes bytes = gemmModule(g, shifted, /*xRows=*/g.m + 1);
    Expected<ArtifactView> v = test::openBytes(bytes);
    ASSERT_TRUE(v.ok()) << v.status().toString();
    EXPECT_EQ(v->libraryCall(0)->aOffset, uint64_t(g.k) * 4);
    EXPECT_EQ(v->libraryCall(0)->cOffset, 0u);
    Outcome r = run(bytes, device, &expected, /*xRowOffset=*/1);
    ASSERT_TRUE(r.status.ok()) << r.status.toString();
    EXPECT_EQ(device->libraryCalls, 1);
    ASSERT_EQ(r.y.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_FLOAT_EQ(r.y[i], expected[i]) << i;
  }
  {
    // x holds exactly m rows: the shifted A ends one row past it.
    auto device = std::make_shared<HostDevice>();
    Outcome r = run(gemmModule(g, shifted), device);
    ASSERT_FALSE(r.status.ok());
    EXPECT_NE(r.status.message().find("out of bounds"), std::string::npos)
        << r.status.message();
    EXPECT_EQ(device->libraryCalls, 0);
  }
  {
    // C one element past its buffer.
    auto device = std::make_shared<HostDevice>();
    Outcome r = run(
        gemmModule(g, [](LibraryCallRecord &c) { c.c_offset = 1; }), device);
    ASSERT_FALSE(r.status.ok());
    EXPECT_NE(r.status.message().find("out of bounds"), std::string::npos)
        << r.status.message();
    EXPECT_EQ(device->libraryCalls, 0);
  }
  // The writer refuses these too: patch a valid file.
  auto rejected = [&](const std::function<void(LibraryCallRecord &)> &edit,
                      const std::string &what) {
    Bytes bad = gemmModule(g);
    test::patchRecord<LibraryCallRecord>(bad, SectionKind::LibraryCalls, 0,
                                         edit);
    expectRejected(bad, what);
  };
  for (uint64_t huge : {uint64_t(1) << 62, UINT64_MAX / 2, UINT64_MAX}) {
    SCOPED_TRACE(huge);
    rejected([&](LibraryCallRecord &c) { c.b_offset = huge; }, "B offset");
  }
  rejected(
      [](LibraryCallRecord &c) {
        c.bias = uint32_t(GemmBias::None);
        c.bias_arg = 0;
        c.bias_dtype = 0;
        c.bias_offset = 1;
      },
      "bias offset must be 0");
}

TEST(LibraryCallExecutor,
     OverlappingInputBatchesPastTheBufferNeverReachTheLibrary) {
  GemmMode scoped(nullptr);
  auto device = std::make_shared<HostDevice>();
  // Two batches of x one row apart: the last batch's rows end 12 bytes
  // past x (60 bytes), though each batch alone fits.
  Outcome r = run(gemmModule(Gemm{},
                             [](LibraryCallRecord &c) {
                               c.batch = 2;
                               c.a_strides[2] = 3;
                               c.c_strides[2] = 35;
                             }),
                  device);
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("range [0, +72) out of bounds of buffer 0"),
            std::string::npos)
      << r.status.message();
  EXPECT_EQ(device->libraryCalls, 0);
}

} // namespace
} // namespace ssmrt
