//===- MemoryExtent.cpp - which buffers may share memory ------------------===//

#include "ssm/Conversion/SSMToGPU/MemoryExtent.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using mlir::ssm::detail::MemoryExtent;

/// The memory a memref value may touch: the allocation or argument it is a
/// view of, and the byte range within it where known (a workspace view at a
/// constant offset, or a view of one).
MemoryExtent mlir::ssm::detail::extentOf(Value memref) {
  if (auto view = memref.getDefiningOp<memref::ViewOp>()) {
    MemoryExtent source = extentOf(view.getSource());
    auto type = cast<MemRefType>(view.getType());
    std::optional<int64_t> shift = getConstantIntValue(view.getByteShift());
    int64_t begin = 0;
    if (source.bytes)
      begin = source.bytes->first;
    else if (source.root != view.getSource())
      return {source.root, std::nullopt};
    if (!shift || !type.hasStaticShape() || !type.getLayout().isIdentity() ||
        !type.getElementType().isIntOrFloat())
      return {source.root, std::nullopt};
    int64_t bytes = type.getNumElements() *
                    llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    return {source.root, std::pair(begin + *shift, begin + *shift + bytes)};
  }
  // Views that stay within their source's memory.
  Operation *op = memref.getDefiningOp();
  if (isa_and_nonnull<memref::SubViewOp, memref::CollapseShapeOp,
                      memref::ExpandShapeOp, memref::CastOp>(op))
    return extentOf(op->getOperand(0));
  if (auto cast = dyn_cast_or_null<memref::ReinterpretCastOp>(op))
    return {extentOf(cast.getSource()).root, std::nullopt};
  return {memref, std::nullopt};
}

/// A function argument or a fresh allocation: distinct roots of this kind
/// are distinct memory where one of them is written (the runtime rejects an
/// output, or the workspace it allocates, overlapping any other buffer; only
/// inputs, which the entries only read, may overlap each other).
static bool isDistinctRoot(Value root) {
  if (auto arg = dyn_cast<BlockArgument>(root))
    return isa<FunctionOpInterface>(arg.getOwner()->getParentOp()) &&
           arg.getOwner()->isEntryBlock();
  return isa_and_nonnull<memref::AllocOp, memref::AllocaOp>(
      root.getDefiningOp());
}

bool mlir::ssm::detail::provablyDisjoint(Value a, Value b) {
  MemoryExtent x = extentOf(a), y = extentOf(b);
  if (x.root != y.root)
    return isDistinctRoot(x.root) && isDistinctRoot(y.root);
  return x.bytes && y.bytes &&
         (x.bytes->second <= y.bytes->first ||
          y.bytes->second <= x.bytes->first);
}

