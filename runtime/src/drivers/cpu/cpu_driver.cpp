//===- cpu_driver.cpp - Loading CPU kernel objects ------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "cpu_driver.h"

#include "blas.h"

#include "../../core/strings.h"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <sys/mman.h>
#include <unistd.h>

namespace ssmrt::cpu {

using detail::errnoText;
using detail::strCat;

namespace {

thread_local ThreadPool *tlsCurrentPool = nullptr;

/// dlerror() is not thread-safe in all libcs; serialize dl* + dlerror pairs.
std::mutex &dlMutex() {
  static std::mutex mutex;
  return mutex;
}

std::string takeDlError() {
  const char *error = dlerror();
  return error ? std::string(error) : std::string("unknown dlerror");
}

Status writeAll(int fd, const void *data, size_t size,
                const std::string &what) {
  const auto *p = static_cast<const uint8_t *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return unavailableError(
          strCat("cannot write ", what, ": ", errnoText(errno)));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return okStatus();
}

/// Function pointers travel through void * (dlsym); memcpy keeps that
/// well-defined and free of -Wpedantic warnings.
template <typename Fn> Fn toFunction(void *p) {
  static_assert(sizeof(Fn) == sizeof(void *));
  Fn fn;
  std::memcpy(&fn, &p, sizeof(fn));
  return fn;
}
template <typename Fn> void *fromFunction(Fn fn) {
  static_assert(sizeof(Fn) == sizeof(void *));
  void *p;
  std::memcpy(&p, &fn, sizeof(p));
  return p;
}

std::atomic<uint64_t> gLoadCounter{0};

} // namespace

extern "C" void ssmrtCpuParallelFor(void (*kernel)(void *const *, int64_t,
                                                   int64_t),
                                    void *const *args, int64_t tiles) {
  if (tiles <= 0)
    return;
  ThreadPool *pool = tlsCurrentPool;
  if (!pool || tiles == 1) {
    kernel(args, 0, tiles);
    return;
  }
  pool->parallelFor(
      tiles, [kernel, args](int64_t b, int64_t e) { kernel(args, b, e); });
}

CurrentThreadPool::CurrentThreadPool(ThreadPool *pool)
    : previous_(tlsCurrentPool) {
  tlsCurrentPool = pool;
}

CurrentThreadPool::~CurrentThreadPool() { tlsCurrentPool = previous_; }

ThreadPool *currentThreadPool() { return tlsCurrentPool; }

//===----------------------------------------------------------------------===//
// SharedObject
//===----------------------------------------------------------------------===//

SharedObject::SharedObject(SharedObject &&other) noexcept
    : handle_(other.handle_), fd_(other.fd_), usedMemfd_(other.usedMemfd_) {
  other.handle_ = nullptr;
  other.fd_ = -1;
}

SharedObject &SharedObject::operator=(SharedObject &&other) noexcept {
  if (this != &other) {
    reset();
    handle_ = other.handle_;
    fd_ = other.fd_;
    usedMemfd_ = other.usedMemfd_;
    other.handle_ = nullptr;
    other.fd_ = -1;
  }
  return *this;
}

SharedObject::~SharedObject() { reset(); }

void SharedObject::reset() {
  if (handle_) {
    std::lock_guard<std::mutex> lock(dlMutex());
    dlclose(handle_);
    handle_ = nullptr;
  }
  // Close the memfd only after dlclose, so its /proc/self/fd/N name cannot
  // be reused by another load while this object is still registered.
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Expected<SharedObject> SharedObject::load(const void *data, size_t size,
                                          const std::string &label,
                                          LoadMethod method) {
  if (!data || size == 0)
    return invalidArgumentError(strCat(label, ": empty shared object"));
  uint64_t serial = gLoadCounter.fetch_add(1);
  SharedObject object;

  if (method != LoadMethod::TempFile) {
    std::string name = strCat("ssmrt-kernel-", serial);
    int fd = ::memfd_create(name.c_str(), MFD_CLOEXEC);
    if (fd < 0) {
      if (method == LoadMethod::Memfd)
        return unavailableError(
            strCat(label, ": memfd_create failed: ", errnoText(errno)));
    } else {
      object.fd_ = fd; // closed by ~SharedObject on any failure below
      SSMRT_RETURN_IF_ERROR(
          writeAll(fd, data, size, strCat(label, " to a memfd")));
      std::string path = strCat("/proc/self/fd/", fd);
      std::lock_guard<std::mutex> lock(dlMutex());
      void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle) {
        object.handle_ = handle;
        object.usedMemfd_ = true;
        return object;
      }
      std::string error = takeDlError();
      // Without /proc the path does not exist: fall back to a file.
      bool procMissing = ::access(path.c_str(), F_OK) != 0;
      if (method == LoadMethod::Memfd || !procMissing)
        return failedPreconditionError(
            strCat(label, ": dlopen failed: ", error));
    }
  }

  // Temporary file. The counter in the name keeps every name unique for the
  // life of the process, so dlopen can never mistake a new file for an
  // already loaded object of the same name.
  const char *dir = std::getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  std::string pattern =
      strCat(dir, "/ssmrt-kernel-", static_cast<long>(::getpid()), "-", serial,
             "-XXXXXX.so");
  std::vector<char> path(pattern.begin(), pattern.end());
  path.push_back('\0');
  int fd = ::mkstemps(path.data(), 3);
  if (fd < 0)
    return unavailableError(strCat(label, ": cannot create a temporary file ",
                                   "from '", pattern, "': ", errnoText(errno)));
  Status written =
      writeAll(fd, data, size, strCat(label, " to '", path.data(), "'"));
  ::close(fd);
  if (!written.ok()) {
    ::unlink(path.data());
    return written;
  }
  void *handle;
  std::string error;
  {
    std::lock_guard<std::mutex> lock(dlMutex());
    handle = dlopen(path.data(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      error = takeDlError();
  }
  ::unlink(path.data());
  if (!handle)
    return failedPreconditionError(strCat(label, ": dlopen failed: ", error));
  object.handle_ = handle;
  object.usedMemfd_ = false;
  if (object.fd_ >= 0) { // a memfd that could not be used
    ::close(object.fd_);
    object.fd_ = -1;
  }
  return object;
}

Expected<void *> SharedObject::symbol(const std::string &name) const {
  std::lock_guard<std::mutex> lock(dlMutex());
  dlerror(); // clear
  void *p = dlsym(handle_, name.c_str());
  if (!p) {
    const char *error = dlerror();
    return notFoundError(strCat("symbol '", name, "' not found",
                                error ? strCat(": ", error) : std::string()));
  }
  return p;
}

void *SharedObject::optionalSymbol(const std::string &name) const {
  std::lock_guard<std::mutex> lock(dlMutex());
  dlerror();
  void *p = dlsym(handle_, name.c_str());
  dlerror();
  return p;
}

//===----------------------------------------------------------------------===//
// CpuExecutable
//===----------------------------------------------------------------------===//

Expected<CpuExecutable> CpuExecutable::load(const format::ArtifactView &view,
                                            const std::string &deviceName,
                                            LoadMethod method) {
  CpuExecutable executable;
  // Library GEMMs: the hook goes in where a BLAS loads and SSMRT_GEMM allows;
  // without it the compiled loops run.
  SSMRT_ASSIGN_OR_RETURN(GemmMode gemmMode, gemmModeFromEnvironment());
  const Blas *blas = nullptr;
  if (gemmMode != GemmMode::Fallback) {
    Expected<const Blas *> loaded = Blas::get();
    if (loaded.ok())
      blas = *loaded;
    else if (gemmMode == GemmMode::Library)
      return loaded.status().withContext("SSMRT_GEMM=library");
  }
  executable.gemmLibrary = blas ? blas->path() : std::string();
  for (uint32_t i = 0; i < view.kernelObjectCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(format::KernelObject object, view.kernelObject(i));
    std::string label =
        strCat("kernel object ", i, " (", format::targetKindName(object.target),
               "/", format::binaryFormatName(object.format), ", chip '",
               object.chip, "', ", object.size, " bytes)");
    if (object.target != format::TargetKind::Cpu ||
        object.format != format::BinaryFormat::So)
      return failedPreconditionError(
          strCat(label, ": device '", deviceName,
                 "' runs only Cpu/So kernel objects; this artifact was "
                 "compiled for another target"));
    SSMRT_ASSIGN_OR_RETURN(SharedObject so,
                           SharedObject::load(object.data,
                                              static_cast<size_t>(object.size),
                                              label, method));
    if (void *hook = so.optionalSymbol(kParallelForHookSymbol)) {
      void *fn = fromFunction(&ssmrtCpuParallelFor);
      std::memcpy(hook, &fn, sizeof(fn));
    }
    if (void *hook = so.optionalSymbol(kGemmHookSymbol)) {
      void *fn = blas ? fromFunction(&ssmrtCpuGemm) : nullptr;
      std::memcpy(hook, &fn, sizeof(fn));
    }
    executable.objects.push_back(std::move(so));
  }
  for (uint32_t k = 0; k < view.kernelCount(); ++k) {
    SSMRT_ASSIGN_OR_RETURN(format::KernelInfo kernel, view.kernel(k));
    std::string name(kernel.name);
    if (kernel.objectIndex >= executable.objects.size())
      return internalError(strCat("kernel ", k, " '", name,
                                  "': kernel object index out of range"));
    Expected<void *> symbol =
        executable.objects[kernel.objectIndex].symbol(name);
    if (!symbol.ok())
      return notFoundError(strCat("kernel ", k, " '", name,
                                  "': ", symbol.status().message(),
                                  " in kernel object ", kernel.objectIndex));
    executable.kernels.push_back(toFunction<detail::KernelFn>(*symbol));
    executable.kernelNames.push_back(std::move(name));
  }
  return executable;
}

} // namespace ssmrt::cpu
