//===- ssm-opt.cpp - the ssm optimizer driver -------------------------===//
//
// Every upstream dialect, extension and pass, plus the ssm dialect and passes.
//
//===----------------------------------------------------------------------===//

#include "ssm/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::ssm::registerAllSSMPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::ssm::registerAllSSMDialects(registry);
  mlir::ssm::registerSSMTargetInterfaces(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "ssm optimizer driver\n", registry));
}
