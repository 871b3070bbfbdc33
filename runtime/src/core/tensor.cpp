//===- tensor.cpp - Host buffers and tensors ------------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/tensor.h"

#include "strings.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace ssmrt {

using detail::strCat;

namespace {
/// "2x3" (rank 0: "scalar").
std::string shapeString(const std::vector<int64_t> &dims) {
  if (dims.empty())
    return "scalar";
  std::string out;
  for (size_t i = 0; i < dims.size(); ++i)
    out += strCat(i ? "x" : "", dims[i]);
  return out;
}
} // namespace

const char *dtypeString(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::I8:
    return "i8";
  case DType::U8:
    return "ui8";
  case DType::Bool:
    return "i1";
  }
  return "<invalid>";
}

Expected<DType> parseDType(std::string_view name) {
  struct Alias {
    const char *name;
    DType dtype;
  };
  static const Alias kAliases[] = {
      {"f32", DType::F32},   {"float32", DType::F32},
      {"f16", DType::F16},   {"float16", DType::F16},
      {"bf16", DType::BF16}, {"bfloat16", DType::BF16},
      {"f64", DType::F64},   {"float64", DType::F64},
      {"i32", DType::I32},   {"int32", DType::I32},
      {"i64", DType::I64},   {"int64", DType::I64},
      {"i8", DType::I8},     {"int8", DType::I8},
      {"ui8", DType::U8},    {"u8", DType::U8},
      {"uint8", DType::U8},  {"i1", DType::Bool},
      {"bool", DType::Bool},
  };
  for (const Alias &alias : kAliases)
    if (name == alias.name)
      return alias.dtype;
  return invalidArgumentError(
      strCat("unknown element type '", name,
             "' (expected f32, f16, bf16, f64, i32, i64, i8, ui8 or i1)"));
}

Expected<uint64_t> checkedElementCount(const std::vector<int64_t> &dims) {
  if (dims.size() > format::kMaxRank)
    return invalidArgumentError(strCat(
        "rank ", dims.size(), " exceeds the maximum rank ", format::kMaxRank));
  bool anyZero = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0)
      return invalidArgumentError(
          strCat("dimension ", i, " is negative (", dims[i], ")"));
    anyZero |= dims[i] == 0;
  }
  if (anyZero)
    return uint64_t(0);
  constexpr uint64_t kLimit = uint64_t(std::numeric_limits<int64_t>::max());
  uint64_t count = 1;
  for (int64_t dim : dims) {
    uint64_t d = static_cast<uint64_t>(dim);
    if (count > kLimit / d)
      return invalidArgumentError(strCat(
          "element count of shape ", shapeString(dims), " overflows 63 bits"));
    count *= d;
  }
  return count;
}

Expected<uint64_t> checkedByteSize(DType dtype,
                                   const std::vector<int64_t> &dims) {
  uint32_t size = format::dtypeSize(dtype);
  if (size == 0)
    return invalidArgumentError(
        strCat("invalid dtype value ", static_cast<uint32_t>(dtype)));
  SSMRT_ASSIGN_OR_RETURN(uint64_t count, checkedElementCount(dims));
  constexpr uint64_t kLimit = uint64_t(std::numeric_limits<int64_t>::max());
  if (count > kLimit / size)
    return invalidArgumentError(
        strCat("byte size of ", typeString(dtype, dims), " overflows 63 bits"));
  return count * size;
}

std::string typeString(DType dtype, const std::vector<int64_t> &dims) {
  std::string out;
  for (int64_t d : dims)
    out += strCat(d, "x");
  out += dtypeString(dtype);
  return out;
}

uint64_t TensorDesc::elementCount() const {
  Expected<uint64_t> count = checkedElementCount(dims);
  return count.ok() ? *count : 0;
}

uint64_t TensorDesc::byteSize() const {
  Expected<uint64_t> bytes = checkedByteSize(dtype, dims);
  return bytes.ok() ? *bytes : 0;
}

//===----------------------------------------------------------------------===//
// Buffer
//===----------------------------------------------------------------------===//

Expected<Buffer> Buffer::allocate(uint64_t bytes) {
  if (bytes > kMaxBytes)
    return invalidArgumentError(strCat("cannot allocate ", bytes,
                                       " bytes: more than the ", kMaxBytes,
                                       "-byte limit of one buffer"));
  // aligned_alloc wants a multiple of the alignment; allocate at least one
  // block so that even an empty buffer has a valid, aligned pointer.
  uint64_t rounded =
      (bytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  if (rounded == 0)
    rounded = kBufferAlignment;
  void *data =
      std::aligned_alloc(kBufferAlignment, static_cast<size_t>(rounded));
  if (!data)
    return unavailableError(
        strCat("out of host memory: cannot allocate ", bytes, " bytes"));
  std::memset(data, 0, static_cast<size_t>(rounded));
  return Buffer(static_cast<uint8_t *>(data), bytes, /*owned=*/true);
}

Expected<Buffer> Buffer::wrap(void *data, uint64_t bytes) {
  if (!data && bytes != 0)
    return invalidArgumentError(
        strCat("cannot wrap a null pointer as a buffer of ", bytes, " bytes"));
  return Buffer(static_cast<uint8_t *>(data), bytes, /*owned=*/false);
}

Buffer::Buffer(Buffer &&other) noexcept
    : data_(other.data_), size_(other.size_), owned_(other.owned_) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.owned_ = false;
}

Buffer &Buffer::operator=(Buffer &&other) noexcept {
  if (this != &other) {
    reset();
    data_ = other.data_;
    size_ = other.size_;
    owned_ = other.owned_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.owned_ = false;
  }
  return *this;
}

Buffer::~Buffer() { reset(); }

void Buffer::reset() {
  if (owned_)
    std::free(data_);
  data_ = nullptr;
  size_ = 0;
  owned_ = false;
}

Expected<Buffer> Buffer::clone() const {
  SSMRT_ASSIGN_OR_RETURN(Buffer copy, allocate(size_));
  if (size_ != 0)
    std::memcpy(copy.data(), data_, static_cast<size_t>(size_));
  return copy;
}

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

Expected<HostTensor> HostTensor::allocate(DType dtype,
                                          std::vector<int64_t> dims) {
  SSMRT_ASSIGN_OR_RETURN(uint64_t bytes, checkedByteSize(dtype, dims));
  SSMRT_ASSIGN_OR_RETURN(Buffer buffer, Buffer::allocate(bytes));
  uint64_t elements = bytes / dtypeByteSize(dtype);
  return HostTensor(dtype, std::move(dims), elements, std::move(buffer));
}

Expected<HostTensor> HostTensor::wrap(DType dtype, std::vector<int64_t> dims,
                                      void *data) {
  SSMRT_ASSIGN_OR_RETURN(uint64_t bytes, checkedByteSize(dtype, dims));
  SSMRT_ASSIGN_OR_RETURN(Buffer buffer, Buffer::wrap(data, bytes));
  uint64_t elements = bytes / dtypeByteSize(dtype);
  return HostTensor(dtype, std::move(dims), elements, std::move(buffer));
}

Expected<HostTensor> HostTensor::copyOf(const TensorView &view) {
  SSMRT_ASSIGN_OR_RETURN(HostTensor tensor, allocate(view.dtype, view.dims));
  if (tensor.byteSize() != 0) {
    if (!view.data)
      return invalidArgumentError(
          strCat("cannot copy a ", ssmrt::typeString(view.dtype, view.dims),
                 " tensor from a null pointer"));
    std::memcpy(tensor.data(), view.data,
                static_cast<size_t>(tensor.byteSize()));
  }
  return tensor;
}

Expected<HostTensor>
HostTensor::fromBuffer(DType dtype, std::vector<int64_t> dims, Buffer buffer) {
  SSMRT_ASSIGN_OR_RETURN(uint64_t bytes, checkedByteSize(dtype, dims));
  if (bytes != buffer.size())
    return invalidArgumentError(
        strCat("a ", ssmrt::typeString(dtype, dims), " tensor needs ", bytes,
               " bytes, the buffer holds ", buffer.size()));
  uint64_t elements = bytes / dtypeByteSize(dtype);
  return HostTensor(dtype, std::move(dims), elements, std::move(buffer));
}

Expected<HostTensor> HostTensor::clone() const {
  SSMRT_ASSIGN_OR_RETURN(Buffer copy, buffer_.clone());
  return HostTensor(dtype_, dims_, elementCount_, std::move(copy));
}

} // namespace ssmrt
