//===- cpu_driver.h - Loading CPU kernel objects (private) ------*- C++ -*-===//
//
// Part of the ssmc project. A CPU kernel object is an ELF shared object
// embedded in the .ssmb. It is written to an anonymous memfd_create file and
// dlopen'ed as /proc/self/fd/N (fallback: a private mkstemp file in $TMPDIR,
// unlinked right after dlopen); each KernelMetadata record is then resolved
// with dlsym.
//
// Kernel ABI: extern "C" void kernel(void *const *args, int64_t tile_begin,
// int64_t tile_end).
//
// Parallel-for hook: an object that exports the pointer-sized global
// `ssmrt_cpu_parallel_for` gets, right after loading, the address of
//   void parallel_for(void (*kernel)(void *const *, int64_t, int64_t),
//                     void *const *args, int64_t tiles)
// which runs kernel over [0, tiles) on the thread pool of the invocation in
// progress on the calling thread (see CurrentThreadPool), or serially when
// there is none.
//
// GEMM hook: an object that exports `ssmrt_cpu_gemm` gets ssmrtCpuGemm
// (blas.h) where a BLAS loaded and SSMRT_GEMM is not "fallback"; else it
// stays null and the object's compiled loops run its GEMMs.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SRC_DRIVERS_CPU_CPU_DRIVER_H
#define SSMRT_SRC_DRIVERS_CPU_CPU_DRIVER_H

#include "../../core/executor.h"

#include "ssmrt/format/reader.h"
#include "ssmrt/status.h"
#include "ssmrt/thread_pool.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt::cpu {

/// Name of the exported hook global (see the file comment).
inline constexpr const char *kParallelForHookSymbol = "ssmrt_cpu_parallel_for";

enum class LoadMethod {
  Auto,     // memfd, falling back to a temporary file
  Memfd,    // memfd_create only
  TempFile, // mkstemp in $TMPDIR (or /tmp) only
};

/// One dlopen'ed shared object. Move-only; dlcloses on destruction.
class SharedObject {
public:
  /// Loads `size` bytes of ELF shared object. `label` prefixes errors
  /// ("kernel object 0"). dlopen failures carry dlerror() text.
  static Expected<SharedObject> load(const void *data, size_t size,
                                     const std::string &label,
                                     LoadMethod method = LoadMethod::Auto);

  SharedObject(SharedObject &&other) noexcept;
  SharedObject &operator=(SharedObject &&other) noexcept;
  SharedObject(const SharedObject &) = delete;
  SharedObject &operator=(const SharedObject &) = delete;
  ~SharedObject();

  /// dlsym; NotFound with dlerror() text if absent.
  Expected<void *> symbol(const std::string &name) const;
  /// dlsym that treats absence as "nullptr" (for optional symbols).
  void *optionalSymbol(const std::string &name) const;

  /// How it was loaded: "memfd" or "tempfile".
  const char *method() const { return usedMemfd_ ? "memfd" : "tempfile"; }

private:
  SharedObject() = default;
  void reset();

  void *handle_ = nullptr;
  int fd_ = -1; // the memfd, kept open while loaded so /proc/self/fd/N
                // stays unique among loaded objects
  bool usedMemfd_ = false;
};

/// All CPU kernel objects and kernels of a module.
struct CpuExecutable {
  std::vector<SharedObject> objects;     // per KernelObject record
  std::vector<detail::KernelFn> kernels; // per KernelMetadata record
  std::vector<std::string> kernelNames;
  /// The BLAS the kernel objects' library GEMMs call (blas.h); empty where
  /// the compiled loops run them (none loaded, or SSMRT_GEMM=fallback).
  std::string gemmLibrary;

  /// Loads every kernel object (all must be Cpu/So) and resolves every
  /// kernel. Installs the parallel-for hook where exported.
  static Expected<CpuExecutable> load(const format::ArtifactView &view,
                                      const std::string &deviceName,
                                      LoadMethod method = LoadMethod::Auto);
};

/// Makes `pool` the pool used by the parallel-for hook on this thread for
/// the lifetime of the object (restores the previous one after).
class CurrentThreadPool {
public:
  explicit CurrentThreadPool(ThreadPool *pool);
  ~CurrentThreadPool();
  CurrentThreadPool(const CurrentThreadPool &) = delete;
  CurrentThreadPool &operator=(const CurrentThreadPool &) = delete;

private:
  ThreadPool *previous_;
};

/// The pool CurrentThreadPool made current on this thread (or null).
ThreadPool *currentThreadPool();

/// The hook itself (exposed for tests).
extern "C" void ssmrtCpuParallelFor(void (*kernel)(void *const *, int64_t,
                                                   int64_t),
                                    void *const *args, int64_t tiles);

} // namespace ssmrt::cpu

#endif // SSMRT_SRC_DRIVERS_CPU_CPU_DRIVER_H
