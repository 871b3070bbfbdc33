//===- NumericsHarness.cpp - compile IR, run it, read results back ----===//

#include "NumericsHarness.h"

#include "ssm/Compiler/Compile.h"
#include "ssm/Target/Artifact.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cstring>
#include <dlfcn.h>
#include <map>
#include <thread>
#include <unistd.h>

using namespace ssm::numerics;
namespace fmt = ssmrt::format;

std::string ssm::numerics::tensorType(const std::vector<int64_t> &shape,
                                      const std::string &dtype) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + dtype + ">";
}

namespace {

uint16_t toBF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7FFF + ((bits >> 16) & 1); // round to nearest even
  return uint16_t(bits >> 16);
}
float fromBF16(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
uint16_t toF16(float f) {
  return _Float16(f) == _Float16(f) ? [&] {
    _Float16 h = _Float16(f);
    uint16_t bits;
    std::memcpy(&bits, &h, 2);
    return bits;
  }()
                                    : uint16_t(0x7E00);
}
float fromF16(uint16_t bits) {
  _Float16 h;
  std::memcpy(&h, &bits, 2);
  return float(h);
}

double roundValue(double v, fmt::DType dtype) {
  switch (dtype) {
  case fmt::DType::F32:
    return float(v);
  case fmt::DType::BF16:
    return fromBF16(toBF16(float(v)));
  case fmt::DType::F16:
    return fromF16(toF16(float(v)));
  default:
    return v;
  }
}

fmt::DType dtypeNamed(const std::string &name) {
  if (name == "bf16")
    return fmt::DType::BF16;
  if (name == "f16")
    return fmt::DType::F16;
  if (name == "f64")
    return fmt::DType::F64;
  return fmt::DType::F32;
}

/// Serializes a reference tensor into `dtype` bytes.
std::vector<uint8_t> encode(const ssm::ref::Tensor &t, fmt::DType dtype) {
  std::vector<uint8_t> bytes(t.data.size() * fmt::dtypeSize(dtype));
  for (size_t i = 0; i < t.data.size(); ++i) {
    float f = float(t.data[i]);
    if (dtype == fmt::DType::F64)
      std::memcpy(bytes.data() + 8 * i, &t.data[i], 8);
    else if (dtype == fmt::DType::F32)
      std::memcpy(bytes.data() + 4 * i, &f, 4);
    else {
      uint16_t h = dtype == fmt::DType::BF16 ? toBF16(f) : toF16(f);
      std::memcpy(bytes.data() + 2 * i, &h, 2);
    }
  }
  return bytes;
}

ssm::ref::Tensor decode(const std::vector<uint8_t> &bytes,
                        const fmt::TensorSpec &spec) {
  ssm::ref::Tensor t(spec.dims);
  for (size_t i = 0; i < t.data.size(); ++i) {
    if (spec.dtype == fmt::DType::F64) {
      std::memcpy(&t.data[i], bytes.data() + 8 * i, 8);
    } else if (spec.dtype == fmt::DType::F32) {
      float f;
      std::memcpy(&f, bytes.data() + 4 * i, 4);
      t.data[i] = f;
    } else {
      uint16_t h;
      std::memcpy(&h, bytes.data() + 2 * i, 2);
      t.data[i] = spec.dtype == fmt::DType::BF16 ? fromBF16(h) : fromF16(h);
    }
  }
  return t;
}

using KernelFn = void (*)(void *const *, int64_t, int64_t);

/// The parallel-for installed into kernels: contiguous chunks on 3 threads
/// (more than the machine's cores, so races would show).
void threadedParallelFor(KernelFn kernel, void *const *args, int64_t tiles) {
  constexpr int64_t kThreads = 3;
  std::vector<std::thread> workers;
  int64_t chunk = (tiles + kThreads - 1) / kThreads;
  for (int64_t begin = 0; begin < tiles; begin += chunk)
    workers.emplace_back(kernel, args, begin, std::min(tiles, begin + chunk));
  for (std::thread &w : workers)
    w.join();
}

} // namespace

ssm::ref::Tensor ssm::numerics::roundTo(ref::Tensor t,
                                        const std::string &dtype) {
  for (double &v : t.data)
    v = roundValue(v, dtypeNamed(dtype));
  return t;
}

struct Compiled::Impl {
  void *handle = nullptr;
  std::map<std::string, mlir::ssm::EntrySignature> entries;

  /// Compiles and loads; GoogleTest assertions need a void function.
  void load(const std::string &ir);
};

Compiled::Compiled(const std::string &ir) : impl(std::make_unique<Impl>()) {
  impl->load(ir);
}

void Compiled::Impl::load(const std::string &ir) {
  mlir::DialectRegistry registry;
  mlir::ssm::registerCompilerDialects(registry);
  mlir::MLIRContext context(registry);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  auto module = mlir::parseSourceString<mlir::ModuleOp>(ir, &context);
  ASSERT_TRUE(module) << diagnostics << ir;
  auto entries = mlir::ssm::collectEntrySignatures(*module);
  ASSERT_TRUE(mlir::succeeded(entries)) << diagnostics;
  for (auto &entry : *entries)
    this->entries[entry.name] = entry;
  mlir::ssm::CompileOptions options;
  options.phase = mlir::ssm::Phase::Binary;
  auto result = mlir::ssm::compileModule(*module, options);
  ASSERT_TRUE(mlir::succeeded(result)) << diagnostics << ir;
  for (auto &[name, bytes] : result->workspaceBytes)
    this->entries[name].workspaceBytes = bytes;

  llvm::SmallString<128> path;
  int fd;
  ASSERT_FALSE(
      llvm::sys::fs::createTemporaryFile("ssm-numerics", "so", fd, path));
  ASSERT_EQ(::write(fd, result->bytes.data(), result->bytes.size()),
            ssize_t(result->bytes.size()));
  ::close(fd);
  handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  llvm::sys::fs::remove(path);
  ASSERT_NE(handle, nullptr) << dlerror();
  if (auto *hook =
          static_cast<void **>(dlsym(handle, mlir::ssm::kCPUParallelForHook)))
    *hook = reinterpret_cast<void *>(&threadedParallelFor);
}

Compiled::~Compiled() {
  if (impl->handle)
    dlclose(impl->handle);
}

std::vector<std::vector<int64_t>> Compiled::shapes(const std::string &function,
                                                   bool inputs) const {
  std::vector<std::vector<int64_t>> shapes;
  auto it = impl->entries.find(function);
  if (it == impl->entries.end())
    return shapes;
  for (const fmt::TensorSpec &spec :
       inputs ? it->second.inputs : it->second.outputs)
    shapes.push_back(spec.dims);
  return shapes;
}

std::vector<ssm::ref::Tensor>
Compiled::run(const std::string &function,
              const std::vector<ref::Tensor> &args) {
  auto it = impl->entries.find(function);
  if (!impl->handle || it == impl->entries.end()) {
    ADD_FAILURE() << "no compiled function '" << function << "'";
    return {};
  }
  const mlir::ssm::EntrySignature &sig = it->second;
  if (args.size() != sig.inputs.size()) {
    ADD_FAILURE() << function << " takes " << sig.inputs.size()
                  << " inputs, got " << args.size();
    return {};
  }
  auto kernel = reinterpret_cast<KernelFn>(
      dlsym(impl->handle, (function + mlir::ssm::kCPUEntrySuffix).c_str()));
  if (!kernel) {
    ADD_FAILURE() << dlerror();
    return {};
  }
  std::vector<std::vector<uint8_t>> buffers;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].shape != sig.inputs[i].dims) {
      ADD_FAILURE() << function << " input " << i << " has the wrong shape";
      return {};
    }
    buffers.push_back(encode(args[i], sig.inputs[i].dtype));
  }
  // Outputs start poisoned (NaN), so an element the kernel skips shows up.
  for (const fmt::TensorSpec &out : sig.outputs) {
    int64_t count = 1;
    for (int64_t d : out.dims)
      count *= d;
    buffers.emplace_back(count * fmt::dtypeSize(out.dtype), 0xFF);
  }
  // The planned workspace, poisoned too (every intermediate must be written
  // before it is read).
  if (sig.workspaceBytes)
    buffers.emplace_back(sig.workspaceBytes, 0xFF);
  std::vector<void *> pointers;
  for (auto &b : buffers)
    pointers.push_back(b.data());
  kernel(pointers.data(), 0, 1);
  std::vector<ref::Tensor> results;
  for (size_t j = 0; j < sig.outputs.size(); ++j)
    results.push_back(decode(buffers[args.size() + j], sig.outputs[j]));
  return results;
}

std::vector<ssm::ref::Tensor>
ssm::numerics::compileAndRun(const std::string &ir, const std::string &function,
                             const std::vector<ref::Tensor> &args,
                             const std::vector<std::string> &) {
  Compiled compiled(ir);
  return compiled.run(function, args);
}
