//===- cuda_decls.h - the CUDA driver API declarations we use ----*- C++
//-*-===//
//
// Our own minimal declarations (no CUDA SDK needed to build): only the types
// and entry points of cuda_symbols.inc, with the driver API's ABI.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_DRIVERS_CUDA_CUDA_DECLS_H
#define SSMRT_DRIVERS_CUDA_CUDA_DECLS_H

#include <cstddef>
#include <cstdint>

namespace ssmrt::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
using CUgraph = struct CUgraph_st *;
using CUgraphExec = struct CUgraphExec_st *;

inline constexpr CUresult CUDA_SUCCESS = 0;
inline constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
/// CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / MINOR.
inline constexpr int kAttrComputeCapabilityMajor = 75;
inline constexpr int kAttrComputeCapabilityMinor = 76;
/// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES.
inline constexpr int kFuncAttrMaxDynamicSharedSizeBytes = 8;
/// CU_STREAM_NON_BLOCKING (cuStreamCreate flag).
inline constexpr unsigned kStreamNonBlocking = 1;
/// CU_STREAM_CAPTURE_MODE_THREAD_LOCAL.
inline constexpr int kCaptureModeThreadLocal = 1;
/// CU_POINTER_ATTRIBUTE_MEMORY_TYPE / DEVICE_ORDINAL.
inline constexpr int kPointerAttrMemoryType = 2;
inline constexpr int kPointerAttrDeviceOrdinal = 9;
/// CUmemorytype: CU_MEMORYTYPE_HOST / DEVICE / UNIFIED.
inline constexpr unsigned kMemoryTypeHost = 1;
inline constexpr unsigned kMemoryTypeDevice = 2;
inline constexpr unsigned kMemoryTypeUnified = 4;

} // namespace ssmrt::cuda

#endif // SSMRT_DRIVERS_CUDA_CUDA_DECLS_H
