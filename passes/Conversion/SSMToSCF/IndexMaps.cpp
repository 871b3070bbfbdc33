//===- IndexMaps.cpp - cross_scan, cross_merge and flip to loops ------===//
//
// Pure index permutations (docs/semantics.md §2.4, §2.5). The direction list
// is static, so each direction gets its own loop nest (scan) or its own term
// (merge). A flip of static size becomes a linalg.generic so it can fuse.
//
//===----------------------------------------------------------------------===//

#include "LoopEmitter.h"
#include "ssm/Conversion/SSMToSCF/SSMToSCF.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::ssm;
using mlir::ssm::detail::LoopEmitter;

namespace {

ScanDirection directionAt(ArrayAttr directions, int64_t k) {
  return cast<ScanDirectionAttr>(directions[k]).getValue();
}

/// Position p_k(h, w) of grid cell (h, w) in a sequence of direction `dir`.
Value positionOf(LoopEmitter &e, ScanDirection dir, Value h, Value w,
                 Value height, Value width) {
  Value length = e.muli(height, width);
  switch (dir) {
  case ScanDirection::row:
    return e.addi(e.muli(h, width), w);
  case ScanDirection::col:
    return e.addi(e.muli(w, height), h);
  case ScanDirection::row_rev:
    return e.reversed(e.addi(e.muli(h, width), w), length);
  case ScanDirection::col_rev:
    return e.reversed(e.addi(e.muli(w, height), h), length);
  }
  llvm_unreachable("unknown scan direction");
}

/// The grid cell (h, w) at position p of a sequence of direction `dir`.
std::pair<Value, Value> cellOf(LoopEmitter &e, ScanDirection dir, Value p,
                               Value height, Value width) {
  Value length = e.muli(height, width);
  switch (dir) {
  case ScanDirection::row_rev:
    p = e.reversed(p, length);
    [[fallthrough]];
  case ScanDirection::row:
    return {e.divi(p, width), e.remi(p, width)};
  case ScanDirection::col_rev:
    p = e.reversed(p, length);
    [[fallthrough]];
  case ScanDirection::col:
    return {e.remi(p, height), e.divi(p, height)};
  }
  llvm_unreachable("unknown scan direction");
}

struct CrossScanLowering : OpConversionPattern<CrossScanOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CrossScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    Value x = e.buffer(adaptor.getInput());
    SmallVector<Value> s = e.dims(x); // b, c, h, w
    int64_t k = op.getDirections().size();
    Value length = e.muli(s[2], s[3]);
    Value out = e.alloc(cast<RankedTensorType>(op.getType()),
                        {s[0], e.idx(k), s[1], length});
    for (int64_t kk = 0; kk < k; ++kk) {
      ScanDirection dir = directionAt(op.getDirections(), kk);
      Value kIdx = e.idx(kk);
      e.parallel({s[0], s[1], length}, [&](ValueRange iv) {
        auto [h, w] = cellOf(e, dir, iv[2], s[2], s[3]);
        memref::StoreOp::create(
            rewriter, op.getLoc(),
            memref::LoadOp::create(rewriter, op.getLoc(), x,
                                   ValueRange{iv[0], iv[1], h, w}),
            out, ValueRange{iv[0], kIdx, iv[1], iv[2]});
      });
    }
    rewriter.replaceOp(op, e.tensor(out));
    return success();
  }
};

struct CrossMergeLowering : OpConversionPattern<CrossMergeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CrossMergeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoopEmitter e(rewriter, op.getLoc());
    Value ys = e.buffer(adaptor.getInput());
    Value batch = e.dim(ys, 0), channels = e.dim(ys, 2);
    Value height = e.idx(op.getHeight()), width = e.idx(op.getWidth());
    Value out = e.alloc(cast<RankedTensorType>(op.getType()),
                        {batch, channels, height, width});
    e.parallel({batch, channels, height, width}, [&](ValueRange iv) {
      Value sum = e.f32(0.0);
      for (int64_t kk = 0, k = op.getDirections().size(); kk < k; ++kk) {
        Value p = positionOf(e, directionAt(op.getDirections(), kk), iv[2],
                             iv[3], height, width);
        sum = e.add(sum, e.load(ys, {iv[0], e.idx(kk), iv[1], p}));
      }
      e.store(sum, out, iv);
    });
    rewriter.replaceOp(op, e.tensor(out));
    return success();
  }
};

/// A flip along a dimension of static size is a linalg.generic whose input
/// map reverses that dimension (`n - 1 - d`): elementwise fusion then folds
/// it into the loads of an elementwise consumer (Vim's flip of the backward
/// direction's output into the sum of both directions), so it costs no kernel
/// and no intermediate buffer. A dynamic size needs the loop form.
struct FlipLowering : OpConversionPattern<FlipOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FlipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t dim = op.getDim();
    if (!type.isDynamicDim(dim)) {
      rewriter.replaceOp(op, reversedCopy(rewriter, op.getLoc(),
                                          adaptor.getInput(), type, dim));
      return success();
    }
    LoopEmitter e(rewriter, op.getLoc());
    Value x = e.buffer(adaptor.getInput());
    SmallVector<Value> sizes = e.dims(x);
    Value out = e.alloc(type, sizes);
    e.parallel(sizes, [&](ValueRange iv) {
      SmallVector<Value> src(iv);
      src[dim] = e.reversed(iv[dim], sizes[dim]);
      memref::StoreOp::create(
          rewriter, op.getLoc(),
          memref::LoadOp::create(rewriter, op.getLoc(), x, src), out, iv);
    });
    rewriter.replaceOp(op, e.tensor(out));
    return success();
  }

  static Value reversedCopy(OpBuilder &b, Location loc, Value input,
                            RankedTensorType type, int64_t dim) {
    MLIRContext *ctx = b.getContext();
    int64_t rank = type.getRank();
    SmallVector<AffineExpr> reads;
    for (int64_t i = 0; i < rank; ++i)
      reads.push_back(i == dim ? type.getDimSize(dim) - 1 -
                                     getAffineDimExpr(i, ctx)
                               : getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, reads, ctx),
                                   b.getMultiDimIdentityMap(rank)};
    SmallVector<Value> dynamicSizes;
    for (int64_t i = 0; i < rank; ++i)
      if (type.isDynamicDim(i))
        dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, i));
    Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                         type.getElementType(), dynamicSizes);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{type}, ValueRange{input}, ValueRange{init}, maps,
        iterators, [](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, args[0]);
        });
    return generic.getResult(0);
  }
};

} // namespace

void mlir::ssm::populateIndexMapToSCFPatterns(RewritePatternSet &patterns) {
  patterns.add<CrossScanLowering, CrossMergeLowering, FlipLowering>(
      patterns.getContext());
}
