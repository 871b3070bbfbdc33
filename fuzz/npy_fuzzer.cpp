//===- npy_fuzzer.cpp - libFuzzer target: the .npy reader
//------------------===//
//
// Part of the ssmc project. Each input is an .npy file: npy::parse, and for
// every file it accepts, serialize + parse again, which must give the same
// dtype, dims and bytes (a mismatch aborts, so the fuzzer reports it).
//
//===----------------------------------------------------------------------===//

#include "ssmrt/npy.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace ssmrt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Expected<HostTensor> tensor = npy::parse(data, size);
  if (!tensor.ok())
    return 0;
  Expected<std::vector<uint8_t>> bytes = npy::serialize(tensor->view());
  if (!bytes.ok()) {
    std::fprintf(stderr, "serialize failed: %s\n",
                 bytes.status().toString().c_str());
    std::abort();
  }
  Expected<HostTensor> again = npy::parse(bytes->data(), bytes->size());
  if (!again.ok() || again->dtype() != tensor->dtype() ||
      again->dims() != tensor->dims() ||
      again->byteSize() != tensor->byteSize() ||
      (tensor->byteSize() != 0 &&
       std::memcmp(again->data(), tensor->data(), tensor->byteSize()) != 0)) {
    std::fprintf(stderr, "round trip changed the tensor: %s\n",
                 again.ok() ? again->typeString().c_str()
                            : again.status().toString().c_str());
    std::abort();
  }
  return 0;
}
