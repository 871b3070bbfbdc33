//===- Artifact.h - entry signatures and .ssmb writing ------------*- C++
//-*-===//
//
// The compiler side of the .ssmb contract (runtime/include/ssmrt/format/).
//
//===----------------------------------------------------------------------===//

#ifndef SSM_TARGET_ARTIFACT_H
#define SSM_TARGET_ARTIFACT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "ssmrt/format/writer.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::ssm {

/// A public function of the compiled module: what the runtime validates
/// inputs against and allocates outputs from.
struct EntrySignature {
  std::string name;
  std::vector<ssmrt::format::TensorSpec> inputs;
  std::vector<ssmrt::format::TensorSpec> outputs;
  /// Bytes of the planned workspace (ssm-plan-workspace), passed as the last
  /// kernel argument; 0: none.
  uint64_t workspaceBytes = 0;
  /// Per input: bytes to embed as a constant bound in place of the input
  /// (the input then leaves the signature); empty ArrayRef = a real input.
  /// The memory must outlive writeCPUArtifact.
  std::vector<ArrayRef<uint8_t>> embedded;
};

/// Signatures of every public func.func, or an error naming what the runtime
/// cannot take (dynamic shapes, unsupported element types, non-tensor values).
/// Inputs and outputs are named by their `ssm.name` argument/result
/// attribute, else "input<i>" / "output<i>".
FailureOr<std::vector<EntrySignature>> collectEntrySignatures(ModuleOp module);

/// A CPU artifact: one shared object holding one whole-function kernel per
/// entry, and per entry the schedule bind inputs -> alloc outputs (and the
/// workspace) -> launch -> free the workspace -> return outputs.
/// `modelInfo`, when set, becomes the ModelInfo section.
FailureOr<std::vector<uint8_t>>
writeCPUArtifact(Location loc, ArrayRef<EntrySignature> entries,
                 ArrayRef<char> sharedObject, StringRef chip,
                 StringRef kernelSuffix,
                 const std::optional<ssmrt::format::ModelInfoSpec> &modelInfo =
                     std::nullopt);

/// A GPU artifact from a module after gpu-module-to-binary: each gpu.binary
/// becomes a kernel object (NVVM: Nvptx/Ptx from PTX assembly, format=isa;
/// ROCDL: Amdgpu/Hsaco from the code object, format=bin), and each
/// entry's host function becomes its schedule: BindInput (or BindConstant)
/// per input, Alloc per output and for the workspace, then in program order
/// Launch per gpu.launch_func (grid from its constant operands; the kernel's
/// block dims from its constant block operands), Copy per memref.copy,
/// Alloc/Free per other static memref.alloc/dealloc; Free of the workspace
/// and Return per output last. Anything else on the host is an error naming
/// the op. `modelInfo`, when set, becomes the ModelInfo section.
FailureOr<std::vector<uint8_t>>
writeGPUArtifact(ModuleOp module, ArrayRef<EntrySignature> entries,
                 const std::optional<ssmrt::format::ModelInfoSpec> &modelInfo =
                     std::nullopt);

} // namespace mlir::ssm

#endif // SSM_TARGET_ARTIFACT_H
