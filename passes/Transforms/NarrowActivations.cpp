//===- NarrowActivations.cpp - 16-bit storage between kernels --------===//
//
// ssm-narrow-activations (Passes.td has the contract). The pass predicts the
// kernel boundaries ssm-fuse-elementwise will leave from the readers of each
// value: an elementwise linalg.generic fuses into elementwise readers and into
// reductions that read each element once, everything else (ssm ops, reshapes
// and slices, GEMMs) reads a stored tensor. Those stored tensors are narrowed
// where the producer can round as it stores and every reader can take the
// 16-bit tensor without a kernel of its own. With narrow-contractions, GEMM
// results too: the rounding generic placed after the contraction is folded
// into the GEMM's epilogue by convert-linalg-to-gpu-gemm.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"
#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_NARROWACTIVATIONS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;

namespace {

/// How a reader takes a value that becomes 16-bit.
enum class Reader {
  /// A linalg.generic that ssm-fuse-elementwise fuses a widening into (all
  /// loops parallel, or the value read through a permutation).
  Fuse,
  /// A contraction operand: the widening stays a producer the GEMM lowering
  /// reads through (it loads the 16-bit tensor).
  Gemm,
  /// An ssm op that loads 16-bit tensors itself.
  Direct,
  /// An op that only moves data (a reshape or slice, a zero pad, a
  /// transpose or permuting copy, a concat of the value with itself): its
  /// result becomes 16-bit too.
  View,
  /// A piece of a concat whose other pieces stay f32 and whose readers
  /// ssm-split-concat-consumers splits: read through a widening that the
  /// split folds into each reader.
  Piece,
  /// A rounding to the same 16-bit type: exact, dropped.
  Round,
  /// Anything else: the value stays f32.
  Other,
};

bool isStaticF32Tensor(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.hasStaticShape() && t.getElementType().isF32();
}

bool allParallel(linalg::GenericOp g) {
  return g.getNumLoops() == g.getNumParallelLoops();
}

/// The only op of `g`'s body before its yield, applied to its first block
/// argument and yielded, if it is an `OpTy`.
template <typename OpTy> OpTy soleBodyOp(linalg::GenericOp g) {
  Block *body = g.getBody();
  if (body->getOperations().size() != 2)
    return {};
  auto op = dyn_cast<OpTy>(body->front());
  if (!op || op->getOperand(0) != body->getArgument(0) ||
      body->getTerminator()->getOperand(0) != op->getResult(0))
    return {};
  return op;
}

/// An all-parallel generic with one input and identity maps.
bool isIdentityMap1(linalg::GenericOp g) {
  return g.getNumDpsInputs() == 1 && g.getNumResults() == 1 && allParallel(g) &&
         llvm::all_of(g.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); });
}

/// `g` widens its one input (GraphBuilder::widen).
bool isWiden(linalg::GenericOp g) {
  return soleBodyOp<arith::ExtFOp>(g) && isIdentityMap1(g);
}

/// `v` is block argument `arg` of `body`, possibly widened by an extf.
bool isArg(Value v, Block *body, unsigned arg) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    v = ext.getIn();
  return v == body->getArgument(arg);
}

/// out + x * y over its two inputs (either order): a contraction, whose
/// lowering reads a widened operand as the 16-bit tensor (a GEMM) or
/// widens each element it loads. Not a norm's sum of squared differences.
bool isContraction(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 2 || g.getNumResults() != 1 || allParallel(g))
    return false;
  Block *body = g.getBody();
  auto add = dyn_cast_or_null<arith::AddFOp>(
      body->getTerminator()->getOperand(0).getDefiningOp());
  if (!add)
    return false;
  for (unsigned i = 0; i < 2; ++i) {
    auto mul = add->getOperand(i).getDefiningOp<arith::MulFOp>();
    if (!mul || add->getOperand(1 - i) != body->getArgument(2))
      continue;
    Value x = mul.getLhs(), y = mul.getRhs();
    if ((isArg(x, body, 0) && isArg(y, body, 1)) ||
        (isArg(x, body, 1) && isArg(y, body, 0)))
      return true;
  }
  return false;
}

/// A tensor.pad with static sizes whose padding value is a float zero.
bool isZeroPad(tensor::PadOp pad) {
  Value value = pad.getConstantPaddingValue();
  return value && pad->getNumOperands() == 1 &&
         matchPattern(value, m_AnyZeroFloat());
}

/// A generic that only permutes its one input into its output (identity
/// output map): a transpose or a copy.
bool isPermutationCopy(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumResults() != 1 || !allParallel(g) ||
      !g.getMatchingIndexingMap(g.getDpsInputOperand(0)).isPermutation() ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return false;
  Block *body = g.getBody();
  return body->getOperations().size() == 1 &&
         body->getTerminator()->getOperand(0) == body->getArgument(0);
}

/// The ODS operand group of `use` in `op`.
template <typename OpTy> unsigned odsGroup(OpTy op, OpOperand &use) {
  unsigned n = use.getOperandNumber();
  for (unsigned i = 0;; ++i) {
    auto [start, length] = op.getODSOperandIndexAndLength(i);
    if (n >= start && n < start + length)
      return i;
  }
}

/// Sets the out_type of a scan or a conv.
void setOutType(Operation *op, Type type) {
  auto attr = TypeAttr::get(type);
  if (auto scan = dyn_cast<SelectiveScanOp>(op))
    scan.setOutTypeAttr(attr);
  else
    cast<CausalConv1dOp>(op).setOutTypeAttr(attr);
}

struct Narrower {
  OpBuilder b;
  Type narrow;
  SmallVector<Operation *> erased;

  Narrower(MLIRContext *ctx, Type narrow) : b(ctx), narrow(narrow) {}

  RankedTensorType narrowed(Type type) {
    return cast<RankedTensorType>(type).clone(narrow);
  }

  Reader classify(OpOperand &use) {
    Operation *user = use.getOwner();
    if (auto scan = dyn_cast<SelectiveScanOp>(user)) {
      // u, delta, B, C, z; not A, D, delta_bias.
      unsigned group = odsGroup(scan, use);
      return llvm::is_contained({0u, 1u, 3u, 4u, 6u}, group) ? Reader::Direct
                                                             : Reader::Other;
    }
    if (isa<CausalConv1dOp>(user))
      return use.getOperandNumber() == 0 ? Reader::Direct : Reader::Other;
    if (isa<FlipOp, CrossScanOp, CrossMergeOp, AxisPoolOp, AxisBroadcastOp>(
            user))
      return Reader::Direct;
    if (isa<tensor::ExtractSliceOp, tensor::CollapseShapeOp,
            tensor::ExpandShapeOp>(user))
      return user->getNumOperands() == 1 && user->getNumResults() == 1
                 ? Reader::View
                 : Reader::Other;
    // A zero pad pads with a 16-bit zero (the depthwise conv's input).
    if (auto pad = dyn_cast<tensor::PadOp>(user))
      return isZeroPad(pad) ? Reader::View : Reader::Other;
    // The depthwise conv kernels (and the CPU's loops) widen the input they
    // load; the output is the conv's own f32 init.
    if (isa<linalg::DepthwiseConv2DNhwcHwcOp, linalg::DepthwiseConv2DNchwChwOp>(
            user))
      return use.getOperandNumber() == 0 ? Reader::Direct : Reader::Other;
    if (auto t = dyn_cast<linalg::TransposeOp>(user))
      return &use == t.getDpsInputOperand(0) ? Reader::View : Reader::Other;
    if (auto concat = dyn_cast<tensor::ConcatOp>(user)) {
      // Its pieces share one element type: 16-bit when every piece is this
      // value; otherwise the piece is widened where the concat's readers
      // read it, if ssm-split-concat-consumers splits them per piece (it
      // folds the widening into each). A concat of several values that
      // could all be 16-bit stays f32 (values are narrowed one at a time).
      if (llvm::all_of(concat.getInputs(),
                       [&](Value piece) { return piece == use.get(); }))
        return Reader::View;
      return concatSplits(concat) ? Reader::Piece : Reader::Other;
    }
    if (auto g = dyn_cast<linalg::GenericOp>(user)) {
      if (g.isDpsInit(&use))
        return Reader::Other;
      if (gemm::roundsTo16Bit(g) == narrow) // GraphBuilder::bf16Operand
        return Reader::Round;
      // A transpose or copy moves the 16-bit tensor where its readers take
      // it; otherwise it fuses the widening like any elementwise reader.
      if (isPermutationCopy(g))
        return readersAccept(g.getResult(0)) ? Reader::View : Reader::Fuse;
      if (allParallel(g) || g.getMatchingIndexingMap(&use).isPermutation())
        return Reader::Fuse;
      if (isContraction(g))
        return Reader::Gemm;
    }
    return Reader::Other;
  }

  /// The result of `user` whose type follows the operand `use` and that is
  /// still f32 (null if none). The scan and the conv can instead keep an f32
  /// result (`pinnable`) with out_type.
  Value following(OpOperand &use, bool &pinnable) {
    Operation *user = use.getOwner();
    pinnable = false;
    Value result;
    if (auto scan = dyn_cast<SelectiveScanOp>(user)) {
      if (odsGroup(scan, use) != 0 || scan.getOutTypeAttr())
        return {};
      result = scan.getOut();
      pinnable = true;
    } else if (auto conv = dyn_cast<CausalConv1dOp>(user)) {
      if (conv.getOutTypeAttr())
        return {};
      result = conv.getOut();
      pinnable = true;
    } else if (isa<FlipOp, CrossScanOp, CrossMergeOp, AxisPoolOp,
                   AxisBroadcastOp>(user)) {
      result = user->getResult(0);
    }
    return result && isStaticF32Tensor(result.getType()) ? result : Value();
  }

  /// Whether every reader of `v` (through views and the ops whose result
  /// follows their input) can take it in 16 bits with no kernel of its own.
  bool readersAccept(Value v) {
    if (Operation *def = v.getDefiningOp())
      if (def->hasAttr(kKeepF32Attr))
        return false;
    for (OpOperand &use : v.getUses()) {
      switch (classify(use)) {
      case Reader::Other:
        return false;
      case Reader::View:
        if (!readersAccept(use.getOwner()->getResult(0)))
          return false;
        break;
      case Reader::Direct: {
        bool pinnable;
        Value next = following(use, pinnable);
        if (next && !pinnable && !readersAccept(next))
          return false;
        break;
      }
      default:
        break;
      }
    }
    return true;
  }

  /// Whether `v` is stored between kernels: some reader is not a fused
  /// elementwise one.
  bool isStored(Value v) {
    return llvm::any_of(v.getUses(), [&](OpOperand &use) {
      Reader r = classify(use);
      return r == Reader::Direct || r == Reader::View || r == Reader::Gemm ||
             r == Reader::Piece;
    });
  }

  Value widen(Value v16, Location loc) {
    return convert(v16, b.getF32Type(), loc);
  }

  Value round(Value v32, Location loc) { return convert(v32, narrow, loc); }

  /// An elementwise generic converting `v` to `to` (extf when wider, truncf
  /// when narrower).
  Value convert(Value v, Type to, Location loc) {
    auto type = cast<RankedTensorType>(v.getType());
    Value init = tensor::EmptyOp::create(b, loc, type.getShape(), to);
    AffineMap id = b.getMultiDimIdentityMap(type.getRank());
    SmallVector<utils::IteratorType> loops(type.getRank(),
                                           utils::IteratorType::parallel);
    const bool widens = to.getIntOrFloatBitWidth() >
                        type.getElementType().getIntOrFloatBitWidth();
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{v},
               ValueRange{init}, ArrayRef<AffineMap>{id, id}, loops,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value x = widens
                               ? arith::ExtFOp::create(nb, nloc, to, args[0])
                                     .getResult()
                               : arith::TruncFOp::create(nb, nloc, to, args[0])
                                     .getResult();
                 linalg::YieldOp::create(nb, nloc, x);
               })
        .getResult(0);
  }

  /// `v16` replaces an f32 value at `uses` (each of which readersAccept
  /// approved): every reader is rewired to the 16-bit value.
  void rewire(Value v16, ArrayRef<OpOperand *> uses) {
    for (OpOperand *use : uses) {
      Operation *user = use->getOwner();
      switch (classify(*use)) {
      case Reader::Round:
        user->getResult(0).replaceAllUsesWith(v16);
        erased.push_back(user);
        break;
      case Reader::View: {
        use->set(v16);
        retypeMover(user);
        retyped(user->getResult(0));
        break;
      }
      case Reader::Direct: {
        bool pinnable;
        Value next = following(*use, pinnable);
        if (isa<linalg::DepthwiseConv2DNhwcHwcOp,
                linalg::DepthwiseConv2DNchwChwOp>(user)) {
          rebuildConv(cast<linalg::LinalgOp>(user), v16);
          break;
        }
        use->set(v16);
        if (!next)
          break;
        if (pinnable && !readersAccept(next)) {
          setOutType(user, b.getF32Type());
          break;
        }
        next.setType(narrowed(next.getType()));
        retyped(next);
        break;
      }
      case Reader::Fuse:
      case Reader::Gemm:
      case Reader::Piece:
      case Reader::Other:
        b.setInsertionPoint(user);
        use->set(widen(v16, user->getLoc()));
        break;
      }
    }
  }

  /// A data movement op (a View reader) whose input just became 16-bit
  /// gets a 16-bit result: a pad pads with a 16-bit zero, a transpose or
  /// copy writes a fresh 16-bit tensor.
  void retypeMover(Operation *op) {
    Value result = op->getResult(0);
    result.setType(narrowed(result.getType()));
    if (auto pad = dyn_cast<tensor::PadOp>(op)) {
      b.setInsertionPoint(pad);
      Value zero = arith::ConstantOp::create(
          b, pad.getLoc(), narrow, b.getFloatAttr(narrow, 0.0));
      auto yield = cast<tensor::YieldOp>(pad.getBody()->getTerminator());
      yield.getValueMutable().assign(zero);
      return;
    }
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp)
      return;
    // Its init is only written: a fresh 16-bit tensor of the same shape.
    OpOperand *init = linalgOp.getDpsInitOperand(0);
    b.setInsertionPoint(op);
    init->set(tensor::EmptyOp::create(b, op->getLoc(),
                                      cast<RankedTensorType>(result.getType())
                                          .getShape(),
                                      narrow));
    Block *body = linalgOp.getBlock();
    for (OpOperand &operand : op->getOpOperands())
      body->getArgument(operand.getOperandNumber())
          .setType(getElementTypeOrSelf(operand.get().getType()));
  }

  /// A depthwise conv whose input becomes `input16`: a named op's body
  /// follows its operand types (it widens the 16-bit input), so the conv is
  /// built anew.
  void rebuildConv(linalg::LinalgOp conv, Value input16) {
    SmallVector<Value> inputs = conv.getDpsInputs();
    inputs[0] = input16;
    SmallVector<Value> inits = conv.getDpsInits();
    b.setInsertionPoint(conv);
    Operation *rebuilt;
    if (auto nhwc = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(*conv))
      rebuilt = linalg::DepthwiseConv2DNhwcHwcOp::create(
          b, conv.getLoc(), conv->getResultTypes(), inputs, inits,
          conv->getDiscardableAttrDictionary().getValue());
    else
      rebuilt = linalg::DepthwiseConv2DNchwChwOp::create(
          b, conv.getLoc(), conv->getResultTypes(), inputs, inits,
          conv->getDiscardableAttrDictionary().getValue());
    rebuilt->setAttrs(conv->getAttrDictionary());
    conv->replaceAllUsesWith(rebuilt);
    conv->dropAllReferences();
    erased.push_back(conv);
  }

  /// `v`'s type just became 16-bit in place: rewires its readers.
  void retyped(Value v) {
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : v.getUses())
      uses.push_back(&use);
    rewire(v, uses);
  }

  /// An ssm op that computes (conv, scan) stores its f32 result in 16 bits.
  void narrowResult(Operation *op, Value result) {
    if (!isStaticF32Tensor(result.getType()) || op->hasAttr(kKeepF32Attr) ||
        !readersAccept(result))
      return;
    setOutType(op, narrow);
    result.setType(narrowed(result.getType()));
    retyped(result);
  }

  /// An f32 flip read only by scans (as sequences) gets a rounding that
  /// fuses into the flip's copy kernel (round-flips).
  void narrowFlip(FlipOp flip) {
    Value result = flip.getOut();
    if (!isStaticF32Tensor(result.getType()) || flip->hasAttr(kKeepF32Attr) ||
        result.use_empty() || !readersAccept(result))
      return;
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : result.getUses()) {
      if (!isa<SelectiveScanOp>(use.getOwner()) ||
          classify(use) != Reader::Direct)
        return;
      uses.push_back(&use);
    }
    b.setInsertionPointAfter(flip);
    rewire(round(result, flip.getLoc()), uses);
  }

  /// Whether a reader of `v` (through views) keeps its result in f32: the
  /// residual stream's adds (`ssm.keep_f32`), which a GEMM result (Vim's
  /// out_proj, MambaOut's fc2) joins at full precision.
  bool feedsKeptF32(Value v) {
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (user->hasAttr(kKeepF32Attr))
        return true;
      if (classify(use) == Reader::View && feedsKeptF32(user->getResult(0)))
        return true;
    }
    return false;
  }

  /// A GEMM's f32 result stored in 16 bits: a rounding generic after the
  /// contraction, which the GEMM lowering folds into the GEMM (f32
  /// accumulation from an f32 init, one rounding at the store). Only GEMMs
  /// whose lowering is sure to take the rounding: a contraction
  /// gemm::matchContraction matches, with a zero init or a bias along n of
  /// the 16-bit type (the library adds a bias of D's type before it rounds;
  /// a bias along m or an f32 bias would be split off into an elementwise
  /// add, and an init that is another value, a sum accumulated onto, keeps
  /// its f32 result).
  void narrowContraction(linalg::GenericOp g) {
    if (g.getNumResults() != 1 || g->hasAttr(kKeepF32Attr) ||
        !isContraction(g))
      return;
    Value result = g.getResult(0);
    if (!isStaticF32Tensor(result.getType()) || result.use_empty() ||
        !readersAccept(result) || feedsKeptF32(result))
      return;
    FailureOr<gemm::Contraction> c = gemm::matchContraction(g);
    if (failed(c))
      return;
    if (!gemm::isZeroFill(g.getDpsInits()[0])) {
      FailureOr<gemm::BiasInit> bias = gemm::matchBiasInit(*c);
      if (failed(bias) || bias->axis != gemm::BiasAxis::N)
        return;
      Value stored = bias->bias;
      if (!bias->widened)
        if (Value src = gemm::widenedSource(stored))
          stored = src;
      if (cast<ShapedType>(stored.getType()).getElementType() != narrow)
        return;
    }
    roundEveryUse(result, g);
  }

  /// Every reader of `result` (produced by `producer`) reads it rounded to
  /// the narrow type instead, the rounding placed right after `producer`.
  void roundEveryUse(Value result, Operation *producer) {
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : result.getUses())
      uses.push_back(&use);
    b.setInsertionPointAfter(producer);
    rewire(round(result, producer->getLoc()), uses);
  }

  /// A stored elementwise result gets a rounding fused into its producer.
  void narrowElementwise(linalg::GenericOp g) {
    if (g.getNumResults() != 1 || !allParallel(g) || isWiden(g) ||
        g->hasAttr(kKeepF32Attr))
      return;
    Value result = g.getResult(0);
    if (!isStaticF32Tensor(result.getType()) || !isStored(result) ||
        !readersAccept(result))
      return;
    roundEveryUse(result, g);
  }
};

struct NarrowActivationsPass
    : mlir::ssm::impl::NarrowActivationsBase<NarrowActivationsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    auto attr = fn->getAttrOfType<TypeAttr>(kActivationTypeAttr);
    if (!attr)
      return;
    Type narrow = attr.getValue();
    if (!narrow.isBF16() && !narrow.isF16()) {
      fn.emitOpError() << kActivationTypeAttr << " must be bf16 or f16, got "
                       << narrow;
      return signalPassFailure();
    }
    Narrower n(&getContext(), narrow);
    // GEMM results: only where the GEMM lowering folds the rounding (GPU);
    // elsewhere a rounding after the contraction would be a loop of its own.
    const bool contractions = narrowContractions;
    // In program order, so a producer is narrowed before its readers are
    // looked at (a conv's 16-bit output makes its scan's output 16-bit).
    SmallVector<Operation *> ops;
    fn.walk([&](Operation *op) {
      if (isa<CausalConv1dOp, SelectiveScanOp, linalg::GenericOp>(op) ||
          (roundFlips && isa<FlipOp>(op)))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (llvm::is_contained(n.erased, op))
        continue;
      if (auto conv = dyn_cast<CausalConv1dOp>(op)) {
        if (!conv.getOutTypeAttr())
          n.narrowResult(op, conv.getOut());
      } else if (auto scan = dyn_cast<SelectiveScanOp>(op)) {
        if (!scan.getOutTypeAttr())
          n.narrowResult(op, scan.getOut());
      } else if (auto flip = dyn_cast<FlipOp>(op)) {
        n.narrowFlip(flip);
      } else if (contractions && isContraction(cast<linalg::GenericOp>(op))) {
        n.narrowContraction(cast<linalg::GenericOp>(op));
      } else {
        n.narrowElementwise(cast<linalg::GenericOp>(op));
      }
    }
    for (Operation *op : n.erased)
      op->erase();
  }
};

} // namespace
