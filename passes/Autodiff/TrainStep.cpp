//===- TrainStep.cpp - the fused training step and ssm-train-step ---------===//
//
// buildTrainStep():
//  1. `<f>_train_loss(data..., targets, [seed,] params...) -> loss`: the
//     forward body cloned, then softmax cross-entropy against
//     (label-smoothed) soft targets, averaged over the batch, with the usual
//     max shift; with drop path, the tagged residual adds scale their branch
//     by a per-sample mask hashed from the seed;
//  2. its gradient with respect to the parameters (differentiateFunction);
//  3. `train_step`: the gradient's body cloned with the loss adjoint 1,
//     then the global gradient norm (summed in f64), the step's scalars
//     (clip scale, AdamW's bias corrections, the decay factor; f64, as
//     torch computes them in Python floats) and one elementwise generic per
//     parameter doing clip + AdamW in torch.optim.AdamW's operation order;
//  4. the two helper functions are erased.
//
//===----------------------------------------------------------------------===//

#include "ssm/Autodiff/TrainStep.h"
#include "ssm/Autodiff/Autodiff.h"
#include "ssm/Autodiff/Passes.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>

namespace mlir::ssm {
#define GEN_PASS_DEF_BUILDTRAINSTEP
#include "ssm/Autodiff/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

//===----------------------------------------------------------------------===//
// Options and the no-decay rule
//===----------------------------------------------------------------------===//

ArrayRef<StringRef> mlir::ssm::noWeightDecayLeaves() {
  static const StringRef leaves[] = {"bias", "cls_token", "pos_embed"};
  return leaves;
}

bool mlir::ssm::noWeightDecay(StringRef name, ArrayRef<int64_t> shape) {
  StringRef leaf = name.rsplit('.').second;
  if (leaf.empty())
    leaf = name;
  return shape.size() <= 1 || llvm::is_contained(noWeightDecayLeaves(), leaf);
}

// Odd 32-bit constants (golden ratio, murmur3's) for the counter mix.
static constexpr uint32_t kSeedMul = 0x9E3779B1u, kIndexMul = 0x85EBCA77u,
                          kSampleMul = 0xC2B2AE3Du, kFmix1 = 0x85EBCA6Bu,
                          kFmix2 = 0xC2B2AE35u;

uint32_t mlir::ssm::dropPathHash(uint32_t seed, uint32_t index,
                                 uint32_t sample) {
  uint32_t x = (seed * kSeedMul) ^ ((index + 1) * kIndexMul) ^
               ((sample + 1) * kSampleMul);
  x ^= x >> 16;
  x *= kFmix1;
  x ^= x >> 13;
  x *= kFmix2;
  x ^= x >> 16;
  return x;
}

uint32_t mlir::ssm::dropPathThreshold(double rate) {
  return uint32_t(std::ceil((1.0 - rate) * double(1u << 24)));
}

LogicalResult mlir::ssm::parseTrainStepOption(TrainStepOptions &options,
                                              StringRef key, StringRef value,
                                              std::string &error) {
  auto number = [&](double &out, double lo, double hi,
                    StringRef range) -> LogicalResult {
    double v;
    if (value.trim().getAsDouble(v) || !(v >= lo && v <= hi)) {
      error = ("train option '" + key + "' expects a number in " + range +
               ", got '" + value + "'")
                  .str();
      return failure();
    }
    out = v;
    return success();
  };
  double inf = std::numeric_limits<double>::infinity();
  if (key == "label_smoothing")
    return number(options.labelSmoothing, 0.0, 1.0, "[0, 1]");
  if (key == "max_grad_norm")
    return number(options.maxGradNorm, 0.0, inf, "[0, inf)");
  if (key == "weight_decay")
    return number(options.weightDecay, 0.0, inf, "[0, inf)");
  if (key == "beta1")
    return number(options.beta1, 0.0, 1.0, "[0, 1]");
  if (key == "beta2")
    return number(options.beta2, 0.0, 1.0, "[0, 1]");
  if (key == "eps")
    return number(options.eps, 0.0, inf, "[0, inf)");
  if (key == "drop_path") {
    if (failed(number(options.dropPath, 0.0, 1.0, "[0, 1)")))
      return failure();
    if (options.dropPath < 1.0)
      return success();
    error = ("train option 'drop_path' expects a number in [0, 1), got '" +
             value + "'")
                .str();
    return failure();
  }
  if (key == "function" || key == "name") {
    if (value.empty()) {
      error = ("train option '" + key + "' expects a name").str();
      return failure();
    }
    (key == "function" ? options.function : options.name) = value.str();
    return success();
  }
  if (key == "num_data_inputs") {
    unsigned n;
    if (value.getAsInteger(10, n)) {
      error = ("train option 'num_data_inputs' expects an integer, got '" +
               value + "'")
                  .str();
      return failure();
    }
    options.numDataInputs = n;
    return success();
  }
  error = ("unknown train option '" + key +
           "' (known: label_smoothing, max_grad_norm, weight_decay, beta1, "
           "beta2, eps, drop_path, function, num_data_inputs, name)")
              .str();
  return failure();
}

//===----------------------------------------------------------------------===//
// IR helpers
//===----------------------------------------------------------------------===//

namespace {

using IT = utils::IteratorType;

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type element) {
  return tensor::EmptyOp::create(b, loc, shape, element);
}

Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type element, double value) {
  Value empty = emptyTensor(b, loc, shape, element);
  Value c = arith::ConstantOp::create(b, loc, b.getFloatAttr(element, value));
  return linalg::FillOp::create(b, loc, ValueRange{c}, ValueRange{empty})
      .getResult(0);
}

Value constF(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

/// Cross-entropy of `logits` (B x C, f32) against `targets`, averaged over
/// the batch: sum_bc t'[b,c] * (lse[b] - x[b,c]) / B, with lse the row's
/// max-shifted log-sum-exp and t' the label-smoothed targets.
Value crossEntropy(OpBuilder &b, Location loc, Value logits, Value targets,
                   double smoothing) {
  auto type = cast<RankedTensorType>(logits.getType());
  int64_t batch = type.getDimSize(0), classes = type.getDimSize(1);
  Type f32 = b.getF32Type();
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  AffineMap row1 = AffineMap::getMultiDimIdentityMap(1, ctx);

  if (smoothing != 0.0) {
    Value init = emptyTensor(b, loc, {batch, classes}, f32);
    targets =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{targets},
            ValueRange{init}, ArrayRef<AffineMap>{id, id},
            ArrayRef<IT>{IT::parallel, IT::parallel},
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value keep = constF(nb, l, f32, 1.0 - smoothing);
              Value spread = constF(nb, l, f32, smoothing / double(classes));
              Value t = arith::MulFOp::create(nb, l, args[0], keep);
              linalg::YieldOp::create(
                  nb, l, arith::AddFOp::create(nb, l, t, spread).getResult());
            })
            .getResult(0);
  }

  Value maxInit = filledTensor(b, loc, {batch}, f32,
                               -std::numeric_limits<double>::infinity());
  Value rowMax =
      linalg::GenericOp::create(
          b, loc, TypeRange{maxInit.getType()}, ValueRange{logits},
          ValueRange{maxInit}, ArrayRef<AffineMap>{id, row},
          ArrayRef<IT>{IT::parallel, IT::reduction},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(
                nb, l,
                arith::MaximumFOp::create(nb, l, args[1], args[0]).getResult());
          })
          .getResult(0);
  Value sumInit = filledTensor(b, loc, {batch}, f32, 0.0);
  Value sumExp =
      linalg::GenericOp::create(
          b, loc, TypeRange{sumInit.getType()}, ValueRange{logits, rowMax},
          ValueRange{sumInit}, ArrayRef<AffineMap>{id, row, row},
          ArrayRef<IT>{IT::parallel, IT::reduction},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value d = arith::SubFOp::create(nb, l, args[0], args[1]);
            Value e = math::ExpOp::create(nb, l, d);
            linalg::YieldOp::create(
                nb, l, arith::AddFOp::create(nb, l, args[2], e).getResult());
          })
          .getResult(0);
  Value lseInit = emptyTensor(b, loc, {batch}, f32);
  Value lse =
      linalg::GenericOp::create(
          b, loc, TypeRange{lseInit.getType()}, ValueRange{rowMax, sumExp},
          ValueRange{lseInit}, ArrayRef<AffineMap>{row1, row1, row1},
          ArrayRef<IT>{IT::parallel},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value lg = math::LogOp::create(nb, l, args[1]);
            linalg::YieldOp::create(
                nb, l, arith::AddFOp::create(nb, l, args[0], lg).getResult());
          })
          .getResult(0);
  // Into tensor<1xf32> over a size-1 parallel loop k: (k, b, c).
  Value lossInit = filledTensor(b, loc, {1}, f32, 0.0);
  AffineExpr d1 = getAffineDimExpr(1, ctx), d2 = getAffineDimExpr(2, ctx);
  AffineMap bc = AffineMap::get(3, 0, {d1, d2}, ctx);
  AffineMap bOnly = AffineMap::get(3, 0, {d1}, ctx);
  AffineMap k = AffineMap::get(3, 0, {getAffineDimExpr(0, ctx)}, ctx);
  return linalg::GenericOp::create(
             b, loc, TypeRange{lossInit.getType()},
             ValueRange{targets, logits, lse}, ValueRange{lossInit},
             ArrayRef<AffineMap>{bc, bc, bOnly, k},
             ArrayRef<IT>{IT::parallel, IT::reduction, IT::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value d = arith::SubFOp::create(nb, l, args[2], args[1]);
               Value t = arith::MulFOp::create(nb, l, args[0], d);
               Value s = arith::MulFOp::create(
                   nb, l, t, constF(nb, l, f32, 1.0 / double(batch)));
               linalg::YieldOp::create(
                   nb, l, arith::AddFOp::create(nb, l, args[3], s).getResult());
             })
      .getResult(0);
}

/// tensor<B x f32>: 1 / keep for the samples that keep branch `index` at
/// `rate`, 0 for the others; dropPathHash() in IR over the i32 seed.
Value dropPathScale(OpBuilder &b, Location loc, Value seed, int64_t batch,
                    int64_t index, double rate) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  Value init = emptyTensor(b, loc, {batch}, f32);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{seed},
             ValueRange{init},
             ArrayRef<AffineMap>{
                 AffineMap::get(1, 0, {getAffineConstantExpr(0, ctx)}, ctx),
                 AffineMap::getMultiDimIdentityMap(1, ctx)},
             ArrayRef<IT>{IT::parallel},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               auto c = [&](uint32_t v) -> Value {
                 return arith::ConstantOp::create(
                     nb, l, nb.getI32IntegerAttr(int32_t(v)));
               };
               Value sample = arith::IndexCastOp::create(
                   nb, l, i32, linalg::IndexOp::create(nb, l, 0));
               Value x = arith::MulIOp::create(nb, l, a[0], c(kSeedMul));
               x = arith::XOrIOp::create(nb, l, x,
                                         c(uint32_t(index + 1) * kIndexMul));
               Value s1 = arith::AddIOp::create(nb, l, sample, c(1));
               x = arith::XOrIOp::create(
                   nb, l, x, arith::MulIOp::create(nb, l, s1, c(kSampleMul)));
               auto xorShift = [&](Value v, uint32_t k) -> Value {
                 return arith::XOrIOp::create(
                     nb, l, v, arith::ShRUIOp::create(nb, l, v, c(k)));
               };
               x = xorShift(x, 16);
               x = arith::MulIOp::create(nb, l, x, c(kFmix1));
               x = xorShift(x, 13);
               x = arith::MulIOp::create(nb, l, x, c(kFmix2));
               x = xorShift(x, 16);
               Value u = arith::ShRUIOp::create(nb, l, x, c(8));
               Value keep =
                   arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, u,
                                         c(dropPathThreshold(rate)));
               Value kept = constF(nb, l, f32, 1.0 / (1.0 - rate));
               Value out = arith::SelectOp::create(nb, l, keep, kept,
                                                   constF(nb, l, f32, 0.0));
               linalg::YieldOp::create(nb, l, out);
             })
      .getResult(0);
}

/// Applies stochastic depth to the tagged residual adds of `fn` (seed
/// null: drops the tags only). Returns the number of tagged adds.
FailureOr<unsigned> applyDropPath(func::FuncOp fn, Value seed, double rate) {
  SmallVector<linalg::GenericOp> tagged;
  fn.walk([&](linalg::GenericOp op) {
    if (op->hasAttr(kDropPathAttr))
      tagged.push_back(op);
  });
  for (linalg::GenericOp op : tagged) {
    auto tag = op->getAttrOfType<DenseI64ArrayAttr>(kDropPathAttr);
    op->removeAttr(kDropPathAttr);
    if (!seed)
      continue;
    if (!tag || tag.size() != 2 || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op->getNumResults() != 1)
      return op.emitOpError("ssm-train-step: ")
             << kDropPathAttr
             << " must be [index, count] on a two-input residual add";
    int64_t index = tag[0], count = tag[1];
    double r = count > 1 ? rate * double(index) / double(count - 1) : 0.0;
    if (r <= 0.0)
      continue;
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value scale = dropPathScale(b, loc, seed, type.getDimSize(0), index, r);
    MLIRContext *ctx = b.getContext();
    unsigned rank = type.getRank();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap batch = AffineMap::get(rank, 0, {getAffineDimExpr(0, ctx)}, ctx);
    Value init = emptyTensor(b, loc, type.getShape(), type.getElementType());
    Value sum =
        linalg::GenericOp::create(
            b, loc, TypeRange{type},
            ValueRange{op.getDpsInputOperand(0)->get(),
                       op.getDpsInputOperand(1)->get(), scale},
            ValueRange{init}, ArrayRef<AffineMap>{id, id, batch, id},
            SmallVector<IT>(rank, IT::parallel),
            [&](OpBuilder &nb, Location l, ValueRange a) {
              Value h = arith::MulFOp::create(nb, l, a[1], a[2]);
              linalg::YieldOp::create(
                  nb, l, arith::AddFOp::create(nb, l, a[0], h).getResult());
            })
            .getResult(0);
    op->getResult(0).replaceAllUsesWith(sum);
    op.erase();
  }
  return unsigned(tagged.size());
}

StringAttr nameAttr(MLIRContext *ctx, const Twine &name) {
  return StringAttr::get(ctx, name);
}

} // namespace

//===----------------------------------------------------------------------===//
// buildTrainStep
//===----------------------------------------------------------------------===//

FailureOr<func::FuncOp>
mlir::ssm::buildTrainStep(func::FuncOp forward,
                          const TrainStepOptions &options) {
  MLIRContext *ctx = forward.getContext();
  ctx->loadDialect<arith::ArithDialect, linalg::LinalgDialect,
                   math::MathDialect, tensor::TensorDialect, SSMDialect>();
  auto fail = [&](const Twine &message) {
    return forward.emitOpError("ssm-train-step: ") << message;
  };
  if (forward.isExternal() || !forward.getBody().hasOneBlock())
    return fail("needs a function with one block");
  Block &body = forward.getBody().front();
  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!ret)
    return fail("the body must end in func.return");
  FunctionType fnType = forward.getFunctionType();
  Type f32 = Float32Type::get(ctx), f64 = Float64Type::get(ctx);
  if (fnType.getNumResults() != 1)
    return fail("needs exactly one result (the logits), got ")
           << fnType.getNumResults();
  auto logitsType = dyn_cast<RankedTensorType>(fnType.getResult(0));
  if (!logitsType || logitsType.getRank() != 2 ||
      !logitsType.hasStaticShape() || logitsType.getElementType() != f32)
    return fail("the result must be static f32 logits tensor<B x C x f32>, "
                "got ")
           << fnType.getResult(0);
  unsigned nd = options.numDataInputs;
  if (fnType.getNumInputs() <= nd)
    return fail("needs at least one parameter after the ")
           << nd << " data input(s)";
  unsigned np = fnType.getNumInputs() - nd;
  SmallVector<std::string> names;
  SmallVector<RankedTensorType> paramTypes;
  for (unsigned j = 0; j < np; ++j) {
    unsigned i = nd + j;
    auto n = forward.getArgAttrOfType<StringAttr>(i, kNameAttr);
    names.push_back(n ? n.str() : ("arg" + Twine(i)).str());
    auto t = dyn_cast<RankedTensorType>(fnType.getInput(i));
    if (!t || !t.hasStaticShape() || t.getElementType() != f32)
      return fail("parameter '")
             << names.back() << "' is " << fnType.getInput(i)
             << "; the train step needs static f32 parameters (compile "
                "the model with dtype=f32)";
    paramTypes.push_back(t);
  }
  auto module = forward->getParentOfType<ModuleOp>();
  std::string lossName = (forward.getSymName() + "_train_loss").str();
  for (StringRef n : {StringRef(lossName), StringRef(options.name)})
    if (module && SymbolTable::lookupSymbolIn(module, n))
      return fail("'") << n << "' already exists";

  Location loc = forward.getLoc();
  OpBuilder b(ctx);
  auto targetsType = logitsType;
  auto scalarF32 = RankedTensorType::get({1}, f32);

  // 1. The loss: (data..., targets, [seed,] params...) -> loss.
  bool dropPath = options.dropPath > 0;
  auto seedType = RankedTensorType::get({1}, b.getI32Type());
  unsigned lp = nd + 1 + (dropPath ? 1 : 0); // the loss's first parameter
  SmallVector<Type> lossArgs(fnType.getInputs().take_front(nd));
  lossArgs.push_back(targetsType);
  if (dropPath)
    lossArgs.push_back(seedType);
  lossArgs.append(fnType.getInputs().begin() + nd, fnType.getInputs().end());
  b.setInsertionPointAfter(forward);
  auto lossFn = func::FuncOp::create(b, loc, lossName,
                                     b.getFunctionType(lossArgs, {scalarF32}));
  {
    Block *entry = lossFn.addEntryBlock();
    IRMapping map;
    for (unsigned i = 0; i < fnType.getNumInputs(); ++i)
      map.map(body.getArgument(i),
              entry->getArgument(i < nd ? i : i - nd + lp));
    b.setInsertionPointToStart(entry);
    for (Operation &op : body.without_terminator())
      b.clone(op, map);
    Value loss = crossEntropy(b, loc, map.lookup(ret.getOperand(0)),
                              entry->getArgument(nd), options.labelSmoothing);
    func::ReturnOp::create(b, loc, loss);
    // After the loss: a rewritten add may be the logits themselves.
    FailureOr<unsigned> tagged =
        applyDropPath(lossFn, dropPath ? entry->getArgument(nd + 1) : Value(),
                      options.dropPath);
    if (failed(tagged) || (dropPath && *tagged == 0)) {
      if (succeeded(tagged))
        forward.emitOpError("ssm-train-step: drop_path needs residual adds "
                            "tagged ")
            << kDropPathAttr << " (the model builders tag them)";
      lossFn.erase();
      return failure();
    }
  }

  // 2. Its gradient with respect to the parameters.
  DifferentiateOptions diff;
  for (unsigned j = 0; j < np; ++j)
    diff.wrt.push_back(lp + j);
  diff.keepResults = true;
  diff.recompute = options.recompute;
  FailureOr<func::FuncOp> gradFn = differentiateFunction(lossFn, diff);
  if (failed(gradFn)) {
    lossFn.erase();
    return failure();
  }

  // 3. train_step(data..., targets, lr, step, [seed,] params..., m...,
  //    v...).
  SmallVector<Type> argTypes(lossArgs.begin(), lossArgs.begin() + nd + 1);
  argTypes.push_back(scalarF32); // lr
  argTypes.push_back(scalarF32); // step
  if (dropPath)
    argTypes.push_back(seedType);
  unsigned firstParam = argTypes.size();
  for (int k = 0; k < 3; ++k)
    argTypes.append(paramTypes.begin(), paramTypes.end());
  SmallVector<Type> resultTypes{scalarF32};
  resultTypes.append(argTypes.begin() + firstParam, argTypes.end());
  b.setInsertionPointAfter(forward);
  auto step = func::FuncOp::create(b, loc, options.name,
                                   b.getFunctionType(argTypes, resultTypes));
  Block *entry = step.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Block &gradBody = gradFn->getBody().front();
  IRMapping map;
  for (unsigned i = 0; i <= nd; ++i)
    map.map(gradBody.getArgument(i), entry->getArgument(i));
  if (dropPath)
    map.map(gradBody.getArgument(nd + 1), entry->getArgument(nd + 3));
  for (unsigned j = 0; j < np; ++j)
    map.map(gradBody.getArgument(lp + j), entry->getArgument(firstParam + j));
  map.map(gradBody.getArgument(lp + np), filledTensor(b, loc, {1}, f32, 1));
  for (Operation &op : gradBody.without_terminator())
    b.clone(op, map);
  auto gradRet = cast<func::ReturnOp>(gradBody.getTerminator());
  Value loss = map.lookup(gradRet.getOperand(0));
  SmallVector<Value> grads;
  for (unsigned j = 0; j < np; ++j)
    grads.push_back(map.lookup(gradRet.getOperand(1 + j)));

  // The global norm: sum of squares over every gradient, in f64.
  bool clip = options.maxGradNorm > 0;
  Value normSq;
  if (clip) {
    normSq = filledTensor(b, loc, {1}, f64, 0.0);
    for (Value g : grads) {
      auto t = cast<RankedTensorType>(g.getType());
      unsigned rank = t.getRank();
      // Over (k, the gradient's dims) with a size-1 parallel k.
      SmallVector<IT> iters(rank + 1, IT::reduction);
      iters[0] = IT::parallel;
      SmallVector<AffineExpr> dims;
      for (unsigned d = 1; d <= rank; ++d)
        dims.push_back(getAffineDimExpr(d, ctx));
      normSq =
          linalg::GenericOp::create(
              b, loc, TypeRange{normSq.getType()}, ValueRange{g},
              ValueRange{normSq},
              ArrayRef<AffineMap>{
                  AffineMap::get(rank + 1, 0, dims, ctx),
                  AffineMap::get(rank + 1, 0, {getAffineDimExpr(0, ctx)}, ctx)},
              iters,
              [&](OpBuilder &nb, Location l, ValueRange args) {
                Value x = arith::ExtFOp::create(nb, l, f64, args[0]);
                Value sq = arith::MulFOp::create(nb, l, x, x);
                linalg::YieldOp::create(
                    nb, l,
                    arith::AddFOp::create(nb, l, args[1], sq).getResult());
              })
              .getResult(0);
    }
  }

  // The step's scalars, in f64 (torch computes them in Python floats) and
  // rounded to f32 once: clip scale, lr / (1 - beta1^t),
  // sqrt(1 - beta2^t), 1 - lr * wd.
  Value lr = entry->getArgument(nd + 1), t = entry->getArgument(nd + 2);
  AffineMap scalarMap = AffineMap::getMultiDimIdentityMap(1, ctx);
  SmallVector<Value> scalarIns{lr, t};
  if (clip)
    scalarIns.push_back(normSq);
  SmallVector<Value> scalarOuts;
  for (int k = 0; k < 4; ++k)
    scalarOuts.push_back(emptyTensor(b, loc, {1}, f32));
  SmallVector<AffineMap> scalarMaps(scalarIns.size() + scalarOuts.size(),
                                    scalarMap);
  auto scalars = linalg::GenericOp::create(
      b, loc, TypeRange(SmallVector<Type>(4, scalarF32)), scalarIns, scalarOuts,
      scalarMaps, ArrayRef<IT>{IT::parallel},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value one = constF(nb, l, f64, 1.0);
        Value lr64 = arith::ExtFOp::create(nb, l, f64, args[0]);
        Value t64 = arith::ExtFOp::create(nb, l, f64, args[1]);
        Value bc1 = arith::SubFOp::create(
            nb, l, one,
            math::PowFOp::create(nb, l, constF(nb, l, f64, options.beta1),
                                 t64));
        Value bc2 = arith::SubFOp::create(
            nb, l, one,
            math::PowFOp::create(nb, l, constF(nb, l, f64, options.beta2),
                                 t64));
        Value stepSize = arith::DivFOp::create(nb, l, lr64, bc1);
        Value bc2Sqrt = math::SqrtOp::create(nb, l, bc2);
        Value decay = arith::SubFOp::create(
            nb, l, one,
            arith::MulFOp::create(nb, l, lr64,
                                  constF(nb, l, f64, options.weightDecay)));
        Value scale = one;
        if (clip) {
          Value norm = math::SqrtOp::create(nb, l, args[2]);
          Value coef = arith::DivFOp::create(
              nb, l, constF(nb, l, f64, options.maxGradNorm),
              arith::AddFOp::create(nb, l, norm, constF(nb, l, f64, 1e-6)));
          scale = arith::MinimumFOp::create(nb, l, coef, one);
        }
        SmallVector<Value> out;
        for (Value v : {scale, stepSize, bc2Sqrt, decay})
          out.push_back(arith::TruncFOp::create(nb, l, f32, v));
        linalg::YieldOp::create(nb, l, out);
      });
  Value scale = scalars.getResult(0), stepSize = scalars.getResult(1),
        bc2Sqrt = scalars.getResult(2), decay = scalars.getResult(3);

  // Clip + AdamW per parameter (torch.optim.AdamW's single-tensor order):
  // g *= scale; p *= 1 - lr*wd; m = m*b1 + g*(1-b1); v = v*b2 + (1-b2)*g*g;
  // p += -step_size * m / (sqrt(v) / sqrt(bc2) + eps).
  SmallVector<Value> newParams, newM, newV;
  for (unsigned j = 0; j < np; ++j) {
    RankedTensorType type = paramTypes[j];
    unsigned rank = type.getRank();
    bool decays =
        options.weightDecay != 0 && !noWeightDecay(names[j], type.getShape());
    AffineMap idMap = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap bcast =
        AffineMap::get(rank, 0, {getAffineConstantExpr(0, ctx)}, ctx);
    SmallVector<Value> ins{entry->getArgument(firstParam + j),
                           grads[j],
                           entry->getArgument(firstParam + np + j),
                           entry->getArgument(firstParam + 2 * np + j),
                           scale,
                           stepSize,
                           bc2Sqrt};
    if (decays)
      ins.push_back(decay);
    SmallVector<AffineMap> maps{idMap, idMap, idMap, idMap,
                                bcast, bcast, bcast};
    if (decays)
      maps.push_back(bcast);
    SmallVector<Value> outs;
    for (int k = 0; k < 3; ++k) {
      outs.push_back(emptyTensor(b, loc, type.getShape(), f32));
      maps.push_back(idMap);
    }
    auto update = linalg::GenericOp::create(
        b, loc, TypeRange{type, type, type}, ins, outs, maps,
        SmallVector<IT>(rank, IT::parallel),
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value p = a[0], g = a[1], m = a[2], v = a[3];
          if (clip)
            g = arith::MulFOp::create(nb, l, g, a[4]);
          if (decays)
            p = arith::MulFOp::create(nb, l, p, a[7]);
          Value m1 = arith::AddFOp::create(
              nb, l,
              arith::MulFOp::create(nb, l, m,
                                    constF(nb, l, f32, options.beta1)),
              arith::MulFOp::create(nb, l, g,
                                    constF(nb, l, f32, 1.0 - options.beta1)));
          Value gg = arith::MulFOp::create(
              nb, l,
              arith::MulFOp::create(nb, l,
                                    constF(nb, l, f32, 1.0 - options.beta2), g),
              g);
          Value v1 = arith::AddFOp::create(
              nb, l,
              arith::MulFOp::create(nb, l, v,
                                    constF(nb, l, f32, options.beta2)),
              gg);
          Value denom = arith::AddFOp::create(
              nb, l,
              arith::DivFOp::create(nb, l, math::SqrtOp::create(nb, l, v1),
                                    a[6]),
              constF(nb, l, f32, options.eps));
          Value ratio = arith::DivFOp::create(nb, l, m1, denom);
          Value delta = arith::MulFOp::create(
              nb, l, arith::NegFOp::create(nb, l, a[5]), ratio);
          Value p1 = arith::AddFOp::create(nb, l, p, delta);
          linalg::YieldOp::create(nb, l, ValueRange{p1, m1, v1});
        });
    newParams.push_back(update.getResult(0));
    newM.push_back(update.getResult(1));
    newV.push_back(update.getResult(2));
  }
  SmallVector<Value> results{loss};
  results.append(newParams);
  results.append(newM);
  results.append(newV);
  func::ReturnOp::create(b, loc, results);

  // Names: data keep theirs; targets, lr, step; the moments after their
  // parameter; every update is named after the input it replaces.
  for (unsigned i = 0; i < nd; ++i)
    step.setArgAttrs(i, forward.getArgAttrDict(i));
  step.setArgAttr(nd, kNameAttr, nameAttr(ctx, "targets"));
  step.setArgAttr(nd + 1, kNameAttr, nameAttr(ctx, "lr"));
  step.setArgAttr(nd + 2, kNameAttr, nameAttr(ctx, "step"));
  if (dropPath)
    step.setArgAttr(nd + 3, kNameAttr, nameAttr(ctx, "seed"));
  step.setResultAttr(0, kNameAttr, nameAttr(ctx, "loss"));
  for (unsigned j = 0; j < np; ++j) {
    StringAttr names3[] = {
        nameAttr(ctx, names[j]),
        nameAttr(ctx, "optimizer.exp_avg." + Twine(names[j])),
        nameAttr(ctx, "optimizer.exp_avg_sq." + Twine(names[j]))};
    for (unsigned k = 0; k < 3; ++k) {
      step.setArgAttr(firstParam + k * np + j, kNameAttr, names3[k]);
      step.setResultAttr(1 + k * np + j, kNameAttr, names3[k]);
    }
  }

  gradFn->erase();
  lossFn.erase();
  return step;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct TrainStepPass : mlir::ssm::impl::BuildTrainStepBase<TrainStepPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    TrainStepOptions options;
    options.function = function;
    options.name = entryName;
    options.numDataInputs = numDataInputs;
    options.labelSmoothing = labelSmoothing;
    options.maxGradNorm = maxGradNorm;
    options.weightDecay = weightDecay;
    options.beta1 = beta1;
    options.beta2 = beta2;
    options.eps = eps;
    options.dropPath = dropPath;
    options.recompute = recompute;
    auto fn = module.lookupSymbol<func::FuncOp>(options.function);
    if (!fn || fn.isExternal()) {
      module.emitError("ssm-train-step: no function '")
          << options.function << "'";
      return signalPassFailure();
    }
    if (failed(buildTrainStep(fn, options)))
      signalPassFailure();
  }
};
} // namespace
