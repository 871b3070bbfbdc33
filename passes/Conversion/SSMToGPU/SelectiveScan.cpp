//===- SelectiveScan.cpp - ssm.selective_scan to a GPU kernel ---------===//
//
// Forward scan (docs/semantics.md §2.1) as one gpu.launch: grid
// (ceil(d / DB), b), DB threads per block, thread = channel d0 + tid of batch
// b. Per tile of T scan steps:
//   1. the block loads u / delta / z[b, d0 .. d0+DB, t0 .. t0+T] into shared
//      tiles [DB][T+1] (element e = tid + k*DB of the tile is row e / T,
//      column e % T: a warp reads 32 consecutive time steps of one channel,
//      coalesced), and B / C[b, (g,) :, t0 .. t0+T] into [T][N+4] tiles
//      (time-major, so a step reads 4 states with one 16-byte shared load);
//      indices past the end are clamped, never branched on;
//   2. barrier; each thread runs the T steps of its channel with the N
//      states in registers (loop-carried values), writing y over its u slot;
//   3. barrier; the block stores the y tile with the same coalesced pattern
//      (guarded), then a barrier before the next tile overwrites the tiles.
// With async copies (f32 sequences), the tiles are double-buffered and filled
// by cp.async (nvgpu.device_async_copy): tile k+1 is requested before tile k
// is scanned and waited for after, so a block's loads overlap its own scan:
//   prologue: copy tile 0 into stage 0, wait;
//   per tile k: barrier; copy tile k+1 into stage (k+1)%2; scan stage k%2;
//               wait for the copies; barrier; store the y tile of stage k%2.
// With vector fills (f32 scans of one pass from vectorMinLength steps on),
// u / delta / z are read as the aligned 16-byte vectors covering each row's
// tile steps; each element is stored at its step's column, or at the padding
// column t when it lies outside the tile.
// With register prefetch (prefetch-max-states; scalar synchronous fills),
// tile k+1's global loads are issued into registers before tile k's steps
// and carried by the tile loop; tile k+1 stores them into the one shared
// stage after the barrier that ends tile k's y stores:
//   prologue: load tile 0 into registers;
//   per tile k: store the registers to shared; barrier; load tile k+1 into
//               registers; scan; barrier; store the y tile; barrier.
// Scans with few threads (long l, few channels) are split into chunks of
// whole tiles and run as three launches: pass 1 (grid z: chunk) runs each
// chunk but the last from zero state and stores its end states H and its
// sum of delta S; the combine (thread per (b, d, n)) turns H[c] into the
// state at the end of chunk c (h = 2^(A log2(e) S[c]) h + H[c]); pass 2
// runs each chunk from H[c - 1] and writes y.
// All arithmetic is f32; exp is exp2 (marked afn) of a pre-scaled argument.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/SSMToGPU/EmitUtils.h"
#include "ssm/Conversion/SSMToGPU/SSMToGPU.h"
#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ssm;

namespace {

using ssm::detail::kLog2E;
/// The static shared memory a block may use without opting in.
constexpr int64_t kMaxStaticShared = 48 * 1024;

/// The GPU kernels' helpers plus the forward kernel's own exp2 and silu.
struct Emitter : ssm::detail::GPUEmitter {
  using GPUEmitter::GPUEmitter;

  /// 2^x on the FMA pipe instead of the multi-function unit: x clamped to
  /// [-127, 127], n = round(x) by the 1.5 * 2^23 trick, 2^(x - n) by Cephes'
  /// exp2f polynomial (relative error ~2e-7, like ex2.approx), and n added to
  /// the exponent bits. The rounding adds and x - n are not `contract`.
  Value exp2Poly(Value x) {
    x = minf(maxf(x, f32(-127.0)), f32(127.0));
    Value magic = f32(12582912.0);
    Value shifted = arith::AddFOp::create(b, loc, x, magic);
    Value n = arith::SubFOp::create(b, loc, shifted, magic);
    Value f = arith::SubFOp::create(b, loc, x, n);
    Value p = f32(1.535336188319500e-4);
    for (double c : {1.339887440266574e-3, 9.618437357674640e-3,
                     5.550332471162809e-2, 2.402264791363012e-1,
                     6.931472028550421e-1})
      p = fma(p, f, f32(c));
    Value frac = fma(p, f, f32(1.0));
    Type i32 = b.getI32Type();
    Value bits = arith::BitcastOp::create(b, loc, i32, frac);
    Value scale = arith::ShLIOp::create(
        b, loc, arith::BitcastOp::create(b, loc, i32, shifted),
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(23)));
    return arith::BitcastOp::create(
        b, loc, b.getF32Type(), arith::AddIOp::create(b, loc, bits, scale));
  }
  /// x * sigmoid(x).
  Value silu(Value x) {
    return div(x, add(f32(1.0), exp2(mul(x, f32(-kLog2E)))));
  }
};

/// The kernels of one scan: the single-pass kernel, or for a scan split
/// into chunks of its steps, pass 1 (each chunk's end states from zero and
/// its sum of delta), the combine (carries across chunks) and pass 2 (each
/// chunk from its carried states, writing y).
enum class ScanKernel { Full, ChunkState, ChunkOutput };

int64_t ceilDiv(int64_t x, int64_t y) { return (x + y - 1) / y; }

struct SelectiveScanToGPU : OpRewritePattern<SelectiveScanOp> {
  SelectiveScanToGPU(MLIRContext *context, const ScanKernelOptions &options)
      : OpRewritePattern(context), options(options) {}

  LogicalResult matchAndRewrite(SelectiveScanOp op,
                                PatternRewriter &rewriter) const override {
    auto uType = cast<RankedTensorType>(op.getU().getType());
    auto aType = cast<RankedTensorType>(op.getA().getType());
    auto outType = cast<RankedTensorType>(op.getOut().getType());
    if (op.getReturnLastState())
      return rewriter.notifyMatchFailure(op, "return_last_state");
    for (Value v : op->getOperands())
      if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
        return rewriter.notifyMatchFailure(op, "dynamic shape");
    if (op->getParentOfType<gpu::LaunchOp>())
      return failure();

    const int64_t batch = uType.getDimSize(0), channels = uType.getDimSize(1),
                  length = uType.getDimSize(2), states = aType.getDimSize(1);
    const int64_t groups = op.getNumGroups();
    const bool grouped =
        cast<RankedTensorType>(op.getB().getType()).getRank() == 4;
    const int64_t perGroup = channels / groups;
    if (batch == 0 || channels == 0 || length == 0 || states == 0)
      return rewriter.notifyMatchFailure(op, "empty");
    // Threads per block: a power of two >= 32 that divides a group's
    // channels when B/C are grouped (one group per block).
    int64_t db = std::max<int64_t>(32, options.channelsPerBlock);
    while (db > 32 && perGroup % db != 0)
      db /= 2;
    if (grouped && perGroup % db != 0)
      return rewriter.notifyMatchFailure(op, "group size not a multiple of 32");
    const bool guardRows = channels % db != 0;
    const bool hasZ = static_cast<bool>(op.getZ());
    // Threads per channel: each owns states / lanes of the states; y is
    // summed across them with butterfly shuffles.
    int64_t lanes = std::max<int64_t>(1, options.lanesPerChannel);
    while (lanes > 1 && (states % lanes != 0 || db * lanes > 1024 ||
                         32 % lanes != 0))
      lanes /= 2;
    const int64_t laneStates = states / lanes;
    // Channels per thread (register blocking over d; lanes must be 1): rows
    // tid, tid + threads, ... of the block, sharing each step's B/C loads.
    int64_t cpt = lanes > 1 ? 1 : std::max<int64_t>(1, options.channelsPerThread);
    while (cpt > 1 && (db % cpt != 0 || db / cpt < 32))
      cpt /= 2;
    const int64_t threads = db * lanes / cpt;
    const bool vecStates = laneStates % 4 == 0;
    const int64_t bcStride = vecStates ? states + 4 : states + 1;
    auto isF32 = [](Value v) {
      return !v || cast<RankedTensorType>(v.getType()).getElementType().isF32();
    };
    const bool f32Sequences = isF32(op.getU()) && isF32(op.getDelta()) &&
                              isF32(op.getB()) && isF32(op.getC()) &&
                              isF32(op.getZ());
    // Chunks of the steps (a multiple of the tile each, fixed below): given,
    // or, for scans of fewer than chunkMaxThreads threads (few channels,
    // long sequences), enough for chunkTargetThreads threads with chunks of
    // at least chunkMinSteps steps. Measured on an H200 (docs/perf/h100.md,
    // run 12): chunks cost 1.4-1.7x where the channels alone give 49152 or
    // more threads (pass 1 repeats each step's decays), and are needed at
    // 6144 threads (8 x 768 channels, l = 16385).
    const int64_t launchedThreads = batch * ceilDiv(channels, db) * threads;
    int64_t chunks = options.chunks;
    if (chunks <= 0) {
      chunks = 1;
      if (launchedThreads < options.chunkMaxThreads)
        chunks = std::max<int64_t>(
            1, std::min(ceilDiv(options.chunkTargetThreads, launchedThreads),
                        length / std::max<int64_t>(1, options.chunkMinSteps)));
    }
    // Tile fills, chosen by shape (measured on an H200, runs 10 and 12):
    // f32 scans of one pass from vectorMinLength steps on: synchronous
    // fills by 16-byte vectors (0.702 ms at l = 730, against 0.735 with
    // cp.async); f32 scans from asyncMinLength steps on otherwise (chunked:
    // 1.008 ms against 1.272 with vectors): cp.async double buffering;
    // everything else scalar synchronous fills (vectors measured slower at
    // l = 197, with bf16 inputs and with n = 1). vectorLoads / asyncCopies
    // force either.
    const bool vectorsByShape = f32Sequences && chunks == 1 &&
                                options.vectorMinLength > 0 &&
                                length >= options.vectorMinLength;
    const bool wantAsync =
        options.asyncCopies ||
        (!options.vectorLoads && !vectorsByShape &&
         options.asyncMinLength > 0 && length >= options.asyncMinLength);
    // cp.async copies 4-byte elements: f32 sequences only.
    const bool async = wantAsync && f32Sequences;
    const bool vectorLoads = !async && (options.vectorLoads || vectorsByShape);
    const int64_t stages = async ? 2 : 1;
    // Register prefetch (scalar synchronous fills of scans with at most
    // prefetchMaxStates states): the next tile's global loads are issued
    // before the current tile's steps and stored to shared memory after
    // them, so a block's loads overlap its own scan. Measured on an H200
    // (run 13, with 16-step tiles): -11.5% f32 and -15.8% bf16 at
    // (128, 768, 197, 16), -5.9% at n = 1 (128, 384, 3136, 1); chunked at
    // (8, 768, 16385, 16) +5.7% alone, -3.7% with 2 polynomial decays.
    const bool prefetch = !async && !vectorLoads &&
                          options.prefetchMaxStates > 0 &&
                          states <= options.prefetchMaxStates;
    // Steps per tile: given, or by shape 16 for prefetching kernels (their
    // 32-step tiles measured no faster than the plain kernel at n = 1; at
    // n = 16 they need 238 registers), 32 otherwise.
    int64_t t = options.tileSteps > 0 ? options.tileSteps : prefetch ? 16 : 32;
    // Shared memory of one kernel's tiles: pass 1 stages neither C nor z.
    auto sharedBytes = [&](ScanKernel kind, int64_t steps) {
      int64_t seqs = (hasZ && kind != ScanKernel::ChunkState) ? 3 : 2;
      int64_t bcs = kind == ScanKernel::ChunkState ? 1 : 2;
      return stages *
             (seqs * db * (steps + 1) * 4 + bcs * steps * bcStride * 4);
    };
    // Above 48 KiB the tiles live in dynamic shared memory (the runtime opts
    // the kernel in), up to options.maxSharedMemory.
    const int64_t maxShared =
        std::max<int64_t>(kMaxStaticShared, options.maxSharedMemory);
    while (t > 1 && sharedBytes(ScanKernel::Full, t) > maxShared)
      t /= 2;
    if (sharedBytes(ScanKernel::Full, t) > maxShared)
      return rewriter.notifyMatchFailure(op, "too many states for the tiles");
    const bool reverse = op.getReverse();
    const bool softplus = op.getDeltaSoftplus();

    chunks = std::min(chunks, ceilDiv(length, t));
    const int64_t chunkSteps = ceilDiv(ceilDiv(length, chunks), t) * t;
    chunks = ceilDiv(length, chunkSteps);
    // Decays per thread evaluated by the polynomial on the FMA pipe: given,
    // or by shape 2 for chunked scans that prefetch (run 13: the chunked
    // long-L kernel issues about 38 ex2 / rcp per element; 2 of the 16
    // decays moved to the FMA pipe took it from 1.558 to 1.419 ms), else 0
    // (slower on the one-pass kernels, runs 7 and 12).
    const int64_t polyExpStates =
        options.polyExpStates >= 0 ? options.polyExpStates
        : (chunks > 1 && prefetch) ? 2
                                   : 0;

    Location loc = op.getLoc();
    Emitter host{rewriter, loc};
    Value u = host.buffer(op.getU()), delta = host.buffer(op.getDelta()),
          A = host.buffer(op.getA()), B = host.buffer(op.getB()),
          C = host.buffer(op.getC());
    Value D = op.getD() ? host.buffer(op.getD()) : Value();
    Value z = hasZ ? host.buffer(op.getZ()) : Value();
    Value bias = op.getDeltaBias() ? host.buffer(op.getDeltaBias()) : Value();
    Value out = memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get(outType.getShape(), outType.getElementType()));
    Type f32 = rewriter.getF32Type();
    // Chunk carries: H[b, c, d, n] (pass 1: chunk c's end states from zero;
    // after the combine: the states at the end of chunk c), S[b, c, d] (the
    // sum of delta over chunk c); chunks - 1 of them.
    Value H, S;
    if (chunks > 1) {
      H = memref::AllocOp::create(
          rewriter, loc,
          MemRefType::get({batch, chunks - 1, channels, states}, f32));
      S = memref::AllocOp::create(
          rewriter, loc, MemRefType::get({batch, chunks - 1, channels}, f32));
    }

    auto shared = gpu::AddressSpaceAttr::get(rewriter.getContext(),
                                             gpu::AddressSpace::Workgroup);
    auto seqTile = MemRefType::get({stages, db, t + 1}, f32,
                                   MemRefLayoutAttrInterface(), shared);
    auto bcTile = MemRefType::get({stages, t, bcStride}, f32,
                                  MemRefLayoutAttrInterface(), shared);
    auto tokenType = nvgpu::DeviceAsyncTokenType::get(rewriter.getContext());

    // 16-byte vector loads of a (b, d, l) sequence (synchronous fills): its
    // elements per vector, 0 for scalar loads.
    auto vectorWidth = [&](Value seq) -> int64_t {
      if (!seq || !vectorLoads)
        return 0;
      auto type = cast<RankedTensorType>(seq.getType());
      int64_t bytes = type.getElementTypeBitWidth() / 8;
      int64_t vec = 16 / bytes;
      if (bytes == 0 || 16 % bytes != 0 || type.getNumElements() % vec != 0)
        return 0;
      return vec;
    };
    const int64_t vecU = vectorWidth(op.getU()),
                  vecDelta = vectorWidth(op.getDelta()),
                  vecZ = vectorWidth(op.getZ());

    auto emitLaunch = [&](ScanKernel kind) {
      const bool pass1 = kind == ScanKernel::ChunkState;
      const bool withZ = hasZ && !pass1;
      const bool dynamicShared = sharedBytes(kind, t) > kMaxStaticShared;
      SmallVector<Type> tileTypes = {seqTile, seqTile, bcTile};
      if (!pass1)
        tileTypes.push_back(bcTile);
      if (withZ)
        tileTypes.push_back(seqTile);
      SmallVector<Type> workgroup;
      if (!dynamicShared)
        workgroup = tileTypes;
      Value dynamicBytes;
      if (dynamicShared)
        // 16 bytes of slack (see GPUEmitter::dynamicSharedViews).
        dynamicBytes = arith::ConstantOp::create(
            rewriter, loc,
            rewriter.getI32IntegerAttr(int32_t(sharedBytes(kind, t) + 16)));
      const int64_t gridChunks = kind == ScanKernel::Full ? 1
                                 : pass1                  ? chunks - 1
                                                          : chunks;
      Value gridX = host.idx(ceilDiv(channels, db)), gridY = host.idx(batch),
            gridZ = host.idx(gridChunks), one = host.idx(1),
            blockX = host.idx(threads);
      auto launch = gpu::LaunchOp::create(rewriter, loc, gridX, gridY, gridZ,
                                          blockX, one, one, dynamicBytes,
                                          nullptr, ValueRange{}, workgroup);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&launch.getBody().front());
      Emitter e{rewriter, loc};
      SmallVector<Value> tilesMem(launch.getWorkgroupAttributions().begin(),
                                  launch.getWorkgroupAttributions().end());
      if (dynamicShared)
        // The tiles as views into the dynamic shared memory, in order.
        tilesMem = e.dynamicSharedViews(tileTypes);
      Value sU = tilesMem[0], sDelta = tilesMem[1], sB = tilesMem[2];
      Value sC = pass1 ? Value() : tilesMem[3];
      Value sZ = withZ ? tilesMem[4] : Value();

      Value tid = launch.getThreadIds().x;
      Value bb = launch.getBlockIds().y;
      Value d0 = e.muli(launch.getBlockIds().x, e.idx(db));
      Value chunk = launch.getBlockIds().z;
      Value chunkStart = kind == ScanKernel::Full
                             ? e.idx(0)
                             : e.muli(chunk, e.idx(chunkSteps));
      Value lastChannel = e.idx(channels - 1);
      auto clampRow = [&](Value d) {
        return guardRows ? e.mini(d, lastChannel) : d;
      };
      // This thread's channel row in the block and its share of the states.
      Value row = lanes > 1 ? e.divi(tid, e.idx(lanes)) : tid;
      Value part = lanes > 1 ? e.remi(tid, e.idx(lanes)) : Value();
      Value firstState =
          lanes > 1 ? e.muli(part, e.idx(laneStates)) : e.idx(0);
      SmallVector<Value> rows;
      for (int64_t j = 0; j < cpt; ++j)
        rows.push_back(j ? e.addi(row, e.idx(j * threads)) : row);
      Value g = grouped ? e.divi(d0, e.idx(perGroup)) : Value();

      // Per-channel constants: A * log2(e) (a2[j * laneStates + n]), D,
      // delta_bias.
      SmallVector<Value> a2, dSkips, dBiases, channelOf;
      for (int64_t j = 0; j < cpt; ++j) {
        Value d = clampRow(e.addi(d0, rows[j]));
        channelOf.push_back(d);
        for (int64_t n = 0; n < laneStates; ++n)
          a2.push_back(e.mul(e.load(A, {d, e.addi(firstState, e.idx(n))}),
                             e.f32(kLog2E)));
        dSkips.push_back(D && !pass1 ? e.load(D, {d}) : Value());
        dBiases.push_back(bias ? e.load(bias, {d}) : Value());
      }

      Value lastStep = e.idx(length - 1);
      auto timeOf = [&](Value step) {
        return reverse ? e.subi(lastStep, step) : step;
      };

      // Initial states: zero, or (pass 2, chunk > 0) the carry of the chunk
      // before; then (pass 1) the sums of delta.
      Value c0 = e.idx(0), c1 = e.idx(1);
      SmallVector<Value> init;
      Value hasCarry, prevChunk;
      if (kind == ScanKernel::ChunkOutput) {
        hasCarry = e.ult(c0, chunk);
        prevChunk = e.subi(arith::MaxUIOp::create(rewriter, loc, chunk, c1),
                           c1);
      }
      for (int64_t j = 0; j < cpt; ++j)
        for (int64_t n = 0; n < laneStates; ++n) {
          if (kind != ScanKernel::ChunkOutput) {
            init.push_back(e.f32(0.0));
            continue;
          }
          Value carried = e.load(H, {bb, prevChunk, channelOf[j],
                                     e.addi(firstState, e.idx(n))});
          init.push_back(arith::SelectOp::create(rewriter, loc, hasCarry,
                                                 carried, e.f32(0.0)));
        }
      if (pass1)
        for (int64_t j = 0; j < cpt; ++j)
          init.push_back(e.f32(0.0));

      // The flat views of the sequences read by 16-byte vectors.
      auto flat = [&](Value seq, int64_t vec) -> Value {
        if (!vec)
          return Value();
        // (A reinterpret_cast: collapse_shape has no NVVM lowering without
        // expand-strided-metadata.)
        auto type = cast<MemRefType>(seq.getType());
        int64_t total = type.getNumElements();
        return memref::ReinterpretCastOp::create(
            rewriter, loc, MemRefType::get({total}, type.getElementType()),
            seq, int64_t(0), ArrayRef<int64_t>{total}, ArrayRef<int64_t>{1});
      };
      Value uFlat = flat(u, vecU), deltaFlat = flat(delta, vecDelta),
            zFlat = withZ ? flat(z, vecZ) : Value();

      // Every element of a scalar fill of stage `stage` with the tile
      // starting at step `s0` (indices clamped, so a tile past the end
      // re-reads the last step), in order: its source and index there, its
      // tile and index in the stage. The sequences read by vectors are left
      // out.
      auto forEachScalarElement =
          [&](Value stage, Value s0,
              llvm::function_ref<void(Value, ValueRange, Value, ValueRange)>
                  visit) {
            SmallVector<std::pair<Value, Value>> scalarSeqs;
            for (auto [src, vec, dst] :
                 {std::make_tuple(u, vecU, sU),
                  std::make_tuple(delta, vecDelta, sDelta),
                  std::make_tuple(withZ ? z : Value(), vecZ, sZ)})
              if (src && !vec)
                scalarSeqs.push_back({src, dst});
            if (!scalarSeqs.empty())
              e.forEachTileElementClamped(
                  tid, threads, db, t, [&](Value r, Value col) {
                    Value dRow = clampRow(e.addi(d0, r));
                    Value time = timeOf(e.mini(e.addi(s0, col), lastStep));
                    for (auto [src, dst] : scalarSeqs)
                      visit(src, {bb, dRow, time}, dst, {stage, r, col});
                  });
            e.forEachTileElementClamped(
                tid, threads, states, t, [&](Value n, Value col) {
                  Value time = timeOf(e.mini(e.addi(s0, col), lastStep));
                  SmallVector<Value> at =
                      grouped ? SmallVector<Value>{bb, g, n, time}
                              : SmallVector<Value>{bb, n, time};
                  visit(B, at, sB, {stage, col, n});
                  if (sC)
                    visit(C, at, sC, {stage, col, n});
                });
          };
      // Prefetch: the raw global values of the tile at s0, in the order of
      // forEachScalarElement, and their stores into stage 0.
      auto prefetchTile = [&](Value s0) {
        SmallVector<Value> values;
        forEachScalarElement(c0, s0,
                             [&](Value src, ValueRange at, Value, ValueRange) {
                               values.push_back(
                                   memref::LoadOp::create(rewriter, loc, src,
                                                          at));
                             });
        return values;
      };
      auto storePrefetched = [&](ValueRange values) {
        size_t i = 0;
        forEachScalarElement(
            c0, chunkStart, [&](Value, ValueRange, Value dst, ValueRange at) {
              Value v = values[i++];
              if (!v.getType().isF32())
                v = arith::ExtFOp::create(rewriter, loc, f32, v);
              e.store(v, dst, at);
            });
      };

      // Fills stage `stage` with the tile starting at step `s0` (indices
      // clamped, so a tile past the end re-reads the last step): loads and
      // stores, or cp.async copies whose group token is returned.
      auto fillTile = [&](Value stage, Value s0) -> Value {
        SmallVector<Value> tokens;
        auto move = [&](Value src, ValueRange srcAt, Value dst,
                        ValueRange dstAt) {
          if (!async) {
            e.store(e.load(src, srcAt), dst, dstAt);
            return;
          }
          tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
              rewriter, loc, tokenType, dst, dstAt, src, srcAt,
              rewriter.getIndexAttr(1), Value(), UnitAttr()));
        };
        // A sequence by 16-byte vectors: row r of the tile spans the flat
        // elements of (b, d0 + r) at the tile's times; each row is read as
        // the aligned vectors covering them (rows of an odd length are not
        // 16-byte aligned), and each element goes to the column of its step,
        // or to the padding column t when it lies outside the tile.
        auto fillVectors = [&](Value src, int64_t vec, Value dst) {
          auto srcType = cast<MemRefType>(src.getType());
          const int64_t total = srcType.getNumElements();
          const int64_t perRow = ceilDiv(t, vec) + 1, slots = db * perRow;
          auto vecType = VectorType::get({vec}, srcType.getElementType());
          // The tile's first time (reverse: its last step's), clamped at 0.
          Value tLo = s0;
          if (reverse)
            tLo = arith::MaxSIOp::create(
                rewriter, loc, e.subi(e.idx(length - t), s0), c0);
          Value colOrigin = reverse ? e.subi(lastStep, s0) : s0;
          for (int64_t k = 0; k * threads < slots; ++k) {
            Value el = e.addi(tid, e.idx(k * threads));
            if ((k + 1) * threads > slots)
              el = e.mini(el, e.idx(slots - 1));
            Value r = e.divi(el, e.idx(perRow)),
                  v = e.remi(el, e.idx(perRow));
            Value rowBase = e.muli(
                e.addi(e.muli(bb, e.idx(channels)), clampRow(e.addi(d0, r))),
                e.idx(length));
            Value first = e.addi(rowBase, tLo);
            Value aligned = e.subi(first, e.remi(first, e.idx(vec)));
            Value start = e.mini(e.addi(aligned, e.muli(v, e.idx(vec))),
                                 e.idx(total - vec));
            Value data = vector::LoadOp::create(
                rewriter, loc, vecType, src, ValueRange{start},
                /*nontemporal=*/false, llvm::MaybeAlign(16));
            // Column of element 0: its time minus the tile's first step
            // (reverse: the tile's first step's time minus its time).
            Value time0 = e.subi(start, rowBase);
            Value col0 = reverse ? e.subi(colOrigin, time0)
                                 : e.subi(time0, colOrigin);
            for (int64_t j = 0; j < vec; ++j) {
              Value col = j == 0     ? col0
                          : reverse ? e.subi(col0, e.idx(j))
                                    : e.addi(col0, e.idx(j));
              Value inside = arith::AndIOp::create(
                  rewriter, loc,
                  arith::CmpIOp::create(rewriter, loc,
                                        arith::CmpIPredicate::sge, col, c0),
                  arith::CmpIOp::create(rewriter, loc,
                                        arith::CmpIPredicate::slt, col,
                                        e.idx(t)));
              col = arith::SelectOp::create(rewriter, loc, inside, col,
                                            e.idx(t));
              Value x = vector::ExtractOp::create(rewriter, loc, data, j);
              e.store(x.getType().isF32()
                          ? x
                          : arith::ExtFOp::create(rewriter, loc, f32, x),
                      dst, {stage, r, col});
            }
          }
        };
        for (auto [src, flatSrc, vec, dst] :
             {std::make_tuple(u, uFlat, vecU, sU),
              std::make_tuple(delta, deltaFlat, vecDelta, sDelta),
              std::make_tuple(withZ ? z : Value(), zFlat, vecZ, sZ)})
          if (src && flatSrc)
            fillVectors(flatSrc, vec, dst);
        forEachScalarElement(stage, s0, move);
        if (!async)
          return Value();
        return nvgpu::DeviceAsyncCreateGroupOp::create(rewriter, loc,
                                                       tokenType, tokens);
      };
      auto waitAll = [&](Value token) {
        nvgpu::DeviceAsyncWaitOp::create(rewriter, loc, token,
                                         rewriter.getI32IntegerAttr(0));
      };

      // Tiles of this launch: all of the sequence, or those of the chunk.
      Value tileCount =
          kind == ScanKernel::Full
              ? e.idx(ceilDiv(length, t))
              : e.mini(e.idx(chunkSteps / t),
                       e.divi(e.subi(e.idx(length + t - 1), chunkStart),
                              e.idx(t)));
      if (async)
        waitAll(fillTile(c0, chunkStart));
      const int64_t stateCount = cpt * laneStates;
      // The loop carries the states (and pass 1's sums), then with prefetch
      // the next tile's loaded values.
      const size_t carriedStates = init.size();
      if (prefetch)
        llvm::append_range(init, prefetchTile(chunkStart));
      auto tileLoop = scf::ForOp::create(
          rewriter, loc, c0, tileCount, c1, init,
          [&](OpBuilder &, Location, Value tile, ValueRange loopCarried) {
            ValueRange carried = loopCarried.take_front(carriedStates);
            Value s0 = e.addi(chunkStart, e.muli(tile, e.idx(t)));
            Value stage = async ? e.remi(tile, e.idx(2)) : c0;
            Value token;
            SmallVector<Value> nextValues;
            if (prefetch) {
              // Tile `tile` was loaded during the previous tile's steps;
              // the next one's loads are issued now, consumed next time.
              storePrefetched(loopCarried.drop_front(carriedStates));
              gpu::BarrierOp::create(rewriter, loc);
              nextValues = prefetchTile(e.addi(s0, e.idx(t)));
            } else if (async) {
              // Tile `tile` is complete and visible after the barrier, which
              // also ends every read of the other stage (last tile's stores).
              gpu::BarrierOp::create(rewriter, loc);
              token = fillTile(e.subi(c1, stage), e.addi(s0, e.idx(t)));
            } else {
              fillTile(stage, s0);
              gpu::BarrierOp::create(rewriter, loc);
            }

            // The recurrence over the tile's steps: one step of the channel
            // maps the states h to the next ones and writes y over u (pass
            // 1: adds delta to the sums instead).
            auto step = [&](Value s, ValueRange h) {
              SmallVector<Value> bv, cv;
              if (vecStates) {
                auto v4 = VectorType::get({4}, rewriter.getF32Type());
                for (int64_t n = 0; n < laneStates; n += 4) {
                  Value at = e.addi(firstState, e.idx(n));
                  Value bq = vector::LoadOp::create(
                      rewriter, loc, v4, sB, ValueRange{stage, s, at},
                      /*nontemporal=*/false, llvm::MaybeAlign(16));
                  Value cq =
                      pass1 ? Value()
                            : vector::LoadOp::create(
                                  rewriter, loc, v4, sC,
                                  ValueRange{stage, s, at},
                                  /*nontemporal=*/false, llvm::MaybeAlign(16))
                                  .getResult();
                  for (int64_t j = 0; j < 4; ++j) {
                    bv.push_back(vector::ExtractOp::create(rewriter, loc, bq, j));
                    if (!pass1)
                      cv.push_back(
                          vector::ExtractOp::create(rewriter, loc, cq, j));
                  }
                }
              } else {
                for (int64_t n = 0; n < laneStates; ++n) {
                  Value at = e.addi(firstState, e.idx(n));
                  bv.push_back(e.load(sB, {stage, s, at}));
                  if (!pass1)
                    cv.push_back(e.load(sC, {stage, s, at}));
                }
              }
              SmallVector<Value> next, sums;
              for (int64_t ch = 0; ch < cpt; ++ch) {
                Value rowCh = rows[ch];
                Value dt = e.load(sDelta, {stage, rowCh, s});
                if (dBiases[ch])
                  dt = e.add(dt, dBiases[ch]);
                if (softplus)
                  dt = e.softplus(dt);
                if (pass1)
                  sums.push_back(e.add(h[stateCount + ch], dt));
                Value uv = e.load(sU, {stage, rowCh, s});
                Value dtu = e.mul(dt, uv);
                // y in kPartial interleaved partial sums: shorter fma chains.
                constexpr int64_t kPartial = 4;
                SmallVector<Value> partial;
                // The last polyStates states' decays run on the FMA pipe.
                const int64_t polyStates =
                    std::min<int64_t>(laneStates, polyExpStates);
                for (int64_t n = 0; n < laneStates; ++n) {
                  Value arg = e.mul(dt, a2[ch * laneStates + n]);
                  Value decay = n >= laneStates - polyStates ? e.exp2Poly(arg)
                                                             : e.exp2(arg);
                  Value hn = e.fma(decay, h[ch * laneStates + n],
                                   e.mul(dtu, bv[n]));
                  next.push_back(hn);
                  if (pass1)
                    continue;
                  if (n < kPartial)
                    partial.push_back(e.mul(cv[n], hn));
                  else
                    partial[n % kPartial] =
                        e.fma(cv[n], hn, partial[n % kPartial]);
                }
                if (pass1)
                  continue;
                while (partial.size() > 1) {
                  SmallVector<Value> halved;
                  for (size_t i = 0; i + 1 < partial.size(); i += 2)
                    halved.push_back(e.add(partial[i], partial[i + 1]));
                  if (partial.size() % 2)
                    halved.push_back(partial.back());
                  partial = halved;
                }
                Value y = partial[0];
                for (int64_t off = 1; off < lanes; off *= 2)
                  y = e.add(y, gpu::ShuffleOp::create(
                                   rewriter, loc, y, off, 32,
                                   gpu::ShuffleMode::XOR)
                                   .getShuffleResult());
                if (dSkips[ch])
                  y = e.fma(dSkips[ch], uv, y);
                if (hasZ)
                  y = e.mul(y, e.silu(e.load(sZ, {stage, rowCh, s})));
                // Every lane of the channel holds y; they store the same
                // value.
                e.store(y, sU, {stage, rowCh, s});
              }
              next.append(sums);
              return next;
            };
            Value steps = e.mini(e.idx(t), e.subi(e.idx(length), s0));
            const int64_t unroll = std::max<int64_t>(1, options.unrollSteps);
            Value mainSteps = steps;
            if (unroll > 1)
              mainSteps = e.muli(e.divi(steps, e.idx(unroll)), e.idx(unroll));
            auto stepLoop = scf::ForOp::create(
                rewriter, loc, c0, mainSteps, e.idx(unroll), carried,
                [&](OpBuilder &, Location, Value s0Step, ValueRange h) {
                  SmallVector<Value> cur(h.begin(), h.end());
                  for (int64_t j = 0; j < unroll; ++j)
                    cur = step(j ? e.addi(s0Step, e.idx(j)) : s0Step, cur);
                  scf::YieldOp::create(rewriter, loc, cur);
                });
            SmallVector<Value> tileStates(stepLoop.getResults());
            if (unroll > 1) {
              // The remaining steps (< unroll), one by one.
              auto rest = scf::ForOp::create(
                  rewriter, loc, mainSteps, steps, c1, tileStates,
                  [&](OpBuilder &, Location, Value s, ValueRange h) {
                    scf::YieldOp::create(rewriter, loc, step(s, h));
                  });
              tileStates.assign(rest.getResults().begin(),
                                rest.getResults().end());
            }
            if (async)
              waitAll(token);
            gpu::BarrierOp::create(rewriter, loc);

            // Coalesced, guarded stores of the y tile.
            if (!pass1)
              e.forEachTileElementGuarded(
                  tid, threads, db, t, s0, d0, length, guardRows ? channels : 0,
                  [&](Value r, Value col, Value dRow, Value step) {
                    e.store(e.load(sU, {stage, r, col}), out,
                            {bb, dRow, timeOf(step)});
                  });
            // Without async copies the next tile's loads overwrite the
            // stage: wait for every store (or, pass 1, read) of this one.
            if (!async)
              gpu::BarrierOp::create(rewriter, loc);
            llvm::append_range(tileStates, nextValues);
            scf::YieldOp::create(rewriter, loc, tileStates);
          });
      if (pass1) {
        // The chunk's end states (from zero) and its sum of delta; rows past
        // the channels (clamped to the last one) store nothing.
        for (int64_t j = 0; j < cpt; ++j) {
          auto storeCarries = [&]() {
            for (int64_t n = 0; n < laneStates; ++n)
              e.store(tileLoop.getResult(j * laneStates + n), H,
                      {bb, chunk, channelOf[j], e.addi(firstState, e.idx(n))});
            e.store(tileLoop.getResult(stateCount + j), S,
                    {bb, chunk, channelOf[j]});
          };
          if (!guardRows) {
            storeCarries();
            continue;
          }
          Value valid = e.ult(e.addi(d0, rows[j]), e.idx(channels));
          scf::IfOp::create(rewriter, loc, valid, [&](OpBuilder &, Location) {
            storeCarries();
            scf::YieldOp::create(rewriter, loc);
          });
        }
      }
      gpu::TerminatorOp::create(rewriter, loc);
    };

    // The combine: one thread per (b, d, n) walks the chunks in order,
    // h = 2^(A log2(e) S[c]) h + H[c], and leaves in H[c] the states at the
    // end of chunk c (the carry into chunk c + 1).
    auto emitCombine = [&]() {
      const int64_t total = batch * channels * states, block = 256;
      Value gridX = host.idx(ceilDiv(total, block)), one = host.idx(1);
      auto launch = gpu::LaunchOp::create(rewriter, loc, gridX, one, one,
                                          host.idx(block), one, one);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&launch.getBody().front());
      Emitter e{rewriter, loc};
      Value i = e.addi(e.muli(launch.getBlockIds().x, e.idx(block)),
                       launch.getThreadIds().x);
      scf::IfOp::create(
          rewriter, loc, e.ult(i, e.idx(total)), [&](OpBuilder &, Location) {
            Value n = e.remi(i, e.idx(states));
            Value d = e.remi(e.divi(i, e.idx(states)), e.idx(channels));
            Value bb = e.divi(i, e.idx(states * channels));
            Value a2 = e.mul(e.load(A, {d, n}), e.f32(kLog2E));
            scf::ForOp::create(
                rewriter, loc, e.idx(0), e.idx(chunks - 1), e.idx(1),
                ValueRange{e.f32(0.0)},
                [&](OpBuilder &, Location, Value c, ValueRange h) {
                  Value decay = e.exp2(e.mul(a2, e.load(S, {bb, c, d})));
                  Value next = e.fma(decay, h[0], e.load(H, {bb, c, d, n}));
                  e.store(next, H, {bb, c, d, n});
                  scf::YieldOp::create(rewriter, loc, next);
                });
            scf::YieldOp::create(rewriter, loc);
          });
      gpu::TerminatorOp::create(rewriter, loc);
    };

    if (chunks > 1) {
      emitLaunch(ScanKernel::ChunkState);
      emitCombine();
      emitLaunch(ScanKernel::ChunkOutput);
      memref::DeallocOp::create(rewriter, loc, H);
      memref::DeallocOp::create(rewriter, loc, S);
    } else {
      emitLaunch(ScanKernel::Full);
    }

    Value result = bufferization::ToTensorOp::create(
        rewriter, loc, outType, out, /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOp(op, result);
    return success();
  }

  ScanKernelOptions options;
};

} // namespace

void mlir::ssm::populateSelectiveScanToGPUPatterns(
    RewritePatternSet &patterns, const ScanKernelOptions &options) {
  patterns.add<SelectiveScanToGPU>(patterns.getContext(), options);
}
