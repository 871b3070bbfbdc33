//===- Compile.h - the one compile driver -------------------------*- C++
//-*-===//
//
// ssm-compile, the Python bindings and the tests all compile through
// compileModule(), which runs the pipeline builders of Pipelines.h.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_COMPILER_COMPILE_H
#define SSM_COMPILER_COMPILE_H

#include "ssm/Autodiff/TrainStep.h"
#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"
#include "ssm/Pipelines/Pipelines.h"
#include "ssm/Target/CPU.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "ssmrt/format/writer.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class PassManager;
namespace ssm {

/// Where compilation stops. Every phase before Binary prints IR.
enum class Phase { Input, SSM, Loops, Bufferized, LLVM, Binary, Artifact };

/// "input", "ssm", ... -> Phase.
std::optional<Phase> parsePhase(StringRef name);
/// The valid phase names, for help texts and errors.
StringRef phaseNames();

/// cpu: one .so per module; nvptx: PTX kernels + a host schedule; amdgpu:
/// HSACO code objects + the same host schedule.
enum class Target { CPU, NVPTX, AMDGPU };
std::optional<Target> parseTarget(StringRef name);
/// The valid target names, for help texts and errors.
StringRef targetNames();
/// The chips --target=amdgpu accepts.
ArrayRef<StringRef> amdgpuChips();

/// GPU code generation (--target=nvptx, --target=amdgpu).
struct GPUTargetOptions {
  /// nvptx: "sm_90" (any sm_XY the NVPTX backend knows); amdgpu: "gfx942"
  /// or "gfx90a". Empty: the target's default (sm_90, gfx942).
  std::string chip;
  /// amdgpu: the ROCm folder (llvm/bin/ld.lld, amdgcn/bitcode); empty: the
  /// build's link farm over LLVM 22's ld.lld and Debian's rocm-device-libs.
  std::string rocmToolkit;
  /// Rows of the buffers GEMM library calls use padded to the library's
  /// alignment (ssm-pad-library-buffers).
  bool padLibraryBuffers = kPadLibraryBuffersByDefault;
  /// The kernels' choices (convert-ssm-to-gpu): defaults and meaning in
  /// SSMToGPU.h.
  GPUKernelOptions kernels;
};

struct CompileOptions {
  Target target = Target::CPU;
  Phase phase = Phase::Artifact;
  CPUTargetOptions cpu;
  GPUTargetOptions gpu;
  /// A .safetensors file whose tensors are embedded in the artifact as
  /// constants for the entry inputs of the same name (`ssm.name` argument
  /// attribute): those inputs leave the signature. Every tensor must match
  /// its input's shape and dtype; tensors no input names are an error.
  std::string embedWeightsPath;
  /// The model description stored in the artifact (its ModelInfo section;
  /// ssmrt::Module::modelInfo), for every target; models compiled by name
  /// get models::describeModel(config). Unset: none.
  std::optional<ssmrt::format::ModelInfoSpec> modelInfo;
  /// Called on every stage's PassManager before it runs; ssm-compile applies
  /// the --mlir-* flags there (IR printing, timing, statistics, crash
  /// reproducers). A failure stops the compilation. Null: nothing.
  std::function<LogicalResult(PassManager &)> configurePassManager;
  /// Also emit `<f>_grad` for every public function `f` (ssm-autodiff with
  /// its defaults: every floating-point tensor argument differentiated,
  /// the results returned too) before compiling.
  bool gradients = false;
  /// The gradients' memory policy (DifferentiateOptions::recompute): cheap
  /// forward values are recomputed in the backward (true) or kept.
  bool recomputeInBackward = true;
  /// Also emit the fused training step of the forward function (forward,
  /// cross-entropy, backward, gradient clipping, AdamW; see TrainStep.h and
  /// docs/training.md), after the gradients. Unset: none.
  std::optional<TrainStepOptions> train;
  /// Once bufferized, print to stderr for every entry the N largest
  /// workspace buffers live at its peak (printWorkspacePeak). 0: nothing.
  unsigned workspaceReport = 0;
};

/// What compileModule produced: IR text for IR phases, otherwise bytes (the
/// kernel shared object for Binary on the CPU, the PTX text on nvptx, the
/// AMDGPU assembly text on amdgpu, the .ssmb for Artifact).
struct CompileResult {
  std::vector<char> bytes;
  bool isText = false;
  /// Per-phase wall time and sizes, for --emit-stats.
  std::string stats;
  /// Planned workspace bytes of each entry (known from Phase::Bufferized on).
  std::map<std::string, uint64_t> workspaceBytes;
};

/// Registers every dialect, extension and translation the compiler accepts.
void registerCompilerDialects(DialectRegistry &registry);

/// Compiles `module` in place up to options.phase. Errors are reported as
/// diagnostics on the module's context.
FailureOr<CompileResult> compileModule(ModuleOp module,
                                       const CompileOptions &options);

} // namespace ssm
} // namespace mlir

#endif // SSM_COMPILER_COMPILE_H
