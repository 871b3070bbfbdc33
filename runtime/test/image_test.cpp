//===- image_test.cpp - PNG/JPEG decoding and preprocessing tests ---------===//
//
// Part of the ssmc project. PNGs come from the encoder below (stored deflate
// blocks, every filter type, every color type and bit depth, Adam7) and from
// image_test_data.h (zlib- and PIL-compressed files: fixed and dynamic
// Huffman blocks); JPEGs from image_test_data.h (PIL and cjpeg encoders),
// with PIL's decoded pixels; resize/crop/normalize against PIL + numpy
// (gen_image_test_data.py makes the header).
//
//===----------------------------------------------------------------------===//

#include "ssmrt/image.h"

#include "ssmrt/core/crc32.h"
#include "ssmrt/core/float16.h"

#include "image_test_data.h"
#include "kernel_artifacts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <jpeglib.h>

namespace ssmrt {
namespace {

namespace data = image_test_data;
using Bytes = std::vector<uint8_t>;

const uint8_t *u8(const char *p) {
  return reinterpret_cast<const uint8_t *>(p);
}
Bytes bytesOf(const char *p, size_t n) { return Bytes(u8(p), u8(p) + n); }

//===----------------------------------------------------------------------===//
// A small PNG encoder (stored deflate blocks)
//===----------------------------------------------------------------------===//

void put32(Bytes &out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(static_cast<uint8_t>(v >> s));
}

void putChunk(Bytes &out, const char *type, const Bytes &body) {
  put32(out, static_cast<uint32_t>(body.size()));
  Bytes typed(type, type + 4);
  typed.insert(typed.end(), body.begin(), body.end());
  out.insert(out.end(), typed.begin(), typed.end());
  put32(out, crc32(typed.data(), typed.size()));
}

uint32_t adler32(const Bytes &data) {
  uint32_t a = 1, b = 0;
  for (uint8_t v : data) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

/// A zlib stream of stored blocks of at most `block` bytes.
Bytes zlibStored(const Bytes &raw, size_t block = 65535) {
  Bytes out = {0x78, 0x01};
  size_t pos = 0;
  do {
    size_t n = std::min(block, raw.size() - pos);
    bool last = pos + n == raw.size();
    out.push_back(last ? 1 : 0);
    out.push_back(static_cast<uint8_t>(n));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(~n));
    out.push_back(static_cast<uint8_t>(~n >> 8));
    out.insert(out.end(), raw.begin() + long(pos), raw.begin() + long(pos + n));
    pos += n;
  } while (pos < raw.size());
  put32(out, adler32(raw));
  return out;
}

struct PngSpec {
  uint32_t width = 1, height = 1;
  int colorType = 2, bitDepth = 8;
  bool interlace = false;
  Bytes palette;        // PLTE body (palette images)
  size_t idatChunk = 0; // split the zlib stream in chunks of this size
  size_t storedBlock = 65535;
};

int channelsOf(int colorType) {
  return colorType == 2 ? 3 : colorType == 4 ? 2 : colorType == 6 ? 4 : 1;
}

/// Sample c of pixel (x, y), in [0, 2^bitDepth).
using SampleFn = std::function<uint32_t(uint32_t x, uint32_t y, int c)>;

struct PassSpec {
  uint32_t x0, y0, dx, dy;
};
const PassSpec kAdam7[7] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8},
                            {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2},
                            {0, 1, 1, 2}};

/// The filtered scanlines (filter type = row index % 5) of every pass.
Bytes filteredData(const PngSpec &s, const SampleFn &sample) {
  const PassSpec plain[1] = {{0, 0, 1, 1}};
  const PassSpec *passes = s.interlace ? kAdam7 : plain;
  int passCount = s.interlace ? 7 : 1;
  int channels = channelsOf(s.colorType);
  size_t bpp = std::max(1, channels * s.bitDepth / 8);
  Bytes out;
  for (int p = 0; p < passCount; ++p) {
    std::vector<uint32_t> xs, ys;
    for (uint32_t x = passes[p].x0; x < s.width; x += passes[p].dx)
      xs.push_back(x);
    for (uint32_t y = passes[p].y0; y < s.height; y += passes[p].dy)
      ys.push_back(y);
    if (xs.empty() || ys.empty())
      continue;
    Bytes prior;
    for (size_t r = 0; r < ys.size(); ++r) {
      Bytes line;
      uint32_t acc = 0;
      int bits = 0;
      for (uint32_t x : xs)
        for (int c = 0; c < channels; ++c) {
          uint32_t v = sample(x, ys[r], c);
          if (s.bitDepth == 16) {
            line.push_back(static_cast<uint8_t>(v >> 8));
            line.push_back(static_cast<uint8_t>(v));
          } else if (s.bitDepth == 8) {
            line.push_back(static_cast<uint8_t>(v));
          } else {
            acc = (acc << s.bitDepth) | v;
            bits += s.bitDepth;
            if (bits == 8) {
              line.push_back(static_cast<uint8_t>(acc));
              acc = 0;
              bits = 0;
            }
          }
        }
      if (bits)
        line.push_back(static_cast<uint8_t>(acc << (8 - bits)));
      int type = int(r % 5);
      out.push_back(static_cast<uint8_t>(type));
      for (size_t i = 0; i < line.size(); ++i) {
        int a = i >= bpp ? line[i - bpp] : 0;
        int b = prior.empty() ? 0 : prior[i];
        int c = !prior.empty() && i >= bpp ? prior[i - bpp] : 0;
        int predict = 0;
        if (type == 1)
          predict = a;
        else if (type == 2)
          predict = b;
        else if (type == 3)
          predict = (a + b) / 2;
        else if (type == 4) {
          int q = a + b - c, pa = std::abs(q - a), pb = std::abs(q - b),
              pc = std::abs(q - c);
          predict = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        out.push_back(static_cast<uint8_t>(line[i] - predict));
      }
      prior = line;
    }
  }
  return out;
}

Bytes ihdr(const PngSpec &s) {
  Bytes body;
  put32(body, s.width);
  put32(body, s.height);
  body.push_back(static_cast<uint8_t>(s.bitDepth));
  body.push_back(static_cast<uint8_t>(s.colorType));
  body.push_back(0);
  body.push_back(0);
  body.push_back(s.interlace ? 1 : 0);
  return body;
}

/// A PNG with the given zlib stream as its image data.
Bytes pngWithStream(const PngSpec &s, const Bytes &stream) {
  Bytes out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  putChunk(out, "IHDR", ihdr(s));
  if (!s.palette.empty())
    putChunk(out, "PLTE", s.palette);
  size_t step = s.idatChunk ? s.idatChunk : stream.size();
  for (size_t pos = 0; pos < stream.size(); pos += step)
    putChunk(out, "IDAT",
             Bytes(stream.begin() + long(pos),
                   stream.begin() + long(std::min(stream.size(), pos + step))));
  putChunk(out, "IEND", {});
  return out;
}

Bytes encodePng(const PngSpec &s, const SampleFn &sample) {
  return pngWithStream(s, zlibStored(filteredData(s, sample), s.storedBlock));
}

/// What the decoder should produce (RGB8) for `s` and `sample`.
Bytes expectedRgb(const PngSpec &s, const SampleFn &sample) {
  Bytes out;
  for (uint32_t y = 0; y < s.height; ++y)
    for (uint32_t x = 0; x < s.width; ++x) {
      auto to8 = [&](uint32_t v) {
        if (s.bitDepth == 16)
          return static_cast<uint8_t>(v >> 8);
        if (s.bitDepth < 8 && s.colorType != 3)
          return static_cast<uint8_t>(v * 255 / ((1u << s.bitDepth) - 1));
        return static_cast<uint8_t>(v);
      };
      if (s.colorType == 0 || s.colorType == 4) {
        uint8_t g = to8(sample(x, y, 0));
        out.insert(out.end(), {g, g, g});
      } else if (s.colorType == 3) {
        uint32_t i = sample(x, y, 0);
        if (3 * i + 3 <= s.palette.size())
          out.insert(out.end(), s.palette.begin() + 3 * i,
                     s.palette.begin() + 3 * i + 3);
        else
          out.insert(out.end(), {uint8_t(i), uint8_t(i), uint8_t(i)});
      } else {
        for (int c = 0; c < 3; ++c)
          out.push_back(to8(sample(x, y, c)));
      }
    }
  return out;
}

SampleFn hashedSamples(int bitDepth) {
  return [bitDepth](uint32_t x, uint32_t y, int c) {
    uint64_t h = (uint64_t(x) * 37 + uint64_t(y) * 101 + uint64_t(c) * 53 +
                  uint64_t(x) * y * 7) *
                 2654435761u;
    return static_cast<uint32_t>((h >> 7) % (uint64_t(1) << bitDepth));
  };
}

Bytes paletteOf(size_t entries) {
  Bytes p;
  for (size_t i = 0; i < entries; ++i)
    for (size_t k = 0; k < 3; ++k)
      p.push_back(static_cast<uint8_t>(i * 7 + k * 90));
  return p;
}

std::string describe(const PngSpec &s) {
  return "color type " + std::to_string(s.colorType) + ", depth " +
         std::to_string(s.bitDepth) + ", " + std::to_string(s.width) + "x" +
         std::to_string(s.height) + (s.interlace ? ", interlaced" : "");
}

//===----------------------------------------------------------------------===//
// PNG
//===----------------------------------------------------------------------===//

TEST(PngTest, EveryColorTypeBitDepthAndInterlace) {
  struct Type {
    int colorType;
    std::vector<int> depths;
  };
  const Type types[] = {{0, {1, 2, 4, 8, 16}},
                        {2, {8, 16}},
                        {3, {1, 2, 4, 8}},
                        {4, {8, 16}},
                        {6, {8, 16}}};
  const std::pair<uint32_t, uint32_t> sizes[] = {
      {1, 1}, {3, 2}, {2, 7}, {11, 9}, {17, 13}};
  int checked = 0;
  for (const Type &t : types)
    for (int depth : t.depths)
      for (bool interlace : {false, true})
        for (auto [w, h] : sizes) {
          PngSpec s;
          s.width = w;
          s.height = h;
          s.colorType = t.colorType;
          s.bitDepth = depth;
          s.interlace = interlace;
          if (t.colorType == 3) // a short palette: some indices are past it
            s.palette = paletteOf(std::min(1 << depth, 200));
          SampleFn fn = hashedSamples(depth);
          Bytes png = encodePng(s, fn);
          Expected<Image> image = decodePng(png.data(), png.size());
          ASSERT_TRUE(image.ok())
              << describe(s) << ": " << image.status().toString();
          ASSERT_EQ(image->width, int64_t(w));
          ASSERT_EQ(image->height, int64_t(h));
          ASSERT_EQ(image->pixels, expectedRgb(s, fn)) << describe(s);
          ++checked;
        }
  EXPECT_EQ(checked, 150);
}

TEST(PngTest, ManyIdatChunksAndStoredBlocks) {
  PngSpec s;
  s.width = 40;
  s.height = 30;
  s.idatChunk = 7;
  s.storedBlock = 100;
  SampleFn fn = hashedSamples(8);
  Bytes png = encodePng(s, fn);
  Expected<Image> image = decodeImage(png.data(), png.size());
  ASSERT_TRUE(image.ok()) << image.status().toString();
  EXPECT_EQ(image->pixels, expectedRgb(s, fn));
}

TEST(PngTest, AncillaryChunksAreSkipped) {
  PngSpec s;
  s.width = 5;
  s.height = 4;
  s.colorType = 6;
  SampleFn fn = hashedSamples(8);
  Bytes png = encodePng(s, fn);
  // Insert gAMA, tEXt and an unknown ancillary chunk after IHDR (8 + 25).
  Bytes extra;
  putChunk(extra, "gAMA", {0, 0, 0xB1, 0x8F});
  putChunk(extra, "tEXt", {'k', 0, 'v'});
  putChunk(extra, "zzZz", {1, 2, 3});
  png.insert(png.begin() + 33, extra.begin(), extra.end());
  Expected<Image> image = decodePng(png.data(), png.size());
  ASSERT_TRUE(image.ok()) << image.status().toString();
  EXPECT_EQ(image->pixels, expectedRgb(s, fn));
}

TEST(PngTest, CompressedFilesMatchPil) {
  int checked = 0;
  for (const data::EmbeddedImage &e : data::kImages) {
    if (e.jpeg)
      continue;
    Expected<Image> image = decodeImage(u8(e.data), e.size);
    ASSERT_TRUE(image.ok()) << e.name << ": " << image.status().toString();
    ASSERT_EQ(image->width, e.width) << e.name;
    ASSERT_EQ(image->height, e.height) << e.name;
    EXPECT_EQ(image->pixels, bytesOf(e.pixels, size_t(e.width) * e.height * 3))
        << e.name;
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

void expectEveryTruncationFails(const Bytes &file, const std::string &name) {
  for (size_t n = 0; n < file.size(); ++n) {
    Bytes prefix(file.begin(), file.begin() + long(n));
    Expected<Image> image = decodeImage(prefix.data(), prefix.size());
    ASSERT_FALSE(image.ok()) << name << " truncated to " << n << " of "
                             << file.size() << " bytes decoded";
    ASSERT_FALSE(image.status().message().empty());
  }
  Expected<Image> whole = decodeImage(file.data(), file.size());
  EXPECT_TRUE(whole.ok()) << name << ": " << whole.status().toString();
}

TEST(PngTest, TruncatedAtEveryByte) {
  PngSpec s;
  s.width = 6;
  s.height = 5;
  s.interlace = true;
  expectEveryTruncationFails(encodePng(s, hashedSamples(8)), "stored PNG");
  for (const data::EmbeddedImage &e : data::kImages)
    if (std::string(e.name) == "png_fixed" ||
        std::string(e.name) == "png_rgba16_interlaced_dynamic")
      expectEveryTruncationFails(bytesOf(e.data, e.size), e.name);
}

/// Decodes and expects an error whose message contains `text`.
void expectError(const Bytes &file, const std::string &text,
                 StatusCode code = StatusCode::DataLoss,
                 const DecodeOptions &options = {}) {
  Expected<Image> image = decodeImage(file.data(), file.size(), options);
  ASSERT_FALSE(image.ok()) << "expected an error containing '" << text << "'";
  EXPECT_EQ(image.status().code(), code) << image.status().toString();
  EXPECT_NE(image.status().message().find(text), std::string::npos)
      << image.status().toString();
}

/// Decodes and expects a `width` x `height` image.
void expectDecodes(const Bytes &file, int64_t width, int64_t height) {
  Expected<Image> image = decodeImage(file.data(), file.size());
  ASSERT_TRUE(image.ok()) << image.status().toString();
  EXPECT_EQ(image->width, width);
  EXPECT_EQ(image->height, height);
}

/// A PNG of `s` whose IHDR body is edited by `edit`.
Bytes withIhdr(PngSpec s, const std::function<void(Bytes &)> &edit) {
  Bytes png = encodePng(s, hashedSamples(s.bitDepth));
  Bytes body(png.begin() + 16, png.begin() + 29);
  edit(body);
  Bytes out(png.begin(), png.begin() + 8);
  putChunk(out, "IHDR", body);
  out.insert(out.end(), png.begin() + 33, png.end());
  return out;
}

TEST(PngTest, HeaderErrors) {
  PngSpec s;
  s.width = 4;
  s.height = 3;
  // The messages are libpng's; each names what is wrong.
  expectError(withIhdr(s, [](Bytes &b) { b[8] = 3; }), "PNG: Invalid IHDR");
  expectError(withIhdr(s, [](Bytes &b) { b[9] = 5; }), "PNG: Invalid IHDR");
  expectError(withIhdr(s, [](Bytes &b) { b[3] = 0; }), "PNG: Invalid IHDR");
  expectError(withIhdr(s, [](Bytes &b) { b[10] = 1; }), "PNG: Invalid IHDR");
  expectError(withIhdr(s, [](Bytes &b) { b[11] = 1; }), "PNG: Invalid IHDR");
  expectError(withIhdr(s, [](Bytes &b) { b[12] = 2; }), "PNG: Invalid IHDR");
  expectError(withIhdr(s, [](Bytes &b) { b[0] = 0x80; }), "out of range");
  // A bigger declared size: not enough image data.
  expectError(withIhdr(s, [](Bytes &b) { b[7] = 4; }), "Not enough image data");
  // A smaller one: libpng ignores the extra data (a warning).
  Bytes shorter = withIhdr(s, [](Bytes &b) { b[7] = 2; });
  Expected<Image> two = decodeImage(shorter.data(), shorter.size());
  ASSERT_TRUE(two.ok()) << two.status().toString();
  EXPECT_EQ(two->height, 2);
  DecodeOptions small;
  small.maxPixels = 11;
  expectError(encodePng(s, hashedSamples(8)), "exceeds the limit of 11 pixels",
              StatusCode::InvalidArgument, small);
}

TEST(PngTest, ChunkErrors) {
  PngSpec s;
  s.width = 4;
  s.height = 3;
  Bytes good = encodePng(s, hashedSamples(8));
  Bytes bad = good;
  bad[0] = 0x88;
  expectError(bad, "not a PNG or JPEG image", StatusCode::InvalidArgument);
  bad = good;
  bad[7] = 0;
  expectError(bad, "bad signature");
  bad = good;
  bad[good.size() - 20] ^= 1; // inside the IDAT data
  expectError(bad, "IDAT: incorrect data check");
  bad = good;
  bad[12] = 'J'; // IHDR -> JHDR
  expectError(bad, "JHDR: CRC error");
  DecodeOptions lax;
  lax.verifyChecksums = false;
  expectError(bad, "JHDR: unhandled critical chunk", StatusCode::DataLoss, lax);
  // Chunk length past the end of the file.
  bad = good;
  bad[33 + 1] = 0x10;
  expectError(bad, "PNG: truncated file");

  Bytes noIdat(good.begin(), good.begin() + 33);
  putChunk(noIdat, "IEND", {});
  expectError(noIdat, "IEND: out of place");

  Bytes unknown(good.begin(), good.begin() + 33);
  putChunk(unknown, "ABCD", {1});
  unknown.insert(unknown.end(), good.begin() + 33, good.end());
  expectError(unknown, "ABCD: unhandled critical chunk");

  PngSpec p = s;
  p.colorType = 3;
  Bytes noPalette = encodePng(p, hashedSamples(8));
  expectError(noPalette, "Missing PLTE before IDAT");
  p.palette = Bytes(7, 1);
  expectError(encodePng(p, hashedSamples(8)), "PLTE: invalid");
  // A PLTE chunk in a grayscale image is ignored (libpng only warns).
  PngSpec g = s;
  g.colorType = 0;
  g.palette = paletteOf(4);
  Bytes grayPlte = encodePng(g, hashedSamples(8));
  EXPECT_TRUE(decodeImage(grayPlte.data(), grayPlte.size()).ok());

  // IDAT chunks separated by another chunk.
  s.idatChunk = 10;
  Bytes split = encodePng(s, hashedSamples(8));
  size_t second = 33 + 12 + 10; // after the first IDAT chunk
  Bytes text;
  putChunk(text, "tEXt", {'a', 0, 'b'});
  split.insert(split.begin() + long(second), text.begin(), text.end());
  expectError(split, "PNG: ");
}

TEST(PngTest, FilterAndZlibErrors) {
  PngSpec s;
  s.width = 4;
  s.height = 3;
  Bytes raw = filteredData(s, hashedSamples(8));
  Bytes badFilter = raw;
  badFilter[0] = 7;
  expectError(pngWithStream(s, zlibStored(badFilter)),
              "bad adaptive filter value");

  Bytes stream = zlibStored(raw);
  Bytes bad = stream;
  bad[stream.size() - 1] ^= 0xFF;
  expectError(pngWithStream(s, bad), "IDAT: incorrect data check");
  DecodeOptions lax;
  lax.verifyChecksums = false;
  EXPECT_TRUE(decodeImage(pngWithStream(s, bad).data(),
                          pngWithStream(s, bad).size(), lax)
                  .ok());
  bad = stream;
  bad[1] ^= 1;
  expectError(pngWithStream(s, bad), "IDAT: incorrect header check");
  bad = stream;
  bad[0] = 0x79;
  expectError(pngWithStream(s, bad), "IDAT: incorrect header check");
  bad = stream;
  bad[1] = 0x20; // FDICT, fix the check bits
  bad[1] = static_cast<uint8_t>(bad[1] + (31 - (0x78 * 256 + bad[1]) % 31));
  expectError(pngWithStream(s, bad), "IDAT: missing LZ dictionary");
  bad = stream;
  bad[2] = 0x07; // BFINAL, BTYPE 3
  expectError(pngWithStream(s, bad), "IDAT: invalid block type");
  bad = stream;
  bad[5] ^= 1; // NLEN
  expectError(pngWithStream(s, bad), "IDAT: invalid stored block lengths");
  bad = stream;
  bad.resize(bad.size() - 2);
  expectError(pngWithStream(s, bad), "Not enough image data");
}

/// Writes deflate bits (LSB first; Huffman codes MSB first).
struct BitWriter {
  Bytes out;
  int used = 8;
  void bits(uint32_t v, int n) {
    for (int i = 0; i < n; ++i) {
      if (used == 8) {
        out.push_back(0);
        used = 0;
      }
      out.back() = static_cast<uint8_t>(out.back() | (((v >> i) & 1) << used));
      ++used;
    }
  }
  void code(uint32_t c, int n) {
    for (int i = n - 1; i >= 0; --i)
      bits((c >> i) & 1, 1);
  }
};

Bytes zlibOf(const Bytes &deflate) {
  Bytes z(deflate.size() + 6, 0);
  z[0] = 0x78;
  z[1] = 0x01;
  std::copy(deflate.begin(), deflate.end(), z.begin() + 2);
  return z; // the Adler-32 is never reached
}

TEST(PngTest, CorruptHuffmanCodes) {
  PngSpec s;
  s.width = 4;
  s.height = 3;
  { // Dynamic block whose code-length code is over-subscribed.
    BitWriter w;
    w.bits(1, 1);  // BFINAL
    w.bits(2, 2);  // dynamic
    w.bits(0, 5);  // HLIT 257
    w.bits(0, 5);  // HDIST 1
    w.bits(15, 4); // HCLEN 19
    for (int i = 0; i < 19; ++i)
      w.bits(1, 3); // all lengths 1
    expectError(pngWithStream(s, zlibOf(w.out)),
                "IDAT: invalid code lengths set");
  }
  { // Fixed block starting with a back-reference: nothing to copy yet.
    BitWriter w;
    w.bits(1, 1);
    w.bits(1, 2); // fixed
    w.code(1, 7); // symbol 257: length 3
    w.code(0, 5); // distance code 0: distance 1
    expectError(pngWithStream(s, zlibOf(w.out)), "PNG: IDAT: ");
  }
  { // Fixed block with the invalid length symbol 286.
    BitWriter w;
    w.bits(1, 1);
    w.bits(1, 2);
    w.code(0xC6, 8); // 280 + 6 = 286: 8-bit codes 11000000 + 6
    expectError(pngWithStream(s, zlibOf(w.out)),
                "IDAT: invalid literal/length code");
  }
  { // Dynamic block: a repeat code with no previous length.
    BitWriter w;
    w.bits(1, 1);
    w.bits(2, 2);
    w.bits(0, 5);
    w.bits(0, 5);
    w.bits(0, 4); // HCLEN 4: lengths for symbols 16, 17, 18, 0
    w.bits(1, 3); // 16: length 1
    w.bits(0, 3);
    w.bits(0, 3);
    w.bits(1, 3); // 0: length 1
    w.code(1, 1); // symbol 16 (codes: 0 -> '0', 16 -> '1')
    w.bits(0, 2);
    expectError(pngWithStream(s, zlibOf(w.out)),
                "IDAT: invalid bit length repeat");
  }
}

TEST(PngTest, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(7);
  std::vector<Bytes> files;
  PngSpec s;
  s.width = 9;
  s.height = 7;
  s.colorType = 3;
  s.bitDepth = 4;
  s.interlace = true;
  s.palette = paletteOf(16);
  files.push_back(encodePng(s, hashedSamples(4)));
  for (const data::EmbeddedImage &e : data::kImages)
    if (!e.jpeg)
      files.push_back(bytesOf(e.data, e.size));
  int decoded = 0;
  for (const Bytes &file : files)
    for (int i = 0; i < 300; ++i) {
      Bytes bad = file;
      int edits = 1 + int(rng() % 3);
      for (int k = 0; k < edits; ++k)
        bad[rng() % bad.size()] = static_cast<uint8_t>(rng());
      DecodeOptions lax;
      lax.verifyChecksums = false;
      Expected<Image> image = decodeImage(bad.data(), bad.size(), lax);
      if (image.ok()) {
        ++decoded;
        EXPECT_EQ(image->pixels.size(),
                  size_t(image->width) * size_t(image->height) * 3);
      } else {
        EXPECT_FALSE(image.status().message().empty());
      }
    }
  EXPECT_GT(decoded, 0);
}

//===----------------------------------------------------------------------===//
// JPEG
//===----------------------------------------------------------------------===//

TEST(JpegTest, MatchesPilExactly) {
  int checked = 0;
  for (const data::EmbeddedImage &e : data::kImages) {
    if (!e.jpeg)
      continue;
    Expected<Image> image = decodeImage(u8(e.data), e.size);
    ASSERT_TRUE(image.ok()) << e.name << ": " << image.status().toString();
    ASSERT_EQ(image->width, e.width) << e.name;
    ASSERT_EQ(image->height, e.height) << e.name;
    EXPECT_EQ(image->pixels, bytesOf(e.pixels, size_t(e.width) * e.height * 3))
        << e.name;
    ++checked;
  }
  EXPECT_EQ(checked, 15);
}

const data::EmbeddedImage &embedded(const std::string &name) {
  for (const data::EmbeddedImage &e : data::kImages)
    if (name == e.name)
      return e;
  std::abort();
}

Bytes embeddedBytes(const std::string &name) {
  const data::EmbeddedImage &e = embedded(name);
  return bytesOf(e.data, e.size);
}

/// Offset of the first marker `code` (its 0xFF) outside entropy-coded data.
size_t findSegment(const Bytes &jpeg, uint8_t code) {
  size_t pos = 2;
  while (pos + 4 <= jpeg.size()) {
    if (jpeg[pos + 1] == code)
      return pos;
    size_t length = (size_t(jpeg[pos + 2]) << 8) | jpeg[pos + 3];
    pos += 2 + length;
  }
  std::abort();
}

/// `jpeg` losslessly re-encoded by libjpeg (the same DCT coefficients):
/// progressive and/or arithmetic-coded. libjpeg's default error handler
/// exits, which is fine for the valid test inputs.
Bytes transcodeJpeg(const Bytes &jpeg, bool progressive, bool arithmetic) {
  jpeg_decompress_struct src;
  jpeg_error_mgr srcErr;
  src.err = jpeg_std_error(&srcErr);
  jpeg_create_decompress(&src);
  jpeg_mem_src(&src, jpeg.data(), static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&src, TRUE);
  jvirt_barray_ptr *coefficients = jpeg_read_coefficients(&src);
  jpeg_compress_struct dst;
  jpeg_error_mgr dstErr;
  dst.err = jpeg_std_error(&dstErr);
  jpeg_create_compress(&dst);
  unsigned char *buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&dst, &buffer, &size);
  jpeg_copy_critical_parameters(&src, &dst);
  if (progressive)
    jpeg_simple_progression(&dst);
  dst.arith_code = arithmetic ? TRUE : FALSE;
  jpeg_write_coefficients(&dst, coefficients);
  jpeg_finish_compress(&dst);
  jpeg_destroy_compress(&dst);
  jpeg_finish_decompress(&src);
  jpeg_destroy_decompress(&src);
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

TEST(JpegTest, ProgressiveAndArithmeticMatchPil) {
  // The same coefficients as the PIL-encoded files give PIL's pixels.
  for (const char *name : {"jpeg_420", "jpeg_444", "jpeg_gray"})
    for (auto [progressive, arithmetic] :
         {std::pair{true, false}, {false, true}, {true, true}}) {
      const data::EmbeddedImage &e = embedded(name);
      Bytes file =
          transcodeJpeg(bytesOf(e.data, e.size), progressive, arithmetic);
      // SOF2 (progressive Huffman), SOF9 or SOF10 (arithmetic).
      uint8_t sof = progressive ? (arithmetic ? 0xCA : 0xC2) : 0xC9;
      ASSERT_EQ(file[findSegment(file, sof)], 0xFF) << name;
      Expected<Image> image = decodeImage(file.data(), file.size());
      ASSERT_TRUE(image.ok()) << name << ": " << image.status().toString();
      EXPECT_EQ(image->pixels,
                bytesOf(e.pixels, size_t(e.width) * e.height * 3))
          << name << (progressive ? " progressive" : "")
          << (arithmetic ? " arithmetic" : "");
    }
  // PIL's own progressive encoding and cjpeg's arithmetic coding.
  Bytes progressive =
      bytesOf(data::kProgressiveJpeg, sizeof(data::kProgressiveJpeg) - 1);
  Expected<Image> p = decodeImage(progressive.data(), progressive.size());
  ASSERT_TRUE(p.ok()) << p.status().toString();
  EXPECT_EQ(p->width, 19);
  EXPECT_EQ(p->height, 13);
  Bytes arithmetic =
      bytesOf(data::kArithmeticJpeg, sizeof(data::kArithmeticJpeg) - 1);
  Expected<Image> a = decodeImage(arithmetic.data(), arithmetic.size());
  ASSERT_TRUE(a.ok()) << a.status().toString();
  EXPECT_EQ(a->width, 13);
  EXPECT_EQ(a->height, 11);
}

TEST(JpegTest, UnsupportedCodingIsAClearError) {
  // The messages are libjpeg's.
  Bytes twelve = embeddedBytes("jpeg_420");
  twelve[findSegment(twelve, 0xC0) + 4] = 12;
  expectError(twelve, "unsupported: Unsupported JPEG data precision 12",
              StatusCode::Unimplemented);
  Bytes dnl = embeddedBytes("jpeg_420");
  size_t sof = findSegment(dnl, 0xC0);
  dnl[sof + 5] = dnl[sof + 6] = 0; // height 0
  expectError(dnl, "DNL not supported", StatusCode::Unimplemented);
  // Luma 3x2 with chroma 2x1: 3 is not a multiple of 2.
  Bytes odd = embeddedBytes("jpeg_420");
  odd[sof + 11] = 0x32;
  odd[sof + 14] = 0x21;
  expectError(odd, "Fractional sampling not implemented",
              StatusCode::Unimplemented);
}

TEST(JpegTest, TruncatedAtEveryByte) {
  expectEveryTruncationFails(embeddedBytes("jpeg_420_odd"), "jpeg_420_odd");
  expectEveryTruncationFails(embeddedBytes("jpeg_restart_420"),
                             "jpeg_restart_420");
  expectEveryTruncationFails(embeddedBytes("jpeg_gray"), "jpeg_gray");
}

TEST(JpegTest, CorruptHuffmanTable) {
  Bytes jpeg = embeddedBytes("jpeg_420");
  size_t dht = findSegment(jpeg, 0xC4);
  Bytes bad = jpeg;
  // DC table 0 (standard luminance): 0 1 5 1 1 1 1 1 1 codes of lengths
  // 1..9. Two 1-bit codes ('0' and the reserved all-ones '1'), the same total.
  ASSERT_EQ(bad[dht + 4], 0x00);
  ASSERT_EQ(bad[dht + 6], 1);
  ASSERT_EQ(bad[dht + 7], 5);
  bad[dht + 5] = 2;
  bad[dht + 6] = 0;
  bad[dht + 7] = 4;
  expectError(bad, "JPEG: Bogus Huffman table definition");
  bad = jpeg;
  for (int i = 0; i < 16; ++i)
    bad[dht + 5 + size_t(i)] = 17; // 272 codes
  expectError(bad, "JPEG: Bogus Huffman table definition");
  bad = jpeg;
  bad[dht + 4] = 0x25; // class 2
  expectError(bad, "JPEG: Bogus DHT index 37");
  // A scan referring to a table that was never defined.
  bad = jpeg;
  size_t sos = findSegment(bad, 0xDA);
  bad[sos + 6] = 0x33;
  expectError(bad, "JPEG: Huffman table 0x03 was not defined");
}

TEST(JpegTest, CorruptEntropyData) {
  Bytes jpeg = embeddedBytes("jpeg_gray");
  size_t sos = findSegment(jpeg, 0xDA);
  size_t start = sos + 2 + ((size_t(jpeg[sos + 2]) << 8) | jpeg[sos + 3]);
  // All ones: no code of the standard tables.
  Bytes bad = jpeg;
  for (size_t i = start; i + 4 <= jpeg.size() - 2; i += 2) {
    bad[i] = 0xFF;
    bad[i + 1] = 0x00;
  }
  // libjpeg only warns and fills in what it cannot decode; decodeImage keeps
  // the image (only a premature end of the file is an error).
  expectDecodes(bad, 19, 13);
  // The scan data cut short by an early EOI.
  bad.assign(jpeg.begin(), jpeg.begin() + long(start + 3));
  bad.push_back(0xFF);
  bad.push_back(0xD9);
  expectDecodes(bad, 19, 13);
}

TEST(JpegTest, RestartMarkers) {
  Bytes jpeg = embeddedBytes("jpeg_restart_420");
  size_t sos = findSegment(jpeg, 0xDA);
  size_t rst = 0;
  for (size_t i = sos; i + 1 < jpeg.size(); ++i)
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xD0) {
      rst = i;
      break;
    }
  ASSERT_NE(rst, 0u);
  Bytes bad = jpeg;
  bad[rst + 1] = 0xD3;
  expectDecodes(bad, 19, 13); // libjpeg resynchronizes
  // Without the DRI segment the RST markers are unexpected in the data:
  bad = jpeg;
  size_t dri = findSegment(bad, 0xDD);
  bad.erase(bad.begin() + long(dri), bad.begin() + long(dri + 6));
  expectDecodes(bad, 19, 13); // libjpeg skips them
}

TEST(JpegTest, StructureErrors) {
  Bytes jpeg = embeddedBytes("jpeg_420");
  expectError({0xFF, 0xD8, 0xFF, 0xD9}, "JPEG datastream contains no image");
  Bytes noSof = jpeg;
  size_t sof = findSegment(noSof, 0xC0);
  size_t sofLength = 2 + ((size_t(noSof[sof + 2]) << 8) | noSof[sof + 3]);
  noSof.erase(noSof.begin() + long(sof), noSof.begin() + long(sof + sofLength));
  expectError(noSof, "SOS before SOF");
  Bytes bad = jpeg;
  bad[sof + 7] = bad[sof + 8] = 0;
  expectError(bad, "Empty JPEG image", StatusCode::Unimplemented);
  bad = jpeg;
  bad[sof + 9] = 4;
  expectError(bad, "Bogus marker length");
  bad = jpeg;
  bad[sof + 11] = 0x50;
  expectError(bad, "Bogus sampling factors");
  bad = jpeg;
  bad[sof + 13] = bad[sof + 10]; // duplicate component id
  expectError(bad, "Invalid component ID 2 in SOS");
  size_t dqt = findSegment(jpeg, 0xDB);
  bad = jpeg;
  bad[dqt + 3] = 0x30; // DQT longer than the file allows
  bad[dqt + 2] = 0x30;
  expectError(bad, "Bogus DQT index 15");
  bad = jpeg;
  size_t sos = findSegment(bad, 0xDA);
  bad[sos + 5] = 9; // unknown component id
  expectError(bad, "Invalid component ID 9 in SOS");
  bad = jpeg;
  bad[sos + bad[sos + 3] - 1] = 1; // Ss = 1: not sequential
  expectDecodes(bad, 19, 13);      // libjpeg warns only
  DecodeOptions small;
  small.maxPixels = 100;
  expectError(jpeg, "exceeds the limit of 100 pixels",
              StatusCode::InvalidArgument, small);
}

TEST(JpegTest, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(11);
  int decoded = 0;
  for (const data::EmbeddedImage &e : data::kImages) {
    if (!e.jpeg)
      continue;
    Bytes file = bytesOf(e.data, e.size);
    for (int i = 0; i < 200; ++i) {
      Bytes bad = file;
      int edits = 1 + int(rng() % 4);
      for (int k = 0; k < edits; ++k) {
        size_t at = rng() % bad.size();
        if (rng() % 4 == 0)
          bad.erase(bad.begin() + long(at));
        else
          bad[at] = static_cast<uint8_t>(rng());
      }
      Expected<Image> image = decodeImage(bad.data(), bad.size());
      if (image.ok()) {
        ++decoded;
        EXPECT_EQ(image->pixels.size(),
                  size_t(image->width) * size_t(image->height) * 3);
      }
    }
  }
  EXPECT_GT(decoded, 0);
}

//===----------------------------------------------------------------------===//
// Formats and files
//===----------------------------------------------------------------------===//

TEST(ImageTest, FormatDetectionAndOtherFormats) {
  EXPECT_EQ(detectImageFormat(u8(data::jpeg_444_file), 4), ImageFormat::Jpeg);
  EXPECT_EQ(detectImageFormat(u8(data::png_fixed_file), 8), ImageFormat::Png);
  EXPECT_EQ(detectImageFormat(u8("GIF89a"), 6), ImageFormat::Unknown);
  expectError({}, "empty image file");
  Bytes gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0};
  expectError(gif, "unsupported: GIF image", StatusCode::Unimplemented);
  Bytes webp = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'};
  expectError(webp, "unsupported: WebP image", StatusCode::Unimplemented);
  expectError({'h', 'e', 'l', 'l', 'o'},
              "not a PNG or JPEG image (starts with \"hello\")",
              StatusCode::InvalidArgument);
  // A JPEG marker stream handed to the PNG decoder and vice versa.
  EXPECT_FALSE(decodePng(u8(data::jpeg_444_file), 100).ok());
  EXPECT_FALSE(decodeJpeg(u8(data::png_fixed_file), 100).ok());
}

std::string tempPath(const std::string &name) {
  const char *dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/ssmrt-image-test-" +
         std::to_string(::getpid()) + "-" + name;
}

TEST(ImageTest, LoadImageFromFiles) {
  std::string png = tempPath("a.png"), jpg = tempPath("a.jpg"),
              bad = tempPath("bad.jpg");
  ASSERT_TRUE(test::writeFileBytes(png, embeddedBytes("png_dynamic")).ok());
  ASSERT_TRUE(test::writeFileBytes(jpg, embeddedBytes("jpeg_422")).ok());
  Bytes cut = embeddedBytes("jpeg_422");
  cut.resize(cut.size() / 2);
  ASSERT_TRUE(test::writeFileBytes(bad, cut).ok());
  Expected<Image> a = loadImage(png);
  ASSERT_TRUE(a.ok()) << a.status().toString();
  EXPECT_EQ(a->width, 24);
  Expected<Image> b = loadImage(jpg);
  ASSERT_TRUE(b.ok()) << b.status().toString();
  EXPECT_EQ(b->height, 13);
  Expected<Image> c = loadImage(bad);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::DataLoss);
  EXPECT_EQ(c.status().message().rfind("'" + bad + "': JPEG: ", 0), 0u)
      << c.status().toString();
  Expected<Image> missing = loadImage(tempPath("missing.png"));
  EXPECT_EQ(missing.status().code(), StatusCode::NotFound);
  std::remove(png.c_str());
  std::remove(jpg.c_str());
  std::remove(bad.c_str());
}

//===----------------------------------------------------------------------===//
// Preprocessing
//===----------------------------------------------------------------------===//

/// The synthetic image of gen_image_test_data.py.
Image syntheticImage(int64_t w, int64_t h) {
  Image image = Image::blank(w, h);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t c = 0; c < 3; ++c) {
        uint64_t noise = ((uint64_t(x) * 37 + uint64_t(y) * 101 +
                           uint64_t(c) * 53 + uint64_t(x * y) * 7) *
                              2654435761u >>
                          7) %
                         64;
        int64_t v = (x * 255 / std::max<int64_t>(w - 1, 1)) * (c != 1) +
                    (y * 255 / std::max<int64_t>(h - 1, 1)) * (c != 0) +
                    int64_t(noise);
        image.pixel(x, y)[c] = static_cast<uint8_t>(v % 256);
      }
  return image;
}

TEST(PreprocessTest, BicubicResizeMatchesPil) {
  Image src = syntheticImage(23, 17);
  for (const data::ResizeCase &r : data::kResizes) {
    Expected<Image> out = resizeBicubic(src, r.width, r.height);
    ASSERT_TRUE(out.ok()) << out.status().toString();
    const uint8_t *want = u8(r.pixels);
    int worst = 0, differ = 0;
    for (size_t i = 0; i < out->pixels.size(); ++i) {
      int d = std::abs(int(out->pixels[i]) - int(want[i]));
      worst = std::max(worst, d);
      differ += d != 0;
    }
    // PIL's fixed-point arithmetic is reproduced exactly; allow one level
    // for floating-point contraction on other compilers/targets.
    EXPECT_LE(worst, 1) << r.width << "x" << r.height;
    EXPECT_LE(differ, int(out->pixels.size() / 100))
        << r.width << "x" << r.height;
  }
}

/// An independent float64 model of antialiased bicubic resampling (a =
/// -0.5, support scaled by the downscale factor, horizontal pass rounded and
/// clamped to 8 bits, then the vertical pass), without fixed point.
std::vector<double> referenceResize(const Image &src, int64_t w, int64_t h) {
  auto kernel = [](double x) {
    x = std::fabs(x);
    if (x < 1)
      return (1.5 * x - 2.5) * x * x + 1;
    if (x < 2)
      return ((-0.5 * x + 2.5) * x - 4) * x + 2;
    return 0.0;
  };
  auto weights = [&](int64_t in, int64_t out, int64_t o) {
    double scale = double(in) / double(out), fs = std::max(1.0, scale);
    double center = (double(o) + 0.5) * scale;
    std::vector<double> wv(size_t(in), 0.0);
    double sum = 0;
    for (int64_t i = 0; i < in; ++i)
      if (std::fabs(double(i) + 0.5 - center) < 2 * fs) {
        wv[size_t(i)] = kernel((double(i) + 0.5 - center) / fs);
        sum += wv[size_t(i)];
      }
    for (double &v : wv)
      v /= sum;
    return wv;
  };
  std::vector<double> tmp(size_t(w * src.height * 3)), out(size_t(w * h * 3));
  for (int64_t x = 0; x < w; ++x) {
    std::vector<double> wv = weights(src.width, w, x);
    for (int64_t y = 0; y < src.height; ++y)
      for (int c = 0; c < 3; ++c) {
        double s = 0;
        for (int64_t i = 0; i < src.width; ++i)
          s += wv[size_t(i)] * src.pixel(i, y)[c];
        tmp[size_t((y * w + x) * 3 + c)] =
            std::min(255.0, std::max(0.0, std::floor(s + 0.5)));
      }
  }
  for (int64_t y = 0; y < h; ++y) {
    std::vector<double> wv = weights(src.height, h, y);
    for (int64_t x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) {
        double s = 0;
        for (int64_t i = 0; i < src.height; ++i)
          s += wv[size_t(i)] * tmp[size_t((i * w + x) * 3 + c)];
        out[size_t((y * w + x) * 3 + c)] = std::min(255.0, std::max(0.0, s));
      }
  }
  return out;
}

TEST(PreprocessTest, BicubicResizeMatchesFloat64Model) {
  Image src = syntheticImage(31, 20);
  for (auto [w, h] : std::vector<std::pair<int64_t, int64_t>>{
           {15, 10}, {7, 4}, {62, 40}, {31, 9}, {45, 20}}) {
    Expected<Image> out = resizeBicubic(src, w, h);
    ASSERT_TRUE(out.ok());
    std::vector<double> ref = referenceResize(src, w, h);
    double worst = 0;
    for (size_t i = 0; i < ref.size(); ++i)
      worst = std::max(worst, std::fabs(out->pixels[i] - ref[i]));
    // The 8-bit intermediate and final rounding: at most ~1.5 levels.
    EXPECT_LE(worst, 1.6) << w << "x" << h;
  }
  // Identity sizes copy the image.
  Expected<Image> same = resizeBicubic(src, 31, 20);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->pixels, src.pixels);
  // A solid image stays solid whatever the scale.
  Image solid = Image::blank(9, 7);
  for (size_t i = 0; i < solid.pixels.size(); ++i)
    solid.pixels[i] = static_cast<uint8_t>(i % 3 == 0   ? 250
                                           : i % 3 == 1 ? 3
                                                        : 128);
  for (auto [w, h] :
       std::vector<std::pair<int64_t, int64_t>>{{3, 2}, {40, 41}}) {
    Expected<Image> out = resizeBicubic(solid, w, h);
    ASSERT_TRUE(out.ok());
    for (size_t i = 0; i < out->pixels.size(); ++i)
      ASSERT_EQ(out->pixels[i], solid.pixels[i % 3]);
  }
  EXPECT_FALSE(resizeBicubic(src, 0, 5).ok());
  Image broken = src;
  broken.pixels.pop_back();
  EXPECT_FALSE(resizeBicubic(broken, 5, 5).ok());
}

TEST(PreprocessTest, ShorterSideSizeTruncatesLikeTorchvision) {
  using Size = std::pair<int64_t, int64_t>;
  EXPECT_EQ(shorterSideSize(500, 375, 256), Size(341, 256));
  EXPECT_EQ(shorterSideSize(375, 500, 256), Size(256, 341));
  EXPECT_EQ(shorterSideSize(640, 427, 256), Size(383, 256));
  EXPECT_EQ(shorterSideSize(300, 300, 224), Size(224, 224));
  EXPECT_EQ(shorterSideSize(7, 5, 20), Size(28, 20));
}

Image coordinateImage(int64_t w, int64_t h) {
  Image image = Image::blank(w, h);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      image.pixel(x, y)[0] = static_cast<uint8_t>(x + 1);
      image.pixel(x, y)[1] = static_cast<uint8_t>(y + 1);
      image.pixel(x, y)[2] = 7;
    }
  return image;
}

TEST(PreprocessTest, CenterCropRoundsHalfToEven) {
  struct Case {
    int64_t w, h, cw, ch, left, top;
  };
  // int(round(d / 2.0)): round(2.5) = 2, round(3.5) = 4, round(1.5) = 2.
  for (Case c : {Case{10, 7, 5, 4, 2, 2}, Case{11, 9, 4, 4, 4, 2},
                 Case{257, 260, 224, 224, 16, 18}, Case{8, 8, 8, 8, 0, 0},
                 Case{9, 6, 8, 5, 0, 0}}) {
    Image src = coordinateImage(c.w, c.h);
    Expected<Image> out = centerCrop(src, c.cw, c.ch);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->pixel(0, 0)[0], (c.left + 1) % 256) << c.w << "x" << c.h;
    EXPECT_EQ(out->pixel(0, 0)[1], (c.top + 1) % 256) << c.w << "x" << c.h;
    EXPECT_EQ(out->pixel(c.cw - 1, c.ch - 1)[0], (c.left + c.cw) % 256);
  }
}

TEST(PreprocessTest, CenterCropPadsSmallImages) {
  // torchvision pads left/top by (crop - size) // 2, the rest right/bottom.
  Image src = coordinateImage(3, 2);
  Expected<Image> out = centerCrop(src, 6, 5);
  ASSERT_TRUE(out.ok());
  for (int64_t y = 0; y < 5; ++y)
    for (int64_t x = 0; x < 6; ++x) {
      bool inside = x >= 1 && x < 4 && y >= 1 && y < 3;
      EXPECT_EQ(out->pixel(x, y)[2], inside ? 7 : 0) << x << "," << y;
      if (inside) {
        EXPECT_EQ(out->pixel(x, y)[0], x); // source x = x - 1, stored + 1
      }
    }
  EXPECT_FALSE(centerCrop(src, 0, 2).ok());
}

void expectNear(const HostTensor &t, const float *want, size_t n,
                const std::string &what) {
  ASSERT_EQ(t.elementCount(), n) << what;
  const float *got = t.dataAs<float>();
  float worst = 0;
  for (size_t i = 0; i < n; ++i)
    worst = std::max(worst, std::fabs(got[i] - want[i]));
  EXPECT_LE(worst, 1e-5f) << what;
}

TEST(PreprocessTest, MatchesTorchvisionTransform) {
  PreprocessOptions o;
  o.resize = 16;
  o.cropHeight = o.cropWidth = 12;
  Expected<HostTensor> t = preprocess(syntheticImage(23, 17), o);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->typeString(), "1x3x12x12xf32");
  expectNear(*t, data::kPreprocess_23x17_r16_c12,
             sizeof(data::kPreprocess_23x17_r16_c12) / sizeof(float),
             "23x17 -> 16 -> 12");
  o.resize = 20;
  o.cropHeight = o.cropWidth = 17;
  t = preprocess(syntheticImage(9, 14), o); // upscaling
  ASSERT_TRUE(t.ok()) << t.status().toString();
  expectNear(*t, data::kPreprocess_9x14_r20_c17,
             sizeof(data::kPreprocess_9x14_r20_c17) / sizeof(float),
             "9x14 -> 20 -> 17");
}

TEST(PreprocessTest, NormalizationAndBf16) {
  Image solid = Image::blank(6, 5);
  for (size_t i = 0; i < solid.pixels.size(); i += 3) {
    solid.pixels[i] = 255;
    solid.pixels[i + 1] = 0;
    solid.pixels[i + 2] = 51;
  }
  PreprocessOptions o;
  o.resize = 0;
  o.cropHeight = 4;
  o.cropWidth = 3;
  o.mean = {0.5f, 0.25f, 0.0f};
  o.stddev = {0.5f, 2.0f, 0.1f};
  Expected<HostTensor> f = preprocess(solid, o);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->typeString(), "1x3x4x3xf32");
  const float *v = f->dataAs<float>();
  EXPECT_FLOAT_EQ(v[0], 1.0f);     // (1 - 0.5) / 0.5
  EXPECT_FLOAT_EQ(v[12], -0.125f); // (0 - 0.25) / 2
  EXPECT_FLOAT_EQ(v[24], 2.0f);    // (0.2 - 0) / 0.1
  o.dtype = DType::BF16;
  Expected<HostTensor> b = preprocess(solid, o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->typeString(), "1x3x4x3xbf16");
  for (uint64_t i = 0; i < b->elementCount(); ++i)
    ASSERT_EQ(b->dataAs<uint16_t>()[i], floatToBf16(v[i]));
  // No resize and no crop: the image size.
  o.cropHeight = o.cropWidth = 0;
  o.dtype = DType::F32;
  Expected<HostTensor> whole = preprocess(solid, o);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->typeString(), "1x3x5x6xf32");
}

TEST(PreprocessTest, BatchAndErrors) {
  PreprocessOptions o;
  o.resize = 10;
  o.cropHeight = o.cropWidth = 8;
  std::vector<Image> images = {syntheticImage(23, 17), syntheticImage(9, 14)};
  Expected<HostTensor> batch = preprocessBatch(images, o);
  ASSERT_TRUE(batch.ok()) << batch.status().toString();
  EXPECT_EQ(batch->typeString(), "2x3x8x8xf32");
  for (size_t i = 0; i < 2; ++i) {
    Expected<HostTensor> one = preprocess(images[i], o);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(std::memcmp(batch->dataAs<uint8_t>() + i * one->byteSize(),
                          one->data(), one->byteSize()),
              0);
  }
  o.cropHeight = o.cropWidth = 0;
  Expected<HostTensor> mismatch = preprocessBatch(images, o);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("set a crop size"),
            std::string::npos);
  EXPECT_FALSE(preprocessBatch({}, o).ok());

  PreprocessOptions bad;
  bad.dtype = DType::I32;
  EXPECT_NE(preprocess(images[0], bad).status().message().find("f32 or bf16"),
            std::string::npos);
  bad = PreprocessOptions();
  bad.stddev = {1, 0, 1};
  EXPECT_FALSE(preprocess(images[0], bad).ok());
  bad = PreprocessOptions();
  bad.resize = -1;
  EXPECT_FALSE(preprocess(images[0], bad).ok());
  std::vector<float> buffer(10);
  Status wrongSize =
      preprocessInto(images[0], PreprocessOptions(), buffer.data(), 40);
  EXPECT_EQ(wrongSize.code(), StatusCode::InvalidArgument);
  EXPECT_FALSE(preprocess(Image(), PreprocessOptions()).ok());
}

TEST(PreprocessTest, DecodedJpegEndToEnd) {
  const data::EmbeddedImage &e = embedded("jpeg_420");
  Expected<Image> image = decodeImage(u8(e.data), e.size);
  ASSERT_TRUE(image.ok());
  PreprocessOptions o; // ImageNet defaults: 256 -> 224, upscaling 19x13
  Expected<HostTensor> t = preprocess(*image, o);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(t->typeString(), "1x3x224x224xf32");
  for (uint64_t i = 0; i < t->elementCount(); ++i) {
    float v = t->dataAs<float>()[i];
    ASSERT_TRUE(v >= -2.2f && v <= 2.7f) << v;
  }
}

} // namespace
} // namespace ssmrt
