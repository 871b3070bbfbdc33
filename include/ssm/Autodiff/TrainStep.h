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

#include <string>

namespace mlir::ssm {

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
};

/// Sets one option from "key=value" text (keys: label_smoothing,
/// max_grad_norm, weight_decay, beta1, beta2, eps, function,
/// num_data_inputs, name). ssm-compile --train-option and the Python
/// bindings both parse through it. On failure returns failure() and sets
/// `error`.
LogicalResult parseTrainStepOption(TrainStepOptions &options, StringRef key,
                                   StringRef value, std::string &error);

/// The official recipes' no-decay rule: biases, every parameter of rank <=
/// 1 (norm weights, D, ...), the SSM's A_log / D variants, the class token
/// and the position embedding.
bool noWeightDecay(StringRef name, ArrayRef<int64_t> shape);

/// The leaf names noWeightDecay() exempts whatever their rank, for tools
/// that build the same parameter groups (ssmc.train).
ArrayRef<StringRef> noWeightDecayLeaves();

/// Adds, after `forward`:
///
///   func.func @train_step(%data..., %targets: tensor<BxCxf32>,
///                         %lr: tensor<f32>, %step: tensor<f32>,
///                         %params..., %exp_avg..., %exp_avg_sq...)
///       -> (tensor<f32> loss, params'..., exp_avg'..., exp_avg_sq'...)
///
/// `step` is the number of the step being taken (1 for the first, as
/// torch's state["step"] after its increment). Names: `targets`, `lr`,
/// `step`, `loss`; the moments are `optimizer.exp_avg.<param>` and
/// `optimizer.exp_avg_sq.<param>`; each updated tensor is named after the
/// input it replaces. Unsupported forwards (several results, logits not
/// rank-2 f32, a parameter that is not a static f32 tensor, an op without an
/// adjoint) are errors on the function, and nothing is added.
FailureOr<func::FuncOp> buildTrainStep(func::FuncOp forward,
                                       const TrainStepOptions &options);

} // namespace mlir::ssm

#endif // SSM_AUTODIFF_TRAINSTEP_H
