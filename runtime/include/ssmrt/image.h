//===- image.h - PNG/JPEG decoding and classifier preprocessing -*- C++ -*-===//
//
// Part of the ssmc project. Image input for ssm-run, the Python package and
// tools: the ssmrt_image library (libjpeg-turbo, libpng), not part of the core
// runtime library that deployments link.
//
//  - decodeImage(): PNG and JPEG bytes to 8-bit RGB, interleaved, row-major,
//      with the libraries PIL uses and PIL's conversions, so the pixels are
//      PIL's Image.open(...).convert("RGB") exactly.
//      PNG:  libpng; every bit depth, color type and Adam7. 16-bit samples keep
//            their high byte (like PIL's "RGB;16B"); the alpha channel and
//            tRNS are dropped (not composited); gray is replicated; 1/2/4-bit
//            gray is scaled to 0..255; palette indices past the end of PLTE
//            give gray (i, i, i), as in PIL. DecodeOptions::verifyChecksums
//            false ignores chunk CRCs and the zlib Adler-32.
//      JPEG: libjpeg-turbo with its default settings (integer IDCT, fancy
//            upsampling): baseline, extended, progressive and arithmetic-coded,
//            gray, YCbCr and RGB. 12-bit and lossless JPEGs are Unimplemented;
//            CMYK/YCCK is refused. Corrupt entropy-coded data libjpeg recovers
//            from (a warning) still decodes; a file that ends early does not.
//            EXIF orientation is not applied (neither does PIL's Image.open).
//    Malformed or truncated input gives a DataLoss error with the library's
//    message ("PNG: ..." / "JPEG: ..."). Images larger than
//    DecodeOptions::maxPixels are refused before the pixels are allocated.
//
//  - preprocess(): the torchvision ImageNet transform on a PIL image,
//      Resize(resize, BICUBIC) -> CenterCrop(crop) -> ToTensor() ->
//      Normalize(mean, std), as an NCHW (1, 3, H, W) f32 or bf16 tensor.
//      The resize is PIL's: separable convolution with the a = -0.5 bicubic
//      kernel whose support grows with the downscale factor (antialiasing),
//      horizontal pass then vertical pass, 8-bit fixed-point coefficients
//      and an 8-bit intermediate image, so the resized pixels match PIL's
//      Image.resize(..., Image.BICUBIC).
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_IMAGE_H
#define SSMRT_IMAGE_H

#include "ssmrt/status.h"
#include "ssmrt/tensor.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ssmrt {

/// An 8-bit RGB image: pixels[(y * width + x) * 3 + c], c = R, G, B.
struct Image {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels;

  /// Width * height * 3 zero bytes (black). No size checks: callers pass
  /// validated sizes.
  static Image blank(int64_t width, int64_t height);
  const uint8_t *pixel(int64_t x, int64_t y) const {
    return pixels.data() +
           (static_cast<size_t>(y) * size_t(width) + static_cast<size_t>(x)) *
               3;
  }
  uint8_t *pixel(int64_t x, int64_t y) {
    return pixels.data() +
           (static_cast<size_t>(y) * size_t(width) + static_cast<size_t>(x)) *
               3;
  }
};

enum class ImageFormat { Unknown, Png, Jpeg };

/// The format from the first bytes (PNG signature, JPEG SOI marker).
ImageFormat detectImageFormat(const uint8_t *data, size_t size);

struct DecodeOptions {
  /// Verify PNG chunk CRCs and the zlib Adler-32 (lengths are always
  /// validated).
  bool verifyChecksums = true;
  /// The largest width * height accepted (InvalidArgument beyond).
  uint64_t maxPixels = uint64_t(1) << 28;
};

/// Decodes PNG or JPEG bytes (detected from the content) to RGB.
Expected<Image> decodeImage(const uint8_t *data, size_t size,
                            const DecodeOptions &options = {});
Expected<Image> decodePng(const uint8_t *data, size_t size,
                          const DecodeOptions &options = {});
Expected<Image> decodeJpeg(const uint8_t *data, size_t size,
                           const DecodeOptions &options = {});
/// Reads and decodes a file; errors are prefixed with "'<path>': ".
Expected<Image> loadImage(const std::string &path,
                          const DecodeOptions &options = {});

//===----------------------------------------------------------------------===//
// Preprocessing
//===----------------------------------------------------------------------===//

/// The (width, height) torchvision's Resize(shorter) gives an image of
/// `width` x `height`: the shorter side becomes `shorter`, the longer one
/// int(shorter * longer / shorter_side) (truncated).
std::pair<int64_t, int64_t> shorterSideSize(int64_t width, int64_t height,
                                            int64_t shorter);

/// PIL's Image.resize((width, height), BICUBIC). InvalidArgument for
/// non-positive sizes or an inconsistent image.
Expected<Image> resizeBicubic(const Image &image, int64_t width,
                              int64_t height);

/// torchvision's CenterCrop((height, width)): top = int(round((H - h) / 2))
/// with Python's round-half-to-even, likewise left; a crop larger than the
/// image pads it with black first (as torchvision does).
Expected<Image> centerCrop(const Image &image, int64_t width, int64_t height);

struct PreprocessOptions {
  /// The shorter side after resizing; 0 keeps the image size.
  int64_t resize = 256;
  /// The output size (center crop); 0 for either keeps the resized size.
  int64_t cropHeight = 224;
  int64_t cropWidth = 224;
  /// Per channel (R, G, B): out = (pixel / 255 - mean) / stddev, in f32.
  std::array<float, 3> mean = {0.485f, 0.456f, 0.406f};
  std::array<float, 3> stddev = {0.229f, 0.224f, 0.225f};
  /// F32 or BF16 (rounded to nearest even from the f32 values).
  DType dtype = DType::F32;
};

/// Resize, crop and normalize one image: a (1, 3, H, W) tensor.
Expected<HostTensor> preprocess(const Image &image,
                                const PreprocessOptions &options);
/// Several images of the same output size: an (N, 3, H, W) tensor.
Expected<HostTensor> preprocessBatch(const std::vector<Image> &images,
                                     const PreprocessOptions &options);
/// Writes one image's 3 * H * W values (CHW, options.dtype) to `out`, which
/// must hold `outBytes` bytes, exactly that many.
Status preprocessInto(const Image &image, const PreprocessOptions &options,
                      void *out, size_t outBytes);

} // namespace ssmrt

#endif // SSMRT_IMAGE_H
