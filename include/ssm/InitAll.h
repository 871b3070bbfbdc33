//===- InitAll.h - register every ssm dialect and pass ------------*- C++
//-*-===//

#ifndef SSM_INITALL_H
#define SSM_INITALL_H

namespace mlir {
class DialectRegistry;
namespace ssm {

/// Adds the ssm dialect (and the upstream dialects its rewrites create).
void registerAllSSMDialects(DialectRegistry &registry);

/// Adds the translations and target attributes GPU code generation needs
/// (gpu/nvvm/rocdl to LLVM IR, #nvvm.target / #rocdl.target serialization).
void registerSSMTargetInterfaces(DialectRegistry &registry);

/// Registers every ssm pass and pipeline with the global pass registry.
void registerAllSSMPasses();

} // namespace ssm
} // namespace mlir

#endif // SSM_INITALL_H
