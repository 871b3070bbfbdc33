//===- npy.cpp - Reading and writing NumPy .npy files ---------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/npy.h"

#include "ssmrt/core/mapped_file.h"

#include "strings.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

namespace ssmrt::npy {

using detail::quoteBytes;
using detail::strCat;

namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kHeaderAlignment = 64;

struct DescrEntry {
  const char *descr;
  DType dtype;
};

// Accepted on read; the first entry of each dtype is what we write.
constexpr DescrEntry kDescrs[] = {
    {"<f4", DType::F32},  {"<f2", DType::F16},  {"<f8", DType::F64},
    {"<i4", DType::I32},  {"<i8", DType::I64},  {"|i1", DType::I8},
    {"<i1", DType::I8},   {"|u1", DType::U8},   {"<u1", DType::U8},
    {"|b1", DType::Bool}, {"<b1", DType::Bool}, {"<u2", DType::BF16},
};

/// A tiny parser for the header's Python dict literal.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  struct Header {
    std::string descr;
    bool fortranOrder = false;
    std::vector<int64_t> shape;
  };

  Expected<Header> parse() {
    Header header;
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return error("expected '{' at the start of the header");
    skipSpace();
    while (!peek('}')) {
      SSMRT_ASSIGN_OR_RETURN(std::string key, parseString());
      skipSpace();
      if (!consume(':'))
        return error(strCat("expected ':' after key '", key, "'"));
      skipSpace();
      if (key == "descr") {
        if (haveDescr)
          return error("duplicate key 'descr'");
        haveDescr = true;
        if (!peek('\'') && !peek('"'))
          return error("'descr' is not a string (structured dtypes are not "
                       "supported)");
        SSMRT_ASSIGN_OR_RETURN(header.descr, parseString());
      } else if (key == "fortran_order") {
        if (haveOrder)
          return error("duplicate key 'fortran_order'");
        haveOrder = true;
        SSMRT_ASSIGN_OR_RETURN(header.fortranOrder, parseBool());
      } else if (key == "shape") {
        if (haveShape)
          return error("duplicate key 'shape'");
        haveShape = true;
        SSMRT_ASSIGN_OR_RETURN(header.shape, parseShape());
      } else {
        return error(strCat("unexpected key '", key, "'"));
      }
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      if (!peek('}'))
        return error("expected ',' or '}' after a value");
    }
    consume('}');
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\0')
        return error("unexpected text after the header dict");
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return error(strCat("missing key '",
                          !haveDescr   ? "descr"
                          : !haveOrder ? "fortran_order"
                                       : "shape",
                          "'"));
    return header;
  }

private:
  Status error(const std::string &message) const {
    return dataLossError(
        strCat("malformed .npy header at byte ", pos_, ": ", message));
  }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool consume(char c) {
    if (!peek(c))
      return false;
    ++pos_;
    return true;
  }
  bool consumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }

  Expected<std::string> parseString() {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      return error("expected a quoted string");
    char quote = text_[pos_++];
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\')
        return error("escape sequences are not supported in header strings");
      ++pos_;
    }
    if (pos_ >= text_.size())
      return error("unterminated string");
    std::string value(text_.substr(start, pos_ - start));
    ++pos_;
    return value;
  }

  Expected<bool> parseBool() {
    if (consumeWord("True"))
      return true;
    if (consumeWord("False"))
      return false;
    return error("'fortran_order' must be True or False");
  }

  Expected<std::vector<int64_t>> parseShape() {
    std::vector<int64_t> shape;
    if (!consume('('))
      return error("'shape' must be a tuple");
    skipSpace();
    while (!consume(')')) {
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9')
        return error("shape entries must be non-negative integers");
      uint64_t value = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        uint64_t digit = static_cast<uint64_t>(text_[pos_] - '0');
        if (value >
            (uint64_t(std::numeric_limits<int64_t>::max()) - digit) / 10)
          return error("shape entry is too large");
        value = value * 10 + digit;
        ++pos_;
      }
      consume('L'); // Python 2 long literals
      if (shape.size() == format::kMaxRank)
        return error(strCat("rank exceeds the maximum of ", format::kMaxRank));
      shape.push_back(static_cast<int64_t>(value));
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      if (!peek(')'))
        return error("expected ',' or ')' in 'shape'");
    }
    return shape;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

template <typename T> T loadLE(const uint8_t *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

} // namespace

const char *descrFor(DType dtype) {
  for (const DescrEntry &entry : kDescrs)
    if (entry.dtype == dtype)
      return entry.descr;
  return nullptr;
}

Expected<HostTensor> parse(const uint8_t *data, size_t size) {
  if (size < 8 || !data)
    return dataLossError(strCat("truncated .npy file: ", size,
                                " bytes, too short for the magic and "
                                "version"));
  if (std::memcmp(data, kMagic, sizeof(kMagic)) != 0)
    return dataLossError(strCat("not an .npy file: bad magic ",
                                quoteBytes(data, 6),
                                " (expected \"\\x93NUMPY\")"));
  uint8_t major = data[6], minor = data[7];
  if (major < 1 || major > 3 || minor != 0)
    return dataLossError(strCat("unsupported .npy format version ", int(major),
                                ".", int(minor),
                                " (supported: 1.0, 2.0, 3.0)"));
  size_t prefix = major == 1 ? 10 : 12;
  if (size < prefix)
    return dataLossError(strCat("truncated .npy file: ", size,
                                " bytes, too short for the header length"));
  uint64_t headerLength =
      major == 1 ? loadLE<uint16_t>(data + 8) : loadLE<uint32_t>(data + 8);
  if (headerLength > size - prefix)
    return dataLossError(strCat("truncated .npy file: the header is ",
                                headerLength, " bytes but only ", size - prefix,
                                " follow the prefix"));
  std::string_view text(reinterpret_cast<const char *>(data + prefix),
                        static_cast<size_t>(headerLength));
  HeaderParser parser(text);
  SSMRT_ASSIGN_OR_RETURN(HeaderParser::Header header, parser.parse());

  std::optional<DType> dtype;
  for (const DescrEntry &entry : kDescrs)
    if (header.descr == entry.descr)
      dtype = entry.dtype;
  if (!dtype) {
    if (!header.descr.empty() && header.descr[0] == '>')
      return unimplementedError(strCat("big-endian .npy data ('", header.descr,
                                       "') is not supported"));
    return unimplementedError(
        strCat("unsupported .npy dtype '", header.descr,
               "' (supported: <f4 <f2 <f8 <i4 <i8 |i1 |u1 |b1, and <u2 as "
               "bf16)"));
  }
  if (header.fortranOrder)
    return unimplementedError("fortran_order True (column-major) .npy files "
                              "are not supported; save C-order data "
                              "(np.ascontiguousarray)");
  Expected<uint64_t> bytes = checkedByteSize(*dtype, header.shape);
  if (!bytes.ok())
    return dataLossError(strCat("bad .npy shape: ", bytes.status().message()));
  uint64_t available = size - prefix - headerLength;
  if (*bytes != available)
    return dataLossError(strCat(
        available < *bytes ? "truncated .npy file" : ".npy size mismatch",
        ": shape ", typeString(*dtype, header.shape), " needs ", *bytes,
        " data bytes, the file has ", available));
  SSMRT_ASSIGN_OR_RETURN(HostTensor tensor,
                         HostTensor::allocate(*dtype, header.shape));
  if (*bytes != 0)
    std::memcpy(tensor.data(), data + prefix + headerLength,
                static_cast<size_t>(*bytes));
  return tensor;
}

Expected<HostTensor> read(const std::string &path) {
  SSMRT_ASSIGN_OR_RETURN(MappedFile file, MappedFile::openReadOnly(path));
  Expected<HostTensor> tensor = parse(file.data(), file.size());
  if (!tensor.ok())
    return tensor.status().withContext(strCat("'", path, "'"));
  return tensor;
}

Expected<std::vector<uint8_t>> serialize(const TensorView &tensor) {
  const char *descr = descrFor(tensor.dtype);
  if (!descr)
    return invalidArgumentError(strCat("cannot write dtype value ",
                                       static_cast<uint32_t>(tensor.dtype),
                                       " to .npy"));
  SSMRT_ASSIGN_OR_RETURN(uint64_t bytes,
                         checkedByteSize(tensor.dtype, tensor.dims));
  if (!tensor.data && bytes != 0)
    return invalidArgumentError("cannot write a tensor with null data");
  std::string shape = "(";
  for (size_t i = 0; i < tensor.dims.size(); ++i)
    shape += strCat(i ? ", " : "", tensor.dims[i]);
  if (tensor.dims.size() == 1)
    shape += ",";
  shape += ")";
  std::string header =
      strCat("{'descr': '", descr,
             "', 'fortran_order': False, 'shape': ", shape, ", }");
  // Pad with spaces and a final newline to a 64-byte boundary.
  size_t prefix = 10;
  size_t total = prefix + header.size() + 1;
  if ((total + kHeaderAlignment - 1) / kHeaderAlignment * kHeaderAlignment -
          prefix >
      0xFFFF)
    prefix = 12;
  total = prefix + header.size() + 1;
  size_t padded =
      (total + kHeaderAlignment - 1) / kHeaderAlignment * kHeaderAlignment;
  header.append(padded - total, ' ');
  header += '\n';
  if (bytes > Buffer::kMaxBytes)
    return invalidArgumentError("tensor too large to serialize");
  std::vector<uint8_t> out;
  out.reserve(padded + static_cast<size_t>(bytes));
  out.insert(out.end(), kMagic, kMagic + sizeof(kMagic));
  out.push_back(prefix == 10 ? 1 : 2);
  out.push_back(0);
  uint32_t length = static_cast<uint32_t>(header.size());
  out.push_back(static_cast<uint8_t>(length & 0xFF));
  out.push_back(static_cast<uint8_t>((length >> 8) & 0xFF));
  if (prefix == 12) {
    out.push_back(static_cast<uint8_t>((length >> 16) & 0xFF));
    out.push_back(static_cast<uint8_t>((length >> 24) & 0xFF));
  }
  out.insert(out.end(), header.begin(), header.end());
  const auto *p = static_cast<const uint8_t *>(tensor.data);
  if (bytes != 0)
    out.insert(out.end(), p, p + bytes);
  return out;
}

Status write(const std::string &path, const TensorView &tensor) {
  SSMRT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, serialize(tensor));
  return detail::writeWholeFile(path, bytes.data(), bytes.size());
}

} // namespace ssmrt::npy
