//===- Compile.cpp - the one compile driver ---------------------------===//

#include "ssm/Compiler/Compile.h"

#include "ssm/Autodiff/Autodiff.h"

#include "ssm/Dialect/SSM/IR/SSMDialect.h"
#include "ssm/Dialect/SSM/Transforms/Passes.h"
#include "ssm/InitAll.h"
#include "ssm/Pipelines/Pipelines.h"
#include "ssm/Target/Artifact.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include "ssmrt/safetensors.h"

#include <chrono>
#include <functional>
#include <set>

using namespace mlir;
using namespace mlir::ssm;

std::optional<Phase> mlir::ssm::parsePhase(StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("input", Phase::Input)
      .Case("ssm", Phase::SSM)
      .Case("loops", Phase::Loops)
      .Case("bufferized", Phase::Bufferized)
      .Case("llvm", Phase::LLVM)
      .Case("binary", Phase::Binary)
      .Case("artifact", Phase::Artifact)
      .Default(std::nullopt);
}

StringRef mlir::ssm::phaseNames() {
  return "input, ssm, loops, bufferized, llvm, binary, artifact";
}

std::optional<Target> mlir::ssm::parseTarget(StringRef name) {
  return llvm::StringSwitch<std::optional<Target>>(name)
      .Case("cpu", Target::CPU)
      .Case("nvptx", Target::NVPTX)
      .Case("amdgpu", Target::AMDGPU)
      .Default(std::nullopt);
}

StringRef mlir::ssm::targetNames() { return "cpu, nvptx, amdgpu"; }

ArrayRef<StringRef> mlir::ssm::amdgpuChips() {
  static const StringRef chips[] = {"gfx942", "gfx90a"};
  return chips;
}

void mlir::ssm::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllSSMDialects(registry);
  registerSSMTargetInterfaces(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

namespace {

/// This process's user + system CPU time in milliseconds (all threads): on a
/// shared machine it says more about the compiler than the wall clock.
double cpuMs() {
  llvm::sys::TimePoint<> elapsed;
  std::chrono::nanoseconds user, system;
  llvm::sys::Process::GetTimeUsage(elapsed, user, system);
  return std::chrono::duration<double, std::milli>(user + system).count();
}

/// Runs one stage and records its wall and CPU time.
struct StageRunner {
  ModuleOp module;
  llvm::raw_string_ostream stats;
  const std::function<LogicalResult(PassManager &)> &configure;

  LogicalResult run(StringRef name,
                    llvm::function_ref<void(OpPassManager &)> build) {
    PassManager pm(module.getContext());
    build(pm);
    if (configure && failed(configure(pm)))
      return failure();
    auto start = std::chrono::steady_clock::now();
    double cpuStart = cpuMs();
    LogicalResult result = pm.run(module);
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    stats << llvm::formatv("{0,-12} {1,9:F1} ms  (cpu {2:F1} ms)\n", name, ms,
                           cpuMs() - cpuStart);
    return result;
  }
};

CompileResult textOf(ModuleOp module, std::string stats) {
  CompileResult result;
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  result.bytes.assign(text.begin(), text.end());
  result.isText = true;
  result.stats = std::move(stats);
  return result;
}

/// Matches the tensors of `file` to the entries' inputs by name and marks
/// them embedded. Every tensor must name an input and match its type.
LogicalResult embedWeights(ModuleOp module,
                           const ssmrt::safetensors::File &file, StringRef path,
                           std::vector<EntrySignature> &entries) {
  std::set<std::string> used;
  std::string problems;
  for (EntrySignature &entry : entries) {
    entry.embedded.assign(entry.inputs.size(), {});
    for (auto [i, input] : llvm::enumerate(entry.inputs))
      for (const auto &[name, tensor] : file.tensors) {
        if (name != input.name)
          continue;
        used.insert(name);
        if (tensor.dtype() != input.dtype || tensor.dims() != input.dims) {
          problems += "\n  '" + name + "': the model expects " +
                      ssmrt::typeString(input.dtype, input.dims) +
                      ", the file has " + tensor.typeString();
          continue;
        }
        entry.embedded[i] = ArrayRef<uint8_t>(
            static_cast<const uint8_t *>(tensor.data()), tensor.byteSize());
      }
  }
  for (const auto &[name, tensor] : file.tensors)
    if (!used.count(name))
      problems += "\n  '" + name + "': no input of that name";
  if (problems.empty())
    return success();
  return module.emitError("weights '")
         << path << "' do not match the model:" << problems;
}

/// The names were read into the signatures; later stages must not see the
/// attribute (it would reach the LLVM translation).
void dropNameAttrs(ModuleOp module) {
  // The residual adds' drop-path tags too: only the train step reads them.
  module.walk([](Operation *op) { op->removeAttr(kDropPathAttr); });
  auto name = StringAttr::get(module.getContext(), kNameAttr);
  for (auto fn : module.getOps<func::FuncOp>()) {
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      fn.removeArgAttr(i, name);
    for (unsigned i = 0; i < fn.getNumResults(); ++i)
      fn.removeResultAttr(i, name);
  }
}

/// --target=nvptx and --target=amdgpu, one path: selective scans as
/// dedicated kernels, everything else through the generic parallel-loop
/// mapping (the same stages for both vendors up to the target attach); the
/// kernels to PTX without the CUDA toolkit, or to HSACO code objects with
/// LLVM 22's ld.lld and Debian's rocm-device-libs; the host functions
/// become .ssmb schedules.
FailureOr<CompileResult>
compileGPU(ModuleOp module, const CompileOptions &options, StageRunner &stage,
           std::vector<EntrySignature> &entries, std::string &&stats) {
  const bool amd = options.target == Target::AMDGPU;
  GPUPipelineOptions gpu;
  gpu.chip =
      options.gpu.chip.empty() ? (amd ? "gfx942" : "sm_90") : options.gpu.chip;
  if (amd && !llvm::is_contained(amdgpuChips(), StringRef(gpu.chip))) {
    std::string chips;
    for (StringRef chip : amdgpuChips())
      chips += (chips.empty() ? "" : ", ") + chip.str();
    return emitError(module.getLoc(), "--target=amdgpu: unsupported chip '")
           << gpu.chip.getValue() << "' (expected one of " << chips << ")";
  }
  if (!amd && !StringRef(gpu.chip).starts_with("sm_"))
    return emitError(module.getLoc(), "--target=nvptx: unsupported chip '")
           << gpu.chip.getValue() << "' (expected sm_XY, e.g. sm_90)";
  gpu.toolkit = options.gpu.rocmToolkit;
  struct Step {
    Phase phase;
    const char *name;
    std::function<void(OpPassManager &)> build;
  };
  // amdgpu: --compile-to=binary prints the AMDGPU assembly, the artifact
  // holds HSACO code objects.
  const bool assembly = options.phase == Phase::Binary;
  const Step steps[] = {
      {Phase::SSM, "ssm", buildSSMGraphPipeline},
      {Phase::Loops, "loops",
       [&](OpPassManager &pm) {
         buildSSMToGPULoopsPipeline(pm, options.gpu.kernels,
                                    amd ? GPUVendor::AMD : GPUVendor::NVIDIA,
                                    gpu.chip);
       }},
      {Phase::Bufferized, "bufferized",
       [&](OpPassManager &pm) {
         buildSSMGPUBufferizePipeline(pm, gpu.chip,
                                      options.gpu.padLibraryBuffers);
       }},
      {Phase::LLVM, amd ? "rocdl" : "nvvm",
       [&](OpPassManager &pm) {
         if (amd)
           buildSSMGPUToROCDLPipeline(pm, gpu);
         else
           buildSSMGPUToNVVMPipeline(pm, gpu);
       }},
      {Phase::Binary, "binary",
       [&](OpPassManager &pm) {
         if (amd)
           buildSSMROCDLBinaryPipeline(pm, gpu, assembly);
         else
           buildSSMGPUBinaryPipeline(pm);
       }},
  };
  for (const Step &step : steps) {
    if (failed(stage.run(step.name, step.build)))
      return failure();
    if (step.phase == Phase::Bufferized)
      for (EntrySignature &entry : entries)
        if (auto fn = module.lookupSymbol<func::FuncOp>(entry.name))
          if (auto bytes =
                  fn->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttr)) {
            entry.workspaceBytes = bytes.getInt();
            if (options.workspaceReport > 0)
              printWorkspacePeak(fn, options.workspaceReport, llvm::errs());
          }
    if (options.phase == step.phase && step.phase != Phase::Binary)
      return textOf(module, stats);
  }
  CompileResult result;
  for (const EntrySignature &entry : entries)
    result.workspaceBytes[entry.name] = entry.workspaceBytes;
  if (options.phase == Phase::Binary) {
    // The PTX / AMDGPU assembly of every gpu.binary, in order.
    for (auto binary : module.getOps<gpu::BinaryOp>())
      for (Attribute attr : binary.getObjects())
        if (auto object = dyn_cast<gpu::ObjectAttr>(attr)) {
          StringRef ptx = object.getObject().getValue();
          result.bytes.insert(result.bytes.end(), ptx.begin(), ptx.end());
        }
    result.isText = true;
    result.stats = std::move(stats);
    return result;
  }
  FailureOr<std::vector<uint8_t>> artifact =
      writeGPUArtifact(module, entries, options.modelInfo);
  if (failed(artifact))
    return failure();
  result.bytes.assign(artifact->begin(), artifact->end());
  result.stats = std::move(stats);
  return result;
}

} // namespace

FailureOr<CompileResult>
mlir::ssm::compileModule(ModuleOp module, const CompileOptions &options) {
  std::string stats;
  StageRunner stage{module, llvm::raw_string_ostream(stats),
                    options.configurePassManager};
  if (options.gradients) {
    DifferentiateOptions differentiate;
    differentiate.recompute = options.recomputeInBackward;
    if (failed(differentiateModule(module, differentiate)))
      return failure();
  }
  if (options.train) {
    auto forward = module.lookupSymbol<func::FuncOp>(options.train->function);
    if (!forward || forward.isExternal())
      return module.emitError("--train: no function '")
             << options.train->function << "' to build the train step from";
    TrainStepOptions train = *options.train;
    train.recompute = options.recomputeInBackward;
    if (failed(buildTrainStep(forward, train)))
      return failure();
  }
  if (options.phase == Phase::Input)
    return textOf(module, stats);

  // Signatures come from the tensor-level function types, before lowering.
  FailureOr<std::vector<EntrySignature>> entries =
      collectEntrySignatures(module);
  if (failed(entries))
    return failure();
  dropNameAttrs(module);
  // Kept alive until the artifact is written: embedded inputs point into it.
  std::optional<ssmrt::safetensors::File> weights;
  if (!options.embedWeightsPath.empty()) {
    auto file = ssmrt::safetensors::read(options.embedWeightsPath);
    if (!file.ok())
      return module.emitError("cannot read weights: ")
             << file.status().toString();
    weights = std::move(*file);
    if (failed(
            embedWeights(module, *weights, options.embedWeightsPath, *entries)))
      return failure();
  }

  if (options.target == Target::NVPTX || options.target == Target::AMDGPU)
    return compileGPU(module, options, stage, *entries, std::move(stats));

  struct Step {
    Phase phase;
    const char *name;
    std::function<void(OpPassManager &)> build;
  };
  // The scans are planned for the SIMD unit of the CPU compiled for.
  CPUVectorInfo vectors = getCPUVectorInfo(options.cpu);
  const Step steps[] = {
      {Phase::SSM, "ssm", buildSSMGraphPipeline},
      {Phase::Loops, "loops",
       [&](OpPassManager &pm) { buildSSMToLoopsPipeline(pm, vectors); }},
      {Phase::Bufferized, "bufferized", buildSSMBufferizePipeline},
      {Phase::LLVM, "llvm", buildSSMToLLVMPipeline},
  };
  for (const Step &step : steps) {
    if (failed(stage.run(step.name, step.build)))
      return failure();
    if (step.phase == Phase::Bufferized)
      for (EntrySignature &entry : *entries)
        if (auto fn = module.lookupSymbol<func::FuncOp>(entry.name))
          if (auto bytes =
                  fn->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttr)) {
            entry.workspaceBytes = bytes.getInt();
            if (options.workspaceReport > 0)
              printWorkspacePeak(fn, options.workspaceReport, llvm::errs());
          }
    if (options.phase == step.phase)
      return textOf(module, stats);
  }

  std::vector<std::pair<std::string, uint64_t>> names;
  for (const EntrySignature &entry : *entries)
    names.push_back({entry.name, entry.workspaceBytes});
  if (failed(addCPUEntryWrappers(module, names)))
    return failure();
  auto start = std::chrono::steady_clock::now();
  double cpuStart = cpuMs();
  std::string chip;
  CPUBinaryTimes times;
  FailureOr<std::vector<char>> so =
      emitCPUSharedObject(module, options.cpu, chip, &times);
  if (failed(so))
    return failure();
  stage.stats << llvm::formatv(
      "{0,-12} {1,9:F1} ms  (cpu {2:F1} ms; {3} bytes, cpu {4}; translate "
      "{5:F1}, optimize {6:F1}, codegen {7:F1}, link {8:F1} ms)\n",
      "binary",
      std::chrono::duration<double, std::milli>(
          std::chrono::steady_clock::now() - start)
          .count(),
      cpuMs() - cpuStart, so->size(), chip, times.translate, times.optimize,
      times.codegen, times.link);

  CompileResult result;
  result.stats = std::move(stats);
  for (const EntrySignature &entry : *entries)
    result.workspaceBytes[entry.name] = entry.workspaceBytes;
  if (options.phase == Phase::Binary) {
    result.bytes = std::move(*so);
    return result;
  }
  FailureOr<std::vector<uint8_t>> artifact = writeCPUArtifact(
      module.getLoc(), *entries, *so, chip, kCPUEntrySuffix, options.modelInfo);
  if (failed(artifact))
    return failure();
  result.bytes.assign(artifact->begin(), artifact->end());
  return result;
}
