//===- SplitConcatConsumers.cpp - read a concat's pieces directly --------===//
//
// `tensor.concat` bufferizes as a fresh buffer and one copy per piece. When
// every reader of the concat is a generic that is parallel along the
// concatenated dimension, each reader is split into one generic per piece:
// it reads the piece itself (and the matching slice of every other operand)
// and writes its slice of the reader's outputs, which are chained through
// `tensor.insert_slice`. The concat is then dead. Empty-tensor elimination
// (in the bufferization pipeline) makes each piece's generic write straight
// into its slice of the output buffer. A piece that is only a widening of a
// 16-bit tensor (an extf generic, which ssm-narrow-activations puts in front
// of a concat whose other pieces stay f32) is read as the 16-bit tensor, the
// piece's generic widening each element it loads.
//
//===----------------------------------------------------------------------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SPLITCONCATCONSUMERS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// The position of loop `loop` among `map`'s results, if any.
std::optional<unsigned> resultOfLoop(AffineMap map, unsigned loop) {
  for (auto [i, expr] : llvm::enumerate(map.getResults()))
    if (auto d = dyn_cast<AffineDimExpr>(expr); d && d.getPosition() == loop)
      return i;
  return std::nullopt;
}

/// A concat piece that only widens a 16-bit tensor of its shape, read by
/// nothing but concats: returns that tensor, or null.
Value widenedPiece(Value piece) {
  auto g = piece.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumResults() != 1 || g.getNumReductionLoops() != 0 ||
      !llvm::all_of(g.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }) ||
      !llvm::all_of(piece.getUsers(),
                    [](Operation *u) { return isa<tensor::ConcatOp>(u); }))
    return {};
  Block &body = g.getRegion().front();
  if (body.getOperations().size() != 2)
    return {};
  auto ext = dyn_cast<arith::ExtFOp>(body.front());
  if (!ext || ext.getIn() != body.getArgument(0) ||
      body.getTerminator()->getOperand(0) != ext.getResult())
    return {};
  return g.getDpsInputs()[0];
}

/// In `generic` (a piece's clone), input `i` now holds the 16-bit tensor
/// whose widening it read: its block argument takes the 16-bit element and
/// is widened where the body starts.
void widenInBody(OpBuilder &b, linalg::GenericOp generic, unsigned i) {
  Block &body = generic.getRegion().front();
  BlockArgument arg = body.getArgument(i);
  Type wide = arg.getType();
  arg.setType(getElementTypeOrSelf(generic.getDpsInputs()[i].getType()));
  b.setInsertionPointToStart(&body);
  auto ext = arith::ExtFOp::create(b, generic.getLoc(), wide, arg);
  arg.replaceAllUsesExcept(ext.getResult(), ext);
}

} // namespace

/// The loop of `generic` that indexes `concat`'s dimension, if `generic` can
/// be split along it: tensors only, no `linalg.index`, every map a projected
/// permutation, the loop parallel, every read of the concat through that
/// loop and every output indexed by it. No other operand is a concat (its
/// slices would keep it alive).
std::optional<unsigned>
mlir::ssm::concatSplitLoop(linalg::GenericOp generic, tensor::ConcatOp concat) {
  if (!generic.hasPureTensorSemantics() || generic.hasIndexSemantics())
    return std::nullopt;
  if (!llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  std::optional<unsigned> loop;
  for (OpOperand &operand : generic->getOpOperands()) {
    Value v = operand.get();
    if (v != concat.getResult()) {
      if (v.getDefiningOp<tensor::ConcatOp>())
        return std::nullopt;
      continue;
    }
    if (generic.isDpsInit(&operand))
      return std::nullopt;
    auto d = dyn_cast<AffineDimExpr>(
        generic.getMatchingIndexingMap(&operand).getResult(concat.getDim()));
    if (!d || (loop && *loop != d.getPosition()))
      return std::nullopt;
    loop = d.getPosition();
  }
  if (!loop ||
      !linalg::isParallelIterator(generic.getIteratorTypesArray()[*loop]))
    return std::nullopt;
  for (OpOperand &init : generic.getDpsInitsMutable())
    if (!resultOfLoop(generic.getMatchingIndexingMap(&init), *loop))
      return std::nullopt;
  return loop;
}

bool mlir::ssm::concatSplits(tensor::ConcatOp concat) {
  if (concat->use_empty() ||
      llvm::any_of(concat.getInputs(), [&](Value piece) {
        return cast<RankedTensorType>(piece.getType())
            .isDynamicDim(concat.getDim());
      }))
    return false;
  return llvm::all_of(concat->getUsers(), [&](Operation *user) {
    auto generic = dyn_cast<linalg::GenericOp>(user);
    return generic && concatSplitLoop(generic, concat);
  });
}

namespace {

/// `value`'s slice [offset, offset + size) along dimension `dim`.
struct Slice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};
Slice sliceAlong(OpBuilder &b, Location loc, Value value, unsigned dim,
                 int64_t offset, int64_t size) {
  Slice s;
  s.sizes = tensor::getMixedSizes(b, loc, value);
  s.offsets.assign(s.sizes.size(), b.getIndexAttr(0));
  s.strides.assign(s.sizes.size(), b.getIndexAttr(1));
  s.offsets[dim] = b.getIndexAttr(offset);
  s.sizes[dim] = b.getIndexAttr(size);
  return s;
}

/// Replaces `generic` by one generic per piece of `concat` along `loop`.
void splitGeneric(RewriterBase &rewriter, linalg::GenericOp generic,
                  tensor::ConcatOp concat, unsigned loop) {
  Location loc = generic.getLoc();
  rewriter.setInsertionPoint(generic);
  SmallVector<Value> results(generic.getDpsInits());
  int64_t offset = 0;
  for (Value piece : concat.getInputs()) {
    int64_t size =
        cast<RankedTensorType>(piece.getType()).getDimSize(concat.getDim());
    SmallVector<Value> operands;
    SmallVector<unsigned> widened;
    Value narrow = widenedPiece(piece);
    for (OpOperand *operand : generic.getDpsInputOperands()) {
      if (operand->get() == concat.getResult()) {
        if (narrow)
          widened.push_back(operands.size());
        operands.push_back(narrow ? narrow : piece);
        continue;
      }
      std::optional<unsigned> dim =
          resultOfLoop(generic.getMatchingIndexingMap(operand), loop);
      if (!dim) {
        operands.push_back(operand->get());
        continue;
      }
      Slice s = sliceAlong(rewriter, loc, operand->get(), *dim, offset, size);
      operands.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, operand->get(), s.offsets, s.sizes, s.strides));
    }
    SmallVector<Slice> outSlices;
    SmallVector<Type> resultTypes;
    for (auto [i, init] : llvm::enumerate(generic.getDpsInitsMutable())) {
      unsigned dim = *resultOfLoop(generic.getMatchingIndexingMap(&init), loop);
      outSlices.push_back(
          sliceAlong(rewriter, loc, results[i], dim, offset, size));
      const Slice &s = outSlices.back();
      Value out = tensor::ExtractSliceOp::create(rewriter, loc, results[i],
                                                 s.offsets, s.sizes, s.strides);
      operands.push_back(out);
      resultTypes.push_back(out.getType());
    }
    auto part = clone(rewriter, generic, resultTypes, operands);
    for (unsigned i : widened) {
      OpBuilder::InsertionGuard guard(rewriter);
      widenInBody(rewriter, part, i);
    }
    for (auto [i, s] : llvm::enumerate(outSlices))
      results[i] = tensor::InsertSliceOp::create(rewriter, loc,
                                                 part->getResult(i), results[i],
                                                 s.offsets, s.sizes, s.strides);
    offset += size;
  }
  rewriter.replaceOp(generic, results);
}

struct SplitConcatConsumersPass
    : mlir::ssm::impl::SplitConcatConsumersBase<SplitConcatConsumersPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<tensor::ConcatOp> concats;
    getOperation().walk([&](tensor::ConcatOp c) { concats.push_back(c); });
    IRRewriter rewriter(&getContext());
    for (tensor::ConcatOp concat : concats) {
      // Static piece sizes along the concatenated dimension.
      if (llvm::any_of(concat.getInputs(), [&](Value piece) {
            return cast<RankedTensorType>(piece.getType())
                .isDynamicDim(concat.getDim());
          }))
        continue;
      SmallVector<std::pair<linalg::GenericOp, unsigned>> readers;
      bool all = !concat->use_empty();
      for (Operation *user : concat->getUsers()) {
        auto generic = dyn_cast<linalg::GenericOp>(user);
        std::optional<unsigned> loop =
            generic ? ssm::concatSplitLoop(generic, concat) : std::nullopt;
        if (!loop) {
          all = false;
          break;
        }
        if (!llvm::is_contained(llvm::make_first_range(readers), generic))
          readers.push_back({generic, *loop});
      }
      if (!all)
        continue;
      for (auto [generic, loop] : readers)
        splitGeneric(rewriter, generic, concat, loop);
      llvm::SetVector<Value> pieces;
      pieces.insert_range(concat.getInputs());
      rewriter.eraseOp(concat);
      // Widenings whose 16-bit source the pieces' generics now read.
      for (Value piece : pieces)
        if (widenedPiece(piece) && piece.use_empty())
          rewriter.eraseOp(piece.getDefiningOp());
    }
  }
};

} // namespace
