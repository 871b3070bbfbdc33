//===- DepthwiseConv.cpp - ssm-depthwise-conv-to-gpu ----------------------===//
//
// Stride-1 depthwise 2-D convolutions on buffers (MambaOut's 7x7 NHWC,
// VMamba's 3x3 NCHW) as one tiled GPU kernel each, with the zero padding a
// predicate of the kernel and the bias its accumulators' initial value:
// one-shot bufferization turns the builder's tensor.pad into a zero fill of a
// padded buffer plus a copy of the input into its interior, and the bias
// broadcast into a write of the whole output, three kernels and two buffers
// that this pass folds away. An elementwise op that is the conv result's only
// reader (MambaOut's GELU gate) becomes the kernel's epilogue, so the f32
// result never goes to memory. planDepthwiseConv (KernelPlans.h) picks the
// tiling; the kernel is the same for NVVM and ROCDL.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/EmitUtils.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMDEPTHWISECONVTOGPU
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using ssm::ConvLayout;

namespace {

/// A depthwise conv and what the kernel folds into it.
struct DepthwiseConv {
  linalg::LinalgOp op;
  ConvLayout layout = ConvLayout::NHWC;
  /// The unpadded input (any float type) and where it starts in the padded
  /// input the conv reads.
  Value input;
  int64_t padTop = 0, padLeft = 0;
  /// (k, k, C) for NHWC, (C, k, k) for NCHW.
  Value weights;
  Value output;
  /// A 1-D bias along the channels that initializes the output, or null.
  Value bias;
  /// The output's initial contents are zero or the bias; otherwise the
  /// kernel loads them.
  bool foldedInit = false;
  /// Ops that become dead: the padded buffer's fill, copy, subview, alloc,
  /// deallocs, and the folded initialization.
  SmallVector<Operation *> dead;
  ssm::DepthwiseConvShape shape;
  /// The elementwise reader of the output that the kernel computes in its
  /// epilogue (every map the identity), or null: the kernel then stores its
  /// result where the conv would have.
  linalg::GenericOp epilogue;
};

/// The buffer a view (subview, view, reshape, cast) looks into, through any
/// chain of views.
Value rootBuffer(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      v = view.getViewSource();
      continue;
    }
    break;
  }
  return v;
}

/// Whether `op` (or an op nested in it) may write memory that a view of
/// `root` covers.
bool mayWrite(Operation *op, Value root) {
  if (isa<ViewLikeOpInterface>(op))
    return false;
  auto touches = [&](Value v) {
    return isa<BaseMemRefType>(v.getType()) && rootBuffer(v) == root;
  };
  if (auto iface = dyn_cast<MemoryEffectOpInterface>(op)) {
    SmallVector<MemoryEffects::EffectInstance> effects;
    iface.getEffects(effects);
    for (auto &effect : effects) {
      if (!isa<MemoryEffects::Write>(effect.getEffect()))
        continue;
      Value v = effect.getValue();
      if (!v || touches(v))
        return true;
    }
    if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return false;
  } else if (llvm::any_of(op->getOperands(), touches)) {
    return true;
  }
  for (Region &region : op->getRegions())
    for (Operation &inner : region.getOps())
      if (mayWrite(&inner, root))
        return true;
  return false;
}

/// Whether any op strictly between `from` and `to` (same block, `from`
/// first) may write the buffer behind `v`.
bool writtenBetween(Value v, Operation *from, Operation *to) {
  Value root = rootBuffer(v);
  for (Operation *op = from->getNextNode(); op && op != to;
       op = op->getNextNode())
    if (mayWrite(op, root))
      return true;
  return false;
}

bool isZero(Value v) {
  return v && (matchPattern(v, m_AnyZeroFloat()) || matchPattern(v, m_Zero()));
}

/// A write of zero to the whole of `buffer`: linalg.fill, or a linalg.map
/// without inputs that yields a zero constant.
bool isZeroFill(Operation *op, Value buffer) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getDpsInitOperand(0)->get() == buffer &&
           isZero(fill.getDpsInputOperand(0)->get());
  if (auto map = dyn_cast<linalg::MapOp>(op)) {
    if (map.getNumDpsInputs() != 0 || map.getDpsInitOperand(0)->get() != buffer)
      return false;
    auto yield = cast<linalg::YieldOp>(map.getMapper().front().getTerminator());
    return yield.getNumOperands() == 1 && isZero(yield.getOperand(0));
  }
  return false;
}

/// A linalg.generic that copies its one input to its output, optionally
/// widened (extf), with the given input map (the output's is the identity).
bool isCopyLike(linalg::GenericOp g, function_ref<bool(AffineMap)> inputMap) {
  if (g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumReductionLoops() != 0 ||
      !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity() ||
      !inputMap(g.getMatchingIndexingMap(g.getDpsInputOperand(0))))
    return false;
  Block &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value y = yield.getOperand(0);
  if (auto ext = y.getDefiningOp<arith::ExtFOp>())
    y = ext.getIn();
  return y == body.getArgument(0) &&
         body.getOperations().size() <= 2; // [extf,] yield
}

bool isStaticIdentity(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.hasStaticShape() && type.getLayout().isIdentity();
}

std::optional<DepthwiseConv> matchDepthwiseConv(linalg::LinalgOp op) {
  DepthwiseConv conv;
  conv.op = op;
  DenseIntElementsAttr strides, dilations;
  if (auto nhwc = dyn_cast<linalg::DepthwiseConv2DNhwcHwcOp>(*op)) {
    conv.layout = ConvLayout::NHWC;
    strides = nhwc.getStrides();
    dilations = nhwc.getDilations();
  } else if (auto nchw = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(*op)) {
    conv.layout = ConvLayout::NCHW;
    strides = nchw.getStrides();
    dilations = nchw.getDilations();
  } else {
    return std::nullopt;
  }
  auto allOnes = [](DenseIntElementsAttr a) {
    return a && llvm::all_of(a.getValues<APInt>(),
                             [](const APInt &v) { return v == 1; });
  };
  if (!op.hasPureBufferSemantics() || !allOnes(strides) || !allOnes(dilations))
    return std::nullopt;
  const bool nhwc = conv.layout == ConvLayout::NHWC;
  const unsigned hDim = nhwc ? 1 : 2, wDim = hDim + 1, cDim = nhwc ? 3 : 1;
  Value padded = op.getDpsInputOperand(0)->get();
  conv.weights = op.getDpsInputOperand(1)->get();
  conv.output = op.getDpsInitOperand(0)->get();
  auto inType = dyn_cast<MemRefType>(padded.getType());
  auto wType = dyn_cast<MemRefType>(conv.weights.getType());
  auto outType = dyn_cast<MemRefType>(conv.output.getType());
  if (!inType || !wType || !outType || !inType.hasStaticShape() ||
      !wType.hasStaticShape() || !outType.hasStaticShape() ||
      !isa<FloatType>(outType.getElementType()) ||
      !isa<FloatType>(wType.getElementType()))
    return std::nullopt;
  const int64_t k = wType.getShape()[nhwc ? 0 : 1];
  if (wType.getShape()[nhwc ? 1 : 2] != k)
    return std::nullopt;
  conv.input = padded;

  // The padding: a zero-filled buffer whose interior is a copy of the input.
  Block *block = op->getBlock();
  auto alloc = padded.getDefiningOp<memref::AllocOp>();
  if (alloc && isStaticIdentity(padded) && alloc->getBlock() == block) {
    Operation *fill = nullptr, *copy = nullptr;
    memref::SubViewOp interior;
    SmallVector<Operation *> deallocs;
    bool ok = true;
    for (Operation *user : alloc->getUsers()) {
      if (user == op)
        continue;
      if (isa<memref::DeallocOp>(user)) {
        deallocs.push_back(user);
      } else if (isZeroFill(user, padded) && !fill) {
        fill = user;
      } else if (auto sv = dyn_cast<memref::SubViewOp>(user);
                 sv && !interior && sv->hasOneUse()) {
        interior = sv;
        copy = *sv->user_begin();
      } else {
        ok = false;
      }
    }
    Value source;
    if (ok && fill && interior) {
      if (auto c = dyn_cast<memref::CopyOp>(copy); c && c.getTarget() == interior)
        source = c.getSource();
      else if (auto g = dyn_cast<linalg::GenericOp>(copy);
               g && g.hasPureBufferSemantics() &&
               isCopyLike(g, [](AffineMap m) { return m.isIdentity(); }) &&
               g.getDpsInitOperand(0)->get() == interior)
        source = g.getDpsInputOperand(0)->get();
    }
    ok &= bool(source) && fill->getBlock() == block &&
          copy->getBlock() == block && fill->isBeforeInBlock(copy) &&
          copy->isBeforeInBlock(op);
    if (ok) {
      auto srcType = dyn_cast<MemRefType>(source.getType());
      ok = srcType && srcType.hasStaticShape() &&
           isa<FloatType>(srcType.getElementType()) &&
           interior.hasUnitStride() &&
           llvm::none_of(interior.getStaticOffsets(), ShapedType::isDynamic);
      for (unsigned d : {0u, cDim})
        ok &= ok && interior.getStaticOffsets()[d] == 0 &&
              srcType.getShape()[d] == inType.getShape()[d];
      // The input is read where the conv runs: nothing between the copy and
      // the conv may change it.
      ok &= ok && !writtenBetween(source, copy, op);
    }
    if (ok) {
      conv.input = source;
      conv.padTop = interior.getStaticOffsets()[hDim];
      conv.padLeft = interior.getStaticOffsets()[wDim];
      conv.dead.push_back(fill);
      conv.dead.push_back(copy);
      conv.dead.push_back(interior);
      llvm::append_range(conv.dead, deallocs);
      conv.dead.push_back(alloc);
    }
  }
  auto srcShape = cast<MemRefType>(conv.input.getType()).getShape();

  ssm::DepthwiseConvShape &s = conv.shape;
  s.layout = conv.layout;
  s.batch = outType.getShape()[0];
  s.channels = outType.getShape()[cDim];
  s.height = srcShape[hDim];
  s.width = srcShape[wDim];
  s.outHeight = outType.getShape()[hDim];
  s.outWidth = outType.getShape()[wDim];
  s.kernel = k;
  if (inType.getShape()[hDim] != s.outHeight + k - 1 ||
      inType.getShape()[wDim] != s.outWidth + k - 1 ||
      s.height + conv.padTop > inType.getShape()[hDim] ||
      s.width + conv.padLeft > inType.getShape()[wDim])
    return std::nullopt;

  // The initialization: the output buffer's one earlier writer.
  if (auto outAlloc = conv.output.getDefiningOp<memref::AllocOp>();
      outAlloc && outAlloc->getBlock() == block &&
      isStaticIdentity(conv.output)) {
    SmallVector<Operation *> before;
    bool viewed = false;
    for (Operation *user : outAlloc->getUsers()) {
      viewed |= isa<ViewLikeOpInterface>(user);
      if (user->getBlock() == block && user->isBeforeInBlock(op))
        before.push_back(user);
    }
    if (before.size() == 1 && !viewed) {
      Operation *init = before.front();
      if (isZeroFill(init, conv.output)) {
        conv.foldedInit = true;
      } else if (auto g = dyn_cast<linalg::GenericOp>(init);
                 g && g.hasPureBufferSemantics() &&
                 g.getDpsInitOperand(0)->get() == conv.output &&
                 isCopyLike(g, [&](AffineMap m) {
                   return m.getNumResults() == 1 &&
                          m.getResult(0) == getAffineDimExpr(cDim,
                                                             m.getContext());
                 })) {
        Value bias = g.getDpsInputOperand(0)->get();
        auto biasType = dyn_cast<MemRefType>(bias.getType());
        if (biasType && biasType.hasStaticShape() &&
            isa<FloatType>(biasType.getElementType()) &&
            !writtenBetween(bias, init, op)) {
          conv.bias = bias;
          conv.foldedInit = true;
        }
      }
      if (conv.foldedInit)
        conv.dead.push_back(init);
    }
  }
  return conv;
}

/// The epilogue of `conv`: an all-parallel linalg.generic over the conv
/// output's shape with identity maps, one output and a body without memory
/// effects, that reads the conv result and is its only reader. The kernel is
/// emitted where that op stood, so nothing between the two may write what the
/// conv reads; the op's output must not be a buffer the conv reads, for other
/// blocks still read the input while a block stores.
linalg::GenericOp matchEpilogue(const DepthwiseConv &conv) {
  Operation *convOp = conv.op;
  Value out = conv.output;
  Operation *def = out.getDefiningOp();
  if (!def || !isa<memref::AllocOp, memref::ViewOp>(def) ||
      !isStaticIdentity(out))
    return {};
  linalg::GenericOp epilogue;
  for (Operation *user : out.getUsers()) {
    if (user == convOp || llvm::is_contained(conv.dead, user) ||
        isa<memref::DeallocOp>(user))
      continue;
    auto g = dyn_cast<linalg::GenericOp>(user);
    if (!g || epilogue || user->getBlock() != convOp->getBlock() ||
        !convOp->isBeforeInBlock(user))
      return {};
    epilogue = g;
  }
  if (!epilogue)
    return {};
  linalg::GenericOp g = epilogue;
  auto outType = cast<MemRefType>(out.getType());
  if (!g.hasPureBufferSemantics() || g.getNumDpsInits() != 1 ||
      g.getNumReductionLoops() != 0 ||
      g.getStaticLoopRanges() != SmallVector<int64_t>(outType.getShape()) ||
      llvm::any_of(g.getIndexingMapsArray(),
                   [](AffineMap m) { return !m.isIdentity(); }) ||
      llvm::count(g->getOperands(), out) != 1 ||
      g.getDpsInitOperand(0)->get() == out)
    return {};
  for (Operation &op : g.getRegion().front().without_terminator())
    if (!isMemoryEffectFree(&op))
      return {};
  Value result = rootBuffer(g.getDpsInitOperand(0)->get());
  for (Value read : {conv.input, conv.weights, conv.bias})
    if (read && (rootBuffer(read) == result || writtenBetween(read, convOp, g)))
      return {};
  // The deallocs of the conv result come after its reader.
  for (Operation *user : def->getUsers())
    if (isa<memref::DeallocOp>(user) && user->getBlock() == g->getBlock() &&
        user->isBeforeInBlock(g))
      return {};
  return g;
}

/// Emits the kernel of `conv` as planned: a gpu.launch, or with `emulate`
/// the same code as sequential loops over blocks and threads.
struct KernelEmitter {
  const DepthwiseConv &conv;
  const ssm::DepthwiseConvPlan &plan;
  ssm::detail::GPUEmitter &e;

  bool nhwc() const { return conv.layout == ConvLayout::NHWC; }
  int64_t k() const { return conv.shape.kernel; }
  int64_t tileRows() const { return plan.tileHeight + k() - 1; }
  int64_t tileCols() const { return plan.tileWidth + k() - 1; }
  int64_t tileElements() const {
    return plan.channelsPerBlock * tileRows() * tileCols();
  }

  /// The linear shared-memory index of channel `ci`, tile row `i`, column
  /// `j`: channels fastest for NHWC, columns fastest for NCHW.
  Value sharedIndex(Value ci, Value i, Value j) {
    if (nhwc())
      return e.addi(e.muli(e.addi(e.muli(i, e.idx(tileCols())), j),
                           e.idx(plan.channelsPerBlock)),
                    ci);
    return e.addi(e.muli(e.addi(e.muli(ci, e.idx(tileRows())), i),
                         e.idx(tileCols())),
                  j);
  }

  /// The indices of (n, c, y, x) in the conv's layout.
  SmallVector<Value> at(Value n, Value c, Value y, Value x) {
    if (nhwc())
      return {n, y, x, c};
    return {n, c, y, x};
  }

  struct BlockOrigin {
    Value n, c0, oh0, ow0;
  };
  BlockOrigin origin(Value bx, Value by, Value bz) {
    BlockOrigin o;
    o.n = bz;
    o.c0 = e.muli(by, e.idx(plan.channelsPerBlock));
    o.oh0 = e.muli(e.divi(bx, e.idx(plan.tilesW)), e.idx(plan.tileHeight));
    o.ow0 = e.muli(e.remi(bx, e.idx(plan.tilesW)), e.idx(plan.tileWidth));
    return o;
  }

  /// Phase 1: the block's threads stage the input tile plus halo, zero
  /// outside the image (and past the last channel).
  void stage(const BlockOrigin &o, Value tid, Value shared) {
    if (plan.stageCopiesPerRow > 0)
      stageByRows(o, tid, shared);
    else
      stageLinear(o, tid, shared);
  }

  /// Keeps `loop` a loop in LLVM too: AMDGPU would unroll it and keep
  /// several rows' loads live (gfx942: 96-150 -> 150-206 VGPRs), beyond the
  /// plan's registersPerThread. scf-to-cf passes the annotation to the back
  /// edge.
  void keepRolled(scf::ForOp loop) {
    MLIRContext *ctx = e.b.getContext();
    auto noUnroll = LLVM::LoopUnrollAttr::get(ctx, e.b.getBoolAttr(true), {},
                                              {}, {}, {}, {}, {});
    loop->setAttr("loop_annotation",
                  LLVM::LoopAnnotationAttr::get(ctx, {}, {}, {}, noUnroll, {},
                                                {}, {}, {}, {}, {}, {}, {}, {},
                                                {}, {}));
  }

  /// The zero-padded input element (n, c, y, x) as f32, zero also where
  /// `ok` (if any) is false; y and x below the padding wrap around to huge
  /// unsigned values.
  Value loadPadded(Value n, Value c, Value y, Value x, Value ok) {
    Value inside = e.andi(e.andi(e.ult(c, e.idx(conv.shape.channels)),
                                 e.ult(y, e.idx(conv.shape.height))),
                          e.ult(x, e.idx(conv.shape.width)));
    if (ok)
      inside = e.andi(ok, inside);
    auto ifOp = scf::IfOp::create(
        e.b, e.loc, inside,
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(e.b, e.loc, e.load(conv.input, at(n, c, y, x)));
        },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(e.b, e.loc, e.f32(0.0));
        });
    return ifOp.getResult(0);
  }

  /// The staged tile as `outer` rows of `inner` elements (NHWC: tile rows of
  /// tileCols x channels; NCHW: channel planes of tileRows x tileCols). Each
  /// thread splits its stageCopiesPerRow element positions within a row into
  /// their coordinates once, then loops over the rows: per element only a
  /// predicate, an address, the load and the shared store, no division.
  void stageByRows(const BlockOrigin &o, Value tid, Value shared) {
    OpBuilder &b = e.b;
    const int64_t cb = plan.channelsPerBlock;
    const int64_t inner = nhwc() ? tileCols() * cb : tileRows() * tileCols();
    const int64_t outer = nhwc() ? tileRows() : cb;
    const int64_t threads = plan.threadsPerBlock;
    struct Copy {
      Value el, ok, a, x; // a: NHWC the channel, NCHW the row y.
      bool partial;
    };
    SmallVector<Copy> copies;
    for (int64_t m = 0; m < plan.stageCopiesPerRow; ++m) {
      Copy cp;
      cp.el = e.addi(tid, e.idx(m * threads));
      cp.partial = (m + 1) * threads > inner;
      if (cp.partial)
        cp.ok = e.ult(cp.el, e.idx(inner));
      Value j;
      if (nhwc()) {
        cp.a = e.addi(o.c0, e.remi(cp.el, e.idx(cb)));
        j = e.divi(cp.el, e.idx(cb));
      } else {
        j = e.remi(cp.el, e.idx(tileCols()));
        cp.a = e.subi(e.addi(o.oh0, e.divi(cp.el, e.idx(tileCols()))),
                      e.idx(conv.padTop));
      }
      cp.x = e.subi(e.addi(o.ow0, j), e.idx(conv.padLeft));
      copies.push_back(cp);
    }
    auto loop = scf::ForOp::create(b, e.loc, e.idx(0), e.idx(outer), e.idx(1));
    keepRolled(loop);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value row = loop.getInductionVar();
    Value rowStart = e.muli(row, e.idx(inner));
    for (const Copy &cp : copies) {
      Value v = nhwc()
                    ? loadPadded(o.n, cp.a,
                                 e.subi(e.addi(o.oh0, row), e.idx(conv.padTop)),
                                 cp.x, cp.ok)
                    : loadPadded(o.n, e.addi(o.c0, row), cp.a, cp.x, cp.ok);
      auto store = [&] {
        memref::StoreOp::create(b, e.loc, v, shared,
                                ValueRange{e.addi(rowStart, cp.el)});
      };
      // Past the row, another row's element: no store.
      if (cp.partial)
        e.ifThen(cp.ok, store);
      else
        store();
    }
  }

  void stageLinear(const BlockOrigin &o, Value tid, Value shared) {
    OpBuilder &b = e.b;
    auto loop = scf::ForOp::create(b, e.loc, tid, e.idx(tileElements()),
                                   e.idx(plan.threadsPerBlock));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    Value el = loop.getInductionVar();
    Value ci, i, j;
    if (nhwc()) {
      ci = e.remi(el, e.idx(plan.channelsPerBlock));
      Value rest = e.divi(el, e.idx(plan.channelsPerBlock));
      j = e.remi(rest, e.idx(tileCols()));
      i = e.divi(rest, e.idx(tileCols()));
    } else {
      j = e.remi(el, e.idx(tileCols()));
      Value rest = e.divi(el, e.idx(tileCols()));
      i = e.remi(rest, e.idx(tileRows()));
      ci = e.divi(rest, e.idx(tileRows()));
    }
    Value c = e.addi(o.c0, ci);
    // Below the padding, y and x wrap around to huge unsigned values.
    Value y = e.subi(e.addi(o.oh0, i), e.idx(conv.padTop));
    Value x = e.subi(e.addi(o.ow0, j), e.idx(conv.padLeft));
    Value inside =
        e.andi(e.andi(e.ult(c, e.idx(conv.shape.channels)),
                      e.ult(y, e.idx(conv.shape.height))),
               e.ult(x, e.idx(conv.shape.width)));
    auto ifOp = scf::IfOp::create(
        b, e.loc, inside,
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, e.loc,
                               e.load(conv.input, at(o.n, c, y, x)));
        },
        [&](OpBuilder &, Location) {
          scf::YieldOp::create(b, e.loc, e.f32(0.0));
        });
    memref::StoreOp::create(b, e.loc, ifOp.getResult(0), shared,
                            ValueRange{el});
  }

  /// Phase 2: each thread's outputsPerThread outputs of one channel.
  void compute(const BlockOrigin &o, Value tid, Value shared) {
    const int64_t cb = plan.channelsPerBlock, r = plan.outputsPerThread;
    Value ci, wl, hl;
    if (nhwc()) {
      ci = e.remi(tid, e.idx(cb));
      Value rest = e.divi(tid, e.idx(cb));
      wl = e.remi(rest, e.idx(plan.threadsW));
      hl = e.divi(rest, e.idx(plan.threadsW));
    } else {
      wl = e.remi(tid, e.idx(plan.threadsW));
      Value rest = e.divi(tid, e.idx(plan.threadsW));
      hl = e.remi(rest, e.idx(plan.threadsH));
      ci = e.divi(rest, e.idx(plan.threadsH));
    }
    const int64_t channels = conv.shape.channels;
    Value c = e.addi(o.c0, ci);
    // Past the last channel: the last channel's weights, no stores.
    Value cw = e.mini(c, e.idx(channels - 1));
    // The thread's first output in the tile; the rest follow along W
    // (NHWC) or H (NCHW).
    Value ti = nhwc() ? hl : e.muli(hl, e.idx(r));
    Value tj = nhwc() ? e.muli(wl, e.idx(r)) : wl;
    Value init = conv.bias ? e.load(conv.bias, {cw}) : e.f32(0.0);
    // One iteration per tap of the other axis (a loop, not unrolled): its
    // k weights and the r + k - 1 staged values along the register axis
    // serve all k taps of that axis, so only r + (r + k - 1) + k values are
    // live (DepthwiseConvPlan::registersPerThread), never all k * k weights.
    auto rows = scf::ForOp::create(e.b, e.loc, e.idx(0), e.idx(k()), e.idx(1),
                                   SmallVector<Value>(r, init));
    keepRolled(rows);
    {
      OpBuilder::InsertionGuard g(e.b);
      e.b.setInsertionPointToStart(rows.getBody());
      Value kb = rows.getInductionVar();
      SmallVector<Value> acc(rows.getRegionIterArgs());
      SmallVector<Value> v(r + k() - 1);
      for (int64_t jj = 0; jj < r + k() - 1; ++jj) {
        Value i = nhwc() ? e.addi(ti, kb) : e.addi(ti, e.idx(jj));
        Value j = nhwc() ? e.addi(tj, e.idx(jj)) : e.addi(tj, kb);
        v[jj] = memref::LoadOp::create(e.b, e.loc, shared,
                                       ValueRange{sharedIndex(ci, i, j)});
      }
      for (int64_t ka = 0; ka < k(); ++ka) {
        // NHWC weights are (kh, kw, c): kb is kh; NCHW's (c, kh, kw): kb is
        // kw.
        Value weight =
            e.load(conv.weights, nhwc() ? SmallVector<Value>{kb, e.idx(ka), cw}
                                        : SmallVector<Value>{cw, e.idx(ka), kb});
        for (int64_t q = 0; q < r; ++q)
          acc[q] = e.fma(weight, v[q + ka], acc[q]);
      }
      scf::YieldOp::create(e.b, e.loc, acc);
    }
    SmallVector<Value> acc(rows.getResults());
    Value oh = e.addi(o.oh0, ti), ow = e.addi(o.ow0, tj);
    Value channelOk = e.ult(c, e.idx(channels));
    for (int64_t q = 0; q < r; ++q) {
      Value y = nhwc() ? oh : e.addi(oh, e.idx(q));
      Value x = nhwc() ? e.addi(ow, e.idx(q)) : ow;
      Value ok = e.andi(channelOk,
                        e.andi(e.ult(y, e.idx(conv.shape.outHeight)),
                               e.ult(x, e.idx(conv.shape.outWidth))));
      e.ifThen(ok, [&] {
        SmallVector<Value> idx = at(o.n, c, y, x);
        Value result = acc[q];
        if (!conv.foldedInit)
          result = e.add(e.load(conv.output, idx), result);
        if (conv.epilogue)
          storeEpilogue(result, idx);
        else
          e.store(result, conv.output, idx);
      });
    }
  }

  /// The epilogue's body on the conv result `result` (f32) at `idx`, which
  /// indexes every operand alike (identity maps), stored to its output.
  void storeEpilogue(Value result, ValueRange idx) {
    linalg::GenericOp g = conv.epilogue;
    Block &body = g.getRegion().front();
    IRMapping map;
    for (OpOperand &operand : g->getOpOperands()) {
      BlockArgument arg = g.getMatchingBlockArgument(&operand);
      if (arg.use_empty())
        continue;
      Value v;
      if (operand.get() == conv.output) {
        // The conv result as the output's element type would have held it.
        v = result;
        if (arg.getType() != v.getType())
          v = arith::TruncFOp::create(e.b, e.loc, arg.getType(), v);
      } else {
        v = memref::LoadOp::create(e.b, e.loc, operand.get(), idx);
      }
      map.map(arg, v);
    }
    for (Operation &op : body.without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(op)) {
        map.map(index.getResult(), idx[index.getDim()]);
        continue;
      }
      e.b.clone(op, map);
    }
    Value y = map.lookupOrDefault(body.getTerminator()->getOperand(0));
    memref::StoreOp::create(e.b, e.loc, y, g.getDpsInitOperand(0)->get(), idx);
  }

  void emitLaunch() {
    OpBuilder &b = e.b;
    auto space = gpu::AddressSpaceAttr::get(b.getContext(),
                                            gpu::AddressSpace::Workgroup);
    auto sharedType = MemRefType::get({tileElements()}, b.getF32Type(),
                                      MemRefLayoutAttrInterface(), space);
    Value one = e.idx(1);
    auto launch = gpu::LaunchOp::create(
        b, e.loc, e.idx(plan.tilesH * plan.tilesW), e.idx(plan.channelGroups),
        e.idx(conv.shape.batch), e.idx(plan.threadsPerBlock), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        ValueRange{}, TypeRange{sharedType});
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value shared = launch.getWorkgroupAttributions().front();
    BlockOrigin o = origin(launch.getBlockIds().x, launch.getBlockIds().y,
                           launch.getBlockIds().z);
    Value tid = launch.getThreadIds().x;
    stage(o, tid, shared);
    gpu::BarrierOp::create(b, e.loc);
    compute(o, tid, shared);
    gpu::TerminatorOp::create(b, e.loc);
  }

  /// The kernel as loops: blocks in sequence, each phase a loop over the
  /// block's threads (the barrier between them).
  void emitLoops() {
    OpBuilder &b = e.b;
    Value shared = memref::AllocaOp::create(
        b, e.loc, MemRefType::get({tileElements()}, b.getF32Type()));
    auto loop = [&](int64_t n, function_ref<void(Value)> body) {
      auto f = scf::ForOp::create(b, e.loc, e.idx(0), e.idx(n), e.idx(1));
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(f.getBody());
      body(f.getInductionVar());
    };
    loop(conv.shape.batch, [&](Value bz) {
      loop(plan.channelGroups, [&](Value by) {
        loop(plan.tilesH * plan.tilesW, [&](Value bx) {
          BlockOrigin o = origin(bx, by, bz);
          loop(plan.threadsPerBlock, [&](Value t) { stage(o, t, shared); });
          loop(plan.threadsPerBlock, [&](Value t) { compute(o, t, shared); });
        });
      });
    });
  }
};

struct DepthwiseConvToGPUPass
    : ssm::impl::SSMDepthwiseConvToGPUBase<DepthwiseConvToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    const ssm::GPUTargetInfo target = ssm::getGPUTargetInfo(chip);
    SmallVector<linalg::LinalgOp> convs;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isa<linalg::DepthwiseConv2DNhwcHwcOp, linalg::DepthwiseConv2DNchwChwOp>(
              *op) &&
          !op->getParentOfType<gpu::LaunchOp>() &&
          !op->getParentOfType<gpu::GPUFuncOp>())
        convs.push_back(op);
    });
    for (linalg::LinalgOp op : convs) {
      std::optional<DepthwiseConv> conv = matchDepthwiseConv(op);
      if (!conv)
        continue;
      conv->epilogue = matchEpilogue(*conv);
      ssm::DepthwiseConvPlan plan = ssm::planDepthwiseConv(conv->shape, target);
      // With an epilogue the kernel runs where its reader ran (its other
      // inputs are written by then).
      OpBuilder b(conv->epilogue ? conv->epilogue.getOperation()
                                 : op.getOperation());
      ssm::detail::GPUEmitter e{b, op.getLoc()};
      KernelEmitter emitter{*conv, plan, e};
      if (emulate)
        emitter.emitLoops();
      else
        emitter.emitLaunch();
      if (conv->epilogue)
        conv->epilogue->erase();
      op->erase();
      for (Operation *dead : conv->dead)
        dead->erase();
    }
  }
};

} // namespace
