//===- png.cpp - PNG decoding through libpng ------------------------------===//
//
// Part of the ssmc project. libpng with the transformations that give PIL's
// RGB conversion: 1/2/4-bit samples unpacked (gray scaled to 0..255), 16-bit
// samples keep their high byte, alpha dropped (not composited), gray
// replicated, Adam7 deinterlaced. Palette images are mapped by hand: PIL gives
// indices past the end of PLTE the gray (i, i, i), libpng would fail. libpng
// reports errors through png_error, which longjmps back to decodeInto(), whose
// frame holds no C++ objects with destructors.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/image.h"

#include "../core/strings.h"

#include <csetjmp>
#include <cstring>
#include <string>

#include <png.h>

namespace ssmrt {
namespace {

using detail::strCat;

struct Reader {
  const uint8_t *data;
  size_t size;
  size_t pos;
  char message[256];
};

void readData(png_structp png, png_bytep out, size_t length) {
  auto *r = static_cast<Reader *>(png_get_io_ptr(png));
  if (length > r->size - r->pos)
    png_error(png, "truncated file");
  std::memcpy(out, r->data + r->pos, length);
  r->pos += length;
}

[[noreturn]] void onError(png_structp png, png_const_charp message) {
  auto *r = static_cast<Reader *>(png_get_error_ptr(png));
  std::strncpy(r->message, message, sizeof(r->message) - 1);
  r->message[sizeof(r->message) - 1] = 0;
  png_longjmp(png, 1);
}

void onWarning(png_structp, png_const_charp) {}

enum class Outcome { Ok, Error, TooLarge };

struct Buffers {
  Image image;
  std::vector<uint8_t> rows; // palette indices before the lookup
  std::vector<png_bytep> rowPointers;
  uint32_t width = 0, height = 0;
};

/// Decodes into `out`; on Error the message is in reader.message.
Outcome decodeInto(png_structp png, png_infop info, const DecodeOptions &opts,
                   Buffers &out) {
  if (setjmp(png_jmpbuf(png)))
    return Outcome::Error;
  if (!opts.verifyChecksums) {
    png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
#ifdef PNG_IGNORE_ADLER32
    png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
  }
  // Bounds what ancillary chunks (iCCP, zTXt, ...) may allocate.
  png_set_chunk_malloc_max(png, 8u << 20);
  png_set_chunk_cache_max(png, 1000);
  png_read_info(png, info);
  out.width = png_get_image_width(png, info);
  out.height = png_get_image_height(png, info);
  if (uint64_t(out.width) * uint64_t(out.height) > opts.maxPixels)
    return Outcome::TooLarge;
  int colorType = png_get_color_type(png, info);
  bool palette = colorType == PNG_COLOR_TYPE_PALETTE;
  png_set_packing(png);
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  if (!palette) {
    png_set_expand_gray_1_2_4_to_8(png);
    png_set_gray_to_rgb(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t channels = palette ? 1 : 3;
  if (png_get_rowbytes(png, info) != size_t(out.width) * channels)
    png_error(png, "unexpected row size after the transformations");
  out.image.width = out.width;
  out.image.height = out.height;
  out.image.pixels.assign(size_t(out.width) * out.height * 3, 0);
  uint8_t *base = out.image.pixels.data();
  if (palette) {
    out.rows.assign(size_t(out.width) * out.height, 0);
    base = out.rows.data();
  }
  out.rowPointers.resize(out.height);
  for (uint32_t y = 0; y < out.height; ++y)
    out.rowPointers[y] = base + size_t(y) * out.width * channels;
  png_read_image(png, out.rowPointers.data());
  png_read_end(png, nullptr);
  if (palette) {
    png_colorp colors = nullptr;
    int count = 0;
    png_get_PLTE(png, info, &colors, &count);
    uint8_t *px = out.image.pixels.data();
    for (size_t i = 0; i < out.rows.size(); ++i, px += 3) {
      uint8_t index = out.rows[i];
      if (colors && index < count) {
        px[0] = colors[index].red;
        px[1] = colors[index].green;
        px[2] = colors[index].blue;
      } else {
        px[0] = px[1] = px[2] = index;
      }
    }
  }
  return Outcome::Ok;
}

} // namespace

Expected<Image> decodePng(const uint8_t *data, size_t size,
                          const DecodeOptions &options) {
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0)
    return dataLossError("PNG: bad signature");
  Reader reader{data, size, 0, {}};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader,
                                           onError, onWarning);
  if (!png)
    return internalError("PNG: cannot create the decoder");
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return internalError("PNG: cannot create the decoder");
  }
  png_set_read_fn(png, &reader, readData);
  Buffers buffers;
  Outcome outcome = decodeInto(png, info, options, buffers);
  png_destroy_read_struct(&png, &info, nullptr);
  switch (outcome) {
  case Outcome::Ok:
    return std::move(buffers.image);
  case Outcome::TooLarge:
    return invalidArgumentError(
        strCat("PNG: image of ", buffers.width, "x", buffers.height,
               " pixels exceeds the limit of ", options.maxPixels, " pixels"));
  case Outcome::Error:
    break;
  }
  return dataLossError(std::string("PNG: ") + reader.message);
}

} // namespace ssmrt
