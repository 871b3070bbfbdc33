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

#endif // SSM_AUTODIFF_PASSES_TD
