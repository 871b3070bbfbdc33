//===- SSMToSCF.h - lower ssm ops to loops ------------------------*- C++
//-*-===//

#ifndef SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H
#define SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H

#include <cstdint>

namespace mlir {
class RewritePatternSet;
namespace ssm {

/// What the CPU scan plans need to know about the target's SIMD unit.
struct CPUVectorInfo {
  /// Bits of one vector register: 512 (AVX-512, the default), 256 (AVX2).
  int64_t vectorBits = 512;
  /// Architectural vector registers: 32 (AVX-512), 16 (AVX2).
  int64_t vectorRegisters = 32;
  /// AVX-512's vscalefps (x * 2^floor(y), overflow to inf, underflow to 0)
  /// exists: exp can scale its polynomial with it instead of building 2^k in
  /// the exponent bits and clamping k.
  bool scalef = true;
};

/// The forward selective scan, with neighbouring flips / axis_pool /
/// axis_broadcast folded into its loads and stores. Greedy rewrite patterns,
/// applied before the conversion patterns below (they must see unlowered
/// neighbours). Scans with a static state count follow planCPUScan for
/// `target`.
void populateFusedSelectiveScanPatterns(RewritePatternSet &patterns,
                                        const CPUVectorInfo &target = {});

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

/// How the forward selective scan with a static number of states runs on
/// the CPU.
enum class CPUScanStrategy {
  /// One lane per (batch, channel), its n states one vector<n x f32>: every
  /// step ends in an n-to-1 horizontal sum (C . h), and a vector of one state
  /// (n = 1) is scalar code.
  StateVector,
  /// One lane per (batch, group, block of `channelsPerVector` channels): each
  /// state of the block is one vector across its channels, so a step is n
  /// exp / multiply / FMA rows with no horizontal sum, and the n recurrences
  /// are independent. delta, delta * u and y go through time-major (time,
  /// channel) buffers, filled and drained in w x w tiles transposed with
  /// shuffles, so the loads and stores along time stay contiguous.
  ChannelVector,
};

struct CPUScanPlan {
  CPUScanStrategy strategy = CPUScanStrategy::StateVector;
  /// ChannelVector: channels per vector (f32 lanes of one register).
  int64_t channelsPerVector = 0;
  /// ChannelVector: the n state vectors are loop-carried values (registers);
  /// otherwise they live in a small stack buffer re-read every step.
  bool statesInRegisters = false;
  /// ChannelVector: the recurrence's exp(delta * A_k) is a degree-7
  /// polynomial scaled by vscalefps (CPUVectorInfo::scalef, 16-lane
  /// vectors), 14 vector ops instead of the 21 of the generic approximation.
  bool scaledExp = false;
};

/// Plans the forward scan of `states` (static) states over `channelsPerGroup`
/// channels per B/C group (0: dynamic). ChannelVector where
/// it does less vector work than StateVector: ceil(channelsPerGroup / w) x n
/// state rows per group and step against channelsPerGroup x ceil(n / w)
/// state vectors, each of those about twice a row's work (the horizontal
/// sum and the broadcasts); a dynamic channel count gets ChannelVector. The
/// states stay in registers while n of them leave eight registers free.
/// Vectors must have a power-of-two number of f32 lanes (the prologue's
/// transpose), else StateVector.
CPUScanPlan planCPUScan(int64_t states, int64_t channelsPerGroup,
                        const CPUVectorInfo &target);

/// All conversion patterns above (not the fused scan).
void populateSSMToSCFPatterns(RewritePatternSet &patterns);

} // namespace ssm
} // namespace mlir

#endif // SSM_CONVERSION_SSMTOSCF_SSMTOSCF_H
