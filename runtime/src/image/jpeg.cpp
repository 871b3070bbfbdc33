//===- jpeg.cpp - JPEG decoding through libjpeg-turbo ---------------------===//
//
// Part of the ssmc project. libjpeg-turbo with its default settings (islow
// integer IDCT, fancy upsampling), the decoder and settings PIL uses, so the
// pixels match PIL's exactly. libjpeg reports fatal errors through
// error_exit, which must not return: it longjmps back to decodeInto(), whose
// frame holds no C++ objects with destructors (the output lives in the
// caller's frame).
//
//===----------------------------------------------------------------------===//

#include "ssmrt/image.h"

#include "../core/strings.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>
// After jpeglib.h (needs its types).
#include <jerror.h>

namespace ssmrt {
namespace {

using detail::strCat;

/// Progressive files with thousands of tiny scans decode very slowly; no
/// encoder writes more than a few dozen.
constexpr int kMaxScans = 1000;

struct ErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool tooManyScans;
};

[[noreturn]] void errorExit(j_common_ptr cinfo) {
  auto *err = reinterpret_cast<ErrorManager *>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

/// Warnings (corrupt entropy data that libjpeg recovers from) are ignored,
/// except a premature end of the file: truncated files are errors, as in
/// PIL ("image file is truncated").
void emitMessage(j_common_ptr cinfo, int level) {
  if (level >= 0 || cinfo->err->msg_code != JWRN_JPEG_EOF)
    return;
  errorExit(cinfo);
}

void progress(j_common_ptr cinfo) {
  auto *d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxScans) {
    auto *err = reinterpret_cast<ErrorManager *>(cinfo->err);
    err->tooManyScans = true;
    std::snprintf(err->message, sizeof(err->message), "more than %d scans",
                  kMaxScans);
    std::longjmp(err->jump, 1);
  }
}

enum class Outcome { Ok, Error, TooLarge };

/// Decodes into `out`; on Error the message is in err.message.
Outcome decodeInto(jpeg_decompress_struct &cinfo, ErrorManager &err,
                   jpeg_progress_mgr &monitor, const uint8_t *data, size_t size,
                   uint64_t maxPixels, Image &out) {
  if (setjmp(err.jump))
    return Outcome::Error;
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &monitor;
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  if (uint64_t(cinfo.image_width) * uint64_t(cinfo.image_height) > maxPixels)
    return Outcome::TooLarge;
  cinfo.out_color_space = JCS_RGB; // gray and YCbCr (not CMYK) convert
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_components != 3)
    ERREXIT(&cinfo, JERR_CONVERSION_NOTIMPL);
  out.width = cinfo.output_width;
  out.height = cinfo.output_height;
  size_t stride = size_t(out.width) * 3;
  out.pixels.assign(stride * size_t(out.height), 0);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels.data() + stride * cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  return Outcome::Ok;
}

} // namespace

Expected<Image> decodeJpeg(const uint8_t *data, size_t size,
                           const DecodeOptions &options) {
  if (size == 0)
    return dataLossError("JPEG: empty file");
  jpeg_decompress_struct cinfo;
  std::memset(&cinfo, 0, sizeof(cinfo));
  ErrorManager err;
  std::memset(&err, 0, sizeof(err));
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = errorExit;
  err.pub.emit_message = emitMessage;
  jpeg_progress_mgr monitor;
  std::memset(&monitor, 0, sizeof(monitor));
  monitor.progress_monitor = progress;
  Image image;
  Outcome outcome =
      decodeInto(cinfo, err, monitor, data, size, options.maxPixels, image);
  uint64_t width = cinfo.image_width, height = cinfo.image_height;
  jpeg_destroy_decompress(&cinfo);
  switch (outcome) {
  case Outcome::Ok:
    return image;
  case Outcome::TooLarge:
    return invalidArgumentError(strCat("JPEG: image of ", width, "x", height,
                                       " pixels exceeds the limit of ",
                                       options.maxPixels, " pixels"));
  case Outcome::Error:
    break;
  }
  std::string message = err.message;
  // libjpeg's messages for the codings it was built without.
  if (message.find("not supported") != std::string::npos ||
      message.find("Unsupported") != std::string::npos ||
      message.find("not implemented") != std::string::npos)
    return unimplementedError("JPEG: unsupported: " + message);
  return dataLossError("JPEG: " + message);
}

} // namespace ssmrt
