//===- mapped_file.h - Read-only memory-mapped files ------------*- C++ -*-===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_CORE_MAPPED_FILE_H
#define SSMRT_CORE_MAPPED_FILE_H

#include "ssmrt/status.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace ssmrt {

/// A whole regular file mapped read-only (POSIX mmap, MAP_PRIVATE). Move-only;
/// unmaps on destruction. An empty file maps to data() == nullptr, size() == 0.
/// As with any mapping, truncating the file on disk while it is mapped makes
/// later reads fault (SIGBUS): do not rewrite artifacts in place.
class MappedFile {
public:
  /// Errors: NotFound (missing file or directory component), InvalidArgument
  /// (not a regular file), FailedPrecondition (permission denied),
  /// Unavailable (other open/mmap failures). Messages name the path and carry
  /// the errno text.
  static Expected<MappedFile> openReadOnly(const std::string &path);

  MappedFile(MappedFile &&other) noexcept;
  MappedFile &operator=(MappedFile &&other) noexcept;
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  ~MappedFile();

  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }
  const std::string &path() const { return path_; }

private:
  MappedFile(std::string path, const uint8_t *data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  void reset();

  std::string path_;
  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
};

} // namespace ssmrt

#endif // SSMRT_CORE_MAPPED_FILE_H
