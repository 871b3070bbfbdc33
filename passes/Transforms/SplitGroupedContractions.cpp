//===- SplitGroupedContractions.cpp - grouped contractions as GEMMs -------===//
//
// ssm-split-grouped-contractions (see Passes.td). A contraction
//
//   %f = linalg.fill ins(%zero) outs(%empty)
//   %r = linalg.generic {out[b, k, c, l] += W[k, c, d] * xs[b, k, d, l]}
//          ins(%W, %xs) outs(%f)
//
// whose two batch dims (b, k) no library GEMM takes becomes, for each index
// i of the small one (k),
//
//   %s_i = tensor.extract_slice %acc_i[0, i, 0, 0] [B, 1, C, L]
//   %f_i = linalg.fill ins(%zero) outs(%s_i)
//   %r_i = linalg.generic {out[b, c, l] += W_i[c, d] * xs_i[b, d, l]}
//            ins(W[i], xs[:, i]) outs(%f_i)
//   %acc_{i+1} = tensor.insert_slice %r_i into %acc_i[0, i, 0, 0] ...
//
// with %acc_0 = %empty: each piece writes its slice of one buffer.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/SmallBitVector.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SPLITGROUPEDCONTRACTIONS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
namespace gemm = mlir::ssm::gemm;

namespace {

/// The position of loop dim `d` among `map`'s results (one plain dim
/// expression), or -1.
int64_t positionOf(AffineMap map, unsigned d) {
  int64_t pos = -1;
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    auto de = dyn_cast<AffineDimExpr>(e);
    if (!de)
      return -1;
    if (de.getPosition() == d) {
      if (pos >= 0)
        return -1;
      pos = int64_t(i);
    }
  }
  return pos;
}

/// The offsets, sizes and strides of index `i` of dim `pos` of `type`.
struct UnitSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};
UnitSlice unitSlice(RewriterBase &rewriter, RankedTensorType type, int64_t pos,
                    int64_t i) {
  UnitSlice u;
  u.offsets.assign(type.getRank(), rewriter.getIndexAttr(0));
  u.strides.assign(type.getRank(), rewriter.getIndexAttr(1));
  for (int64_t s : type.getShape())
    u.sizes.push_back(rewriter.getIndexAttr(s));
  u.offsets[pos] = rewriter.getIndexAttr(i);
  u.sizes[pos] = rewriter.getIndexAttr(1);
  return u;
}

/// Index `i` of dim `pos` of `v`, that dim dropped.
Value sliceAt(RewriterBase &rewriter, Location loc, Value v, int64_t pos,
              int64_t i) {
  auto type = cast<RankedTensorType>(v.getType());
  UnitSlice u = unitSlice(rewriter, type, pos, i);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + pos);
  auto sliceType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExtractSliceOp::create(rewriter, loc, sliceType, v,
                                        u.offsets, u.sizes, u.strides);
}

/// Index `i` of dim `pos` of `v` inserted back: the inverse of sliceAt.
Value insertAt(RewriterBase &rewriter, Location loc, Value piece, Value dest,
               int64_t pos, int64_t i) {
  UnitSlice u =
      unitSlice(rewriter, cast<RankedTensorType>(dest.getType()), pos, i);
  return tensor::InsertSliceOp::create(rewriter, loc, piece, dest, u.offsets,
                                       u.sizes, u.strides);
}

/// Index `i` of an input: a widening of a 16-bit tensor is sliced before it
/// (the GEMM lowerings read the 16-bit slice through the new widening).
Value sliceInput(RewriterBase &rewriter, Location loc, Value v, int64_t pos,
                 int64_t i) {
  Value narrow = gemm::widenedSource(v);
  if (!narrow)
    return sliceAt(rewriter, loc, v, pos, i);
  Value slice = sliceAt(rewriter, loc, narrow, pos, i);
  auto sliceType = cast<RankedTensorType>(slice.getType());
  auto wideType =
      RankedTensorType::get(sliceType.getShape(), rewriter.getF32Type());
  Value empty = tensor::EmptyOp::create(rewriter, loc, wideType.getShape(),
                                        wideType.getElementType());
  AffineMap id = rewriter.getMultiDimIdentityMap(sliceType.getRank());
  SmallVector<utils::IteratorType> iters(sliceType.getRank(),
                                         utils::IteratorType::parallel);
  auto widen = linalg::GenericOp::create(
      rewriter, loc, wideType, ValueRange{slice}, ValueRange{empty},
      ArrayRef<AffineMap>{id, id}, iters,
      [](OpBuilder &b, Location l, ValueRange args) {
        Value x = arith::ExtFOp::create(b, l, b.getF32Type(), args[0]);
        linalg::YieldOp::create(b, l, x);
      });
  return widen.getResult(0);
}

/// The contraction `g` with loop dim `d` fixed at `i`, writing a zero-filled
/// slice of `acc` (dim `outPos` of the output); returns the piece (loops in
/// matchContraction's order).
linalg::GenericOp buildPiece(RewriterBase &rewriter, linalg::GenericOp g,
                             unsigned d, int64_t i, Value acc, Value zero) {
  Location loc = g.getLoc();
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  llvm::SmallBitVector drop(g.getNumLoops());
  drop.set(d);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> pieceMaps;
  for (unsigned j = 0; j < 3; ++j) {
    int64_t pos = positionOf(maps[j], d);
    Value v = j < 2 ? sliceInput(rewriter, loc, g.getDpsInputs()[j], pos, i)
                    : sliceAt(rewriter, loc, acc, pos, i);
    if (j < 2)
      inputs.push_back(v);
    else
      inputs.push_back(
          linalg::FillOp::create(rewriter, loc, zero, v).getResult(0));
    pieceMaps.push_back(compressDims(maps[j].dropResult(pos), drop));
  }
  SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
  iters.erase(iters.begin() + d);
  auto piece = linalg::GenericOp::create(
      rewriter, loc, TypeRange{inputs[2].getType()},
      ValueRange{inputs[0], inputs[1]}, ValueRange{inputs[2]}, pieceMaps,
      iters);
  rewriter.cloneRegionBefore(g.getRegion(), piece.getRegion(),
                             piece.getRegion().end());
  piece = gemm::orderContractionLoops(rewriter, piece);
  rewriter.setInsertionPoint(g);
  return piece;
}

/// Splits `g` along one of its batch dims if that makes every piece a GEMM.
bool splitGroups(RewriterBase &rewriter, linalg::GenericOp g) {
  bool w0 = false, w1 = false;
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 ||
      g.getNumResults() != 1 || g.getNumReductionLoops() != 1 ||
      !gemm::isMulAddBody(g, w0, w1) || !gemm::isZeroFill(g.getDpsInits()[0]))
    return false;
  auto outType = dyn_cast<RankedTensorType>(g.getResult(0).getType());
  if (!outType || !outType.hasStaticShape() ||
      !llvm::all_of(g->getOperandTypes(), [](Type t) {
        auto r = dyn_cast<RankedTensorType>(t);
        return r && r.hasStaticShape();
      }))
    return false;
  AffineMap outMap = g.getIndexingMapsArray()[2];
  if (!outMap.isProjectedPermutation() ||
      outMap.getNumResults() != g.getNumParallelLoops() ||
      succeeded(gemm::matchContraction(g)))
    return false;
  auto fill = g.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  Value zero = fill.getInputs()[0], dest = fill.getOutputs()[0];
  for (auto [q, e] : llvm::enumerate(outMap.getResults())) {
    const unsigned d = cast<AffineDimExpr>(e).getPosition();
    const int64_t groups = outType.getDimSize(q);
    if (groups < 2 || groups > gemm::kMaxSplitGroups ||
        positionOf(g.getIndexingMapsArray()[0], d) < 0 ||
        positionOf(g.getIndexingMapsArray()[1], d) < 0)
      continue;
    // The first piece decides: a GEMM worth a call, or nothing changes.
    rewriter.setInsertionPoint(g);
    Block::iterator before = rewriter.getInsertionPoint();
    Operation *first = before == g->getBlock()->begin() ? nullptr
                                                        : &*std::prev(before);
    linalg::GenericOp piece = buildPiece(rewriter, g, d, 0, dest, zero);
    FailureOr<gemm::Contraction> c = gemm::matchContraction(piece);
    if (failed(c) ||
        !gemm::shouldSplitGroups(groups, c->batch, c->m, c->n, c->k)) {
      // Erase what the trial built, last first.
      SmallVector<Operation *> built;
      for (Operation *op = first ? first->getNextNode()
                                 : &g->getBlock()->front();
           op != g.getOperation(); op = op->getNextNode())
        built.push_back(op);
      for (Operation *op : llvm::reverse(built))
        rewriter.eraseOp(op);
      continue;
    }
    Location loc = g.getLoc();
    const int64_t outPos = int64_t(q);
    Value acc = insertAt(rewriter, loc, piece.getResult(0), dest, outPos, 0);
    for (int64_t i = 1; i < groups; ++i) {
      piece = buildPiece(rewriter, g, d, i, acc, zero);
      acc = insertAt(rewriter, loc, piece.getResult(0), acc, outPos, i);
    }
    SmallVector<Operation *> producers = {fill};
    for (Value v : g.getDpsInputs())
      if (gemm::widenedSource(v))
        producers.push_back(v.getDefiningOp());
    rewriter.replaceOp(g, acc);
    for (Operation *op : producers)
      if (op->use_empty())
        rewriter.eraseOp(op);
    return true;
  }
  return false;
}

struct SplitGroupedContractionsPass
    : mlir::ssm::impl::SplitGroupedContractionsBase<
          SplitGroupedContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp g) { generics.push_back(g); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp g : generics)
      splitGroups(rewriter, g);
  }
};

} // namespace
