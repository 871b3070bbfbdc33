//===- MemoryExtent.h - which buffers may share memory -----------*- C++ -*-===//
//
// The memory a memref value may touch, shared by the GPU passes that reorder
// or fuse loads and stores (ssm-distribute-parallel-loops' unrolled copies,
// ssm-row-norms-to-gpu's fused chains). Not a public API.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_CONVERSION_SSMTOGPU_MEMORYEXTENT_H
#define SSM_CONVERSION_SSMTOGPU_MEMORYEXTENT_H

#include "mlir/IR/Value.h"

#include <optional>
#include <utility>

namespace mlir::ssm::detail {

/// The allocation or argument a memref value is a view of, and the byte range
/// within it where known (a workspace view at a constant offset, or a view of
/// one).
struct MemoryExtent {
  Value root;
  std::optional<std::pair<int64_t, int64_t>> bytes;
};

MemoryExtent extentOf(Value memref);

/// Whether `a` and `b` touch no common byte: different roots that are both
/// function arguments or fresh allocations (the runtime rejects an output, or
/// the workspace it allocates, overlapping any other buffer; only inputs,
/// which the entries only read, may overlap each other), or known disjoint
/// byte ranges of one root.
bool provablyDisjoint(Value a, Value b);

} // namespace mlir::ssm::detail

#endif // SSM_CONVERSION_SSMTOGPU_MEMORYEXTENT_H
