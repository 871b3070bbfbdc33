//===- strings.cpp - Message formatting helpers --------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "strings.h"

#include <cerrno>
#include <cstdio>

#include <cstring>

namespace ssmrt::detail {

std::string quoteBytes(const void *data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  const auto *bytes = static_cast<const unsigned char *>(data);
  std::string out = "\"";
  for (size_t i = 0; i < size; ++i) {
    unsigned char c = bytes[i];
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 0xF];
    }
  }
  out += '"';
  return out;
}

namespace {
// strerror_r is XSI (returns int) or GNU (returns char *) depending on the
// libc and feature macros; overloads pick the right interpretation.
[[maybe_unused]] const char *strerrorResult(int rc, const char *buffer) {
  return rc == 0 ? buffer : nullptr;
}
[[maybe_unused]] const char *strerrorResult(const char *result,
                                            const char * /*buffer*/) {
  return result;
}
} // namespace

std::string errnoText(int error) {
  char buffer[256];
  buffer[0] = '\0';
  const char *text =
      strerrorResult(strerror_r(error, buffer, sizeof(buffer)), buffer);
  if (!text || !*text)
    return strCat("errno ", error);
  return text;
}

Status writeWholeFile(const std::string &path, const void *data, size_t size) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return unavailableError(
        strCat("cannot open '", path, "' for writing: ", errnoText(errno)));
  size_t written = size == 0 ? 0 : std::fwrite(data, 1, size, f);
  int writeError = written == size ? 0 : errno;
  if (std::fclose(f) != 0 && writeError == 0)
    writeError = errno == 0 ? EIO : errno;
  if (writeError != 0 || written != size)
    return unavailableError(strCat("cannot write '", path, "': ",
                                   errnoText(writeError ? writeError : EIO)));
  return okStatus();
}

} // namespace ssmrt::detail
