//===- ssm-run.cpp - Run a function of an .ssmb module --------------------===//
//
// Part of the ssmc project. Like iree-run-module:
//
//   ssm-run model.ssmb --function=forward --input=@x.npy
//           --input="2x3xf32=1 2 3 4 5 6" --input=random --seed=7
//           --output=y.npy --benchmark=20 --threads=8 --device=cpu
//   ssm-run model.ssmb --list
//
// Prints each output as "output[i]: 2x3xf32" and a line of its values (%g),
// all of them up to 64 elements, else the first and last 8 around "..." and a
// "min: ... max: ... mean: ..." line. Every error goes to stderr with exit
// code 1.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"
#include "ssmrt/core/float16.h"
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
    "  --list               print the module's functions and signatures\n"
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
  bool help = false;
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
    } else {
      return ssmrt::invalidArgumentError("unknown option '" + arg +
                                         "' (see --help)");
    }
  }
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

int run(const Options &options) {
  if (options.module.empty())
    return fail("no module given (ssm-run <module.ssmb> ...; see --help)");
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

  if (options.list) {
    for (const std::string &name : module->functions()) {
      Expected<ssmrt::FunctionSignature> sig = module->signature(name);
      if (!sig.ok())
        return fail(sig.status());
      std::printf("%s\n", sig->toString().c_str());
    }
    return 0;
  }

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

  // A lone `--input=random` stands for every input of the signature; a lone
  // `--input=@file.safetensors` for every tensor of the file, in name order.
  std::vector<std::string> specs = options.inputs;
  if (specs.size() == 1 && specs[0] == "random")
    specs.assign(signature->inputs.size(), "random");
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
  for (size_t i = 0; i < specs.size(); ++i) {
    Expected<HostTensor> input = makeInput(specs[i], i, *signature, rng);
    if (!input.ok())
      return fail(input.status());
    views.push_back(input->view());
    inputs.push_back(std::move(*input));
  }

  Expected<std::vector<HostTensor>> outputs = module->invoke(function, views);
  if (!outputs.ok())
    return fail(outputs.status());
  for (size_t i = 0; i < outputs->size(); ++i)
    printTensor(i, (*outputs)[i]);
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
