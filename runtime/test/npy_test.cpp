//===- npy_test.cpp - .npy reading and writing tests ----------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/npy.h"

#include "kernel_artifacts.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <unistd.h>

namespace ssmrt {
namespace {

using Bytes = std::vector<uint8_t>;

/// Builds an .npy file by hand: version, header text (padded to 64 with a
/// newline unless `raw`), data bytes.
Bytes makeNpy(const std::string &header, const Bytes &data, int major = 1,
              bool raw = false) {
  std::string h = header;
  size_t prefix = major == 1 ? 10 : 12;
  if (!raw) {
    size_t total = prefix + h.size() + 1;
    h.append((64 - total % 64) % 64, ' ');
    h += '\n';
  }
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  uint32_t len = uint32_t(h.size());
  out.push_back(uint8_t(len));
  out.push_back(uint8_t(len >> 8));
  if (major != 1) {
    out.push_back(uint8_t(len >> 16));
    out.push_back(uint8_t(len >> 24));
  }
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes floats(std::initializer_list<float> values) {
  Bytes out(values.size() * 4);
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

std::string tempPath(const std::string &name) {
  const char *dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/ssmrt-npy-test-" +
         std::to_string(::getpid()) + "-" + name;
}

TEST(NpyTest, ParsesNumpyStyleHeader) {
  Bytes file =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
              floats({1, 2, 3, 4, 5, 6}));
  Expected<HostTensor> t = npy::parse(file.data(), file.size());
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->dtype(), DType::F32);
  EXPECT_EQ(t->dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t->dataAs<float>()[5], 6.0f);
}

TEST(NpyTest, HeaderVariants) {
  struct Case {
    std::string header;
    std::vector<int64_t> dims;
    DType dtype;
    size_t bytes;
  };
  std::vector<Case> cases = {
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
       {3},
       DType::F64,
       24},
      {"{\"shape\": (), \"fortran_order\": False, \"descr\": \"<i8\"}",
       {},
       DType::I64,
       8},
      {"{'descr':'|b1','fortran_order':False,'shape':(2,2)}",
       {2, 2},
       DType::Bool,
       4},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (0, 5), }",
       {0, 5},
       DType::U8,
       0},
      {"{'descr': '<i4', 'fortran_order': False, 'shape': (2L, 1L), }",
       {2, 1},
       DType::I32,
       8},
      {"{'descr': '<f2', 'fortran_order': False, 'shape': ( 4 , ) }",
       {4},
       DType::F16,
       8},
      {"{'descr': '<u2', 'fortran_order': False, 'shape': (4,), }",
       {4},
       DType::BF16,
       8},
      {"{'descr': '|i1', 'fortran_order': False, 'shape': (1, 1, 1), }",
       {1, 1, 1},
       DType::I8,
       1},
  };
  for (const Case &c : cases) {
    Bytes file = makeNpy(c.header, Bytes(c.bytes, 0x11));
    Expected<HostTensor> t = npy::parse(file.data(), file.size());
    ASSERT_TRUE(t.ok()) << c.header << ": " << t.status().toString();
    EXPECT_EQ(t->dtype(), c.dtype) << c.header;
    EXPECT_EQ(t->dims(), c.dims) << c.header;
    EXPECT_EQ(t->byteSize(), c.bytes);
  }
  // Version 2.0 and 3.0 headers (32-bit length).
  for (int major : {2, 3}) {
    Bytes file =
        makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                floats({42}), major);
    Expected<HostTensor> t = npy::parse(file.data(), file.size());
    ASSERT_TRUE(t.ok()) << t.status().toString();
    EXPECT_EQ(t->dataAs<float>()[0], 42.0f);
  }
}

TEST(NpyTest, RoundTripsEveryDType) {
  std::mt19937 rng(7);
  for (uint32_t v = 1; v <= 9; ++v) {
    DType dtype = static_cast<DType>(v);
    for (std::vector<int64_t> dims : {std::vector<int64_t>{},
                                      {5},
                                      {2, 3, 4},
                                      {0},
                                      {1, 1, 1, 1, 1, 1, 1, 7}}) {
      Expected<HostTensor> t = HostTensor::allocate(dtype, dims);
      ASSERT_TRUE(t.ok());
      auto *p = static_cast<uint8_t *>(t->data());
      for (uint64_t i = 0; i < t->byteSize(); ++i)
        p[i] = dtype == DType::Bool ? uint8_t(rng() & 1) : uint8_t(rng());
      Expected<Bytes> bytes = npy::serialize(t->view());
      ASSERT_TRUE(bytes.ok()) << bytes.status().toString();
      // The data starts on a 64-byte boundary; version 1.0.
      EXPECT_EQ((bytes->size() - t->byteSize()) % 64, 0u);
      EXPECT_EQ((*bytes)[6], 1);
      Expected<HostTensor> back = npy::parse(bytes->data(), bytes->size());
      ASSERT_TRUE(back.ok()) << back.status().toString();
      EXPECT_EQ(back->dtype(), dtype);
      EXPECT_EQ(back->dims(), dims);
      ASSERT_EQ(back->byteSize(), t->byteSize());
      EXPECT_EQ(std::memcmp(back->data(), t->data(), t->byteSize()), 0);
    }
  }
}

TEST(NpyTest, WritesTheNumpyHeaderText) {
  float data[3] = {1, 2, 3};
  Expected<Bytes> bytes = npy::serialize(TensorView(DType::F32, {3}, data));
  ASSERT_TRUE(bytes.ok());
  std::string header(bytes->begin() + 10, bytes->end() - 12);
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, "
                         "'shape': (3,), }",
                         0),
            0u)
      << header;
  EXPECT_EQ(header.back(), '\n');
  EXPECT_STREQ(npy::descrFor(DType::BF16), "<u2");
  EXPECT_STREQ(npy::descrFor(DType::Bool), "|b1");
}

TEST(NpyTest, FileRoundTrip) {
  std::string path = tempPath("roundtrip.npy");
  double data[4] = {1.5, -2.25, 3e100, 0};
  ASSERT_TRUE(npy::write(path, TensorView(DType::F64, {2, 2}, data)).ok());
  Expected<HostTensor> t = npy::read(path);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->dims(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t->dataAs<double>()[2], 3e100);
  ::unlink(path.c_str());

  Expected<HostTensor> missing = npy::read(tempPath("does-not-exist.npy"));
  EXPECT_EQ(missing.status().code(), StatusCode::NotFound);
  Status unwritable = npy::write("/nonexistent-dir/x.npy",
                                 TensorView(DType::F64, {2, 2}, data));
  EXPECT_FALSE(unwritable.ok());
  EXPECT_NE(unwritable.message().find("/nonexistent-dir/x.npy"),
            std::string::npos);
}

struct BadCase {
  const char *what;
  Bytes bytes;
  StatusCode code;
  const char *message;
};

TEST(NpyTest, RejectsCorruptFiles) {
  const std::string good =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  Bytes ok = makeNpy(good, floats({1, 2}));
  std::vector<BadCase> cases;
  cases.push_back({"empty", {}, StatusCode::DataLoss, "truncated"});
  cases.push_back({"short", Bytes(ok.begin(), ok.begin() + 5),
                   StatusCode::DataLoss, "truncated"});
  Bytes magic = ok;
  magic[1] = 'X';
  cases.push_back({"magic", magic, StatusCode::DataLoss, "bad magic"});
  Bytes version = ok;
  version[6] = 9;
  cases.push_back({"version", version, StatusCode::DataLoss, "version 9.0"});
  cases.push_back({"no header length", Bytes(ok.begin(), ok.begin() + 9),
                   StatusCode::DataLoss, "truncated"});
  Bytes longHeader = ok;
  longHeader[8] = 0xFF;
  longHeader[9] = 0xFF;
  cases.push_back({"header past end", longHeader, StatusCode::DataLoss,
                   "the header is 65535 bytes"});
  cases.push_back({"truncated data", Bytes(ok.begin(), ok.end() - 1),
                   StatusCode::DataLoss, "needs 8 data bytes, the file has 7"});
  Bytes trailing = ok;
  trailing.push_back(0);
  cases.push_back(
      {"trailing data", trailing, StatusCode::DataLoss, "size mismatch"});
  cases.push_back({"fortran",
                   makeNpy("{'descr': '<f4', 'fortran_order': True, "
                           "'shape': (2,), }",
                           floats({1, 2})),
                   StatusCode::Unimplemented, "fortran_order"});
  cases.push_back({"big endian",
                   makeNpy("{'descr': '>f4', 'fortran_order': False, "
                           "'shape': (2,), }",
                           floats({1, 2})),
                   StatusCode::Unimplemented, "big-endian"});
  cases.push_back({"unsupported dtype",
                   makeNpy("{'descr': '<c8', 'fortran_order': False, "
                           "'shape': (1,), }",
                           floats({1, 2})),
                   StatusCode::Unimplemented, "'<c8'"});
  cases.push_back({"structured",
                   makeNpy("{'descr': [('a', '<f4')], 'fortran_order': "
                           "False, 'shape': (1,), }",
                           floats({1})),
                   StatusCode::DataLoss, "structured"});
  cases.push_back({"missing key",
                   makeNpy("{'descr': '<f4', 'shape': (2,), }", floats({1, 2})),
                   StatusCode::DataLoss, "missing key 'fortran_order'"});
  cases.push_back({"duplicate key",
                   makeNpy("{'descr': '<f4', 'descr': '<f4', "
                           "'fortran_order': False, 'shape': (2,), }",
                           floats({1, 2})),
                   StatusCode::DataLoss, "duplicate key 'descr'"});
  cases.push_back({"extra key",
                   makeNpy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (2,), 'x': 1}",
                           floats({1, 2})),
                   StatusCode::DataLoss, "unexpected key 'x'"});
  cases.push_back({"negative dim",
                   makeNpy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (-2,), }",
                           floats({1, 2})),
                   StatusCode::DataLoss, "non-negative"});
  cases.push_back({"huge dim",
                   makeNpy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (99999999999999999999,), }",
                           floats({1, 2})),
                   StatusCode::DataLoss, "too large"});
  cases.push_back({"overflowing shape",
                   makeNpy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (4294967296, 4294967296), }",
                           floats({1, 2})),
                   StatusCode::DataLoss, "overflows"});
  cases.push_back({"shape mismatch",
                   makeNpy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (3,), }",
                           floats({1, 2})),
                   StatusCode::DataLoss, "3xf32 needs 12 data bytes"});
  cases.push_back({"unterminated string",
                   makeNpy("{'descr': '<f4", {}, 1, true), StatusCode::DataLoss,
                   "unterminated"});
  cases.push_back({"no brace", makeNpy("'descr': '<f4'", {}),
                   StatusCode::DataLoss, "expected '{'"});
  cases.push_back({"garbage after",
                   makeNpy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (2,), } junk",
                           floats({1, 2})),
                   StatusCode::DataLoss, "after the header"});
  cases.push_back({"unclosed tuple",
                   makeNpy("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (2,",
                           {}, 1, true),
                   StatusCode::DataLoss, "malformed"});
  cases.push_back({"bad bool",
                   makeNpy("{'descr': '<f4', 'fortran_order': 0, "
                           "'shape': (2,), }",
                           floats({1, 2})),
                   StatusCode::DataLoss, "True or False"});
  cases.push_back({"rank 9",
                   makeNpy("{'descr': '|u1', 'fortran_order': False, "
                           "'shape': (1,1,1,1,1,1,1,1,1), }",
                           Bytes(1)),
                   StatusCode::DataLoss, "rank"});
  for (const BadCase &c : cases) {
    Expected<HostTensor> t = npy::parse(c.bytes.data(), c.bytes.size());
    ASSERT_FALSE(t.ok()) << c.what;
    EXPECT_EQ(t.status().code(), c.code)
        << c.what << ": " << t.status().toString();
    EXPECT_NE(t.status().message().find(c.message), std::string::npos)
        << c.what << ": " << t.status().toString();
  }
}

TEST(NpyTest, EveryTruncationAndBitFlipIsSafe) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  Expected<Bytes> bytes = npy::serialize(TensorView(DType::F32, {2, 3}, data));
  ASSERT_TRUE(bytes.ok());
  for (size_t n = 0; n < bytes->size(); ++n) {
    // Copy to an exactly-sized heap block so ASan catches any over-read.
    std::vector<uint8_t> prefix(bytes->begin(), bytes->begin() + long(n));
    EXPECT_FALSE(npy::parse(prefix.data(), prefix.size()).ok()) << n;
  }
  std::mt19937 rng(3);
  for (int round = 0; round < 2000; ++round) {
    Bytes copy = *bytes;
    size_t at = rng() % 128; // within the prefix and header
    copy[at] = uint8_t(copy[at] ^ (1u << (rng() % 8)));
    Expected<HostTensor> t = npy::parse(copy.data(), copy.size());
    if (t.ok()) {
      EXPECT_LE(t->byteSize(), copy.size());
    }
  }
}

TEST(NpyTest, SerializeRejectsBadInput) {
  EXPECT_FALSE(npy::serialize(TensorView(DType::F32, {2}, nullptr)).ok());
  float x = 0;
  EXPECT_FALSE(
      npy::serialize(TensorView(static_cast<DType>(77), {1}, &x)).ok());
  EXPECT_FALSE(npy::serialize(TensorView(DType::F32, {-1}, &x)).ok());
}

} // namespace
} // namespace ssmrt
