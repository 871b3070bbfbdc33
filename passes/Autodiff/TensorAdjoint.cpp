//===- TensorAdjoint.cpp - adjoints of tensor data movement ---------------===//
//
// Each is the transposed data movement: a slice's adjoint writes the result
// adjoint back into zeros, a pad's reads the interior, a reshape's reshapes
// back, a concatenation's slices each part out.
//
//===----------------------------------------------------------------------===//

#include "Adjoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ssm::autodiff;

namespace {

/// The sizes of `v` (static or tensor.dim of the primal).
SmallVector<OpFoldResult> sizesOf(AdjointEmitter &e, Location loc,
                                  Value forward) {
  return tensor::getMixedSizes(e.builder(), loc, e.primal(forward));
}

LogicalResult extractSlice(tensor::ExtractSliceOp op, AdjointEmitter &e) {
  if (!e.isActive(op.getSource()))
    return success();
  OpBuilder &b = e.builder();
  Location loc = op.getLoc();
  auto sourceType = cast<RankedTensorType>(op.getSource().getType());
  Value adj = tensor::InsertSliceOp::create(
      b, loc, e.adjoint(op.getResult()), e.zeros(loc, sourceType),
      e.primal(op.getMixedOffsets()), e.primal(op.getMixedSizes()),
      e.primal(op.getMixedStrides()));
  e.accumulate(op.getSource(), adj);
  return success();
}

LogicalResult insertSlice(tensor::InsertSliceOp op, AdjointEmitter &e) {
  OpBuilder &b = e.builder();
  Location loc = op.getLoc();
  Value dy = e.adjoint(op.getResult());
  auto offsets = e.primal(op.getMixedOffsets());
  auto sizes = e.primal(op.getMixedSizes());
  auto strides = e.primal(op.getMixedStrides());
  auto sourceType = cast<RankedTensorType>(op.getSource().getType());
  if (e.isActive(op.getSource()))
    e.accumulate(op.getSource(),
                 tensor::ExtractSliceOp::create(b, loc, sourceType, dy, offsets,
                                                sizes, strides));
  if (e.isActive(op.getDest()))
    e.accumulate(op.getDest(),
                 tensor::InsertSliceOp::create(b, loc, e.zeros(loc, sourceType),
                                               dy, offsets, sizes, strides));
  return success();
}

LogicalResult pad(tensor::PadOp op, AdjointEmitter &e) {
  if (!e.isActive(op.getSource()))
    return success();
  OpBuilder &b = e.builder();
  Location loc = op.getLoc();
  auto sourceType = cast<RankedTensorType>(op.getSource().getType());
  SmallVector<OpFoldResult> strides(sourceType.getRank(), b.getIndexAttr(1));
  e.accumulate(op.getSource(),
               tensor::ExtractSliceOp::create(
                   b, loc, sourceType, e.adjoint(op.getResult()),
                   e.primal(op.getMixedLowPad()),
                   sizesOf(e, loc, op.getSource()), strides));
  return success();
}

LogicalResult concat(tensor::ConcatOp op, AdjointEmitter &e) {
  OpBuilder &b = e.builder();
  Location loc = op.getLoc();
  Value dy = e.adjoint(op.getResult());
  int64_t dim = op.getDim();
  unsigned rank = op.getResultType().getRank();
  OpFoldResult offset = b.getIndexAttr(0);
  for (Value part : op.getInputs()) {
    SmallVector<OpFoldResult> sizes = sizesOf(e, loc, part);
    if (e.isActive(part)) {
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
      offsets[dim] = offset;
      e.accumulate(part, tensor::ExtractSliceOp::create(
                             b, loc, cast<RankedTensorType>(part.getType()), dy,
                             offsets, sizes, strides));
    }
    std::optional<int64_t> lhs = getConstantIntValue(offset),
                           rhs = getConstantIntValue(sizes[dim]);
    if (lhs && rhs) {
      offset = b.getIndexAttr(*lhs + *rhs);
    } else {
      offset = arith::AddIOp::create(
                   b, loc, getValueOrCreateConstantIndexOp(b, loc, offset),
                   getValueOrCreateConstantIndexOp(b, loc, sizes[dim]))
                   .getResult();
    }
  }
  return success();
}

} // namespace

std::optional<LogicalResult>
mlir::ssm::autodiff::emitTensorAdjoint(Operation *op, AdjointEmitter &e) {
  OpBuilder &b = e.builder();
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case([&](tensor::ExtractSliceOp o) { return extractSlice(o, e); })
      .Case([&](tensor::InsertSliceOp o) { return insertSlice(o, e); })
      .Case([&](tensor::PadOp o) { return pad(o, e); })
      .Case([&](tensor::ConcatOp o) { return concat(o, e); })
      .Case([&](tensor::CollapseShapeOp o) -> LogicalResult {
        if (e.isActive(o.getSrc()))
          e.accumulate(o.getSrc(), tensor::ExpandShapeOp::create(
                                       b, o.getLoc(), o.getSrcType(),
                                       e.adjoint(o.getResult()),
                                       o.getReassociationIndices()));
        return success();
      })
      .Case([&](tensor::ExpandShapeOp o) -> LogicalResult {
        if (e.isActive(o.getSrc()))
          e.accumulate(o.getSrc(), tensor::CollapseShapeOp::create(
                                       b, o.getLoc(), o.getSrcType(),
                                       e.adjoint(o.getResult()),
                                       o.getReassociationIndices()));
        return success();
      })
      .Case([&](tensor::CastOp o) -> LogicalResult {
        if (e.isActive(o.getSource()))
          e.accumulate(o.getSource(),
                       tensor::CastOp::create(b, o.getLoc(),
                                              o.getSource().getType(),
                                              e.adjoint(o.getResult())));
        return success();
      })
      .Default([](Operation *) { return std::nullopt; });
}
