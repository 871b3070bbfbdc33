//===- SelectiveScan.cpp - ssm.selective_scan{,_grad} to loops --------===//
//
// Forward: parallel over (b, d); per lane a sequential loop over l with the n
// states in a small local buffer (MODELS.md §6.1).
//
// Backward (§6.2): parallel over b, sequential over d, so the sums of dB/dC
// over the channels of a group never race; per lane the forward states are
// recomputed into an (l, n) buffer, then one reverse sweep carries
// lambda_{t+1} * Abar_{t+1} per state. dA, dD and ddelta_bias are summed over
// b in per-batch partials reduced afterwards.
//
//===----------------------------------------------------------------------===//

#include "LoopEmitter.h"
#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::ssm;
using mlir::ssm::detail::LoopEmitter;

namespace {

/// Buffers and sizes shared by the forward and backward scan lowerings.
struct ScanOperands {
  Value u, delta, A, B, C, D, z, deltaBias;
  Value batch, channels, length, states, groups, channelsPerGroup;
  bool grouped = false;

  ScanOperands(LoopEmitter &e, Value u_, Value delta_, Value A_, Value B_,
               Value C_, Value D_, Value z_, Value deltaBias_) {
    u = e.buffer(u_);
    delta = e.buffer(delta_);
    A = e.buffer(A_);
    B = e.buffer(B_);
    C = e.buffer(C_);
    D = D_ ? e.buffer(D_) : Value();
    z = z_ ? e.buffer(z_) : Value();
    deltaBias = deltaBias_ ? e.buffer(deltaBias_) : Value();
    grouped = cast<MemRefType>(B.getType()).getRank() == 4;
    batch = e.dim(u, 0);
    channels = e.dim(u, 1);
    length = e.dim(u, 2);
    states = e.dim(A, 1);
    groups = grouped ? e.dim(B, 1) : e.idx(1);
    channelsPerGroup = e.divi(channels, groups);
  }

  /// Indices of B/C at (batch, group, state, time).
  SmallVector<Value> bcIndex(Value b, Value g, Value n, Value t) const {
    if (grouped)
      return {b, g, n, t};
    return {b, n, t};
  }

  /// Time index of scan step i.
  Value timeOf(LoopEmitter &e, Value i, bool reverse) const {
    return reverse ? e.reversed(i, length) : i;
  }

  /// (raw delta + bias, post-softplus delta) at (b, d, t).
  std::pair<Value, Value> deltaAt(LoopEmitter &e, Value b, Value d, Value t,
                                  Value bias, bool softplus) const {
    Value raw = e.load(this->delta, {b, d, t});
    if (bias)
      raw = e.add(raw, bias);
    return {raw, softplus ? e.softplus(raw) : raw};
  }
};

struct SelectiveScanLowering : OpConversionPattern<SelectiveScanOp> {
  using OpConversionPattern::OpConversionPattern;

  /// Lanes with a dynamic state size: the states live in a local buffer.
  static void emitScalarLanes(LoopEmitter &e, const ScanOperands &s, Value out,
                              Value last, ArrayRef<int64_t> stateShape,
                              bool reverse, bool softplus) {
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
        Value x = e.load(s.u, {b, d, t});
        Value dtx = e.mul(dt, x);
        Value y = e.loopCarry(s.states, {zero}, [&](Value n, ValueRange acc) {
          Value decay = e.exp(e.mul(dt, e.load(s.A, {d, n})));
          Value h = e.add(e.mul(decay, e.load(state, {n})),
                          e.mul(dtx, e.load(s.B, s.bcIndex(b, g, n, t))));
          e.store(h, state, {n});
          Value c = e.load(s.C, s.bcIndex(b, g, n, t));
          return SmallVector<Value>{e.add(acc[0], e.mul(c, h))};
        })[0];
        if (skip)
          y = e.add(y, e.mul(skip, x));
        if (s.z)
          y = e.mul(y, e.silu(e.load(s.z, {b, d, t})));
        e.store(y, out, {b, d, t});
      });
      if (last)
        e.loop(s.states,
               [&](Value n) { e.store(e.load(state, {n}), last, {b, d, n}); });
    });
  }

  /// Lanes with a static state size n: the n states are one vector<n x f32>
  /// carried in registers across the time loop; B and C are first transposed
  /// to (b, g, l, n) f32 so each step loads them as contiguous vectors.
  static void emitVectorLanes(LoopEmitter &e, const ScanOperands &s, Value out,
                              Value last, int64_t n, bool reverse,
                              bool softplus) {
    OpBuilder &b = e.builder();
    Location loc = e.location();
    Type f32 = b.getF32Type();
    auto vecType = VectorType::get({n}, f32);
    auto bcShape = cast<MemRefType>(s.B.getType()).getShape();
    int64_t staticB = bcShape[0], staticL = bcShape.back();
    int64_t staticG = s.grouped ? bcShape[1] : 1;
    SmallVector<Value> tSizes{s.batch, s.groups, s.length, s.states};
    Value bT = e.alloc({staticB, staticG, staticL, n}, f32, tSizes);
    Value cT = e.alloc({staticB, staticG, staticL, n}, f32, tSizes);
    e.parallel({s.batch, s.groups, s.length}, [&](ValueRange iv) {
      e.loop(s.states, [&](Value k) {
        SmallVector<Value> src = s.bcIndex(iv[0], iv[1], k, iv[2]);
        e.store(e.load(s.B, src), bT, {iv[0], iv[1], iv[2], k});
        e.store(e.load(s.C, src), cT, {iv[0], iv[1], iv[2], k});
      });
    });

    auto splat = [&](Value v) -> Value {
      return vector::BroadcastOp::create(b, loc, vecType, v);
    };
    // Per lane, three loops: the elementwise prologue (delta + bias,
    // softplus) and epilogue (D skip, silu gate) run over contiguous t and
    // vectorize; only the recurrence itself is sequential.
    int64_t laneLength = cast<MemRefType>(s.u.getType()).getDimSize(2);
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
            Value x = e.load(s.u, {bi, d, t});
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
          y = e.add(y, e.mul(skip, e.load(s.u, {bi, d, t})));
        if (s.z)
          y = e.mul(y, e.silu(e.load(s.z, {bi, d, t})));
        e.store(y, out, {bi, d, t});
      });
    });
  }

  LogicalResult
  matchAndRewrite(SelectiveScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    ScanOperands s(e, adaptor.getU(), adaptor.getDelta(), adaptor.getA(),
                   adaptor.getB(), adaptor.getC(), adaptor.getD(),
                   adaptor.getZ(), adaptor.getDeltaBias());
    bool reverse = op.getReverse(), softplus = op.getDeltaSoftplus();
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    Value out = e.alloc(outType, {s.batch, s.channels, s.length});
    Value last;
    if (op.getLastState())
      last = e.alloc(cast<RankedTensorType>(op.getLastState().getType()),
                     {s.batch, s.channels, s.states});
    ArrayRef<int64_t> stateShape =
        cast<MemRefType>(s.A.getType()).getShape().drop_front();

    if (ShapedType::isDynamic(stateShape[0]))
      emitScalarLanes(e, s, out, last, stateShape, reverse, softplus);
    else
      emitVectorLanes(e, s, out, last, stateShape[0], reverse, softplus);

    SmallVector<Value> results{e.tensor(out)};
    if (last)
      results.push_back(e.tensor(last));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct SelectiveScanGradLowering : OpConversionPattern<SelectiveScanGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SelectiveScanGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    ScanOperands s(e, adaptor.getU(), adaptor.getDelta(), adaptor.getA(),
                   adaptor.getB(), adaptor.getC(), adaptor.getD(),
                   adaptor.getZ(), adaptor.getDeltaBias());
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
    SmallVector<Value> bcSizes = e.dims(s.B);
    Value dB = e.alloc(shapeOf(s.B), f32, bcSizes);
    Value dC = e.alloc(shapeOf(s.C), f32, bcSizes);
    // Per-batch partial sums of the parameter gradients.
    int64_t staticB = shapeOf(s.u)[0], staticD = shapeOf(s.u)[1],
            staticN = shapeOf(s.A)[1], staticL = shapeOf(s.u)[2];
    Value dAPart = e.alloc({staticB, staticD, staticN}, f32,
                           {s.batch, s.channels, s.states});
    Value dDPart = e.alloc({staticB, staticD}, f32, {s.batch, s.channels});
    Value dBiasPart = e.alloc({staticB, staticD}, f32, {s.batch, s.channels});

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
          Value dtx = e.mul(dt, e.load(s.u, {b, d, t}));
          e.loop(s.states, [&](Value n) {
            Value decay = e.exp(e.mul(dt, e.load(s.A, {d, n})));
            Value h = e.add(e.mul(decay, e.load(state, {n})),
                            e.mul(dtx, e.load(s.B, s.bcIndex(b, g, n, t))));
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
              Value x = e.load(s.u, {b, d, t});
              Value grad = e.load(dout, {b, d, t});
              Value zv, gate = grad;
              if (s.z) {
                zv = e.load(s.z, {b, d, t});
                gate = e.mul(grad, e.silu(zv));
              }
              Value dSkip = e.add(acc[0], e.mul(gate, x));
              Value hasPrev = e.cmpi(arith::CmpIPredicate::sgt, i, e.idx(0));
              Value prevStep = e.maxi(e.subi(i, e.idx(1)), e.idx(0));
              Value duInit = skip ? e.mul(skip, gate) : zero;
              SmallVector<Value> lane = e.loopCarry(
                  s.states, {duInit, zero, zero}, [&](Value n, ValueRange a) {
                    Value a_n = e.load(s.A, {d, n});
                    Value bv = e.load(s.B, s.bcIndex(b, g, n, t));
                    Value cv = e.load(s.C, s.bcIndex(b, g, n, t));
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
              Value ddtRaw = lane[1];
              if (softplus)
                ddtRaw = e.select(
                    e.cmpf(arith::CmpFPredicate::OLE, raw, e.f32(20.0)),
                    e.mul(ddtRaw, e.sigmoid(raw)), ddtRaw);
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

void mlir::ssm::populateSelectiveScanToSCFPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SelectiveScanLowering, SelectiveScanGradLowering>(
      patterns.getContext());
}
