//===- crc32.h - CRC-32 (IEEE 802.3) checksums ------------------*- C++ -*-===//
//
// Part of the ssmc project. The standard reflected CRC-32 (polynomial
// 0xEDB88320, initial value and final xor 0xFFFFFFFF), the one zlib, PNG and
// Ethernet use: crc32("123456789") == 0xCBF43926.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_CORE_CRC32_H
#define SSMRT_CORE_CRC32_H

#include <cstddef>
#include <cstdint>

namespace ssmrt {

/// Continues a CRC-32: `crc` is the result of a previous call (0 to start),
/// like zlib's crc32(crc, buf, len). crc32Update(crc32(a), b) == crc32(a + b).
uint32_t crc32Update(uint32_t crc, const void *data, size_t size);

/// CRC-32 of one buffer.
inline uint32_t crc32(const void *data, size_t size) {
  return crc32Update(0, data, size);
}

} // namespace ssmrt

#endif // SSMRT_CORE_CRC32_H
