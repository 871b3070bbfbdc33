//===- Models.h - builders of the four model families -----------*- C++ -*-===//
//
// One library, used by ssm-compile --model, the Python bindings and the tests,
// emits the eval-mode forward function of every variant of the four families
// of docs/semantics.md (Vim, VMamba v2 and v0, FastVim, MambaOut):
//
//   func.func @forward(%image: tensor<B x 3 x H x W x T> {ssm.name = "image"},
//                      %w0: ... {ssm.name = "patch_embed.proj.weight"}, ...)
//       -> (tensor<B x classes x f32> {ssm.name = "logits"})
//
// T is f32 or bf16 (weights too); arithmetic accumulates in f32 and the
// logits are f32. The weights are arguments named and shaped exactly as the
// official checkpoints (docs/semantics.md §4.4, §5.5, §6.4, §7.4; original
// MambaOut names), in the order weightSpecs() lists them; ssm-compile can
// embed them as constants, otherwise they are bound by name at load time.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_MODELS_MODELS_H
#define SSM_MODELS_MODELS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ssmrt::format {
struct ModelInfoSpec;
} // namespace ssmrt::format

namespace mlir::ssm::models {

enum class Family { Vim, VMamba, FastVim, MambaOut };

/// Every hyper-parameter a builder reads. resolveModelConfig fills it from a
/// variant name and key=value overrides.
struct ModelConfig {
  std::string variant; // the registered name it started from, e.g. "vim-t"
  Family family = Family::Vim;

  // Common.
  int64_t imageSize = 224; // square input, H = W
  int64_t batch = 1;
  int64_t numClasses = 1000;
  int64_t inChannels = 3;
  bool bf16 = false; // image and weights bf16 (f32 accumulation, f32 logits)

  // Isotropic families (Vim, FastVim).
  int64_t embedDim = 192;
  int64_t depth = 24;
  int64_t patch = 16;
  int64_t stride = 16;
  int64_t dState = 16;
  int64_t dConv = 4;
  int64_t expand = 2;
  bool fastvimMaxPool = false;   // FastVim collapse_method "max"
  double fastvimPoolScale = 1.0; // FastVim scaling_factor

  // Hierarchical families (VMamba, MambaOut).
  std::vector<int64_t> dims;   // per stage width
  std::vector<int64_t> depths; // blocks per stage
  // VMamba.
  bool vmambaV0 = false; // vanilla v0 (channel-last, gated, no MLP)
  double ssmRatio = 1.0;
  double mlpRatio = 4.0;
  // MambaOut.
  double expansionRatio = 8.0 / 3.0;
  int64_t convKernel = 7;

  /// dt_rank "auto": ceil(width / 16) of the block width (not E).
  static int64_t dtRank(int64_t width) { return (width + 15) / 16; }
};

/// The registered variant names ("vim-t", "vmamba-t", "fastvim-t",
/// "mambaout-femto", ...), in a stable order.
std::vector<std::string> variantNames();

/// Looks up `variant` and applies the overrides. Keys: img, batch, classes,
/// dtype (f32|bf16), and per family embed_dim, depth, patch, stride, d_state,
/// pool (mean|max), pool_scale; dims, depths (comma lists), ssm_ratio,
/// mlp_ratio, expansion_ratio. On failure returns failure() and sets `error`
/// (unknown variant with the known ones, unknown key, bad value, a shape the
/// family does not allow).
FailureOr<ModelConfig>
resolveModelConfig(StringRef variant,
                   ArrayRef<std::pair<std::string, std::string>> options,
                   std::string &error);

struct WeightSpec {
  std::string name;
  std::vector<int64_t> shape;
};

/// The weights of `config`: official names and shapes, argument order.
std::vector<WeightSpec> weightSpecs(const ModelConfig &config);

/// The input image shape (B, 3, H, W).
std::vector<int64_t> imageShape(const ModelConfig &config);

/// Eval preprocessing of the family's official code: resize the shorter
/// side to `resizeTo` (bicubic), center-crop `imageSize`, normalize.
struct Preprocessing {
  int64_t resizeTo = 256;
  int64_t crop = 224;
  float mean[3] = {0.485f, 0.456f, 0.406f};
  float std[3] = {0.229f, 0.224f, 0.225f};
};
Preprocessing preprocessing(const ModelConfig &config);

/// "vim", "vmamba", "fastvim" or "mambaout".
StringRef familyName(Family family);

/// What the .ssmb of a model compiled by name records (its ModelInfo
/// section, ssmrt/format/writer.h): the variant, the family, preprocessing()
/// and the hyper-parameters as text. Callers include ssmrt/format/writer.h.
ssmrt::format::ModelInfoSpec describeModel(const ModelConfig &config);

/// Builds the module holding func @forward for `config` (dialects must be
/// loadable in `context`). The result verifies.
OwningOpRef<ModuleOp> buildModel(MLIRContext &context,
                                 const ModelConfig &config);

} // namespace mlir::ssm::models

#endif // SSM_MODELS_MODELS_H
