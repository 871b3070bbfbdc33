//===- AxisPool.cpp - FastVim axis pool / broadcast to loops ----------===//
//
// docs/semantics.md §2.6: each output token reduces a run of `cols` input
// tokens; the gradient of max goes to the first arg-max of the run.
//
//===----------------------------------------------------------------------===//

#include "LoopEmitter.h"
#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Transforms/DialectConversion.h"

#include <limits>

using namespace mlir;
using namespace mlir::ssm;
using mlir::ssm::detail::LoopEmitter;

namespace {

/// The factor applied to a run's reduction (mean divides by cols).
double poolFactor(PoolKind kind, double scale, int64_t cols) {
  return kind == PoolKind::mean ? scale / double(cols) : scale;
}

struct AxisPoolLowering : OpConversionPattern<AxisPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AxisPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    Value x = e.buffer(adaptor.getInput());
    Value batch = e.dim(x, 0), channels = e.dim(x, 1);
    Value cols = e.idx(op.getCols());
    Value rows = e.divi(e.dim(x, 2), cols);
    Value out =
        e.alloc(cast<RankedTensorType>(op.getType()), {batch, channels, rows});
    PoolKind kind = op.getKind();
    Value factor =
        e.f32(poolFactor(kind, op.getScale().convertToDouble(), op.getCols()));
    bool isMax = kind == PoolKind::max;
    Value init = e.f32(isMax ? -std::numeric_limits<double>::infinity() : 0.0);
    e.parallel({batch, channels, rows}, [&](ValueRange iv) {
      Value base = e.muli(iv[2], cols);
      Value acc = e.loopCarry(cols, {init}, [&](Value c, ValueRange a) {
        Value v = e.load(x, {iv[0], iv[1], e.addi(base, c)});
        Value next =
            isMax ? arith::MaximumFOp::create(rewriter, op.getLoc(), a[0], v)
                  : e.add(a[0], v);
        return SmallVector<Value>{next};
      })[0];
      e.store(e.mul(acc, factor), out, iv);
    });
    rewriter.replaceOp(op, e.tensor(out));
    return success();
  }
};

struct AxisBroadcastLowering : OpConversionPattern<AxisBroadcastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AxisBroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    Value x = e.buffer(adaptor.getInput());
    Value batch = e.dim(x, 0), channels = e.dim(x, 1);
    Value cols = e.idx(op.getCols());
    Value length = e.muli(e.dim(x, 2), cols);
    Value out = e.alloc(cast<RankedTensorType>(op.getType()),
                        {batch, channels, length});
    e.parallel({batch, channels, length}, [&](ValueRange iv) {
      Value src =
          memref::LoadOp::create(rewriter, op.getLoc(), x,
                                 ValueRange{iv[0], iv[1], e.divi(iv[2], cols)});
      memref::StoreOp::create(rewriter, op.getLoc(), src, out, iv);
    });
    rewriter.replaceOp(op, e.tensor(out));
    return success();
  }
};

struct AxisPoolGradLowering : OpConversionPattern<AxisPoolGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AxisPoolGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    Value x = e.buffer(adaptor.getInput()), dout = e.buffer(adaptor.getDout());
    SmallVector<Value> sizes = e.dims(x);
    Value cols = e.idx(op.getCols());
    Value rows = e.divi(sizes[2], cols);
    Value dx = e.alloc(cast<RankedTensorType>(op.getType()), sizes);
    PoolKind kind = op.getKind();
    Value factor =
        e.f32(poolFactor(kind, op.getScale().convertToDouble(), op.getCols()));
    Value zero = e.f32(0.0);
    e.parallel({sizes[0], sizes[1], rows}, [&](ValueRange iv) {
      Value b = iv[0], ch = iv[1], base = e.muli(iv[2], cols);
      Value g = e.mul(e.load(dout, iv), factor);
      if (kind != PoolKind::max) {
        e.loop(cols,
               [&](Value c) { e.store(g, dx, {b, ch, e.addi(base, c)}); });
        return;
      }
      // First arg-max: only a strictly greater value moves it.
      Value first = e.load(x, {b, ch, base});
      Value argmax =
          e.loopCarry(cols, {first, e.idx(0)}, [&](Value c, ValueRange a) {
            Value v = e.load(x, {b, ch, e.addi(base, c)});
            Value greater = e.cmpf(arith::CmpFPredicate::OGT, v, a[0]);
            return SmallVector<Value>{e.select(greater, v, a[0]),
                                      e.select(greater, c, a[1])};
          })[1];
      e.loop(cols, [&](Value c) {
        Value hit = e.cmpi(arith::CmpIPredicate::eq, c, argmax);
        e.store(e.select(hit, g, zero), dx, {b, ch, e.addi(base, c)});
      });
    });
    rewriter.replaceOp(op, e.tensor(dx));
    return success();
  }
};

} // namespace

void mlir::ssm::populateAxisPoolToSCFPatterns(RewritePatternSet &patterns) {
  patterns.add<AxisPoolLowering, AxisBroadcastLowering, AxisPoolGradLowering>(
      patterns.getContext());
}
