//===- InitAll.cpp - register every ssm dialect and pass --------------===//

#include "ssm/InitAll.h"

#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"

void mlir::ssm::registerAllSSMDialects(DialectRegistry &registry) {
  registry.insert<SSMDialect, arith::ArithDialect>();
}

void mlir::ssm::registerAllSSMPasses() {
  // Passes and pipelines arrive with the lowering (convert-ssm-to-*,
  // ssm-lower-to-*); the dialect's canonicalizations run through the stock
  // -canonicalize.
}
