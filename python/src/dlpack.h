//===- dlpack.h - the DLPack ABI, declared here -------------------*- C++
//-*-===//
//
// Part of the ssmc project. Our own declarations of the (unversioned) DLPack
// C ABI, v0.6-v0.8 layout, as exchanged through the Python `__dlpack__`
// protocol: a PyCapsule named "dltensor" holding a DLManagedTensor*. A
// consumer that takes the tensor renames the capsule "used_dltensor" and
// calls `deleter` when done; an unconsumed capsule's destructor calls it.
// Only what the bindings use; the layout must match the public header
// (dmlc/dlpack include/dlpack/dlpack.h) exactly.
//
//===----------------------------------------------------------------------===//

#ifndef SSMC_PYTHON_DLPACK_H
#define SSMC_PYTHON_DLPACK_H

#include <cstdint>

namespace ssmc::dlpack {

enum DLDeviceType : int32_t {
  kDLCPU = 1,
  kDLCUDA = 2,
  kDLCUDAHost = 3,
  kDLOpenCL = 4,
  kDLVulkan = 7,
  kDLMetal = 8,
  kDLVPI = 9,
  kDLROCM = 10,
  kDLROCMHost = 11,
  kDLExtDev = 12,
  kDLCUDAManaged = 13,
  kDLOneAPI = 14,
};

struct DLDevice {
  DLDeviceType device_type;
  int32_t device_id;
};

enum DLDataTypeCode : uint8_t {
  kDLInt = 0,
  kDLUInt = 1,
  kDLFloat = 2,
  kDLOpaqueHandle = 3,
  kDLBfloat = 4,
  kDLComplex = 5,
  kDLBool = 6,
};

struct DLDataType {
  uint8_t code;   // DLDataTypeCode
  uint8_t bits;   // bits per lane
  uint16_t lanes; // 1 for scalars
};

struct DLTensor {
  void *data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t *shape;
  int64_t *strides; // in elements; null: compact row-major
  uint64_t byte_offset;
};

struct DLManagedTensor {
  DLTensor dl_tensor;
  void *manager_ctx;
  void (*deleter)(DLManagedTensor *self);
};

/// Capsule names of the Python protocol.
inline constexpr const char *kCapsuleName = "dltensor";
inline constexpr const char *kUsedCapsuleName = "used_dltensor";

} // namespace ssmc::dlpack

#endif // SSMC_PYTHON_DLPACK_H
