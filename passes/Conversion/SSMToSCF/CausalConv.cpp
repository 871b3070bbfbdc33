//===- CausalConv.cpp - ssm.causal_conv1d{,_grad} to loops ------------===//
//
// Forward: parallel over (b, d, t), a loop over the k taps, with x[t<0] = 0
// by masking (docs/semantics.md §2.3); an ssm.flip along time producing x is
// read through (Vim's backward direction) instead of materialized. Backward:
// the activation's derivative times dout into a (b, d, t) buffer, dx as its
// anti-causal correlation parallel over (b, d, t), and dweight / dbias (sums
// over b and t) as partial sums per (b, d) then per (d, tap) over b. (It was
// one lane per channel: 384 threads doing a whole batch's work, 24 ms per
// call at batch 128 on the H100, and a per-lane buffer that became a device
// malloc.)
//
//===----------------------------------------------------------------------===//

#include "LoopEmitter.h"
#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::ssm;
using mlir::ssm::detail::LoopEmitter;

namespace {

/// x[b, d, t + shift] as f32, or 0 outside [0, l); x[b, d, l - 1 - pos]
/// when `reversed` (x is the input of a flip along time).
Value maskedLoad(LoopEmitter &e, Value x, Value b, Value d, Value pos,
                 Value length, bool reversed) {
  Value inside =
      arith::AndIOp::create(e.builder(), e.location(),
                            e.cmpi(arith::CmpIPredicate::sge, pos, e.idx(0)),
                            e.cmpi(arith::CmpIPredicate::slt, pos, length));
  Value clamped = e.maxi(e.mini(pos, e.subi(length, e.idx(1))), e.idx(0));
  if (reversed)
    clamped = e.reversed(clamped, length);
  return e.select(inside, e.load(x, {b, d, clamped}), e.f32(0.0));
}

/// bias + sum_i w[d, i] * x[b, d, t - (k-1) + i].
Value preActivation(LoopEmitter &e, Value x, Value weight, Value bias, Value b,
                    Value d, Value t, Value width, Value length,
                    bool reversed) {
  Value init = bias ? e.load(bias, {d}) : e.f32(0.0);
  Value start = e.subi(t, e.subi(width, e.idx(1)));
  return e.loopCarry(width, {init}, [&](Value i, ValueRange acc) {
    Value xv = maskedLoad(e, x, b, d, e.addi(start, i), length, reversed);
    return SmallVector<Value>{e.add(acc[0], e.mul(e.load(weight, {d, i}), xv))};
  })[0];
}

/// The forward conv of `op` over the tensors x (read at l - 1 - t when
/// `reversed`), weight and bias; replaces `op`.
void lowerCausalConv1d(RewriterBase &rewriter, CausalConv1dOp op, Value xIn,
                       Value weightIn, Value biasIn, bool reversed) {
  LoopEmitter e(rewriter, op.getLoc());
  Value x = e.buffer(xIn), weight = e.buffer(weightIn);
  Value bias = biasIn ? e.buffer(biasIn) : Value();
  SmallVector<Value> sizes = e.dims(x);
  Value width = e.dim(weight, 1);
  bool silu = op.getActivation() == ActivationKind::silu;
  Value out = e.alloc(cast<RankedTensorType>(op.getType()), sizes);
  // Every output is independent: parallel over (b, d, t), so that a GPU runs
  // one thread per output with neighbouring threads reading neighbouring x
  // (one thread walking a whole lane read with a stride of l between
  // threads: 29% of Vim-T's forward on an H100); the CPU runs t as the inner
  // loop of each (b, d) as before.
  e.parallel({sizes[0], sizes[1], sizes[2]}, [&](ValueRange iv) {
    Value b = iv[0], d = iv[1], t = iv[2];
    Value pre =
        preActivation(e, x, weight, bias, b, d, t, width, sizes[2], reversed);
    e.store(silu ? e.silu(pre) : pre, out, {b, d, t});
  });
  rewriter.replaceOp(op, e.tensor(out));
}

struct CausalConv1dLowering : OpConversionPattern<CausalConv1dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CausalConv1dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    lowerCausalConv1d(rewriter, op, adaptor.getX(), adaptor.getWeight(),
                      adaptor.getBias(), /*reversed=*/false);
    return success();
  }
};

/// conv(flip(x) along time) reading x at l - 1 - t, so the flipped copy is
/// never materialized (the flip goes away once it has no other user). Greedy,
/// before the conversion patterns, which would lower the flip first.
struct FlippedCausalConv1dLowering : OpRewritePattern<CausalConv1dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CausalConv1dOp op,
                                PatternRewriter &rewriter) const override {
    auto flip = op.getX().getDefiningOp<FlipOp>();
    if (!flip || flip.getDim() != 2)
      return failure();
    lowerCausalConv1d(rewriter, op, flip.getInput(), op.getWeight(),
                      op.getBias(), /*reversed=*/true);
    return success();
  }
};

struct CausalConv1dGradLowering : OpConversionPattern<CausalConv1dGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CausalConv1dGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    Value x = e.buffer(adaptor.getX()), weight = e.buffer(adaptor.getWeight());
    Value dout = e.buffer(adaptor.getDout());
    Value bias = adaptor.getBias() ? e.buffer(adaptor.getBias()) : Value();
    SmallVector<Value> sizes = e.dims(x);
    Value batch = sizes[0], channels = sizes[1], length = sizes[2];
    Value width = e.dim(weight, 1);
    bool silu = op.getActivation() == ActivationKind::silu;
    Type f32 = rewriter.getF32Type();
    int64_t staticK = cast<MemRefType>(weight.getType()).getDimSize(1);

    Value dx = e.alloc(cast<RankedTensorType>(op.getDx().getType()), sizes);
    Value dw = e.alloc(cast<RankedTensorType>(op.getDweight().getType()),
                       {channels, width});
    Value db = op.getDbias()
                   ? e.alloc(cast<RankedTensorType>(op.getDbias().getType()),
                             {channels})
                   : Value();
    Value zero = e.f32(0.0);
    ArrayRef<int64_t> shape = cast<MemRefType>(x.getType()).getShape();

    // g_hat = dout * act'(pre), over (b, d, t).
    Value gradPre = e.alloc(shape, f32, sizes);
    e.parallel({batch, channels, length}, [&](ValueRange iv) {
      Value b = iv[0], d = iv[1], t = iv[2];
      Value g = e.load(dout, {b, d, t});
      if (silu)
        g = e.mul(g, e.siluGrad(preActivation(e, x, weight, bias, b, d, t,
                                              width, length,
                                              /*reversed=*/false)));
      e.store(g, gradPre, {b, d, t});
    });
    // dx_s = sum_i w[i] * g_hat[s + (k-1) - i] over indices < l.
    e.parallel({batch, channels, length}, [&](ValueRange iv) {
      Value b = iv[0], d = iv[1], t = iv[2];
      Value base = e.addi(t, e.subi(width, e.idx(1)));
      Value sum = e.loopCarry(width, {zero}, [&](Value i, ValueRange a) {
        Value pos = e.subi(base, i);
        Value inside = e.cmpi(arith::CmpIPredicate::slt, pos, length);
        Value clamped = e.mini(pos, e.subi(length, e.idx(1)));
        Value gv = e.select(inside, e.load(gradPre, {b, d, clamped}), zero);
        return SmallVector<Value>{
            e.add(a[0], e.mul(e.load(weight, {d, i}), gv))};
      })[0];
      e.store(sum, dx, {b, d, t});
    });
    // dweight and dbias sum over b and t: partial sums per (b, d) over t in
    // parallel, then over b per (d, tap), so the work spreads over b x d
    // lanes rather than d alone.
    Value dwPart = e.alloc({shape[0], shape[1], staticK}, f32,
                           {batch, channels, width});
    Value dbPart = db ? e.alloc({shape[0], shape[1]}, f32, {batch, channels})
                      : Value();
    e.parallel({batch, channels}, [&](ValueRange iv) {
      Value b = iv[0], d = iv[1];
      Value start = e.subi(e.idx(0), e.subi(width, e.idx(1)));
      e.loop(width, [&](Value i) {
        Value sum = e.loopCarry(length, {zero}, [&](Value t, ValueRange a) {
          Value xv = maskedLoad(e, x, b, d, e.addi(e.addi(start, t), i),
                                length, /*reversed=*/false);
          return SmallVector<Value>{
              e.add(a[0], e.mul(e.load(gradPre, {b, d, t}), xv))};
        })[0];
        e.store(sum, dwPart, {b, d, i});
      });
      if (db) {
        Value sum = e.loopCarry(length, {zero}, [&](Value t, ValueRange a) {
          return SmallVector<Value>{e.add(a[0], e.load(gradPre, {b, d, t}))};
        })[0];
        e.store(sum, dbPart, {b, d});
      }
    });
    e.parallel({channels, width}, [&](ValueRange iv) {
      Value d = iv[0], i = iv[1];
      Value sum = e.loopCarry(batch, {zero}, [&](Value b, ValueRange a) {
        return SmallVector<Value>{e.add(a[0], e.load(dwPart, {b, d, i}))};
      })[0];
      e.store(sum, dw, {d, i});
    });
    if (db)
      e.parallel({channels}, [&](ValueRange iv) {
        Value sum = e.loopCarry(batch, {zero}, [&](Value b, ValueRange a) {
          return SmallVector<Value>{e.add(a[0], e.load(dbPart, {b, iv[0]}))};
        })[0];
        e.store(sum, db, {iv[0]});
      });

    SmallVector<Value> results{e.tensor(dx), e.tensor(dw)};
    if (db)
      results.push_back(e.tensor(db));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::ssm::populateFusedCausalConvPatterns(RewritePatternSet &patterns) {
  patterns.add<FlippedCausalConv1dLowering>(patterns.getContext());
}

void mlir::ssm::populateCausalConvToSCFPatterns(RewritePatternSet &patterns) {
  patterns.add<CausalConv1dLowering, CausalConv1dGradLowering>(
      patterns.getContext());
}
