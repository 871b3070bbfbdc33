//===- jpeg_fuzzer.cpp - libFuzzer target: the JPEG decoder ---------------===//
//
// Part of the ssmc project. Each input is a JPEG file (see image_fuzzer.h).
//
//===----------------------------------------------------------------------===//

#include "image_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ssmc_fuzz::fuzzImage(&ssmrt::decodeJpeg, false, data, size);
  return 0;
}
