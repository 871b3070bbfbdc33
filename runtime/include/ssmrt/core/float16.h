//===- float16.h - IEEE half and bfloat16 conversions -----------*- C++ -*-===//
//
// Part of the ssmc project. Bit-exact conversions between float and the two
// 16-bit float formats the runtime stores (f16: IEEE binary16; bf16: the top
// half of a binary32). Float -> 16-bit rounds to nearest even and keeps NaNs
// quiet NaNs.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_CORE_FLOAT16_H
#define SSMRT_CORE_FLOAT16_H

#include <cstdint>
#include <cstring>

namespace ssmrt {

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

inline float floatFromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

inline float bf16ToFloat(uint16_t h) {
  return floatFromBits(uint32_t(h) << 16);
}

inline uint16_t floatToBf16(float f) {
  uint32_t u = floatBits(f);
  if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu) != 0)
    return static_cast<uint16_t>((u >> 16) | 0x0040u); // quiet NaN
  uint32_t rounding = 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>((u + rounding) >> 16);
}

inline float f16ToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1Fu;
  uint32_t mantissa = h & 0x3FFu;
  uint32_t u;
  if (exponent == 0x1F) { // inf / NaN
    u = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent != 0) { // normal
    u = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) { // zero
    u = sign;
  } else { // subnormal: renormalize
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    u = sign | (exponent << 23) | ((mantissa & 0x3FFu) << 13);
  }
  return floatFromBits(u);
}

inline uint16_t floatToF16(float f) {
  uint32_t u = floatBits(f);
  uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  uint32_t abs = u & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) // inf / NaN
    return static_cast<uint16_t>(sign | 0x7C00u |
                                 (abs > 0x7F800000u ? 0x0200u : 0u));
  if (abs >= 0x477FF000u) // rounds to >= 65520: overflow to inf
    return static_cast<uint16_t>(sign | 0x7C00u);
  if (abs < 0x38800000u) { // below the smallest normal half (2^-14)
    if (abs < 0x33000000u) // below half the smallest subnormal: zero
      return sign;
    uint32_t exponent = abs >> 23;
    uint32_t mantissa = (abs & 0x7FFFFFu) | 0x800000u;
    uint32_t shift = 126u - exponent; // value = mantissa * 2^(exponent - 150)
    uint32_t half = mantissa >> shift;
    uint32_t rest = mantissa & ((1u << shift) - 1u);
    uint32_t midpoint = 1u << (shift - 1u);
    if (rest > midpoint || (rest == midpoint && (half & 1u)))
      ++half;
    return static_cast<uint16_t>(sign | half);
  }
  // Normal: rebias the exponent, round the mantissa to 10 bits.
  uint32_t rebased = abs - 0x38000000u; // exponent - 112
  uint32_t rounding = 0xFFFu + ((rebased >> 13) & 1u);
  return static_cast<uint16_t>(sign | ((rebased + rounding) >> 13));
}

} // namespace ssmrt

#endif // SSMRT_CORE_FLOAT16_H
