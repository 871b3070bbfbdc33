//===- SSMToSCF.h - lower ssm ops to loops ------------------------*- C++
//-*-===//

#ifndef SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H
#define SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H

namespace mlir {
class RewritePatternSet;
namespace ssm {

/// Patterns lowering every ssm op to scf loops over memrefs (see
/// convert-ssm-to-scf), split by op family.
void populateSelectiveScanToSCFPatterns(RewritePatternSet &patterns);
void populateCausalConvToSCFPatterns(RewritePatternSet &patterns);
void populateIndexMapToSCFPatterns(RewritePatternSet &patterns);
void populateAxisPoolToSCFPatterns(RewritePatternSet &patterns);

/// All of the above.
void populateSSMToSCFPatterns(RewritePatternSet &patterns);

} // namespace ssm
} // namespace mlir

#endif // SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H
