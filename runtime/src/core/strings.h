//===- strings.h - Message formatting helpers (private) ---------*- C++ -*-===//
//
// Part of the ssmc project. Private to the runtime library: a tiny StrCat so
// error messages can be built without iostreams.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SRC_CORE_STRINGS_H
#define SSMRT_SRC_CORE_STRINGS_H

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "ssmrt/status.h"

namespace ssmrt::detail {

/// Formats as 0x-prefixed lowercase hex.
struct Hex {
  uint64_t value;
};

inline void appendTo(std::string &out, std::string_view s) { out += s; }
inline void appendTo(std::string &out, const char *s) { out += s; }
inline void appendTo(std::string &out, const std::string &s) { out += s; }
inline void appendTo(std::string &out, char c) { out += c; }
inline void appendTo(std::string &out, bool b) { out += b ? "true" : "false"; }
inline void appendTo(std::string &out, Hex h) {
  static const char kDigits[] = "0123456789abcdef";
  char buffer[16];
  int n = 0;
  uint64_t v = h.value;
  do {
    buffer[n++] = kDigits[v & 0xF];
    v >>= 4;
  } while (v != 0);
  out += "0x";
  while (n > 0)
    out += buffer[--n];
}
template <typename T, typename = std::enable_if_t<std::is_integral_v<T> &&
                                                  !std::is_same_v<T, bool> &&
                                                  !std::is_same_v<T, char>>>
void appendTo(std::string &out, T value) {
  out += std::to_string(value);
}

/// Concatenates strings, characters, integers and Hex values.
template <typename... Args> std::string strCat(const Args &...args) {
  std::string out;
  (appendTo(out, args), ...);
  return out;
}

/// Quotes and escapes arbitrary bytes for messages: "abc\x00".
std::string quoteBytes(const void *data, size_t size);

/// strerror_r, portable across the GNU and XSI variants.
std::string errnoText(int error);

/// Writes `size` bytes to `path` (created or truncated); Unavailable with the
/// errno text on any open/write/close failure.
Status writeWholeFile(const std::string &path, const void *data, size_t size);

} // namespace ssmrt::detail

#endif // SSMRT_SRC_CORE_STRINGS_H
