//===- safetensors.h - .safetensors read / write ------------------*- C++
//-*-===//
//
// The format: an 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]}, ...,
//    "__metadata__": {"key": "value", ...}}
// then the data area; offsets are relative to the data area, tensors are C
// order and must not overlap. Every field is validated (sizes, offsets,
// overflow, JSON syntax, duplicate names, unknown dtypes): a corrupt file is
// a clear error, never an out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SAFETENSORS_H
#define SSMRT_SAFETENSORS_H

#include "ssmrt/status.h"
#include "ssmrt/tensor.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ssmrt::safetensors {

/// Named tensors in name order, plus the optional string metadata.
struct File {
  std::vector<std::pair<std::string, HostTensor>> tensors;
  std::map<std::string, std::string> metadata;
};

/// Headers larger than this are rejected (the reference implementation uses
/// the same bound).
inline constexpr uint64_t kMaxHeaderBytes = 100u << 20;

Expected<File> parse(const uint8_t *data, size_t size);
/// Reads a file. Errors are prefixed with "'<path>': ".
Expected<File> read(const std::string &path);

/// Serializes tensors (names must be unique and non-empty); the header is
/// padded with spaces so the data area starts at a multiple of 8 bytes.
Expected<std::vector<uint8_t>>
serialize(const std::vector<std::pair<std::string, TensorView>> &tensors,
          const std::map<std::string, std::string> &metadata = {});
Status write(const std::string &path,
             const std::vector<std::pair<std::string, TensorView>> &tensors,
             const std::map<std::string, std::string> &metadata = {});

} // namespace ssmrt::safetensors

#endif // SSMRT_SAFETENSORS_H
