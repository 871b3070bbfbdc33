//===- cublaslt.h - cuBLASLt through dlopen, for library GEMMs ---*- C++
//-*-===//
//
// Part of the ssmc project. The NVIDIA GEMM library, loaded at run time
// (libcublasLt.so.13, .12, .11, then libcublasLt.so) with our own minimal
// declarations (no CUDA headers): one handle and one workspace per device,
// a plan (descriptors + the heuristic's algorithm) per distinct GEMM, cached.
// The compiler's row-major C = A * B is run as the column-major C^T = B^T A^T
// (the library's "m" is our n), so a bias along n is the library's bias
// epilogue; compute type CUBLAS_COMPUTE_32F (full f32 products and sums, no
// TF32 down-conversion), f32 or bf16 / f16 inputs, f32 output, or bf16 / f16
// inputs with an output of their type (rounded once, as it is stored).
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SRC_DRIVERS_CUDA_CUBLASLT_H
#define SSMRT_SRC_DRIVERS_CUDA_CUBLASLT_H

#include "ssmrt/format/reader.h"
#include "ssmrt/status.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ssmrt::cuda {

struct CublasLtSymbols;

class CublasLt {
public:
  /// dlopens the library and creates a handle (the CUDA context must be
  /// current). Unavailable when the library is missing or unusable.
  static Expected<std::unique_ptr<CublasLt>> load();
  ~CublasLt();

  /// The library's version (e.g. 130100) and the file that was loaded.
  size_t version() const { return version_; }
  const std::string &path() const { return path_; }

  /// Whether the library can run `call` exactly as described (layouts,
  /// dtypes, epilogue); false means: run the compiler's kernel.
  static bool supports(const format::LibraryCallInfo &call);

  /// Queues the GEMM on `stream` (a CUstream; the context is current).
  /// Operands are device addresses whose extents the caller checked. Returns
  /// false when the library finds no algorithm for it (nothing was queued).
  /// `workspace` / `workspaceBytes`: device scratch the library may use.
  Expected<bool> gemm(const format::LibraryCallInfo &call, uint64_t a,
                      uint64_t b, uint64_t c, uint64_t bias, void *stream,
                      uint64_t workspace, uint64_t workspaceBytes);

private:
  struct Plan;
  CublasLt() = default;
  Status check(int status, const char *what) const;
  /// `alignA` / `alignB` / `alignC`: the bytes the operands' pointers are
  /// aligned to (a view's may be less than an allocation's).
  Expected<Plan *> plan(const format::LibraryCallInfo &call,
                        uint64_t workspaceBytes, uint32_t alignA,
                        uint32_t alignB, uint32_t alignC);

  void *library_ = nullptr;
  std::unique_ptr<CublasLtSymbols> symbols_;
  void *handle_ = nullptr;
  size_t version_ = 0;
  std::string path_;
  /// Per GEMM (its descriptor without operands): the library's descriptors
  /// and algorithm, or none (the library found no algorithm).
  std::map<std::vector<uint64_t>, std::unique_ptr<Plan>> plans_;
};

} // namespace ssmrt::cuda

#endif // SSMRT_SRC_DRIVERS_CUDA_CUBLASLT_H
