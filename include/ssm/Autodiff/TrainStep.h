//===- TrainStep.h - the fused training step -------------------*- C++ -*-===//
//
// buildTrainStep() turns a model's forward function into a fused
// `train_step` entry: forward, softmax cross-entropy against soft targets,
// the reverse sweep (ssm-autodiff), global-norm gradient clipping and AdamW
// with decoupled weight decay. The ssm-train-step pass, ssm-compile --train,
// CompileOptions::train and ssmc.compile(..., train=True) all call it.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_AUTODIFF_TRAINSTEP_H
#define SSM_AUTODIFF_TRAINSTEP_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::ssm {

/// On a residual add `shortcut + branch` (a linalg.generic whose inputs are
/// the two), `[index, count]`: the branch is dropped per sample in training
/// at rate * index / (count - 1) (stochastic depth, the official
/// linspace(0, rate, count) schedule). The model builders set it; inference
/// ignores it; compileModule drops it.
inline constexpr llvm::StringLiteral kDropPathAttr("ssm.drop_path");

/// The hyper-parameters compiled into the step (lr and step are inputs).
/// Defaults: torch.optim.AdamW's betas and eps, the recipes' weight decay
/// 0.05, no label smoothing, no clipping.
struct TrainStepOptions {
  /// The forward function: its first `numDataInputs` arguments are data
  /// (the image), every later one a trainable f32 parameter; it returns the
  /// logits, tensor<B x C x f32>.
  std::string function = "forward";
  unsigned numDataInputs = 1;
  /// The entry's name.
  std::string name = "train_step";
  /// targets := (1 - s) * targets + s / C (torch cross_entropy's
  /// label_smoothing on probability targets).
  double labelSmoothing = 0.0;
  /// Global-norm clipping as torch.nn.utils.clip_grad_norm_ (scale every
  /// gradient by min(1, max / (norm + 1e-6))); 0: no clipping.
  double maxGradNorm = 0.0;
  /// AdamW (torch.optim.AdamW): decoupled decay p *= 1 - lr * wd, none on
  /// the parameters noWeightDecay() names.
  double weightDecay = 0.05;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  /// Stochastic depth: the residual adds tagged kDropPathAttr drop their
  /// branch per sample with the tag's share of this rate and scale kept
  /// ones by 1 / keep; the step then takes an i32 `seed` input (a keep
  /// decision is a hash of seed, branch index and sample, so a step is
  /// reproducible; see dropPathKeep()). 0: none, no seed input.
  double dropPath = 0.0;
  /// The gradient's memory policy (DifferentiateOptions::recompute).
  bool recompute = true;
};

/// The keep threshold of a branch dropped at `rate`: a sample keeps it when
/// dropPathHash(seed, index, sample) >> 8 < dropPathThreshold(rate)
/// (i.e. a 24-bit uniform below 1 - rate).
uint32_t dropPathThreshold(double rate);

/// The counter-based hash of a drop-path decision (murmur3's 32-bit
/// finalizer over a mix of the three counters), as the train step computes
/// it in IR.
uint32_t dropPathHash(uint32_t seed, uint32_t index, uint32_t sample);

/// Sets one option from "key=value" text (keys: label_smoothing,
/// max_grad_norm, weight_decay, beta1, beta2, eps, drop_path, function,
/// num_data_inputs, name). ssm-compile --train-option and the Python
/// bindings both parse through it. On failure returns failure() and sets
/// `error`.
LogicalResult parseTrainStepOption(TrainStepOptions &options, StringRef key,
                                   StringRef value, std::string &error);

/// The official recipes' no-decay rule (timm's optimizer factory for Vim
/// and FastVim, VMamba's set_weight_decay, MambaOut's timm training): no
/// decay on parameters of rank <= 1 (norm weights, D, Ds, ...), on `.bias`
/// and on the class token and position embedding; everything else decays,
/// the 2-D `A_log` / `A_b_log` / `A_logs` and VMamba's 2-D `dt_projs_bias`
/// included.
bool noWeightDecay(StringRef name, ArrayRef<int64_t> shape);

/// The last name components noWeightDecay() exempts whatever their rank.
ArrayRef<StringRef> noWeightDecayLeaves();

/// Adds, after `forward`:
///
///   func.func @train_step(%data..., %targets: tensor<BxCxf32>,
///                         %lr: tensor<1xf32>, %step: tensor<1xf32>,
///                         [%seed: tensor<1xi32>,]
///                         %params..., %exp_avg..., %exp_avg_sq...)
///       -> (tensor<1xf32> loss, params'..., exp_avg'..., exp_avg_sq'...)
///
/// Scalars are one-element tensors (no rank-0 values anywhere, so the GPU
/// path maps every op to a kernel). `step` is the number of the step being
/// taken (1 for the first, as torch's state["step"] after its increment);
/// `seed` only with drop path. Names: `targets`, `lr`, `step`, `seed`, `loss`;
/// the moments are `optimizer.exp_avg.<param>` and
/// `optimizer.exp_avg_sq.<param>`; each updated tensor is named after the input
/// it replaces. Unsupported forwards (several results, logits not rank-2 f32, a
/// parameter that is not a static f32 tensor, an op without an adjoint) are
/// errors on the function, and nothing is added.
FailureOr<func::FuncOp> buildTrainStep(func::FuncOp forward,
                                       const TrainStepOptions &options);

} // namespace mlir::ssm

#endif // SSM_AUTODIFF_TRAINSTEP_H
