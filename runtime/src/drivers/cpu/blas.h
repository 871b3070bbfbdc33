//===- blas.h - A BLAS through dlopen, for the CPU's library GEMMs -*- C++ -*-//
//
// Part of the ssmc project. The CPU counterpart of cuBLASLt: a BLAS found at
// run time (SSMRT_BLAS, then OpenBLAS, then BLIS; our own declarations, no
// BLAS headers) runs the GEMMs the compiler offers through the kernel
// object's hook `ssmrt_cpu_gemm` (convert-linalg-to-cpu-gemm), each
// described by a LibraryCallRecord of the .ssmb format (f32, row-major C,
// operands with one unit stride), as cblas_sgemm calls. The library is
// loaded as a private instance where it can (dlmopen into a new link-map
// namespace; PyTorch in the same process may use the same OpenBLAS, whose
// thread count is process-wide), runs single-threaded, and the runtime's
// own thread pool (that of the invocation in progress) splits each GEMM
// into blocks, one library call per block, so no library threads compete
// with the pool's. Where the library cannot run a call (or none loads, or
// SSMRT_GEMM=fallback) the compiled loops run instead.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SRC_DRIVERS_CPU_BLAS_H
#define SSMRT_SRC_DRIVERS_CPU_BLAS_H

#include "ssmrt/format/artifact.h"
#include "ssmrt/status.h"
#include "ssmrt/thread_pool.h"

#include <cstdint>
#include <string>

namespace ssmrt::cpu {

/// Name of the exported hook global of kernel objects with library GEMMs.
inline constexpr const char *kGemmHookSymbol = "ssmrt_cpu_gemm";

/// SSMRT_GEMM: auto (the BLAS where one loads, else the compiled loops),
/// library (an error at module load where no BLAS loads), fallback (always
/// the compiled loops).
enum class GemmMode { Auto, Library, Fallback };
/// The mode SSMRT_GEMM asks for; InvalidArgument for another value.
Expected<GemmMode> gemmModeFromEnvironment();

class Blas {
public:
  /// The BLAS, loaded on first use: the file SSMRT_BLAS names (when set),
  /// else libopenblas.so.0, else libblis.so.4; privately where it can.
  /// Unavailable where none loads or one lacks cblas_sgemm.
  static Expected<const Blas *> get();

  /// The file that was loaded.
  const std::string &path() const { return path_; }
  /// Whether it is a private instance (dlmopen), which runs single-threaded
  /// and whose GEMMs the pool splits; else the process's shared one.
  bool isPrivate() const { return private_; }

  /// Whether `call` is a GEMM this class runs (f32, layouts a BLAS takes).
  static bool supports(const format::LibraryCallRecord &call);

  /// C = A * B (C += A * B with `accumulate`) per batch matrix; false
  /// (nothing written) where !supports(call). With a `pool` of more than
  /// one thread, a large enough GEMM is split over it: by batch matrices
  /// where there are enough, else into blocks of rows (m) or columns (n),
  /// whichever is longer, one single-threaded library call per block.
  bool gemm(const format::LibraryCallRecord &call, const float *a,
            const float *b, float *c, bool accumulate,
            ThreadPool *pool = nullptr) const;

private:
  using Sgemm = void(int, int, int, int, int, int, float, const float *, int,
                     const float *, int, float, float *, int);
  Blas() = default;
  Sgemm *sgemm_ = nullptr;
  std::string path_;
  bool private_ = false;
};

/// The hook itself (exposed for tests): Blas::get()->gemm(...) on the
/// calling thread's current pool (CurrentThreadPool), 0 where it did
/// nothing.
extern "C" int32_t ssmrtCpuGemm(const format::LibraryCallRecord *call,
                                const float *a, const float *b, float *c,
                                int32_t accumulate);

} // namespace ssmrt::cpu

#endif // SSMRT_SRC_DRIVERS_CPU_BLAS_H
