//===- NameKernelsByModule.cpp - unique names for GPU kernel entries ------===//
//
// Passes.td: profilers and sanitizers name kernels by their entry symbol, so
// each entry takes its gpu.module's unique name.
//
//===----------------------------------------------------------------------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_NAMEKERNELSBYMODULE
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {
struct NameKernelsByModulePass
    : mlir::ssm::impl::NameKernelsByModuleBase<NameKernelsByModulePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
      SmallVector<gpu::GPUFuncOp> kernels;
      for (auto fn : gpuModule.getOps<gpu::GPUFuncOp>())
        if (fn.isKernel())
          kernels.push_back(fn);
      StringAttr name = gpuModule.getNameAttr();
      // Only outlining's names (module `f_kernel_3`, entry `f_kernel`):
      // library kernels (`gemm_0` of `ssm_gemm_kernels`) are named already.
      if (kernels.size() != 1 || kernels.front().getNameAttr() == name ||
          !name.getValue().starts_with(kernels.front().getName()) ||
          SymbolTable::lookupSymbolIn(gpuModule, name))
        continue;
      if (failed(SymbolTable::replaceAllSymbolUses(kernels.front(), name,
                                                   module))) {
        kernels.front().emitError("cannot rename the kernel's launches");
        return signalPassFailure();
      }
      SymbolTable::setSymbolName(kernels.front(), name);
    }
  }
};
} // namespace
