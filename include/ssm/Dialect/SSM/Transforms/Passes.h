//===- Passes.h - ssm transformation passes -----------------------*- C++
//-*-===//

#ifndef SSM_DIALECT_SSM_TRANSFORMS_PASSES_H
#define SSM_DIALECT_SSM_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::ssm {

/// Prefix of the declarations that stand for a parallel dispatch.
inline constexpr const char *kDispatchPrefix = "__ssm_dispatch_";

/// Function attribute set by ssm-plan-workspace: the workspace size in bytes
/// (the function then takes the workspace as its last argument).
inline constexpr const char *kWorkspaceBytesAttr = "ssm.workspace_bytes";

/// Prints, for a function ssm-plan-workspace planned, the op at which the
/// most workspace bytes are live and the `top` largest buffers live there:
/// size, live range (op positions in the body), type, and the first and last
/// top-level ops that touch each. Nothing for an unplanned function.
void printWorkspacePeak(func::FuncOp fn, unsigned top, llvm::raw_ostream &os);

/// The loop of `generic` along which ssm-split-concat-consumers splits it
/// into one generic per piece of `concat` (a reader of the concat), if it
/// can. ssm-narrow-activations uses it to predict that a widened piece of a
/// concat folds into the concat's readers.
std::optional<unsigned> concatSplitLoop(linalg::GenericOp generic,
                                        tensor::ConcatOp concat);

/// Whether ssm-split-concat-consumers removes `concat`: static piece sizes
/// along its dimension, and every reader a generic it can split.
bool concatSplits(tensor::ConcatOp concat);

#define GEN_PASS_DECL
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"

} // namespace mlir::ssm

#endif // SSM_DIALECT_SSM_TRANSFORMS_PASSES_H
