//===- safetensors.cpp - .safetensors read / write --------------------===//

#include "ssmrt/safetensors.h"

#include "ssmrt/core/mapped_file.h"

#include "strings.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace ssmrt::safetensors {

using detail::strCat;

namespace {

//===----------------------------------------------------------------------===//
// A strict JSON subset: objects, arrays, strings, non-negative integers.
//===----------------------------------------------------------------------===//

struct Json {
  enum class Kind { Object, Array, String, Integer };
  Kind kind = Kind::Integer;
  std::vector<std::pair<std::string, Json>> members; // Object (in order)
  std::vector<Json> items;                           // Array
  std::string text;                                  // String
  uint64_t integer = 0;                              // Integer
};

class JsonParser {
public:
  JsonParser(const char *begin, size_t size) : p_(begin), end_(begin + size) {}

  Expected<Json> parseDocument() {
    SSMRT_ASSIGN_OR_RETURN(Json value, parseValue(0));
    skipSpace();
    if (p_ != end_)
      return error("trailing characters after the JSON object");
    return value;
  }

private:
  static constexpr int kMaxDepth = 16;

  Status error(const std::string &what) const {
    return dataLossError(strCat("invalid safetensors header at byte ",
                                static_cast<uint64_t>(p_ - begin()), ": ",
                                what));
  }
  const char *begin() const { return end_ - size_; }

  void skipSpace() {
    while (p_ != end_ &&
           (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
      ++p_;
  }

  Expected<Json> parseValue(int depth) {
    if (depth > kMaxDepth)
      return error("nesting too deep");
    skipSpace();
    if (p_ == end_)
      return error("unexpected end of header");
    if (*p_ == '{')
      return parseObject(depth);
    if (*p_ == '[')
      return parseArray(depth);
    if (*p_ == '"') {
      Json v;
      v.kind = Json::Kind::String;
      SSMRT_ASSIGN_OR_RETURN(v.text, parseString());
      return v;
    }
    if (*p_ >= '0' && *p_ <= '9')
      return parseInteger();
    return error(strCat("unexpected character '", std::string(1, *p_), "'"));
  }

  Expected<Json> parseObject(int depth) {
    Json v;
    v.kind = Json::Kind::Object;
    ++p_; // '{'
    skipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return v;
    }
    while (true) {
      skipSpace();
      if (p_ == end_ || *p_ != '"')
        return error("expected a string key");
      SSMRT_ASSIGN_OR_RETURN(std::string key, parseString());
      for (const auto &member : v.members)
        if (member.first == key)
          return error(strCat("duplicate key \"", key, "\""));
      skipSpace();
      if (p_ == end_ || *p_ != ':')
        return error("expected ':'");
      ++p_;
      SSMRT_ASSIGN_OR_RETURN(Json value, parseValue(depth + 1));
      v.members.emplace_back(std::move(key), std::move(value));
      skipSpace();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      if (p_ != end_ && *p_ == '}') {
        ++p_;
        return v;
      }
      return error("expected ',' or '}'");
    }
  }

  Expected<Json> parseArray(int depth) {
    Json v;
    v.kind = Json::Kind::Array;
    ++p_; // '['
    skipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return v;
    }
    while (true) {
      SSMRT_ASSIGN_OR_RETURN(Json item, parseValue(depth + 1));
      v.items.push_back(std::move(item));
      skipSpace();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      if (p_ != end_ && *p_ == ']') {
        ++p_;
        return v;
      }
      return error("expected ',' or ']'");
    }
  }

  Expected<Json> parseInteger() {
    Json v;
    v.kind = Json::Kind::Integer;
    if (*p_ == '0' && p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9')
      return error("leading zero in a number");
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      uint64_t digit = uint64_t(*p_ - '0');
      if (v.integer > (UINT64_MAX - digit) / 10)
        return error("integer out of range");
      v.integer = v.integer * 10 + digit;
      ++p_;
    }
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E'))
      return error("only non-negative integers are expected");
    return v;
  }

  static void appendUtf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  Expected<uint32_t> parseHex4() {
    if (end_ - p_ < 4)
      return error("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      char c = *p_;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= uint32_t(c - 'A' + 10);
      else
        return error("bad hex digit in \\u escape");
    }
    return v;
  }

  Expected<std::string> parseString() {
    ++p_; // '"'
    std::string out;
    while (true) {
      if (p_ == end_)
        return error("unterminated string");
      char c = *p_++;
      if (c == '"')
        return out;
      if (static_cast<unsigned char>(c) < 0x20)
        return error("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ == end_)
        return error("unterminated escape");
      char e = *p_++;
      switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        SSMRT_ASSIGN_OR_RETURN(uint32_t cp, parseHex4());
        if (cp >= 0xD800 && cp < 0xDC00) {
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
            return error("unpaired surrogate in \\u escape");
          p_ += 2;
          SSMRT_ASSIGN_OR_RETURN(uint32_t low, parseHex4());
          if (low < 0xDC00 || low >= 0xE000)
            return error("bad low surrogate in \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) {
          return error("unpaired surrogate in \\u escape");
        }
        appendUtf8(out, cp);
        break;
      }
      default:
        return error(strCat("bad escape '\\", std::string(1, e), "'"));
      }
    }
  }

  const char *p_;
  const char *end_;
  size_t size_ = size_t(end_ - p_);
};

//===----------------------------------------------------------------------===//
// dtype names
//===----------------------------------------------------------------------===//

struct DTypeName {
  const char *name;
  DType dtype;
};
constexpr DTypeName kDTypes[] = {
    {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
    {"F64", DType::F64}, {"I32", DType::I32}, {"I64", DType::I64},
    {"I8", DType::I8},   {"U8", DType::U8},   {"BOOL", DType::Bool},
};

const char *nameOf(DType dtype) {
  for (const DTypeName &d : kDTypes)
    if (d.dtype == dtype)
      return d.name;
  return nullptr;
}

std::string escaped(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out;
}

Status fieldError(const std::string &tensor, const std::string &what) {
  return dataLossError(strCat("safetensors tensor \"", tensor, "\": ", what));
}

} // namespace

Expected<File> parse(const uint8_t *data, size_t size) {
  if (size < 8)
    return dataLossError(strCat("truncated safetensors file: ", uint64_t(size),
                                " bytes, the header length alone needs 8"));
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = (headerBytes << 8) | data[i];
  if (headerBytes > kMaxHeaderBytes)
    return dataLossError(strCat("safetensors header of ", headerBytes,
                                " bytes exceeds the limit of ",
                                kMaxHeaderBytes));
  if (headerBytes > size - 8)
    return dataLossError(strCat("truncated safetensors file: the header needs ",
                                headerBytes, " bytes, the file has ",
                                uint64_t(size - 8), " after the length"));
  const uint8_t *area = data + 8 + headerBytes;
  uint64_t areaBytes = size - 8 - headerBytes;

  JsonParser parser(reinterpret_cast<const char *>(data + 8), headerBytes);
  SSMRT_ASSIGN_OR_RETURN(Json root, parser.parseDocument());
  if (root.kind != Json::Kind::Object)
    return dataLossError("safetensors header is not a JSON object");

  File file;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto &[name, entry] : root.members) {
    if (name == "__metadata__") {
      if (entry.kind != Json::Kind::Object)
        return dataLossError("safetensors __metadata__ is not an object");
      for (auto &[key, value] : entry.members) {
        if (value.kind != Json::Kind::String)
          return dataLossError(strCat("safetensors __metadata__ value of \"",
                                      key, "\" is not a string"));
        file.metadata[key] = value.text;
      }
      continue;
    }
    if (name.empty())
      return dataLossError("safetensors tensor with an empty name");
    if (entry.kind != Json::Kind::Object)
      return fieldError(name, "entry is not an object");
    const Json *dtype = nullptr, *shape = nullptr, *offsets = nullptr;
    for (auto &[key, value] : entry.members) {
      if (key == "dtype")
        dtype = &value;
      else if (key == "shape")
        shape = &value;
      else if (key == "data_offsets")
        offsets = &value;
      else
        return fieldError(name, strCat("unknown field \"", key, "\""));
    }
    if (!dtype || dtype->kind != Json::Kind::String)
      return fieldError(name, "missing or non-string \"dtype\"");
    if (!shape || shape->kind != Json::Kind::Array)
      return fieldError(name, "missing or non-array \"shape\"");
    if (!offsets || offsets->kind != Json::Kind::Array ||
        offsets->items.size() != 2 ||
        offsets->items[0].kind != Json::Kind::Integer ||
        offsets->items[1].kind != Json::Kind::Integer)
      return fieldError(name, "\"data_offsets\" must be [begin, end]");
    const DTypeName *known = nullptr;
    for (const DTypeName &d : kDTypes)
      if (dtype->text == d.name)
        known = &d;
    if (!known)
      return fieldError(name,
                        strCat("unsupported dtype \"", dtype->text, "\""));
    std::vector<int64_t> dims;
    for (const Json &d : shape->items) {
      if (d.kind != Json::Kind::Integer || d.integer > uint64_t(INT64_MAX))
        return fieldError(name, "shape entries must be non-negative integers");
      dims.push_back(int64_t(d.integer));
    }
    Expected<uint64_t> bytes = checkedByteSize(known->dtype, dims);
    if (!bytes.ok())
      return fieldError(name, bytes.status().message());
    uint64_t begin = offsets->items[0].integer, end = offsets->items[1].integer;
    if (begin > end || end > areaBytes)
      return fieldError(name,
                        strCat("data_offsets [", begin, ", ", end,
                               "] outside the ", areaBytes, "-byte data area"));
    if (end - begin != *bytes)
      return fieldError(name, strCat("holds ", end - begin, " bytes, its ",
                                     typeString(known->dtype, dims), " needs ",
                                     *bytes));
    ranges.push_back({begin, end});
    SSMRT_ASSIGN_OR_RETURN(HostTensor tensor,
                           HostTensor::allocate(known->dtype, dims));
    if (*bytes)
      std::memcpy(tensor.data(), area + begin, *bytes);
    file.tensors.emplace_back(name, std::move(tensor));
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second)
      return dataLossError(
          strCat("safetensors tensors overlap in the data area "
                 "at byte ",
                 ranges[i].first));
  std::sort(file.tensors.begin(), file.tensors.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  return file;
}

Expected<File> read(const std::string &path) {
  SSMRT_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::openReadOnly(path));
  Expected<File> file = parse(mapped.data(), mapped.size());
  if (!file.ok())
    return file.status().withContext(strCat("'", path, "'"));
  return file;
}

Expected<std::vector<uint8_t>>
serialize(const std::vector<std::pair<std::string, TensorView>> &tensors,
          const std::map<std::string, std::string> &metadata) {
  std::vector<std::pair<std::string, TensorView>> sorted(tensors);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto &[key, value] : metadata) {
      header += strCat(first ? "" : ",", "\"", escaped(key), "\":\"",
                       escaped(value), "\"");
      first = false;
    }
    header += "}";
  }
  uint64_t offset = 0;
  std::vector<uint64_t> sizes;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const auto &[name, view] = sorted[i];
    if (name.empty() || name == "__metadata__")
      return invalidArgumentError(
          strCat("cannot write a tensor named \"", name, "\" to safetensors"));
    if (i && sorted[i - 1].first == name)
      return invalidArgumentError(
          strCat("duplicate tensor name \"", name, "\""));
    const char *dtype = nameOf(view.dtype);
    if (!dtype)
      return invalidArgumentError(strCat("cannot write dtype value ",
                                         static_cast<uint32_t>(view.dtype),
                                         " to safetensors"));
    SSMRT_ASSIGN_OR_RETURN(uint64_t bytes,
                           checkedByteSize(view.dtype, view.dims));
    if (!view.data && bytes)
      return invalidArgumentError(
          strCat("tensor \"", name, "\" has null data"));
    std::string shape;
    for (size_t d = 0; d < view.dims.size(); ++d)
      shape += strCat(d ? "," : "", view.dims[d]);
    header += strCat((i || !metadata.empty()) ? "," : "", "\"", escaped(name),
                     "\":{\"dtype\":\"", dtype, "\",\"shape\":[", shape,
                     "],\"data_offsets\":[", offset, ",", offset + bytes, "]}");
    offset += bytes;
    sizes.push_back(bytes);
  }
  header += "}";
  while (header.size() % 8)
    header += ' ';
  std::vector<uint8_t> out(8 + header.size() + offset);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out[i] = uint8_t(n >> (8 * i));
  std::memcpy(out.data() + 8, header.data(), header.size());
  uint8_t *area = out.data() + 8 + header.size();
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sizes[i])
      std::memcpy(area, sorted[i].second.data, sizes[i]);
    area += sizes[i];
  }
  return out;
}

Status write(const std::string &path,
             const std::vector<std::pair<std::string, TensorView>> &tensors,
             const std::map<std::string, std::string> &metadata) {
  SSMRT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                         serialize(tensors, metadata));
  return detail::writeWholeFile(path, bytes.data(), bytes.size());
}

} // namespace ssmrt::safetensors
