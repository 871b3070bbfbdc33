//===- CrossScanFusion.cpp - VMamba's SS2D core as one GPU kernel --------===//
//
// Recognizes the chain VMamba's builder emits for the SS2D core
// (MODELS.md §3.3-§3.4, lib/Models/VMamba.cpp):
//
//   %xs = ssm.cross_scan %x [dirs]                  (b, c, h, w) -> (b, K, c, L)
//   %u  = tensor.collapse_shape %xs [[0], [1, 2], [3]]       -> (b, K*c, L)
//   %ys = ssm.selective_scan %u, %delta, %A, %B, %C ...      -> (b, K*c, L)
//   %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]]         -> (b, K, c, L)
//   %y  = ssm.cross_merge %y4 [dirs] height h width w        -> (b, c, h, w)
//
// and emits one gpu.launch: no xs tensor, no ys tensor. Grid (c, b), one block
// per (batch, image channel), one warp per direction k (channel k*c + c0 of
// the scan). Shared memory holds the channel's merged output y[L] (row-major,
// zeroed first) and, when a column direction is present, the channel's image
// in column-major order xT[L] (staged once, coalesced). Each warp scans its
// direction's L steps in segments of 128 steps, 4 consecutive steps per lane:
//   pass 1: per lane, the 4 steps' decays exp(dt A) and inputs dt B u, folded
//           into an aggregate (prod of decays, state from zero) per state;
//   a warp-wide inclusive scan of the aggregates (shuffles up), shifted by
//   one lane, applied to the state carried in from the previous segment;
//   pass 2: per lane, the 4 steps from its start state, y = C h + D u, added
//           (shared f32 atomics: the K warps' positions overlap) into y at the
//           token's row-major position.
// u is read through the direction's index map: row / row_rev from x in
// global memory (16-byte loads, reversed for row_rev), col / col_rev from xT.
// delta / B / C are read in their own (sequence) order with 16-byte loads.
// After the last segment a barrier, then y is stored once, coalesced.
// softplus, delta_bias and D are fused; arithmetic is f32 (16-bit inputs
// widened on load); exp is exp2 (afn) of a pre-scaled argument.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

constexpr double kLog2E = 1.4426950408889634;
constexpr int64_t kMaxStaticShared = 48 * 1024;
/// sm_90's opt-in limit of shared memory per block.
constexpr int64_t kMaxShared = 227 * 1024;
/// Steps per lane per segment (one 16-byte load of each f32 sequence).
constexpr int64_t kLaneSteps = 4;
constexpr int64_t kWarp = 32;
constexpr int64_t kSegment = kLaneSteps * kWarp;

/// IR-building helpers over one builder and location.
struct Emit {
  OpBuilder &b;
  Location loc;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v)));
  }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value subi(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value muli(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value divi(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remi(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value mini(Value x, Value y) { return arith::MinUIOp::create(b, loc, x, y); }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  // `contract`: multiplies feeding adds become fma.
  Value add(Value x, Value y) {
    return arith::AddFOp::create(b, loc, x, y, arith::FastMathFlags::contract);
  }
  Value mul(Value x, Value y) {
    return arith::MulFOp::create(b, loc, x, y, arith::FastMathFlags::contract);
  }
  Value fma(Value x, Value y, Value z) { return add(mul(x, y), z); }
  Value maxf(Value x, Value y) {
    return arith::MaxNumFOp::create(b, loc, x, y);
  }
  Value minf(Value x, Value y) {
    return arith::MinNumFOp::create(b, loc, x, y);
  }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  /// 2^x, `afn`: ex2.approx.ftz.f32 after ssm-nvvm-fast-math.
  Value exp2(Value x) {
    return math::Exp2Op::create(b, loc, x, arith::FastMathFlags::afn);
  }
  Value div(Value x, Value y) {
    return arith::DivFOp::create(b, loc, x, y, arith::FastMathFlags::afn);
  }
  /// log1p(exp(x)) = max(x, 0) + 2 atanh(s), s = w / (2 + w), w = exp(-|x|)
  /// (series to s^13: relative error < 1e-8, also where softplus is tiny).
  Value softplus(Value x) {
    Value w = exp2(mul(minf(x, neg(x)), f32(kLog2E)));
    Value s = div(w, add(f32(2.0), w));
    Value s2 = mul(s, s);
    Value p = f32(2.0 / 13.0);
    for (int k : {11, 9, 7, 5, 3, 1})
      p = fma(p, s2, f32(2.0 / k));
    return add(maxf(x, f32(0.0)), mul(p, s));
  }
  Value widen(Value v) {
    Type f32Type = b.getF32Type();
    if (auto vec = dyn_cast<VectorType>(v.getType())) {
      if (vec.getElementType().isF32())
        return v;
      return arith::ExtFOp::create(
          b, loc, VectorType::get(vec.getShape(), f32Type), v);
    }
    return v.getType().isF32() ? v : arith::ExtFOp::create(b, loc, f32Type, v);
  }
  Value load(Value memref, ValueRange at) {
    return widen(memref::LoadOp::create(b, loc, memref, at));
  }
  /// `count` consecutive elements (along the last dimension) from `at`, as
  /// f32 scalars; one vector load when `vector`, else scalar loads at
  /// min(at + i, last).
  SmallVector<Value> loadRun(Value memref, SmallVector<Value> at, bool vector,
                             Value last) {
    SmallVector<Value> out;
    auto type = cast<MemRefType>(memref.getType());
    if (vector) {
      int64_t bytes = kLaneSteps * type.getElementTypeBitWidth() / 8;
      Value v = widen(vector::LoadOp::create(
          b, loc, VectorType::get({kLaneSteps}, type.getElementType()), memref,
          at, /*nontemporal=*/false, llvm::MaybeAlign(bytes)));
      for (int64_t i = 0; i < kLaneSteps; ++i)
        out.push_back(vector::ExtractOp::create(b, loc, v, i));
      return out;
    }
    Value first = at.back();
    for (int64_t i = 0; i < kLaneSteps; ++i) {
      at.back() = mini(addi(first, idx(i)), last);
      out.push_back(load(memref, at));
    }
    return out;
  }
  void store(Value v, Value memref, ValueRange at) {
    Type elem = cast<MemRefType>(memref.getType()).getElementType();
    if (elem != v.getType())
      v = arith::TruncFOp::create(b, loc, elem, v);
    memref::StoreOp::create(b, loc, v, memref, at);
  }
  Value buffer(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    return bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
        /*read_only=*/true);
  }
};

bool isColumn(ScanDirection d) {
  return d == ScanDirection::col || d == ScanDirection::col_rev;
}
bool isReversed(ScanDirection d) {
  return d == ScanDirection::row_rev || d == ScanDirection::col_rev;
}

/// cross_merge(expand(selective_scan(collapse(cross_scan(x)), ...))) as one
/// kernel. Rooted at the scan with a higher benefit than the plain scan
/// lowering, so the chain is taken before the scan alone.
struct CrossScanScanMergeToGPU : OpRewritePattern<SelectiveScanOp> {
  CrossScanScanMergeToGPU(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/10) {}

  LogicalResult matchAndRewrite(SelectiveScanOp scan,
                                PatternRewriter &rewriter) const override {
    if (scan->getParentOfType<gpu::LaunchOp>())
      return failure();
    if (scan.getReturnLastState() || scan.getReverse() || scan.getZ())
      return rewriter.notifyMatchFailure(scan, "last state, reverse or z");
    auto collapse = scan.getU().getDefiningOp<tensor::CollapseShapeOp>();
    if (!collapse)
      return rewriter.notifyMatchFailure(scan, "u is not a collapse_shape");
    auto crossScan = collapse.getSrc().getDefiningOp<CrossScanOp>();
    if (!crossScan)
      return rewriter.notifyMatchFailure(scan, "u is not cross-scanned");
    if (!scan.getOut().hasOneUse())
      return rewriter.notifyMatchFailure(scan, "ys has other uses");
    auto expand = dyn_cast<tensor::ExpandShapeOp>(*scan.getOut().user_begin());
    if (!expand || !expand.getResult().hasOneUse())
      return rewriter.notifyMatchFailure(scan, "ys is not expanded once");
    auto merge = dyn_cast<CrossMergeOp>(*expand.getResult().user_begin());
    if (!merge)
      return rewriter.notifyMatchFailure(scan, "no cross_merge");
    if (merge.getDirections() != crossScan.getDirections())
      return rewriter.notifyMatchFailure(scan, "directions differ");
    SmallVector<ReassociationIndices> kc = {{0}, {1, 2}, {3}};
    if (collapse.getReassociationIndices() != kc ||
        expand.getReassociationIndices() != kc)
      return rewriter.notifyMatchFailure(scan, "reshapes are not (K, c)");
    for (Value v : scan->getOperands())
      if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
        return rewriter.notifyMatchFailure(scan, "dynamic shape");
    auto xType = cast<RankedTensorType>(crossScan.getInput().getType());
    if (!xType.hasStaticShape())
      return rewriter.notifyMatchFailure(scan, "dynamic shape");

    SmallVector<ScanDirection> dirs;
    for (Attribute a : crossScan.getDirections())
      dirs.push_back(cast<ScanDirectionAttr>(a).getValue());
    const int64_t K = dirs.size();
    const int64_t batch = xType.getDimSize(0), C = xType.getDimSize(1),
                  H = xType.getDimSize(2), W = xType.getDimSize(3), L = H * W;
    const int64_t N =
        cast<RankedTensorType>(scan.getA().getType()).getDimSize(1);
    if (merge.getHeight() != H || merge.getWidth() != W)
      return rewriter.notifyMatchFailure(scan, "merge grid differs");
    if (K == 0 || K * kWarp > 1024 || batch == 0 || C == 0 || L == 0 ||
        N == 0)
      return rewriter.notifyMatchFailure(scan, "empty or too many directions");
    const bool hasColumn = llvm::any_of(dirs, isColumn);
    const bool hasRow = !llvm::all_of(dirs, isColumn);
    const int64_t sharedBytes = (hasColumn ? 2 : 1) * L * 4;
    if (sharedBytes > kMaxShared)
      return rewriter.notifyMatchFailure(scan, "image too large for shared y");
    const bool dynamicShared = sharedBytes > kMaxStaticShared;
    const int64_t groups = scan.getNumGroups();
    const bool grouped =
        cast<RankedTensorType>(scan.getB().getType()).getRank() == 4;
    const int64_t perGroup = K * C / groups;
    // 16-byte (4-element) loads: every row of every sequence and of x starts
    // at a multiple of 4 elements.
    const bool vec = L % kLaneSteps == 0 && (!hasRow || W % kLaneSteps == 0);
    const bool softplus = scan.getDeltaSoftplus();
    auto outType = cast<RankedTensorType>(merge.getOut().getType());

    Location loc = scan.getLoc();
    Emit host{rewriter, loc};
    Value x = host.buffer(crossScan.getInput()),
          delta = host.buffer(scan.getDelta()), A = host.buffer(scan.getA()),
          B = host.buffer(scan.getB()), Cm = host.buffer(scan.getC());
    Value D = scan.getD() ? host.buffer(scan.getD()) : Value();
    Value bias = scan.getDeltaBias() ? host.buffer(scan.getDeltaBias()) : Value();
    Value out = memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get(outType.getShape(), outType.getElementType()));

    auto shared = gpu::AddressSpaceAttr::get(rewriter.getContext(),
                                             gpu::AddressSpace::Workgroup);
    Type f32 = rewriter.getF32Type();
    auto lineType =
        MemRefType::get({L}, f32, MemRefLayoutAttrInterface(), shared);
    SmallVector<Type> lineTypes(hasColumn ? 2 : 1, lineType);
    SmallVector<Type> workgroup;
    Value dynamicBytes;
    if (dynamicShared)
      dynamicBytes = arith::ConstantOp::create(
          rewriter, loc, rewriter.getI32IntegerAttr(int32_t(sharedBytes + 16)));
    else
      workgroup = lineTypes;

    Value one = host.idx(1);
    auto launch = gpu::LaunchOp::create(
        rewriter, loc, host.idx(C), host.idx(batch), one, host.idx(K * kWarp),
        one, one, dynamicBytes, nullptr, ValueRange{}, workgroup);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&launch.getBody().front());
      Emit e{rewriter, loc};
      SmallVector<Value> lines(launch.getWorkgroupAttributions().begin(),
                               launch.getWorkgroupAttributions().end());
      if (dynamicShared) {
        Value bytes = gpu::DynamicSharedMemoryOp::create(
            rewriter, loc,
            MemRefType::get({ShapedType::kDynamic}, rewriter.getI8Type(),
                            MemRefLayoutAttrInterface(), shared));
        for (int64_t i = 0; i < int64_t(lineTypes.size()); ++i)
          lines.push_back(memref::ViewOp::create(
              rewriter, loc, lineType, bytes, e.idx(i * L * 4), ValueRange{}));
      }
      Value yS = lines[0];
      Value xT = hasColumn ? lines[1] : Value();
      Value tid = launch.getThreadIds().x;
      Value c0 = launch.getBlockIds().x, bb = launch.getBlockIds().y;
      Value cW = e.idx(W), cH = e.idx(H);
      Value lastL = e.idx(L - 1);

      // y = 0; xT[w*H + h] = x[h, w] (reads coalesced along w).
      scf::ForOp::create(
          rewriter, loc, tid, e.idx(L), e.idx(K * kWarp), ValueRange{},
          [&](OpBuilder &, Location, Value q, ValueRange) {
            memref::StoreOp::create(rewriter, loc, e.f32(0.0), yS, q);
            if (hasColumn) {
              Value h = e.divi(q, cW), w = e.remi(q, cW);
              memref::StoreOp::create(rewriter, loc, e.load(x, {bb, c0, h, w}),
                                      xT, e.addi(e.muli(w, cH), h));
            }
            scf::YieldOp::create(rewriter, loc);
          });
      gpu::BarrierOp::create(rewriter, loc);

      Value warp = e.divi(tid, e.idx(kWarp));
      Value lane = e.remi(tid, e.idx(kWarp));
      SmallVector<int64_t> cases;
      for (int64_t k = 0; k < K; ++k)
        cases.push_back(k);
      auto sw = scf::IndexSwitchOp::create(rewriter, loc, TypeRange{}, warp,
                                           cases, K);
      {
        OpBuilder::InsertionGuard g2(rewriter);
        Block *dflt = rewriter.createBlock(&sw.getDefaultRegion());
        rewriter.setInsertionPointToStart(dflt);
        scf::YieldOp::create(rewriter, loc);
      }
      for (int64_t k = 0; k < K; ++k) {
        OpBuilder::InsertionGuard g2(rewriter);
        Block *body = rewriter.createBlock(&sw.getCaseRegions()[k]);
        rewriter.setInsertionPointToStart(body);
        emitDirection(e, dirs[k], k, C, H, W, N, perGroup, grouped, vec,
                      softplus, x, xT, yS, delta, A, B, Cm, D, bias, bb, c0,
                      lane, lastL);
        scf::YieldOp::create(rewriter, loc);
      }

      gpu::BarrierOp::create(rewriter, loc);
      // The merged channel, stored once (coalesced).
      scf::ForOp::create(
          rewriter, loc, tid, e.idx(L), e.idx(K * kWarp), ValueRange{},
          [&](OpBuilder &, Location, Value q, ValueRange) {
            Value h = e.divi(q, cW), w = e.remi(q, cW);
            e.store(memref::LoadOp::create(rewriter, loc, yS, q), out,
                    {bb, c0, h, w});
            scf::YieldOp::create(rewriter, loc);
          });
      gpu::TerminatorOp::create(rewriter, loc);
    }

    Value result = bufferization::ToTensorOp::create(
        rewriter, loc, outType, out, /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOp(merge, result);
    rewriter.eraseOp(expand);
    rewriter.eraseOp(scan);
    if (collapse->use_empty())
      rewriter.eraseOp(collapse);
    if (crossScan->use_empty())
      rewriter.eraseOp(crossScan);
    return success();
  }

  /// One warp's scan of direction `dir` (the scan's channel k*C + c0).
  static void emitDirection(Emit &e, ScanDirection dir, int64_t k, int64_t C,
                            int64_t H, int64_t W, int64_t N, int64_t perGroup,
                            bool grouped, bool vec, bool softplus, Value x,
                            Value xT, Value yS, Value delta, Value A, Value B,
                            Value Cm, Value D, Value bias, Value bb, Value c0,
                            Value lane, Value lastL) {
    OpBuilder &b = e.b;
    Location loc = e.loc;
    const int64_t L = H * W;
    const bool column = isColumn(dir), reversed = isReversed(dir);
    Value d = e.addi(e.idx(k * C), c0);
    // Group of channel d: uniform per block when groups divide (k, c) runs;
    // computed per block otherwise.
    Value g = grouped ? e.divi(d, e.idx(perGroup)) : Value();
    SmallVector<Value> a2;
    for (int64_t n = 0; n < N; ++n)
      a2.push_back(e.mul(e.load(A, {d, e.idx(n)}), e.f32(kLog2E)));
    Value dSkip = D ? e.load(D, {d}) : Value();
    Value dBias = bias ? e.load(bias, {d}) : Value();
    Value laneFirst = e.muli(lane, e.idx(kLaneSteps));
    Value cL4 = e.idx(L - kLaneSteps);

    // One segment of 128 steps from s0; `masked` for the last, partial one.
    auto segment = [&](Value s0, ValueRange carry, bool masked) {
      Value p0 = e.addi(s0, laneFirst);
      SmallVector<Value> valid;
      if (masked)
        for (int64_t i = 0; i < kLaneSteps; ++i)
          valid.push_back(e.ult(e.addi(p0, e.idx(i)), e.idx(L)));
      // Vector loads: lanes past the end re-read the last 4 steps (L % 4 ==
      // 0, so a lane is entirely in or out).
      Value pv = masked && vec ? e.mini(p0, cL4) : p0;
      auto seq = [&](Value m, SmallVector<Value> at) {
        at.push_back(pv);
        return e.loadRun(m, at, vec, lastL);
      };
      SmallVector<Value> dts = seq(delta, {bb, d});
      // u in scan order: the token at sequence position p.
      SmallVector<Value> us;
      if (vec) {
        // Reversed maps read the mirrored run and reverse it.
        Value at = reversed ? e.subi(cL4, pv) : pv;
        SmallVector<Value> run;
        if (column) {
          run = e.loadRun(xT, {at}, true, lastL);
        } else {
          Value h = e.divi(at, e.idx(W)), w = e.remi(at, e.idx(W));
          run = e.loadRun(x, {bb, c0, h, w}, true, lastL);
        }
        if (reversed)
          std::reverse(run.begin(), run.end());
        us = run;
      } else {
        for (int64_t i = 0; i < kLaneSteps; ++i) {
          Value p = e.mini(e.addi(p0, e.idx(i)), lastL);
          Value t = reversed ? e.subi(lastL, p) : p;
          if (column) {
            us.push_back(memref::LoadOp::create(b, loc, xT, t));
          } else {
            Value h = e.divi(t, e.idx(W)), w = e.remi(t, e.idx(W));
            us.push_back(e.load(x, {bb, c0, h, w}));
          }
        }
      }
      SmallVector<SmallVector<Value>> bs, cs;
      for (int64_t n = 0; n < N; ++n) {
        SmallVector<Value> at =
            grouped ? SmallVector<Value>{bb, g, e.idx(n)}
                    : SmallVector<Value>{bb, e.idx(n)};
        bs.push_back(seq(B, at));
        cs.push_back(seq(Cm, at));
      }

      // Pass 1: decays and inputs of the lane's steps, folded per state.
      SmallVector<SmallVector<Value>> decay(kLaneSteps), input(kLaneSteps);
      SmallVector<Value> prod(N), state(N);
      for (int64_t i = 0; i < kLaneSteps; ++i) {
        Value dt = dts[i];
        if (dBias)
          dt = e.add(dt, dBias);
        if (softplus)
          dt = e.softplus(dt);
        Value dtu = e.mul(dt, us[i]);
        for (int64_t n = 0; n < N; ++n) {
          Value a = e.exp2(e.mul(dt, a2[n]));
          Value in = e.mul(dtu, bs[n][i]);
          if (masked) {
            a = e.select(valid[i], a, e.f32(1.0));
            in = e.select(valid[i], in, e.f32(0.0));
          }
          decay[i].push_back(a);
          input[i].push_back(in);
          if (i == 0) {
            prod[n] = a;
            state[n] = in;
          } else {
            prod[n] = e.mul(prod[n], a);
            state[n] = e.fma(a, state[n], in);
          }
        }
      }
      // Inclusive scan of (prod, state) over the lanes: a lane's aggregate
      // after the one of lanes below: (P, S) after (Pl, Sl) = (P Pl, P Sl + S).
      auto up = [&](Value v, int64_t off) {
        auto s = gpu::ShuffleOp::create(b, loc, v, int32_t(off), int32_t(kWarp),
                                        gpu::ShuffleMode::UP);
        return std::make_pair(s.getShuffleResult(), s.getValid());
      };
      for (int64_t off = 1; off < kWarp; off *= 2)
        for (int64_t n = 0; n < N; ++n) {
          auto [pl, ok] = up(prod[n], off);
          auto [sl, ok2] = up(state[n], off);
          (void)ok2;
          state[n] = e.select(ok, e.fma(prod[n], sl, state[n]), state[n]);
          prod[n] = e.select(ok, e.mul(prod[n], pl), prod[n]);
        }
      SmallVector<Value> next, h(N);
      for (int64_t n = 0; n < N; ++n) {
        // The segment's end state, for the next segment (lane 31's
        // aggregate applied to the carried state).
        auto last = [&](Value v) {
          return gpu::ShuffleOp::create(b, loc, v, int32_t(kWarp - 1),
                                        int32_t(kWarp), gpu::ShuffleMode::IDX)
              .getShuffleResult();
        };
        next.push_back(e.fma(last(prod[n]), carry[n], last(state[n])));
        // Exclusive: the aggregate of the lanes below this one.
        auto [pe, ok] = up(prod[n], 1);
        auto [se, ok2] = up(state[n], 1);
        (void)ok2;
        h[n] = e.select(ok, e.fma(pe, carry[n], se), carry[n]);
      }
      // Pass 2: the lane's steps from its start state; y into the merged
      // channel at the token's row-major position.
      for (int64_t i = 0; i < kLaneSteps; ++i) {
        Value y;
        for (int64_t n = 0; n < N; ++n) {
          h[n] = e.fma(decay[i][n], h[n], input[i][n]);
          y = n == 0 ? e.mul(cs[n][i], h[n]) : e.fma(cs[n][i], h[n], y);
        }
        if (dSkip)
          y = e.fma(dSkip, us[i], y);
        Value p = e.addi(p0, e.idx(i));
        Value t = reversed ? e.subi(lastL, p) : p;
        Value q = t;
        if (column)
          q = e.addi(e.muli(e.remi(t, e.idx(H)), e.idx(W)),
                     e.divi(t, e.idx(H)));
        auto add = [&] {
          memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addf, y,
                                      yS, ValueRange{q});
        };
        if (masked) {
          scf::IfOp::create(b, loc, valid[i], [&](OpBuilder &, Location) {
            add();
            scf::YieldOp::create(b, loc);
          });
        } else {
          add();
        }
      }
      return next;
    };

    SmallVector<Value> carry(N, e.f32(0.0));
    const int64_t full = L / kSegment;
    if (full > 0) {
      auto loop = scf::ForOp::create(
          b, loc, e.idx(0), e.idx(full * kSegment), e.idx(kSegment), carry,
          [&](OpBuilder &, Location, Value s0, ValueRange c) {
            scf::YieldOp::create(b, loc, segment(s0, c, /*masked=*/false));
          });
      carry.assign(loop.getResults().begin(), loop.getResults().end());
    }
    if (L % kSegment != 0)
      (void)segment(e.idx(full * kSegment), carry, /*masked=*/true);
  }
};

} // namespace

void mlir::ssm::populateCrossScanFusionToGPUPatterns(
    RewritePatternSet &patterns) {
  patterns.add<CrossScanScanMergeToGPU>(patterns.getContext());
}
