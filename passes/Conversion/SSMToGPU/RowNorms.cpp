//===- RowNorms.cpp - ssm-row-norms-to-gpu --------------------------------===//
//
// A LayerNorm / RMSNorm over the contiguous last dimension bufferizes into a
// chain of ops over the same rows: zero fills and reductions of the row (sum,
// sum of squared deviations), per-row ops on the results (mean = sum / C) and
// the elementwise op that normalizes the row, often right after the
// elementwise residual add that produced the row. On the GPU each would be a
// launch of its own, each reading the row again. This pass makes the chain one
// kernel with a warp per row: the lanes hold the row's elements in registers,
// the reductions combine the lanes with xor shuffles (all lanes get the
// result, so the next pass over the registers needs no memory), and only the
// outputs that something outside the chain reads are stored. planRowNorm
// (KernelPlans.h) decides whether the held rows fit and the launch shape.
//
// The same chain over a strided row (channel-first buffers: the reduction
// loop is not the last, the tokens are contiguous) runs as tiles of tokens
// (threadIdx.x) x channel slices (threadIdx.y) that combine the slices'
// partial results through shared memory (planStridedRowNorm).
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/EmitUtils.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"
#include "ssm/Conversion/SSMToGPU/MemoryExtent.h"
#include "ssm/Conversion/SSMToGPU/RowReductionUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/ScopeExit.h"

#include <limits>

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMROWNORMSTOGPU
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// An access of an op of the chain: the buffer and its indexing map's
/// results, over the chain's k + 1 dims (row dims d0..d(k-1), column dk).
/// Equal keys read equal elements at equal loop points.
using Key = std::pair<Value, AffineMap>;

struct Step {
  enum Kind { Producer, Reduction, RowOp, Output } kind;
  mutable linalg::GenericOp op;        // (op methods are not const)
  ssm::detail::RowReduction reduction; // Reduction
  mutable linalg::FillOp fill;         // Reduction: its init's fill
};

/// A matched chain, in program order, ending with its Output step.
struct Chain {
  unsigned k = 0;
  /// The reduction loop of the chain's k + 1-loop ops; every access map is
  /// seen with it moved last (`canonical`), so the column is always dk. Not
  /// last: a strided row (channel-first), whose last row dim d(k-1) indexes
  /// the unit-stride dimension (the tokens).
  unsigned col = 0;
  bool strided = false;
  /// (canonical dims) -> (the op's loops).
  AffineMap canonical;
  SmallVector<int64_t> ranges; // k + 1 loop extents, canonical order
  int64_t rows = 1, rowLength = 1;
  SmallVector<Step> steps;
  /// Per-row buffers the chain computes (reduction and row-op outputs):
  /// registers, read only through the row's own element.
  DenseSet<Value> rowValues;
  /// The producer's output, held in registers under this key.
  std::optional<Key> produced;
  /// Chain outputs something outside the chain reads: stored.
  DenseSet<Value> stored;
  /// Row buffers read by more than one step (registers across steps).
  int64_t heldRows = 0;
  /// The smallest element (bytes) of the rows read.
  int64_t elementBytes = 4;

  /// An access of `op`'s over the canonical dims.
  AffineMap mapOf(linalg::GenericOp op, OpOperand *operand) const {
    AffineMap m = op.getMatchingIndexingMap(operand);
    if (op.getNumLoops() != k + 1 || col == k)
      return m;
    return m.compose(canonical);
  }
  /// `op`'s loop extents, canonical order.
  SmallVector<int64_t> rangesOf(linalg::GenericOp op) const {
    SmallVector<int64_t> r = op.getStaticLoopRanges();
    if (r.size() != k + 1 || col == k)
      return r;
    int64_t c = r[col];
    r.erase(r.begin() + col);
    r.push_back(c);
    return r;
  }
  /// Loop d of `op` as a canonical dim.
  unsigned dimOf(linalg::GenericOp op, unsigned d) const {
    if (op.getNumLoops() != k + 1 || d < col)
      return d;
    return d == col ? k : d - 1;
  }
};

Key keyOf(const Chain &c, linalg::GenericOp op, OpOperand *operand) {
  AffineMap m = c.mapOf(op, operand);
  return {operand->get(),
          AffineMap::get(c.k + 1, 0, m.getResults(), op.getContext())};
}

/// (d0, ..., d(k-1)) over `dims` dims: a row's own per-row element.
bool isRowIdentity(AffineMap m, unsigned k) {
  if (m.getNumResults() != k)
    return false;
  for (unsigned d = 0; d < k; ++d) {
    auto e = dyn_cast<AffineDimExpr>(m.getResult(d));
    if (!e || e.getPosition() != d)
      return false;
  }
  return true;
}

/// The column dk indexes only the last, unit-stride dimension.
bool isContiguousColumn(AffineMap m, Value buffer, unsigned k) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || m.getNumResults() == 0)
    return false;
  auto last = dyn_cast<AffineDimExpr>(m.getResults().back());
  if (!last || last.getPosition() != k)
    return false;
  for (AffineExpr e : m.getResults().drop_back())
    if (e.isFunctionOfDim(k))
      return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

/// A strided row's access: the last result indexes the unit-stride dimension
/// with the last row dim d(k-1) (coalesced across a block's tokens), another
/// result the column dk. Reads may also be per-column vectors (a norm's
/// weights), the same for every row.
bool isStridedColumn(AffineMap m, Value buffer, unsigned k, bool read) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || m.getNumResults() == 0 || k == 0)
    return false;
  bool rowFree = true;
  for (unsigned d = 0; d < k; ++d)
    rowFree &= !m.isFunctionOfDim(d);
  if (read && rowFree)
    return true;
  AffineExpr last = m.getResults().back();
  SmallVector<int64_t> strides;
  int64_t offset;
  return last.isFunctionOfDim(k - 1) && !last.isFunctionOfDim(k) &&
         m.isFunctionOfDim(k) &&
         succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

bool isColumnAccess(const Chain &c, AffineMap m, Value buffer, bool read) {
  return c.strided ? isStridedColumn(m, buffer, c.k, read)
                   : isContiguousColumn(m, buffer, c.k);
}

bool mayOverlap(Value a, Value b) {
  return !ssm::detail::provablyDisjoint(a, b);
}

bool isElementwise(linalg::GenericOp op) {
  return op.hasPureBufferSemantics() && op.getNumDpsInits() == 1 &&
         op.getNumLoops() == op.getNumParallelLoops() &&
         op.getMatchingBlockArgument(op.getDpsInitOperand(0)).use_empty() &&
         llvm::all_of(op.getStaticLoopRanges(),
                      [](int64_t r) { return !ShapedType::isDynamic(r); });
}

/// Ops the chain's ops may move past: pure ones and allocations (the
/// kernel goes where the chain's last op was, after them).
bool isNeutral(Operation *op) {
  return isMemoryEffectFree(op) || isa<memref::AllocOp, memref::AllocaOp>(op);
}

bool readsAny(linalg::GenericOp op, const DenseSet<Value> &values) {
  return llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
    return values.contains(in->get());
  });
}

/// The chain starting at reduction `first` (see the pass description), with
/// the op that produced its row where `withProducer` and it qualifies, or
/// nothing.
std::optional<Chain> matchChain(linalg::GenericOp first, bool withProducer) {
  std::optional<ssm::detail::RowReduction> r0 =
      ssm::detail::matchRowReduction(first);
  if (!r0 || (r0->dim + 1 == first.getNumLoops() && !r0->contiguous))
    return std::nullopt;
  Chain c;
  c.k = first.getNumLoops() - 1;
  c.col = r0->dim;
  c.strided = c.col != c.k;
  {
    SmallVector<AffineExpr> loops;
    for (unsigned d = 0; d <= c.k; ++d)
      loops.push_back(getAffineDimExpr(c.dimOf(first, d), first.getContext()));
    c.canonical = AffineMap::get(c.k + 1, 0, loops, first.getContext());
  }
  c.ranges = c.rangesOf(first);
  c.rows = r0->rows;
  c.rowLength = r0->rowLength;
  const unsigned k = c.k;
  ArrayRef<int64_t> rowRanges = ArrayRef<int64_t>(c.ranges).take_front(k);

  // Reductions: into a row-identity f32 buffer that a constant fill of the
  // chain's window initialized.
  DenseMap<Value, linalg::FillOp> fills;
  auto addReduction = [&](linalg::GenericOp op) {
    std::optional<ssm::detail::RowReduction> r =
        ssm::detail::matchRowReduction(op);
    if (!r || r->dim != c.col || (!c.strided && !r->contiguous) ||
        c.rangesOf(op) != c.ranges)
      return false;
    OpOperand *init = op.getDpsInitOperand(0);
    auto fill = fills.lookup(init->get());
    if (!fill || !isRowIdentity(c.mapOf(op, init), k) ||
        fill.getInputs()[0].getType() != r->value.getType())
      return false;
    fills.erase(init->get());
    c.steps.push_back({Step::Reduction, op, *r, fill});
    c.rowValues.insert(init->get());
    return true;
  };
  auto takeFill = [&](Operation *op) {
    auto fill = dyn_cast<linalg::FillOp>(op);
    if (!fill || !fill.hasPureBufferSemantics() ||
        !fill.getInputs()[0].getType().isF32())
      return false;
    fills[fill.getOutputs()[0]] = fill;
    return true;
  };

  // Backwards from the first reduction: its fill, then the producer.
  Operation *before = first->getPrevNode();
  for (; before; before = before->getPrevNode()) {
    if (isNeutral(before))
      continue;
    if (!takeFill(before))
      break;
  }
  if (!addReduction(first))
    return std::nullopt;
  if (auto producer = dyn_cast_or_null<linalg::GenericOp>(before);
      withProducer && producer && isElementwise(producer) &&
      c.rangesOf(producer) == c.ranges) {
    OpOperand *out = producer.getDpsInitOperand(0);
    Key key = keyOf(c, producer, out);
    if (isColumnAccess(c, key.second, key.first, /*read=*/false)) {
      c.steps.insert(c.steps.begin(), {Step::Producer, producer, {}, {}});
      c.produced = key;
    }
  }

  // Forwards: more reductions and per-row ops, up to the output op.
  bool done = false;
  for (Operation *op = first->getNextNode(); op && !done;
       op = op->getNextNode()) {
    if (isNeutral(op) || takeFill(op))
      continue;
    auto g = dyn_cast<linalg::GenericOp>(op);
    if (!g || !g.hasPureBufferSemantics())
      return std::nullopt;
    if (g.getNumLoops() == k + 1 && c.rangesOf(g) == c.ranges &&
        g.getNumReductionLoops() == 1) {
      if (!addReduction(g))
        return std::nullopt;
      continue;
    }
    if (!isElementwise(g) || !readsAny(g, c.rowValues))
      return std::nullopt;
    OpOperand *out = g.getDpsInitOperand(0);
    if (g.getNumLoops() == k && g.getStaticLoopRanges() == rowRanges &&
        isRowIdentity(g.getMatchingIndexingMap(out), k)) {
      c.steps.push_back({Step::RowOp, g, {}, {}});
      c.rowValues.insert(out->get());
      continue;
    }
    if (g.getNumLoops() == k + 1 && c.rangesOf(g) == c.ranges &&
        isColumnAccess(c, c.mapOf(g, out), out->get(), /*read=*/false)) {
      c.steps.push_back({Step::Output, g, {}, {}});
      done = true;
      continue;
    }
    return std::nullopt;
  }
  if (!done || !fills.empty())
    return std::nullopt;

  // Reads: a chain-computed row value through the row's own element, the
  // produced row through the producer's key (both registers), anything else
  // from memory, never a buffer the chain writes.
  DenseSet<Value> written;
  for (const Step &s : c.steps)
    written.insert(s.op.getDpsInitOperand(0)->get());
  SmallVector<Value> reads;
  DenseMap<Key, int64_t> readers;
  DenseSet<Value> computed;
  for (const Step &s : c.steps) {
    unsigned dims = s.op.getNumLoops();
    DenseSet<Key> seen;
    for (OpOperand *in : s.op.getDpsInputOperands()) {
      Key key = keyOf(c, s.op, in);
      AffineMap m = c.mapOf(s.op, in);
      bool column = dims == k + 1 && m.isFunctionOfDim(k);
      if (column && !isColumnAccess(c, m, in->get(), /*read=*/true))
        return std::nullopt;
      if (Type e = getElementTypeOrSelf(in->get().getType());
          column && e.isIntOrFloat())
        c.elementBytes = std::min<int64_t>(
            c.elementBytes,
            std::max<int64_t>(e.getIntOrFloatBitWidth() / 8, 1));
      if (c.rowValues.contains(in->get())) {
        if (column || !isRowIdentity(m, k) || !computed.contains(in->get()))
          return std::nullopt;
        continue;
      }
      if (c.produced && key == *c.produced) {
        if (s.kind == Step::Producer)
          return std::nullopt;
        if (seen.insert(key).second)
          ++readers[key];
        continue;
      }
      if (written.contains(in->get()))
        return std::nullopt;
      reads.push_back(in->get());
      if (column && seen.insert(key).second)
        ++readers[key];
    }
    Value out = s.op.getDpsInitOperand(0)->get();
    if (c.rowValues.contains(out))
      computed.insert(out);
  }
  if (c.produced)
    ++readers[*c.produced];
  for (auto &[key, n] : readers)
    c.heldRows += n > 1;

  // Stores: what outside the chain reads, and the output.
  DenseSet<Operation *> members;
  for (const Step &s : c.steps) {
    members.insert(s.op);
    if (s.fill)
      members.insert(s.fill);
  }
  for (const Step &s : c.steps) {
    Value out = s.op.getDpsInitOperand(0)->get();
    bool external = s.kind == Step::Output ||
                    llvm::any_of(out.getUsers(), [&](Operation *user) {
                      return !members.contains(user);
                    });
    // A chain buffer that is not a plain allocation may be read through
    // another name.
    Operation *def = out.getDefiningOp();
    if (!def || !isa<memref::ViewOp, memref::AllocOp, memref::AllocaOp>(def))
      external = true;
    if (external)
      c.stored.insert(out);
  }
  for (Value w : c.stored) {
    for (Value rd : reads)
      if (mayOverlap(w, rd))
        return std::nullopt;
    for (Value w2 : c.stored)
      if (w != w2 && mayOverlap(w, w2))
        return std::nullopt;
  }
  return c;
}

/// The launch shape of either plan. "Lanes" share a row: a warp's lanes
/// (contiguous rows, shuffles combine them) or a block's channel slices
/// (strided rows, shared memory combines them); lane l holds the row's
/// elements l, l + lanes, ... (`slots` of them).
struct Tiling {
  bool strided = false;
  int64_t lanes = 1, slots = 1, rowsPerBlock = 1, blocks = 1;
  /// Rows read by several steps stay in registers (else loaded again).
  bool hold = true;
  int64_t reductions = 0;
};

/// Emits a chain as planned: a gpu.launch (a warp per row, or a tile of
/// rows x channel slices), or with `emulate` the same per-lane code as loops
/// over rows and lanes.
struct NormEmitter {
  const Chain &c;
  const Tiling &plan;
  bool emulate;
  OpBuilder &b;
  Location loc;

  NormEmitter(const Chain &c, const Tiling &plan, bool emulate, OpBuilder &b,
              Location loc)
      : c(c), plan(plan), emulate(emulate), b(b), loc(loc) {}

  /// Strided launch: the thread's row (threadIdx.x), whether it is a row
  /// (the last block's extra threads compute a clamped row and store
  /// nothing: all reach the barriers), the slices' shared buffers.
  Value token, rowValid;
  SmallVector<Value> shared;
  int64_t reductionsDone = 0;
  /// Where emulation's stack buffers go (before the row loop).
  OpBuilder::InsertPoint allocaPoint;
  SmallVector<Value> rowIvs;
  Value lane;
  /// Per slot i: the column, clamped into the row (loads stay in bounds),
  /// and whether the slot is inside the row (null where always).
  SmallVector<Value> cols, valid;
  DenseMap<Value, Value> rowRegs;
  /// Element registers of the current lane code; in emulation they live
  /// only inside one lane loop, and `spills` keeps them across loops.
  DenseMap<Key, SmallVector<Value>> held;
  DenseMap<Key, Value> spills;
  DenseSet<Key> spilled;
  DenseMap<Key, Value> rowLoads;

  int64_t lanes() const { return plan.lanes; }
  int64_t slots() const { return plan.slots; }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  void setLane(Value l) {
    lane = l;
    cols.clear();
    valid.clear();
    for (int64_t i = 0; i < slots(); ++i) {
      Value col = arith::AddIOp::create(b, loc, l, idx(i * lanes()));
      if ((i + 1) * lanes() > c.rowLength) {
        valid.push_back(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                              col, idx(c.rowLength)));
        col = arith::MinUIOp::create(b, loc, col, idx(c.rowLength - 1));
      } else {
        valid.push_back(Value());
      }
      cols.push_back(col);
    }
  }

  SmallVector<Value> indices(AffineMap m, std::optional<int64_t> slot) {
    SmallVector<Value> ivs(rowIvs);
    unsigned dims = m.getNumDims();
    if (dims > c.k)
      ivs.push_back(slot ? cols[*slot] : idx(0));
    SmallVector<Value> out;
    for (AffineExpr e : m.getResults())
      out.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(dims, 0, e), ivs));
    return out;
  }

  /// Records `v` as slot i of `key` for the current lane code.
  void hold(const Key &key, int64_t i, Value v) {
    SmallVector<Value> &slotsOf = held[key];
    slotsOf.resize(slots());
    slotsOf[i] = v;
    if (!emulate)
      return;
    Value &spill = spills[key];
    if (!spill) {
      OpBuilder::InsertionGuard g(b);
      b.restoreInsertionPoint(allocaPoint);
      spill = memref::AllocaOp::create(
          b, loc, MemRefType::get({lanes(), slots()}, v.getType()));
    }
    memref::StoreOp::create(b, loc, v, spill, ValueRange{lane, idx(i)});
  }

  /// Slot i of an element access (the column varies).
  Value element(const Key &key, int64_t i) {
    auto it = held.find(key);
    if (it != held.end() && it->second.size() > size_t(i) && it->second[i])
      return it->second[i];
    Value v;
    if (spilled.contains(key) && (plan.hold || key == c.produced))
      v = memref::LoadOp::create(b, loc, spills[key], ValueRange{lane, idx(i)});
    else
      v = memref::LoadOp::create(b, loc, key.first, indices(key.second, i));
    held[key].resize(slots());
    held[key][i] = v;
    if (emulate && !spilled.contains(key) && plan.hold)
      hold(key, i, v);
    return v;
  }

  /// A per-row access (no column): a chain register or one load.
  Value rowValue(const Key &key) {
    if (Value r = rowRegs.lookup(key.first))
      return r;
    Value &v = rowLoads[key];
    if (!v)
      v = memref::LoadOp::create(b, loc, key.first,
                                 indices(key.second, std::nullopt));
    return v;
  }

  /// The op's body at slot i (std::nullopt: a per-row op), cloned up to
  /// `stop` (the reduction's combiner) or the yield; returns the value
  /// `result` (or the yielded value) maps to.
  Value cloneBody(linalg::GenericOp op, std::optional<int64_t> slot,
                  Operation *stop = nullptr, Value result = Value()) {
    IRMapping map;
    for (OpOperand *in : op.getDpsInputOperands()) {
      Key key = keyOf(c, op, in);
      bool column = slot && c.mapOf(op, in).isFunctionOfDim(c.k);
      map.map(op.getMatchingBlockArgument(in),
              column ? element(key, *slot) : rowValue(key));
    }
    Block &body = op.getRegion().front();
    for (Operation &inner : body.without_terminator()) {
      if (&inner == stop)
        break;
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        unsigned d = c.dimOf(op, index.getDim());
        map.map(index.getResult(), d < c.k ? rowIvs[d] : cols[*slot]);
        continue;
      }
      b.clone(inner, map);
    }
    if (!result)
      result = body.getTerminator()->getOperand(0);
    return map.lookupOrDefault(result);
  }

  /// Stores a slot's value where the slot is inside the row.
  void storeSlot(Value v, Value buffer, AffineMap m, int64_t i) {
    auto store = [&] {
      memref::StoreOp::create(b, loc, v, buffer, indices(m, i));
    };
    Value cond = valid[i];
    if (rowValid)
      cond = cond ? arith::AndIOp::create(b, loc, cond, rowValid).getResult()
                  : rowValid;
    if (!cond) {
      store();
      return;
    }
    auto guard = scf::IfOp::create(b, loc, cond, /*withElse=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    store();
  }

  /// Runs `body` as one lane's code: inline on the GPU, a loop over the
  /// lanes in emulation.
  void perLane(llvm::function_ref<void()> body) {
    if (!emulate) {
      body();
      return;
    }
    Value outerLane = lane;
    SmallVector<Value> outerCols = cols, outerValid = valid;
    auto loop = scf::ForOp::create(b, loc, idx(0), idx(lanes()), idx(1));
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      setLane(loop.getInductionVar());
      body();
    }
    lane = outerLane;
    cols = outerCols;
    valid = outerValid;
    for (auto &[key, values] : held)
      if (spills.count(key))
        spilled.insert(key);
    held.clear();
    rowLoads.clear();
  }

  /// The lanes' partial results combined in an xor butterfly (lane l with
  /// lane l ^ offset, offsets lanes/2 .. 1): the same value in every lane.
  Value acrossLanes(Operation *combiner, llvm::function_ref<Value()> partial) {
    if (plan.strided)
      return acrossSlices(combiner, partial);
    if (!emulate) {
      Value acc = partial();
      for (int64_t offset = lanes() / 2; offset >= 1; offset /= 2) {
        Value other =
            gpu::ShuffleOp::create(b, loc, acc, int32_t(offset),
                                   int32_t(lanes()), gpu::ShuffleMode::XOR)
                .getShuffleResult();
        acc = ssm::detail::combineLike(b, loc, combiner, acc, other);
      }
      return acc;
    }
    Value bufs[2];
    {
      OpBuilder::InsertionGuard g(b);
      b.restoreInsertionPoint(allocaPoint);
      for (Value &buf : bufs)
        buf = memref::AllocaOp::create(
            b, loc, MemRefType::get({lanes()}, b.getF32Type()));
    }
    perLane([&] { memref::StoreOp::create(b, loc, partial(), bufs[0], lane); });
    int from = 0;
    for (int64_t offset = lanes() / 2; offset >= 1; offset /= 2) {
      auto loop = scf::ForOp::create(b, loc, idx(0), idx(lanes()), idx(1));
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      Value l = loop.getInductionVar();
      Value other = arith::XOrIOp::create(b, loc, l, idx(offset));
      Value x = memref::LoadOp::create(b, loc, bufs[from], l);
      Value y = memref::LoadOp::create(b, loc, bufs[from], other);
      memref::StoreOp::create(b, loc,
                              ssm::detail::combineLike(b, loc, combiner, x, y),
                              bufs[1 - from], l);
      from = 1 - from;
    }
    return memref::LoadOp::create(b, loc, bufs[from], idx(0));
  }

  /// The slices' partial results through shared memory: each thread stores
  /// its own, and after a barrier every thread of the row folds all of them
  /// in slice order (the same value everywhere). A buffer per reduction, so
  /// no barrier guards its reuse. Emulation: the same fold over a buffer.
  Value acrossSlices(Operation *combiner,
                     llvm::function_ref<Value()> partial) {
    auto fold = [&](llvm::function_ref<Value(int64_t)> load) {
      Value acc = ssm::detail::reductionIdentity(b, loc, combiner);
      for (int64_t s = 0; s < lanes(); ++s)
        acc = ssm::detail::combineLike(b, loc, combiner, acc, load(s));
      return acc;
    };
    if (!emulate) {
      Value buf = shared[reductionsDone++];
      memref::StoreOp::create(b, loc, partial(), buf, ValueRange{lane, token});
      gpu::BarrierOp::create(b, loc);
      return fold([&](int64_t s) {
        return memref::LoadOp::create(b, loc, buf, ValueRange{idx(s), token});
      });
    }
    Value buf;
    {
      OpBuilder::InsertionGuard g(b);
      b.restoreInsertionPoint(allocaPoint);
      buf = memref::AllocaOp::create(
          b, loc, MemRefType::get({lanes()}, b.getF32Type()));
    }
    perLane([&] { memref::StoreOp::create(b, loc, partial(), buf, lane); });
    return fold(
        [&](int64_t s) { return memref::LoadOp::create(b, loc, buf, idx(s)); });
  }

  /// A per-row value stored by one lane (lane 0; every lane has it).
  void storeRow(Value v, linalg::GenericOp op) {
    OpOperand *out = op.getDpsInitOperand(0);
    if (!c.stored.contains(out->get()))
      return;
    auto store = [&] {
      memref::StoreOp::create(b, loc, v, out->get(),
                              indices(c.mapOf(op, out), std::nullopt));
    };
    if (emulate) {
      store();
      return;
    }
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, idx(0));
    if (rowValid)
      first = arith::AndIOp::create(b, loc, first, rowValid);
    auto guard = scf::IfOp::create(b, loc, first, /*withElse=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    store();
  }

  void emitStep(const Step &s) {
    linalg::GenericOp op = s.op;
    OpOperand *out = op.getDpsInitOperand(0);
    AffineMap outMap = c.mapOf(op, out);
    // Without registers for the rows, each step loads them again (the
    // produced row, never stored, always stays: the plan is applied without
    // the producer then).
    llvm::scope_exit release([&] {
      if (plan.hold)
        return;
      for (auto it = held.begin(); it != held.end();) {
        auto cur = it++;
        if (cur->first != c.produced)
          held.erase(cur);
      }
    });
    switch (s.kind) {
    case Step::Producer:
      perLane([&] {
        for (int64_t i = 0; i < slots(); ++i) {
          Value v = cloneBody(op, i);
          hold(*c.produced, i, v);
          if (c.stored.contains(out->get()))
            storeSlot(v, out->get(), outMap, i);
        }
      });
      return;
    case Step::Reduction: {
      // Reassociable and contractable, as ssm-reassociate-reductions makes
      // the GPU's other reductions (it runs after this pass).
      auto flags = arith::FastMathFlagsAttr::get(
          op.getContext(),
          arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
      // (Not the conversions: fpext / fptrunc would carry them as an
      // unknown attribute.)
      op->walk([&](arith::ArithFastMathInterface math) {
        if (!isa<arith::ExtFOp, arith::TruncFOp>(math))
          math->setAttr(math.getFastMathAttrName(), flags);
      });
      Operation *combiner = s.reduction.combiner;
      Value total = acrossLanes(combiner, [&] {
        Value acc = ssm::detail::reductionIdentity(b, loc, combiner);
        for (int64_t i = 0; i < slots(); ++i) {
          Value v = cloneBody(op, i, combiner, s.reduction.value);
          Value next = ssm::detail::combineLike(b, loc, combiner, v, acc);
          acc = valid[i] ? arith::SelectOp::create(b, loc, valid[i], next, acc)
                               .getResult()
                         : next;
        }
        return acc;
      });
      // The fill's value, as the unfused reduction folds its init in.
      Value init = s.fill.getInputs()[0];
      if (Operation *def = init.getDefiningOp();
          def && def->hasTrait<OpTrait::ConstantLike>())
        init = b.clone(*def)->getResult(0);
      total = ssm::detail::combineLike(b, loc, combiner, total, init);
      rowRegs[out->get()] = total;
      storeRow(total, op);
      return;
    }
    case Step::RowOp: {
      Value v = cloneBody(op, std::nullopt);
      rowRegs[out->get()] = v;
      storeRow(v, op);
      return;
    }
    case Step::Output:
      perLane([&] {
        for (int64_t i = 0; i < slots(); ++i)
          storeSlot(cloneBody(op, i), out->get(), outMap, i);
      });
      return;
    }
  }

  /// The row's indices, then every step.
  void emitRow(Value row) {
    SmallVector<Value> sizes;
    for (unsigned d = 0; d < c.k; ++d)
      sizes.push_back(idx(c.ranges[d]));
    rowIvs = ssm::detail::delinearize(b, loc, row, sizes);
    for (const Step &s : c.steps)
      emitStep(s);
  }

  /// Strided rows: blocks of rowsPerBlock rows (threadIdx.x) x lanes
  /// slices (threadIdx.y), no guard around the body (barriers).
  void emitStridedLaunch() {
    auto space = gpu::AddressSpaceAttr::get(b.getContext(),
                                            gpu::AddressSpace::Workgroup);
    SmallVector<Type> sharedTypes(
        plan.reductions,
        MemRefType::get({lanes(), plan.rowsPerBlock}, b.getF32Type(),
                        MemRefLayoutAttrInterface(), space));
    Value one = idx(1);
    auto launch = gpu::LaunchOp::create(
        b, loc, idx(plan.blocks), one, one, idx(plan.rowsPerBlock), idx(lanes()),
        one, /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        ValueRange{}, sharedTypes);
    b.setInsertionPointToStart(&launch.getBody().front());
    shared.assign(launch.getWorkgroupAttributions().begin(),
                  launch.getWorkgroupAttributions().end());
    token = launch.getThreadIds().x;
    Value row = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                              idx(plan.rowsPerBlock)),
        token);
    rowValid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                     idx(c.rows));
    Value clamped = arith::MinUIOp::create(b, loc, row, idx(c.rows - 1));
    setLane(launch.getThreadIds().y);
    emitRow(clamped);
    gpu::TerminatorOp::create(b, loc);
  }

  void emitLaunch() {
    if (plan.strided)
      return emitStridedLaunch();
    auto [launch, row, guard] = ssm::detail::createWarpPerRowLaunch(
        b, loc, plan.blocks, lanes(), plan.rowsPerBlock, c.rows);
    setLane(launch.getThreadIds().x);
    emitRow(row);
    b.setInsertionPointToEnd(&launch.getBody().front());
    gpu::TerminatorOp::create(b, loc);
  }

  void emitLoops() {
    // Blocks, then their warps, as the launch maps them.
    auto blocks = scf::ForOp::create(b, loc, idx(0), idx(plan.blocks), idx(1));
    allocaPoint =
        OpBuilder::InsertPoint(blocks->getBlock(), blocks->getIterator());
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(blocks.getBody());
    auto warps =
        scf::ForOp::create(b, loc, idx(0), idx(plan.rowsPerBlock), idx(1));
    b.setInsertionPointToStart(warps.getBody());
    Value row = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, blocks.getInductionVar(),
                              idx(plan.rowsPerBlock)),
        warps.getInductionVar());
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          row, idx(c.rows));
    auto guard = scf::IfOp::create(b, loc, inRange, /*withElse=*/false);
    b.setInsertionPointToStart(guard.thenBlock());
    // Lane 0 for the per-row code between lane loops.
    setLane(idx(0));
    emitRow(row);
  }
};

/// The chain's launch plan (planRowNorm or planStridedRowNorm), or none.
std::optional<Tiling> planChain(const Chain &c,
                                const ssm::GPUTargetInfo &target) {
  Tiling t;
  t.reductions = llvm::count_if(
      c.steps, [](const Step &s) { return s.kind == Step::Reduction; });
  if (c.strided) {
    ssm::StridedRowNormPlan p = ssm::planStridedRowNorm(
        c.rows, c.rowLength, c.heldRows, c.elementBytes, target);
    if (!p.fused)
      return std::nullopt;
    t.strided = true;
    t.lanes = p.slices;
    t.slots = p.elementsPerThread;
    t.rowsPerBlock = p.tokensPerBlock;
    t.blocks = p.blocks;
    t.hold = p.holdInRegisters;
    return t;
  }
  ssm::RowNormPlan p =
      ssm::planRowNorm(c.rows, c.rowLength, c.heldRows, target);
  if (!p.fused)
    return std::nullopt;
  t.lanes = p.lanesPerRow;
  t.slots = p.elementsPerLane;
  t.rowsPerBlock = p.rowsPerBlock;
  t.blocks = p.blocks;
  return t;
}

struct RowNormsToGPUPass : ssm::impl::SSMRowNormsToGPUBase<RowNormsToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    const ssm::GPUTargetInfo target = ssm::getGPUTargetInfo(chip);
    SmallVector<linalg::GenericOp> candidates;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (!op->getParentOfType<gpu::LaunchOp>() &&
          !op->getParentOfType<gpu::GPUFuncOp>() &&
          op.getNumReductionLoops() == 1)
        candidates.push_back(op);
    });
    DenseSet<Operation *> erased;
    for (linalg::GenericOp first : candidates) {
      if (erased.contains(first))
        continue;
      // Without the producer where it cannot be fused (the output may share
      // bytes with the producer's inputs: views of a planned workspace).
      std::optional<Chain> chain = matchChain(first, /*withProducer=*/true);
      if (!chain)
        chain = matchChain(first, /*withProducer=*/false);
      if (!chain)
        continue;
      std::optional<Tiling> plan = planChain(*chain, target);
      // Rows reloaded per pass cannot reload a produced row that is never
      // stored: the producer stays its own kernel then.
      if (plan && !plan->hold && chain->produced) {
        chain = matchChain(first, /*withProducer=*/false);
        plan = chain ? planChain(*chain, target) : std::nullopt;
      }
      if (!plan)
        continue;
      linalg::GenericOp last = chain->steps.back().op;
      OpBuilder b(last);
      NormEmitter emitter(*chain, *plan, emulate, b, last.getLoc());
      if (emulate)
        emitter.emitLoops();
      else
        emitter.emitLaunch();
      SmallVector<Value> buffers;
      for (const Step &s : llvm::reverse(chain->steps)) {
        buffers.push_back(s.op.getDpsInitOperand(0)->get());
        erased.insert(s.op);
        s.op->erase();
        if (s.fill)
          s.fill->erase();
      }
      // Statistics nothing else reads need no memory.
      for (Value buffer : buffers)
        if (auto alloc = buffer.getDefiningOp<memref::AllocOp>();
            alloc && alloc->use_empty())
          alloc->erase();
    }
  }
};

} // namespace
