//===- safetensors_fuzzer.cpp - libFuzzer target: the safetensors reader -===//
//
// Part of the ssmc project. Each input is a .safetensors file:
// safetensors::parse, and for every file it accepts, serialize + parse
// again, which must give the same names, dtypes, dims, bytes and metadata
// (a mismatch aborts, so the fuzzer reports it).
//
//===----------------------------------------------------------------------===//

#include "ssmrt/safetensors.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace ssmrt;

namespace {
[[noreturn]] void fail(const char *what, const std::string &detail) {
  std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
  std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Expected<safetensors::File> file = safetensors::parse(data, size);
  if (!file.ok())
    return 0;
  std::vector<std::pair<std::string, TensorView>> views;
  for (const auto &[name, tensor] : file->tensors)
    views.emplace_back(name, tensor.view());
  Expected<std::vector<uint8_t>> bytes =
      safetensors::serialize(views, file->metadata);
  if (!bytes.ok())
    fail("serialize failed", bytes.status().toString());
  Expected<safetensors::File> again =
      safetensors::parse(bytes->data(), bytes->size());
  if (!again.ok())
    fail("the serialized file does not parse", again.status().toString());
  if (again->metadata != file->metadata ||
      again->tensors.size() != file->tensors.size())
    fail("round trip changed the file", "metadata or tensor count");
  for (size_t i = 0; i < file->tensors.size(); ++i) {
    const auto &[name, t] = file->tensors[i];
    const auto &[name2, t2] = again->tensors[i];
    if (name != name2 || t.dtype() != t2.dtype() || t.dims() != t2.dims() ||
        t.byteSize() != t2.byteSize() ||
        (t.byteSize() != 0 &&
         std::memcmp(t.data(), t2.data(), t.byteSize()) != 0))
      fail("round trip changed tensor", name);
  }
  return 0;
}
