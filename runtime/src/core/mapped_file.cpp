//===- mapped_file.cpp - Read-only memory-mapped files -------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/core/mapped_file.h"

#include "strings.h"

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ssmrt {

using detail::errnoText;
using detail::strCat;

namespace {

Status statusFromErrno(int error, const std::string &what) {
  std::string message = strCat(what, ": ", errnoText(error));
  switch (error) {
  case ENOENT:
  case ENOTDIR:
    return notFoundError(std::move(message));
  case EACCES:
  case EPERM:
    return failedPreconditionError(std::move(message));
  case EISDIR:
    return invalidArgumentError(std::move(message));
  default:
    return unavailableError(std::move(message));
  }
}

/// Closes a file descriptor when it goes out of scope.
class FdCloser {
public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  FdCloser(const FdCloser &) = delete;
  FdCloser &operator=(const FdCloser &) = delete;

private:
  int fd_;
};

} // namespace

Expected<MappedFile> MappedFile::openReadOnly(const std::string &path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return statusFromErrno(errno, strCat("cannot open '", path, "'"));
  FdCloser closer(fd);

  struct stat st;
  if (::fstat(fd, &st) != 0)
    return statusFromErrno(errno, strCat("cannot stat '", path, "'"));
  if (!S_ISREG(st.st_mode))
    return invalidArgumentError(
        strCat("cannot map '", path, "': not a regular file"));
  if (st.st_size < 0 ||
      static_cast<uint64_t>(st.st_size) > static_cast<uint64_t>(SIZE_MAX))
    return outOfRangeError(strCat("cannot map '", path, "': file is ",
                                  static_cast<int64_t>(st.st_size),
                                  " bytes, too large for this process"));
  size_t size = static_cast<size_t>(st.st_size);
  if (size == 0)
    return MappedFile(path, nullptr, 0);

  void *addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (addr == MAP_FAILED)
    return statusFromErrno(errno, strCat("cannot mmap '", path, "'"));
  return MappedFile(path, static_cast<const uint8_t *>(addr), size);
}

MappedFile::MappedFile(MappedFile &&other) noexcept
    : path_(std::move(other.path_)), data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile &MappedFile::operator=(MappedFile &&other) noexcept {
  if (this != &other) {
    reset();
    path_ = std::move(other.path_);
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() { reset(); }

void MappedFile::reset() {
  if (data_ != nullptr)
    ::munmap(const_cast<uint8_t *>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

} // namespace ssmrt
