//===- SSMOps.h - ssm dialect operations --------------------------*- C++
//-*-===//

#ifndef SSM_DIALECT_SSM_IR_SSMOPS_H
#define SSM_DIALECT_SSM_IR_SSMOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#define GET_OP_CLASSES
#include "ssm/Dialect/SSM/IR/SSMOps.h.inc"

#endif // SSM_DIALECT_SSM_IR_SSMOPS_H
