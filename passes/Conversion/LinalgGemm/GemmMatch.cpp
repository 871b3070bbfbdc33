//===- GemmMatch.cpp - GEMM contractions among linalg.generic ops ------===//

#include "ssm/Conversion/GemmMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ssm::gemm;

bool mlir::ssm::gemm::isZero(Value v) {
  APFloat f(0.0);
  return matchPattern(v, m_ConstantFloat(&f)) && f.isZero();
}

bool mlir::ssm::gemm::allParallel(linalg::GenericOp g) {
  return llvm::all_of(g.getIteratorTypesArray(), [](utils::IteratorType t) {
    return t == utils::IteratorType::parallel;
  });
}

Value mlir::ssm::gemm::yielded(linalg::GenericOp g) {
  auto yield = cast<linalg::YieldOp>(g.getRegion().front().getTerminator());
  return yield.getNumOperands() == 1 ? yield.getOperand(0) : Value();
}

bool mlir::ssm::gemm::isArg(Value v, linalg::GenericOp g, unsigned arg,
                            bool &widened) {
  widened = false;
  if (auto ext = v.getDefiningOp<arith::ExtFOp>()) {
    if (!ext.getIn().getType().isBF16() || !ext.getType().isF32())
      return false;
    widened = true;
    v = ext.getIn();
  }
  auto ba = dyn_cast<BlockArgument>(v);
  return ba && ba.getOwner() == &g.getRegion().front() &&
         ba.getArgNumber() == arg;
}

bool mlir::ssm::gemm::isMulAddBody(linalg::GenericOp g, bool &widened0,
                                   bool &widened1) {
  // out + x * y (either order), x / y the inputs, optionally widened.
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1)
    return false;
  Block &body = g.getRegion().front();
  auto add = yielded(g) ? yielded(g).getDefiningOp<arith::AddFOp>() : nullptr;
  if (!add)
    return false;
  Value prod = add.getLhs(), acc = add.getRhs();
  if (!isa<BlockArgument>(acc))
    std::swap(prod, acc);
  auto accArg = dyn_cast<BlockArgument>(acc);
  auto mul = prod.getDefiningOp<arith::MulFOp>();
  if (!accArg || accArg.getOwner() != &body || accArg.getArgNumber() != 2 ||
      !mul)
    return false;
  bool &w0 = widened0, &w1 = widened1;
  w0 = w1 = false;
  if (!(isArg(mul.getLhs(), g, 0, w0) && isArg(mul.getRhs(), g, 1, w1)) &&
      !(isArg(mul.getLhs(), g, 1, w1) && isArg(mul.getRhs(), g, 0, w0)))
    return false;
  if (body.getOperations().size() != size_t(3 + int(w0) + int(w1)))
    return false;
  for (unsigned i = 0; i < 2; ++i) {
    Type t = cast<ShapedType>(g.getDpsInputs()[i].getType()).getElementType();
    if (!((i == 0 ? w0 : w1) ? t.isBF16() : t.isF32()))
      return false;
  }
  return true;
}

namespace {

/// Element strides of a statically shaped value: row-major for a tensor, the
/// layout's for a buffer (failure when dynamic).
FailureOr<SmallVector<int64_t>> stridesOf(ShapedType type) {
  if (auto memref = dyn_cast<MemRefType>(type)) {
    SmallVector<int64_t> strides;
    int64_t offset = 0;
    if (failed(memref.getStridesAndOffset(strides, offset)) ||
        llvm::any_of(strides, ShapedType::isDynamic))
      return failure();
    return strides;
  }
  SmallVector<int64_t> strides(type.getRank(), 1);
  for (int64_t i = type.getRank() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * type.getDimSize(i + 1);
  return strides;
}

/// Classifies input `i` of the contraction: the loop dims `outer` and
/// `inner` (each a group of loop dims, in order) and the batch dim (optional)
/// must sit at adjacent positions of the input, each group in its order;
/// every other position must be one of the `unit` loop dims (extent 1),
/// which join the group after them (the last group, at the end). Fills the
/// collapsed view.
bool classify(linalg::GenericOp g, unsigned i, ArrayRef<unsigned> outer,
              ArrayRef<unsigned> inner, int64_t batchDim,
              ArrayRef<unsigned> unit, Operand &out) {
  AffineMap map = g.getIndexingMapsArray()[i];
  out.value = g.getDpsInputs()[i];
  auto type = cast<ShapedType>(out.value.getType());
  if (!type.hasStaticShape() || map.getNumResults() != type.getRank())
    return false;
  FailureOr<SmallVector<int64_t>> strides = stridesOf(type);
  if (failed(strides))
    return false;
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return false;
    dims.push_back(d.getPosition());
  }
  SmallVector<int64_t> shape;
  ReassociationIndices pendingUnits;
  for (int64_t p = 0; p < int64_t(dims.size());) {
    if (llvm::is_contained(unit, dims[p])) {
      pendingUnits.push_back(p++);
      continue;
    }
    ArrayRef<unsigned> group;
    int64_t *slot = nullptr;
    if (dims[p] == outer.front()) {
      group = outer;
      slot = &out.posOuter;
    } else if (dims[p] == inner.front()) {
      group = inner;
      slot = &out.posInner;
    } else if (int64_t(dims[p]) == batchDim) {
      slot = &out.posBatch;
    } else {
      return false;
    }
    if (*slot >= 0)
      return false;
    const int64_t len = group.empty() ? 1 : int64_t(group.size());
    if (p + len > int64_t(dims.size()) ||
        (!group.empty() &&
         !llvm::equal(ArrayRef<unsigned>(dims).slice(p, len), group)))
      return false;
    *slot = int64_t(out.reassociation.size());
    ReassociationIndices positions = std::move(pendingUnits);
    pendingUnits.clear();
    for (int64_t q = p; q < p + len; ++q)
      positions.push_back(q);
    out.reassociation.push_back(positions);
    p += len;
  }
  if (out.reassociation.empty())
    return false;
  out.reassociation.back().append(pendingUnits.begin(), pendingUnits.end());
  // Each collapsed group is one run of memory (unit dims aside); its stride
  // is that of its innermost dim of extent > 1.
  for (const ReassociationIndices &group : out.reassociation) {
    int64_t extent = 1, stride = (*strides)[group.back()], prev = -1;
    for (int64_t q : group) {
      const int64_t size = type.getDimSize(q);
      extent *= size;
      if (size == 1)
        continue;
      if (prev >= 0 && (*strides)[prev] != (*strides)[q] * size)
        return false;
      prev = q;
      stride = (*strides)[q];
    }
    shape.push_back(extent);
    out.strides.push_back(stride);
  }
  out.type = RankedTensorType::get(shape, type.getElementType());
  return out.posOuter >= 0 && out.posInner >= 0;
}

} // namespace

bool mlir::ssm::gemm::shouldSplitGroups(int64_t groups, int64_t batch,
                                         int64_t m, int64_t n, int64_t k) {
  if (groups < 2 || groups > kMaxSplitGroups || batch < 1 || m < 1 ||
      n < 1 || k < 1)
    return false;
  // Below one 64 x 64 x 16 tile of work per group, the launch costs more
  // than the loop nest it replaces.
  return batch * m * n * k >= 64 * 64 * 16;
}

linalg::GenericOp mlir::ssm::gemm::orderContractionLoops(RewriterBase &rewriter,
                                                         linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 ||
      g.getNumResults() > 1 || g.getNumReductionLoops() != 1)
    return g;
  bool w0 = false, w1 = false;
  if (!isMulAddBody(g, w0, w1))
    return g;
  // The output must be indexed by every parallel loop once.
  AffineMap outMap = g.getMatchingIndexingMap(g.getDpsInitOperand(0));
  if (!outMap.isProjectedPermutation() ||
      outMap.getNumResults() != g.getNumParallelLoops())
    return g;
  SmallVector<unsigned> order;
  for (AffineExpr e : outMap.getResults())
    order.push_back(cast<AffineDimExpr>(e).getPosition());
  for (auto [d, it] : llvm::enumerate(g.getIteratorTypesArray()))
    if (it == utils::IteratorType::reduction)
      order.push_back(d);
  if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
    return g;
  rewriter.setInsertionPoint(g);
  FailureOr<linalg::GenericOp> ordered =
      linalg::interchangeGenericOp(rewriter, g, order);
  return succeeded(ordered) ? *ordered : g;
}

FailureOr<Contraction> mlir::ssm::gemm::matchContraction(linalg::GenericOp g) {
  Contraction r;
  r.op = g;
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 ||
      g.getNumResults() > 1)
    return failure();
  auto outType = dyn_cast<ShapedType>(g.getDpsInits()[0].getType());
  if (!outType || !outType.hasStaticShape() ||
      !outType.getElementType().isF32())
    return failure();
  const int64_t rank = outType.getRank();
  if (rank < 2)
    return failure();
  auto iters = g.getIteratorTypesArray();
  if (int64_t(iters.size()) != rank + 1)
    return failure();
  for (int64_t i = 0; i < rank; ++i)
    if (iters[i] != utils::IteratorType::parallel)
      return failure();
  if (iters[rank] != utils::IteratorType::reduction)
    return failure();
  // The output is indexed by the leading loop dims, in order.
  AffineMap outMap = g.getIndexingMapsArray()[2];
  if (outMap.getNumResults() != rank)
    return failure();
  for (int64_t i = 0; i < rank; ++i) {
    auto d = dyn_cast<AffineDimExpr>(outMap.getResult(i));
    if (!d || d.getPosition() != i)
      return failure();
  }

  bool w0 = false, w1 = false;
  if (!isMulAddBody(g, w0, w1))
    return failure();

  // Loop dims: (batch,) m..., n..., k. n is the trailing run of output dims
  // held by one input only (B), m the run before it held by the other only
  // (A); what precedes them is the batch (at most one dim, held by either
  // or both inputs). E.g. MambaOut's NHWC fc: C[b, h, w, n] = x[b, h, w, k]
  // w[n, k] has m = (b, h, w).
  const unsigned kDim = rank;
  auto holds = [&](unsigned i, unsigned dim) {
    return g.getIndexingMapsArray()[i].isFunctionOfDim(dim);
  };
  auto only = [&](unsigned dim) -> int {
    bool in0 = holds(0, dim), in1 = holds(1, dim);
    return in0 == in1 ? -1 : (in0 ? 0 : 1);
  };
  if (!holds(0, kDim) || !holds(1, kDim))
    return failure();
  const int bi = only(rank - 1);
  if (bi < 0)
    return failure();
  const unsigned ai = 1 - bi;
  int64_t nBegin = rank - 1;
  while (nBegin > 0 && only(nBegin - 1) == bi)
    --nBegin;
  int64_t longest = nBegin;
  while (longest > 0 && only(longest - 1) == int(ai))
    --longest;
  SmallVector<unsigned> mDims, nDims;
  for (int64_t d = nBegin; d < rank; ++d)
    nDims.push_back(d);
  // The longest m run first; where A does not hold it as one adjacent group
  // (e.g. x[b, k, m]), its leading dim is the batch instead. The dims before
  // m are the batch: at most one of extent > 1 (the batch dim), the others
  // of extent 1 (VMamba's grouped projections: C[1, g, m, n]).
  int64_t batchDim = -1;
  SmallVector<unsigned> unitDims;
  unsigned kOnly[] = {kDim};
  bool classified = false;
  for (int64_t mBegin = longest; mBegin < nBegin && !classified; ++mBegin) {
    batchDim = -1;
    unitDims.clear();
    bool batchOk = true;
    for (int64_t d = 0; d < mBegin; ++d) {
      if (outType.getDimSize(d) == 1) {
        unitDims.push_back(d);
      } else if (batchDim < 0) {
        batchDim = d;
      } else {
        batchOk = false;
      }
    }
    if (!batchOk)
      continue;
    // All leading dims of extent 1: the last one stands for the batch.
    if (batchDim < 0 && !unitDims.empty())
      batchDim = unitDims.pop_back_val();
    mDims.clear();
    for (int64_t d = mBegin; d < nBegin; ++d)
      mDims.push_back(d);
    r.a = Operand();
    r.b = Operand();
    classified = classify(g, ai, mDims, kOnly, batchDim, unitDims, r.a) &&
                 classify(g, bi, kOnly, nDims, batchDim, unitDims, r.b);
  }
  if (!classified)
    return failure();
  r.widenedA = ai == 0 ? w0 : w1;
  r.widenedB = bi == 0 ? w0 : w1;
  r.mDims = mDims;
  r.nDims = nDims;
  r.batchDim = batchDim;
  r.batch = batchDim >= 0 ? outType.getDimSize(batchDim) : 1;
  r.m = 1;
  r.n = 1;
  for (unsigned d : mDims)
    r.m *= outType.getDimSize(d);
  for (unsigned d : nDims)
    r.n *= outType.getDimSize(d);
  r.k = r.a.type.getDimSize(r.a.posInner);
  SmallVector<int64_t> outShape;
  if (batchDim >= 0) {
    ReassociationIndices leading;
    for (int64_t d = 0; d < int64_t(mDims.front()); ++d)
      leading.push_back(d);
    r.outReassociation.push_back(leading);
    outShape.push_back(r.batch);
  }
  r.outReassociation.push_back(
      ReassociationIndices(mDims.begin(), mDims.end()));
  r.outReassociation.push_back(
      ReassociationIndices(nDims.begin(), nDims.end()));
  outShape.push_back(r.m);
  outShape.push_back(r.n);
  r.outType = RankedTensorType::get(outShape, outType.getElementType());
  if (r.batch < 1 || r.m < 1 || r.n < 1 || r.k < 1)
    return failure();
  return r;
}

Value mlir::ssm::gemm::widenedSource(Value tensor) {
  auto g = tensor.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      !allParallel(g) ||
      !llvm::all_of(g.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return {};
  Value y = yielded(g);
  bool widened = false;
  if (!y || !isArg(y, g, 0, widened) || !widened ||
      g.getRegion().front().getOperations().size() != 2)
    return {};
  return g.getDpsInputs()[0];
}

FailureOr<mlir::ssm::gemm::BiasInit>
mlir::ssm::gemm::matchBiasInit(const Contraction &c) {
  linalg::GenericOp op = c.op;
  auto bc = op.getDpsInits()[0].getDefiningOp<linalg::GenericOp>();
  if (!bc || bc.getNumDpsInputs() != 1 || bc.getNumDpsInits() != 1 ||
      !allParallel(bc) || !bc.getIndexingMapsArray()[1].isIdentity())
    return failure();
  AffineMap in = bc.getIndexingMapsArray()[0];
  auto biasType = dyn_cast<ShapedType>(bc.getDpsInputs()[0].getType());
  BiasInit r;
  r.broadcast = bc;
  if (!biasType || biasType.getRank() != 1 || in.getNumResults() != 1 ||
      !yielded(bc) || !isArg(yielded(bc), bc, 0, r.widened) ||
      bc.getRegion().front().getOperations().size() != size_t(1 + r.widened))
    return failure();
  auto d = dyn_cast<AffineDimExpr>(in.getResult(0));
  if (!d)
    return failure();
  if (c.mDims.size() == 1 && d.getPosition() == c.mDims[0])
    r.axis = BiasAxis::M;
  else if (c.nDims.size() == 1 && d.getPosition() == c.nDims[0])
    r.axis = BiasAxis::N;
  else
    return failure();
  r.bias = bc.getDpsInputs()[0];
  return r;
}

bool mlir::ssm::gemm::isZeroFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && isZero(fill.getInputs()[0]);
}

Type mlir::ssm::gemm::roundsTo16Bit(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumResults() != 1 || !allParallel(g) ||
      !llvm::all_of(g.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return {};
  Block &body = g.getRegion().front();
  if (body.getOperations().size() != 2)
    return {};
  auto trunc = dyn_cast<arith::TruncFOp>(body.front());
  if (!trunc || trunc.getIn() != body.getArgument(0) || yielded(g) != trunc.getResult() ||
      !trunc.getIn().getType().isF32())
    return {};
  Type t = trunc.getType();
  return t.isBF16() || t.isF16() ? t : Type();
}

linalg::GenericOp mlir::ssm::gemm::roundingReader(linalg::GenericOp g) {
  if (g.getNumResults() != 1 || !g.getResult(0).hasOneUse())
    return {};
  OpOperand &use = *g.getResult(0).getUses().begin();
  auto reader = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!reader || !reader.isDpsInput(&use) || !roundsTo16Bit(reader))
    return {};
  return reader;
}
