//===- GemmToGPU.cpp - linalg GEMM contractions to a tiled GPU kernel -===//
//
// convert-linalg-to-gpu-gemm. The model builders emit every linear layer
// (and im2col convolutions) as a linalg.generic contraction
//   C[(b,) m, n] += A[..] * B[..]
// whose inputs hold (m, k) and (k, n) in any order, each with or without the
// batch dim, and whose init is a zero fill or a bias broadcast along m or n.
// Each such contraction becomes a gpu.launch_func of a kernel specialized to
// its static shapes:
//   - grid (ceil(n / 64), ceil(m / 64), batch), 256 threads per block; the
//     block computes a 64 x 64 tile of C, each thread a 4 x 4 sub-tile in
//     registers (rows 4*ty .. 4*ty+3, columns 4*tx .. 4*tx+3, tid = 16*ty +
//     tx);
//   - k is walked in 16-deep tiles: the block copies A[m0.., k0..] into
//     As[16][64 + 4] and B[k0.., n0..] into Bs[16][64 + 4] (k-major, f32) with
//     each thread loading 4 consecutive elements along the operand's
//     contiguous dim (one 16-byte / 8-byte vector load where that dim's extent
//     is a multiple of 4; past the edges indices are clamped and the values
//     zeroed, never branched on), then every thread reads one 4-vector of As
//     and one of Bs per k step and does 16 fmas;
//   - the epilogue adds the bias (along m or n), applies a fused ReLU and
//     stores the 4 x 4 values (a 16-byte store per row where n % 4 == 0; an
//     8-byte one for a 16-bit C), guarded at the edges. A contraction whose
//     sole reader rounds it to bf16 / f16 (gemm::roundingReader, placed by
//     ssm-narrow-activations) gets a 16-bit C: the f32 sums (bias included)
//     are rounded once, as they are stored, and the rounding generic is
//     replaced.
// The launch carries `ssm.library_call`, a dictionary describing the same
// GEMM (row-major element strides of A as (m, k, batch), of B as (k, n,
// batch), of C as (m, n, batch), the dims of the operands they belong to,
// the bias and activation), which the NVPTX
// artifact writer records so that the runtime may call cuBLASLt instead.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/EmitUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/SetVector.h"

#include <functional>
#include <map>

namespace mlir::ssm {
#define GEN_PASS_DEF_CONVERTLINALGTOGPUGEMM
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
namespace gemm = mlir::ssm::gemm;

namespace {

constexpr int64_t kTileM = 64, kTileN = 64, kTileK = 16;
constexpr int64_t kThreads = 256, kPerThread = 4, kPad = 4;
constexpr StringLiteral kKernelModule = "ssm_gemm_kernels";

using gemm::BiasAxis;

using gemm::allParallel;
using gemm::isArg;
using gemm::isZero;
using gemm::widenedSource;
using gemm::Operand;
using gemm::yielded;

struct GemmMatch : gemm::Contraction {
  Value bias;
  BiasAxis biasAxis = BiasAxis::None;
  /// The fused ReLU consumer (replaced), and its max op's name.
  linalg::GenericOp relu;
  StringRef reluOp;
  /// The rounding reader folded into the epilogue (replaced): C is stored
  /// in its 16-bit type.
  linalg::GenericOp round;
  /// The buffers the kernel takes (A, B, C): identity layouts, or the
  /// strided subviews an in-place operand is read / written through.
  MemRefType aMem, bMem, cMem;
  /// In place: A / B a static slice of a bigger tensor, C the source of a
  /// tensor.insert_slice into one (null: a dense buffer of its own).
  tensor::ExtractSliceOp aSlice, bSlice;
  tensor::InsertSliceOp cSlice;
};

MemRefType denseMemOf(RankedTensorType t) {
  return MemRefType::get(t.getShape(), t.getElementType());
}

/// True if `t`'s layout is static with a unit innermost stride (a row-major
/// matrix with a leading-dimension stride, batch stride any).
bool unitInnerStride(MemRefType t) {
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  return succeeded(t.getStridesAndOffset(strides, offset)) &&
         !ShapedType::isDynamic(offset) &&
         llvm::none_of(strides, ShapedType::isDynamic) && !strides.empty() &&
         strides.back() == 1;
}

/// A static, unit-stride slice (read in place as a subview), else null.
OffsetSizeAndStrideOpInterface staticSlice(Operation *op) {
  auto slice = dyn_cast_or_null<OffsetSizeAndStrideOpInterface>(op);
  if (!slice || !isa<tensor::ExtractSliceOp, tensor::InsertSliceOp>(op) ||
      ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
      ShapedType::isDynamicShape(slice.getStaticSizes()) ||
      llvm::any_of(slice.getStaticStrides(), [](int64_t s) { return s != 1; }))
    return {};
  return slice;
}

bool inPlaceSlice(tensor::ExtractSliceOp slice) {
  return slice && staticSlice(slice) && slice.getType().hasStaticShape() &&
         slice.getSourceType().hasStaticShape();
}

/// The buffer type a tensor is read through: a static slice (of a slice
/// ...) as a subview of its source's buffer, anything else dense.
MemRefType bufferTypeOf(Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  auto slice = t.getDefiningOp<tensor::ExtractSliceOp>();
  if (!inPlaceSlice(slice))
    return denseMemOf(type);
  return memref::SubViewOp::inferRankReducedResultType(
      type.getShape(), bufferTypeOf(slice.getSource()),
      slice.getStaticOffsets(), slice.getStaticSizes(),
      slice.getStaticStrides());
}

/// `view`'s type collapsed by `reassociation` where the groups collapse,
/// if its innermost stride is 1; else null.
MemRefType collapsedView(MemRefType view,
                         ArrayRef<ReassociationIndices> reassociation) {
  if (int64_t(reassociation.size()) != view.getRank()) {
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(view,
                                                          reassociation))
      return {};
    view = memref::CollapseShapeOp::computeCollapsedType(view, reassociation);
  }
  return unitInnerStride(view) ? view : MemRefType();
}

/// Decides where the kernel reads A / B and writes C: through subviews of
/// the sliced tensors (no copy of a slice, no copy of C into its place) or
/// through dense buffers of their own.
void chooseViews(GemmMatch &r) {
  auto input = [&](const Operand &x, tensor::ExtractSliceOp &slice) {
    MemRefType dense = denseMemOf(x.type);
    slice = x.value.getDefiningOp<tensor::ExtractSliceOp>();
    if (!inPlaceSlice(slice))
      return slice = {}, dense;
    MemRefType view = collapsedView(bufferTypeOf(x.value), x.reassociation);
    if (!view)
      slice = {};
    return view ? view : dense;
  };
  r.aMem = input(r.a, r.aSlice);
  r.bMem = input(r.b, r.bSlice);
  r.cMem = denseMemOf(r.outType);
  // C in place: the match's result is read only by an insert_slice whose
  // destination is read by nothing else but the slice that seeds the init
  // (the zero fill or bias broadcast, which dies with the contraction).
  linalg::GenericOp last = r.round ? r.round : r.relu ? r.relu : r.op;
  Value result = last.getResult(0);
  if (!result.hasOneUse())
    return;
  auto insert = dyn_cast<tensor::InsertSliceOp>(*result.getUsers().begin());
  if (!insert || insert.getSource() != result)
    return;
  Operation *init = r.op.getDpsInits()[0].getDefiningOp();
  // An empty destination (possibly shared with others by CSE) holds nothing
  // to keep: the kernel writes into a fresh one.
  const bool empty = insert.getDest().getDefiningOp<tensor::EmptyOp>();
  for (OpOperand &use : insert.getDest().getUses()) {
    if (empty)
      break;
    if (use.getOwner() == insert)
      continue;
    auto seed = dyn_cast<tensor::ExtractSliceOp>(use.getOwner());
    if (!seed || !init ||
        !llvm::all_of(seed->getUsers(),
                      [&](Operation *u) { return u == init; }) ||
        !llvm::all_of(init->getUsers(),
                      [&](Operation *u) { return u == r.op; }))
      return;
  }
  if (!staticSlice(insert) || !insert.getDestType().hasStaticShape() ||
      !insert.getSourceType().hasStaticShape())
    return;
  MemRefType view = collapsedView(
      memref::SubViewOp::inferRankReducedResultType(
          insert.getSourceType().getShape(),
          denseMemOf(insert.getDestType()), insert.getStaticOffsets(),
          insert.getStaticSizes(), insert.getStaticStrides()),
      r.outReassociation);
  if (!view || view.getElementType() != r.outType.getElementType() ||
      view.getShape() != r.outType.getShape())
    return;
  r.cMem = view;
  r.cSlice = insert;
}

/// True if every stride but the innermost (unit) one and the offset of `t`
/// are multiples of `n` elements: n-element runs starting at multiples of
/// n along the innermost dim are n-aligned (given an aligned base).
bool runsAligned(MemRefType t, int64_t n) {
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  if (failed(t.getStridesAndOffset(strides, offset)) || strides.empty() ||
      strides.back() != 1 || offset % n != 0)
    return false;
  return llvm::all_of(ArrayRef<int64_t>(strides).drop_back(),
                      [&](int64_t s) { return s % n == 0; });
}

FailureOr<GemmMatch> matchGemm(linalg::GenericOp g) {
  if (g.getNumResults() != 1 ||
      !isa<RankedTensorType>(g.getResult(0).getType()))
    return failure();
  FailureOr<gemm::Contraction> c = gemm::matchContraction(g);
  if (failed(c))
    return failure();
  GemmMatch r;
  static_cast<gemm::Contraction &>(r) = *c;
  auto outType = cast<RankedTensorType>(g.getResult(0).getType());
  if (r.batch > 65535 || (r.m + kTileM - 1) / kTileM > 65535)
    return failure();
  // bf16 through an elementwise extf producer: read the bf16 tensor.
  for (Operand *x : {&r.a, &r.b})
    if (x->type.getElementType().isF32())
      if (Value src = widenedSource(x->value)) {
        x->value = src;
        x->type = RankedTensorType::get(
            x->type.getShape(),
            cast<RankedTensorType>(src.getType()).getElementType());
      }

  // Init: zero, or a bias broadcast along m or n.
  Value init = g.getDpsInits()[0];
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    if (!isZero(fill.getInputs()[0]))
      return failure();
  } else {
    FailureOr<gemm::BiasInit> bias = gemm::matchBiasInit(r);
    if (failed(bias))
      return failure();
    r.biasAxis = bias->axis;
    r.bias = bias->bias;
  }

  // A rounding reader: C stored in 16 bits (outType's element type).
  if (linalg::GenericOp round = gemm::roundingReader(g)) {
    r.round = round;
    r.outType = RankedTensorType::get(
        r.outType.getShape(),
        cast<RankedTensorType>(round.getResult(0).getType()).getElementType());
    chooseViews(r);
    return r;
  }

  // A ReLU consumer: max(x, 0) over the same shape.
  Value result = g.getResult(0);
  if (result.hasOneUse())
    if (auto user = dyn_cast<linalg::GenericOp>(*result.getUsers().begin()))
      if (user.getNumDpsInputs() == 1 && user.getDpsInputs()[0] == result &&
          user.getNumResults() == 1 && allParallel(user) &&
          user.getResult(0).getType() == outType &&
          llvm::all_of(user.getIndexingMapsArray(),
                       [](AffineMap m) { return m.isIdentity(); }) &&
          llvm::count_if(user.getRegion().front(), [](Operation &o) {
            return !isa<arith::ConstantOp>(o);
          }) == 2) {
        Operation *max =
            yielded(user) ? yielded(user).getDefiningOp() : nullptr;
        if (max && isa<arith::MaximumFOp, arith::MaxNumFOp>(max)) {
          bool widened = false;
          Value x = max->getOperand(0), zero = max->getOperand(1);
          if (!isZero(zero))
            std::swap(x, zero);
          if (isZero(zero) && isArg(x, user, 0, widened) && !widened) {
            r.relu = user;
            r.reluOp = max->getName().getStringRef();
          }
        }
      }
  chooseViews(r);
  return r;
}

/// IR-building helpers over one builder and location (the GPU kernels'
/// shared ones).
using Emitter = ssm::detail::GPUEmitter;

/// Kernel-side description of one GEMM, the key of the kernel cache.
struct KernelKey {
  std::string text;
  bool operator<(const KernelKey &o) const { return text < o.text; }
};

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

KernelKey keyOf(const GemmMatch &g) {
  std::string s;
  llvm::raw_string_ostream os(s);
  // The buffers' types: their layouts (strides, offset) are the kernel's.
  auto operand = [&](const Operand &x, MemRefType mem) {
    os << typeString(mem) << "@" << x.posBatch << "," << x.posOuter << ","
       << x.posInner << ";";
  };
  operand(g.a, g.aMem);
  operand(g.b, g.bMem);
  os << typeString(g.cMem) << ";" << g.batch << "x" << g.m << "x" << g.n << "x" << g.k << ";"
     << int(g.biasAxis) << ";"
     << (g.bias ? typeString(g.bias.getType()) : std::string()) << ";"
     << g.reluOp;
  return {s};
}

/// How one thread copies its part of the 64 x 16 (A) or 16 x 64 (B) tile of
/// an operand: 4 consecutive elements along the run dim (x, the tile's m or
/// n, when it is the operand's contiguous dim, else k), one vector load where
/// that dim's extent is a multiple of 4. For A the tile's x dim is the outer
/// dim (m), for B the inner one (n).
struct TileCopy {
  const Operand *x = nullptr;
  bool xIsOuter = true;
  int64_t posX = 0, posK = 0, posRun = 0, posOther = 0;
  int64_t extRun = 0, extOther = 0;
  bool runIsX = false, vector = false, guardRun = false, guardOther = false;
  /// Flags that zero loaded values past an edge (0, 1 or 4).
  int64_t numFlags = 0;

  TileCopy(const Operand &operand, MemRefType mem, bool outer)
      : x(&operand), xIsOuter(outer) {
    posX = outer ? x->posOuter : x->posInner;
    posK = outer ? x->posInner : x->posOuter;
    const int64_t rank = x->type.getRank();
    runIsX = posX == rank - 1;
    posRun = runIsX ? posX : posK;
    posOther = runIsX ? posK : posX;
    extRun = x->type.getDimSize(posRun);
    extOther = x->type.getDimSize(posOther);
    // A strided view (an in-place slice) loads vectors only where every
    // run is as aligned as in a dense buffer.
    vector = posRun == rank - 1 && extRun % kPerThread == 0 &&
             runsAligned(mem, kPerThread);
    // Guards only where a tile can cross the edge.
    guardRun = extRun % (runIsX ? kTileM : kTileK) != 0;
    guardOther = extOther % (runIsX ? kTileK : kTileM) != 0;
    if (vector)
      numFlags = guardRun || guardOther ? 1 : 0;
    else
      numFlags =
          guardRun || guardOther || extRun % kPerThread != 0 ? kPerThread : 0;
  }
  /// Values carried from the loads to the stores: the raw loads (one
  /// vector, or 4 scalars), then the flags.
  int64_t numCarried() const { return (vector ? 1 : kPerThread) + numFlags; }

  /// The thread's offsets in the tile: (kk along k, xx along x).
  std::pair<Value, Value> offsets(Emitter &e, Value tid) const {
    if (runIsX)
      return {
          e.divi(tid, e.idx(kTileM / kPerThread)),
          e.muli(e.remi(tid, e.idx(kTileM / kPerThread)), e.idx(kPerThread))};
    return {e.muli(e.remi(tid, e.idx(kTileK / kPerThread)), e.idx(kPerThread)),
            e.divi(tid, e.idx(kTileK / kPerThread))};
  }

  /// Issues the loads of the tile at (outer0, inner0); indices past an edge
  /// are clamped (always in bounds) and flagged. Nothing here waits for the
  /// loaded data.
  SmallVector<Value> load(Emitter &e, Value mem, Value tid, Value batchIdx,
                          Value outer0, Value inner0) const {
    auto [kk, xx] = offsets(e, tid);
    Value x0 = xIsOuter ? outer0 : inner0, k0 = xIsOuter ? inner0 : outer0;
    Value run0 = runIsX ? e.addi(x0, xx) : e.addi(k0, kk);
    Value other = runIsX ? e.addi(k0, kk) : e.addi(x0, xx);
    Value otherOk = guardOther ? e.ult(other, e.idx(extOther)) : Value();
    Value otherIdx = guardOther ? e.mini(other, e.idx(extOther - 1)) : other;
    auto indices = [&](Value runIdx) {
      SmallVector<Value> ind(x->type.getRank());
      ind[posRun] = runIdx;
      ind[posOther] = otherIdx;
      if (x->posBatch >= 0)
        ind[x->posBatch] = batchIdx;
      return ind;
    };
    Type elem = x->type.getElementType();
    SmallVector<Value> raw, flags;
    auto flag = [&](Value runOk) {
      if (runOk && otherOk)
        return e.andi(otherOk, runOk);
      return runOk ? runOk : otherOk;
    };
    if (vector) {
      // Runs start at multiples of 4 and the extent is one: a run is either
      // wholly inside or wholly outside.
      Value runIdx = run0, runOk;
      if (guardRun) {
        runOk = e.ult(run0, e.idx(extRun));
        runIdx = e.mini(run0, e.idx(extRun - kPerThread));
      }
      auto vt = VectorType::get({kPerThread}, elem);
      const unsigned bytes = kPerThread * elem.getIntOrFloatBitWidth() / 8;
      raw.push_back(vector::LoadOp::create(e.b, e.loc, vt, mem, indices(runIdx),
                                           /*nontemporal=*/false,
                                           llvm::MaybeAlign(bytes)));
      if (numFlags)
        flags.push_back(flag(runOk));
    } else {
      for (int64_t i = 0; i < kPerThread; ++i) {
        Value r = e.addi(run0, e.idx(i));
        Value runIdx = r, runOk;
        if (guardRun || extRun % kPerThread != 0) {
          runOk = e.ult(r, e.idx(extRun));
          runIdx = e.mini(r, e.idx(extRun - 1));
        }
        raw.push_back(memref::LoadOp::create(e.b, e.loc, mem, indices(runIdx)));
        if (numFlags)
          flags.push_back(flag(runOk));
      }
    }
    raw.append(flags.begin(), flags.end());
    return raw;
  }

  /// Widens, zeroes past the edges and stores the loaded values into `tile`
  /// [16][64 + pad] (k-major, f32).
  void store(Emitter &e, Value tile, Value tid, ValueRange carried) const {
    auto [kk, xx] = offsets(e, tid);
    Type f32 = e.b.getF32Type();
    auto vf = VectorType::get({kPerThread}, f32);
    SmallVector<Value> vals;
    const int64_t numRaw = vector ? 1 : kPerThread;
    if (vector) {
      Value v = e.widen(carried[0]);
      if (numFlags) {
        Value zeros = arith::ConstantOp::create(
            e.b, e.loc, vf, DenseElementsAttr::get(vf, e.b.getF32FloatAttr(0)));
        v = arith::SelectOp::create(e.b, e.loc, carried[1], v, zeros);
      }
      for (int64_t i = 0; i < kPerThread; ++i)
        vals.push_back(vector::ExtractOp::create(e.b, e.loc, v, i));
    } else {
      for (int64_t i = 0; i < kPerThread; ++i) {
        Value v = e.widen(carried[i]);
        if (numFlags)
          v = arith::SelectOp::create(e.b, e.loc, carried[numRaw + i], v,
                                      e.f32(0.0));
        vals.push_back(v);
      }
    }
    if (runIsX) {
      Value v = vector::FromElementsOp::create(e.b, e.loc, vf, vals);
      vector::StoreOp::create(e.b, e.loc, v, tile, ValueRange{kk, xx},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    } else {
      for (int64_t i = 0; i < kPerThread; ++i)
        memref::StoreOp::create(e.b, e.loc, vals[i], tile,
                                ValueRange{e.addi(kk, e.idx(i)), xx});
    }
  }
};

/// Builds the kernel for `g` at the end of `module`.
gpu::GPUFuncOp buildKernel(OpBuilder &b, gpu::GPUModuleOp module, GemmMatch g,
                           StringRef name) {
  Location loc = g.op.getLoc();
  MLIRContext *ctx = b.getContext();
  RankedTensorType outType = g.outType;
  SmallVector<Type> args = {g.aMem, g.bMem, g.cMem};
  if (g.bias)
    args.push_back(denseMemOf(cast<RankedTensorType>(g.bias.getType())));
  auto shared = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Type f32 = b.getF32Type();
  auto tileA = MemRefType::get({kTileK, kTileM + kPad}, f32,
                               MemRefLayoutAttrInterface(), shared);
  auto tileB = MemRefType::get({kTileK, kTileN + kPad}, f32,
                               MemRefLayoutAttrInterface(), shared);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto fn = gpu::GPUFuncOp::create(
      b, loc, name, FunctionType::get(ctx, args, {}), TypeRange{tileA, tileB});
  fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  // 16-byte vector accesses: the lowering's shared globals get this
  // alignment (its default is the element's).
  for (unsigned i = 0; i < 2; ++i)
    fn.setWorkgroupAttributionAttr(i, "llvm.align", b.getI64IntegerAttr(16));
  fn.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({int32_t(kThreads), 1, 1}));
  Block &entry = fn.getBody().front();
  b.setInsertionPointToStart(&entry);
  Emitter e{b, loc};
  Value A = entry.getArgument(0), B = entry.getArgument(1),
        C = entry.getArgument(2);
  Value bias = g.bias ? entry.getArgument(3) : Value();
  Value As = fn.getWorkgroupAttributions()[0],
        Bs = fn.getWorkgroupAttributions()[1];

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value n0 =
      e.muli(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x), e.idx(kTileN));
  Value m0 =
      e.muli(gpu::BlockIdOp::create(b, loc, gpu::Dimension::y), e.idx(kTileM));
  Value bz = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  const int64_t lanesN = kTileN / kPerThread;
  Value tx = e.remi(tid, e.idx(lanesN)), ty = e.divi(tid, e.idx(lanesN));
  Value rowOff = e.muli(ty, e.idx(kPerThread)),
        colOff = e.muli(tx, e.idx(kPerThread));

  // Register prefetch: the loads of k tile t + 1 are issued before tile t
  // is multiplied and stored into shared memory after it, so their latency
  // overlaps the block's fmas (one shared buffer, two barriers per tile).
  TileCopy copyA(g.a, g.aMem, /*outer=*/true),
      copyB(g.b, g.bMem, /*outer=*/false);
  const int64_t lastTile = (g.k - 1) / kTileK * kTileK;
  SmallVector<Value> init(kPerThread * kPerThread, e.f32(0.0));
  Value c0 = e.idx(0);
  SmallVector<Value> first = copyA.load(e, A, tid, bz, m0, c0);
  SmallVector<Value> firstB = copyB.load(e, B, tid, bz, c0, n0);
  first.append(firstB.begin(), firstB.end());
  init.append(first.begin(), first.end());
  const int64_t numAcc = kPerThread * kPerThread;
  const int64_t numA = copyA.numCarried();
  auto kLoop = scf::ForOp::create(
      b, loc, c0, e.idx(g.k), e.idx(kTileK), init,
      [&](OpBuilder &, Location, Value k0, ValueRange carried) {
        copyA.store(e, As, tid, carried.slice(numAcc, numA));
        copyB.store(e, Bs, tid,
                    carried.slice(numAcc + numA, copyB.numCarried()));
        gpu::BarrierOp::create(b, loc);
        // The next tile (the last one again after the end: in bounds,
        // unused).
        Value kNext = e.mini(e.addi(k0, e.idx(kTileK)), e.idx(lastTile));
        SmallVector<Value> next = copyA.load(e, A, tid, bz, m0, kNext);
        SmallVector<Value> nextB = copyB.load(e, B, tid, bz, kNext, n0);
        next.append(nextB.begin(), nextB.end());
        SmallVector<Value> cur(carried.begin(), carried.begin() + numAcc);
        auto v4 = VectorType::get({kPerThread}, f32);
        for (int64_t kk = 0; kk < kTileK; ++kk) {
          Value av = vector::LoadOp::create(b, loc, v4, As,
                                            ValueRange{e.idx(kk), rowOff},
                                            false, llvm::MaybeAlign(16));
          Value bv = vector::LoadOp::create(b, loc, v4, Bs,
                                            ValueRange{e.idx(kk), colOff},
                                            false, llvm::MaybeAlign(16));
          SmallVector<Value> as, bs;
          for (int64_t i = 0; i < kPerThread; ++i) {
            as.push_back(vector::ExtractOp::create(b, loc, av, i));
            bs.push_back(vector::ExtractOp::create(b, loc, bv, i));
          }
          for (int64_t i = 0; i < kPerThread; ++i)
            for (int64_t j = 0; j < kPerThread; ++j)
              cur[i * kPerThread + j] =
                  e.fma(as[i], bs[j], cur[i * kPerThread + j]);
        }
        // The next tile's stores overwrite As / Bs.
        gpu::BarrierOp::create(b, loc);
        cur.append(next.begin(), next.end());
        scf::YieldOp::create(b, loc, cur);
      });

  // Epilogue: bias, ReLU, guarded stores.
  const int64_t rank = outType.getRank();
  auto cIndex = [&](Value m, Value n) {
    SmallVector<Value> ind;
    if (rank == 3)
      ind.push_back(bz);
    ind.push_back(m);
    ind.push_back(n);
    return ind;
  };
  auto loadBias = [&](Value i, int64_t extent) {
    Value v = memref::LoadOp::create(b, loc, bias,
                                     ValueRange{e.mini(i, e.idx(extent - 1))});
    return e.widen(v);
  };
  Value colBase = e.addi(n0, colOff);
  SmallVector<Value> colBias;
  if (g.biasAxis == BiasAxis::N)
    for (int64_t j = 0; j < kPerThread; ++j)
      colBias.push_back(loadBias(e.addi(colBase, e.idx(j)), g.n));
  const bool guardM = g.m % kTileM != 0, guardN = g.n % kTileN != 0;
  Type storeType = outType.getElementType();
  const bool vectorStore =
      g.n % kPerThread == 0 && runsAligned(g.cMem, kPerThread);
  for (int64_t i = 0; i < kPerThread; ++i) {
    Value m = e.addi(e.addi(m0, rowOff), e.idx(i));
    Value rowBias = g.biasAxis == BiasAxis::M ? loadBias(m, g.m) : Value();
    SmallVector<Value> vals;
    for (int64_t j = 0; j < kPerThread; ++j) {
      Value v = kLoop.getResult(i * kPerThread + j);
      if (rowBias)
        v = arith::AddFOp::create(b, loc, v, rowBias);
      else if (!colBias.empty())
        v = arith::AddFOp::create(b, loc, v, colBias[j]);
      if (g.relu) {
        OperationState state(loc, g.reluOp, ValueRange{v, e.f32(0.0)},
                             TypeRange{f32});
        v = b.create(state)->getResult(0);
      }
      // A 16-bit C: the one rounding of the f32 result.
      if (storeType != f32)
        v = arith::TruncFOp::create(b, loc, storeType, v);
      vals.push_back(v);
    }
    auto guarded = [&](Value ok, function_ref<void()> body) {
      if (!ok)
        return body();
      scf::IfOp::create(b, loc, ok, [&](OpBuilder &, Location) {
        body();
        scf::YieldOp::create(b, loc);
      });
    };
    Value rowOk = guardM ? e.ult(m, e.idx(g.m)) : Value();
    if (vectorStore) {
      Value ok = rowOk;
      if (guardN) {
        Value colOk = e.ult(colBase, e.idx(g.n));
        ok = ok ? e.andi(ok, colOk) : colOk;
      }
      guarded(ok, [&] {
        Value v = vector::FromElementsOp::create(
            b, loc, VectorType::get({kPerThread}, storeType), vals);
        vector::StoreOp::create(
            b, loc, v, C, cIndex(m, colBase), false,
            llvm::MaybeAlign(kPerThread * storeType.getIntOrFloatBitWidth() /
                             8));
      });
    } else {
      for (int64_t j = 0; j < kPerThread; ++j) {
        Value n = e.addi(colBase, e.idx(j));
        Value ok = rowOk;
        Value colOk = e.ult(n, e.idx(g.n));
        ok = ok ? e.andi(ok, colOk) : colOk;
        guarded(ok, [&] {
          memref::StoreOp::create(b, loc, vals[j], C, cIndex(m, n));
        });
      }
    }
  }
  gpu::ReturnOp::create(b, loc);
  return fn;
}

DictionaryAttr descriptorOf(Builder &b, GemmMatch g) {
  SmallVector<NamedAttribute> d;
  auto i64 = [&](StringRef name, int64_t v) {
    d.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(v)));
  };
  auto strides = [&](StringRef name, int64_t row, int64_t col, int64_t bat) {
    d.push_back(b.getNamedAttr(name, b.getDenseI64ArrayAttr({row, col, bat})));
  };
  d.push_back(b.getNamedAttr("op", b.getStringAttr("gemm")));
  i64("m", g.m);
  i64("n", g.n);
  i64("k", g.k);
  i64("batch", g.batch);
  i64("a_arg", 0);
  i64("b_arg", 1);
  i64("c_arg", 2);
  if (g.bias)
    i64("bias_arg", 3);
  // The buffers' layout strides (a dense buffer's row-major ones, an
  // in-place view's); with one matrix the batch strides are 0 (the format's
  // rule). A view's offset is the writer's business (from the launch's
  // operand types).
  const bool batched = g.batch > 1;
  auto layoutStride = [](MemRefType t, int64_t pos) -> int64_t {
    if (pos < 0)
      return 0;
    SmallVector<int64_t> st;
    int64_t offset = 0;
    (void)t.getStridesAndOffset(st, offset);
    return st[pos];
  };
  auto operandStrides = [&](StringRef name, const Operand &x, MemRefType t) {
    strides(name, layoutStride(t, x.posOuter), layoutStride(t, x.posInner),
            batched ? layoutStride(t, x.posBatch) : 0);
  };
  operandStrides("a_strides", g.a, g.aMem);
  operandStrides("b_strides", g.b, g.bMem);
  const int64_t cRank = g.cMem.getRank();
  strides("c_strides", layoutStride(g.cMem, cRank - 2),
          layoutStride(g.cMem, cRank - 1),
          batched ? layoutStride(g.cMem, 0) : 0);
  // The operands' dims the strides belong to (row, column, batch; -1: no
  // batch dim), so that ssm-pad-library-buffers can rewrite the strides
  // from a padded operand's layout.
  strides("a_dims", g.a.posOuter, g.a.posInner, g.a.posBatch);
  strides("b_dims", g.b.posOuter, g.b.posInner, g.b.posBatch);
  if (g.outType.getRank() == 3)
    strides("c_dims", 1, 2, 0);
  else
    strides("c_dims", 0, 1, -1);
  d.push_back(b.getNamedAttr(
      "bias", b.getStringAttr(g.biasAxis == BiasAxis::M   ? "m"
                              : g.biasAxis == BiasAxis::N ? "n"
                                                          : "none")));
  d.push_back(
      b.getNamedAttr("activation", b.getStringAttr(g.relu ? "relu" : "none")));
  return b.getDictionaryAttr(d);
}

struct ConvertLinalgToGPUGemmPass
    : mlir::ssm::impl::ConvertLinalgToGPUGemmBase<ConvertLinalgToGPUGemmPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<GemmMatch> matches;
    module.walk([&](linalg::GenericOp g) {
      if (g->getParentOfType<gpu::GPUModuleOp>())
        return;
      if (FailureOr<GemmMatch> m = matchGemm(g); succeeded(m))
        matches.push_back(*m);
    });
    if (matches.empty())
      return;

    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    rewriter.getUnitAttr());
    auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModule);
    if (!kernels) {
      rewriter.setInsertionPointToEnd(module.getBody());
      kernels =
          gpu::GPUModuleOp::create(rewriter, module.getLoc(), kKernelModule);
    }
    std::map<KernelKey, gpu::GPUFuncOp> cache;
    for (GemmMatch &g : matches) {
      KernelKey key = keyOf(g);
      gpu::GPUFuncOp fn;
      if (auto it = cache.find(key); it != cache.end()) {
        fn = it->second;
      } else {
        std::string name = "gemm_" + std::to_string(cache.size());
        fn = buildKernel(rewriter, kernels, g, name);
        cache[key] = fn;
      }
      Location loc = g.op.getLoc();
      // The match's last op (the folded rounding or ReLU, else the
      // contraction): the launch goes before it and replaces its result.
      linalg::GenericOp last = g.round ? g.round : g.relu ? g.relu : g.op;
      rewriter.setInsertionPoint(last);
      Emitter e{rewriter, loc};
      auto buffer = [&](Value tensor) -> Value {
        auto t = cast<RankedTensorType>(tensor.getType());
        return bufferization::ToBufferOp::create(
            rewriter, loc, MemRefType::get(t.getShape(), t.getElementType()),
            tensor, /*read_only=*/true);
      };
      // Groups of dims (e.g. NHWC tokens) collapsed into one: contiguous
      // tensors, so the views are free.
      auto collapse = [&](const Operand &x) -> Value {
        if (!x.collapsed())
          return x.value;
        return tensor::CollapseShapeOp::create(rewriter, loc, x.type, x.value,
                                               x.reassociation);
      };
      // A tensor's buffer: a static slice (of a slice ...) as a subview of
      // its source's buffer (read in place), anything else dense.
      std::function<Value(Value, bool)> bufferOf = [&](Value t,
                                                      bool readOnly) -> Value {
        auto slice = t.getDefiningOp<tensor::ExtractSliceOp>();
        if (!inPlaceSlice(slice))
          return bufferization::ToBufferOp::create(
              rewriter, loc, denseMemOf(cast<RankedTensorType>(t.getType())),
              t, readOnly);
        return memref::SubViewOp::create(
            rewriter, loc, bufferTypeOf(t),
            bufferOf(slice.getSource(), readOnly), slice.getMixedOffsets(),
            slice.getMixedSizes(), slice.getMixedStrides());
      };
      auto collapsed = [&](Value v, MemRefType type,
                           ArrayRef<ReassociationIndices> reassociation) -> Value {
        if (v.getType() == type)
          return v;
        return memref::CollapseShapeOp::create(rewriter, loc, type, v,
                                               reassociation)
            .getResult();
      };
      auto input = [&](const Operand &x, tensor::ExtractSliceOp slice,
                       MemRefType type) {
        if (!slice)
          return buffer(collapse(x));
        return collapsed(bufferOf(x.value, /*readOnly=*/true), type,
                         x.reassociation);
      };
      Value dest, cBase;
      if (g.cSlice) {
        dest = g.cSlice.getDest();
        if (dest.getDefiningOp<tensor::EmptyOp>())
          dest = tensor::EmptyOp::create(rewriter, loc,
                                         g.cSlice.getDestType().getShape(),
                                         g.cSlice.getDestType().getElementType());
        // Written in place: the destination's own buffer (never a view:
        // its to_tensor below is the insert's result).
        cBase = bufferization::ToBufferOp::create(
            rewriter, loc, denseMemOf(g.cSlice.getDestType()), dest,
            /*read_only=*/false);
      }
      auto outType = cast<RankedTensorType>(last.getResult(0).getType());
      SmallVector<Value> operands = {input(g.a, g.aSlice, g.aMem),
                                     input(g.b, g.bSlice, g.bMem)};
      Value out;
      if (g.cSlice) {
        auto sub = memref::SubViewOp::create(
            rewriter, loc,
            memref::SubViewOp::inferRankReducedResultType(
                g.cSlice.getSourceType().getShape(),
                cast<MemRefType>(cBase.getType()),
                g.cSlice.getStaticOffsets(), g.cSlice.getStaticSizes(),
                g.cSlice.getStaticStrides()),
            cBase, g.cSlice.getMixedOffsets(), g.cSlice.getMixedSizes(),
            g.cSlice.getMixedStrides());
        out = collapsed(sub, g.cMem, g.outReassociation);
      } else {
        out = memref::AllocOp::create(rewriter, loc, g.cMem);
      }
      operands.push_back(out);
      if (g.bias)
        operands.push_back(buffer(g.bias));
      gpu::KernelDim3 grid{e.idx((g.n + kTileN - 1) / kTileN),
                           e.idx((g.m + kTileM - 1) / kTileM), e.idx(g.batch)};
      gpu::KernelDim3 block{e.idx(kThreads), e.idx(1), e.idx(1)};
      auto launch = gpu::LaunchFuncOp::create(rewriter, loc, fn, grid, block,
                                              Value(), operands);
      launch->setAttr("ssm.library_call", descriptorOf(rewriter, g));
      // The init (a fill or a bias broadcast) and an extf producer are dead
      // once the contraction is gone (bufferized, they would still run), and
      // so are the slices only they read.
      llvm::SetVector<Operation *> producers;
      for (Value v : g.op->getOperands())
        if (Operation *def = v.getDefiningOp())
          producers.insert(def);
      SmallVector<Operation *> slices;
      for (Operation *def : producers)
        for (Value v : def->getOperands())
          if (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>())
            slices.push_back(slice);
      if (g.aSlice)
        slices.push_back(g.aSlice);
      if (g.bSlice)
        slices.push_back(g.bSlice);
      if (g.cSlice) {
        // Written in place: the destination's buffer is the insert's result.
        if (auto empty = g.cSlice.getDest().getDefiningOp<tensor::EmptyOp>())
          slices.push_back(empty);
        rewriter.replaceOp(g.cSlice, bufferization::ToTensorOp::create(
                                         rewriter, loc,
                                         g.cSlice.getDestType(), cBase,
                                         /*restrict=*/true, /*writable=*/true));
        rewriter.eraseOp(last);
      } else {
        Value result = bufferization::ToTensorOp::create(
            rewriter, loc, g.outType, out, /*restrict=*/true,
            /*writable=*/true);
        if (g.outType != outType)
          result = tensor::ExpandShapeOp::create(rewriter, loc, outType,
                                                 result, g.outReassociation);
        rewriter.replaceOp(last, result);
      }
      if (last != g.op)
        rewriter.eraseOp(g.op);
      for (Operation *def : producers)
        if (isa<linalg::LinalgOp>(def) && def->use_empty())
          rewriter.eraseOp(def);
      for (Operation *slice : llvm::SetVector<Operation *>(slices.begin(),
                                                          slices.end()))
        if (slice->use_empty())
          rewriter.eraseOp(slice);
    }
  }
};

} // namespace
