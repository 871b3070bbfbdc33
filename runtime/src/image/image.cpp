//===- image.cpp - Image loading and classifier preprocessing -------------===//
//
// Part of the ssmc project. The resize follows PIL's documented resampling
// model (Image.resize with BICUBIC): a separable convolution whose kernel is
// stretched by the scale factor when downscaling, computed in double,
// normalized per output pixel, quantized to 22-bit fixed point, applied to
// 8-bit samples horizontally and then vertically with an 8-bit intermediate.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/image.h"

#include "ssmrt/core/float16.h"
#include "ssmrt/core/mapped_file.h"

#include "../core/strings.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

namespace ssmrt {

using detail::strCat;

Image Image::blank(int64_t width, int64_t height) {
  Image image;
  image.width = width;
  image.height = height;
  image.pixels.assign(
      static_cast<size_t>(width) * static_cast<size_t>(height) * 3, 0);
  return image;
}

ImageFormat detectImageFormat(const uint8_t *data, size_t size) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (size >= 8 && std::memcmp(data, kPng, 8) == 0)
    return ImageFormat::Png;
  if (size >= 2 && data[0] == 0xFF && data[1] == 0xD8)
    return ImageFormat::Jpeg;
  return ImageFormat::Unknown;
}

namespace {

/// Names a few formats we do not decode, for a clearer error.
const char *otherFormatName(const uint8_t *data, size_t size) {
  auto starts = [&](const char *magic, size_t n) {
    return size >= n && std::memcmp(data, magic, n) == 0;
  };
  if (starts("GIF87a", 6) || starts("GIF89a", 6))
    return "GIF";
  if (starts("BM", 2))
    return "BMP";
  if (size >= 12 && starts("RIFF", 4) && std::memcmp(data + 8, "WEBP", 4) == 0)
    return "WebP";
  if (starts("II*\0", 4) || starts("MM\0*", 4))
    return "TIFF";
  if (size >= 12 && std::memcmp(data + 4, "ftyp", 4) == 0)
    return "HEIF/AVIF";
  return nullptr;
}

Status checkImage(const Image &image) {
  if (image.width <= 0 || image.height <= 0)
    return invalidArgumentError(
        strCat("image has invalid size ", image.width, "x", image.height));
  if (image.pixels.size() / 3 / size_t(image.width) != size_t(image.height) ||
      image.pixels.size() != size_t(image.width) * size_t(image.height) * 3)
    return invalidArgumentError(
        strCat("image of ", image.width, "x", image.height, " has ",
               image.pixels.size(), " bytes, expected width*height*3"));
  return okStatus();
}

} // namespace

Expected<Image> decodeImage(const uint8_t *data, size_t size,
                            const DecodeOptions &options) {
  if (size == 0)
    return dataLossError("empty image file");
  switch (detectImageFormat(data, size)) {
  case ImageFormat::Png:
    return decodePng(data, size, options);
  case ImageFormat::Jpeg:
    return decodeJpeg(data, size, options);
  case ImageFormat::Unknown:
    break;
  }
  if (size >= 4 && std::memcmp(data, "\x89PNG", 4) == 0)
    return decodePng(data, size, options); // reports the damaged signature
  if (const char *name = otherFormatName(data, size))
    return unimplementedError(
        strCat("unsupported: ", name, " image (only PNG and JPEG)"));
  return invalidArgumentError(
      strCat("not a PNG or JPEG image (starts with ",
             detail::quoteBytes(data, std::min<size_t>(size, 8)), ")"));
}

Expected<Image> loadImage(const std::string &path,
                          const DecodeOptions &options) {
  SSMRT_ASSIGN_OR_RETURN(MappedFile file, MappedFile::openReadOnly(path));
  Expected<Image> image = decodeImage(file.data(), file.size(), options);
  if (!image.ok())
    return image.status().withContext(strCat("'", path, "'"));
  return image;
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

namespace {

/// The bicubic convolution kernel with a = -0.5 (support 2).
double bicubic(double x) {
  constexpr double a = -0.5;
  x = std::fabs(x);
  if (x < 1.0)
    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0)
    return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}

constexpr int kPrecisionBits = 32 - 8 - 2;

/// Per output position: the first input index, the tap count, and the taps
/// in fixed point (kPrecisionBits fractional bits).
struct Taps {
  size_t taps = 0; // allocated taps per output
  std::vector<int64_t> first, count;
  std::vector<int32_t> weights;
};

Taps computeTaps(int64_t inSize, int64_t outSize) {
  double scale = double(inSize) / double(outSize);
  double filterScale = std::max(scale, 1.0);
  double support = 2.0 * filterScale;
  Taps t;
  t.taps = static_cast<size_t>(std::ceil(support)) * 2 + 1;
  t.first.resize(size_t(outSize));
  t.count.resize(size_t(outSize));
  t.weights.assign(size_t(outSize) * t.taps, 0);
  std::vector<double> w(t.taps);
  for (int64_t o = 0; o < outSize; ++o) {
    double center = (double(o) + 0.5) * scale;
    // C-style truncation of the bounds, as the reference model.
    int64_t lo = static_cast<int64_t>(center - support + 0.5);
    int64_t hi = static_cast<int64_t>(center + support + 0.5);
    lo = std::max<int64_t>(lo, 0);
    hi = std::min(hi, inSize);
    int64_t n = std::max<int64_t>(hi - lo, 0);
    n = std::min<int64_t>(n, int64_t(t.taps));
    double sum = 0.0;
    double inv = 1.0 / filterScale;
    for (int64_t i = 0; i < n; ++i) {
      w[size_t(i)] = bicubic((double(i + lo) - center + 0.5) * inv);
      sum += w[size_t(i)];
    }
    int32_t *fixed = t.weights.data() + size_t(o) * t.taps;
    for (int64_t i = 0; i < n; ++i) {
      double k = sum != 0.0 ? w[size_t(i)] / sum : w[size_t(i)];
      double scaled = k * double(1 << kPrecisionBits);
      fixed[i] = static_cast<int32_t>(k < 0 ? scaled - 0.5 : scaled + 0.5);
    }
    t.first[size_t(o)] = lo;
    t.count[size_t(o)] = n;
  }
  return t;
}

inline uint8_t fixedToByte(int64_t acc) {
  if (acc < 0)
    return 0;
  int64_t v = acc >> kPrecisionBits;
  return static_cast<uint8_t>(v > 255 ? 255 : v);
}

} // namespace

std::pair<int64_t, int64_t> shorterSideSize(int64_t width, int64_t height,
                                            int64_t shorter) {
  if (width <= height) {
    int64_t h = static_cast<int64_t>(double(shorter * height) / double(width));
    return {shorter, h};
  }
  int64_t w = static_cast<int64_t>(double(shorter * width) / double(height));
  return {w, shorter};
}

Expected<Image> resizeBicubic(const Image &image, int64_t width,
                              int64_t height) {
  SSMRT_RETURN_IF_ERROR(checkImage(image));
  if (width <= 0 || height <= 0 || width > (int64_t(1) << 20) ||
      height > (int64_t(1) << 20))
    return invalidArgumentError(
        strCat("cannot resize to ", width, "x", height));
  const int64_t inW = image.width, inH = image.height;
  constexpr int64_t kHalf = int64_t(1) << (kPrecisionBits - 1);

  // Horizontal pass (only when the width changes) into an 8-bit image.
  Image horizontal;
  const Image *src = &image;
  if (width != inW) {
    Taps t = computeTaps(inW, width);
    horizontal = Image::blank(width, inH);
    for (int64_t y = 0; y < inH; ++y) {
      const uint8_t *in = image.pixel(0, y);
      uint8_t *out = horizontal.pixel(0, y);
      for (int64_t x = 0; x < width; ++x) {
        const int32_t *k = t.weights.data() + size_t(x) * t.taps;
        const uint8_t *p = in + size_t(t.first[size_t(x)]) * 3;
        int64_t r = kHalf, g = kHalf, b = kHalf;
        for (int64_t i = 0; i < t.count[size_t(x)]; ++i) {
          r += int64_t(p[3 * i]) * k[i];
          g += int64_t(p[3 * i + 1]) * k[i];
          b += int64_t(p[3 * i + 2]) * k[i];
        }
        out[3 * x] = fixedToByte(r);
        out[3 * x + 1] = fixedToByte(g);
        out[3 * x + 2] = fixedToByte(b);
      }
    }
    src = &horizontal;
  }
  if (height == inH) {
    if (src == &horizontal)
      return horizontal;
    return image; // a copy
  }
  // Vertical pass.
  Taps t = computeTaps(inH, height);
  Image result = Image::blank(width, height);
  size_t rowBytes = size_t(width) * 3;
  std::vector<int64_t> acc(rowBytes);
  for (int64_t y = 0; y < height; ++y) {
    std::fill(acc.begin(), acc.end(), kHalf);
    const int32_t *k = t.weights.data() + size_t(y) * t.taps;
    for (int64_t i = 0; i < t.count[size_t(y)]; ++i) {
      const uint8_t *in = src->pixel(0, t.first[size_t(y)] + i);
      int64_t w = k[i];
      for (size_t j = 0; j < rowBytes; ++j)
        acc[j] += int64_t(in[j]) * w;
    }
    uint8_t *out = result.pixel(0, y);
    for (size_t j = 0; j < rowBytes; ++j)
      out[j] = fixedToByte(acc[j]);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Crop
//===----------------------------------------------------------------------===//

namespace {

/// int(round(diff / 2.0)) with Python's round-half-to-even, diff >= 0.
int64_t halfRoundedEven(int64_t diff) {
  int64_t half = diff / 2;
  if (diff % 2 == 0)
    return half;
  return half % 2 == 0 ? half : half + 1;
}

} // namespace

Expected<Image> centerCrop(const Image &image, int64_t width, int64_t height) {
  SSMRT_RETURN_IF_ERROR(checkImage(image));
  if (width <= 0 || height <= 0 || width > (int64_t(1) << 20) ||
      height > (int64_t(1) << 20))
    return invalidArgumentError(strCat("cannot crop to ", width, "x", height));
  // torchvision pads a too-small image symmetrically (left/top get the
  // smaller half), then crops the padded image.
  int64_t padLeft = width > image.width ? (width - image.width) / 2 : 0;
  int64_t padTop = height > image.height ? (height - image.height) / 2 : 0;
  int64_t paddedW = std::max(image.width, width),
          paddedH = std::max(image.height, height);
  int64_t left = halfRoundedEven(paddedW - width) - padLeft;
  int64_t top = halfRoundedEven(paddedH - height) - padTop;
  Image out = Image::blank(width, height);
  for (int64_t y = 0; y < height; ++y) {
    int64_t sy = y + top;
    if (sy < 0 || sy >= image.height)
      continue;
    int64_t x0 = std::max<int64_t>(0, -left);
    int64_t x1 = std::min(width, image.width - left);
    if (x1 > x0)
      std::memcpy(out.pixel(x0, y), image.pixel(x0 + left, sy),
                  size_t(x1 - x0) * 3);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Preprocess
//===----------------------------------------------------------------------===//

namespace {

Status checkOptions(const PreprocessOptions &o) {
  if (o.resize < 0 || o.cropHeight < 0 || o.cropWidth < 0)
    return invalidArgumentError("preprocess: negative resize or crop size");
  if (o.dtype != DType::F32 && o.dtype != DType::BF16)
    return invalidArgumentError(strCat("preprocess: output dtype must be f32 "
                                       "or bf16, got ",
                                       dtypeString(o.dtype)));
  for (int c = 0; c < 3; ++c)
    if (!(o.stddev[size_t(c)] != 0.0f) || !std::isfinite(o.stddev[size_t(c)]) ||
        !std::isfinite(o.mean[size_t(c)]))
      return invalidArgumentError("preprocess: mean must be finite and std "
                                  "finite and non-zero");
  return okStatus();
}

/// The resized and cropped image.
Expected<Image> transform(const Image &image, const PreprocessOptions &o) {
  SSMRT_RETURN_IF_ERROR(checkImage(image));
  Image current;
  const Image *src = &image;
  if (o.resize > 0) {
    auto [w, h] = shorterSideSize(image.width, image.height, o.resize);
    if (w != image.width || h != image.height) {
      SSMRT_ASSIGN_OR_RETURN(current, resizeBicubic(image, w, h));
      src = &current;
    }
  }
  int64_t cw = o.cropWidth > 0 ? o.cropWidth : src->width;
  int64_t ch = o.cropHeight > 0 ? o.cropHeight : src->height;
  if (cw == src->width && ch == src->height) {
    if (src == &current)
      return current;
    return image;
  }
  return centerCrop(*src, cw, ch);
}

/// Output height and width for `image` under `o`.
std::pair<int64_t, int64_t> outputSize(const Image &image,
                                       const PreprocessOptions &o) {
  int64_t w = image.width, h = image.height;
  if (o.resize > 0)
    std::tie(w, h) = shorterSideSize(w, h, o.resize);
  return {o.cropHeight > 0 ? o.cropHeight : h,
          o.cropWidth > 0 ? o.cropWidth : w};
}

void normalizeInto(const Image &img, const PreprocessOptions &o, void *out) {
  size_t plane = size_t(img.width) * size_t(img.height);
  for (size_t c = 0; c < 3; ++c) {
    float mean = o.mean[c], sd = o.stddev[c];
    for (size_t i = 0; i < plane; ++i) {
      // torchvision: ToTensor divides by 255 in f32, Normalize subtracts the
      // mean and divides by the std in f32.
      float v = (float(img.pixels[3 * i + c]) / 255.0f - mean) / sd;
      if (o.dtype == DType::F32)
        static_cast<float *>(out)[c * plane + i] = v;
      else
        static_cast<uint16_t *>(out)[c * plane + i] = floatToBf16(v);
    }
  }
}

} // namespace

Status preprocessInto(const Image &image, const PreprocessOptions &options,
                      void *out, size_t outBytes) {
  SSMRT_RETURN_IF_ERROR(checkOptions(options));
  SSMRT_ASSIGN_OR_RETURN(Image img, transform(image, options));
  size_t bytes =
      size_t(img.width) * size_t(img.height) * 3 * dtypeByteSize(options.dtype);
  if (bytes != outBytes || !out)
    return invalidArgumentError(strCat("preprocess: output buffer holds ",
                                       outBytes, " bytes, the image needs ",
                                       bytes));
  normalizeInto(img, options, out);
  return okStatus();
}

Expected<HostTensor> preprocess(const Image &image,
                                const PreprocessOptions &options) {
  SSMRT_RETURN_IF_ERROR(checkOptions(options));
  SSMRT_ASSIGN_OR_RETURN(Image img, transform(image, options));
  SSMRT_ASSIGN_OR_RETURN(
      HostTensor t,
      HostTensor::allocate(options.dtype, {1, 3, img.height, img.width}));
  normalizeInto(img, options, t.data());
  return t;
}

Expected<HostTensor> preprocessBatch(const std::vector<Image> &images,
                                     const PreprocessOptions &options) {
  SSMRT_RETURN_IF_ERROR(checkOptions(options));
  if (images.empty())
    return invalidArgumentError("preprocess: no images");
  auto [h, w] = outputSize(images[0], options);
  for (size_t i = 1; i < images.size(); ++i)
    if (outputSize(images[i], options) != std::make_pair(h, w))
      return invalidArgumentError(
          strCat("preprocess: image ", i, " gives a ",
                 outputSize(images[i], options).second, "x",
                 outputSize(images[i], options).first, " output, image 0 a ", w,
                 "x", h, " one (set a crop size)"));
  SSMRT_ASSIGN_OR_RETURN(
      HostTensor t,
      HostTensor::allocate(options.dtype, {int64_t(images.size()), 3, h, w}));
  size_t each = t.byteSize() / images.size();
  for (size_t i = 0; i < images.size(); ++i) {
    Status s = preprocessInto(images[i], options,
                              t.dataAs<uint8_t>() + i * each, each);
    if (!s.ok())
      return s.withContext(strCat("image ", i));
  }
  return t;
}

} // namespace ssmrt
