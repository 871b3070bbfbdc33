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
/// alternation, mean-pool head): docs/semantics.md §4 and §6.
Value buildIsotropic(GraphBuilder &g, const ModelConfig &c);
/// VMamba v2 family (channel-first, v05_noz, N = 1, MLP): §5.1, §5.3.
Value buildVMambaV2(GraphBuilder &g, const ModelConfig &c);
/// VMamba vanilla v0 (channel-last, gated, patch merging, no MLP): §5.4.
Value buildVMambaV0(GraphBuilder &g, const ModelConfig &c);
/// MambaOut (gated CNN, NHWC, MLP head): §7.
Value buildMambaOut(GraphBuilder &g, const ModelConfig &c);

} // namespace mlir::ssm::models

#endif // SSM_LIB_MODELS_BUILDERS_H
