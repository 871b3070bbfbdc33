//===- SSMToSCF.h - lower ssm ops to loops ------------------------*- C++
//-*-===//

#ifndef SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H
#define SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H

#include <cstdint>

namespace mlir {
class RewritePatternSet;
namespace ssm {

/// The forward selective scan, with neighbouring flips / axis_pool /
/// axis_broadcast folded into its loads and stores. Greedy rewrite patterns,
/// applied before the conversion patterns below (they must see unlowered
/// neighbours).
void populateFusedSelectiveScanPatterns(RewritePatternSet &patterns);

/// The causal conv of a flip along time, reading through the flip (greedy,
/// applied with the fused scan).
void populateFusedCausalConvPatterns(RewritePatternSet &patterns);

/// Conversion patterns lowering the other ssm ops to scf loops over memrefs
/// (see convert-ssm-to-scf), split by op family.
void populateSelectiveScanToSCFPatterns(RewritePatternSet &patterns);
void populateCausalConvToSCFPatterns(RewritePatternSet &patterns);
void populateIndexMapToSCFPatterns(RewritePatternSet &patterns);
void populateAxisPoolToSCFPatterns(RewritePatternSet &patterns);

/// How many parts the CPU scan gradient splits the channels into, so that
/// (batch x group) lanes times parts keep every core busy: each part sums its
/// own partial dB / dC (B x G x L x N floats each), added up at the end. At
/// least 8 parallel lanes come from the batch alone when `batchGroups` (batch
/// x groups, 0 if dynamic) is 8 or more, then one part (no extra memory);
/// otherwise parts of at least 16 channels.
int64_t planScanGradChannelParts(int64_t batchGroups, int64_t channels);

/// All conversion patterns above (not the fused scan).
void populateSSMToSCFPatterns(RewritePatternSet &patterns);

} // namespace ssm
} // namespace mlir

#endif // SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H
