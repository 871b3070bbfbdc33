//===- crc32.cpp - CRC-32 (IEEE 802.3) checksums -------------------------===//
//
// Part of the ssmc project. Table-driven, slicing-by-8: eight 256-entry
// tables, generated at compile time, consume eight bytes per step.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/core/crc32.h"

#include <array>
#include <cstring>

namespace ssmrt {
namespace {

constexpr uint32_t kPolynomial = 0xEDB88320u; // reflected 0x04C11DB7

using Crc32Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Crc32Tables makeTables() {
  Crc32Tables tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit)
      c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    tables[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k)
    for (size_t i = 0; i < 256; ++i) {
      uint32_t prev = tables[k - 1][i];
      tables[k][i] = (prev >> 8) ^ tables[0][prev & 0xFF];
    }
  return tables;
}

constexpr Crc32Tables kTables = makeTables();
static_assert(kTables[0][1] == 0x77073096u, "CRC-32 table generation broken");

} // namespace

uint32_t crc32Update(uint32_t crc, const void *data, size_t size) {
  const auto *p = static_cast<const uint8_t *>(data);
  uint32_t c = ~crc;
  while (size >= 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = kTables[7][lo & 0xFF] ^ kTables[6][(lo >> 8) & 0xFF] ^
        kTables[5][(lo >> 16) & 0xFF] ^ kTables[4][lo >> 24] ^
        kTables[3][hi & 0xFF] ^ kTables[2][(hi >> 8) & 0xFF] ^
        kTables[1][(hi >> 16) & 0xFF] ^ kTables[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size-- > 0)
    c = kTables[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return ~c;
}

} // namespace ssmrt
