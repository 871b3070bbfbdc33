//===- SSMToGPU.h - lower ssm ops to dedicated GPU kernels --------*- C++
//-*-===//

#ifndef SSM_CONVERSION_SSMTOGPU_SSMTOGPU_H
#define SSM_CONVERSION_SSMTOGPU_SSMTOGPU_H

#include <cstdint>

namespace mlir {
class RewritePatternSet;
namespace ssm {

/// Launch shape of the selective-scan kernel (see convert-ssm-to-gpu).
struct ScanKernelOptions {
  int64_t channelsPerBlock = 64;
  int64_t tileSteps = 32;
};

/// The forward selective scan as a gpu.launch over buffers (greedy pattern;
/// scans it does not support are left alone).
void populateSelectiveScanToGPUPatterns(RewritePatternSet &patterns,
                                        const ScanKernelOptions &options);

} // namespace ssm
} // namespace mlir

#endif // SSM_CONVERSION_SSMTOGPU_SSMTOGPU_H
