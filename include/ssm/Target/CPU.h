//===- CPU.h - the CPU target: entry wrappers, object, shared object -*- C++
//-*-===//
//
// CPU kernel ABI (what the runtime's CPU driver calls):
//   void <entry>_ssm_entry(void *const *args, int64_t tile_begin, int64_t
//   tile_end)
// args[i] points at the data of argument i of the entry function (inputs, then
// outputs, contiguous row-major); a whole-function kernel has one tile.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_TARGET_CPU_H
#define SSM_TARGET_CPU_H

#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace mlir::ssm {

/// Suffix of the exported kernel symbol of an entry function.
inline constexpr const char *kCPUEntrySuffix = "_ssm_entry";
/// Suffix of the exported i64 workspace size of an entry function.
inline constexpr const char *kCPUWorkspaceSuffix = "_ssm_workspace_bytes";

/// Exported pointer-sized global of every kernel object with parallel loops.
/// The runtime stores into it, after loading, a function
///   void parallel_for(void (*kernel)(void *const *args, int64_t begin,
///                                    int64_t end),
///                     void *const *args, int64_t tiles)
/// that runs kernel over [0, tiles) on its thread pool; while it is null the
/// loops run serially on the calling thread.
inline constexpr const char *kCPUParallelForHook = "ssmrt_cpu_parallel_for";

/// Exported pointer-sized global of every kernel object with library GEMMs
/// (convert-linalg-to-cpu-gemm). The runtime stores into it, after loading,
/// a function
///   int32_t gemm(const ssmrt::format::LibraryCallRecord *call,
///                const float *a, const float *b, float *c,
///                int32_t accumulate)
/// that computes C = A * B (C += A * B with accumulate) as `call` describes
/// and returns 1, or returns 0 without touching C; while it is null (no
/// library, SSMRT_GEMM=fallback) the compiled loops run.
inline constexpr const char *kCPUGemmHook = "ssmrt_cpu_gemm";
/// The declaration convert-linalg-to-cpu-gemm calls:
///   i32 __ssm_cpu_gemm(index record, index a, index b, index c,
///                      i32 accumulate)
/// (addresses as integers), lowered by addCPUEntryWrappers onto the hook.
inline constexpr const char *kCPUGemmCallee = "__ssm_cpu_gemm";

struct CPUTargetOptions {
  /// LLVM CPU name, or "host" for this machine's CPU and features.
  std::string cpu = "host";
  /// ld.lld to link with; empty: search PATH, then the LLVM tools directory.
  std::string linker;
  /// LLVM optimization level (0-3), of the IR pipeline and of codegen.
  unsigned optLevel = 3;
};

/// The SIMD unit of the CPU `options.cpu` names ("host": this machine), as
/// the CPU scan plans see it: AVX-512 (512 bits, 32 registers, vscalefps
/// ldexp), AVX / AVX2 (256, 16), else SSE (128, 16).
CPUVectorInfo getCPUVectorInfo(const CPUTargetOptions &options);

/// Adds the ABI wrapper of each named entry function to an LLVM-dialect module
/// (entries lowered with the bare-pointer calling convention), and lowers the
/// dispatch calls left by ssm-outline-parallel-loops onto kCPUParallelForHook
/// and the library GEMM calls of convert-linalg-to-cpu-gemm onto kCPUGemmHook.
/// Each entry also exports `<entry>_ssm_workspace_bytes`, an i64 constant: the
/// size of the workspace its last argument expects (0: no workspace argument).
LogicalResult
addCPUEntryWrappers(ModuleOp module,
                    ArrayRef<std::pair<std::string, uint64_t>> entries);

/// Wall-clock milliseconds of emitCPUSharedObject's steps.
struct CPUBinaryTimes {
  double translate = 0, optimize = 0, codegen = 0, link = 0;
};

/// Translates an LLVM-dialect module to LLVM IR, optimizes it, emits an x86-64
/// object and links it into a shared object; returns the .so bytes. Records
/// the steps' times in `times` when given.
FailureOr<std::vector<char>>
emitCPUSharedObject(ModuleOp module, const CPUTargetOptions &options,
                    std::string &chip, CPUBinaryTimes *times = nullptr);

} // namespace mlir::ssm

#endif // SSM_TARGET_CPU_H
