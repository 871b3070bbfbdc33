//===- Passes.td - ssm transformation passes ---------------*- tablegen -*-===//

#ifndef SSM_DIALECT_SSM_TRANSFORMS_PASSES_TD
#define SSM_DIALECT_SSM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExpandStridedCopies : Pass<"ssm-expand-strided-copies"> {
  let summary = "Turn memref.copy between strided buffers into loops";
  let description = [{
    A `memref.copy` whose source or target is not contiguous lowers to a call
    of `memrefCopy` from MLIR's C runner utilities, which compiled kernels
    cannot depend on. This pass rewrites such copies as `linalg.copy`, which
    becomes plain loops; contiguous copies stay (they lower to memcpy).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ApproximateMath : Pass<"ssm-approximate-math"> {
  let summary = "Inline polynomial approximations of exp, log1p, erf, tanh";
  let description = [{
    Replaces f32 `math.exp`, `math.log1p`, `math.erf` and `math.tanh` (and the
    ops they expand to) with MLIR's polynomial approximations: plain
    arithmetic that the vectorizer handles and that needs no libm. Accuracy
    stays within the f32 tolerances of the numerics suite (relative 1e-5),
    which checks it against float64 references.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // SSM_DIALECT_SSM_TRANSFORMS_PASSES_TD
