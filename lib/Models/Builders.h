//===- Builders.h - the family builders (internal) --------------*- C++ -*-===//
//
// Each returns the logits (B, classes) of its family, emitted through `g`
// (which also collects the weights as named function arguments).
//
//===----------------------------------------------------------------------===//

#ifndef SSM_LIB_MODELS_BUILDERS_H
#define SSM_LIB_MODELS_BUILDERS_H

#include "GraphBuilder.h"

#include "ssm/Models/Models.h"

namespace mlir::ssm::models {

/// Vim (bimamba v2, middle cls token) and FastVim (pooled scans, row/column
/// alternation, mean-pool head): MODELS.md §2.3 and §4.3.
Value buildIsotropic(GraphBuilder &g, const ModelConfig &c);
/// VMamba v2 family (channel-first, v05_noz, N = 1, MLP): §3.1, §3.3.
Value buildVMambaV2(GraphBuilder &g, const ModelConfig &c);
/// VMamba vanilla v0 (channel-last, gated, patch merging, no MLP): §3.5.
Value buildVMambaV0(GraphBuilder &g, const ModelConfig &c);
/// MambaOut (gated CNN, NHWC, MLP head): §5.
Value buildMambaOut(GraphBuilder &g, const ModelConfig &c);

} // namespace mlir::ssm::models

#endif // SSM_LIB_MODELS_BUILDERS_H
