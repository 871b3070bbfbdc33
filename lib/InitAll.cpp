//===- InitAll.cpp - register every ssm dialect and pass --------------===//

#include "ssm/InitAll.h"

#include "ssm/Autodiff/Passes.h"
#include "ssm/Conversion/Passes.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"
#include "ssm/Dialect/SSM/Transforms/Passes.h"
#include "ssm/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVM/ROCDL/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::ssm::registerAllSSMDialects(DialectRegistry &registry) {
  registry.insert<SSMDialect, arith::ArithDialect>();
}

void mlir::ssm::registerSSMTargetInterfaces(DialectRegistry &registry) {
  registerAllGPUToLLVMIRTranslations(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  ROCDL::registerROCDLTargetInterfaceExternalModels(registry);
}

void mlir::ssm::registerAllSSMPasses() {
  registerSSMConversionPasses();
  registerSSMPasses();
  registerSSMAutodiffPasses();
  registerSSMPipelines();
}
