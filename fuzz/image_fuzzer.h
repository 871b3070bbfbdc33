//===- image_fuzzer.h - Shared body of the PNG and JPEG targets -*- C++ -*-===//
//
// Part of the ssmc project. Decodes the input twice (with and without the
// checksums a format has, so CRC mismatches do not stop every mutation),
// checks the decoded image's size, and runs the classifier preprocessing
// (bicubic resize, center crop, normalize) on small results. maxPixels
// bounds the output allocation (4M pixels, 12 MB) so -rss_limit_mb holds.
//
//===----------------------------------------------------------------------===//

#ifndef SSMC_FUZZ_IMAGE_FUZZER_H
#define SSMC_FUZZ_IMAGE_FUZZER_H

#include "ssmrt/image.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace ssmc_fuzz {

using Decoder = ssmrt::Expected<ssmrt::Image> (*)(const uint8_t *, size_t,
                                                  const ssmrt::DecodeOptions &);

/// `checksums`: the format has checksums (PNG), so decode without too.
inline void fuzzImage(Decoder decode, bool checksums, const uint8_t *data,
                      size_t size) {
  for (bool verify : {false, true}) {
    if (!verify && !checksums)
      continue;
    ssmrt::DecodeOptions options;
    options.verifyChecksums = verify;
    options.maxPixels = uint64_t(1) << 22;
    ssmrt::Expected<ssmrt::Image> image = decode(data, size, options);
    if (!image.ok())
      continue;
    if (image->width <= 0 || image->height <= 0 ||
        image->pixels.size() != size_t(image->width * image->height * 3)) {
      std::fprintf(stderr, "decoded image is %lldx%lld with %zu bytes\n",
                   static_cast<long long>(image->width),
                   static_cast<long long>(image->height), image->pixels.size());
      std::abort();
    }
    ssmrt::PreprocessOptions pre;
    pre.resize = 1 + static_cast<int64_t>(size % 48);
    auto [w, h] =
        ssmrt::shorterSideSize(image->width, image->height, pre.resize);
    if (image->width * image->height > (1 << 16) || w * h > (1 << 16))
      continue;
    pre.cropWidth = 1 + static_cast<int64_t>(size % 37);
    pre.cropHeight = 1 + static_cast<int64_t>(size % 29);
    ssmrt::preprocess(*image, pre).status().ignoreError();
  }
}

} // namespace ssmc_fuzz

#endif // SSMC_FUZZ_IMAGE_FUZZER_H
