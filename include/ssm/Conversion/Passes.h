//===- Passes.h - ssm conversion passes ---------------------------*- C++
//-*-===//

#ifndef SSM_CONVERSION_PASSES_H
#define SSM_CONVERSION_PASSES_H

#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir::ssm {

#define GEN_PASS_DECL
#include "ssm/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "ssm/Conversion/Passes.h.inc"

/// convert-ssm-to-gpu's options for `options`, e.g. for
/// createConvertSSMToGPU (the pass turns its options back into a
/// GPUKernelOptions in SSMToGPUPass.cpp).
ConvertSSMToGPUOptions
getConvertSSMToGPUOptions(const GPUKernelOptions &options);

} // namespace mlir::ssm

#endif // SSM_CONVERSION_PASSES_H
