//===- SSMDialect.h - ssm dialect ---------------------------------*- C++
//-*-===//
//
// The ssm dialect, its enums and enum attributes.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_DIALECT_SSM_IR_SSMDIALECT_H
#define SSM_DIALECT_SSM_IR_SSMDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "ssm/Dialect/SSM/IR/SSMOpsDialect.h.inc"

#include "ssm/Dialect/SSM/IR/SSMEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "ssm/Dialect/SSM/IR/SSMAttrs.h.inc"

namespace mlir::ssm {
/// Argument / result attribute naming an entry's tensors in the .ssmb
/// signature (weights carry their checkpoint names, e.g.
/// "layers.0.mixer.in_proj.weight").
inline constexpr llvm::StringLiteral kNameAttr("ssm.name");

/// Function attribute (a 16-bit float TypeAttr, e.g. `bf16`): the function's
/// intermediates that cross kernel boundaries are stored in this type, while
/// every kernel computes in f32 (ssm-narrow-activations). The model builders
/// set it on bf16 models.
inline constexpr llvm::StringLiteral kActivationTypeAttr("ssm.activation_type");

/// Unit attribute on an op whose results ssm-narrow-activations keeps in f32
/// (the residual stream of the model builders).
inline constexpr llvm::StringLiteral kKeepF32Attr("ssm.keep_f32");

/// Unit attribute on an elementwise op that ssm-fuse-elementwise keeps as a
/// kernel of its own instead of folding it into its consumers: its result is
/// what a library call must read (a bf16 bias widened to f32 once, so that
/// cuBLASLt's epilogue, which takes f32 biases only, can add it).
inline constexpr llvm::StringLiteral kMaterializeAttr("ssm.materialize");
} // namespace mlir::ssm

#endif // SSM_DIALECT_SSM_IR_SSMDIALECT_H
