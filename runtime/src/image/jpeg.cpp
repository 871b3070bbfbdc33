//===- jpeg.cpp - Baseline/extended sequential JPEG decoding --------------===//
//
// Part of the ssmc project. Written from ITU-T T.81 (JPEG) and the JFIF 1.02
// specification. Sequential Huffman-coded 8-bit JPEGs with 1 or 3
// components; everything else is refused with an Unimplemented error.
//
// Safety: segment lengths are checked against the file before any read; the
// entropy decoder reads through a bit reader that pads with zeros at a marker
// or at the end of the data and records an overrun when padded bits are
// consumed (checked after every MCU); Huffman tables are validated when
// defined; run lengths and magnitude categories are range-checked; block
// positions always lie inside the component planes, which are sized for
// whole MCUs.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/image.h"

#include "../core/strings.h"

#include <algorithm>
#include <cstring>

namespace ssmrt {

using detail::Hex;
using detail::strCat;

namespace {

Status jpegError(const std::string &message) {
  return dataLossError("JPEG: " + message);
}
Status jpegUnsupported(const std::string &what) {
  return unimplementedError("unsupported: " + what);
}

constexpr uint8_t kZigzag[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
    12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
    58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

uint32_t be16(const uint8_t *p) { return (uint32_t(p[0]) << 8) | p[1]; }

//===----------------------------------------------------------------------===//
// Huffman tables
//===----------------------------------------------------------------------===//

constexpr int kLookBits = 9;

struct HuffTable {
  bool defined = false;
  uint8_t lookLen[1 << kLookBits] = {}; // 0: no code of <= kLookBits bits
  uint8_t lookSym[1 << kLookBits] = {};
  int32_t minCode[17] = {};
  int32_t maxCode[17] = {}; // -1: no code of this length
  int32_t valPtr[17] = {};
  uint8_t values[256] = {};
  int count = 0;
};

/// Builds a table from the 16 code-length counts and the symbol values of a
/// DHT segment. Rejects over-subscribed tables and tables that use the
/// all-ones code of some length (reserved by T.81 Annex C).
Status buildHuffTable(HuffTable &t, const uint8_t *counts,
                      const uint8_t *values, int total, int tableClass,
                      int id) {
  t = HuffTable();
  t.count = total;
  std::memcpy(t.values, values, size_t(total));
  int32_t code = 0;
  int k = 0;
  for (int len = 1; len <= 16; ++len) {
    int n = counts[len - 1];
    // The codes of this length are code .. code + n - 1; the last may not be
    // all ones (nor overflow the length).
    if (code + n >= (int32_t(1) << len))
      return jpegError(strCat("corrupt Huffman table (",
                              tableClass ? "AC" : "DC", " table ", id,
                              "): more codes of length ", len, " than fit"));
    t.valPtr[len] = k;
    t.minCode[len] = code;
    for (int i = 0; i < n; ++i, ++k, ++code) {
      if (len <= kLookBits) {
        int shift = kLookBits - len;
        int first = code << shift;
        for (int j = 0; j < (1 << shift); ++j) {
          t.lookLen[first + j] = static_cast<uint8_t>(len);
          t.lookSym[first + j] = values[k];
        }
      }
    }
    t.maxCode[len] = n ? code - 1 : -1;
    code <<= 1;
  }
  t.defined = true;
  return okStatus();
}

//===----------------------------------------------------------------------===//
// Entropy-coded data
//===----------------------------------------------------------------------===//

/// Reads the bits of entropy-coded data (with 0xFF00 unstuffed). At a marker
/// or the end of the data it feeds zero bits and counts them as padding;
/// consuming a padding bit sets overrun().
class BitReader {
public:
  BitReader(const uint8_t *data, size_t size, size_t pos)
      : data_(data), size_(size), pos_(pos) {}

  void restart(size_t pos) {
    pos_ = pos;
    acc_ = 0;
    count_ = 0;
    pad_ = 0;
    stopped_ = false;
  }
  size_t pos() const { return pos_; }
  bool overrun() const { return overrun_; }

  /// The next 16 bits (padded), without consuming them.
  uint32_t peek16() {
    fill();
    return static_cast<uint32_t>(acc_ >> (count_ - 16)) & 0xFFFFu;
  }
  void skip(int n) {
    count_ -= n;
    if (count_ < pad_)
      overrun_ = true;
  }
  uint32_t get(int n) {
    if (n == 0)
      return 0;
    fill();
    uint32_t v = static_cast<uint32_t>(acc_ >> (count_ - n)) & ((1u << n) - 1u);
    skip(n);
    return v;
  }

private:
  void fill() {
    while (count_ <= 56) {
      uint8_t b = 0;
      if (!stopped_) {
        if (pos_ >= size_) {
          stopped_ = true;
        } else if (data_[pos_] == 0xFF) {
          if (pos_ + 1 < size_ && data_[pos_ + 1] == 0x00) {
            b = 0xFF;
            pos_ += 2;
          } else {
            stopped_ = true; // a marker (or fill bytes before one)
          }
        } else {
          b = data_[pos_++];
        }
      }
      if (stopped_)
        pad_ = std::min(pad_ + 8, count_ + 8);
      acc_ = (acc_ << 8) | b;
      count_ += 8;
    }
  }

  const uint8_t *data_;
  size_t size_;
  size_t pos_;
  uint64_t acc_ = 0;
  int count_ = 0; // valid bits in the low end of acc_
  int pad_ = 0;   // how many of them (the lowest) are padding
  bool stopped_ = false;
  bool overrun_ = false;
};

/// Returns the symbol, or -1 for a bit pattern that is no code.
int decodeHuffman(BitReader &r, const HuffTable &t) {
  uint32_t bits = r.peek16();
  uint32_t look = bits >> (16 - kLookBits);
  if (int len = t.lookLen[look]) {
    r.skip(len);
    return t.lookSym[look];
  }
  for (int len = kLookBits + 1; len <= 16; ++len) {
    int32_t code = static_cast<int32_t>(bits >> (16 - len));
    if (t.maxCode[len] >= 0 && code <= t.maxCode[len] &&
        code >= t.minCode[len]) {
      int index = t.valPtr[len] + (code - t.minCode[len]);
      if (index >= t.count)
        return -1;
      r.skip(len);
      return t.values[index];
    }
  }
  return -1;
}

int extend(uint32_t v, int s) {
  return v < (1u << (s - 1)) ? static_cast<int>(v) - (1 << s) + 1
                             : static_cast<int>(v);
}

//===----------------------------------------------------------------------===//
// IDCT
//===----------------------------------------------------------------------===//

// The Loeffler-Ligtenberg-Moschytz factorization of the 8-point IDCT (12
// multiplies), in 13-bit fixed point with 2 extra bits kept between the
// column and the row pass: the same arithmetic model as libjpeg's default
// ("islow") IDCT, so decoded samples match it closely. 64-bit intermediates:
// no overflow for any coefficient a corrupt file can produce.
constexpr int kConstBits = 13;
constexpr int kPass1Bits = 2;

constexpr int64_t fix(double x) {
  return static_cast<int64_t>(x * (1 << kConstBits) + 0.5);
}

/// One 1-D IDCT of in[0], in[stride], ..., in[7 * stride], not descaled.
inline void idct1d(const int64_t *in, int stride, int64_t out[8]) {
  // Even part: inputs 0, 2, 4, 6.
  int64_t e2 = in[2 * stride], e6 = in[6 * stride];
  int64_t rot = (e2 + e6) * fix(0.541196100);
  int64_t t2 = rot - e6 * fix(1.847759065);
  int64_t t3 = rot + e2 * fix(0.765366865);
  int64_t t0 = (in[0] + in[4 * stride]) * (int64_t(1) << kConstBits);
  int64_t t1 = (in[0] - in[4 * stride]) * (int64_t(1) << kConstBits);
  int64_t e10 = t0 + t3, e13 = t0 - t3, e11 = t1 + t2, e12 = t1 - t2;
  // Odd part: inputs 7, 5, 3, 1.
  int64_t o0 = in[7 * stride], o1 = in[5 * stride], o2 = in[3 * stride],
          o3 = in[stride];
  int64_t z1 = o0 + o3, z2 = o1 + o2, z3 = o0 + o2, z4 = o1 + o3;
  int64_t z5 = (z3 + z4) * fix(1.175875602);
  o0 *= fix(0.298631336);
  o1 *= fix(2.053119869);
  o2 *= fix(3.072711026);
  o3 *= fix(1.501321110);
  z1 *= -fix(0.899976223);
  z2 *= -fix(2.562915447);
  z3 = z3 * -fix(1.961570560) + z5;
  z4 = z4 * -fix(0.390180644) + z5;
  o0 += z1 + z3;
  o1 += z2 + z4;
  o2 += z2 + z3;
  o3 += z1 + z4;
  out[0] = e10 + o3;
  out[7] = e10 - o3;
  out[1] = e11 + o2;
  out[6] = e11 - o2;
  out[2] = e12 + o1;
  out[5] = e12 - o1;
  out[3] = e13 + o0;
  out[4] = e13 - o0;
}

/// Rounding arithmetic right shift (floor of x / 2^n + 1/2).
inline int64_t descale(int64_t x, int n) {
  int64_t v = x + (int64_t(1) << (n - 1));
  return v >= 0 ? v >> n : -((-v + (int64_t(1) << n) - 1) >> n);
}

/// Inverse DCT of dequantized coefficients (natural order) to 8x8 samples.
void idct8x8(const int64_t *coef, uint8_t *out, size_t stride) {
  int64_t work[64];
  int64_t tmp[8];
  for (int x = 0; x < 8; ++x) { // columns
    idct1d(coef + x, 8, tmp);
    for (int y = 0; y < 8; ++y)
      work[y * 8 + x] = descale(tmp[y], kConstBits - kPass1Bits);
  }
  for (int y = 0; y < 8; ++y) { // rows
    idct1d(work + y * 8, 1, tmp);
    for (int x = 0; x < 8; ++x) {
      int64_t v = descale(tmp[x], kConstBits + kPass1Bits + 3) + 128;
      out[size_t(y) * stride + size_t(x)] = static_cast<uint8_t>(v < 0     ? 0
                                                                 : v > 255 ? 255
                                                                           : v);
    }
  }
}

//===----------------------------------------------------------------------===//
// The decoder
//===----------------------------------------------------------------------===//

struct Component {
  int id = 0, h = 1, v = 1, tq = 0;
  int64_t width = 0, height = 0;    // samples (downsampled)
  int64_t blocksW = 0, blocksH = 0; // allocated, whole MCUs
  size_t stride = 0;
  std::vector<uint8_t> plane;
  int dcPred = 0;
  bool decoded = false;
};

class Decoder {
public:
  Decoder(const uint8_t *data, size_t size, const DecodeOptions &options)
      : data_(data), size_(size), options_(options) {}

  Expected<Image> run();

private:
  Status parseSof(const uint8_t *p, size_t n);
  Status parseDht(const uint8_t *p, size_t n);
  Status parseDqt(const uint8_t *p, size_t n);
  Status parseSos(const uint8_t *p, size_t n, size_t dataStart);
  Status decodeBlock(BitReader &r, Component &c, const HuffTable &dc,
                     const HuffTable &ac, const uint16_t *q, int64_t bx,
                     int64_t by);
  Expected<Image> finish();

  const uint8_t *data_;
  size_t size_;
  DecodeOptions options_;
  size_t pos_ = 0;

  bool haveFrame_ = false;
  int64_t width_ = 0, height_ = 0;
  int hmax_ = 1, vmax_ = 1;
  int64_t mcusX_ = 0, mcusY_ = 0;
  std::vector<Component> comps_;
  HuffTable dc_[4], ac_[4];
  uint16_t quant_[4][64] = {};
  bool quantDefined_[4] = {};
  uint32_t restartInterval_ = 0;
  bool sawJfif_ = false, sawAdobe_ = false;
  int adobeTransform_ = -1;
};

/// Position of the next marker (its 0xFF) at or after `from`, skipping
/// stuffed 0xFF00 pairs and fill bytes; `size` when there is none.
size_t findMarker(const uint8_t *data, size_t size, size_t from) {
  size_t i = from;
  while (i + 1 < size) {
    if (data[i] != 0xFF) {
      ++i;
      continue;
    }
    uint8_t next = data[i + 1];
    if (next == 0x00)
      i += 2;
    else if (next == 0xFF)
      i += 1;
    else
      return i;
  }
  return size;
}

Expected<Image> Decoder::run() {
  pos_ = 2; // after SOI
  while (true) {
    if (pos_ >= size_)
      return jpegError("truncated file (no EOI marker)");
    if (data_[pos_] != 0xFF)
      return jpegError(strCat("expected a marker at offset ", pos_,
                              ", found byte ", Hex{data_[pos_]}));
    while (pos_ < size_ && data_[pos_] == 0xFF)
      ++pos_; // fill bytes
    if (pos_ >= size_)
      return jpegError("truncated file (no EOI marker)");
    uint8_t marker = data_[pos_++];
    size_t markerAt = pos_ - 2;
    if (marker == 0xD9) { // EOI
      return finish();
    }
    if (marker == 0x00)
      return jpegError(strCat("invalid marker 0xff00 at offset ", markerAt));
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
      continue; // stray RSTn / TEM: no payload
    if (marker == 0xD8)
      return jpegError(strCat("unexpected SOI marker at offset ", markerAt));
    if (size_ - pos_ < 2)
      return jpegError(strCat("truncated segment of marker ", Hex{marker},
                              " at offset ", markerAt));
    size_t length = be16(data_ + pos_);
    if (length < 2)
      return jpegError(strCat("segment of marker ", Hex{marker}, " at offset ",
                              markerAt, " has invalid length ", length));
    if (length > size_ - pos_)
      return jpegError(strCat("truncated segment of marker ", Hex{marker},
                              " at offset ", markerAt, ": ", length,
                              " bytes declared, ", size_ - pos_, " available"));
    const uint8_t *body = data_ + pos_ + 2;
    size_t n = length - 2;
    size_t next = pos_ + length;
    switch (marker) {
    case 0xC0:
    case 0xC1:
      SSMRT_RETURN_IF_ERROR(parseSof(body, n));
      break;
    case 0xC2:
      return jpegUnsupported("progressive JPEG");
    case 0xC3:
      return jpegUnsupported("lossless JPEG");
    case 0xC5:
    case 0xC6:
    case 0xC7:
      return jpegUnsupported("hierarchical (differential) JPEG");
    case 0xC9:
      return jpegUnsupported("arithmetic-coded JPEG");
    case 0xCA:
      return jpegUnsupported("progressive JPEG (arithmetic-coded)");
    case 0xCB:
      return jpegUnsupported("lossless JPEG (arithmetic-coded)");
    case 0xCD:
    case 0xCE:
    case 0xCF:
      return jpegUnsupported("hierarchical arithmetic-coded JPEG");
    case 0xC8:
      return jpegUnsupported("JPEG extension frame (SOF 0xc8)");
    case 0xC4:
      SSMRT_RETURN_IF_ERROR(parseDht(body, n));
      break;
    case 0xDB:
      SSMRT_RETURN_IF_ERROR(parseDqt(body, n));
      break;
    case 0xDD:
      if (n != 2)
        return jpegError(
            strCat("DRI segment has length ", length, ", expected 4"));
      restartInterval_ = be16(body);
      break;
    case 0xDC:
      return jpegUnsupported("DNL marker (image height defined after the "
                             "first scan)");
    case 0xDA:
      // Decodes the entropy-coded data and leaves pos_ at the next marker.
      SSMRT_RETURN_IF_ERROR(parseSos(body, n, next));
      continue;
    case 0xE0:
      if (n >= 5 && std::memcmp(body, "JFIF\0", 5) == 0)
        sawJfif_ = true;
      break;
    case 0xEE:
      if (n >= 12 && std::memcmp(body, "Adobe", 5) == 0) {
        sawAdobe_ = true;
        adobeTransform_ = body[11];
      }
      break;
    default:
      break; // APPn, COM, DAC and reserved segments: skipped
    }
    pos_ = next;
  }
}

Status Decoder::parseSof(const uint8_t *p, size_t n) {
  if (haveFrame_)
    return jpegError("more than one frame header (SOF)");
  if (n < 6)
    return jpegError("SOF segment is too short");
  int precision = p[0];
  height_ = be16(p + 1);
  width_ = be16(p + 3);
  int nf = p[5];
  if (precision != 8)
    return jpegUnsupported(strCat(precision, "-bit JPEG (only 8-bit samples)"));
  if (n != 6 + size_t(nf) * 3)
    return jpegError(strCat("SOF segment length ", n + 2,
                            " does not match its ", nf, " components"));
  if (nf == 4)
    return jpegUnsupported("4-component (CMYK/YCCK) JPEG");
  if (nf != 1 && nf != 3)
    return jpegUnsupported(strCat(nf, "-component JPEG"));
  if (width_ == 0)
    return jpegError("image width is 0");
  if (height_ == 0)
    return jpegUnsupported("DNL marker (image height 0 in the frame header)");
  if (uint64_t(width_) * uint64_t(height_) > options_.maxPixels)
    return invalidArgumentError(strCat("JPEG: image of ", width_, "x", height_,
                                       " pixels exceeds the limit of ",
                                       options_.maxPixels, " pixels"));
  comps_.resize(size_t(nf));
  for (int i = 0; i < nf; ++i) {
    Component &c = comps_[size_t(i)];
    const uint8_t *q = p + 6 + 3 * i;
    c.id = q[0];
    c.h = q[1] >> 4;
    c.v = q[1] & 15;
    c.tq = q[2];
    if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)
      return jpegError(strCat("component ", c.id,
                              " has invalid sampling factors ", c.h, "x", c.v));
    if (c.tq > 3)
      return jpegError(strCat("component ", c.id,
                              " uses invalid quantization table ", c.tq));
    for (int j = 0; j < i; ++j)
      if (comps_[size_t(j)].id == c.id)
        return jpegError(strCat("duplicate component id ", c.id));
    hmax_ = std::max(hmax_, c.h);
    vmax_ = std::max(vmax_, c.v);
  }
  mcusX_ = (width_ + 8 * hmax_ - 1) / (8 * hmax_);
  mcusY_ = (height_ + 8 * vmax_ - 1) / (8 * vmax_);
  for (Component &c : comps_) {
    if (hmax_ % c.h != 0 || vmax_ % c.v != 0)
      return jpegUnsupported(
          strCat("sampling factors ", c.h, "x", c.v, " of component ", c.id,
                 " (not a divisor of the maximum ", hmax_, "x", vmax_, ")"));
    c.width = (width_ * c.h + hmax_ - 1) / hmax_;
    c.height = (height_ * c.v + vmax_ - 1) / vmax_;
    c.blocksW = mcusX_ * c.h;
    c.blocksH = mcusY_ * c.v;
    c.stride = static_cast<size_t>(c.blocksW) * 8;
  }
  haveFrame_ = true;
  return okStatus();
}

Status Decoder::parseDht(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (n - i < 17)
      return jpegError("DHT segment is truncated");
    int tc = p[i] >> 4, th = p[i] & 15;
    if (tc > 1 || th > 3)
      return jpegError(strCat("DHT: invalid table class/id ", Hex{p[i]}));
    const uint8_t *counts = p + i + 1;
    int total = 0;
    for (int k = 0; k < 16; ++k)
      total += counts[k];
    if (total > 256)
      return jpegError(strCat("corrupt Huffman table (", tc ? "AC" : "DC",
                              " table ", th, "): ", total,
                              " codes, at most 256"));
    if (size_t(total) > n - i - 17)
      return jpegError("DHT segment is truncated");
    HuffTable &t = tc ? ac_[th] : dc_[th];
    SSMRT_RETURN_IF_ERROR(buildHuffTable(t, counts, p + i + 17, total, tc, th));
    i += 17 + size_t(total);
  }
  return okStatus();
}

Status Decoder::parseDqt(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    int pq = p[i] >> 4, tq = p[i] & 15;
    if (pq > 1 || tq > 3)
      return jpegError(strCat("DQT: invalid precision/id ", Hex{p[i]}));
    size_t bytes = pq ? 128 : 64;
    if (n - i - 1 < bytes)
      return jpegError("DQT segment is truncated");
    for (int k = 0; k < 64; ++k)
      quant_[tq][k] = static_cast<uint16_t>(pq ? be16(p + i + 1 + 2 * size_t(k))
                                               : p[i + 1 + size_t(k)]);
    quantDefined_[tq] = true;
    i += 1 + bytes;
  }
  return okStatus();
}

Status Decoder::decodeBlock(BitReader &r, Component &c, const HuffTable &dc,
                            const HuffTable &ac, const uint16_t *q, int64_t bx,
                            int64_t by) {
  int64_t coef[64] = {};
  int s = decodeHuffman(r, dc);
  if (s < 0)
    return jpegError("corrupt entropy-coded data (invalid DC Huffman code)");
  if (s > 11)
    return jpegError(strCat("corrupt entropy-coded data (DC difference "
                            "category ",
                            s, " > 11)"));
  int diff = s ? extend(r.get(s), s) : 0;
  c.dcPred = std::min(std::max(c.dcPred + diff, -65536), 65535);
  coef[0] = int64_t(c.dcPred) * q[0];
  for (int k = 1; k < 64;) {
    int rs = decodeHuffman(r, ac);
    if (rs < 0)
      return jpegError("corrupt entropy-coded data (invalid AC Huffman code)");
    int run = rs >> 4, size = rs & 15;
    if (size == 0) {
      if (run != 15)
        break; // EOB
      k += 16; // ZRL
      continue;
    }
    k += run;
    if (k > 63)
      return jpegError("corrupt entropy-coded data (AC coefficients run past "
                       "the end of a block)");
    if (size > 10)
      return jpegError(strCat("corrupt entropy-coded data (AC magnitude "
                              "category ",
                              size, " > 10)"));
    coef[kZigzag[k]] = int64_t(extend(r.get(size), size)) * q[k];
    ++k;
  }
  uint8_t *out = c.plane.data() + static_cast<size_t>(by) * 8 * c.stride +
                 static_cast<size_t>(bx) * 8;
  idct8x8(coef, out, c.stride);
  return okStatus();
}

Status Decoder::parseSos(const uint8_t *p, size_t n, size_t dataStart) {
  if (!haveFrame_)
    return jpegError("scan (SOS) before the frame header (SOF)");
  if (n < 1)
    return jpegError("SOS segment is too short");
  int ns = p[0];
  if (ns < 1 || ns > 4 || size_t(ns) > comps_.size())
    return jpegError(strCat("SOS: invalid component count ", ns));
  if (n != 4 + 2 * size_t(ns))
    return jpegError(strCat("SOS segment length ", n + 2,
                            " does not match its ", ns, " components"));
  std::vector<Component *> scan;
  std::vector<int> tds, tas;
  for (int i = 0; i < ns; ++i) {
    int cs = p[1 + 2 * i], t = p[2 + 2 * i];
    Component *c = nullptr;
    for (Component &candidate : comps_)
      if (candidate.id == cs)
        c = &candidate;
    if (!c)
      return jpegError(strCat("SOS: unknown component id ", cs));
    if (std::find(scan.begin(), scan.end(), c) != scan.end())
      return jpegError(strCat("SOS: component ", cs, " listed twice"));
    if (c->decoded)
      return jpegError(strCat("component ", cs,
                              " appears in more than one scan of a "
                              "sequential JPEG"));
    int td = t >> 4, ta = t & 15;
    if (td > 3 || ta > 3)
      return jpegError(
          strCat("SOS: invalid Huffman table ids ", Hex{uint64_t(t)}));
    if (!dc_[td].defined || !ac_[ta].defined)
      return jpegError(
          strCat("scan of component ", cs, " uses an undefined Huffman table"));
    if (!quantDefined_[c->tq])
      return jpegError(strCat("component ", cs,
                              " uses undefined quantization table ", c->tq));
    scan.push_back(c);
    tds.push_back(td);
    tas.push_back(ta);
  }
  int ss = p[1 + 2 * ns], se = p[2 + 2 * ns], ahal = p[3 + 2 * ns];
  if (ss != 0 || se != 63 || ahal != 0)
    return jpegError(strCat("SOS: spectral selection ", ss, "..", se,
                            " / successive approximation ", Hex{uint64_t(ahal)},
                            " is invalid for a sequential JPEG"));

  // Geometry: interleaved scans go MCU by MCU, a single component block by
  // block over its own (unpadded) size.
  int64_t units, unitsX;
  uint64_t blocks;
  if (ns == 1) {
    unitsX = (scan[0]->width + 7) / 8;
    units = unitsX * ((scan[0]->height + 7) / 8);
    blocks = uint64_t(units);
  } else {
    int perMcu = 0;
    for (Component *c : scan)
      perMcu += c->h * c->v;
    if (perMcu > 10)
      return jpegError(
          strCat("SOS: ", perMcu, " blocks per MCU (at most 10 allowed)"));
    unitsX = mcusX_;
    units = mcusX_ * mcusY_;
    blocks = uint64_t(units) * uint64_t(perMcu);
  }
  // Every block takes at least 2 bits (a DC and an AC code): refuse to
  // allocate planes for data that cannot be there.
  if (blocks > (uint64_t(size_ - dataStart) + 1) * 4)
    return jpegError(strCat("truncated file: ", blocks,
                            " blocks cannot fit in the ", size_ - dataStart,
                            " bytes left"));
  for (Component *c : scan) {
    c->plane.assign(c->stride * static_cast<size_t>(c->blocksH) * 8, 0);
    c->dcPred = 0;
    c->decoded = true;
  }

  BitReader r(data_, size_, dataStart);
  int nextRst = 0;
  for (int64_t m = 0; m < units; ++m) {
    if (restartInterval_ != 0 && m > 0 && m % restartInterval_ == 0) {
      size_t at = findMarker(data_, size_, r.pos());
      if (at >= size_)
        return jpegError(strCat("truncated file: expected RST", nextRst,
                                " marker after MCU ", m));
      uint8_t marker = data_[at + 1];
      if (marker != 0xD0 + nextRst)
        return jpegError(strCat("expected RST", nextRst, " marker after MCU ",
                                m, ", found marker ", Hex{marker},
                                " at offset ", at));
      r.restart(at + 2);
      nextRst = (nextRst + 1) & 7;
      for (Component *c : scan)
        c->dcPred = 0;
    }
    int64_t mx = m % unitsX, my = m / unitsX;
    if (ns == 1) {
      Component &c = *scan[0];
      SSMRT_RETURN_IF_ERROR(
          decodeBlock(r, c, dc_[tds[0]], ac_[tas[0]], quant_[c.tq], mx, my));
    } else {
      for (size_t i = 0; i < scan.size(); ++i) {
        Component &c = *scan[i];
        for (int v = 0; v < c.v; ++v)
          for (int h = 0; h < c.h; ++h)
            SSMRT_RETURN_IF_ERROR(decodeBlock(r, c, dc_[tds[i]], ac_[tas[i]],
                                              quant_[c.tq], mx * c.h + h,
                                              my * c.v + v));
      }
    }
    if (r.overrun())
      return jpegError(strCat("truncated or corrupt entropy-coded data: the "
                              "scan ends in MCU ",
                              m, " of ", units));
  }
  pos_ = findMarker(data_, size_, r.pos());
  if (pos_ >= size_)
    return jpegError("truncated file (no marker after the scan data)");
  return okStatus();
}

//===----------------------------------------------------------------------===//
// Upsampling and color conversion
//===----------------------------------------------------------------------===//

/// Full-resolution samples of component `c` (width x height of the image).
/// 2x horizontal and/or vertical factors use libjpeg's default "fancy"
/// triangle filter (3/4 nearer + 1/4 farther sample, edges replicated);
/// other factors replicate samples.
std::vector<uint8_t> upsample(const Component &c, int hf, int vf, int64_t width,
                              int64_t height) {
  size_t W = size_t(width), H = size_t(height);
  std::vector<uint8_t> out(W * H);
  const int64_t cw = c.width, ch = c.height;
  auto row = [&](int64_t y) {
    y = std::min(std::max<int64_t>(y, 0), ch - 1);
    return c.plane.data() + size_t(y) * c.stride;
  };
  bool fancyH = hf == 2 && cw > 2;
  if (hf == 1 && vf == 1) {
    for (size_t y = 0; y < H; ++y)
      std::memcpy(out.data() + y * W, row(int64_t(y)), W);
  } else if (fancyH && vf == 1) {
    // h2v1: each output is 3/4 of the nearer sample + 1/4 of the farther,
    // rounded down on the left of a sample and up on its right; the first
    // and last outputs take the edge sample itself.
    std::vector<uint8_t> line(size_t(cw) * 2);
    size_t last = size_t(cw) - 1;
    for (size_t y = 0; y < H; ++y) {
      const uint8_t *in = row(int64_t(y));
      for (size_t i = 0; i <= last; ++i) {
        int t = 3 * in[i];
        int prev = i > 0 ? in[i - 1] : in[i];
        int next = i < last ? in[i + 1] : in[i];
        line[2 * i] = static_cast<uint8_t>((t + prev + 1) >> 2);
        line[2 * i + 1] = static_cast<uint8_t>((t + next + 2) >> 2);
      }
      std::memcpy(out.data() + y * W, line.data(), W);
    }
  } else if (fancyH && vf == 2) {
    // h2v2: vertical 3:1 column sums first (the row above for even output
    // rows, below for odd ones, edges replicated), then the same 3:1
    // horizontally, with rounding offsets 8 (left) and 7 (right).
    std::vector<int> sums(static_cast<size_t>(cw));
    std::vector<uint8_t> line(size_t(cw) * 2);
    size_t last = size_t(cw) - 1;
    for (size_t y = 0; y < H; ++y) {
      const uint8_t *near = row(int64_t(y) / 2);
      const uint8_t *far = row(int64_t(y) / 2 + (y % 2 ? 1 : -1));
      for (size_t i = 0; i <= last; ++i)
        sums[i] = 3 * near[i] + far[i];
      for (size_t i = 0; i <= last; ++i) {
        int t = 3 * sums[i];
        int prev = i > 0 ? sums[i - 1] : sums[i];
        int next = i < last ? sums[i + 1] : sums[i];
        line[2 * i] = static_cast<uint8_t>((t + prev + 8) >> 4);
        line[2 * i + 1] = static_cast<uint8_t>((t + next + 7) >> 4);
      }
      std::memcpy(out.data() + y * W, line.data(), W);
    }
  } else if (hf == 1 && vf == 2) {
    for (size_t y = 0; y < H; ++y) {
      const uint8_t *near = row(int64_t(y) / 2);
      const uint8_t *far = row(int64_t(y) / 2 + (y % 2 ? 1 : -1));
      int bias = y % 2 ? 2 : 1;
      for (size_t x = 0; x < W; ++x)
        out[y * W + x] =
            static_cast<uint8_t>((3 * near[x] + far[x] + bias) >> 2);
    }
  } else {
    for (size_t y = 0; y < H; ++y) {
      const uint8_t *in = row(int64_t(y) / vf);
      for (size_t x = 0; x < W; ++x)
        out[y * W + x] = in[x / size_t(hf)];
    }
  }
  return out;
}

inline uint8_t clamp255(int v) {
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

Expected<Image> Decoder::finish() {
  if (!haveFrame_)
    return jpegError("no image: EOI before any frame header (SOF)");
  for (const Component &c : comps_)
    if (!c.decoded)
      return jpegError(
          strCat("incomplete image: component ", c.id, " appears in no scan"));
  Image image = Image::blank(width_, height_);
  size_t pixels = size_t(width_) * size_t(height_);
  std::vector<std::vector<uint8_t>> full;
  for (const Component &c : comps_)
    full.push_back(upsample(c, hmax_ / c.h, vmax_ / c.v, width_, height_));
  uint8_t *out = image.pixels.data();
  if (comps_.size() == 1) {
    for (size_t i = 0; i < pixels; ++i)
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = full[0][i];
    return image;
  }
  bool rgb;
  if (sawJfif_)
    rgb = false;
  else if (sawAdobe_)
    rgb = adobeTransform_ == 0;
  else
    rgb = comps_[0].id == 'R' && comps_[1].id == 'G' && comps_[2].id == 'B';
  if (rgb) {
    for (size_t i = 0; i < pixels; ++i)
      for (int k = 0; k < 3; ++k)
        out[3 * i + size_t(k)] = full[size_t(k)][i];
    return image;
  }
  // JFIF YCbCr -> RGB in 16-bit fixed point, rounded.
  constexpr int kHalf = 1 << 15;
  constexpr int kCrR = 91881;  // 1.40200 * 65536
  constexpr int kCbG = 22554;  // 0.34414 * 65536
  constexpr int kCrG = 46802;  // 0.71414 * 65536
  constexpr int kCbB = 116130; // 1.77200 * 65536
  for (size_t i = 0; i < pixels; ++i) {
    int y = full[0][i], cb = full[1][i] - 128, cr = full[2][i] - 128;
    out[3 * i] = clamp255(y + ((kCrR * cr + kHalf) >> 16));
    out[3 * i + 1] = clamp255(y + ((-kCbG * cb - kCrG * cr + kHalf) >> 16));
    out[3 * i + 2] = clamp255(y + ((kCbB * cb + kHalf) >> 16));
  }
  return image;
}

} // namespace

Expected<Image> decodeJpeg(const uint8_t *data, size_t size,
                           const DecodeOptions &options) {
  if (size < 2 || data[0] != 0xFF || data[1] != 0xD8)
    return jpegError("not a JPEG file (no SOI marker)");
  Decoder decoder(data, size, options);
  return decoder.run();
}

} // namespace ssmrt
