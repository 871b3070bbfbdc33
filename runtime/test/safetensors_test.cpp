//===- safetensors_test.cpp - .safetensors reading and writing tests ------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

namespace ssmrt {
namespace {

using Bytes = std::vector<uint8_t>;

/// A file by hand: header length, header text, data area.
Bytes makeFile(const std::string &header, const Bytes &data) {
  Bytes out(8);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out[i] = uint8_t(n >> (8 * i));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes floatBytes(std::initializer_list<float> values) {
  Bytes out(values.size() * 4);
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

Status parseStatus(const Bytes &bytes) {
  Expected<safetensors::File> f =
      safetensors::parse(bytes.data(), bytes.size());
  return f.ok() ? okStatus() : f.status();
}

TEST(Safetensors, ReadsAHandWrittenFile) {
  // As PyTorch's safetensors writes it: no spaces, names in insertion order.
  Bytes data = floatBytes({1, 2, 3, 4, 5, 6});
  data.push_back(7); // a U8 scalar after the floats
  Bytes file = makeFile(
      "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\","
      "\"shape\":"
      "[2,3],\"data_offsets\":[0,24]},\"a\":{\"dtype\":\"U8\",\"shape\":[],"
      "\"data_offsets\":[24,25]}}",
      data);
  Expected<safetensors::File> f = safetensors::parse(file.data(), file.size());
  ASSERT_TRUE(f.ok()) << f.status().toString();
  EXPECT_EQ(f->metadata.at("format"), "pt");
  ASSERT_EQ(f->tensors.size(), 2u);
  EXPECT_EQ(f->tensors[0].first, "a"); // name order
  EXPECT_EQ(f->tensors[0].second.dtype(), DType::U8);
  EXPECT_EQ(f->tensors[0].second.rank(), 0u);
  EXPECT_EQ(static_cast<const uint8_t *>(f->tensors[0].second.data())[0], 7);
  const HostTensor &w = f->tensors[1].second;
  EXPECT_EQ(w.dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(static_cast<const float *>(w.data())[5], 6.0f);
}

TEST(Safetensors, RoundTripsEveryDtypeAndOddShapes) {
  std::mt19937_64 rng(3);
  std::vector<std::pair<std::string, HostTensor>> owned;
  std::vector<std::pair<DType, std::vector<int64_t>>> specs = {
      {DType::F32, {2, 3}}, {DType::F16, {5}},    {DType::BF16, {1, 1, 7}},
      {DType::F64, {}},     {DType::I32, {0, 4}}, {DType::I64, {3}},
      {DType::I8, {2, 2}},  {DType::U8, {9}},     {DType::Bool, {4}}};
  for (size_t i = 0; i < specs.size(); ++i) {
    Expected<HostTensor> t =
        HostTensor::allocate(specs[i].first, specs[i].second);
    ASSERT_TRUE(t.ok());
    auto *p = static_cast<uint8_t *>(t->data());
    for (uint64_t b = 0; b < t->byteSize(); ++b)
      p[b] =
          specs[i].first == DType::Bool ? uint8_t(rng() & 1) : uint8_t(rng());
    owned.emplace_back("t\xc3\xa9" + std::to_string(i) + "\"q", std::move(*t));
  }
  std::vector<std::pair<std::string, TensorView>> views;
  for (auto &[name, t] : owned)
    views.emplace_back(name, t.view());
  Expected<Bytes> bytes = safetensors::serialize(views, {{"k\n", "v\\"}});
  ASSERT_TRUE(bytes.ok()) << bytes.status().toString();
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = (headerBytes << 8) | (*bytes)[i];
  EXPECT_EQ(headerBytes % 8, 0u);
  Expected<safetensors::File> back =
      safetensors::parse(bytes->data(), bytes->size());
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(back->metadata.at("k\n"), "v\\");
  ASSERT_EQ(back->tensors.size(), owned.size());
  for (auto &[name, t] : owned) {
    auto it = std::find_if(back->tensors.begin(), back->tensors.end(),
                           [&](const auto &e) { return e.first == name; });
    ASSERT_NE(it, back->tensors.end()) << name;
    EXPECT_EQ(it->second.dtype(), t.dtype());
    EXPECT_EQ(it->second.dims(), t.dims());
    ASSERT_EQ(it->second.byteSize(), t.byteSize());
    if (t.byteSize()) {
      EXPECT_EQ(std::memcmp(it->second.data(), t.data(), t.byteSize()), 0);
    }
  }
}

TEST(Safetensors, EveryTruncationFailsCleanly) {
  Bytes file = makeFile(
      "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
      floatBytes({1, 2}));
  ASSERT_TRUE(parseStatus(file).ok());
  for (size_t cut = 0; cut < file.size(); ++cut) {
    Bytes shorter(file.begin(), file.begin() + cut);
    Status s = parseStatus(shorter);
    EXPECT_FALSE(s.ok()) << "cut at " << cut;
    EXPECT_EQ(s.code(), StatusCode::DataLoss) << s.toString();
  }
}

TEST(Safetensors, RandomCorruptionNeverCrashes) {
  Bytes file = makeFile(
      "{\"__metadata__\":{\"a\":\"b\"},\"x\":{\"dtype\":\"BF16\",\"shape\":[2,"
      "2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"I64\",\"shape\":[1],"
      "\"data_offsets\":[8,16]}}",
      Bytes(16, 0x5A));
  ASSERT_TRUE(parseStatus(file).ok());
  std::mt19937_64 rng(11);
  int failures = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    Bytes bad = file;
    int flips = 1 + int(rng() % 3);
    for (int i = 0; i < flips; ++i)
      bad[rng() % bad.size()] ^= uint8_t(1u << (rng() % 8));
    failures += parseStatus(bad).ok() ? 0 : 1; // must not crash either way
  }
  EXPECT_GT(failures, 1000);
}

TEST(Safetensors, RejectsEachKindOfBadHeader) {
  struct Case {
    const char *header;
    size_t dataBytes;
    const char *message;
  };
  const Case cases[] = {
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
       "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
       12, "overlap"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8,
       "outside the 8-byte data area"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
       "holds 8 bytes, its 3xf32 needs 12"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8,
       "outside"},
      {"{\"x\":{\"dtype\":\"Q8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2,
       "unsupported dtype \"Q8\""},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
       "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
       8, "duplicate key \"x\""},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8,
       "unexpected character '-'"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8,
       "expected ',' or '}'"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],"
       "\"extra\":1}}",
       8, "unknown field \"extra\""},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
       "\"data_offsets\":[0,8]}}",
       8, "x"},
      {"[1,2]", 0, "not a JSON object"},
      {"{\"__metadata__\":{\"k\":3}}", 0, "is not a string"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} x", 8,
       "trailing characters"},
      {"{\"\\ud800\":1}", 0, "unpaired surrogate"},
  };
  for (const Case &c : cases) {
    Status s = parseStatus(makeFile(c.header, Bytes(c.dataBytes, 0)));
    ASSERT_FALSE(s.ok()) << c.header;
    EXPECT_NE(s.message().find(c.message), std::string::npos)
        << c.header << " -> " << s.toString();
  }
}

TEST(Safetensors, RejectsHugeHeaderLength) {
  Bytes file(16, 0);
  uint64_t n = safetensors::kMaxHeaderBytes + 1;
  for (int i = 0; i < 8; ++i)
    file[i] = uint8_t(n >> (8 * i));
  Status s = parseStatus(file);
  EXPECT_NE(s.message().find("exceeds the limit"), std::string::npos)
      << s.toString();
  for (int i = 0; i < 8; ++i)
    file[i] = 0xFF;
  EXPECT_FALSE(parseStatus(file).ok());
}

TEST(Safetensors, WriteRejectsBadTensors) {
  float v = 1;
  TensorView view{DType::F32, {1}, &v};
  EXPECT_FALSE(safetensors::serialize({{"", view}}).ok());
  EXPECT_FALSE(safetensors::serialize({{"a", view}, {"a", view}}).ok());
  EXPECT_FALSE(safetensors::serialize({{"__metadata__", view}}).ok());
  EXPECT_FALSE(
      safetensors::serialize({{"n", TensorView{DType::F32, {2}, nullptr}}})
          .ok());
}

} // namespace
} // namespace ssmrt
