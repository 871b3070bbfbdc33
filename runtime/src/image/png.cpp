//===- png.cpp - PNG decoding with a built-in zlib inflate ----------------===//
//
// Part of the ssmc project. Written from the PNG specification (W3C, 2nd
// edition) and RFC 1950/1951 (zlib, deflate). Every read is bounds-checked:
// the chunk walker checks lengths against the file, the inflater against its
// input and its output limit (the exact number of bytes the image needs), the
// unfilter and the pixel conversion only touch the buffers they sized.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/image.h"

#include "ssmrt/core/crc32.h"

#include "../core/strings.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace ssmrt {

using detail::strCat;

namespace {

Status pngError(const std::string &message) {
  return dataLossError("PNG: " + message);
}

//===----------------------------------------------------------------------===//
// Inflate (RFC 1951) inside a zlib wrapper (RFC 1950)
//===----------------------------------------------------------------------===//

constexpr int kMaxCodeBits = 15;
constexpr int kFastBits = 9;

/// A canonical Huffman code: counts per length, symbols in canonical order,
/// and a table for codes of up to kFastBits bits indexed by the next
/// kFastBits input bits (deflate packs codes starting at the low bit, so the
/// table is indexed by bit-reversed codes).
struct Huffman {
  uint16_t counts[kMaxCodeBits + 1] = {};
  uint16_t symbols[320] = {};
  // (symbol << 4) | length; 0 = no code of at most kFastBits bits.
  uint16_t fast[1 << kFastBits] = {};
};

/// Builds `h` from code lengths. Over-subscribed sets are errors; incomplete
/// ones are allowed (an unused code then fails when it is decoded).
Status buildHuffman(Huffman &h, const uint8_t *lengths, int n,
                    const char *what) {
  h = Huffman();
  for (int s = 0; s < n; ++s)
    ++h.counts[lengths[s]];
  h.counts[0] = 0;
  int left = 1;
  for (int len = 1; len <= kMaxCodeBits; ++len) {
    left <<= 1;
    left -= h.counts[len];
    if (left < 0)
      return pngError(strCat("corrupt deflate stream: over-subscribed ", what,
                             " Huffman code"));
  }
  uint16_t offsets[kMaxCodeBits + 2] = {};
  for (int len = 1; len <= kMaxCodeBits; ++len)
    offsets[len + 1] = static_cast<uint16_t>(offsets[len] + h.counts[len]);
  for (int s = 0; s < n; ++s)
    if (lengths[s] != 0)
      h.symbols[offsets[lengths[s]]++] = static_cast<uint16_t>(s);
  // Canonical codes, first code of each length.
  uint32_t next[kMaxCodeBits + 2] = {};
  uint32_t code = 0;
  for (int len = 1; len <= kMaxCodeBits; ++len) {
    code = (code + h.counts[len - 1]) << 1;
    next[len] = code;
  }
  for (int s = 0; s < n; ++s) {
    int len = lengths[s];
    if (len == 0 || len > kFastBits) {
      if (len != 0)
        ++next[len];
      continue;
    }
    uint32_t c = next[len]++;
    uint32_t reversed = 0;
    for (int i = 0; i < len; ++i)
      reversed |= ((c >> i) & 1u) << (len - 1 - i);
    for (uint32_t r = reversed; r < (1u << kFastBits); r += 1u << len)
      h.fast[r] = static_cast<uint16_t>((s << 4) | len);
  }
  return okStatus();
}

constexpr uint16_t kLengthBase[29] = {
    3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
                                      1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                      4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {
    1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0,  0,  1,  1,  2,  2,  3,  3,
                                    4, 4, 5,  5,  6,  6,  7,  7,  8,  8,
                                    9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

class Inflater {
public:
  Inflater(const uint8_t *data, size_t size, size_t outLimit)
      : data_(data), size_(size), limit_(outLimit) {
    // Deflate expands at most ~1032:1, so the reservation is bounded by the
    // input, whatever the header claims.
    out_.reserve(size < outLimit / 1032 ? size * 1032 + 1024 : outLimit);
  }

  /// Inflates the whole zlib stream; the output must be exactly the limit.
  Status run(bool verifyAdler) {
    uint32_t cmf, flg;
    if (!bits(8, cmf) || !bits(8, flg))
      return truncated();
    if ((cmf & 0x0F) != 8)
      return pngError(strCat("zlib stream: unknown compression method ",
                             cmf & 0x0F, " (expected 8, deflate)"));
    if ((cmf >> 4) > 7)
      return pngError("zlib stream: window size larger than 32 KiB");
    if ((cmf * 256 + flg) % 31 != 0)
      return pngError("zlib stream: corrupt header (check bits)");
    if (flg & 0x20)
      return pngError("zlib stream: preset dictionary is not allowed in PNG");
    bool last = false;
    while (!last) {
      uint32_t header;
      if (!bits(3, header))
        return truncated();
      last = (header & 1) != 0;
      switch (header >> 1) {
      case 0:
        SSMRT_RETURN_IF_ERROR(stored());
        break;
      case 1:
        SSMRT_RETURN_IF_ERROR(fixed());
        break;
      case 2:
        SSMRT_RETURN_IF_ERROR(dynamic());
        break;
      default:
        return pngError("corrupt deflate stream: invalid block type 3");
      }
    }
    if (out_.size() != limit_)
      return pngError(strCat("image data is too short: the IDAT stream "
                             "decompresses to ",
                             out_.size(), " bytes, the image needs ", limit_));
    // The Adler-32 starts at the next byte boundary.
    alignToByte();
    uint32_t stored = 0;
    for (int i = 0; i < 4; ++i) {
      uint32_t b;
      if (!bits(8, b))
        return pngError("zlib stream: truncated (missing Adler-32 checksum)");
      stored = (stored << 8) | b;
    }
    if (verifyAdler) {
      uint32_t a = 1, b = 0;
      size_t i = 0, n = out_.size();
      while (i < n) {
        size_t end = std::min(n, i + 5552);
        for (; i < end; ++i) {
          a += out_[i];
          b += a;
        }
        a %= 65521;
        b %= 65521;
      }
      if (((b << 16) | a) != stored)
        return pngError("zlib stream: Adler-32 checksum mismatch");
    }
    return okStatus();
  }

  std::vector<uint8_t> take() { return std::move(out_); }

private:
  Status truncated() const {
    return pngError("truncated image data (the zlib stream ends early)");
  }
  Status tooMuch() const {
    return pngError(strCat("too much image data: the IDAT stream "
                           "decompresses to more than the ",
                           limit_, " bytes the image needs"));
  }

  void alignToByte() {
    int drop = bitCount_ % 8;
    bitBuf_ >>= drop;
    bitCount_ -= drop;
  }

  /// Tops the bit buffer up to at least `n` bits; false at end of input.
  bool need(int n) {
    while (bitCount_ < n) {
      if (pos_ >= size_)
        return false;
      bitBuf_ |= uint64_t(data_[pos_++]) << bitCount_;
      bitCount_ += 8;
    }
    return true;
  }
  bool bits(int n, uint32_t &value) {
    if (n == 0) {
      value = 0;
      return true;
    }
    if (!need(n))
      return false;
    value = static_cast<uint32_t>(bitBuf_ & ((uint64_t(1) << n) - 1));
    bitBuf_ >>= n;
    bitCount_ -= n;
    return true;
  }

  Status decode(const Huffman &h, int &symbol) {
    need(kFastBits); // may fall short near the end: then the slow path
    if (bitCount_ >= kFastBits) {
      uint16_t e = h.fast[bitBuf_ & ((1u << kFastBits) - 1)];
      if (e != 0) {
        int len = e & 15;
        bitBuf_ >>= len;
        bitCount_ -= len;
        symbol = e >> 4;
        return okStatus();
      }
    }
    // Bit by bit over the canonical code (codes are MSB-first).
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= kMaxCodeBits; ++len) {
      uint32_t bit;
      if (!bits(1, bit))
        return truncated();
      code |= static_cast<int>(bit);
      int count = h.counts[len];
      if (code - first < count) {
        symbol = h.symbols[index + code - first];
        return okStatus();
      }
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    return pngError("corrupt deflate stream: invalid Huffman code");
  }

  Status stored() {
    alignToByte();
    uint32_t len, nlen;
    if (!bits(16, len) || !bits(16, nlen))
      return truncated();
    if ((len ^ 0xFFFF) != nlen)
      return pngError("corrupt deflate stream: stored block length check "
                      "(LEN != ~NLEN)");
    // Whole bytes may still sit in the bit buffer.
    while (len > 0 && bitCount_ >= 8) {
      if (out_.size() >= limit_)
        return tooMuch();
      out_.push_back(static_cast<uint8_t>(bitBuf_ & 0xFF));
      bitBuf_ >>= 8;
      bitCount_ -= 8;
      --len;
    }
    if (len > size_ - pos_)
      return truncated();
    if (len > limit_ - out_.size())
      return tooMuch();
    out_.insert(out_.end(), data_ + pos_, data_ + pos_ + len);
    pos_ += len;
    return okStatus();
  }

  Status fixed() {
    if (!fixedBuilt_) {
      uint8_t lengths[288 + 30];
      for (int i = 0; i < 288; ++i)
        lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
      for (int i = 0; i < 30; ++i)
        lengths[288 + i] = 5;
      SSMRT_RETURN_IF_ERROR(
          buildHuffman(fixedLit_, lengths, 288, "literal/length"));
      SSMRT_RETURN_IF_ERROR(
          buildHuffman(fixedDist_, lengths + 288, 30, "distance"));
      fixedBuilt_ = true;
    }
    return codes(fixedLit_, fixedDist_);
  }

  Status dynamic() {
    uint32_t hlit, hdist, hclen;
    if (!bits(5, hlit) || !bits(5, hdist) || !bits(4, hclen))
      return truncated();
    hlit += 257;
    hdist += 1;
    hclen += 4;
    if (hlit > 286 || hdist > 30)
      return pngError("corrupt deflate stream: too many length or distance "
                      "codes in a dynamic block");
    static constexpr uint8_t kOrder[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                           11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint8_t clens[19] = {};
    for (uint32_t i = 0; i < hclen; ++i) {
      uint32_t v;
      if (!bits(3, v))
        return truncated();
      clens[kOrder[i]] = static_cast<uint8_t>(v);
    }
    Huffman clh;
    SSMRT_RETURN_IF_ERROR(buildHuffman(clh, clens, 19, "code-length"));
    uint8_t lengths[286 + 30] = {};
    uint32_t n = 0, total = hlit + hdist;
    while (n < total) {
      int sym = 0;
      SSMRT_RETURN_IF_ERROR(decode(clh, sym));
      if (sym < 16) {
        lengths[n++] = static_cast<uint8_t>(sym);
        continue;
      }
      uint8_t value = 0;
      uint32_t repeat;
      if (sym == 16) {
        if (n == 0)
          return pngError("corrupt deflate stream: repeat code with no "
                          "previous length");
        value = lengths[n - 1];
        if (!bits(2, repeat))
          return truncated();
        repeat += 3;
      } else if (sym == 17) {
        if (!bits(3, repeat))
          return truncated();
        repeat += 3;
      } else {
        if (!bits(7, repeat))
          return truncated();
        repeat += 11;
      }
      if (n + repeat > total)
        return pngError("corrupt deflate stream: code lengths overrun the "
                        "code count");
      while (repeat-- > 0)
        lengths[n++] = value;
    }
    if (lengths[256] == 0)
      return pngError("corrupt deflate stream: no end-of-block code");
    Huffman lit, dist;
    SSMRT_RETURN_IF_ERROR(
        buildHuffman(lit, lengths, static_cast<int>(hlit), "literal/length"));
    SSMRT_RETURN_IF_ERROR(buildHuffman(dist, lengths + hlit,
                                       static_cast<int>(hdist), "distance"));
    return codes(lit, dist);
  }

  Status codes(const Huffman &lit, const Huffman &dist) {
    while (true) {
      int sym = 0;
      SSMRT_RETURN_IF_ERROR(decode(lit, sym));
      if (sym < 256) {
        if (out_.size() >= limit_)
          return tooMuch();
        out_.push_back(static_cast<uint8_t>(sym));
        continue;
      }
      if (sym == 256)
        return okStatus();
      sym -= 257;
      if (sym >= 29)
        return pngError("corrupt deflate stream: invalid length code");
      uint32_t extra;
      if (!bits(kLengthExtra[sym], extra))
        return truncated();
      size_t len = kLengthBase[sym] + extra;
      int dsym = 0;
      SSMRT_RETURN_IF_ERROR(decode(dist, dsym));
      if (dsym >= 30)
        return pngError("corrupt deflate stream: invalid distance code");
      if (!bits(kDistExtra[dsym], extra))
        return truncated();
      size_t distance = kDistBase[dsym] + extra;
      if (distance > out_.size())
        return pngError("corrupt deflate stream: distance too far back");
      if (len > limit_ - out_.size())
        return tooMuch();
      size_t from = out_.size() - distance;
      for (size_t i = 0; i < len; ++i) {
        uint8_t b = out_[from + i]; // a copy: push_back may reallocate
        out_.push_back(b);
      }
    }
  }

  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
  uint64_t bitBuf_ = 0;
  int bitCount_ = 0;
  size_t limit_;
  std::vector<uint8_t> out_;
  bool fixedBuilt_ = false;
  Huffman fixedLit_, fixedDist_;
};

//===----------------------------------------------------------------------===//
// Chunks, unfiltering, pixel conversion
//===----------------------------------------------------------------------===//

constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

uint32_t be32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) |
         (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

std::string chunkName(const uint8_t *p) {
  std::string name;
  for (int i = 0; i < 4; ++i) {
    uint8_t c = p[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
      name += static_cast<char>(c);
    else
      name += strCat(
          "\\x",
          (c >> 4) < 10 ? char('0' + (c >> 4)) : char('a' + (c >> 4) - 10),
          (c & 15) < 10 ? char('0' + (c & 15)) : char('a' + (c & 15) - 10));
  }
  return name;
}

struct Header {
  uint32_t width = 0, height = 0;
  int bitDepth = 0, colorType = 0, interlace = 0;
  int channels = 0;     // samples per pixel
  int bitsPerPixel = 0; // channels * bitDepth
};

/// Bytes of one filtered scanline of `width` pixels, without the filter byte.
size_t rowBytes(const Header &h, uint64_t width) {
  return static_cast<size_t>((width * uint64_t(h.bitsPerPixel) + 7) / 8);
}

struct Pass {
  int x0, y0, dx, dy;
};
constexpr Pass kAdam7[7] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8},
                            {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2},
                            {0, 1, 1, 2}};
constexpr Pass kProgressive[1] = {{0, 0, 1, 1}};

uint64_t passExtent(uint32_t size, int start, int step) {
  return size > uint32_t(start)
             ? (uint64_t(size) - uint64_t(start) + uint64_t(step) - 1) /
                   uint64_t(step)
             : 0;
}

uint8_t paeth(int a, int b, int c) {
  int p = a + b - c;
  int pa = p > a ? p - a : a - p;
  int pb = p > b ? p - b : b - p;
  int pc = p > c ? p - c : c - p;
  if (pa <= pb && pa <= pc)
    return static_cast<uint8_t>(a);
  return static_cast<uint8_t>(pb <= pc ? b : c);
}

/// Unfilters `rows` scanlines in place: each is a filter byte followed by
/// `stride` bytes; `bpp` is the filter's byte distance (at least 1).
Status unfilter(uint8_t *data, size_t rows, size_t stride, size_t bpp,
                int pass) {
  const uint8_t *prior = nullptr;
  for (size_t y = 0; y < rows; ++y) {
    uint8_t *line = data + y * (stride + 1);
    uint8_t type = line[0];
    uint8_t *cur = line + 1;
    switch (type) {
    case 0:
      break;
    case 1:
      for (size_t i = bpp; i < stride; ++i)
        cur[i] = static_cast<uint8_t>(cur[i] + cur[i - bpp]);
      break;
    case 2:
      if (prior)
        for (size_t i = 0; i < stride; ++i)
          cur[i] = static_cast<uint8_t>(cur[i] + prior[i]);
      break;
    case 3:
      for (size_t i = 0; i < stride; ++i) {
        int a = i >= bpp ? cur[i - bpp] : 0;
        int b = prior ? prior[i] : 0;
        cur[i] = static_cast<uint8_t>(cur[i] + ((a + b) >> 1));
      }
      break;
    case 4:
      for (size_t i = 0; i < stride; ++i) {
        int a = i >= bpp ? cur[i - bpp] : 0;
        int b = prior ? prior[i] : 0;
        int c = prior && i >= bpp ? prior[i - bpp] : 0;
        cur[i] = static_cast<uint8_t>(cur[i] + paeth(a, b, c));
      }
      break;
    default:
      return pngError(strCat("invalid filter type ", int(type), " in row ", y,
                             pass >= 0 ? strCat(" of interlace pass ", pass + 1)
                                       : std::string()));
    }
    prior = cur;
  }
  return okStatus();
}

/// Sample `i` of an unfiltered row, reduced to 8 bits (16-bit: high byte;
/// 1/2/4-bit: unscaled, the caller scales or indexes).
inline unsigned sampleAt(const uint8_t *row, size_t i, int bitDepth) {
  switch (bitDepth) {
  case 8:
    return row[i];
  case 16:
    return row[2 * i];
  default: {
    size_t bit = i * size_t(bitDepth);
    unsigned byte = row[bit / 8];
    unsigned shift = 8u - unsigned(bitDepth) - unsigned(bit % 8);
    return (byte >> shift) & ((1u << bitDepth) - 1u);
  }
  }
}

Status checkHeader(const Header &h) {
  if (h.width == 0 || h.height == 0)
    return pngError(strCat("invalid image size ", h.width, "x", h.height));
  if (h.width > 0x7FFFFFFFu || h.height > 0x7FFFFFFFu)
    return pngError(strCat("image size ", h.width, "x", h.height,
                           " exceeds the PNG limit of 2^31-1"));
  auto depthIs = [&](std::initializer_list<int> allowed) {
    for (int d : allowed)
      if (d == h.bitDepth)
        return true;
    return false;
  };
  bool ok = false;
  switch (h.colorType) {
  case 0:
    ok = depthIs({1, 2, 4, 8, 16});
    break;
  case 3:
    ok = depthIs({1, 2, 4, 8});
    break;
  case 2:
  case 4:
  case 6:
    ok = depthIs({8, 16});
    break;
  default:
    return pngError(strCat("invalid color type ", h.colorType));
  }
  if (!ok)
    return pngError(strCat("invalid bit depth ", h.bitDepth, " for color type ",
                           h.colorType));
  return okStatus();
}

} // namespace

Expected<Image> decodePng(const uint8_t *data, size_t size,
                          const DecodeOptions &options) {
  if (size < 8 || std::memcmp(data, kSignature, 8) != 0)
    return pngError("not a PNG file (bad signature)");
  size_t pos = 8;
  Header h;
  bool haveHeader = false, havePalette = false, idatDone = false,
       sawIdat = false, sawEnd = false;
  uint8_t palette[256 * 3] = {};
  size_t paletteEntries = 0;
  std::vector<uint8_t> idat;
  int index = 0;
  while (!sawEnd) {
    if (size - pos < 12)
      return pngError(pos == size
                          ? std::string("truncated file (no IEND chunk)")
                          : strCat("truncated chunk header at offset ", pos));
    uint32_t length = be32(data + pos);
    const uint8_t *type = data + pos + 4;
    std::string name = chunkName(type);
    if (length > 0x7FFFFFFFu)
      return pngError(strCat("chunk '", name, "' at offset ", pos,
                             " has an invalid length ", length));
    if (size_t(length) > size - pos - 12)
      return pngError(strCat("truncated chunk '", name, "' at offset ", pos,
                             ": ", length, " data bytes declared, ",
                             size - pos - 12 < size_t(length) ? size - pos - 12
                                                              : size_t(length),
                             " available"));
    const uint8_t *body = data + pos + 8;
    if (options.verifyChecksums) {
      uint32_t stored = be32(body + length);
      if (crc32(type, size_t(length) + 4) != stored)
        return pngError(
            strCat("CRC mismatch in chunk '", name, "' at offset ", pos));
    }
    pos += size_t(length) + 12;
    bool isIdat = std::memcmp(type, "IDAT", 4) == 0;
    if (index++ == 0 && std::memcmp(type, "IHDR", 4) != 0)
      return pngError(
          strCat("the first chunk is '", name, "', expected 'IHDR'"));
    if (sawIdat && !isIdat)
      idatDone = true;
    if (std::memcmp(type, "IHDR", 4) == 0) {
      if (haveHeader)
        return pngError("more than one IHDR chunk");
      if (length != 13)
        return pngError(
            strCat("IHDR chunk has length ", length, ", expected 13"));
      h.width = be32(body);
      h.height = be32(body + 4);
      h.bitDepth = body[8];
      h.colorType = body[9];
      if (body[10] != 0)
        return pngError(strCat("unknown compression method ", int(body[10])));
      if (body[11] != 0)
        return pngError(strCat("unknown filter method ", int(body[11])));
      if (body[12] > 1)
        return pngError(strCat("unknown interlace method ", int(body[12])));
      h.interlace = body[12];
      SSMRT_RETURN_IF_ERROR(checkHeader(h));
      h.channels = h.colorType == 2   ? 3
                   : h.colorType == 4 ? 2
                   : h.colorType == 6 ? 4
                                      : 1;
      h.bitsPerPixel = h.channels * h.bitDepth;
      if (uint64_t(h.width) * h.height > options.maxPixels)
        return invalidArgumentError(strCat(
            "PNG: image of ", h.width, "x", h.height,
            " pixels exceeds the limit of ", options.maxPixels, " pixels"));
      haveHeader = true;
    } else if (std::memcmp(type, "PLTE", 4) == 0) {
      if (havePalette)
        return pngError("more than one PLTE chunk");
      if (sawIdat)
        return pngError("PLTE chunk after IDAT");
      if (h.colorType == 0 || h.colorType == 4)
        return pngError("PLTE chunk in a grayscale image");
      if (length == 0 || length % 3 != 0 || length > 768)
        return pngError(strCat("PLTE chunk has invalid length ", length));
      std::memcpy(palette, body, length);
      paletteEntries = length / 3;
      havePalette = true;
    } else if (isIdat) {
      if (idatDone)
        return pngError("IDAT chunks are not consecutive");
      if (h.colorType == 3 && !havePalette)
        return pngError("palette image without a PLTE chunk before IDAT");
      sawIdat = true;
      idat.insert(idat.end(), body, body + length);
    } else if (std::memcmp(type, "IEND", 4) == 0) {
      sawEnd = true;
    } else if (!(type[0] & 0x20)) {
      return pngError(strCat("unknown critical chunk '", name, "'"));
    }
    // Other ancillary chunks (tRNS, gAMA, tEXt, ...) are skipped.
  }
  if (!sawIdat)
    return pngError("no IDAT chunk");

  // The filtered image data: every non-empty pass, row by row.
  const Pass *passes = h.interlace ? kAdam7 : kProgressive;
  int passCount = h.interlace ? 7 : 1;
  uint64_t expected = 0;
  for (int p = 0; p < passCount; ++p) {
    uint64_t w = passExtent(h.width, passes[p].x0, passes[p].dx);
    uint64_t rows = passExtent(h.height, passes[p].y0, passes[p].dy);
    if (w != 0 && rows != 0)
      expected += rows * (1 + rowBytes(h, w));
  }
  Inflater inflater(idat.data(), idat.size(), static_cast<size_t>(expected));
  SSMRT_RETURN_IF_ERROR(inflater.run(options.verifyChecksums));
  std::vector<uint8_t> raw = inflater.take();
  idat = std::vector<uint8_t>();

  Image image = Image::blank(h.width, h.height);
  size_t bpp = std::max(1, h.bitsPerPixel / 8);
  size_t offset = 0;
  unsigned maxValue = (1u << std::min(h.bitDepth, 8)) - 1u;
  for (int p = 0; p < passCount; ++p) {
    const Pass &ps = passes[p];
    uint64_t w = passExtent(h.width, ps.x0, ps.dx);
    uint64_t rows = passExtent(h.height, ps.y0, ps.dy);
    if (w == 0 || rows == 0)
      continue;
    size_t stride = rowBytes(h, w);
    uint8_t *base = raw.data() + offset;
    SSMRT_RETURN_IF_ERROR(unfilter(base, static_cast<size_t>(rows), stride, bpp,
                                   h.interlace ? p : -1));
    for (uint64_t r = 0; r < rows; ++r) {
      const uint8_t *row = base + r * (stride + 1) + 1;
      int64_t y = int64_t(ps.y0) + int64_t(r) * ps.dy;
      for (uint64_t i = 0; i < w; ++i) {
        uint8_t *px = image.pixel(int64_t(ps.x0) + int64_t(i) * ps.dx, y);
        size_t s = static_cast<size_t>(i) * size_t(h.channels);
        switch (h.colorType) {
        case 0:
        case 4: { // gray (+ alpha, dropped)
          unsigned v = sampleAt(row, s, h.bitDepth);
          if (h.bitDepth < 8)
            v = v * 255u / maxValue;
          px[0] = px[1] = px[2] = static_cast<uint8_t>(v);
          break;
        }
        case 2:
        case 6: // RGB (+ alpha, dropped)
          for (int c = 0; c < 3; ++c)
            px[c] =
                static_cast<uint8_t>(sampleAt(row, s + size_t(c), h.bitDepth));
          break;
        case 3: {
          unsigned v = sampleAt(row, s, h.bitDepth);
          if (v < paletteEntries)
            std::memcpy(px, palette + v * 3, 3);
          else // past PLTE: gray (v, v, v), like PIL's default palette
            px[0] = px[1] = px[2] = static_cast<uint8_t>(v);
          break;
        }
        default:
          break;
        }
      }
    }
    offset += static_cast<size_t>(rows) * (stride + 1);
  }
  return image;
}

} // namespace ssmrt
