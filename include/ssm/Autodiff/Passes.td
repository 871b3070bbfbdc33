//===- Passes.td - reverse-mode automatic differentiation --*- tablegen -*-===//

#ifndef SSM_AUTODIFF_PASSES_TD
#define SSM_AUTODIFF_PASSES_TD

include "mlir/Pass/PassBase.td"

def Autodiff : Pass<"ssm-autodiff", "::mlir::ModuleOp"> {
  let summary = "Emit the reverse-mode gradient function of a tensor function";
  let description = [{
    For a `func.func @f(%args...) -> (results...)` over tensors (the IR the
    model builders and `ssmc.graph` emit, before `convert-ssm-to-scf`), adds

    ```mlir
    func.func @f_grad(%args..., %dresults...) -> (results..., dargs...)
    ```

    taking the original arguments and one adjoint (cotangent) per result,
    and returning the forward results (unless `keep-results=false`) and the
    gradient of every differentiated argument: `dargs[i] = sum_j
    (d results[j] / d args[i])^T dresults[j]`.

    The forward computation is cloned into the gradient function; then every
    op whose results carry a derivative is visited in reverse and emits its
    adjoint: linalg structured ops (generic, named contractions, the
    convolutions, transpose, broadcast, fill) by differentiating their scalar
    payload, tensor reshapes / slices / pad / concat by their inverse data
    movement, and ssm ops through their grad ops (`ssm.selective_scan_grad`,
    `ssm.causal_conv1d_grad`, `ssm.axis_pool_grad`) or their adjoints
    (cross_scan <-> cross_merge, flip, axis_broadcast <-> sum axis_pool).
    An op without an adjoint is an error that names it. Cheap forward values
    the backward reads are recomputed before their first backward use
    (`recompute`, the memory policy). See docs/autodiff.md.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Function to differentiate (empty: every public function that "
           "has no gradient function yet and is not one)">,
    ListOption<"wrt", "wrt", "unsigned",
               "Indices of the arguments to differentiate (default: every "
               "floating-point tensor argument)">,
    Option<"keepResults", "keep-results", "bool", /*default=*/"true",
           "Also return the forward results, ahead of the gradients">,
    Option<"recompute", "recompute", "bool", /*default=*/"true",
           "Memory policy: recompute cheap forward values (elementwise maps, "
           "flips, the causal conv, projections summing at most 16 products) "
           "right before the backward reads them instead of keeping them "
           "across the forward; false keeps every forward value the backward "
           "reads">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::ssm::SSMDialect",
  ];
}

def BuildTrainStep : Pass<"ssm-train-step", "::mlir::ModuleOp"> {
  let summary = "Emit a fused training step (loss, backward, clipping, AdamW)";
  let description = [{
    For a forward function `@forward(%data..., %params...) -> logits`
    (tensor<B x C x f32>), adds

    ```mlir
    func.func @train_step(%data..., %targets: tensor<BxCxf32>,
                          %lr: tensor<1xf32>, %step: tensor<1xf32>,
                          %params..., %exp_avg..., %exp_avg_sq...)
        -> (tensor<1xf32>, params'..., exp_avg'..., exp_avg_sq'...)
    ```

    computing softmax cross-entropy of the logits against soft targets
    (optionally label-smoothed) averaged over the batch, its gradient with
    respect to every parameter (ssm-autodiff), global-norm gradient clipping
    (torch.nn.utils.clip_grad_norm_) and one AdamW step
    (torch.optim.AdamW: decoupled weight decay, none on biases, norms, the
    SSM's A and D, class token and position embedding). `step` is the
    number of the step taken, 1 for the first. See docs/training.md.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "The forward function (data inputs first, then parameters)">,
    Option<"entryName", "name", "std::string", /*default=*/"\"train_step\"",
           "The train step's name">,
    Option<"numDataInputs", "num-data-inputs", "unsigned", /*default=*/"1",
           "Leading arguments that are data, not parameters">,
    Option<"labelSmoothing", "label-smoothing", "double", /*default=*/"0.0",
           "Label smoothing applied to the targets">,
    Option<"maxGradNorm", "max-grad-norm", "double", /*default=*/"0.0",
           "Global gradient-norm bound (0: no clipping)">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0.05",
           "AdamW's decoupled weight decay (decayed parameters only)">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "AdamW beta1">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "AdamW beta2">,
    Option<"eps", "eps", "double", /*default=*/"1e-8", "AdamW epsilon">,
    Option<"dropPath", "drop-path", "double", /*default=*/"0.0",
           "Stochastic-depth rate over the residual adds tagged "
           "ssm.drop_path (0: none; else the step takes an i32 seed)">,
    Option<"recompute", "recompute", "bool", /*default=*/"true",
           "The gradient's memory policy (ssm-autodiff's recompute): cheap "
           "forward values are computed again in the backward">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::ssm::SSMDialect",
  ];
}

#endif // SSM_AUTODIFF_PASSES_TD
