//===- ssm-run.cpp - Run a function of an .ssmb module --------------------===//
//
// Part of the ssmc project. Like iree-run-module:
//
//   ssm-run model.ssmb --function=forward --input=@x.npy
//           --input="2x3xf32=1 2 3 4 5 6" --input=random --seed=7
//           --output=y.npy --benchmark=20 --threads=8 --device=cpu
//   ssm-run model.ssmb --list
//   ssm-run resnet.ssmb --image=cat.jpg --image=dog.png --labels=imagenet.txt
//
// With --image, the PNG/JPEG files are decoded, resized (shorter side,
// PIL-style bicubic), center-cropped to the first input's HxW, normalized
// and stacked into it (B, 3, H, W; f32 or bf16); a (B, classes) first output
// then gets a top-K list per image (softmax probabilities).
//
// Prints each output as "output[i]: 2x3xf32" and a line of its values (%g),
// all of them up to 64 elements, else the first and last 8 around "..." and a
// "min: ... max: ... mean: ..." line. Every error goes to stderr with exit
// code 1.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"
#include "ssmrt/core/float16.h"
#include "ssmrt/core/mapped_file.h"
#include "ssmrt/format/reader.h"
#include "ssmrt/image.h"
#include "ssmrt/npy.h"
#include "ssmrt/safetensors.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

using ssmrt::DType;
using ssmrt::Expected;
using ssmrt::HostTensor;
using ssmrt::Status;

constexpr uint64_t kPrintAllLimit = 64;
constexpr uint64_t kPrintEdge = 8;

const char kUsage[] =
    "usage: ssm-run <module.ssmb> [options]\n"
    "\n"
    "Runs a function of a compiled .ssmb module and prints its outputs.\n"
    "\n"
    "options:\n"
    "  --module=PATH        the module (or give it as the first positional "
    "argument)\n"
    "  --function=NAME      the function to run (optional if the module has "
    "one)\n"
    "  --input=SPEC         one per input, in order:\n"
    "                         @file.npy            a NumPy file\n"
    "                         @f.safetensors:name  one tensor of a safetensors file\n"
    "                         @f.safetensors       (alone) every tensor of the file,\n"
    "                                              in name order, as the inputs\n"
    "                         2x3xf32=1 2 3 4 5 6  inline values (row-major)\n"
    "                         2x3xf32=1.5          one value, broadcast\n"
    "                         2x3xf32              zeros\n"
    "                         random               uniform in [-1, 1) "
    "(integers: [-8, 8),\n"
    "                                              ui8: [0, 16), i1: 0/1), "
    "shaped from\n"
    "                                              the signature; given\n"
    "                                              once, it fills every input\n"
    "                       element types: f32 f16 bf16 f64 i32 i64 i8 ui8 "
    "i1\n"
    "  --seed=N             seed of the random inputs (default 0)\n"
    "  --output=PATH.npy    write output i to the i-th --output file\n"
    "  --output=P.safetensors  (alone) write every output, named output<i>\n"
    "  --benchmark=N        time N runs after --warmup runs; print median, "
    "min, max\n"
    "  --warmup=N           warm-up runs before --benchmark (default 1)\n"
    "  --threads=N          thread pool size (default: SSMRT_NUM_THREADS or "
    "all cores)\n"
    "  --device=NAME        device (default cpu)\n"
    "\n"
    "image classification (the images fill the first input, (B, 3, H, W)):\n"
    "  (--resize, --crop-pct, --mean, --std default to the preprocessing the\n"
    "  module records, if any; the defaults below are ImageNet's)\n"
    "  --image=PATH         a PNG or JPEG file; once per batch element\n"
    "  --resize=N           shorter side before the center crop (default\n"
    "                       round(min(H, W) / 0.875), e.g. 256 for 224)\n"
    "  --crop-pct=F         or: resize to round(min(H, W) / F)\n"
    "  --mean=R,G,B         normalization mean (default 0.485,0.456,0.406)\n"
    "  --std=R,G,B          normalization std (default 0.229,0.224,0.225)\n"
    "  --top=K              print the K most likely classes of a (B, classes)\n"
    "                       first output, softmax probabilities (default 5\n"
    "                       with --image; 0: off)\n"
    "  --labels=FILE        class names, one per line\n"
    "\n"
    "inspection (no device needed):\n"
    "  --list               print the module's functions, signatures and\n"
    "                       static memory plans, and the model and its\n"
    "                       preprocessing if recorded\n"
    "  --kernel-objects     print index, target, format, chip and size of\n"
    "                       each embedded kernel object\n"
    "  --extract-kernel-object=N --output=PATH\n"
    "                       write kernel object N's bytes as stored (a .so,\n"
    "                       NUL-terminated PTX, a cubin or an HSACO code\n"
    "                       object) to PATH\n"
    "  --help               print this help\n";

/// Prints "ssm-run: error: ..." and returns 1.
int fail(const std::string &message) {
  std::fprintf(stderr, "ssm-run: error: %s\n", message.c_str());
  return 1;
}
int fail(const Status &status) { return fail(status.toString()); }

struct Options {
  std::string module;
  std::string function;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  uint64_t seed = 0;
  int64_t benchmark = 0;
  int64_t warmup = 1;
  size_t threads = 0;
  std::string device = "cpu";
  bool list = false;
  bool kernelObjects = false;
  int64_t extractKernelObject = -1;
  bool help = false;
  // Image classification.
  std::vector<std::string> images;
  int64_t resize = 0; // 0: from --crop-pct or the default
  double cropPct = 0; // 0: not given
  std::vector<float> mean, stddev;
  int64_t top = -1; // -1: not given (5 with --image)
  std::string labels;
};

Expected<int64_t> parseInteger(const std::string &flag, const std::string &text,
                               int64_t min, int64_t max) {
  errno = 0;
  char *end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || errno != 0 || *end != '\0' || value < min || value > max)
    return ssmrt::invalidArgumentError(
        "--" + flag + "='" + text + "' is not an integer in [" +
        std::to_string(min) + ", " + std::to_string(max) + "]");
  return static_cast<int64_t>(value);
}

/// "a,b,c": exactly three finite numbers.
Expected<std::vector<float>> parseTriple(const std::string &flag,
                                         const std::string &text) {
  std::vector<float> values;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    char *end = nullptr;
    errno = 0;
    double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || errno != 0 || !std::isfinite(v))
      return ssmrt::invalidArgumentError("--" + flag + "='" + text + "': '" +
                                         item + "' is not a number");
    values.push_back(static_cast<float>(v));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (values.size() != 3)
    return ssmrt::invalidArgumentError("--" + flag + "='" + text +
                                       "' needs 3 values (R,G,B), got " +
                                       std::to_string(values.size()));
  return values;
}

Expected<Options> parseOptions(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      if (!options.module.empty())
        return ssmrt::invalidArgumentError("unexpected argument '" + arg +
                                           "' (the module is already '" +
                                           options.module + "')");
      options.module = arg;
      continue;
    }
    size_t eq = arg.find('=');
    std::string flag =
        arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    bool hasValue = eq != std::string::npos;
    std::string value = hasValue ? arg.substr(eq + 1) : std::string();
    auto needValue = [&]() -> Status {
      if (!hasValue)
        return ssmrt::invalidArgumentError("--" + flag + " needs a value (--" +
                                           flag + "=...)");
      return ssmrt::okStatus();
    };
    if (flag == "help" || flag == "h") {
      options.help = true;
    } else if (flag == "list") {
      options.list = true;
    } else if (flag == "kernel-objects") {
      options.kernelObjects = true;
    } else if (flag == "extract-kernel-object") {
      SSMRT_RETURN_IF_ERROR(needValue());
      char *end = nullptr;
      errno = 0;
      long long n = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || errno != 0 || n < 0 ||
          n > std::numeric_limits<uint32_t>::max())
        return ssmrt::invalidArgumentError(
            "--extract-kernel-object='" + value +
            "' is not a kernel object index");
      options.extractKernelObject = n;
    } else if (flag == "module") {
      SSMRT_RETURN_IF_ERROR(needValue());
      options.module = value;
    } else if (flag == "function") {
      SSMRT_RETURN_IF_ERROR(needValue());
      options.function = value;
    } else if (flag == "input") {
      SSMRT_RETURN_IF_ERROR(needValue());
      options.inputs.push_back(value);
    } else if (flag == "output") {
      SSMRT_RETURN_IF_ERROR(needValue());
      options.outputs.push_back(value);
    } else if (flag == "seed") {
      SSMRT_RETURN_IF_ERROR(needValue());
      SSMRT_ASSIGN_OR_RETURN(
          int64_t seed,
          parseInteger(flag, value, 0, std::numeric_limits<int64_t>::max()));
      options.seed = static_cast<uint64_t>(seed);
    } else if (flag == "benchmark") {
      SSMRT_RETURN_IF_ERROR(needValue());
      SSMRT_ASSIGN_OR_RETURN(options.benchmark,
                             parseInteger(flag, value, 1, 1000000000));
    } else if (flag == "warmup") {
      SSMRT_RETURN_IF_ERROR(needValue());
      SSMRT_ASSIGN_OR_RETURN(options.warmup,
                             parseInteger(flag, value, 0, 1000000));
    } else if (flag == "threads") {
      SSMRT_RETURN_IF_ERROR(needValue());
      SSMRT_ASSIGN_OR_RETURN(int64_t threads,
                             parseInteger(flag, value, 1, 4096));
      options.threads = static_cast<size_t>(threads);
    } else if (flag == "device") {
      SSMRT_RETURN_IF_ERROR(needValue());
      options.device = value;
    } else if (flag == "image") {
      SSMRT_RETURN_IF_ERROR(needValue());
      options.images.push_back(value);
    } else if (flag == "resize") {
      SSMRT_RETURN_IF_ERROR(needValue());
      SSMRT_ASSIGN_OR_RETURN(options.resize,
                             parseInteger(flag, value, 1, 65536));
    } else if (flag == "crop-pct") {
      SSMRT_RETURN_IF_ERROR(needValue());
      char *end = nullptr;
      errno = 0;
      double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || errno != 0 || !(v > 0 && v <= 1))
        return ssmrt::invalidArgumentError("--crop-pct='" + value +
                                           "' is not a number in (0, 1]");
      options.cropPct = v;
    } else if (flag == "mean") {
      SSMRT_RETURN_IF_ERROR(needValue());
      SSMRT_ASSIGN_OR_RETURN(options.mean, parseTriple(flag, value));
    } else if (flag == "std") {
      SSMRT_RETURN_IF_ERROR(needValue());
      SSMRT_ASSIGN_OR_RETURN(options.stddev, parseTriple(flag, value));
      for (float v : options.stddev)
        if (!(v > 0))
          return ssmrt::invalidArgumentError("--std='" + value +
                                             "': every value must be > 0");
    } else if (flag == "top") {
      SSMRT_RETURN_IF_ERROR(needValue());
      SSMRT_ASSIGN_OR_RETURN(options.top,
                             parseInteger(flag, value, 0, 1000000));
    } else if (flag == "labels") {
      SSMRT_RETURN_IF_ERROR(needValue());
      options.labels = value;
    } else {
      return ssmrt::invalidArgumentError("unknown option '" + arg +
                                         "' (see --help)");
    }
  }
  if (options.images.empty()) {
    const char *needsImage = options.resize != 0       ? "--resize"
                             : options.cropPct > 0     ? "--crop-pct"
                             : !options.mean.empty()   ? "--mean"
                             : !options.stddev.empty() ? "--std"
                                                       : nullptr;
    if (needsImage)
      return ssmrt::invalidArgumentError(std::string(needsImage) +
                                         " needs --image");
  }
  if (options.resize != 0 && options.cropPct > 0)
    return ssmrt::invalidArgumentError("give --resize or --crop-pct, not both");
  if (!options.labels.empty() && options.top == 0)
    return ssmrt::invalidArgumentError("--labels needs --top > 0");
  if (!options.labels.empty() && options.top < 0 && options.images.empty())
    return ssmrt::invalidArgumentError("--labels needs --image or --top");
  return options;
}

//===----------------------------------------------------------------------===//
// Element access
//===----------------------------------------------------------------------===//

double elementAsDouble(const HostTensor &t, uint64_t i) {
  const void *p = t.data();
  switch (t.dtype()) {
  case DType::F32:
    return static_cast<const float *>(p)[i];
  case DType::F16:
    return ssmrt::f16ToFloat(static_cast<const uint16_t *>(p)[i]);
  case DType::BF16:
    return ssmrt::bf16ToFloat(static_cast<const uint16_t *>(p)[i]);
  case DType::F64:
    return static_cast<const double *>(p)[i];
  case DType::I32:
    return static_cast<const int32_t *>(p)[i];
  case DType::I64:
    return static_cast<double>(static_cast<const int64_t *>(p)[i]);
  case DType::I8:
    return static_cast<const int8_t *>(p)[i];
  case DType::U8:
    return static_cast<const uint8_t *>(p)[i];
  case DType::Bool:
    return static_cast<const uint8_t *>(p)[i] != 0 ? 1.0 : 0.0;
  }
  return 0;
}

std::string formatElement(const HostTensor &t, uint64_t i) {
  char buffer[64];
  switch (t.dtype()) {
  case DType::I64:
    std::snprintf(buffer, sizeof(buffer), "%" PRId64,
                  static_cast<const int64_t *>(t.data())[i]);
    break;
  case DType::I32:
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    std::snprintf(buffer, sizeof(buffer), "%.0f", elementAsDouble(t, i));
    break;
  default:
    std::snprintf(buffer, sizeof(buffer), "%g", elementAsDouble(t, i));
    break;
  }
  return buffer;
}

std::string formatDouble(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%g", v);
  return buffer;
}

void printTensor(size_t index, const HostTensor &t) {
  std::printf("output[%zu]: %s\n", index, t.typeString().c_str());
  uint64_t n = t.elementCount();
  std::string line;
  auto append = [&](uint64_t i) {
    if (!line.empty())
      line += ' ';
    line += formatElement(t, i);
  };
  if (n == 0) {
    line = "(empty)";
  } else if (n <= kPrintAllLimit) {
    for (uint64_t i = 0; i < n; ++i)
      append(i);
  } else {
    for (uint64_t i = 0; i < kPrintEdge; ++i)
      append(i);
    line += " ...";
    for (uint64_t i = n - kPrintEdge; i < n; ++i)
      append(i);
  }
  std::printf("%s\n", line.c_str());
  if (n > kPrintAllLimit) {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo, sum = 0;
    uint64_t nans = 0;
    for (uint64_t i = 0; i < n; ++i) {
      double v = elementAsDouble(t, i);
      if (std::isnan(v)) {
        ++nans;
        continue;
      }
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    double mean = n > nans ? sum / double(n - nans)
                           : std::numeric_limits<double>::quiet_NaN();
    std::printf("min: %s max: %s mean: %s", formatDouble(lo).c_str(),
                formatDouble(hi).c_str(), formatDouble(mean).c_str());
    if (nans)
      std::printf(" nan: %" PRIu64, nans);
    std::printf("\n");
  }
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// Stores `value` as element i of a tensor (range-checked for integers).
Status storeElement(HostTensor &t, uint64_t i, const std::string &token,
                    const std::string &label) {
  auto bad = [&](const char *why) {
    return ssmrt::invalidArgumentError(label + ": value '" + token + "' " +
                                       why + " for " +
                                       ssmrt::dtypeString(t.dtype()));
  };
  DType dtype = t.dtype();
  bool isFloat = dtype == DType::F32 || dtype == DType::F16 ||
                 dtype == DType::BF16 || dtype == DType::F64;
  if (isFloat) {
    errno = 0;
    char *end = nullptr;
    double v = std::strtod(token.c_str(), &end);
    if (token.empty() || *end != '\0')
      return bad("is not a number");
    void *p = t.data();
    switch (dtype) {
    case DType::F32:
      static_cast<float *>(p)[i] = static_cast<float>(v);
      break;
    case DType::F16:
      static_cast<uint16_t *>(p)[i] = ssmrt::floatToF16(static_cast<float>(v));
      break;
    case DType::BF16:
      static_cast<uint16_t *>(p)[i] = ssmrt::floatToBf16(static_cast<float>(v));
      break;
    default:
      static_cast<double *>(p)[i] = v;
      break;
    }
    return ssmrt::okStatus();
  }
  long long v;
  if (dtype == DType::Bool && (token == "true" || token == "false")) {
    v = token == "true";
  } else {
    errno = 0;
    char *end = nullptr;
    v = std::strtoll(token.c_str(), &end, 0);
    if (token.empty() || *end != '\0' || errno != 0)
      return bad("is not an integer");
  }
  void *p = t.data();
  switch (dtype) {
  case DType::I32:
    if (v < INT32_MIN || v > INT32_MAX)
      return bad("is out of range");
    static_cast<int32_t *>(p)[i] = static_cast<int32_t>(v);
    break;
  case DType::I64:
    static_cast<int64_t *>(p)[i] = v;
    break;
  case DType::I8:
    if (v < INT8_MIN || v > INT8_MAX)
      return bad("is out of range");
    static_cast<int8_t *>(p)[i] = static_cast<int8_t>(v);
    break;
  case DType::U8:
    if (v < 0 || v > UINT8_MAX)
      return bad("is out of range");
    static_cast<uint8_t *>(p)[i] = static_cast<uint8_t>(v);
    break;
  case DType::Bool:
    if (v != 0 && v != 1)
      return bad("is not 0, 1, true or false");
    static_cast<uint8_t *>(p)[i] = static_cast<uint8_t>(v);
    break;
  default:
    break;
  }
  return ssmrt::okStatus();
}

/// "2x3xf32=1 2 3 4 5 6", "2x3xf32=1.5", "2x3xf32", "f32=2".
Expected<HostTensor> parseInline(const std::string &spec,
                                 const std::string &label) {
  size_t eq = spec.find('=');
  std::string type = spec.substr(0, eq);
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t x = type.find('x', start);
    parts.push_back(type.substr(
        start, x == std::string::npos ? std::string::npos : x - start));
    if (x == std::string::npos)
      break;
    start = x + 1;
  }
  Expected<DType> dtype = ssmrt::parseDType(parts.back());
  if (!dtype.ok())
    return ssmrt::invalidArgumentError(
        label + ": cannot parse '" + spec + "': " + dtype.status().message() +
        " (expected DIMSxTYPE=VALUES, e.g. 2x3xf32=1 2 3 4 5 6)");
  std::vector<int64_t> dims;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string &d = parts[i];
    errno = 0;
    char *end = nullptr;
    long long v = std::strtoll(d.c_str(), &end, 10);
    if (d.empty() || *end != '\0' || errno != 0 || v < 0)
      return ssmrt::invalidArgumentError(label + ": bad dimension '" + d +
                                         "' in '" + type + "'");
    dims.push_back(v);
  }
  Expected<HostTensor> tensor = HostTensor::allocate(*dtype, dims);
  if (!tensor.ok())
    return ssmrt::invalidArgumentError(label + ": " +
                                       tensor.status().message());
  if (eq == std::string::npos)
    return tensor; // zeros
  std::vector<std::string> tokens;
  std::string token;
  for (char c : spec.substr(eq + 1)) {
    if (c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '[' ||
        c == ']') {
      if (!token.empty())
        tokens.push_back(token);
      token.clear();
    } else {
      token += c;
    }
  }
  if (!token.empty())
    tokens.push_back(token);
  uint64_t n = tensor->elementCount();
  if (tokens.size() == 1) {
    for (uint64_t i = 0; i < n; ++i)
      SSMRT_RETURN_IF_ERROR(storeElement(*tensor, i, tokens[0], label));
  } else if (tokens.size() == n) {
    for (uint64_t i = 0; i < n; ++i)
      SSMRT_RETURN_IF_ERROR(storeElement(*tensor, i, tokens[i], label));
  } else {
    return ssmrt::invalidArgumentError(
        label + ": " + tensor->typeString() + " needs " + std::to_string(n) +
        " values (or one to broadcast), got " + std::to_string(tokens.size()));
  }
  return tensor;
}

/// Deterministic uniform doubles in [0, 1) from a 64-bit engine (the same
/// on every standard library, unlike std::uniform_real_distribution).
double unit(std::mt19937_64 &rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

Expected<HostTensor> makeRandom(const ssmrt::TensorDesc &desc,
                                std::mt19937_64 &rng) {
  SSMRT_ASSIGN_OR_RETURN(HostTensor t,
                         HostTensor::allocate(desc.dtype, desc.dims));
  void *p = t.data();
  for (uint64_t i = 0; i < t.elementCount(); ++i) {
    double u = unit(rng);
    double f = 2.0 * u - 1.0;
    switch (desc.dtype) {
    case DType::F32:
      static_cast<float *>(p)[i] = static_cast<float>(f);
      break;
    case DType::F16:
      static_cast<uint16_t *>(p)[i] = ssmrt::floatToF16(static_cast<float>(f));
      break;
    case DType::BF16:
      static_cast<uint16_t *>(p)[i] = ssmrt::floatToBf16(static_cast<float>(f));
      break;
    case DType::F64:
      static_cast<double *>(p)[i] = f;
      break;
    case DType::I32:
      static_cast<int32_t *>(p)[i] =
          static_cast<int32_t>(std::floor(u * 16)) - 8;
      break;
    case DType::I64:
      static_cast<int64_t *>(p)[i] =
          static_cast<int64_t>(std::floor(u * 16)) - 8;
      break;
    case DType::I8:
      static_cast<int8_t *>(p)[i] =
          static_cast<int8_t>(static_cast<int>(std::floor(u * 16)) - 8);
      break;
    case DType::U8:
      static_cast<uint8_t *>(p)[i] = static_cast<uint8_t>(std::floor(u * 16));
      break;
    case DType::Bool:
      static_cast<uint8_t *>(p)[i] = u < 0.5 ? 0 : 1;
      break;
    }
  }
  return t;
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Expected<HostTensor> makeInput(const std::string &spec, size_t index,
                               const ssmrt::FunctionSignature &signature,
                               std::mt19937_64 &rng) {
  std::string label = "--input #" + std::to_string(index);
  if (spec == "random") {
    if (index >= signature.inputs.size())
      return ssmrt::invalidArgumentError(
          label + "=random: '" + signature.name + "' has only " +
          std::to_string(signature.inputs.size()) + " inputs");
    return makeRandom(signature.inputs[index], rng);
  }
  if (!spec.empty() && spec[0] == '@' &&
      spec.find(".safetensors:") != std::string::npos) {
    // @file.safetensors:name picks one tensor of the file.
    size_t colon = spec.rfind(':');
    std::string path = spec.substr(1, colon - 1), name = spec.substr(colon + 1);
    Expected<ssmrt::safetensors::File> file = ssmrt::safetensors::read(path);
    if (!file.ok())
      return file.status().withContext(label);
    for (auto &[tensorName, tensor] : file->tensors)
      if (tensorName == name)
        return std::move(tensor);
    return ssmrt::invalidArgumentError(label + ": '" + path +
                                       "' has no tensor named '" + name + "'");
  }
  if (!spec.empty() && spec[0] == '@') {
    Expected<HostTensor> t = ssmrt::npy::read(spec.substr(1));
    if (!t.ok())
      return t.status().withContext(label);
    return t;
  }
  return parseInline(spec, label);
}

//===----------------------------------------------------------------------===//
// Images and top-K
//===----------------------------------------------------------------------===//

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

/// Decodes, preprocesses and stacks the --image files into a tensor for the
/// function's first input, (B, 3, H, W) f32 or bf16.
Expected<HostTensor> makeImageInput(const Options &given,
                                    const ssmrt::FunctionSignature &signature,
                                    const ssmrt::Module &module) {
  // Flags win over the module's recorded preprocessing (ssm-compile
  // --model), which wins over ImageNet defaults.
  Options options = given;
  if (const auto &model = module.modelInfo(); model && model->preprocessing) {
    const ssmrt::ImagePreprocessing &recorded = *model->preprocessing;
    // As a ratio, in case this module's crop differs from the recorded one.
    if (options.resize == 0 && options.cropPct <= 0)
      options.cropPct = double(recorded.crop) / double(recorded.resize);
    if (options.mean.empty())
      options.mean.assign(recorded.mean.begin(), recorded.mean.end());
    if (options.stddev.empty())
      options.stddev.assign(recorded.std.begin(), recorded.std.end());
  }
  if (signature.inputs.empty())
    return ssmrt::invalidArgumentError("--image: '" + signature.name +
                                       "' has no inputs");
  const ssmrt::TensorDesc &desc = signature.inputs[0];
  std::string what = "--image: the first input of '" + signature.name + "' ('" +
                     desc.name + "') is " + desc.typeString();
  if (desc.dims.size() != 4 || desc.dims[1] != 3 || desc.dims[2] <= 0 ||
      desc.dims[3] <= 0)
    return ssmrt::invalidArgumentError(what + ", not (B, 3, H, W)");
  if (desc.dtype != DType::F32 && desc.dtype != DType::BF16)
    return ssmrt::invalidArgumentError(what +
                                       "; images need f32 or bf16 inputs");
  size_t batch = static_cast<size_t>(desc.dims[0]);
  if (batch != options.images.size())
    return ssmrt::invalidArgumentError(
        what + ": it takes " + std::to_string(batch) + " image" +
        (batch == 1 ? "" : "s") + ", got " +
        std::to_string(options.images.size()) + " --image");
  ssmrt::PreprocessOptions pre;
  pre.cropHeight = desc.dims[2];
  pre.cropWidth = desc.dims[3];
  pre.dtype = desc.dtype;
  int64_t side = std::min(pre.cropHeight, pre.cropWidth);
  pre.resize = options.resize
                   ? options.resize
                   : static_cast<int64_t>(std::llround(
                         double(side) /
                         (options.cropPct > 0 ? options.cropPct : 0.875)));
  for (size_t c = 0; c < 3; ++c) {
    if (options.mean.size() == 3)
      pre.mean[c] = options.mean[c];
    if (options.stddev.size() == 3)
      pre.stddev[c] = options.stddev[c];
  }

  auto start = std::chrono::steady_clock::now();
  SSMRT_ASSIGN_OR_RETURN(HostTensor tensor,
                         HostTensor::allocate(desc.dtype, desc.dims));
  size_t each = static_cast<size_t>(tensor.byteSize()) / batch;
  for (size_t i = 0; i < batch; ++i) {
    std::string label = "--image #" + std::to_string(i);
    Expected<ssmrt::Image> image = ssmrt::loadImage(options.images[i]);
    if (!image.ok())
      return image.status().withContext(label);
    std::printf("image[%zu]: %s (%lldx%lld)\n", i, options.images[i].c_str(),
                static_cast<long long>(image->width),
                static_cast<long long>(image->height));
    Status written = ssmrt::preprocessInto(
        *image, pre, tensor.dataAs<uint8_t>() + i * each, each);
    if (!written.ok())
      return written.withContext(label + " ('" + options.images[i] + "')");
  }
  std::printf("preprocess: resize %lld, center crop %lldx%lld, mean %g,%g,%g "
              "std %g,%g,%g -> %s (%.3f ms)\n",
              static_cast<long long>(pre.resize),
              static_cast<long long>(pre.cropWidth),
              static_cast<long long>(pre.cropHeight), double(pre.mean[0]),
              double(pre.mean[1]), double(pre.mean[2]), double(pre.stddev[0]),
              double(pre.stddev[1]), double(pre.stddev[2]),
              tensor.typeString().c_str(), msSince(start));
  return tensor;
}

/// One label per line ('\r' stripped; a final newline ends the last one).
Expected<std::vector<std::string>> readLabels(const std::string &path) {
  Expected<ssmrt::MappedFile> file = ssmrt::MappedFile::openReadOnly(path);
  if (!file.ok())
    return file.status().withContext("--labels");
  std::vector<std::string> labels;
  std::string text(reinterpret_cast<const char *>(file->data()), file->size());
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(
        start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    labels.push_back(line);
    if (nl == std::string::npos)
      break;
    start = nl + 1;
  }
  return labels;
}

/// Prints the `k` most likely classes of each row of a (rows, classes) or
/// (classes) tensor of logits, with softmax probabilities.
void printTopK(const HostTensor &logits, int64_t k,
               const std::vector<std::string> &labels,
               const std::vector<std::string> &images) {
  int64_t classes = logits.dims().back();
  int64_t rows = logits.rank() == 2 ? logits.dims()[0] : 1;
  k = std::min(k, classes);
  std::vector<double> p(static_cast<size_t>(classes));
  std::vector<int64_t> order(static_cast<size_t>(classes));
  for (int64_t r = 0; r < rows; ++r) {
    uint64_t base = uint64_t(r) * uint64_t(classes);
    double hi = -std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < classes; ++c) {
      p[size_t(c)] = elementAsDouble(logits, base + uint64_t(c));
      hi = std::max(hi, p[size_t(c)]);
    }
    double sum = 0;
    for (double &v : p) {
      v = std::exp(v - hi);
      sum += v;
    }
    for (double &v : p)
      v /= sum;
    for (int64_t c = 0; c < classes; ++c)
      order[size_t(c)] = c;
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int64_t a, int64_t b) {
                        return p[size_t(a)] > p[size_t(b)] ||
                               (p[size_t(a)] == p[size_t(b)] && a < b);
                      });
    if (images.empty())
      std::printf("row[%lld]: top-%lld of %lld classes\n",
                  static_cast<long long>(r), static_cast<long long>(k),
                  static_cast<long long>(classes));
    else
      std::printf("image[%lld] %s: top-%lld of %lld classes\n",
                  static_cast<long long>(r), images[size_t(r)].c_str(),
                  static_cast<long long>(k), static_cast<long long>(classes));
    for (int64_t j = 0; j < k; ++j) {
      int64_t c = order[size_t(j)];
      const char *name =
          size_t(c) < labels.size() ? labels[size_t(c)].c_str() : "";
      std::printf("  %lld. class %lld  p=%.6f%s%s\n",
                  static_cast<long long>(j + 1), static_cast<long long>(c),
                  p[size_t(c)], *name ? "  " : "", name);
    }
  }
}

//===----------------------------------------------------------------------===//
// Benchmark
//===----------------------------------------------------------------------===//

void drawProgress(int64_t done, int64_t total) {
  constexpr int kWidth = 40;
  int filled = static_cast<int>(done * kWidth / std::max<int64_t>(total, 1));
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), ' ');
  std::fprintf(stderr, "\r[%s] %lld/%lld", bar.c_str(),
               static_cast<long long>(done), static_cast<long long>(total));
  std::fflush(stderr);
}

/// --kernel-objects and --extract-kernel-object: read the artifact only.
int kernelObjects(const Options &options) {
  namespace fmt = ssmrt::format;
  Expected<fmt::ArtifactFile> file = fmt::ArtifactFile::openPath(options.module);
  if (!file.ok())
    return fail(file.status());
  const fmt::ArtifactView &view = file->view();
  if (options.kernelObjects) {
    for (uint32_t i = 0; i < view.kernelObjectCount(); ++i) {
      Expected<fmt::KernelObject> object = view.kernelObject(i);
      if (!object.ok())
        return fail(object.status());
      std::printf("%u %s %s %.*s %" PRIu64 "\n", i,
                  fmt::targetKindName(object->target),
                  fmt::binaryFormatName(object->format),
                  static_cast<int>(object->chip.size()), object->chip.data(),
                  object->size);
    }
  }
  if (options.extractKernelObject >= 0) {
    if (options.outputs.size() != 1)
      return fail("--extract-kernel-object needs one --output=PATH");
    uint64_t index = static_cast<uint64_t>(options.extractKernelObject);
    if (index >= view.kernelObjectCount())
      return fail(ssmrt::invalidArgumentError(
          "--extract-kernel-object=" + std::to_string(index) +
          ": the module has " + std::to_string(view.kernelObjectCount()) +
          " kernel object(s)"));
    Expected<fmt::KernelObject> object =
        view.kernelObject(static_cast<uint32_t>(index));
    if (!object.ok())
      return fail(object.status());
    const std::string &path = options.outputs[0];
    std::FILE *out = std::fopen(path.c_str(), "wb");
    if (!out)
      return fail("cannot write '" + path + "': " + std::strerror(errno));
    size_t size = static_cast<size_t>(object->size);
    bool ok = std::fwrite(object->data, 1, size, out) == size;
    ok = std::fclose(out) == 0 && ok;
    if (!ok)
      return fail("cannot write '" + path + "': " + std::strerror(errno));
  }
  return 0;
}

/// --list: the functions' signatures and the model description, read
/// without opening a device (a GPU module lists on a machine without one).
int list(const Options &options) {
  Expected<ssmrt::ModuleInfo> info = ssmrt::ModuleInfo::read(options.module);
  if (!info.ok())
    return fail(info.status());
  for (size_t f = 0; f < info->functions.size(); ++f) {
    std::printf("%s\n", info->functions[f].toString().c_str());
    if (const auto &plan = info->memoryPlans[f])
      std::printf("  memory plan: peak %" PRIu64 " bytes (arena %" PRIu64
                  ", outputs %" PRIu64 ")\n",
                  plan->peakBytes, plan->arenaBytes, plan->outputBytes);
    else
      std::printf("  memory plan: none (invalid schedule)\n");
  }
  if (const auto &model = info->model) {
    std::printf("model: %s%s%s%s\n", model->name.c_str(),
                model->family.empty() ? "" : " (", model->family.c_str(),
                model->family.empty() ? "" : ")");
    if (const auto &pre = model->preprocessing)
      std::printf("preprocess: resize %lld, crop %lld, mean %.7g,%.7g,%.7g, "
                  "std %.7g,%.7g,%.7g\n",
                  static_cast<long long>(pre->resize),
                  static_cast<long long>(pre->crop), double(pre->mean[0]),
                  double(pre->mean[1]), double(pre->mean[2]),
                  double(pre->std[0]), double(pre->std[1]),
                  double(pre->std[2]));
    for (const auto &[key, value] : model->properties)
      std::printf("property: %s = %s\n", key.c_str(), value.c_str());
  }
  return 0;
}

int run(const Options &options) {
  if (options.module.empty())
    return fail("no module given (ssm-run <module.ssmb> ...; see --help)");
  if (options.kernelObjects || options.extractKernelObject >= 0)
    return kernelObjects(options);
  if (options.list)
    return list(options);
  ssmrt::InstanceOptions instanceOptions;
  instanceOptions.numThreads = options.threads;
  Expected<ssmrt::Instance> instance = ssmrt::Instance::create(instanceOptions);
  if (!instance.ok())
    return fail(instance.status());
  Expected<ssmrt::Device> device = instance->openDevice(options.device);
  if (!device.ok())
    return fail(device.status());
  Expected<ssmrt::Module> module = ssmrt::Module::load(*device, options.module);
  if (!module.ok())
    return fail(module.status());

  std::string function = options.function;
  if (function.empty()) {
    std::vector<std::string> names = module->functions();
    if (names.size() != 1) {
      std::string list;
      for (const std::string &n : names)
        list += (list.empty() ? "" : ", ") + n;
      return fail("--function is required: the module has " +
                  std::to_string(names.size()) + " functions (" + list + ")");
    }
    function = names[0];
  }
  Expected<ssmrt::FunctionSignature> signature = module->signature(function);
  if (!signature.ok())
    return fail(signature.status());
  if (options.outputs.size() > signature->outputs.size())
    return fail("--output was given " + std::to_string(options.outputs.size()) +
                " times but '" + function + "' has " +
                std::to_string(signature->outputs.size()) + " outputs");

  // With --image, the images are input 0 and --input specs fill the rest.
  size_t firstSpec = options.images.empty() ? 0 : 1;
  size_t specInputs = signature->inputs.size() > firstSpec
                          ? signature->inputs.size() - firstSpec
                          : 0;

  // A lone `--input=random` stands for every (remaining) input of the
  // signature; a lone `--input=@file.safetensors` for every tensor of the
  // file, in name order.
  std::vector<std::string> specs = options.inputs;
  if (specs.size() == 1 && specs[0] == "random")
    specs.assign(specInputs, "random");
  if (specs.size() == 1 && endsWith(specs[0], ".safetensors") &&
      specs[0][0] == '@') {
    std::string path = specs[0].substr(1);
    Expected<ssmrt::safetensors::File> file = ssmrt::safetensors::read(path);
    if (!file.ok())
      return fail(file.status().withContext("--input #0"));
    specs.clear();
    for (const auto &entry : file->tensors)
      specs.push_back("@" + path + ":" + entry.first);
  }

  std::mt19937_64 rng(options.seed);
  std::vector<HostTensor> inputs;
  std::vector<ssmrt::TensorView> views;
  if (!options.images.empty()) {
    Expected<HostTensor> images = makeImageInput(options, *signature, *module);
    if (!images.ok())
      return fail(images.status());
    views.push_back(images->view());
    inputs.push_back(std::move(*images));
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    Expected<HostTensor> input =
        makeInput(specs[i], i + firstSpec, *signature, rng);
    if (!input.ok())
      return fail(input.status());
    views.push_back(input->view());
    inputs.push_back(std::move(*input));
  }

  std::vector<std::string> labels;
  if (!options.labels.empty()) {
    Expected<std::vector<std::string>> read = readLabels(options.labels);
    if (!read.ok())
      return fail(read.status());
    labels = std::move(*read);
  }

  auto invokeStart = std::chrono::steady_clock::now();
  Expected<std::vector<HostTensor>> outputs = module->invoke(function, views);
  double invokeMs = msSince(invokeStart);
  if (!outputs.ok())
    return fail(outputs.status());
  for (size_t i = 0; i < outputs->size(); ++i)
    printTensor(i, (*outputs)[i]);
  if (!options.images.empty())
    std::printf("invoke: %.3f ms\n", invokeMs);

  // Top-K of a classifier output: (B, classes), or (classes) for one row.
  int64_t top = options.top >= 0 ? options.top : options.images.empty() ? 0 : 5;
  if (top > 0 && !outputs->empty()) {
    const HostTensor &logits = (*outputs)[0];
    int64_t rows = logits.rank() == 2 ? logits.dims()[0] : 1;
    bool shaped =
        (logits.rank() == 2 || logits.rank() == 1) &&
        logits.dims().back() > 0 &&
        (options.images.empty() || rows == int64_t(options.images.size()));
    if (!shaped) {
      std::string why =
          "output 0 is " + logits.typeString() + ", not (batch, classes)";
      if (options.top >= 0)
        return fail("--top: " + why);
      std::fprintf(stderr, "ssm-run: note: %s: no top-K\n", why.c_str());
    } else {
      if (!labels.empty() && int64_t(labels.size()) != logits.dims().back())
        std::fprintf(stderr,
                     "ssm-run: note: --labels has %zu labels for %lld "
                     "classes\n",
                     labels.size(),
                     static_cast<long long>(logits.dims().back()));
      printTopK(logits, top, labels, options.images);
    }
  }
  if (options.outputs.size() == 1 &&
      endsWith(options.outputs[0], ".safetensors")) {
    // One .safetensors file holds every output, named output0, output1, ...
    std::vector<std::pair<std::string, ssmrt::TensorView>> named;
    for (size_t i = 0; i < outputs->size(); ++i)
      named.emplace_back("output" + std::to_string(i), (*outputs)[i].view());
    Status written = ssmrt::safetensors::write(options.outputs[0], named);
    if (!written.ok())
      return fail(written);
  } else {
    for (size_t i = 0; i < options.outputs.size(); ++i) {
      Status written =
          ssmrt::npy::write(options.outputs[i], (*outputs)[i].view());
      if (!written.ok())
        return fail(written);
    }
  }

  if (options.benchmark > 0) {
    bool tty = ::isatty(STDERR_FILENO) == 1;
    for (int64_t i = 0; i < options.warmup; ++i) {
      Expected<std::vector<HostTensor>> r = module->invoke(function, views);
      if (!r.ok())
        return fail(r.status());
    }
    std::vector<double> ms;
    ms.reserve(static_cast<size_t>(options.benchmark));
    for (int64_t i = 0; i < options.benchmark; ++i) {
      auto start = std::chrono::steady_clock::now();
      Expected<std::vector<HostTensor>> r = module->invoke(function, views);
      auto end = std::chrono::steady_clock::now();
      if (!r.ok())
        return fail(r.status());
      ms.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
      // Redraw only when the bar advances (or at the end).
      if (tty &&
          ((i + 1) * 40 / options.benchmark != i * 40 / options.benchmark ||
           i + 1 == options.benchmark))
        drawProgress(i + 1, options.benchmark);
    }
    if (tty)
      std::fprintf(stderr, "\r%*s\r", 60, "");
    std::sort(ms.begin(), ms.end());
    size_t n = ms.size();
    double median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
    Expected<ssmrt::MemoryPlan> plan = module->memoryPlan(function);
    if (!plan.ok())
      return fail(plan.status());
    std::printf("benchmark: %s, %lld runs after %lld warm-up, %zu threads\n",
                function.c_str(), static_cast<long long>(options.benchmark),
                static_cast<long long>(options.warmup), instance->numThreads());
    std::printf("median: %.3f ms min: %.3f ms max: %.3f ms\n", median,
                ms.front(), ms.back());
    std::printf("peak plan bytes: %" PRIu64 " (arena %" PRIu64
                ", outputs %" PRIu64 ")\n",
                plan->peakBytes, plan->arenaBytes, plan->outputBytes);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Expected<Options> options = parseOptions(argc, argv);
  if (!options.ok())
    return fail(options.status());
  if (options->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  int rc = run(*options);
  std::fflush(stdout);
  return rc;
}
