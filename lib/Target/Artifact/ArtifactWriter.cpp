//===- ArtifactWriter.cpp - entry signatures and .ssmb writing --------===//

#include "ssm/Target/Artifact.h"

#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace mlir::ssm;
namespace fmt = ssmrt::format;

static FailureOr<fmt::DType> dtypeOf(Type t) {
  if (t.isF32())
    return fmt::DType::F32;
  if (t.isF16())
    return fmt::DType::F16;
  if (t.isBF16())
    return fmt::DType::BF16;
  if (t.isF64())
    return fmt::DType::F64;
  if (t.isSignlessInteger(32))
    return fmt::DType::I32;
  if (t.isSignlessInteger(64))
    return fmt::DType::I64;
  if (t.isSignlessInteger(8))
    return fmt::DType::I8;
  if (t.isSignlessInteger(1))
    return fmt::DType::Bool;
  return failure();
}

static FailureOr<fmt::TensorSpec> specOf(func::FuncOp fn, Type type,
                                         StringRef what, unsigned index,
                                         StringAttr name) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      tensor.getRank() > int64_t(fmt::kMaxRank))
    return fn.emitError("entry '")
           << fn.getSymName() << "' " << what << " #" << index
           << " must be a statically shaped tensor of rank <= " << fmt::kMaxRank
           << ", got " << type;
  FailureOr<fmt::DType> dtype = dtypeOf(tensor.getElementType());
  if (failed(dtype))
    return fn.emitError("entry '")
           << fn.getSymName() << "' " << what << " #" << index
           << " has unsupported element type " << tensor.getElementType();
  fmt::TensorSpec spec;
  spec.name = name ? name.str() : (what + Twine(index)).str();
  spec.dtype = *dtype;
  spec.dims.assign(tensor.getShape().begin(), tensor.getShape().end());
  return spec;
}

FailureOr<std::vector<EntrySignature>>
mlir::ssm::collectEntrySignatures(ModuleOp module) {
  std::vector<EntrySignature> entries;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isPrivate() || fn.isExternal())
      continue;
    EntrySignature entry;
    entry.name = fn.getSymName().str();
    for (auto [i, t] : llvm::enumerate(fn.getArgumentTypes())) {
      auto spec =
          specOf(fn, t, "input", i, fn.getArgAttrOfType<StringAttr>(i, kNameAttr));
      if (failed(spec))
        return failure();
      entry.inputs.push_back(*spec);
    }
    for (auto [i, t] : llvm::enumerate(fn.getResultTypes())) {
      auto spec = specOf(fn, t, "output", i,
                         fn.getResultAttrOfType<StringAttr>(i, kNameAttr));
      if (failed(spec))
        return failure();
      entry.outputs.push_back(*spec);
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty())
    return module.emitError("the module has no public function to compile");
  return entries;
}

FailureOr<std::vector<uint8_t>>
mlir::ssm::writeCPUArtifact(Location loc, ArrayRef<EntrySignature> entries,
                            ArrayRef<char> sharedObject, StringRef chip,
                            StringRef kernelSuffix) {
  fmt::ModuleBuilder builder("ssmc " SSM_VERSION);
  uint32_t object = builder.addKernelObject(
      fmt::TargetKind::Cpu, fmt::BinaryFormat::So, chip.str(),
      sharedObject.data(), sharedObject.size());
  for (const EntrySignature &entry : entries) {
    uint32_t numInputs = entry.inputs.size(), numOutputs = entry.outputs.size();
    // Embedded inputs become constants bound in place; the rest keep their
    // order in the signature.
    std::vector<fmt::TensorSpec> callerInputs;
    bool hasWorkspace = entry.workspaceBytes > 0;
    uint32_t workspace = numInputs + numOutputs;
    std::vector<fmt::KernelArgRecord> kernelArgs(
        numInputs + numOutputs + (hasWorkspace ? 1 : 0), fmt::bufferArg());
    uint32_t kernel = builder.addKernel(entry.name + kernelSuffix.str(), object,
                                        {1, 1, 1}, 0, kernelArgs);
    uint32_t first = builder.commandCount();
    std::vector<fmt::LaunchArgRecord> launchArgs;
    for (uint32_t i = 0; i < numInputs; ++i) {
      const fmt::TensorSpec &spec = entry.inputs[i];
      if (i < entry.embedded.size() && !entry.embedded[i].empty()) {
        uint32_t constant = builder.addConstant(
            spec.name, entry.embedded[i].data(), entry.embedded[i].size());
        builder.addBindConstant(i, constant);
      } else {
        builder.addBindInput(i, callerInputs.size());
        callerInputs.push_back(spec);
      }
      launchArgs.push_back(fmt::launchBuffer(i));
    }
    for (uint32_t j = 0; j < numOutputs; ++j) {
      uint64_t bytes = fmt::dtypeSize(entry.outputs[j].dtype);
      for (int64_t d : entry.outputs[j].dims)
        bytes *= uint64_t(d);
      builder.addAlloc(numInputs + j, bytes);
      launchArgs.push_back(fmt::launchBuffer(numInputs + j));
    }
    if (hasWorkspace) {
      builder.addAlloc(workspace, entry.workspaceBytes);
      launchArgs.push_back(fmt::launchBuffer(workspace));
    }
    builder.addLaunch(kernel, {1, 1, 1}, launchArgs);
    if (hasWorkspace)
      builder.addFree(workspace);
    for (uint32_t j = 0; j < numOutputs; ++j)
      builder.addReturn(numInputs + j, j);
    builder.addEntry(entry.name, callerInputs, entry.outputs,
                     workspace + (hasWorkspace ? 1 : 0), first,
                     builder.commandCount() - first);
  }
  auto bytes = builder.finish();
  if (!bytes.ok())
    return emitError(loc, "writing the .ssmb artifact failed: ")
           << bytes.status().toString();
  return std::move(*bytes);
}
