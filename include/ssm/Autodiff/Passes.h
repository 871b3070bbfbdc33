//===- Passes.h - reverse-mode automatic differentiation ----------*- C++
//-*-===//

#ifndef SSM_AUTODIFF_PASSES_H
#define SSM_AUTODIFF_PASSES_H

#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::ssm {

#define GEN_PASS_DECL
#include "ssm/Autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "ssm/Autodiff/Passes.h.inc"

} // namespace mlir::ssm

#endif // SSM_AUTODIFF_PASSES_H
