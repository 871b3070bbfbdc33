//===- RowReductionUtils.h - reductions over a row, matched -----*- C++ -*-===//
//
// The match of a linalg reduction over its contiguous last loop, shared by
// ssm-row-reductions-to-gpu (one reduction per kernel) and
// ssm-row-norms-to-gpu (a norm's reductions and elementwise ops in one
// kernel). Not a public API.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_CONVERSION_SSMTOGPU_ROWREDUCTIONUTILS_H
#define SSM_CONVERSION_SSMTOGPU_ROWREDUCTIONUTILS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <optional>

namespace mlir::ssm::detail {

/// A linalg.generic on buffers that folds one loop (its only reduction; the
/// row's column) into one f32 output with an addf / max / min combiner.
struct RowReduction {
  linalg::GenericOp op;
  Operation *combiner = nullptr; // combiner(value, acc)
  Value value;                   // what each element contributes
  int64_t rows = 1, rowLength = 1;
  /// The reduction loop.
  unsigned dim = 0;
  /// The reduction is the last loop and every input that the reduction indexes reads it as its contiguous last
  /// dimension.
  bool contiguous = true;
};

std::optional<RowReduction> matchRowReduction(linalg::GenericOp op);

/// The combiner's identity (0, -inf or +inf) as an f32 constant.
Value reductionIdentity(OpBuilder &b, Location loc, Operation *combiner);

/// combiner(x, y) as a new op of the combiner's kind.
Value combineLike(OpBuilder &b, Location loc, Operation *combiner, Value x,
                  Value y);

/// A warp-per-row launch: `blocks` blocks of `lanes` x `rowsPerBlock`
/// threads; thread (x, y) of block b works on row b * rowsPerBlock + y, under
/// a guard row < `rows`. A whole warp shares its row, so the guard is uniform
/// per warp and every lane of a working warp reaches the shuffles. Leaves the
/// builder at the start of the guard's body.
struct WarpPerRowLaunch {
  gpu::LaunchOp launch;
  Value row;
  scf::IfOp guard;
};
WarpPerRowLaunch createWarpPerRowLaunch(OpBuilder &b, Location loc,
                                        int64_t blocks, int64_t lanes,
                                        int64_t rowsPerBlock, int64_t rows);

} // namespace mlir::ssm::detail

#endif // SSM_CONVERSION_SSMTOGPU_ROWREDUCTIONUTILS_H
