//===- CrossScanFusion.cpp - VMamba's SS2D core as one GPU kernel --------===//
//
// Recognizes the chain VMamba's builder emits for the SS2D core
// (docs/semantics.md §5.3 and §2.4, lib/Models/VMamba.cpp):
//
//   %xs = ssm.cross_scan %x [dirs]                      (b, K, c, L)
//   %u  = tensor.collapse_shape %xs [[0], [1, 2], [3]]  (b, K*c, L)
//   %ys = ssm.selective_scan %u, %delta, %A, %B, %C ... (b, K*c, L)
//   %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]]    (b, K, c, L)
//   %y  = ssm.cross_merge %y4 [dirs] height h width w   (b, c, h, w)
//
// and emits one gpu.launch: no xs tensor, no ys tensor. Grid (c, b), one
// block per (batch, image channel), one warp per direction k (channel k*c + c0
// of the scan). One shared line of f32 holds, per kind of direction, the
// channel's y summed over the row directions (row-major positions) and over
// the column directions (column-major positions), and the channel's image in
// column-major order xT (staged once, read coalesced). Each warp scans its
// direction's L steps in segments of 32 lanes x S steps (S = cross-scan-steps,
// 4 or 8), S consecutive steps per lane:
//   pass 1: per lane, the steps' decays exp(dt A) and inputs dt B u, folded
//           into an aggregate (prod of decays, state from zero) per state;
//   a warp-wide inclusive scan of the aggregates (shuffles up), shifted by
//   one lane, applied to the state carried in from the previous segment;
//   pass 2: per lane, its steps from its start state, y = C h + D u;
//   then, after a barrier, the warps add their y into their kind's part with
//   16-byte read-modify-writes at the steps' positions in that part's order
//   (contiguous: no bank conflicts); warps of one kind take turns (phases
//   separated by barriers: row and col first, then row_rev and col_rev), so
//   no atomics are needed.
// u is read through the direction's index map: row / row_rev from x in
// global memory (16-byte loads, reversed for row_rev), col / col_rev from xT.
// delta / B / C are read in their own (sequence) order with 16-byte loads;
// with N <= 4 the next segment's loads are issued before the current one is
// scanned. After the last segment a barrier, then y = row part + column part
// is stored once, coalesced. softplus, delta_bias and D are fused;
// arithmetic is f32 (16-bit inputs widened on load); exp is exp2 (afn) of a
// pre-scaled argument. Grids whose L or W is not a multiple of 4 use scalar
// loads with clamped indices.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/SSMToGPU/EmitUtils.h"
#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::ssm;

namespace {

using ssm::detail::kLog2E;
constexpr int64_t kMaxStaticShared = 48 * 1024;
/// sm_90's opt-in limit of shared memory per block.
constexpr int64_t kMaxShared = 227 * 1024;
/// Elements per vector access (16 bytes of f32).
constexpr int64_t kRun = 4;
constexpr int64_t kWarp = 32;

/// The shared kernel helpers (GPUEmitter) plus the kernel's 4-element runs.
struct Emit : ssm::detail::GPUEmitter {
  using GPUEmitter::GPUEmitter;

  /// `count` consecutive elements (along the last dimension) from `at`, as
  /// f32 scalars; one vector load when `vector`, else scalar loads at
  /// min(at + i, last).
  SmallVector<Value> loadRun(Value memref, SmallVector<Value> at, bool vector,
                             Value last) {
    SmallVector<Value> out;
    auto type = cast<MemRefType>(memref.getType());
    if (vector) {
      int64_t bytes = kRun * type.getElementTypeBitWidth() / 8;
      Value v = widen(vector::LoadOp::create(
          b, loc, VectorType::get({kRun}, type.getElementType()), memref, at,
          /*nontemporal=*/false, llvm::MaybeAlign(bytes)));
      for (int64_t i = 0; i < kRun; ++i)
        out.push_back(vector::ExtractOp::create(b, loc, v, i));
      return out;
    }
    Value first = at.back();
    for (int64_t i = 0; i < kRun; ++i) {
      at.back() = mini(addi(first, idx(i)), last);
      out.push_back(load(memref, at));
    }
    return out;
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
  CrossScanScanMergeToGPU(MLIRContext *context, int64_t stepsPerLane)
      : OpRewritePattern(context, /*benefit=*/10), stepsPerLane(stepsPerLane) {}
  int64_t stepsPerLane;

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
    if (K == 0 || K * kWarp > 1024 || batch == 0 || C == 0 || L == 0 || N == 0)
      return rewriter.notifyMatchFailure(scan, "empty or too many directions");
    const bool hasColumn = llvm::any_of(dirs, isColumn);
    const bool hasRow = !llvm::all_of(dirs, isColumn);
    // One shared line of f32: [yRow | yCol | xT], each Lp (a multiple of 4
    // elements, so every part starts 16-byte aligned).
    const int64_t Lp = (L + kRun - 1) / kRun * kRun;
    const int64_t rowOff = 0, colOff = hasRow ? Lp : 0, xtOff = colOff + Lp;
    const int64_t parts = (hasRow ? 1 : 0) + (hasColumn ? 2 : 0);
    const int64_t sharedBytes = parts * Lp * 4;
    if (sharedBytes > kMaxShared)
      return rewriter.notifyMatchFailure(scan, "image too large for shared y");
    const bool dynamicShared = sharedBytes > kMaxStaticShared;
    // Warps of one kind (row or column) add into the same part: the n-th
    // warp of a kind does so in phase n (barriers between phases).
    SmallVector<int64_t> phase;
    int64_t rowsSeen = 0, colsSeen = 0;
    for (ScanDirection dir : dirs)
      phase.push_back(isColumn(dir) ? colsSeen++ : rowsSeen++);
    const int64_t phases = std::max(rowsSeen, colsSeen);
    const int64_t groups = scan.getNumGroups();
    const bool grouped =
        cast<RankedTensorType>(scan.getB().getType()).getRank() == 4;
    // 16-byte (4-element) loads: every row of every sequence and of x starts
    // at a multiple of 4 elements.
    const bool vec = L % kRun == 0 && (!hasRow || W % kRun == 0);
    // Steps per lane: a multiple of 4; with more than 2 states 4 (registers:
    // a lane keeps its steps' decays and inputs per state).
    int64_t steps = std::clamp<int64_t>(stepsPerLane / kRun * kRun, kRun, 16);
    if (N > 2)
      steps = kRun;
    // With at most one forward and one reversed warp per kind, the two warps
    // of a kind touch the same positions of their part in one segment only
    // (the middle one, where the forward run [sG, sG+G) meets the reversed
    // run [L-sG-G, L-sG)): every other segment needs no turns.
    const int64_t G = steps * kWarp;
    bool opposed = true;
    for (bool kind : {false, true}) {
      int64_t forward = 0, backward = 0;
      for (ScanDirection dir : dirs)
        if (isColumn(dir) == kind)
          ++(isReversed(dir) ? backward : forward);
      opposed &= forward <= 1 && backward <= 1;
    }
    int64_t midSegment = -1;
    if (opposed) {
      int64_t s = (L - 1) / (2 * G);
      if (L - 2 * G < 2 * s * G)
        midSegment = s;
    }
    Kernel k{dirs,
             phase,
             phases,
             steps,
             C,
             H,
             W,
             L,
             N,
             K * C / groups,
             grouped,
             vec,
             scan.getDeltaSoftplus(),
             hasRow,
             hasColumn,
             rowOff,
             colOff,
             xtOff,
             opposed,
             midSegment};
    auto outType = cast<RankedTensorType>(merge.getOut().getType());

    Location loc = scan.getLoc();
    Emit host{rewriter, loc};
    k.x = host.buffer(crossScan.getInput());
    k.delta = host.buffer(scan.getDelta());
    k.A = host.buffer(scan.getA());
    k.B = host.buffer(scan.getB());
    k.Cm = host.buffer(scan.getC());
    k.D = scan.getD() ? host.buffer(scan.getD()) : Value();
    k.bias = scan.getDeltaBias() ? host.buffer(scan.getDeltaBias()) : Value();
    k.out = memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get(outType.getShape(), outType.getElementType()));

    auto shared = gpu::AddressSpaceAttr::get(rewriter.getContext(),
                                             gpu::AddressSpace::Workgroup);
    auto lineType = MemRefType::get({parts * Lp}, rewriter.getF32Type(),
                                    MemRefLayoutAttrInterface(), shared);
    SmallVector<Type> workgroup;
    Value dynamicBytes;
    if (dynamicShared)
      // 16 bytes of slack, as for the scan kernel's dynamic tiles.
      dynamicBytes = arith::ConstantOp::create(
          rewriter, loc, rewriter.getI32IntegerAttr(int32_t(sharedBytes + 16)));
    else
      workgroup.push_back(lineType);

    Value one = host.idx(1);
    auto launch = gpu::LaunchOp::create(
        rewriter, loc, host.idx(C), host.idx(batch), one, host.idx(K * kWarp),
        one, one, dynamicBytes, nullptr, ValueRange{}, workgroup);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&launch.getBody().front());
      Emit e{rewriter, loc};
      if (dynamicShared) {
        Value bytes = gpu::DynamicSharedMemoryOp::create(
            rewriter, loc,
            MemRefType::get({ShapedType::kDynamic}, rewriter.getI8Type(),
                            MemRefLayoutAttrInterface(), shared));
        k.line = memref::ViewOp::create(rewriter, loc, lineType, bytes,
                                        e.idx(0), ValueRange{});
      } else {
        k.line = launch.getWorkgroupAttributions()[0];
      }
      k.emitBody(e, launch.getThreadIds().x, launch.getBlockIds().x,
                 launch.getBlockIds().y, K * kWarp);
      gpu::TerminatorOp::create(rewriter, loc);
    }

    Value result = bufferization::ToTensorOp::create(
        rewriter, loc, outType, k.out, /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOp(merge, result);
    rewriter.eraseOp(expand);
    rewriter.eraseOp(scan);
    if (collapse->use_empty())
      rewriter.eraseOp(collapse);
    if (crossScan->use_empty())
      rewriter.eraseOp(crossScan);
    return success();
  }

  /// The kernel's body, for one block = (channel c0, batch bb), warp k =
  /// direction k.
  struct Kernel {
    SmallVector<ScanDirection> dirs;
    SmallVector<int64_t> phase;
    /// Steps per lane (a multiple of kRun); a segment is 32 lanes' steps.
    int64_t phases, steps, C, H, W, L, N, perGroup;
    bool grouped, vec, softplus, hasRow, hasColumn;
    int64_t rowOff, colOff, xtOff;
    /// Turns are needed only in segment midSegment (-1: none) when opposed.
    bool opposed;
    int64_t midSegment;
    Value x, delta, A, B, Cm, D, bias, out, line;

    // Per-warp values (uniform within a warp).
    Value column, reversed, myPhase, base, d, g, dSkip, dBias, lane, bb, c0;
    SmallVector<Value> a2;

    /// A warp-uniform index chosen by the warp's direction.
    Value pick(Emit &e, Value warp, llvm::function_ref<int64_t(int64_t)> f) {
      const int64_t K = dirs.size();
      Value v = e.idx(f(K - 1));
      for (int64_t k = K - 2; k >= 0; --k)
        v = e.select(arith::CmpIOp::create(e.b, e.loc, arith::CmpIPredicate::eq,
                                           warp, e.idx(k)),
                     e.idx(f(k)), v);
      return v;
    }
    Value flag(Emit &e, Value warp, llvm::function_ref<bool(ScanDirection)> f) {
      bool all = llvm::all_of(dirs, f), none = llvm::none_of(dirs, f);
      if (all || none)
        return arith::ConstantOp::create(e.b, e.loc, e.b.getBoolAttr(all));
      Value v = pick(e, warp, [&](int64_t k) { return f(dirs[k]) ? 1 : 0; });
      return arith::CmpIOp::create(e.b, e.loc, arith::CmpIPredicate::ne, v,
                                   e.idx(0));
    }
    /// Lane steps p0 .. p0+3 of a segment: delta, u (in scan order), B, C.
    struct Loads {
      SmallVector<Value> dts, us;
      SmallVector<SmallVector<Value>> bs, cs;
      SmallVector<Value> flat() const {
        SmallVector<Value> v(dts);
        v.append(us.begin(), us.end());
        for (auto &r : bs)
          v.append(r.begin(), r.end());
        for (auto &r : cs)
          v.append(r.begin(), r.end());
        return v;
      }
      static Loads unflat(ValueRange v, int64_t N, int64_t S) {
        Loads l;
        auto take = [&](int64_t at) {
          return SmallVector<Value>(v.begin() + at, v.begin() + at + S);
        };
        l.dts = take(0);
        l.us = take(S);
        for (int64_t n = 0; n < N; ++n)
          l.bs.push_back(take((2 + n) * S));
        for (int64_t n = 0; n < N; ++n)
          l.cs.push_back(take((2 + N + n) * S));
        return l;
      }
    };

    /// `select(reversed, run[3 - i], run[i])`.
    SmallVector<Value> orient(Emit &e, ArrayRef<Value> run) {
      SmallVector<Value> out;
      for (int64_t i = 0; i < kRun; ++i)
        out.push_back(e.select(reversed, run[kRun - 1 - i], run[i]));
      return out;
    }

    /// The u run at sequence positions `at` .. `at`+3 of the warp's own
    /// order (row-major from x, or column-major from xT), vector or scalar.
    SmallVector<Value> uRun(Emit &e, Value at, bool isColumn) {
      if (isColumn)
        return e.loadRun(line, {e.addi(e.idx(xtOff), at)}, vec,
                         e.idx(xtOff + L - 1));
      if (vec) {
        Value h = e.divi(at, e.idx(W)), w = e.remi(at, e.idx(W));
        return e.loadRun(x, {bb, c0, h, w}, true, Value());
      }
      SmallVector<Value> out;
      for (int64_t i = 0; i < kRun; ++i) {
        Value t = e.mini(e.addi(at, e.idx(i)), e.idx(L - 1));
        out.push_back(
            e.load(x, {bb, c0, e.divi(t, e.idx(W)), e.remi(t, e.idx(W))}));
      }
      return out;
    }

    Loads fetch(Emit &e, Value s0) {
      OpBuilder &b = e.b;
      Location loc = e.loc;
      Loads l;
      Value p0 = e.addi(s0, e.muli(lane, e.idx(steps)));
      Value lastL = e.idx(L - 1);
      const int64_t runs = steps / kRun;
      // Run r: steps p0 + 4r .. p0 + 4r + 3; lanes past the end read
      // clamped positions (masked later).
      SmallVector<Value> pv;
      for (int64_t r = 0; r < runs; ++r) {
        Value pr = e.addi(p0, e.idx(r * kRun));
        pv.push_back(vec ? e.mini(pr, e.idx(L - kRun)) : pr);
      }
      auto seq = [&](Value m, SmallVector<Value> at) {
        SmallVector<Value> out;
        at.push_back(Value());
        for (int64_t r = 0; r < runs; ++r) {
          at.back() = pv[r];
          SmallVector<Value> run = e.loadRun(m, at, vec, lastL);
          out.append(run.begin(), run.end());
        }
        return out;
      };
      l.dts = seq(delta, {bb, d});
      for (int64_t n = 0; n < N; ++n) {
        SmallVector<Value> at = grouped ? SmallVector<Value>{bb, g, e.idx(n)}
                                        : SmallVector<Value>{bb, e.idx(n)};
        l.bs.push_back(seq(B, at));
        l.cs.push_back(seq(Cm, at));
      }
      // u of every step, in scan order: from the transposed image (column
      // warps) or from x (row warps), one warp-uniform branch.
      auto uAll = [&](bool isColumn) {
        SmallVector<Value> us;
        if (vec) {
          // The run of the warp's own order at the mirrored position when
          // reversed, turned around.
          for (int64_t r = 0; r < runs; ++r) {
            Value at =
                e.select(reversed, e.subi(e.idx(L - kRun), pv[r]), pv[r]);
            SmallVector<Value> run = orient(e, uRun(e, at, isColumn));
            us.append(run.begin(), run.end());
          }
          return us;
        }
        for (int64_t i = 0; i < steps; ++i) {
          Value p = e.mini(e.addi(p0, e.idx(i)), lastL);
          Value t = e.select(reversed, e.subi(lastL, p), p);
          if (isColumn)
            us.push_back(memref::LoadOp::create(
                b, loc, line, ValueRange{e.addi(e.idx(xtOff), t)}));
          else
            us.push_back(
                e.load(x, {bb, c0, e.divi(t, e.idx(W)), e.remi(t, e.idx(W))}));
        }
        return us;
      };
      if (hasRow && hasColumn) {
        SmallVector<Type> types(steps, b.getF32Type());
        auto branch = scf::IfOp::create(b, loc, types, column, true);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(&branch.getThenRegion().front());
          scf::YieldOp::create(b, loc, uAll(true));
          b.setInsertionPointToStart(&branch.getElseRegion().front());
          scf::YieldOp::create(b, loc, uAll(false));
        }
        l.us.assign(branch.getResults().begin(), branch.getResults().end());
      } else {
        l.us = uAll(hasColumn);
      }
      return l;
    }

    /// One segment (32 lanes x `steps`) from s0: the lane's y values (scan
    /// order) and the states after the segment.
    std::pair<SmallVector<Value>, SmallVector<Value>>
    compute(Emit &e, Value s0, const Loads &l, ValueRange carry, bool masked) {
      OpBuilder &b = e.b;
      Location loc = e.loc;
      Value p0 = e.addi(s0, e.muli(lane, e.idx(steps)));
      SmallVector<Value> valid;
      if (masked)
        for (int64_t i = 0; i < steps; ++i)
          valid.push_back(e.ult(e.addi(p0, e.idx(i)), e.idx(L)));
      // Pass 1: decays and inputs of the lane's steps, folded per state.
      SmallVector<SmallVector<Value>> decay(steps), input(steps);
      SmallVector<Value> prod(N), state(N);
      for (int64_t i = 0; i < steps; ++i) {
        Value dt = l.dts[i];
        if (dBias)
          dt = e.add(dt, dBias);
        if (softplus)
          dt = e.softplus(dt);
        Value dtu = e.mul(dt, l.us[i]);
        for (int64_t n = 0; n < N; ++n) {
          Value a = e.exp2(e.mul(dt, a2[n]));
          Value in = e.mul(dtu, l.bs[n][i]);
          if (masked) {
            a = e.select(valid[i], a, e.f32(1.0));
            in = e.select(valid[i], in, e.f32(0.0));
          }
          decay[i].push_back(a);
          input[i].push_back(in);
          prod[n] = i == 0 ? a : e.mul(prod[n], a);
          state[n] = i == 0 ? in : e.fma(a, state[n], in);
        }
      }
      // Inclusive scan of (prod, state) over the lanes: a lane's aggregate
      // after the lower lanes' one: (P, S) after (Pl, Sl) = (P Pl, P Sl + S).
      auto up = [&](Value v, int64_t off) {
        auto s = gpu::ShuffleOp::create(b, loc, v, int32_t(off), int32_t(kWarp),
                                        gpu::ShuffleMode::UP);
        return std::make_pair(s.getShuffleResult(), s.getValid());
      };
      auto last = [&](Value v) {
        return gpu::ShuffleOp::create(b, loc, v, int32_t(kWarp - 1),
                                      int32_t(kWarp), gpu::ShuffleMode::IDX)
            .getShuffleResult();
      };
      for (int64_t off = 1; off < kWarp; off *= 2)
        for (int64_t n = 0; n < N; ++n) {
          auto [pl, ok] = up(prod[n], off);
          Value sl = up(state[n], off).first;
          state[n] = e.select(ok, e.fma(prod[n], sl, state[n]), state[n]);
          prod[n] = e.select(ok, e.mul(prod[n], pl), prod[n]);
        }
      SmallVector<Value> next, h(N);
      for (int64_t n = 0; n < N; ++n) {
        // After the segment: lane 31's aggregate applied to the carry.
        next.push_back(e.fma(last(prod[n]), carry[n], last(state[n])));
        // Before the lane: the aggregate of the lanes below it.
        auto [pe, ok] = up(prod[n], 1);
        Value se = up(state[n], 1).first;
        h[n] = e.select(ok, e.fma(pe, carry[n], se), carry[n]);
      }
      // Pass 2: the lane's steps from its start state.
      SmallVector<Value> ys;
      for (int64_t i = 0; i < steps; ++i) {
        Value y;
        for (int64_t n = 0; n < N; ++n) {
          h[n] = e.fma(decay[i][n], h[n], input[i][n]);
          y = n == 0 ? e.mul(l.cs[n][i], h[n]) : e.fma(l.cs[n][i], h[n], y);
        }
        if (dSkip)
          y = e.fma(dSkip, l.us[i], y);
        ys.push_back(y);
      }
      return {ys, next};
    }

    /// Adds the lane's y values into the warp's part (row-major or
    /// column-major, at the token's position in that order).
    void accumulate(Emit &e, Value s0, ArrayRef<Value> ys, bool masked) {
      OpBuilder &b = e.b;
      Location loc = e.loc;
      Value p0 = e.addi(s0, e.muli(lane, e.idx(steps)));
      auto guarded = [&](Value cond, llvm::function_ref<void()> body) {
        if (!cond) {
          body();
          return;
        }
        scf::IfOp::create(b, loc, cond, [&](OpBuilder &, Location) {
          body();
          scf::YieldOp::create(b, loc);
        });
      };
      if (vec) {
        // L % 4 == 0: a run's 4 steps are all in or all out.
        for (int64_t r = 0; r < steps / kRun; ++r) {
          Value pr = e.addi(p0, e.idx(r * kRun));
          guarded(masked ? e.ult(pr, e.idx(L)) : Value(), [&] {
            Value at = e.addi(
                base, e.select(reversed, e.subi(e.idx(L - kRun), pr), pr));
            auto v4 = VectorType::get({kRun}, b.getF32Type());
            Value old = vector::LoadOp::create(b, loc, v4, line, ValueRange{at},
                                               false, llvm::MaybeAlign(16));
            SmallVector<Value> add = orient(e, ys.slice(r * kRun, kRun));
            Value sum = old;
            for (int64_t i = 0; i < kRun; ++i)
              sum = vector::InsertOp::create(
                  b, loc,
                  e.add(vector::ExtractOp::create(b, loc, old, i), add[i]), sum,
                  i);
            vector::StoreOp::create(b, loc, sum, line, ValueRange{at}, false,
                                    llvm::MaybeAlign(16));
          });
        }
        return;
      }
      Value lastL = e.idx(L - 1);
      for (int64_t i = 0; i < steps; ++i) {
        Value p = e.addi(p0, e.idx(i));
        guarded(masked ? e.ult(p, e.idx(L)) : Value(), [&] {
          Value at = e.addi(base, e.select(reversed, e.subi(lastL, p), p));
          Value old = memref::LoadOp::create(b, loc, line, ValueRange{at});
          memref::StoreOp::create(b, loc, e.add(old, ys[i]), line,
                                  ValueRange{at});
        });
      }
    }

    /// The warps' adds of one segment: after a barrier (the previous
    /// segment's adds are done), in turns (phases, barriers between) where
    /// warps of one kind may touch the same positions.
    void accumulatePhases(Emit &e, Value s0, ArrayRef<Value> ys, bool masked) {
      OpBuilder &b = e.b;
      Location loc = e.loc;
      auto turns = [&] {
        for (int64_t ph = 0; ph < phases; ++ph) {
          if (ph > 0)
            gpu::BarrierOp::create(b, loc);
          Value mine = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             myPhase, e.idx(ph));
          scf::IfOp::create(b, loc, mine, [&](OpBuilder &, Location) {
            accumulate(e, s0, ys, masked);
            scf::YieldOp::create(b, loc);
          });
        }
      };
      gpu::BarrierOp::create(b, loc);
      if (!opposed || phases == 1) {
        turns();
        return;
      }
      if (midSegment < 0) {
        accumulate(e, s0, ys, masked);
        return;
      }
      // A block-uniform branch: the middle segment takes turns.
      Value middle = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, s0,
                                           e.idx(midSegment * steps * kWarp));
      scf::IfOp::create(
          b, loc, middle,
          [&](OpBuilder &, Location) {
            turns();
            scf::YieldOp::create(b, loc);
          },
          [&](OpBuilder &, Location) {
            accumulate(e, s0, ys, masked);
            scf::YieldOp::create(b, loc);
          });
    }

    void emitBody(Emit &e, Value tid, Value channel, Value batchId,
                  int64_t threads) {
      OpBuilder &b = e.b;
      Location loc = e.loc;
      c0 = channel;
      bb = batchId;
      Value cW = e.idx(W), cH = e.idx(H);
      // Zero the y parts; xT[w*H + h] = x[h, w] (reads coalesced along w).
      scf::ForOp::create(
          b, loc, tid, e.idx(L), e.idx(threads), ValueRange{},
          [&](OpBuilder &, Location, Value q, ValueRange) {
            if (hasRow)
              memref::StoreOp::create(b, loc, e.f32(0.0), line,
                                      ValueRange{e.addi(q, e.idx(rowOff))});
            if (hasColumn) {
              memref::StoreOp::create(b, loc, e.f32(0.0), line,
                                      ValueRange{e.addi(q, e.idx(colOff))});
              Value h = e.divi(q, cW), w = e.remi(q, cW);
              memref::StoreOp::create(
                  b, loc, e.load(x, {bb, c0, h, w}), line,
                  ValueRange{e.addi(e.addi(e.muli(w, cH), h), e.idx(xtOff))});
            }
            scf::YieldOp::create(b, loc);
          });
      gpu::BarrierOp::create(b, loc);

      Value warp = e.divi(tid, e.idx(kWarp));
      lane = e.remi(tid, e.idx(kWarp));
      column = flag(e, warp, isColumn);
      reversed = flag(e, warp, isReversed);
      myPhase = pick(e, warp, [&](int64_t k) { return phase[k]; });
      base = e.select(column, e.idx(colOff), e.idx(rowOff));
      d = e.addi(e.muli(warp, e.idx(C)), c0);
      g = grouped ? e.divi(d, e.idx(perGroup)) : Value();
      for (int64_t n = 0; n < N; ++n)
        a2.push_back(e.mul(e.load(A, {d, e.idx(n)}), e.f32(kLog2E)));
      dSkip = D ? e.load(D, {d}) : Value();
      dBias = bias ? e.load(bias, {d}) : Value();

      // Segments of 128 steps; with few states the next segment's loads are
      // issued before this one is scanned (carried through the loop).
      const bool prefetch = N <= 4;
      SmallVector<Value> carry(N, e.f32(0.0));
      Loads cur = fetch(e, e.idx(0));
      const int64_t segment = steps * kWarp;
      const int64_t full = L / segment;
      if (full > 0) {
        SmallVector<Value> init(carry);
        if (prefetch)
          init.append(cur.flat());
        auto loop = scf::ForOp::create(
            b, loc, e.idx(0), e.idx(full * segment), e.idx(segment), init,
            [&](OpBuilder &, Location, Value s0, ValueRange iter) {
              ValueRange c = iter.take_front(N);
              Loads now = prefetch ? Loads::unflat(iter.drop_front(N), N, steps)
                                   : fetch(e, s0);
              Loads next;
              if (prefetch)
                next = fetch(e, e.addi(s0, e.idx(segment)));
              auto [ys, states] = compute(e, s0, now, c, /*masked=*/false);
              accumulatePhases(e, s0, ys, /*masked=*/false);
              SmallVector<Value> yield(states);
              if (prefetch)
                yield.append(next.flat());
              scf::YieldOp::create(b, loc, yield);
            });
        carry.assign(loop.getResults().begin(), loop.getResults().begin() + N);
        if (prefetch)
          cur = Loads::unflat(loop.getResults().drop_front(N), N, steps);
      }
      if (L % segment != 0) {
        Value s0 = e.idx(full * segment);
        if (!prefetch && full > 0)
          cur = fetch(e, s0);
        auto [ys, states] = compute(e, s0, cur, carry, /*masked=*/true);
        (void)states;
        accumulatePhases(e, s0, ys, /*masked=*/true);
      }
      gpu::BarrierOp::create(b, loc);
      // y = the row-major part + the column-major part, stored once.
      scf::ForOp::create(
          b, loc, tid, e.idx(L), e.idx(threads), ValueRange{},
          [&](OpBuilder &, Location, Value q, ValueRange) {
            Value h = e.divi(q, cW), w = e.remi(q, cW);
            Value y;
            if (hasRow)
              y = memref::LoadOp::create(b, loc, line,
                                         ValueRange{e.addi(q, e.idx(rowOff))});
            if (hasColumn) {
              Value yc = memref::LoadOp::create(
                  b, loc, line,
                  ValueRange{e.addi(e.addi(e.muli(w, cH), h), e.idx(colOff))});
              y = y ? e.add(y, yc) : yc;
            }
            e.store(y, out, {bb, c0, h, w});
            scf::YieldOp::create(b, loc);
          });
    }
  };
};

} // namespace

void mlir::ssm::populateCrossScanFusionToGPUPatterns(
    RewritePatternSet &patterns, int64_t stepsPerLane) {
  patterns.add<CrossScanScanMergeToGPU>(patterns.getContext(), stepsPerLane);
}
