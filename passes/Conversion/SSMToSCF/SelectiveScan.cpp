//===- SelectiveScan.cpp - ssm.selective_scan{,_grad} to loops --------===//
//
// Forward (docs/semantics.md §2.1): parallel over (b, d); per lane a loop
// over l with the n states in registers (static n) or a local buffer. Flips
// along time and FastVim's axis_pool feeding the scan, and a flip or
// axis_broadcast consuming it, are folded into the loads and stores.
//
// Backward (§2.2): per lane (b, d) the forward states are recomputed into an
// (l, n) buffer, then one reverse sweep carries lambda_{t+1} * Abar_{t+1} per
// state. dB/dC sum over the channels of a group, so those never run in
// parallel into one sum: with a static n the channels are split into parts
// (planScanGradChannelParts) that each sum into their own partial, added up
// at the end, and the n states are one vector (B, C, dB, dC transposed to
// time-major so every step reads and accumulates contiguous vectors); with a
// dynamic n the lanes of one batch run in sequence, scalar per state. dA, dD
// and ddelta_bias are summed in per-lane partials reduced afterwards.
//
//===----------------------------------------------------------------------===//

#include "LoopEmitter.h"
#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <array>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::ssm;
using mlir::ssm::detail::LoopEmitter;

namespace {

/// How the scan loops read one sequence operand (u, delta, z: time last; B,
/// C: time last): from the operand's own buffer, or through a producer folded
/// into the loads, so that producer's result is never materialized.
struct SequenceRead {
  enum class Via { Buffer, Flip, Pool };
  Via via = Via::Buffer;
  Value buffer; // the operand's buffer, or the folded producer's input
  Value length; // size of buffer's last (time) dimension
  int64_t cols = 1;
  PoolKind pool = PoolKind::mean;
  double factor = 1.0;
  Operation *producer = nullptr;

  /// Reads `operand`, folding a producing flip along time (any operand) or
  /// axis_pool (when `allowPool`) if `fold` is set.
  static SequenceRead of(LoopEmitter &e, Value operand, bool fold,
                         bool allowPool) {
    SequenceRead r;
    if (!operand)
      return r;
    int64_t timeDim = cast<RankedTensorType>(operand.getType()).getRank() - 1;
    if (auto flip = operand.getDefiningOp<FlipOp>();
        fold && flip && flip.getDim() == timeDim) {
      r.via = Via::Flip;
      r.producer = flip;
      r.buffer = e.buffer(flip.getInput());
    } else if (auto pool = operand.getDefiningOp<AxisPoolOp>();
               fold && allowPool && pool) {
      r.via = Via::Pool;
      r.producer = pool;
      r.buffer = e.buffer(pool.getInput());
      r.cols = pool.getCols();
      r.pool = pool.getKind();
      r.factor = pool.getScale().convertToDouble();
      if (r.pool == PoolKind::mean)
        r.factor /= double(r.cols);
    } else {
      r.buffer = e.buffer(operand);
    }
    r.length = e.dim(r.buffer, timeDim);
    return r;
  }

  explicit operator bool() const { return static_cast<bool>(buffer); }

  /// The f32 value at `idx` (time last) of the operand.
  Value load(LoopEmitter &e, SmallVector<Value> idx) const {
    switch (via) {
    case Via::Buffer:
      return e.load(buffer, idx);
    case Via::Flip:
      idx.back() = e.reversed(idx.back(), length);
      return e.load(buffer, idx);
    case Via::Pool: {
      Value base = e.muli(idx.back(), e.idx(cols));
      bool isMax = pool == PoolKind::max;
      Value init =
          e.f32(isMax ? -std::numeric_limits<double>::infinity() : 0.0);
      Value acc = e.loopCarry(e.idx(cols), {init}, [&](Value c, ValueRange a) {
        SmallVector<Value> at(idx);
        at.back() = e.addi(base, c);
        Value v = e.load(buffer, at);
        return SmallVector<Value>{
            isMax
                ? arith::MaximumFOp::create(e.builder(), e.location(), a[0], v)
                      .getResult()
                : e.add(a[0], v)};
      })[0];
      return e.mul(acc, e.f32(factor));
    }
    }
    llvm_unreachable("unknown sequence read");
  }

  /// The f32 values at (b, d, t0 + j) (time last) for the w lanes j: one
  /// masked vector load from the operand's buffer (0 past `valid`), else w
  /// scalar reads through the folded producer (the last time repeated past
  /// `valid`).
  Value row(LoopEmitter &e, Value b, Value d, Value t0, Value valid,
            int64_t w) const {
    OpBuilder &ob = e.builder();
    Location loc = e.location();
    if (via == Via::Buffer) {
      Type elem = cast<MemRefType>(buffer.getType()).getElementType();
      auto type = VectorType::get({w}, elem);
      Value mask = vector::CreateMaskOp::create(
          ob, loc, VectorType::get({w}, ob.getI1Type()), ValueRange{valid});
      Value zero = arith::ConstantOp::create(
          ob, loc, type, DenseElementsAttr::get(type, ob.getZeroAttr(elem)));
      return e.widen(vector::MaskedLoadOp::create(
          ob, loc, type, buffer, ValueRange{b, d, t0}, mask, zero));
    }
    auto scalarReads = [&]() -> Value {
      SmallVector<Value> elements;
      Value lastStep = e.subi(valid, e.idx(1));
      for (int64_t j = 0; j < w; ++j)
        elements.push_back(
            load(e, {b, d, e.addi(t0, e.mini(e.idx(j), lastStep))}));
      return vector::FromElementsOp::create(
          ob, loc, VectorType::get({w}, ob.getF32Type()), elements);
    };
    if (via != Via::Flip)
      return scalarReads();
    // Through a flip: a whole chunk is one load of the w elements before
    // position l - t0, reversed; the last, partial chunk reads scalars.
    Value whole = e.cmpi(arith::CmpIPredicate::eq, valid, e.idx(w));
    auto chunk = scf::IfOp::create(
        ob, loc, whole,
        [&](OpBuilder &, Location) {
          Type elem = cast<MemRefType>(buffer.getType()).getElementType();
          Value v = e.widen(vector::LoadOp::create(
              ob, loc, VectorType::get({w}, elem), buffer,
              ValueRange{b, d, e.subi(e.subi(length, t0), e.idx(w))}));
          scf::YieldOp::create(ob, loc, reversedLanes(ob, loc, v, w));
        },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(ob, loc, scalarReads());
        });
    return chunk.getResult(0);
  }

  /// `v` with its w lanes in reverse order.
  static Value reversedLanes(OpBuilder &ob, Location loc, Value v, int64_t w) {
    SmallVector<int64_t> mask;
    for (int64_t j = w - 1; j >= 0; --j)
      mask.push_back(j);
    return vector::ShuffleOp::create(ob, loc, v, v, mask);
  }
};

/// Buffers and sizes shared by the forward and backward scan lowerings.
struct ScanOperands {
  SequenceRead u, delta, B, C, z;
  Value A, D, deltaBias;
  Value batch, channels, length, states, groups, channelsPerGroup;
  bool grouped = false;

  /// With `fold`, flips along time (and an axis_pool producing u) are read
  /// through instead of materialized.
  ScanOperands(LoopEmitter &e, Value u_, Value delta_, Value A_, Value B_,
               Value C_, Value D_, Value z_, Value deltaBias_, bool fold) {
    u = SequenceRead::of(e, u_, fold, /*allowPool=*/true);
    delta = SequenceRead::of(e, delta_, fold, false);
    B = SequenceRead::of(e, B_, fold, false);
    C = SequenceRead::of(e, C_, fold, false);
    z = SequenceRead::of(e, z_, fold, false);
    A = e.buffer(A_);
    D = D_ ? e.buffer(D_) : Value();
    deltaBias = deltaBias_ ? e.buffer(deltaBias_) : Value();
    auto bType = cast<RankedTensorType>(B_.getType());
    grouped = bType.getRank() == 4;
    batch = e.dim(u_, 0);
    channels = e.dim(u_, 1);
    length = e.dim(u_, 2);
    states = e.dim(A, 1);
    groups = grouped ? e.dim(B_, 1) : e.idx(1);
    channelsPerGroup = e.divi(channels, groups);
  }

  /// Indices of B/C at (batch, group, state, time).
  SmallVector<Value> bcIndex(Value b, Value g, Value n, Value t) const {
    if (grouped)
      return {b, g, n, t};
    return {b, n, t};
  }

  /// Static (batch, groups, length) of B / C (dynamic sizes as kDynamic).
  std::array<int64_t, 3> staticBCShape() const {
    auto shape = cast<MemRefType>(B.buffer.getType()).getShape();
    return {shape[0], grouped ? shape[1] : 1, shape.back()};
  }

  /// B and C transposed to (b, g, l, n) f32, so that the step at time t loads
  /// its n states as one contiguous vector.
  std::pair<Value, Value> transposedBC(LoopEmitter &e, int64_t n) const {
    auto [staticB, staticG, staticL] = staticBCShape();
    Type f32 = e.builder().getF32Type();
    SmallVector<Value> sizes{batch, groups, length, states};
    Value bT = e.alloc({staticB, staticG, staticL, n}, f32, sizes);
    Value cT = e.alloc({staticB, staticG, staticL, n}, f32, sizes);
    e.parallel({batch, groups, length}, [&](ValueRange iv) {
      e.loop(states, [&](Value k) {
        SmallVector<Value> src = bcIndex(iv[0], iv[1], k, iv[2]);
        e.store(B.load(e, src), bT, {iv[0], iv[1], iv[2], k});
        e.store(C.load(e, src), cT, {iv[0], iv[1], iv[2], k});
      });
    });
    return {bT, cT};
  }

  /// Time index of scan step i.
  Value timeOf(LoopEmitter &e, Value i, bool reverse) const {
    return reverse ? e.reversed(i, length) : i;
  }

  /// The output gradient at (b, d, t) and the gated one the states see:
  /// {grad, z, grad * silu(z)} (z null and gate = grad without a gate).
  std::array<Value, 3> gatedGrad(LoopEmitter &e, Value dout, Value b, Value d,
                                 Value t) const {
    Value grad = e.load(dout, {b, d, t});
    if (!z)
      return {grad, Value(), grad};
    Value zv = z.load(e, {b, d, t});
    return {grad, zv, e.mul(grad, e.silu(zv))};
  }

  /// The gradient of the pre-softplus delta from the post-softplus one.
  static Value rawDeltaGrad(LoopEmitter &e, Value raw, Value ddt,
                            bool softplus) {
    if (!softplus)
      return ddt;
    return e.select(e.cmpf(arith::CmpFPredicate::OLE, raw, e.f32(20.0)),
                    e.mul(ddt, e.sigmoid(raw)), ddt);
  }

  /// (raw delta + bias, post-softplus delta) at (b, d, t).
  std::pair<Value, Value> deltaAt(LoopEmitter &e, Value b, Value d, Value t,
                                  Value bias, bool softplus) const {
    Value raw = delta.load(e, {b, d, t});
    if (bias)
      raw = e.add(raw, bias);
    return {raw, softplus ? e.softplus(raw) : raw};
  }
};

/// Where the forward scan writes `out`: its own result buffer, or the buffer
/// of a consumer folded into the stores (a flip along time, an
/// axis_broadcast), whose result it then replaces.
struct SequenceWrite {
  enum class Via { Buffer, Flip, Broadcast };
  Via via = Via::Buffer;
  Operation *consumer = nullptr;
  Value buffer, length;
  int64_t cols = 1;

  static SequenceWrite of(LoopEmitter &e, SelectiveScanOp op, Value length,
                          ArrayRef<Value> sizes) {
    SequenceWrite w;
    w.length = length;
    Value out = op.getOut();
    Operation *user = out.hasOneUse() ? *out.user_begin() : nullptr;
    if (auto flip = dyn_cast_or_null<FlipOp>(user);
        flip && flip.getDim() == 2) {
      w.via = Via::Flip;
      w.consumer = flip;
    } else if (auto bcast = dyn_cast_or_null<AxisBroadcastOp>(user)) {
      w.via = Via::Broadcast;
      w.consumer = bcast;
      w.cols = bcast.getCols();
    }
    auto type = cast<RankedTensorType>(
        w.consumer ? w.consumer->getResult(0).getType() : out.getType());
    SmallVector<Value> outSizes(sizes);
    if (w.via == Via::Broadcast)
      outSizes[2] = e.muli(sizes[2], e.idx(w.cols));
    w.buffer = e.alloc(type, outSizes);
    return w;
  }

  void store(LoopEmitter &e, Value y, Value b, Value d, Value t) const {
    switch (via) {
    case Via::Buffer:
      e.store(y, buffer, {b, d, t});
      return;
    case Via::Flip:
      e.store(y, buffer, {b, d, e.reversed(t, length)});
      return;
    case Via::Broadcast: {
      Value base = e.muli(t, e.idx(cols));
      e.loop(e.idx(cols),
             [&](Value c) { e.store(y, buffer, {b, d, e.addi(base, c)}); });
      return;
    }
    }
  }
};

/// The forward scan, with the flips / axis_pool producing its sequence
/// operands and the flip / axis_broadcast consuming its output folded into
/// its loads and stores. A greedy pattern (not a conversion): folding needs
/// to see the neighbours before they are lowered.
struct SelectiveScanLowering : OpRewritePattern<SelectiveScanOp> {
  SelectiveScanLowering(MLIRContext *context, const CPUVectorInfo &target)
      : OpRewritePattern(context), target(target) {}

  CPUVectorInfo target;

  /// Lanes with a dynamic state size: the states live in a local buffer.
  static void emitScalarLanes(LoopEmitter &e, const ScanOperands &s,
                              const SequenceWrite &out, Value last,
                              ArrayRef<int64_t> stateShape, bool reverse,
                              bool softplus) {
    e.parallel({s.batch, s.channels}, [&](ValueRange lane) {
      Value b = lane[0], d = lane[1];
      Value g = e.divi(d, s.channelsPerGroup);
      Value state = e.alloc(stateShape, e.builder().getF32Type(), {s.states},
                            /*onStack=*/true);
      Value zero = e.f32(0.0);
      e.loop(s.states, [&](Value n) { e.store(zero, state, {n}); });
      Value skip = s.D ? e.load(s.D, {d}) : Value();
      Value bias = s.deltaBias ? e.load(s.deltaBias, {d}) : Value();

      e.loop(s.length, [&](Value i) {
        Value t = s.timeOf(e, i, reverse);
        Value dt = s.deltaAt(e, b, d, t, bias, softplus).second;
        Value x = s.u.load(e, {b, d, t});
        Value dtx = e.mul(dt, x);
        Value y = e.loopCarry(s.states, {zero}, [&](Value n, ValueRange acc) {
          Value decay = e.exp(e.mul(dt, e.load(s.A, {d, n})));
          Value h = e.add(e.mul(decay, e.load(state, {n})),
                          e.mul(dtx, s.B.load(e, s.bcIndex(b, g, n, t))));
          e.store(h, state, {n});
          Value c = s.C.load(e, s.bcIndex(b, g, n, t));
          return SmallVector<Value>{e.add(acc[0], e.mul(c, h))};
        })[0];
        if (skip)
          y = e.add(y, e.mul(skip, x));
        if (s.z)
          y = e.mul(y, e.silu(s.z.load(e, {b, d, t})));
        out.store(e, y, b, d, t);
      });
      if (last)
        e.loop(s.states,
               [&](Value n) { e.store(e.load(state, {n}), last, {b, d, n}); });
    });
  }

  /// Lanes with a static state size n: the n states are one vector<n x f32>
  /// carried in registers across the time loop; B and C are first transposed
  /// to (b, g, l, n) f32 so each step loads them as contiguous vectors.
  static void emitVectorLanes(LoopEmitter &e, const ScanOperands &s,
                              const SequenceWrite &out, Value last, int64_t n,
                              bool reverse, bool softplus) {
    OpBuilder &b = e.builder();
    Location loc = e.location();
    Type f32 = b.getF32Type();
    auto vecType = VectorType::get({n}, f32);
    std::pair<Value, Value> bc = s.transposedBC(e, n);
    Value bT = bc.first, cT = bc.second;

    auto splat = [&](Value v) -> Value {
      return vector::BroadcastOp::create(b, loc, vecType, v);
    };
    // Per lane, three loops: the elementwise prologue (delta + bias,
    // softplus) and epilogue (D skip, silu gate) run over contiguous t and
    // vectorize; only the recurrence itself is sequential.
    int64_t laneLength =
        cast<MemRefType>(s.delta.buffer.getType()).getDimSize(2);
    bool onStack = !ShapedType::isDynamic(laneLength) && laneLength <= 16384;
    e.parallel({s.batch, s.channels}, [&](ValueRange lane) {
      Value bi = lane[0], d = lane[1];
      Value g = s.grouped ? e.divi(d, s.channelsPerGroup) : e.idx(0);
      Value dts = e.alloc({laneLength}, f32, {s.length}, onStack);
      Value ys = e.alloc({laneLength}, f32, {s.length}, onStack);
      Value bias = s.deltaBias ? e.load(s.deltaBias, {d}) : Value();
      e.loop(s.length, [&](Value t) {
        e.store(s.deltaAt(e, bi, d, t, bias, softplus).second, dts, {t});
      });

      Value a =
          vector::LoadOp::create(b, loc, vecType, s.A, ValueRange{d, e.idx(0)});
      Value zeros = arith::ConstantOp::create(
          b, loc, vecType,
          DenseElementsAttr::get(vecType, b.getF32FloatAttr(0)));
      Value h =
          e.loopCarry(s.length, {zeros}, [&](Value i, ValueRange carried) {
            Value t = s.timeOf(e, i, reverse);
            Value dt = e.load(dts, {t});
            Value x = s.u.load(e, {bi, d, t});
            SmallVector<Value> at{bi, g, t, e.idx(0)};
            Value bv = vector::LoadOp::create(b, loc, vecType, bT, at);
            Value cv = vector::LoadOp::create(b, loc, vecType, cT, at);
            Value decay = math::ExpOp::create(
                b, loc, arith::MulFOp::create(b, loc, splat(dt), a));
            Value input =
                arith::MulFOp::create(b, loc, splat(e.mul(dt, x)), bv);
            Value next = math::FmaOp::create(b, loc, decay, carried[0], input);
            Value y = vector::ReductionOp::create(
                b, loc, vector::CombiningKind::ADD,
                arith::MulFOp::create(b, loc, cv, next));
            e.store(y, ys, {t});
            return SmallVector<Value>{next};
          })[0];
      if (last)
        vector::StoreOp::create(b, loc, h, last, ValueRange{bi, d, e.idx(0)});

      Value skip = s.D ? e.load(s.D, {d}) : Value();
      e.loop(s.length, [&](Value t) {
        Value y = e.load(ys, {t});
        if (skip)
          y = e.add(y, e.mul(skip, s.u.load(e, {bi, d, t})));
        if (s.z)
          y = e.mul(y, e.silu(s.z.load(e, {bi, d, t})));
        out.store(e, y, bi, d, t);
      });
    });
  }

  /// Lanes of `plan.channelsPerVector` (w) channels of one group
  /// (CPUScanStrategy::ChannelVector): state k of the block is one vector
  /// across its channels, so a step is n rows of exp(delta * A_k), a
  /// multiply by the broadcast B_k, the recurrence FMA and an FMA into the
  /// output by the broadcast C_k, with no horizontal sum. The prologue reads
  /// each channel's delta and u w time steps at a time (one vector along
  /// time), applies bias and softplus, and transposes the w x w tiles into
  /// time-major (l padded to w, w) buffers; the recurrence writes y the same
  /// way, and the epilogue transposes it back, adds the D skip and applies
  /// the silu gate along time, and stores each live channel's w steps at
  /// once. A partial block's dead lanes repeat its last live channel and are
  /// never stored.
  static void emitChannelLanes(LoopEmitter &e, const ScanOperands &s,
                               const SequenceWrite &out, Value last, int64_t n,
                               const CPUScanPlan &plan, bool reverse,
                               bool softplus) {
    OpBuilder &b = e.builder();
    Location loc = e.location();
    Type f32 = b.getF32Type();
    const int64_t w = plan.channelsPerVector;
    auto vecType = VectorType::get({w}, f32);
    std::pair<Value, Value> bc = s.transposedBC(e, n);
    Value bT = bc.first, cT = bc.second;

    auto splat = [&](Value v) -> Value {
      return vector::BroadcastOp::create(b, loc, vecType, v);
    };
    auto vmul = [&](Value x, Value y) -> Value {
      return arith::MulFOp::create(b, loc, x, y);
    };
    auto vfma = [&](Value x, Value y, Value z) -> Value {
      return math::FmaOp::create(b, loc, x, y, z);
    };
    auto vload = [&](Value memref, ValueRange at) -> Value {
      return vector::LoadOp::create(b, loc, vecType, memref, at);
    };
    auto vstore = [&](Value v, Value memref, ValueRange at) {
      vector::StoreOp::create(b, loc, v, memref, at);
    };
    // Time- and step-major scratch, 64-byte aligned so every row is one
    // aligned vector; on the stack while the three (l, w) buffers take at
    // most 192 KiB. delta and delta * u are padded to whole w-step chunks.
    int64_t laneLength =
        cast<MemRefType>(s.delta.buffer.getType()).getDimSize(2);
    int64_t paddedLength = ShapedType::isDynamic(laneLength)
                               ? ShapedType::kDynamic
                               : (laneLength + w - 1) / w * w;
    bool onStack = !ShapedType::isDynamic(laneLength) &&
                   3 * paddedLength * w * 4 <= 192 * 1024;
    auto scratch = [&](int64_t rows, Value dynRows, bool stack) -> Value {
      auto type = MemRefType::get({rows, w}, f32);
      SmallVector<Value> dynamic;
      if (ShapedType::isDynamic(rows))
        dynamic.push_back(dynRows);
      IntegerAttr align = b.getI64IntegerAttr(64);
      if (stack)
        return memref::AllocaOp::create(b, loc, type, dynamic, ValueRange{},
                                        align);
      return memref::AllocOp::create(b, loc, type, dynamic, ValueRange{},
                                     align);
    };
    // Rows r of a w x w tile -> its columns: log2(w) stages, each swapping
    // one bit of the row and column index with two-source shuffles.
    auto transposeRows = [&](SmallVector<Value> m) {
      for (int64_t bit = 1; bit < w; bit *= 2) {
        SmallVector<int64_t> lo(w), hi(w);
        for (int64_t c = 0; c < w; ++c) {
          lo[c] = (c & bit) ? w + (c ^ bit) : c;
          hi[c] = (c & bit) ? w + c : (c | bit);
        }
        for (int64_t r = 0; r < w; ++r) {
          if (r & bit)
            continue;
          Value top = m[r], bottom = m[r | bit];
          m[r] = vector::ShuffleOp::create(b, loc, top, bottom, lo);
          m[r | bit] = vector::ShuffleOp::create(b, loc, top, bottom, hi);
        }
      }
      return m;
    };
    auto splatConst = [&](double v) -> Value {
      return arith::ConstantOp::create(
          b, loc, vecType,
          DenseElementsAttr::get(vecType, b.getF32FloatAttr(v)));
    };
    Value zeros = splatConst(0.0);
    // exp(x) = 2^k * p(r), k = roundeven(x log2 e), r = x - k ln 2 (two
    // parts), p the degree-7 Taylor polynomial (|r| <= ln 2 / 2: relative
    // error < 6e-9), 2^k applied by vscalefps (overflow to inf, underflow
    // through the subnormals to 0). x is clamped to [-104, 88.8] (exp is 0
    // and inf in f32 past them) so that r stays finite; NaN passes both.
    auto scaledExp = [&](Value x) -> Value {
      auto clamp = [&](Value v, arith::CmpFPredicate beyond, double bound) {
        Value limit = splatConst(bound);
        return arith::SelectOp::create(
            b, loc, arith::CmpFOp::create(b, loc, beyond, v, limit), limit, v);
      };
      x = clamp(clamp(x, arith::CmpFPredicate::OGT, 88.8),
                arith::CmpFPredicate::OLT, -104.0);
      Value k = math::RoundEvenOp::create(b, loc, vmul(x, splatConst(M_LOG2E)));
      Value r = vfma(k, splatConst(-0.693145751953125), x);
      r = vfma(k, splatConst(-1.4286068202862268e-06), r);
      Value p = splatConst(1.0 / 5040.0);
      for (double c :
           {1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0})
        p = vfma(p, r, splatConst(c));
      // p * 2^k on all 16 lanes, rounding as MXCSR says
      // (_MM_FROUND_CUR_DIRECTION). MLIR 22 passes the op's operands to
      // llvm.x86.avx512.mask.scalef.ps.512(a, b, passthrough, mask, rounding)
      // in order, so its `src` slot is the intrinsic's `a` (the scaled value)
      // and `a` is `b` (the exponent); the numerics tests check it.
      Value allLanes = arith::ConstantOp::create(
          b, loc, b.getI16Type(), b.getIntegerAttr(b.getI16Type(), -1));
      Value currentRounding = arith::ConstantOp::create(b, loc, b.getI32Type(),
                                                        b.getI32IntegerAttr(4));
      return x86vector::MaskScaleFOp::create(b, loc, vecType, p, k, p, allLanes,
                                             currentRounding);
    };

    Value width = e.idx(w);
    Value blocks = e.divi(e.addi(s.channelsPerGroup, e.idx(w - 1)), width);
    e.parallel({s.batch, s.groups, blocks}, [&](ValueRange lane) {
      Value bi = lane[0], g = lane[1];
      Value first =
          e.addi(e.muli(g, s.channelsPerGroup), e.muli(lane[2], width));
      Value count =
          e.mini(width, e.subi(s.channelsPerGroup, e.muli(lane[2], width)));
      Value paddedRows =
          e.muli(e.divi(e.addi(s.length, e.idx(w - 1)), width), width);
      Value dts = scratch(paddedLength, paddedRows, onStack);
      Value dtxs = scratch(paddedLength, paddedRows, onStack);
      Value ys = scratch(paddedLength, paddedRows, onStack);
      Value as = scratch(n, Value(), true);
      Value tileDt = scratch(w, Value(), true);
      Value tileDtx = scratch(w, Value(), true);

      // The block's A rows, state-major (dead lanes repeat the last channel).
      e.loop(width, [&](Value c) {
        Value d = e.addi(first, e.mini(c, e.subi(count, e.idx(1))));
        for (int64_t k = 0; k < n; ++k)
          e.store(e.load(s.A, {d, e.idx(k)}), as, {e.idx(k), c});
      });

      // Prologue, w time steps at a time: per channel, delta (+ bias,
      // softplus) and delta * u as vectors along time, then a w x w
      // transpose to time-major rows (dts[t] = the block's deltas at t).
      e.loop(e.divi(e.addi(s.length, e.idx(w - 1)), width), [&](Value chunk) {
        Value t0 = e.muli(chunk, width);
        Value valid = e.mini(width, e.subi(s.length, t0));
        e.loop(width, [&](Value c) {
          Value d = e.addi(first, e.mini(c, e.subi(count, e.idx(1))));
          Value dt = s.delta.row(e, bi, d, t0, valid, w);
          if (s.deltaBias)
            dt = arith::AddFOp::create(b, loc, dt,
                                       splat(e.load(s.deltaBias, {d})));
          if (softplus)
            dt = arith::SelectOp::create(
                b, loc,
                arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, dt,
                                      splatConst(20.0)),
                math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, dt)),
                dt);
          vstore(dt, tileDt, {c, e.idx(0)});
          vstore(vmul(dt, s.u.row(e, bi, d, t0, valid, w)), tileDtx,
                 {c, e.idx(0)});
        });
        for (auto [tile, steps] :
             {std::pair{tileDt, dts}, std::pair{tileDtx, dtxs}}) {
          SmallVector<Value> rows;
          for (int64_t c = 0; c < w; ++c)
            rows.push_back(vload(tile, {e.idx(c), e.idx(0)}));
          SmallVector<Value> cols = transposeRows(rows);
          for (int64_t j = 0; j < w; ++j)
            vstore(cols[j], steps, {e.addi(t0, e.idx(j)), e.idx(0)});
        }
      });

      SmallVector<Value> aRows;
      if (plan.statesInRegisters)
        for (int64_t k = 0; k < n; ++k)
          aRows.push_back(vload(as, {e.idx(k), e.idx(0)}));

      // One state row: h_k = exp(dt * a_k) * h_k + dtx * B_k; returns the
      // new h_k (y gets C_k * h_k from the caller).
      auto stateRow = [&](Value dtv, Value dtxv, Value a, Value h, Value t,
                          Value k) -> std::pair<Value, Value> {
        Value decay = plan.scaledExp
                          ? scaledExp(vmul(dtv, a))
                          : math::ExpOp::create(b, loc, vmul(dtv, a));
        SmallVector<Value> at{bi, g, t, k};
        Value next = vfma(decay, h, vmul(dtxv, splat(e.load(bT, at))));
        return {next, splat(e.load(cT, at))};
      };

      SmallVector<Value> init;
      Value states;
      if (plan.statesInRegisters) {
        init.assign(n, zeros);
      } else {
        states = scratch(n, Value(), true);
        for (int64_t k = 0; k < n; ++k)
          vstore(zeros, states, {e.idx(k), e.idx(0)});
      }
      SmallVector<Value> final =
          e.loopCarry(s.length, init, [&](Value i, ValueRange h) {
            Value t = s.timeOf(e, i, reverse);
            Value dtv = vload(dts, {t, e.idx(0)});
            Value dtxv = vload(dtxs, {t, e.idx(0)});
            Value y;
            SmallVector<Value> next;
            if (plan.statesInRegisters) {
              // Four partial sums keep the C . h chain short.
              SmallVector<Value> partial(std::min<int64_t>(n, 4), zeros);
              for (int64_t k = 0; k < n; ++k) {
                auto [hk, ck] =
                    stateRow(dtv, dtxv, aRows[k], h[k], t, e.idx(k));
                next.push_back(hk);
                partial[k % partial.size()] =
                    vfma(ck, hk, partial[k % partial.size()]);
              }
              y = partial[0];
              for (size_t p = 1; p < partial.size(); ++p)
                y = arith::AddFOp::create(b, loc, y, partial[p]);
            } else {
              y = e.loopCarry(e.idx(n), {zeros}, [&](Value k, ValueRange acc) {
                auto [hk, ck] = stateRow(dtv, dtxv, vload(as, {k, e.idx(0)}),
                                         vload(states, {k, e.idx(0)}), t, k);
                vstore(hk, states, {k, e.idx(0)});
                return SmallVector<Value>{vfma(ck, hk, acc[0])};
              })[0];
            }
            vstore(y, ys, {t, e.idx(0)});
            return next;
          });

      if (last) {
        Value hs = states;
        if (plan.statesInRegisters) {
          hs = scratch(n, Value(), true);
          for (int64_t k = 0; k < n; ++k)
            vstore(final[k], hs, {e.idx(k), e.idx(0)});
        }
        e.loop(count, [&](Value c) {
          Value d = e.addi(first, c);
          for (int64_t k = 0; k < n; ++k)
            e.store(e.load(hs, {e.idx(k), c}), last, {bi, d, e.idx(k)});
        });
      }

      // Epilogue, w time steps at a time: the w x w tile of y transposed
      // back to one vector along time per channel, then per live channel
      // the D skip and the silu gate as vectors and one masked store (one
      // store per step through a folded flip or broadcast).
      e.loop(e.divi(e.addi(s.length, e.idx(w - 1)), width), [&](Value chunk) {
        Value t0 = e.muli(chunk, width);
        Value valid = e.mini(width, e.subi(s.length, t0));
        SmallVector<Value> rows;
        for (int64_t j = 0; j < w; ++j)
          rows.push_back(vload(ys, {e.addi(t0, e.idx(j)), e.idx(0)}));
        SmallVector<Value> cols = transposeRows(rows);
        for (int64_t c = 0; c < w; ++c)
          vstore(cols[c], tileDt, {e.idx(c), e.idx(0)});
        e.loop(count, [&](Value c) {
          Value d = e.addi(first, c);
          Value y = vload(tileDt, {c, e.idx(0)});
          if (s.D)
            y = vfma(splat(e.load(s.D, {d})), s.u.row(e, bi, d, t0, valid, w),
                     y);
          if (s.z) {
            Value z = s.z.row(e, bi, d, t0, valid, w);
            Value sigmoid = arith::DivFOp::create(
                b, loc, splatConst(1.0),
                arith::AddFOp::create(
                    b, loc, splatConst(1.0),
                    math::ExpOp::create(
                        b, loc, arith::SubFOp::create(b, loc, zeros, z))));
            y = vmul(y, vmul(z, sigmoid));
          }
          if (out.via == SequenceWrite::Via::Buffer) {
            Type elem = cast<MemRefType>(out.buffer.getType()).getElementType();
            Value narrowed = elem.isF32()
                                 ? y
                                 : arith::TruncFOp::create(
                                       b, loc, VectorType::get({w}, elem), y);
            Value mask = vector::CreateMaskOp::create(
                b, loc, VectorType::get({w}, b.getI1Type()), ValueRange{valid});
            vector::MaskedStoreOp::create(
                b, loc, out.buffer, ValueRange{bi, d, t0}, mask, narrowed);
            return;
          }
          auto stepByStep = [&]() {
            e.loop(valid, [&](Value j) {
              out.store(e, vector::ExtractOp::create(b, loc, y, j), bi, d,
                        e.addi(t0, j));
            });
          };
          if (out.via != SequenceWrite::Via::Flip) {
            stepByStep();
            return;
          }
          // Through a flip: a whole chunk is one reversed store ending at
          // position l - t0; the last, partial chunk stores step by step.
          Value whole = e.cmpi(arith::CmpIPredicate::eq, valid, width);
          scf::IfOp::create(
              b, loc, whole,
              [&](OpBuilder &, Location) {
                Type elem =
                    cast<MemRefType>(out.buffer.getType()).getElementType();
                Value v = SequenceRead::reversedLanes(b, loc, y, w);
                if (!elem.isF32())
                  v = arith::TruncFOp::create(b, loc,
                                              VectorType::get({w}, elem), v);
                vector::StoreOp::create(
                    b, loc, v, out.buffer,
                    ValueRange{bi, d, e.subi(e.subi(s.length, t0), width)});
                scf::YieldOp::create(b, loc);
              },
              [&](OpBuilder &, Location) {
                stepByStep();
                scf::YieldOp::create(b, loc);
              });
        });
      });
    });
  }

  LogicalResult matchAndRewrite(SelectiveScanOp op,
                                PatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    ScanOperands s(e, op.getU(), op.getDelta(), op.getA(), op.getB(), op.getC(),
                   op.getD(), op.getZ(), op.getDeltaBias(), /*fold=*/true);
    bool reverse = op.getReverse(), softplus = op.getDeltaSoftplus();
    SequenceWrite out =
        SequenceWrite::of(e, op, s.length, {s.batch, s.channels, s.length});
    Value last;
    if (op.getLastState())
      last = e.alloc(cast<RankedTensorType>(op.getLastState().getType()),
                     {s.batch, s.channels, s.states});
    ArrayRef<int64_t> stateShape =
        cast<MemRefType>(s.A.getType()).getShape().drop_front();

    if (ShapedType::isDynamic(stateShape[0])) {
      emitScalarLanes(e, s, out, last, stateShape, reverse, softplus);
    } else {
      int64_t n = stateShape[0];
      int64_t channels = cast<MemRefType>(s.u.buffer.getType()).getDimSize(1);
      int64_t groups = s.staticBCShape()[1];
      int64_t perGroup =
          ShapedType::isDynamic(channels) || ShapedType::isDynamic(groups)
              ? 0
              : channels / groups;
      CPUScanPlan plan = planCPUScan(n, perGroup, target);
      if (plan.strategy == CPUScanStrategy::ChannelVector)
        emitChannelLanes(e, s, out, last, n, plan, reverse, softplus);
      else
        emitVectorLanes(e, s, out, last, n, reverse, softplus);
    }

    if (last)
      rewriter.replaceAllUsesWith(op.getLastState(), e.tensor(last));
    if (out.consumer)
      rewriter.replaceOp(out.consumer, e.tensor(out.buffer));
    else
      rewriter.replaceAllUsesWith(op.getOut(), e.tensor(out.buffer));
    rewriter.eraseOp(op);
    // Folded producers die with their last reader.
    for (const SequenceRead *r : {&s.u, &s.delta, &s.B, &s.C, &s.z})
      if (r->producer && r->producer->use_empty())
        rewriter.eraseOp(r->producer);
    return success();
  }
};

struct SelectiveScanGradLowering : OpConversionPattern<SelectiveScanGradOp> {
  using OpConversionPattern::OpConversionPattern;

  /// Per-lane (b, d) sums reduced over b afterwards: dA (b, d, n), dD and
  /// ddelta_bias (b, d).
  struct Partials {
    Value dA, dD, dBias;
  };

  /// A static number of states n: each lane's states are one vector<n x f32>
  /// in registers; lanes run in parallel over (b, channel part).
  static void emitVectorLanes(LoopEmitter &e, const ScanOperands &s,
                              Value dout, Value du, Value ddelta, Value dz,
                              Value dB, Value dC, const Partials &partials,
                              int64_t n, bool reverse, bool softplus) {
    OpBuilder &b = e.builder();
    Location loc = e.location();
    Type f32 = b.getF32Type();
    auto vecType = VectorType::get({n}, f32);
    auto splat = [&](Value v) -> Value {
      return vector::BroadcastOp::create(b, loc, vecType, v);
    };
    auto vadd = [&](Value x, Value y) -> Value {
      return arith::AddFOp::create(b, loc, x, y);
    };
    auto vmul = [&](Value x, Value y) -> Value {
      return arith::MulFOp::create(b, loc, x, y);
    };
    auto vload = [&](Value memref, ValueRange at) -> Value {
      return vector::LoadOp::create(b, loc, vecType, memref, at);
    };
    auto vstore = [&](Value v, Value memref, ValueRange at) {
      vector::StoreOp::create(b, loc, v, memref, at);
    };
    auto sum = [&](Value v) -> Value {
      return vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, v);
    };

    std::array<int64_t, 3> bcShape = s.staticBCShape();
    int64_t staticB = bcShape[0], staticG = bcShape[1], staticL = bcShape[2];
    int64_t staticD =
        cast<MemRefType>(s.u.buffer.getType()).getDimSize(1);
    int64_t parts = planScanGradChannelParts(
        ShapedType::isDynamic(staticB) ? 0 : staticB * staticG,
        ShapedType::isDynamic(staticD) ? 1 : staticD);
    Value numParts = e.idx(parts);
    Value perPart = e.divi(e.addi(s.channels, e.idx(parts - 1)), numParts);

    std::pair<Value, Value> bc = s.transposedBC(e, n);
    Value bT = bc.first, cT = bc.second;
    // Each part's dB / dC sums, time-major like bT / cT.
    SmallVector<Value> accSizes{numParts, s.batch, s.groups, s.length,
                                s.states};
    Value dBT = e.alloc({parts, staticB, staticG, staticL, n}, f32, accSizes);
    Value dCT = e.alloc({parts, staticB, staticG, staticL, n}, f32, accSizes);
    Value zeros = arith::ConstantOp::create(
        b, loc, vecType, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0)));
    e.parallel({numParts, s.batch, s.groups, s.length}, [&](ValueRange iv) {
      vstore(zeros, dBT, {iv[0], iv[1], iv[2], iv[3], e.idx(0)});
      vstore(zeros, dCT, {iv[0], iv[1], iv[2], iv[3], e.idx(0)});
    });

    int64_t laneLength =
        cast<MemRefType>(s.delta.buffer.getType()).getDimSize(2);
    bool onStack = !ShapedType::isDynamic(laneLength) && laneLength <= 16384;
    Value zero = e.f32(0.0);
    e.parallel({numParts, s.batch}, [&](ValueRange lane) {
      Value part = lane[0], bi = lane[1];
      Value first = e.muli(part, perPart);
      Value end = e.mini(e.addi(first, perPart), s.channels);
      // The lane's forward states by scan step, and (raw, softplus) deltas.
      Value states = e.alloc({staticL, n}, f32, {s.length});
      Value raws = e.alloc({laneLength}, f32, {s.length}, onStack);
      Value dts = e.alloc({laneLength}, f32, {s.length}, onStack);
      e.loop(first, end, [&](Value d) {
        Value g = s.grouped ? e.divi(d, s.channelsPerGroup) : e.idx(0);
        Value skip = s.D ? e.load(s.D, {d}) : Value();
        Value bias = s.deltaBias ? e.load(s.deltaBias, {d}) : Value();
        e.loop(s.length, [&](Value t) {
          auto [raw, dt] = s.deltaAt(e, bi, d, t, bias, softplus);
          e.store(raw, raws, {t});
          e.store(dt, dts, {t});
        });
        Value a = vload(s.A, {d, e.idx(0)});

        // Recompute the forward states.
        e.loopCarry(s.length, {zeros}, [&](Value i, ValueRange h) {
          Value t = s.timeOf(e, i, reverse);
          Value dt = e.load(dts, {t});
          Value x = s.u.load(e, {bi, d, t});
          Value decay = math::ExpOp::create(b, loc, vmul(splat(dt), a));
          Value next = math::FmaOp::create(
              b, loc, decay, h[0],
              vmul(splat(e.mul(dt, x)), vload(bT, {bi, g, t, e.idx(0)})));
          vstore(next, states, {i, e.idx(0)});
          return SmallVector<Value>{next};
        });

        // Reverse sweep: carry = lambda_{t+1} * Abar_{t+1}, dA summed.
        SmallVector<Value> acc = e.loopCarry(
            s.length, {zeros, zeros, zero, zero},
            [&](Value j, ValueRange c) {
              Value i = e.reversed(j, s.length);
              Value t = s.timeOf(e, i, reverse);
              Value raw = e.load(raws, {t});
              Value dt = e.load(dts, {t});
              Value x = s.u.load(e, {bi, d, t});
              std::array<Value, 3> gg = s.gatedGrad(e, dout, bi, d, t);
              Value grad = gg[0], zv = gg[1], gate = gg[2];
              Value hasPrev = e.cmpi(arith::CmpIPredicate::sgt, i, e.idx(0));
              Value prevStep = e.maxi(e.subi(i, e.idx(1)), e.idx(0));
              Value h = vload(states, {i, e.idx(0)});
              Value hPrev =
                  e.select(hasPrev, vload(states, {prevStep, e.idx(0)}), zeros);
              SmallVector<Value> at{bi, g, t, e.idx(0)};
              Value bv = vload(bT, at), cv = vload(cT, at);
              Value decay = math::ExpOp::create(b, loc, vmul(splat(dt), a));
              Value lambda = math::FmaOp::create(b, loc, splat(gate), cv, c[0]);
              SmallVector<Value> accAt{part, bi, g, t, e.idx(0)};
              vstore(math::FmaOp::create(b, loc, splat(gate), h,
                                         vload(dCT, accAt)),
                     dCT, accAt);
              vstore(math::FmaOp::create(b, loc, lambda, splat(e.mul(dt, x)),
                                         vload(dBT, accAt)),
                     dBT, accAt);
              Value decayedPrev = vmul(decay, hPrev);
              Value lambdaDt = vmul(lambda, splat(dt));
              Value dA = math::FmaOp::create(b, loc, lambdaDt, decayedPrev, c[1]);
              Value carry = vmul(decay, lambda);
              Value duSum = sum(vmul(lambdaDt, bv));
              Value ddt = sum(vmul(
                  lambda, math::FmaOp::create(b, loc, bv, splat(x),
                                              vmul(a, decayedPrev))));
              Value y = sum(vmul(cv, h));
              e.store(skip ? e.add(duSum, e.mul(skip, gate)) : duSum, du,
                      {bi, d, t});
              if (s.z) {
                Value yFull = skip ? e.add(y, e.mul(skip, x)) : y;
                e.store(e.mul(grad, e.mul(yFull, e.siluGrad(zv))), dz,
                        {bi, d, t});
              }
              Value ddtRaw = ScanOperands::rawDeltaGrad(e, raw, ddt, softplus);
              e.store(ddtRaw, ddelta, {bi, d, t});
              return SmallVector<Value>{carry, dA, e.add(c[2], e.mul(gate, x)),
                                        e.add(c[3], ddtRaw)};
            });
        vstore(acc[1], partials.dA, {bi, d, e.idx(0)});
        e.store(acc[2], partials.dD, {bi, d});
        e.store(acc[3], partials.dBias, {bi, d});
      });
    });

    // dB / dC: the parts' sums, back in the operands' (b, (g,) n, l) layout.
    e.parallel({s.batch, s.groups, s.length}, [&](ValueRange iv) {
      Value bSum = zeros, cSum = zeros;
      for (int64_t p = 0; p < parts; ++p) {
        SmallVector<Value> at{e.idx(p), iv[0], iv[1], iv[2], e.idx(0)};
        bSum = vadd(bSum, vload(dBT, at));
        cSum = vadd(cSum, vload(dCT, at));
      }
      for (int64_t k = 0; k < n; ++k) {
        SmallVector<Value> to = s.bcIndex(iv[0], iv[1], e.idx(k), iv[2]);
        e.store(vector::ExtractOp::create(b, loc, bSum, k), dB, to);
        e.store(vector::ExtractOp::create(b, loc, cSum, k), dC, to);
      }
    });
  }

  LogicalResult
  matchAndRewrite(SelectiveScanGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    ScanOperands s(e, adaptor.getU(), adaptor.getDelta(), adaptor.getA(),
                   adaptor.getB(), adaptor.getC(), adaptor.getD(),
                   adaptor.getZ(), adaptor.getDeltaBias(), /*fold=*/false);
    Value dout = e.buffer(adaptor.getDout());
    bool reverse = op.getReverse(), softplus = op.getDeltaSoftplus();
    Type f32 = rewriter.getF32Type();
    Value zero = e.f32(0.0);

    auto shapeOf = [](Value v) {
      return cast<MemRefType>(v.getType()).getShape();
    };
    auto typeOf = [](Value v) { return cast<RankedTensorType>(v.getType()); };
    SmallVector<Value> uSizes{s.batch, s.channels, s.length};
    Value du = e.alloc(typeOf(op.getDu()), uSizes);
    Value ddelta = e.alloc(typeOf(op.getDdelta()), uSizes);
    Value dz = s.z ? e.alloc(typeOf(op.getDZ()), uSizes) : Value();
    // dB/dC accumulate over channels: always in f32.
    SmallVector<Value> bcSizes = e.dims(s.B.buffer);
    Value dB = e.alloc(shapeOf(s.B.buffer), f32, bcSizes);
    Value dC = e.alloc(shapeOf(s.C.buffer), f32, bcSizes);
    // Per-batch partial sums of the parameter gradients.
    int64_t staticB = shapeOf(s.u.buffer)[0], staticD = shapeOf(s.u.buffer)[1],
            staticN = shapeOf(s.A)[1], staticL = shapeOf(s.u.buffer)[2];
    Value dAPart = e.alloc({staticB, staticD, staticN}, f32,
                           {s.batch, s.channels, s.states});
    Value dDPart = e.alloc({staticB, staticD}, f32, {s.batch, s.channels});
    Value dBiasPart = e.alloc({staticB, staticD}, f32, {s.batch, s.channels});
    Partials partials{dAPart, dDPart, dBiasPart};

    if (!ShapedType::isDynamic(staticN))
      emitVectorLanes(e, s, dout, du, ddelta, dz, dB, dC, partials, staticN,
                      reverse, softplus);
    else
    e.parallel({s.batch}, [&](ValueRange lane) {
      Value b = lane[0];
      e.loop(s.groups, [&](Value g) {
        e.loop(s.states, [&](Value n) {
          e.loop(s.length, [&](Value t) {
            e.store(zero, dB, s.bcIndex(b, g, n, t));
            e.store(zero, dC, s.bcIndex(b, g, n, t));
          });
        });
      });
      // Forward states of one lane, by scan step: states[i][n] = h_i.
      Value states = e.alloc({staticL, staticN}, f32, {s.length, s.states});
      Value state = e.alloc({staticN}, f32, {s.states}, /*onStack=*/true);
      Value carry = e.alloc({staticN}, f32, {s.states}, /*onStack=*/true);
      Value dAAcc = e.alloc({staticN}, f32, {s.states}, /*onStack=*/true);

      e.loop(s.channels, [&](Value d) {
        Value g = e.divi(d, s.channelsPerGroup);
        Value skip = s.D ? e.load(s.D, {d}) : Value();
        Value bias = s.deltaBias ? e.load(s.deltaBias, {d}) : Value();
        e.loop(s.states, [&](Value n) {
          e.store(zero, state, {n});
          e.store(zero, carry, {n});
          e.store(zero, dAAcc, {n});
        });

        // Recompute the forward states.
        e.loop(s.length, [&](Value i) {
          Value t = s.timeOf(e, i, reverse);
          Value dt = s.deltaAt(e, b, d, t, bias, softplus).second;
          Value dtx = e.mul(dt, s.u.load(e, {b, d, t}));
          e.loop(s.states, [&](Value n) {
            Value decay = e.exp(e.mul(dt, e.load(s.A, {d, n})));
            Value h = e.add(e.mul(decay, e.load(state, {n})),
                            e.mul(dtx, s.B.load(e, s.bcIndex(b, g, n, t))));
            e.store(h, state, {n});
            e.store(h, states, {i, n});
          });
        });

        // Reverse sweep over the scan steps.
        SmallVector<Value> sums =
            e.loopCarry(s.length, {zero, zero}, [&](Value j, ValueRange acc) {
              Value i = e.reversed(j, s.length);
              Value t = s.timeOf(e, i, reverse);
              auto [raw, dt] = s.deltaAt(e, b, d, t, bias, softplus);
              Value x = s.u.load(e, {b, d, t});
              std::array<Value, 3> gg = s.gatedGrad(e, dout, b, d, t);
              Value grad = gg[0], zv = gg[1], gate = gg[2];
              Value dSkip = e.add(acc[0], e.mul(gate, x));
              Value hasPrev = e.cmpi(arith::CmpIPredicate::sgt, i, e.idx(0));
              Value prevStep = e.maxi(e.subi(i, e.idx(1)), e.idx(0));
              Value duInit = skip ? e.mul(skip, gate) : zero;
              SmallVector<Value> lane = e.loopCarry(
                  s.states, {duInit, zero, zero}, [&](Value n, ValueRange a) {
                    Value a_n = e.load(s.A, {d, n});
                    Value bv = s.B.load(e, s.bcIndex(b, g, n, t));
                    Value cv = s.C.load(e, s.bcIndex(b, g, n, t));
                    Value h = e.load(states, {i, n});
                    Value hPrev =
                        e.select(hasPrev, e.load(states, {prevStep, n}), zero);
                    Value decay = e.exp(e.mul(dt, a_n));
                    Value lambda = e.add(e.mul(gate, cv), e.load(carry, {n}));
                    SmallVector<Value> bc = s.bcIndex(b, g, n, t);
                    e.store(e.add(e.load(dC, bc), e.mul(gate, h)), dC, bc);
                    e.store(e.add(e.load(dB, bc), e.mul(lambda, e.mul(dt, x))),
                            dB, bc);
                    Value decayedPrev = e.mul(decay, hPrev);
                    e.store(e.add(e.load(dAAcc, {n}),
                                  e.mul(lambda, e.mul(dt, decayedPrev))),
                            dAAcc, {n});
                    e.store(e.mul(decay, lambda), carry, {n});
                    Value du_ = e.add(a[0], e.mul(lambda, e.mul(dt, bv)));
                    Value ddt = e.add(
                        a[1], e.mul(lambda, e.add(e.mul(bv, x),
                                                  e.mul(a_n, decayedPrev))));
                    Value y = e.add(a[2], e.mul(cv, h));
                    return SmallVector<Value>{du_, ddt, y};
                  });
              e.store(lane[0], du, {b, d, t});
              if (s.z) {
                Value y = skip ? e.add(lane[2], e.mul(skip, x)) : lane[2];
                e.store(e.mul(grad, e.mul(y, e.siluGrad(zv))), dz, {b, d, t});
              }
              Value ddtRaw =
                  ScanOperands::rawDeltaGrad(e, raw, lane[1], softplus);
              e.store(ddtRaw, ddelta, {b, d, t});
              return SmallVector<Value>{dSkip, e.add(acc[1], ddtRaw)};
            });
        e.loop(s.states, [&](Value n) {
          e.store(e.load(dAAcc, {n}), dAPart, {b, d, n});
        });
        e.store(sums[0], dDPart, {b, d});
        e.store(sums[1], dBiasPart, {b, d});
      });
    });

    // Reduce the per-batch partials.
    Value dA = e.alloc(typeOf(op.getDA()), {s.channels, s.states});
    Value dD = s.D ? e.alloc(typeOf(op.getDD()), {s.channels}) : Value();
    Value dBias = s.deltaBias
                      ? e.alloc(typeOf(op.getDDeltaBias()), {s.channels})
                      : Value();
    e.parallel({s.channels}, [&](ValueRange lane) {
      Value d = lane[0];
      e.loop(s.states, [&](Value n) {
        Value sum = e.loopCarry(s.batch, {zero}, [&](Value b, ValueRange acc) {
          return SmallVector<Value>{e.add(acc[0], e.load(dAPart, {b, d, n}))};
        })[0];
        e.store(sum, dA, {d, n});
      });
      for (auto [part, total] :
           {std::pair{dDPart, dD}, std::pair{dBiasPart, dBias}}) {
        if (!total)
          continue;
        Value sum = e.loopCarry(s.batch, {zero}, [&](Value b, ValueRange acc) {
          return SmallVector<Value>{e.add(acc[0], e.load(part, {b, d}))};
        })[0];
        e.store(sum, total, {d});
      }
    });

    // dB/dC in the operands' element type.
    auto narrowed = [&](Value acc, RankedTensorType type) -> Value {
      if (type.getElementType().isF32())
        return acc;
      Value out = e.alloc(type, bcSizes);
      e.convertInto(acc, out);
      return out;
    };
    Value dBOut = narrowed(dB, typeOf(op.getDB()));
    Value dCOut = narrowed(dC, typeOf(op.getDC()));

    SmallVector<Value> results{e.tensor(du), e.tensor(ddelta), e.tensor(dA),
                               e.tensor(dBOut), e.tensor(dCOut)};
    if (dD)
      results.push_back(e.tensor(dD));
    if (dz)
      results.push_back(e.tensor(dz));
    if (dBias)
      results.push_back(e.tensor(dBias));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

int64_t mlir::ssm::planScanGradChannelParts(int64_t batchGroups,
                                            int64_t channels) {
  // 8 lanes keep the cores of the machines this runs on busy; below that
  // the channels are split, into parts of at least 16 channels.
  constexpr int64_t kLanes = 8, kMinChannelsPerPart = 16;
  if (batchGroups <= 0 || batchGroups >= kLanes)
    return 1;
  int64_t wanted = (kLanes + batchGroups - 1) / batchGroups;
  return std::max<int64_t>(
      1, std::min(wanted, channels / kMinChannelsPerPart));
}

CPUScanPlan mlir::ssm::planCPUScan(int64_t states, int64_t channelsPerGroup,
                                   const CPUVectorInfo &target) {
  CPUScanPlan plan;
  const int64_t lanes = std::max<int64_t>(target.vectorBits / 32, 1);
  if (states < 1 || lanes < 2 || (lanes & (lanes - 1)) != 0)
    return plan;
  auto ceilDiv = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  if (channelsPerGroup > 0) {
    // Vector work per group and step, in units of one state row of the
    // channel-vector step (an exp, two multiplies, two FMAs).
    int64_t channelRows = ceilDiv(channelsPerGroup, lanes) * states;
    int64_t stateRows = 2 * channelsPerGroup * ceilDiv(states, lanes);
    if (channelRows > stateRows)
      return plan;
  }
  plan.strategy = CPUScanStrategy::ChannelVector;
  plan.channelsPerVector = lanes;
  plan.statesInRegisters = states + 8 <= target.vectorRegisters;
  plan.scaledExp = target.scalef && lanes == 16;
  return plan;
}

void mlir::ssm::populateSelectiveScanToSCFPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SelectiveScanGradLowering>(patterns.getContext());
}

void mlir::ssm::populateFusedSelectiveScanPatterns(
    RewritePatternSet &patterns, const CPUVectorInfo &target) {
  patterns.add<SelectiveScanLowering>(patterns.getContext(), target);
}
