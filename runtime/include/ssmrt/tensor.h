//===- tensor.h - Host buffers, tensors and tensor descriptors --*- C++ -*-===//
//
// Part of the ssmc project. The value types of the runtime API:
//  - DType (the .ssmb dtype enum) with short names ("f32", "bf16", "i1") and
//    overflow-checked size arithmetic;
//  - TensorDesc: dtype + static dims + name (what a signature declares);
//  - TensorView: dtype + dims + a const pointer to caller memory (an input);
//  - Buffer: 64-byte aligned host bytes, owned or a view of caller memory;
//  - HostTensor: a Buffer with a dtype and dims (an output, an .npy file).
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_TENSOR_H
#define SSMRT_TENSOR_H

#include "ssmrt/format/artifact.h"
#include "ssmrt/status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ssmrt {

using DType = format::DType;

/// Alignment of every buffer the runtime allocates.
inline constexpr size_t kBufferAlignment = 64;

/// Short, MLIR-style element type names: "f32", "f16", "bf16", "f64", "i32",
/// "i64", "i8", "ui8", "i1" (Bool); "<invalid>" for values out of range.
const char *dtypeString(DType dtype);
/// Parses a short name. Also accepts "u8" (= ui8), "bool" (= i1) and
/// "float32"/"float16"/"float64"/"int32"/"int64"/"int8"/"uint8"/"bfloat16".
Expected<DType> parseDType(std::string_view name);
/// Bytes per element; 0 for invalid values.
inline uint32_t dtypeByteSize(DType dtype) { return format::dtypeSize(dtype); }

/// Product of `dims` (1 for rank 0). InvalidArgument for a negative dim or a
/// product that does not fit in 63 bits.
Expected<uint64_t> checkedElementCount(const std::vector<int64_t> &dims);
/// Element count times the dtype size, overflow-checked. InvalidArgument for
/// an invalid dtype, a negative dim or overflow.
Expected<uint64_t> checkedByteSize(DType dtype,
                                   const std::vector<int64_t> &dims);

/// "2x3xf32"; rank 0 gives "f32".
std::string typeString(DType dtype, const std::vector<int64_t> &dims);

/// A tensor as declared by a function signature.
struct TensorDesc {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> dims;

  uint64_t elementCount() const;
  uint64_t byteSize() const;
  /// "2x3xf32".
  std::string typeString() const { return ssmrt::typeString(dtype, dims); }
};

/// A read-only view of caller memory: an input to Module::invoke.
struct TensorView {
  DType dtype = DType::F32;
  std::vector<int64_t> dims;
  const void *data = nullptr;

  TensorView() = default;
  TensorView(DType elementType, std::vector<int64_t> shape, const void *pointer)
      : dtype(elementType), dims(std::move(shape)), data(pointer) {}
};

/// Host bytes: owned (64-byte aligned, released on destruction) or a
/// non-owning view of caller memory. Move-only.
class Buffer {
public:
  Buffer() = default;
  /// Allocates `bytes` bytes, 64-byte aligned, zero-filled. A zero-byte
  /// buffer still has a non-null, aligned data pointer. Errors:
  /// InvalidArgument for sizes beyond the limit, Unavailable when the host
  /// is out of memory.
  static Expected<Buffer> allocate(uint64_t bytes);
  /// A view of `bytes` bytes at `data` (not copied, not freed). `data` may be
  /// null only when `bytes` is 0.
  static Expected<Buffer> wrap(void *data, uint64_t bytes);

  Buffer(Buffer &&other) noexcept;
  Buffer &operator=(Buffer &&other) noexcept;
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  ~Buffer();

  uint8_t *data() { return data_; }
  const uint8_t *data() const { return data_; }
  uint64_t size() const { return size_; }
  bool ownsData() const { return owned_; }

  /// A deep, owned copy.
  Expected<Buffer> clone() const;

  /// The largest single allocation the runtime makes (1 TiB).
  static constexpr uint64_t kMaxBytes = uint64_t(1) << 40;

private:
  Buffer(uint8_t *data, uint64_t size, bool owned)
      : data_(data), size_(size), owned_(owned) {}
  void reset();

  uint8_t *data_ = nullptr;
  uint64_t size_ = 0;
  bool owned_ = false;
};

/// A dense, row-major (C order) tensor in host memory. Move-only.
class HostTensor {
public:
  HostTensor() = default;
  /// Owned, 64-byte aligned, zero-filled storage.
  static Expected<HostTensor> allocate(DType dtype, std::vector<int64_t> dims);
  /// A non-owning view of caller memory holding the tensor's bytes.
  static Expected<HostTensor> wrap(DType dtype, std::vector<int64_t> dims,
                                   void *data);
  /// An owned copy of a view.
  static Expected<HostTensor> copyOf(const TensorView &view);
  /// Takes `buffer`, which must hold exactly the tensor's byte size.
  static Expected<HostTensor> fromBuffer(DType dtype, std::vector<int64_t> dims,
                                         Buffer buffer);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &dims() const { return dims_; }
  size_t rank() const { return dims_.size(); }
  uint64_t elementCount() const { return elementCount_; }
  uint64_t byteSize() const { return buffer_.size(); }
  bool ownsData() const { return buffer_.ownsData(); }

  void *data() { return buffer_.data(); }
  const void *data() const { return buffer_.data(); }
  /// The data as T (the caller picks the T matching dtype()).
  template <typename T> T *dataAs() { return reinterpret_cast<T *>(data()); }
  template <typename T> const T *dataAs() const {
    return reinterpret_cast<const T *>(data());
  }

  TensorView view() const { return TensorView(dtype_, dims_, data()); }
  /// "2x3xf32".
  std::string typeString() const { return ssmrt::typeString(dtype_, dims_); }
  Expected<HostTensor> clone() const;

private:
  HostTensor(DType dtype, std::vector<int64_t> dims, uint64_t elements,
             Buffer buffer)
      : dtype_(dtype), dims_(std::move(dims)), elementCount_(elements),
        buffer_(std::move(buffer)) {}

  DType dtype_ = DType::F32;
  std::vector<int64_t> dims_;
  uint64_t elementCount_ = 0;
  Buffer buffer_;
};

} // namespace ssmrt

#endif // SSMRT_TENSOR_H
