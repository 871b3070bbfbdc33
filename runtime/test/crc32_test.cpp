//===- crc32_test.cpp - Tests for CRC-32 ---------------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/core/crc32.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ssmrt {
namespace {

uint32_t crcOf(const char *s) { return crc32(s, std::strlen(s)); }

/// Bit-at-a-time reference implementation.
uint32_t referenceCrc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int b = 0; b < 8; ++b)
      c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
  }
  return ~c;
}

TEST(Crc32Test, KnownVectors) {
  EXPECT_EQ(crc32(nullptr, 0), 0u);
  EXPECT_EQ(crcOf("a"), 0xE8B7BE43u);
  EXPECT_EQ(crcOf("123456789"), 0xCBF43926u);
  EXPECT_EQ(crcOf("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  uint8_t zeros[32] = {};
  EXPECT_EQ(crc32(zeros, sizeof(zeros)), 0x190A55ADu);
}

TEST(Crc32Test, MatchesReferenceForAllLengthsAndAlignments) {
  std::mt19937 rng(7);
  test::Bytes data = test::randomBytes(rng, 300);
  for (size_t start = 0; start < 9; ++start)
    for (size_t len = 0; start + len <= data.size(); len += 1 + len / 8)
      ASSERT_EQ(crc32(data.data() + start, len),
                referenceCrc32(data.data() + start, len))
          << "start " << start << " len " << len;
}

TEST(Crc32Test, IncrementalEqualsOneShot) {
  std::mt19937 rng(11);
  test::Bytes data = test::randomBytes(rng, 100);
  uint32_t whole = crc32(data.data(), data.size());
  for (size_t split = 0; split <= data.size(); ++split) {
    uint32_t c = crc32Update(0, data.data(), split);
    c = crc32Update(c, data.data() + split, data.size() - split);
    ASSERT_EQ(c, whole) << "split " << split;
  }
}

} // namespace
} // namespace ssmrt
