//===- SelectiveScanGrad.cpp - ssm.selective_scan_grad to GPU kernels -===//
//
// The selective-scan backward (docs/semantics.md §2.2) as three gpu.launch
// ops:
//
//  1. zero: dA, dD, ddelta_bias and the f32 dB / dC accumulators (the main
//     kernel adds into them with atomics);
//  2. the scan: grid (ceil(d / CB), b), CB * P threads per block. Thread
//     (row r = tid / P, lane p = tid % P) owns channel d0 + r of batch b and
//     its states p*S .. p*S+S-1 (S = n / P), in registers. Two passes over l
//     in tiles of T steps, each tile staged through shared memory by
//     coalesced loads of the whole block (a warp reads consecutive steps of
//     one channel) with the per-element prologue done once per element by
//     the loading thread: delta + bias, softplus, delta * u, and (backward)
//     g * silu(z), zeroed past the end of the sequence:
//     - forward, tiles 0 .. : the states at each tile's start are written to
//       a checkpoint workspace (one f32 per state and tile; only tile starts,
//       never every step); with z, y = sum_n C h + D u is summed across the
//       P lanes and dz = dout * y * sigma(z) * (1 + z * (1 - sigma(z))) is
//       written;
//     - backward, tiles last .. first: the tile's states are recomputed from
//       its checkpoint into registers (h_t and exp(delta_t A) for each of
//       the T steps), then the adjoint state lambda runs backwards over the
//       tile:  lambda_t = g^_t C_t + exp(delta_{t+1} A) lambda_{t+1}.
//       Per step and state: w = lambda * (h_t - delta u B) (= lambda Abar
//       h_{t-1}), dA += delta w; the lane partials of sum_n lambda B and
//       sum_n A w are kept per step and summed across the P lanes of the
//       channel at the tile's end by a butterfly reduce-scatter (each lane
//       ends with the full sums of T / P steps), giving
//         du = delta * sum lambda B + D g^,
//         ddelta = (u * sum lambda B + sum A w) * sigmoid(delta~) (softplus);
//       the per-(step, state) contributions lambda * delta u (dB) and
//       g^ * h_t (dC) go to a shared scratch [2][T][CB * n]; after a barrier
//       the block sums each (step, state) over its CB channels and adds the
//       sum to dB / dC with one f32 atomic per block (blocks of other
//       channels of the same group add to the same elements, so the order
//       of the summation, and the last bits, vary from run to run). dA, dD
//       and ddelta_bias are summed in registers over the block's steps and
//       added with one atomic per thread at the end.
//  3. for 16-bit B / C: the f32 dB / dC accumulators converted to B's / C's
//     element type (f32 B / C are accumulated in the outputs directly, no
//     extra pass).
//
// All arithmetic is f32; exp is exp2 (afn) of delta * (A log2 e).
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/SSMToGPU/EmitUtils.h"
#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <functional>

using namespace mlir;
using namespace mlir::ssm;

namespace {

using ssm::detail::kLog2E;
/// The static shared memory a block may use without opting in.
constexpr int64_t kMaxStaticShared = 48 * 1024;
/// Padding (floats) between the steps of the dB / dC scratch: consecutive
/// steps start 16 banks apart.
constexpr int64_t kScratchPad = 16;

/// The GPU kernels' helpers plus the backward kernels' own.
struct GradEmitter : ssm::detail::GPUEmitter {
  using GPUEmitter::GPUEmitter;

  /// 1 / (1 + exp(-x)).
  Value sigmoid(Value x) {
    return div(f32(1.0), add(f32(1.0), exp2(mul(x, f32(-kLog2E)))));
  }
  void atomicAdd(Value v, Value memref, ValueRange indices) {
    memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addf, v, memref,
                                indices);
  }
  /// `body` under `cond`.
  Value alloc(ArrayRef<int64_t> shape, Type elem) {
    return memref::AllocOp::create(b, loc, MemRefType::get(shape, elem));
  }
  /// Row-major indices of the linear position `linear` in `shape`.
  SmallVector<Value> delinearize(Value linear, ArrayRef<int64_t> shape) {
    SmallVector<Value> indices(shape.size());
    for (int64_t i = int64_t(shape.size()) - 1; i >= 0; --i) {
      indices[i] = i == 0 ? linear : remi(linear, idx(shape[i]));
      if (i > 0)
        linear = divi(linear, idx(shape[i]));
    }
    return indices;
  }
};

/// A gpu.launch of `threads`-thread blocks over `elements` positions (one
/// per thread); `body` gets the linear position and the in-range flag.
void launchElementwise(OpBuilder &b, Location loc, int64_t elements,
                       function_ref<void(GradEmitter &, Value, Value)> body) {
  constexpr int64_t threads = 256;
  GradEmitter host{b, loc};
  Value one = host.idx(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, host.idx((elements + threads - 1) / threads), one, one,
      host.idx(threads), one, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  GradEmitter e{b, loc};
  Value linear = e.addi(e.muli(launch.getBlockIds().x, e.idx(threads)),
                        launch.getThreadIds().x);
  body(e, linear, e.ult(linear, e.idx(elements)));
  gpu::TerminatorOp::create(b, loc);
}

struct SelectiveScanGradToGPU : OpRewritePattern<SelectiveScanGradOp> {
  SelectiveScanGradToGPU(MLIRContext *context,
                         const ScanGradKernelOptions &options)
      : OpRewritePattern(context), options(options) {}

  LogicalResult matchAndRewrite(SelectiveScanGradOp op,
                                PatternRewriter &rewriter) const override {
    for (Value v : op->getOperands())
      if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic shape");
    if (op->getParentOfType<gpu::LaunchOp>())
      return failure();
    auto uType = cast<RankedTensorType>(op.getU().getType());
    auto aType = cast<RankedTensorType>(op.getA().getType());
    auto bType = cast<RankedTensorType>(op.getB().getType());
    const int64_t batch = uType.getDimSize(0), channels = uType.getDimSize(1),
                  length = uType.getDimSize(2), states = aType.getDimSize(1);
    const bool grouped = bType.getRank() == 4;
    const int64_t groups = grouped ? bType.getDimSize(1) : 1;
    const int64_t perGroup = channels / groups;
    if (batch == 0 || channels == 0 || length == 0 || states == 0)
      return rewriter.notifyMatchFailure(op, "empty");

    // Lanes per channel: a power of two <= 32 dividing n; S states each.
    int64_t lanes = 1;
    while (lanes * 2 <= std::min<int64_t>(32, options.lanesPerChannel) &&
           states % (lanes * 2) == 0)
      lanes *= 2;
    const int64_t laneStates = states / lanes;
    const bool vecStates = laneStates % 4 == 0;
    // Steps per tile: a power of two, at least `lanes` (the reduce-scatter
    // splits the tile's steps over the lanes), the recomputed states and
    // decays (2 S T registers) within 128 registers.
    int64_t t = 1;
    while (t * 2 <= std::max<int64_t>(1, options.tileSteps))
      t *= 2;
    while (t > lanes && 2 * laneStates * t > 128)
      t /= 2;
    t = std::max(t, lanes);
    // Channels per block: divides a group's channels when B / C are grouped
    // (one group per block), at most 1024 threads.
    int64_t cb = options.channelsPerBlock > 0
                     ? options.channelsPerBlock
                     : std::max<int64_t>(1, 128 / lanes);
    cb = std::min({cb, 1024 / lanes, channels});
    if (grouped)
      while (cb > 1 && perGroup % cb != 0)
        --cb;
    const bool hasZ = static_cast<bool>(op.getZ());
    const bool softplus = op.getDeltaSoftplus();
    const bool reverse = op.getReverse();
    const int64_t bcStride = vecStates ? states + 4 : states + 1;
    const int64_t seqTiles = 6 + (softplus ? 1 : 0) + (hasZ ? 1 : 0);
    auto sharedBytes = [&](int64_t c, int64_t steps) {
      return 4 * (seqTiles * c * (steps + 1) + 2 * steps * bcStride +
                  2 * steps * (c * states + kScratchPad));
    };
    const int64_t maxShared =
        std::max<int64_t>(kMaxStaticShared, options.maxSharedMemory);
    while (sharedBytes(cb, t) > maxShared && t > lanes && t > 1)
      t /= 2;
    while (sharedBytes(cb, t) > maxShared && cb > 1) {
      --cb;
      if (grouped)
        while (cb > 1 && perGroup % cb != 0)
          --cb;
    }
    if (sharedBytes(cb, t) > maxShared)
      return rewriter.notifyMatchFailure(op, "too many states for the tiles");
    const int64_t threads = cb * lanes;
    // Lanes per summed dB / dC element: a power of two <= 32 dividing the
    // block (groups of lanes never straddle a warp).
    int64_t reduceLanes = 1;
    while (reduceLanes * 2 <= std::min<int64_t>(32, options.reduceLanes) &&
           threads % (reduceLanes * 2) == 0)
      reduceLanes *= 2;
    const int64_t blocksX = (channels + cb - 1) / cb;
    const bool guardRows = channels % cb != 0;
    const int64_t tiles = (length + t - 1) / t;
    // Tiles the forward pass runs: every one with z (dz needs y), else all
    // but the last (its final state is never used).
    const int64_t forwardTiles = hasZ ? tiles : tiles - 1;
    const int64_t perLane = t / lanes;

    Location loc = op.getLoc();
    GradEmitter host{rewriter, loc};
    Type f32 = rewriter.getF32Type();
    Value dout = host.buffer(op.getDout()), u = host.buffer(op.getU()),
          delta = host.buffer(op.getDelta()), A = host.buffer(op.getA()),
          B = host.buffer(op.getB()), C = host.buffer(op.getC());
    Value D = op.getD() ? host.buffer(op.getD()) : Value();
    Value z = hasZ ? host.buffer(op.getZ()) : Value();
    Value bias = op.getDeltaBias() ? host.buffer(op.getDeltaBias()) : Value();

    auto resultAlloc = [&](Value operand) {
      auto type = cast<RankedTensorType>(operand.getType());
      return host.alloc(type.getShape(), type.getElementType());
    };
    Value du = resultAlloc(op.getU()), ddelta = resultAlloc(op.getDelta()),
          dA = resultAlloc(op.getA()), dB = resultAlloc(op.getB()),
          dC = resultAlloc(op.getC());
    Value dD = D ? resultAlloc(op.getD()) : Value();
    Value dz = hasZ ? resultAlloc(op.getZ()) : Value();
    Value dBias = bias ? resultAlloc(op.getDeltaBias()) : Value();
    // dB / dC are summed with f32 atomics: into the outputs when they are
    // f32, else into f32 accumulators converted at the end.
    auto f32Accumulator = [&](Value out) {
      auto type = cast<MemRefType>(out.getType());
      return type.getElementType().isF32() ? out
                                           : host.alloc(type.getShape(), f32);
    };
    Value dBAcc = f32Accumulator(dB), dCAcc = f32Accumulator(dC);
    // Checkpoints: the states at the start of tiles 1 .. tiles-1,
    // [b][block][tile - 1][state][thread].
    Value checkpoints =
        tiles > 1
            ? host.alloc({batch, blocksX, tiles - 1, laneStates, threads}, f32)
            : Value();

    // 1. Zero the accumulators.
    {
      SmallVector<Value> zeroed = {dA, dBAcc, dCAcc};
      if (dD)
        zeroed.push_back(dD);
      if (dBias)
        zeroed.push_back(dBias);
      int64_t most = 0;
      for (Value m : zeroed)
        most = std::max(most, cast<MemRefType>(m.getType()).getNumElements());
      launchElementwise(
          rewriter, loc, most, [&](GradEmitter &e, Value linear, Value) {
            for (Value m : zeroed) {
              auto type = cast<MemRefType>(m.getType());
              e.ifThen(e.ult(linear, e.idx(type.getNumElements())), [&] {
                e.store(e.f32(0.0), m, e.delinearize(linear, type.getShape()));
              });
            }
          });
    }

    // 2. The scan kernel.
    auto shared = gpu::AddressSpaceAttr::get(rewriter.getContext(),
                                             gpu::AddressSpace::Workgroup);
    auto sharedType = [&](ArrayRef<int64_t> shape) {
      return MemRefType::get(shape, f32, MemRefLayoutAttrInterface(), shared);
    };
    // All tiles are views of dynamic shared memory (16-byte aligned), the
    // ones read or written by 16-byte vectors first: B, C [t][n+pad], the
    // dB / dC scratch, then the per-channel tiles.
    SmallVector<Type> tileTypes;
    tileTypes.push_back(sharedType({t, bcStride}));
    tileTypes.push_back(sharedType({t, bcStride}));
    tileTypes.push_back(sharedType({2, t, cb * states + kScratchPad}));
    for (int64_t i = 0; i < seqTiles; ++i)
      tileTypes.push_back(sharedType({cb, t + 1}));
    // 16 bytes of slack (see GPUEmitter::dynamicSharedViews).
    Value dynamicBytes = arith::ConstantOp::create(
        rewriter, loc,
        rewriter.getI32IntegerAttr(int32_t(sharedBytes(cb, t) + 16)));
    Value one = host.idx(1);
    auto launch =
        gpu::LaunchOp::create(rewriter, loc, host.idx(blocksX), host.idx(batch),
                              one, host.idx(threads), one, one, dynamicBytes);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&launch.getBody().front());
      GradEmitter e{rewriter, loc};
      SmallVector<Value> mem = e.dynamicSharedViews(tileTypes);
      // B, C, the scratch; per-channel tiles [cb][t+1]: u, delta' (after
      // bias and softplus), delta' u, g^ (forward pass: dout), two output
      // tiles, delta~ (before softplus), z.
      Value sB = mem[0], sC = mem[1], sScratch = mem[2];
      Value sU = mem[3], sDt = mem[4], sDtu = mem[5], sG = mem[6],
            sOut1 = mem[7], sOut2 = mem[8];
      int64_t next = 9;
      Value sRaw = softplus ? mem[next++] : Value();
      Value sZ = hasZ ? mem[next++] : Value();

      Value tid = launch.getThreadIds().x;
      Value blk = launch.getBlockIds().x;
      Value bb = launch.getBlockIds().y;
      Value d0 = e.muli(blk, e.idx(cb));
      Value lastChannel = e.idx(channels - 1);
      auto clampRow = [&](Value d) {
        return guardRows ? e.mini(d, lastChannel) : d;
      };
      Value row = lanes > 1 ? e.divi(tid, e.idx(lanes)) : tid;
      Value lane = lanes > 1 ? e.remi(tid, e.idx(lanes)) : e.idx(0);
      Value firstState = e.muli(lane, e.idx(laneStates));
      Value channel = e.addi(d0, row);
      Value myChannel = clampRow(channel);
      Value rowValid = e.ult(channel, e.idx(channels));
      // Rows of this block that hold real channels.
      Value validRows = guardRows
                            ? e.mini(e.idx(cb), e.subi(e.idx(channels), d0))
                            : e.idx(cb);
      Value g = grouped ? e.divi(d0, e.idx(perGroup)) : Value();
      Value c0 = e.idx(0);

      SmallVector<Value> stateIdx, a, a2;
      for (int64_t s = 0; s < laneStates; ++s) {
        stateIdx.push_back(e.addi(firstState, e.idx(s)));
        a.push_back(e.load(A, {myChannel, stateIdx.back()}));
        a2.push_back(e.mul(a.back(), e.f32(kLog2E)));
      }
      Value dSkip = D ? e.load(D, {myChannel}) : Value();
      Value lastStep = e.idx(length - 1);
      auto timeOf = [&](Value step) {
        return reverse ? e.subi(lastStep, step) : step;
      };
      auto bcAt = [&](Value n, Value time) {
        return grouped ? SmallVector<Value>{bb, g, n, time}
                       : SmallVector<Value>{bb, n, time};
      };

      // Stages the tile starting at step s0 with its prologue. Indices past
      // the end are clamped (re-reading the last step); g^ is zeroed there,
      // so the adjoint state stays 0 over the padding. The global loads are
      // emitted here; the prologue and the shared stores of each element
      // right after its loads, or, with `defer`, by the returned function
      // (the prefetch: loads issued before a tile's steps, stored after).
      auto loadTile = [&](Value s0, bool backward,
                          bool defer) -> std::function<void()> {
        SmallVector<std::function<void()>> stores;
        auto emit = [&](std::function<void()> store) {
          if (defer)
            stores.push_back(std::move(store));
          else
            store();
        };
        // Past the tile, the last element again (same value, same slot).
        e.forEachTileElementClamped(
            tid, threads, cb, t, [&](Value r, Value col) {
              Value dRow = clampRow(e.addi(d0, r));
              Value step = e.addi(s0, col);
              Value valid = e.ult(step, e.idx(length));
              Value at[] = {bb, dRow, timeOf(e.mini(step, lastStep))};
              Value uv = e.load(u, at);
              Value dtLoaded = e.load(delta, at);
              Value biasv = bias ? e.load(bias, {dRow}) : Value();
              Value gLoaded = (backward || hasZ) ? e.load(dout, at) : Value();
              Value zv = hasZ ? e.load(z, at) : Value();
              emit([=, &e, &rewriter] {
                Value dt = biasv ? e.add(dtLoaded, biasv) : dtLoaded;
                Value dtRaw = dt;
                if (softplus)
                  dt = e.softplus(dt);
                Value gv = gLoaded;
                if (backward) {
                  if (hasZ)
                    gv = e.mul(gv, e.mul(zv, e.sigmoid(zv)));
                  gv = e.select(valid, gv, e.f32(0.0));
                }
                auto put = [&](Value v, Value tile) {
                  memref::StoreOp::create(rewriter, loc, v, tile,
                                          ValueRange{r, col});
                };
                if (backward || (hasZ && D))
                  put(uv, sU);
                put(dt, sDt);
                put(e.mul(dt, uv), sDtu);
                if (backward || hasZ)
                  put(gv, sG);
                if (softplus && backward)
                  put(dtRaw, sRaw);
                if (hasZ && !backward)
                  put(zv, sZ);
              });
            });
        e.forEachTileElementClamped(
            tid, threads, states, t, [&](Value n, Value col) {
              Value time = timeOf(e.mini(e.addi(s0, col), lastStep));
              Value bv = e.load(B, bcAt(n, time));
              Value cv =
                  (backward || hasZ) ? e.load(C, bcAt(n, time)) : Value();
              emit([=, &rewriter] {
                memref::StoreOp::create(rewriter, loc, bv, sB,
                                        ValueRange{col, n});
                if (cv)
                  memref::StoreOp::create(rewriter, loc, cv, sC,
                                          ValueRange{col, n});
              });
            });
        return [stores = std::move(stores)] {
          for (const std::function<void()> &store : stores)
            store();
        };
      };
      auto fillTile = [&](Value s0, bool backward) {
        loadTile(s0, backward, /*defer=*/false);
      };
      const bool prefetch = options.prefetch;
      // This thread's S values of a [t][n+pad] tile at step j.
      auto loadStates = [&](Value tile, Value j) {
        SmallVector<Value> out;
        if (vecStates) {
          auto v4 = VectorType::get({4}, f32);
          for (int64_t s = 0; s < laneStates; s += 4) {
            Value q = vector::LoadOp::create(
                rewriter, loc, v4, tile, ValueRange{j, stateIdx[s]},
                /*nontemporal=*/false, llvm::MaybeAlign(16));
            for (int64_t i = 0; i < 4; ++i)
              out.push_back(vector::ExtractOp::create(rewriter, loc, q, i));
          }
        } else {
          for (int64_t s = 0; s < laneStates; ++s)
            out.push_back(e.load(tile, {j, stateIdx[s]}));
        }
        return out;
      };
      // Butterfly reduce-scatter over the channel's lanes: `values` (t per
      // lane, step-indexed) become the full sums of steps lane * t/P ..
      // lane * t/P + t/P - 1, in order.
      auto reduceScatter = [&](SmallVector<Value> values) {
        for (int64_t mask = lanes / 2; mask >= 1; mask /= 2) {
          Value upper = arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::ne,
              arith::AndIOp::create(rewriter, loc, lane, e.idx(mask)), c0);
          const size_t half = values.size() / 2;
          SmallVector<Value> kept;
          for (size_t i = 0; i < half; ++i) {
            Value lo = values[i], hi = values[half + i];
            Value keep = e.select(upper, hi, lo),
                  send = e.select(upper, lo, hi);
            Value recv =
                gpu::ShuffleOp::create(rewriter, loc, send, int32_t(mask), 32,
                                       gpu::ShuffleMode::XOR)
                    .getShuffleResult();
            kept.push_back(e.add(keep, recv));
          }
          values = kept;
        }
        return values;
      };
      // Coalesced, guarded store of a [cb][t+1] tile to out[b, d0.., s0..].
      auto storeTile = [&](Value tile, Value out, Value s0) {
        e.forEachTileElementGuarded(
            tid, threads, cb, t, s0, d0, length, guardRows ? channels : 0,
            [&](Value r, Value col, Value dRow, Value step) {
              e.store(memref::LoadOp::create(rewriter, loc, tile,
                                             ValueRange{r, col}),
                      out, {bb, dRow, timeOf(step)});
            });
      };

      // ---- Forward pass: checkpoints (and dz).
      SmallVector<Value> zeros(laneStates, e.f32(0.0));
      if (forwardTiles > 0) {
        // With prefetch, tile 0 is staged here and each iteration loads the
        // next tile's inputs before its steps and stores them after its last
        // barrier (the last iteration's next tile is clamped past the end:
        // loaded, stored, never read).
        if (prefetch)
          fillTile(c0, /*backward=*/false);
        scf::ForOp::create(
            rewriter, loc, c0, e.idx(forwardTiles), one, zeros,
            [&](OpBuilder &, Location, Value tile, ValueRange carried) {
              Value s0 = e.muli(tile, e.idx(t));
              if (!prefetch)
                fillTile(s0, /*backward=*/false);
              gpu::BarrierOp::create(rewriter, loc);
              std::function<void()> storeNext;
              if (prefetch)
                storeNext = loadTile(e.addi(s0, e.idx(t)), /*backward=*/false,
                                     /*defer=*/true);
              SmallVector<Value> h(carried.begin(), carried.end());
              SmallVector<Value> yPartial;
              for (int64_t j = 0; j < t; ++j) {
                Value jj = e.idx(j);
                Value dt = memref::LoadOp::create(rewriter, loc, sDt,
                                                  ValueRange{row, jj});
                Value dtu = memref::LoadOp::create(rewriter, loc, sDtu,
                                                   ValueRange{row, jj});
                SmallVector<Value> bv = loadStates(sB, jj);
                SmallVector<Value> cv;
                if (hasZ)
                  cv = loadStates(sC, jj);
                Value y;
                for (int64_t s = 0; s < laneStates; ++s) {
                  Value decay = e.exp2(e.mul(dt, a2[s]));
                  h[s] = e.fma(decay, h[s], e.mul(dtu, bv[s]));
                  if (hasZ)
                    y = y ? e.fma(cv[s], h[s], y) : e.mul(cv[s], h[s]);
                }
                if (hasZ)
                  yPartial.push_back(y);
              }
              // Checkpoint: the states at the start of tile + 1.
              if (checkpoints)
                e.ifThen(e.ult(tile, e.idx(tiles - 1)), [&] {
                  for (int64_t s = 0; s < laneStates; ++s)
                    memref::StoreOp::create(
                        rewriter, loc, h[s], checkpoints,
                        ValueRange{bb, blk, tile, e.idx(s), tid});
                });
              if (hasZ) {
                SmallVector<Value> ySum = reduceScatter(yPartial);
                for (int64_t i = 0; i < perLane; ++i) {
                  Value j = e.addi(e.muli(lane, e.idx(perLane)), e.idx(i));
                  Value y = ySum[i];
                  Value uv = memref::LoadOp::create(rewriter, loc, sU,
                                                    ValueRange{row, j});
                  if (dSkip)
                    y = e.fma(dSkip, uv, y);
                  Value gv = memref::LoadOp::create(rewriter, loc, sG,
                                                    ValueRange{row, j});
                  Value zv = memref::LoadOp::create(rewriter, loc, sZ,
                                                    ValueRange{row, j});
                  Value sig = e.sigmoid(zv);
                  Value dzv =
                      e.mul(e.mul(e.mul(gv, y), sig),
                            e.fma(zv, e.sub(e.f32(1.0), sig), e.f32(1.0)));
                  memref::StoreOp::create(rewriter, loc, dzv, sOut1,
                                          ValueRange{row, j});
                }
                gpu::BarrierOp::create(rewriter, loc);
                storeTile(sOut1, dz, s0);
              }
              gpu::BarrierOp::create(rewriter, loc);
              if (storeNext)
                storeNext();
              scf::YieldOp::create(rewriter, loc, h);
            });
      }

      // ---- Backward pass, tiles last .. first.
      SmallVector<Value> init;
      for (int64_t s = 0; s < laneStates; ++s)
        init.push_back(e.f32(0.0)); // lambda
      for (int64_t s = 0; s < laneStates; ++s)
        init.push_back(e.f32(1.0)); // decay of the step after
      for (int64_t s = 0; s < laneStates; ++s)
        init.push_back(e.f32(0.0)); // dA
      init.push_back(e.f32(0.0));   // dD
      init.push_back(e.f32(0.0));   // ddelta_bias
      // The states before tile `tileIdx`: 0 for the first, else its
      // checkpoint.
      auto startStates = [&](Value tileIdx) {
        SmallVector<Value> h(laneStates, e.f32(0.0));
        if (tiles > 1) {
          Value first = arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::eq, tileIdx, c0);
          Value slot =
              e.subi(arith::MaxUIOp::create(rewriter, loc, tileIdx, one), one);
          for (int64_t s = 0; s < laneStates; ++s)
            h[s] = e.select(first, e.f32(0.0),
                            memref::LoadOp::create(
                                rewriter, loc, checkpoints,
                                ValueRange{bb, blk, slot, e.idx(s), tid}));
        }
        return h;
      };
      // With prefetch, the last tile and its start states are loaded here;
      // each iteration loads the previous tile's inputs and start states
      // (carried) before its work and stores the inputs after its last
      // barrier (tile 0's "previous" is tile 0 again: loaded, not used).
      if (prefetch) {
        // The forward pass's last (deferred) stores and these may write a
        // slot from different threads (clamped elements): a barrier first.
        if (forwardTiles > 0)
          gpu::BarrierOp::create(rewriter, loc);
        Value lastTile = e.idx(tiles - 1);
        fillTile(e.muli(lastTile, e.idx(t)), /*backward=*/true);
        init.append(startStates(lastTile));
      }
      auto backwardLoop = scf::ForOp::create(
          rewriter, loc, c0, e.idx(tiles), one, init,
          [&](OpBuilder &, Location, Value iter, ValueRange carried) {
            Value tile = e.subi(e.idx(tiles - 1), iter);
            Value s0 = e.muli(tile, e.idx(t));
            SmallVector<Value> lambda(carried.begin(),
                                      carried.begin() + laneStates);
            SmallVector<Value> decayNext(carried.begin() + laneStates,
                                         carried.begin() + 2 * laneStates);
            SmallVector<Value> dAAcc(carried.begin() + 2 * laneStates,
                                     carried.begin() + 3 * laneStates);
            Value dDAcc = carried[3 * laneStates];
            Value dBiasAcc = carried[3 * laneStates + 1];
            SmallVector<Value> h;
            if (prefetch) {
              h.assign(carried.begin() + 3 * laneStates + 2, carried.end());
            } else {
              fillTile(s0, /*backward=*/true);
              h = startStates(tile);
            }
            gpu::BarrierOp::create(rewriter, loc);
            std::function<void()> storePrev;
            SmallVector<Value> hPrev;
            if (prefetch) {
              Value prevTile =
                  e.subi(arith::MaxUIOp::create(rewriter, loc, tile, one), one);
              storePrev = loadTile(e.muli(prevTile, e.idx(t)),
                                   /*backward=*/true, /*defer=*/true);
              hPrev = startStates(prevTile);
            }
            // Recompute the tile's states and decays.
            SmallVector<SmallVector<Value>> hs(t), decays(t);
            // delta' and delta' u of step j, loaded again in the backward
            // sweep (LLVM reuses the loads above unless recomputeDecays puts
            // a barrier in between).
            auto dtAt = [&](Value jj) {
              return memref::LoadOp::create(rewriter, loc, sDt,
                                            ValueRange{row, jj})
                  .getResult();
            };
            auto dtuAt = [&](Value jj) {
              return memref::LoadOp::create(rewriter, loc, sDtu,
                                            ValueRange{row, jj})
                  .getResult();
            };
            for (int64_t j = 0; j < t; ++j) {
              Value jj = e.idx(j);
              Value dt = dtAt(jj), dtu = dtuAt(jj);
              SmallVector<Value> bv = loadStates(sB, jj);
              for (int64_t s = 0; s < laneStates; ++s) {
                Value decay = e.exp2(e.mul(dt, a2[s]));
                h[s] = e.fma(decay, h[s], e.mul(dtu, bv[s]));
                if (!options.recomputeDecays)
                  decays[j].push_back(decay);
              }
              hs[j] = h;
            }
            // With recomputeDecays, a barrier: without one LLVM reuses the
            // loads of delta' / delta' u above (nothing writes those tiles
            // in between) and with them the decays, so both would stay live
            // across the sweep as before. After it they are loaded again and
            // exp2 is evaluated again: T * S + 2 T fewer live registers for
            // S more exp2 per step (ptxas: see docs/perf/h100.md).
            if (options.recomputeDecays)
              gpu::BarrierOp::create(rewriter, loc);
            // The adjoint state backwards over the tile.
            SmallVector<Value> sumLB(t), sumAW(t);
            for (int64_t j = t - 1; j >= 0; --j) {
              Value jj = e.idx(j);
              Value gv = memref::LoadOp::create(rewriter, loc, sG,
                                                ValueRange{row, jj});
              Value dt = dtAt(jj), dtu = dtuAt(jj);
              SmallVector<Value> bv = loadStates(sB, jj);
              SmallVector<Value> cv = loadStates(sC, jj);
              SmallVector<Value> contribB, contribC;
              Value lb, aw;
              for (int64_t s = 0; s < laneStates; ++s) {
                lambda[s] = e.fma(decayNext[s], lambda[s], e.mul(gv, cv[s]));
                Value prev = e.sub(hs[j][s], e.mul(dtu, bv[s]));
                Value w = e.mul(lambda[s], prev);
                dAAcc[s] = e.fma(dt, w, dAAcc[s]);
                lb = lb ? e.fma(lambda[s], bv[s], lb) : e.mul(lambda[s], bv[s]);
                aw = aw ? e.fma(a[s], w, aw) : e.mul(a[s], w);
                contribB.push_back(e.mul(lambda[s], dtu));
                contribC.push_back(e.mul(gv, hs[j][s]));
                // exp(delta_j A) for the step before; recomputed from
                // delta_j (already loaded) with recomputeDecays, which
                // keeps T * S fewer registers live across the sweep.
                decayNext[s] = options.recomputeDecays
                                   ? e.exp2(e.mul(dt, a2[s]))
                                   : decays[j][s];
              }
              sumLB[j] = lb;
              sumAW[j] = aw;
              Value base = e.addi(e.muli(row, e.idx(states)), firstState);
              auto putStates = [&](int64_t q, ArrayRef<Value> values) {
                if (vecStates) {
                  auto v4 = VectorType::get({4}, f32);
                  for (int64_t s = 0; s < laneStates; s += 4) {
                    Value vec = vector::FromElementsOp::create(
                        rewriter, loc, v4, values.slice(s, 4));
                    vector::StoreOp::create(
                        rewriter, loc, vec, sScratch,
                        ValueRange{e.idx(q), jj, e.addi(base, e.idx(s))},
                        /*nontemporal=*/false, llvm::MaybeAlign(16));
                  }
                } else {
                  for (int64_t s = 0; s < laneStates; ++s)
                    memref::StoreOp::create(
                        rewriter, loc, values[s], sScratch,
                        ValueRange{e.idx(q), jj, e.addi(base, e.idx(s))});
                }
              };
              putStates(0, contribB);
              putStates(1, contribC);
            }
            // du, ddelta of this lane's steps.
            SmallVector<Value> lbSum = reduceScatter(sumLB);
            SmallVector<Value> awSum = reduceScatter(sumAW);
            for (int64_t i = 0; i < perLane; ++i) {
              Value j = e.addi(e.muli(lane, e.idx(perLane)), e.idx(i));
              auto at = [&](Value tileMem) {
                return memref::LoadOp::create(rewriter, loc, tileMem,
                                              ValueRange{row, j})
                    .getResult();
              };
              Value gv = at(sG), uv = at(sU), dt = at(sDt);
              Value duv = e.mul(dt, lbSum[i]);
              if (dSkip)
                duv = e.fma(dSkip, gv, duv);
              Value ddt = e.fma(uv, lbSum[i], awSum[i]);
              if (softplus) {
                // sigmoid(delta~) (1 past the threshold 20, where softplus
                // is the identity; sigmoid(20) rounds to 1 in f32 anyway).
                Value raw = at(sRaw);
                ddt = e.mul(ddt, e.sigmoid(raw));
              }
              dDAcc = e.fma(gv, uv, dDAcc);
              dBiasAcc = e.add(dBiasAcc, ddt);
              memref::StoreOp::create(rewriter, loc, duv, sOut1,
                                      ValueRange{row, j});
              memref::StoreOp::create(rewriter, loc, ddt, sOut2,
                                      ValueRange{row, j});
            }
            gpu::BarrierOp::create(rewriter, loc);
            // dB / dC: each (q, step, state group) summed over the block's
            // channels, one atomic per element. With reduceLanes R > 1, R
            // adjacent lanes share an element (rows part, part + R, ..., 4
            // loads in flight per iteration) and combine their sums by
            // butterfly shuffles.
            const int64_t width = vecStates ? 4 : 1;
            const int64_t items = 2 * t * (states / width);
            const int64_t units = items * reduceLanes;
            const bool unrollRows =
                reduceLanes > 1 && !guardRows && cb % (4 * reduceLanes) == 0;
            for (int64_t k = 0; k * threads < units; ++k) {
              Value unit = e.addi(tid, e.idx(k * threads));
              Value inRange = e.ult(unit, e.idx(units));
              Value safe = e.mini(unit, e.idx(units - 1));
              Value part = c0;
              Value item = safe;
              if (reduceLanes > 1) {
                part = e.remi(safe, e.idx(reduceLanes));
                item = e.divi(safe, e.idx(reduceLanes));
              }
              Value nv = e.remi(item, e.idx(states / width));
              Value rest = e.divi(item, e.idx(states / width));
              Value j = e.remi(rest, e.idx(t));
              Value q = e.divi(rest, e.idx(t));
              Value n0 = e.muli(nv, e.idx(width));
              SmallVector<Value> zero(width, e.f32(0.0));
              // The `width` values of row r.
              auto rowValues = [&](Value r) {
                Value at = e.addi(e.muli(r, e.idx(states)), n0);
                SmallVector<Value> values;
                if (width == 4) {
                  Value v = vector::LoadOp::create(
                      rewriter, loc, VectorType::get({4}, f32), sScratch,
                      ValueRange{q, j, at}, /*nontemporal=*/false,
                      llvm::MaybeAlign(16));
                  for (int64_t i = 0; i < 4; ++i)
                    values.push_back(
                        vector::ExtractOp::create(rewriter, loc, v, i));
                } else {
                  values.push_back(memref::LoadOp::create(
                      rewriter, loc, sScratch, ValueRange{q, j, at}));
                }
                return values;
              };
              const int64_t rowsPerIter = unrollRows ? 4 : 1;
              auto sum = scf::ForOp::create(
                  rewriter, loc, part, validRows,
                  e.idx(reduceLanes * rowsPerIter), zero,
                  [&](OpBuilder &, Location, Value r, ValueRange acc) {
                    SmallVector<SmallVector<Value>> loaded;
                    for (int64_t u = 0; u < rowsPerIter; ++u)
                      loaded.push_back(
                          rowValues(u ? e.addi(r, e.idx(u * reduceLanes)) : r));
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < width; ++i) {
                      Value v = loaded[0][i];
                      if (rowsPerIter == 4)
                        v = e.add(e.add(loaded[0][i], loaded[1][i]),
                                  e.add(loaded[2][i], loaded[3][i]));
                      next.push_back(e.add(acc[i], v));
                    }
                    scf::YieldOp::create(rewriter, loc, next);
                  });
              SmallVector<Value> total(sum.getResults());
              for (int64_t mask = 1; mask < reduceLanes; mask *= 2)
                for (Value &v : total)
                  v = e.add(v, gpu::ShuffleOp::create(rewriter, loc, v,
                                                      int32_t(mask), 32,
                                                      gpu::ShuffleMode::XOR)
                                   .getShuffleResult());
              Value step = e.addi(s0, j);
              Value valid = e.andi(inRange, e.ult(step, e.idx(length)));
              if (reduceLanes > 1)
                valid = e.andi(valid, arith::CmpIOp::create(
                                          rewriter, loc,
                                          arith::CmpIPredicate::eq, part, c0));
              e.ifThen(valid, [&] {
                Value time = timeOf(step);
                Value isB = arith::CmpIOp::create(
                    rewriter, loc, arith::CmpIPredicate::eq, q, c0);
                scf::IfOp::create(
                    rewriter, loc, isB,
                    [&](OpBuilder &, Location) {
                      for (int64_t i = 0; i < width; ++i)
                        e.atomicAdd(total[i], dBAcc,
                                    bcAt(e.addi(n0, e.idx(i)), time));
                      scf::YieldOp::create(rewriter, loc);
                    },
                    [&](OpBuilder &, Location) {
                      for (int64_t i = 0; i < width; ++i)
                        e.atomicAdd(total[i], dCAcc,
                                    bcAt(e.addi(n0, e.idx(i)), time));
                      scf::YieldOp::create(rewriter, loc);
                    });
              });
            }
            storeTile(sOut1, du, s0);
            storeTile(sOut2, ddelta, s0);
            // The next tile's fill overwrites every tile.
            gpu::BarrierOp::create(rewriter, loc);
            if (storePrev)
              storePrev();
            SmallVector<Value> yielded(lambda);
            yielded.append(decayNext);
            yielded.append(dAAcc);
            yielded.push_back(dDAcc);
            yielded.push_back(dBiasAcc);
            yielded.append(hPrev);
            scf::YieldOp::create(rewriter, loc, yielded);
          });
      // dA, dD, ddelta_bias: one atomic per thread.
      e.ifThen(rowValid, [&] {
        for (int64_t s = 0; s < laneStates; ++s)
          e.atomicAdd(backwardLoop.getResult(2 * laneStates + s), dA,
                      {channel, stateIdx[s]});
        if (dD)
          e.atomicAdd(backwardLoop.getResult(3 * laneStates), dD, {channel});
        if (dBias)
          e.atomicAdd(backwardLoop.getResult(3 * laneStates + 1), dBias,
                      {channel});
      });
      gpu::TerminatorOp::create(rewriter, loc);
    }

    // 3. 16-bit dB / dC from their f32 accumulators.
    SmallVector<std::pair<Value, Value>> converted;
    if (dBAcc != dB)
      converted.push_back({dBAcc, dB});
    if (dCAcc != dC)
      converted.push_back({dCAcc, dC});
    if (!converted.empty()) {
      auto type = cast<MemRefType>(dB.getType());
      launchElementwise(rewriter, loc, type.getNumElements(),
                        [&](GradEmitter &e, Value linear, Value inRange) {
                          e.ifThen(inRange, [&] {
                            SmallVector<Value> at =
                                e.delinearize(linear, type.getShape());
                            for (auto [from, to] : converted)
                              e.store(e.load(from, at), to, at);
                          });
                        });
    }

    auto asTensor = [&](Value buffer, Value operand) {
      return bufferization::ToTensorOp::create(rewriter, loc, operand.getType(),
                                               buffer, /*restrict=*/true,
                                               /*writable=*/true)
          .getResult();
    };
    SmallVector<Value> results = {
        asTensor(du, op.getU()), asTensor(ddelta, op.getDelta()),
        asTensor(dA, op.getA()), asTensor(dB, op.getB()),
        asTensor(dC, op.getC())};
    if (dD)
      results.push_back(asTensor(dD, op.getD()));
    if (dz)
      results.push_back(asTensor(dz, op.getZ()));
    if (dBias)
      results.push_back(asTensor(dBias, op.getDeltaBias()));
    rewriter.replaceOp(op, results);
    return success();
  }

  ScanGradKernelOptions options;
};

} // namespace

void mlir::ssm::populateSelectiveScanGradToGPUPatterns(
    RewritePatternSet &patterns, const ScanGradKernelOptions &options) {
  patterns.add<SelectiveScanGradToGPU>(patterns.getContext(), options);
}
