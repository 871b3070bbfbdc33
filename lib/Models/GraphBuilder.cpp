//===- GraphBuilder.cpp - tensor-level IR emission for model builders ----===//

#include "GraphBuilder.h"

#include "ssm/Autodiff/TrainStep.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ssm;
using namespace mlir::ssm::models;

GraphBuilder::GraphBuilder(ModuleOp module, StringRef function,
                           const Shape &imageShape, bool bf16)
    : b_(module.getContext()), loc_(module.getLoc()), bf16_(bf16) {
  b_.setInsertionPointToEnd(module.getBody());
  Type elem = bf16 ? Type(b_.getBF16Type()) : Type(b_.getF32Type());
  auto imageType = RankedTensorType::get(imageShape, elem);
  func_ = func::FuncOp::create(b_, loc_, function,
                               b_.getFunctionType({imageType}, {}));
  // bf16 models store their intermediates between kernels in bf16
  // (ssm-narrow-activations); f32 models carry no attribute.
  if (bf16)
    func_->setAttr(kActivationTypeAttr, TypeAttr::get(b_.getBF16Type()));
  entry_ = func_.addEntryBlock();
  b_.setInsertionPointToStart(entry_);
  argNames_.push_back("image");
  image_ = widen(entry_->getArgument(0));
}

Value GraphBuilder::weight(const std::string &name, const Shape &shape) {
  Type elem = bf16_ ? Type(b_.getBF16Type()) : Type(b_.getF32Type());
  BlockArgument arg =
      entry_->addArgument(RankedTensorType::get(shape, elem), loc_);
  argNames_.push_back(name);
  return widen(arg);
}

void GraphBuilder::finish(ArrayRef<Value> results,
                          ArrayRef<std::string> names) {
  func::ReturnOp::create(b_, loc_, results);
  SmallVector<Type> argTypes(entry_->getArgumentTypes());
  SmallVector<Type> resultTypes;
  for (Value r : results)
    resultTypes.push_back(r.getType());
  func_.setFunctionType(b_.getFunctionType(argTypes, resultTypes));
  for (auto [i, name] : llvm::enumerate(argNames_))
    func_.setArgAttr(i, kNameAttr, b_.getStringAttr(name));
  for (auto [i, name] : llvm::enumerate(names))
    func_.setResultAttr(i, kNameAttr, b_.getStringAttr(name));
}

Shape GraphBuilder::shapeOf(Value v) {
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  return Shape(shape.begin(), shape.end());
}

RankedTensorType GraphBuilder::tensorType(const Shape &shape) {
  return RankedTensorType::get(shape, b_.getF32Type());
}

Value GraphBuilder::emptyTensor(const Shape &shape) {
  return tensor::EmptyOp::create(b_, loc_, shape, b_.getF32Type());
}

Value GraphBuilder::filled(const Shape &shape, double v) {
  return linalg::FillOp::create(b_, loc_, ValueRange{f32(v)},
                                ValueRange{emptyTensor(shape)})
      .getResult(0);
}

Value GraphBuilder::f32(double v) {
  return arith::ConstantOp::create(b_, loc_, b_.getF32FloatAttr(float(v)));
}

AffineMap GraphBuilder::proj(unsigned numDims, ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(b_.getAffineDimExpr(d));
  return AffineMap::get(numDims, 0, exprs, b_.getContext());
}

AffineMap GraphBuilder::identity(unsigned numDims) {
  return AffineMap::getMultiDimIdentityMap(numDims, b_.getContext());
}

Value GraphBuilder::widen(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getElementType().isF32())
    return v;
  return map({v}, [](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
    return arith::ExtFOp::create(b, loc, b.getF32Type(), a[0]);
  });
}

//===----------------------------------------------------------------------===//
// Generic building blocks
//===----------------------------------------------------------------------===//

/// One linalg.generic: inputs through inMaps, `init` through outMap; loop
/// dims absent from outMap are reductions. `body` gets the input scalars
/// followed by the accumulator.
static Value generic(OpBuilder &b, Location loc, ArrayRef<Value> inputs,
                     ArrayRef<AffineMap> inMaps, Value init, AffineMap outMap,
                     const ScalarFn &body) {
  unsigned numLoops = outMap.getNumDims();
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::reduction);
  for (AffineExpr e : outMap.getResults())
    iterators[cast<AffineDimExpr>(e).getPosition()] =
        utils::IteratorType::parallel;
  SmallVector<AffineMap> maps(inMaps.begin(), inMaps.end());
  maps.push_back(outMap);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> scalars(args.begin(), args.end());
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, scalars));
      });
  return op.getResult(0);
}

Value GraphBuilder::map(ArrayRef<Value> inputs, ArrayRef<AffineMap> inMaps,
                        const Shape &outShape, const ScalarFn &fn) {
  return generic(b_, loc_, inputs, inMaps, emptyTensor(outShape),
                 identity(outShape.size()),
                 [&](OpBuilder &b, Location loc, ArrayRef<Value> args) {
                   return fn(b, loc, args.drop_back());
                 });
}

Value GraphBuilder::map(ArrayRef<Value> inputs, const ScalarFn &fn) {
  Shape shape = shapeOf(inputs.front());
  SmallVector<AffineMap> maps(inputs.size(), identity(shape.size()));
  return map(inputs, maps, shape, fn);
}

/// Whether `v` is a bf16 tensor widened to f32 (GraphBuilder::widen).
static bool isWidenedBF16(Value v) {
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  return generic && generic.getNumDpsInputs() == 1 &&
         getElementTypeOrSelf(generic.getDpsInputOperand(0)->get().getType())
             .isBF16() &&
         isa<arith::ExtFOp>(generic.getBody()->front());
}

Value GraphBuilder::bf16Operand(Value v) {
  if (!bf16_ || isWidenedBF16(v))
    return v;
  Shape shape = shapeOf(v);
  Value init = tensor::EmptyOp::create(b_, loc_, shape, b_.getBF16Type());
  Value narrow = generic(
      b_, loc_, {v}, {identity(shape.size())}, init, identity(shape.size()),
      [](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
        return arith::TruncFOp::create(b, loc, b.getBF16Type(), a[0]);
      });
  return widen(narrow);
}

Value GraphBuilder::contract(Value lhs, AffineMap lhsMap, Value rhs,
                             AffineMap rhsMap, const Shape &outShape,
                             AffineMap outMap, Value init) {
  if (!init)
    init = filled(outShape, 0.0);
  // bf16 models multiply bf16 operands (f32 sums): the activation is
  // rounded to bf16 where it is produced (the rounding fuses into its
  // producer, which then stores half the bytes) and the GEMM reads two bf16
  // operands, which cuBLASLt runs on tensor cores, as the official code's
  // autocast does.
  lhs = bf16Operand(lhs);
  rhs = bf16Operand(rhs);
  return generic(b_, loc_, {lhs, rhs}, {lhsMap, rhsMap}, init, outMap,
                 [](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
                   Value p = arith::MulFOp::create(b, loc, a[0], a[1]);
                   return arith::AddFOp::create(b, loc, a[2], p);
                 });
}

Value GraphBuilder::reduce(
    Value x, ArrayRef<unsigned> dims, double initValue,
    const std::function<Value(OpBuilder &, Location, Value, Value)> &combine) {
  Shape in = shapeOf(x), out;
  SmallVector<unsigned> kept;
  for (unsigned d = 0; d < in.size(); ++d)
    if (!llvm::is_contained(dims, d)) {
      kept.push_back(d);
      out.push_back(in[d]);
    }
  return generic(b_, loc_, {x}, {identity(in.size())}, filled(out, initValue),
                 proj(in.size(), kept),
                 [&](OpBuilder &b, Location loc, ArrayRef<Value> a) {
                   return combine(b, loc, a[1], a[0]);
                 });
}

Value GraphBuilder::reduceSum(Value x, ArrayRef<unsigned> dims) {
  return reduce(x, dims, 0.0, [](OpBuilder &b, Location loc, Value acc,
                                 Value v) -> Value {
    return arith::AddFOp::create(b, loc, acc, v);
  });
}

Value GraphBuilder::reduceMean(Value x, ArrayRef<unsigned> dims) {
  Shape in = shapeOf(x);
  int64_t count = 1;
  for (unsigned d : dims)
    count *= in[d];
  return scale(reduceSum(x, dims), 1.0 / double(count));
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// The output index space of `x` with `axis` removed, as dims of a map over
/// x's index space.
static SmallVector<unsigned> allBut(unsigned rank, unsigned axis) {
  SmallVector<unsigned> dims;
  for (unsigned d = 0; d < rank; ++d)
    if (d != axis)
      dims.push_back(d);
  return dims;
}

Value GraphBuilder::linearLast(Value x, Value W, Value bias) {
  Shape xs = shapeOf(x), ws = shapeOf(W);
  unsigned rank = xs.size(), loops = rank + 1; // (..., o, k)
  Shape out(xs.begin(), xs.end() - 1);
  out.push_back(ws[0]);
  SmallVector<unsigned> xDims, oDims;
  for (unsigned d = 0; d + 1 < rank; ++d) {
    xDims.push_back(d);
    oDims.push_back(d);
  }
  xDims.push_back(rank); // k
  oDims.push_back(rank - 1);
  Value init;
  if (bias)
    init = broadcastAlong(bias, rank - 1, out);
  return contract(x, proj(loops, xDims), W, proj(loops, {rank - 1, rank}), out,
                  proj(loops, oDims), init);
}

Value GraphBuilder::linearCF(Value W, Value x, Value bias) {
  Shape xs = shapeOf(x), ws = shapeOf(W);
  if (xs.size() > 3) {
    // (B, C, H, W, ...) -> (B, C, L): one contiguous pixel dimension, which
    // the CPU pipeline runs innermost (a long multiply-add over L per
    // weight instead of short rows re-accumulated per input channel).
    ReassociationIndices spatial;
    for (int64_t d = 2; d < int64_t(xs.size()); ++d)
      spatial.push_back(d);
    Value flat = linearCF(W, collapse(x, {{0}, {1}, spatial}), bias);
    Shape out = xs;
    out[1] = ws[0];
    return expand(flat, out, {{0}, {1}, spatial});
  }
  unsigned rank = xs.size(), loops = rank + 1; // (b, o, l..., k)
  Shape out = xs;
  out[1] = ws[0];
  SmallVector<unsigned> xDims{0, rank}, oDims;
  for (unsigned d = 2; d < rank; ++d)
    xDims.push_back(d);
  for (unsigned d = 0; d < rank; ++d)
    oDims.push_back(d);
  Value init;
  if (bias)
    init = broadcastAlong(bias, 1, out);
  return contract(W, proj(loops, {1, rank}), x, proj(loops, xDims), out,
                  proj(loops, oDims), init);
}

Value GraphBuilder::linearCLtoCF(Value W, Value x) {
  Shape xs = shapeOf(x), ws = shapeOf(W); // x (b, l, k)
  // loops (b, o, l, k)
  return contract(W, proj(4, {1, 3}), x, proj(4, {0, 2, 3}),
                  {xs[0], ws[0], xs[1]}, proj(4, {0, 1, 2}));
}

Value GraphBuilder::linearCFtoCL(Value x, Value W) {
  Shape xs = shapeOf(x), ws = shapeOf(W); // x (b, k, l)
  // loops (b, l, o, k)
  return contract(x, proj(4, {0, 3, 1}), W, proj(4, {2, 3}),
                  {xs[0], xs[2], ws[0]}, proj(4, {0, 1, 2}));
}

Value GraphBuilder::layerNorm(Value x, unsigned axis, Value w, Value bias,
                              double eps) {
  Shape xs = shapeOf(x);
  unsigned rank = xs.size();
  double n = double(xs[axis]);
  SmallVector<unsigned> rest = allBut(rank, axis);
  Shape reduced;
  for (unsigned d : rest)
    reduced.push_back(xs[d]);
  AffineMap id = identity(rank), row = proj(rank, rest),
            chan = proj(rank, {axis});
  Value mean = reduceMean(x, {axis});
  // Two passes: sum((x - mean)^2) reads x and the mean, nothing else is
  // materialized.
  Value var = generic(
      b_, loc_, {x, mean}, {id, row}, filled(reduced, 0.0), row,
      [](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
        Value d = arith::SubFOp::create(b, loc, a[0], a[1]);
        Value sq = arith::MulFOp::create(b, loc, d, d);
        return arith::AddFOp::create(b, loc, a[2], sq);
      });
  Value invN = f32(1.0 / n), epsV = f32(eps);
  SmallVector<Value> ins{x, mean, var, w};
  SmallVector<AffineMap> maps{id, row, row, chan};
  if (bias) {
    ins.push_back(bias);
    maps.push_back(chan);
  }
  return map(ins, maps, xs,
             [&](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
               Value d = arith::SubFOp::create(b, loc, a[0], a[1]);
               Value v = arith::MulFOp::create(b, loc, a[2], invN);
               Value ve = arith::AddFOp::create(b, loc, v, epsV);
               Value r = math::RsqrtOp::create(b, loc, ve);
               Value y = arith::MulFOp::create(b, loc, d, r);
               y = arith::MulFOp::create(b, loc, y, a[3]);
               if (a.size() > 4)
                 y = arith::AddFOp::create(b, loc, y, a[4]);
               return y;
             });
}

Value GraphBuilder::rmsNorm(Value x, unsigned axis, Value w, double eps) {
  Shape xs = shapeOf(x);
  unsigned rank = xs.size();
  SmallVector<unsigned> rest = allBut(rank, axis);
  Shape reduced;
  for (unsigned d : rest)
    reduced.push_back(xs[d]);
  AffineMap id = identity(rank), row = proj(rank, rest),
            chan = proj(rank, {axis});
  Value ss = generic(b_, loc_, {x}, {id}, filled(reduced, 0.0), row,
                     [](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
                       Value sq = arith::MulFOp::create(b, loc, a[0], a[0]);
                       return arith::AddFOp::create(b, loc, a[1], sq);
                     });
  Value invN = f32(1.0 / double(xs[axis])), epsV = f32(eps);
  return map({x, ss, w}, {id, row, chan}, xs,
             [&](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
               Value m = arith::MulFOp::create(b, loc, a[1], invN);
               Value me = arith::AddFOp::create(b, loc, m, epsV);
               Value r = math::RsqrtOp::create(b, loc, me);
               Value y = arith::MulFOp::create(b, loc, a[0], r);
               return arith::MulFOp::create(b, loc, y, a[2]);
             });
}

Value GraphBuilder::add(Value a, Value c) {
  return map({a, c}, [](OpBuilder &b, Location loc, ArrayRef<Value> v) -> Value {
    return arith::AddFOp::create(b, loc, v[0], v[1]);
  });
}

Value GraphBuilder::residual(Value shortcut, Value branch, int64_t index,
                             int64_t count) {
  Value sum = add(shortcut, branch);
  sum.getDefiningOp()->setAttr(kDropPathAttr,
                               b_.getDenseI64ArrayAttr({index, count}));
  // The residual stream stays f32 in bf16 models (the official Vim's
  // residual_in_fp32).
  if (bf16_)
    sum.getDefiningOp()->setAttr(kKeepF32Attr, b_.getUnitAttr());
  return sum;
}

Value GraphBuilder::mul(Value a, Value c) {
  return map({a, c}, [](OpBuilder &b, Location loc, ArrayRef<Value> v) -> Value {
    return arith::MulFOp::create(b, loc, v[0], v[1]);
  });
}

Value GraphBuilder::scale(Value x, double s) {
  Value sv = f32(s);
  return map({x}, [&](OpBuilder &b, Location loc, ArrayRef<Value> v) -> Value {
    return arith::MulFOp::create(b, loc, v[0], sv);
  });
}

Value mlir::ssm::models::emitGelu(OpBuilder &b, Location loc, Value x) {
  Value half = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.5f));
  Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
  Value invSqrt2 = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(float(0.70710678118654752440)));
  Value e = math::ErfOp::create(b, loc,
                                arith::MulFOp::create(b, loc, x, invSqrt2));
  Value hx = arith::MulFOp::create(b, loc, x, half);
  return arith::MulFOp::create(b, loc, hx,
                               arith::AddFOp::create(b, loc, e, one));
}

Value mlir::ssm::models::emitSilu(OpBuilder &b, Location loc, Value x) {
  Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, x, arith::AddFOp::create(b, loc, e, one));
}

Value GraphBuilder::gelu(Value x) {
  return map({x}, [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
    return emitGelu(b, loc, v[0]);
  });
}

Value GraphBuilder::silu(Value x) {
  return map({x}, [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
    return emitSilu(b, loc, v[0]);
  });
}

Value GraphBuilder::negExp(Value x) {
  return map({x}, [](OpBuilder &b, Location loc, ArrayRef<Value> v) -> Value {
    return arith::NegFOp::create(b, loc, math::ExpOp::create(b, loc, v[0]));
  });
}

Value GraphBuilder::addAlong(Value x, Value v, unsigned axis) {
  Shape xs = shapeOf(x);
  return map({x, v}, {identity(xs.size()), proj(xs.size(), {axis})}, xs,
             [](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
               return arith::AddFOp::create(b, loc, a[0], a[1]);
             });
}

Value GraphBuilder::mulAlong(Value x, Value v, unsigned axis) {
  Shape xs = shapeOf(x);
  return map({x, v}, {identity(xs.size()), proj(xs.size(), {axis})}, xs,
             [](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
               return arith::MulFOp::create(b, loc, a[0], a[1]);
             });
}

Value GraphBuilder::addBroadcastBatch(Value x, Value y) {
  Shape xs = shapeOf(x);
  unsigned rank = xs.size();
  SmallVector<AffineExpr> exprs{b_.getAffineConstantExpr(0)};
  for (unsigned d = 1; d < rank; ++d)
    exprs.push_back(b_.getAffineDimExpr(d));
  AffineMap yMap = AffineMap::get(rank, 0, exprs, b_.getContext());
  return map({x, y}, {identity(rank), yMap}, xs,
             [](OpBuilder &b, Location loc, ArrayRef<Value> a) -> Value {
               return arith::AddFOp::create(b, loc, a[0], a[1]);
             });
}

/// Zero-pads the two spatial dims (`h`, `h + 1`) of a rank-4 tensor.
static Value padSpatial(OpBuilder &b, Location loc, Value x, unsigned h,
                        int64_t pad) {
  if (pad == 0)
    return x;
  Shape xs = GraphBuilder::shapeOf(x);
  SmallVector<int64_t> low(4, 0);
  low[h] = low[h + 1] = pad;
  Shape padded = xs;
  padded[h] += 2 * pad;
  padded[h + 1] += 2 * pad;
  auto type = RankedTensorType::get(padded, b.getF32Type());
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (int64_t v : low)
    lowOfr.push_back(b.getIndexAttr(v));
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  return tensor::PadOp::create(b, loc, type, x, lowOfr, lowOfr, zero);
}

Value GraphBuilder::conv2d(Value x, Value W, Value bias, int64_t stride,
                           int64_t pad) {
  // im2col + one channel-first contraction: the pipeline runs that as a
  // long contiguous multiply-add over the output pixels, where a direct
  // 7-deep convolution loop nest would end in a 3-step kernel-width loop.
  Shape xs = shapeOf(x), ws = shapeOf(W);
  int64_t n = xs[0], c = xs[1], k = ws[2];
  int64_t ho = (xs[2] + 2 * pad - k) / stride + 1;
  int64_t wo = (xs[3] + 2 * pad - k) / stride + 1;
  Value in = padSpatial(b_, loc_, x, 2, pad);
  // cols[b, c, i, j, oh, ow] = in[b, c, oh * stride + i, ow * stride + j]
  AffineExpr d[6];
  for (unsigned e = 0; e < 6; ++e)
    d[e] = b_.getAffineDimExpr(e);
  AffineMap gather = AffineMap::get(
      6, 0, {d[0], d[1], d[4] * stride + d[2], d[5] * stride + d[3]},
      b_.getContext());
  Value cols = map({in}, {gather}, {n, c, k, k, ho, wo},
                   [](OpBuilder &, Location, ArrayRef<Value> a) { return a[0]; });
  Value patches = collapse(cols, {{0}, {1, 2, 3}, {4, 5}}); // (B, C*k*k, L)
  Value weights = collapse(W, {{0}, {1, 2, 3}});             // (F, C*k*k)
  Value y = linearCF(weights, patches, bias);                // (B, F, L)
  return expand(y, {n, ws[0], ho, wo}, {{0}, {1}, {2, 3}});
}

/// Depthwise k x k, stride 1, zero padding: `channelDim` is 1 (NCHW, weight
/// (C, k, k)) or 3 (NHWC, weight (k, k, C)).
Value GraphBuilder::depthwise(Value x, Value W, Value bias, int64_t pad,
                              unsigned channelDim) {
  Shape xs = shapeOf(x), ws = shapeOf(W);
  int64_t k = ws[2];
  unsigned h = channelDim == 1 ? 2 : 1;
  Shape out = xs;
  out[h] += 2 * pad - k + 1;
  out[h + 1] += 2 * pad - k + 1;
  Value w = collapse(W, {{0, 1}, {2}, {3}}); // (C, k, k)
  if (channelDim == 3)
    w = transpose(w, {1, 2, 0});
  Value in = padSpatial(b_, loc_, x, h, pad);
  Value init = bias ? broadcastAlong(bias, channelDim, out) : filled(out, 0.0);
  auto ones = DenseIntElementsAttr::get(
      RankedTensorType::get({2}, b_.getI64Type()), ArrayRef<int64_t>{1, 1});
  Type type = init.getType();
  if (channelDim == 1)
    return linalg::DepthwiseConv2DNchwChwOp::create(b_, loc_, TypeRange(type),
                                                    ValueRange{in, w},
                                                    ValueRange{init}, ones, ones)
        .getResult(0);
  return linalg::DepthwiseConv2DNhwcHwcOp::create(b_, loc_, TypeRange(type),
                                                  ValueRange{in, w},
                                                  ValueRange{init}, ones, ones)
      .getResult(0);
}

Value GraphBuilder::depthwiseNCHW(Value x, Value W, Value bias, int64_t pad) {
  return depthwise(x, W, bias, pad, 1);
}

Value GraphBuilder::depthwiseNHWC(Value x, Value W, Value bias, int64_t pad) {
  return depthwise(x, W, bias, pad, 3);
}

Value GraphBuilder::broadcastAlong(Value v, unsigned axis, const Shape &shape) {
  return map({v}, {proj(shape.size(), {axis})}, shape,
             [](OpBuilder &, Location, ArrayRef<Value> a) { return a[0]; });
}

Value GraphBuilder::namedLayerNorm(Value x, unsigned axis,
                                   const std::string &name, int64_t width,
                                   double eps) {
  return layerNorm(x, axis, weight(name + ".weight", {width}),
                   weight(name + ".bias", {width}), eps);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

Value GraphBuilder::transpose(Value x, ArrayRef<int64_t> perm) {
  Shape xs = shapeOf(x), out;
  for (int64_t p : perm)
    out.push_back(xs[p]);
  return linalg::TransposeOp::create(b_, loc_, x, emptyTensor(out), perm)
      .getResult()[0];
}

Value GraphBuilder::collapse(Value x, ArrayRef<ReassociationIndices> groups) {
  return tensor::CollapseShapeOp::create(b_, loc_, x, groups);
}

Value GraphBuilder::expand(Value x, const Shape &shape,
                           ArrayRef<ReassociationIndices> groups) {
  return tensor::ExpandShapeOp::create(b_, loc_, tensorType(shape), x, groups);
}

Value GraphBuilder::slice(Value x, ArrayRef<int64_t> offsets,
                          ArrayRef<int64_t> sizes) {
  SmallVector<OpFoldResult> o, sz, st;
  for (auto [off, size] : llvm::zip(offsets, sizes)) {
    o.push_back(b_.getIndexAttr(off));
    sz.push_back(b_.getIndexAttr(size));
    st.push_back(b_.getIndexAttr(1));
  }
  return tensor::ExtractSliceOp::create(b_, loc_, x, o, sz, st);
}

Value GraphBuilder::concat(ArrayRef<Value> parts, unsigned axis) {
  return tensor::ConcatOp::create(b_, loc_, axis, ValueRange(parts));
}

//===----------------------------------------------------------------------===//
// ssm ops
//===----------------------------------------------------------------------===//

Value GraphBuilder::causalConv1dSilu(Value x, Value w3d, Value bias) {
  Value w = collapse(w3d, {{0, 1}, {2}}); // (E, 1, W) -> (E, W)
  return CausalConv1dOp::create(
      b_, loc_, ActivationKindAttr::get(b_.getContext(), ActivationKind::silu),
      x, w, bias, TypeAttr());
}

Value GraphBuilder::flip(Value x, int64_t dim) {
  return FlipOp::create(b_, loc_, x, b_.getI64IntegerAttr(dim));
}

Value GraphBuilder::selectiveScan(const ScanOperands &o) {
  return SelectiveScanOp::create(
             b_, loc_, o.u, o.delta, o.A, o.B, o.C, o.D, o.z, o.deltaBias,
             o.softplus ? b_.getUnitAttr() : UnitAttr(), UnitAttr(),
             UnitAttr(), TypeAttr())
      .getOut();
}

static ArrayAttr allDirections(OpBuilder &b) {
  SmallVector<Attribute> dirs;
  for (ScanDirection d : {ScanDirection::row, ScanDirection::col,
                          ScanDirection::row_rev, ScanDirection::col_rev})
    dirs.push_back(ScanDirectionAttr::get(b.getContext(), d));
  return b.getArrayAttr(dirs);
}

Value GraphBuilder::crossScan(Value x) {
  return CrossScanOp::create(b_, loc_, x, allDirections(b_));
}

Value GraphBuilder::crossMerge(Value ys, int64_t height, int64_t width) {
  return CrossMergeOp::create(b_, loc_, ys, allDirections(b_),
                              b_.getI64IntegerAttr(height),
                              b_.getI64IntegerAttr(width));
}

Value GraphBuilder::axisPool(Value x, int64_t cols, bool max, double scale) {
  return AxisPoolOp::create(
      b_, loc_,
      PoolKindAttr::get(b_.getContext(), max ? PoolKind::max : PoolKind::mean),
      x, b_.getI64IntegerAttr(cols), b_.getF64FloatAttr(scale));
}

Value GraphBuilder::axisBroadcast(Value x, int64_t cols) {
  return AxisBroadcastOp::create(b_, loc_, x, b_.getI64IntegerAttr(cols));
}
