//===- EmitUtils.h - IR-building helpers of the GPU kernels -----*- C++ -*-===//
//
// The f32 arithmetic of the GPU kernels of convert-ssm-to-gpu (the scans,
// forward and backward, and the fused SS2D kernel) and of
// convert-linalg-to-gpu-gemm, over the helpers of ssm/Conversion/EmitUtils.h:
// adds and multiplies marked `contract` (a multiply feeding an add becomes
// one fma; without it the NVPTX backend emits mul.rn + add.rn, which ptxas
// may not fuse), exp2 and division marked `afn` (ex2.approx.ftz.f32 and
// div.approx.ftz.f32 after ssm-nvvm-fast-math), and the kernels' softplus.
// Not a public API.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_CONVERSION_SSMTOGPU_EMITUTILS_H
#define SSM_CONVERSION_SSMTOGPU_EMITUTILS_H

#include "ssm/Conversion/EmitUtils.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::ssm::detail {

constexpr double kLog2E = 1.4426950408889634;

/// EmitterBase plus the kernels' f32 arithmetic and unsigned index compares.
struct GPUEmitter : EmitterBase {
  using EmitterBase::EmitterBase;

  Value mini(Value x, Value y) { return arith::MinUIOp::create(b, loc, x, y); }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }

  Value add(Value x, Value y) {
    return arith::AddFOp::create(b, loc, x, y, arith::FastMathFlags::contract);
  }
  Value sub(Value x, Value y) {
    return arith::SubFOp::create(b, loc, x, y, arith::FastMathFlags::contract);
  }
  Value mul(Value x, Value y) {
    return arith::MulFOp::create(b, loc, x, y, arith::FastMathFlags::contract);
  }
  /// x * y + z as one fma.
  Value fma(Value x, Value y, Value z) { return add(mul(x, y), z); }
  Value maxf(Value x, Value y) {
    return arith::MaxNumFOp::create(b, loc, x, y);
  }
  Value minf(Value x, Value y) {
    return arith::MinNumFOp::create(b, loc, x, y);
  }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  /// 2^x, marked `afn`: ex2.approx.ftz.f32 (2 ulp, flushes denormal results)
  /// on NVVM after ssm-nvvm-fast-math.
  Value exp2(Value x) {
    return math::Exp2Op::create(b, loc, x, arith::FastMathFlags::afn);
  }
  /// x / y, marked `afn` (div.approx.ftz.f32 on NVVM: 2 ulp for |y| in
  /// [2^-126, 2^126]).
  Value div(Value x, Value y) {
    return arith::DivFOp::create(b, loc, x, y, arith::FastMathFlags::afn);
  }
  /// log1p(exp(x)) = max(x, 0) + log1p(w), w = exp(-|x|) in (0, 1], with
  /// log1p(w) = 2 atanh(s), s = w / (2 + w) <= 1/3, summed to s^13 (relative
  /// truncation error < 1e-8): accurate also where softplus is tiny. The
  /// forward and backward kernels share it, so both agree.
  Value softplus(Value x) {
    Value w = exp2(mul(minf(x, neg(x)), f32(kLog2E))); // exp(-|x|)
    Value s = div(w, add(f32(2.0), w));
    Value s2 = mul(s, s);
    Value p = f32(2.0 / 13.0);
    for (int k : {11, 9, 7, 5, 3, 1})
      p = fma(p, s2, f32(2.0 / k));
    return add(maxf(x, f32(0.0)), mul(p, s));
  }

  /// The block's `threads` threads (thread `tid`) visit the rows x cols
  /// elements of a row-major tile together: round k takes element
  /// tid + k * threads; in a last, partial round the threads past the end
  /// take the last element again (the same value into the same slot, so no
  /// branch). Calls visit(row, col) once per round.
  void forEachTileElementClamped(
      Value tid, int64_t threads, int64_t rows, int64_t cols,
      llvm::function_ref<void(Value row, Value col)> visit) {
    const int64_t elems = rows * cols;
    for (int64_t k = 0; k * threads < elems; ++k) {
      Value el = addi(tid, idx(k * threads));
      if ((k + 1) * threads > elems)
        el = mini(el, idx(elems - 1));
      Value row = divi(el, idx(cols));
      Value col = remi(el, idx(cols));
      visit(row, col);
    }
  }

  /// Coalesced, guarded stores of a rows x cols shared tile to a (b, d, l)
  /// output: round k takes element tid + k * threads (row, col), for channel
  /// d0 + row and step s0 + col, and stores it only where the step is below
  /// `length`, the element lies in the tile (last, partial round) and, with
  /// rowLimit > 0, the channel is below rowLimit. store(row, col, channel,
  /// step) emits the store inside that guard.
  void forEachTileElementGuarded(
      Value tid, int64_t threads, int64_t rows, int64_t cols, Value s0,
      Value d0, int64_t length, int64_t rowLimit,
      llvm::function_ref<void(Value row, Value col, Value channel, Value step)>
          store) {
    const int64_t elems = rows * cols;
    for (int64_t k = 0; k * threads < elems; ++k) {
      Value el = addi(tid, idx(k * threads));
      Value row = divi(el, idx(cols));
      Value col = remi(el, idx(cols));
      Value step = addi(s0, col);
      Value channel = addi(d0, row);
      Value valid = ult(step, idx(length));
      if ((k + 1) * threads > elems)
        valid = andi(valid, ult(el, idx(elems)));
      if (rowLimit > 0)
        valid = andi(valid, ult(channel, idx(rowLimit)));
      ifThen(valid, [&] { store(row, col, channel, step); });
    }
  }
  /// scf.if without results.
  void ifThen(Value cond, llvm::function_ref<void()> body) {
    scf::IfOp::create(b, loc, cond, [&](OpBuilder &, Location) {
      body();
      scf::YieldOp::create(b, loc);
    });
  }

  /// Static-shape f32 shared-memory `tiles` as consecutive views of the
  /// block's dynamic shared memory, in order from its start. The launch asks
  /// for 16 bytes of slack: the lowering declares the dynamic array as a
  /// (1-byte, 16-byte aligned) static shared variable, and the dynamic area
  /// starts after the static ones, aligned; the views start at the variable.
  SmallVector<Value> dynamicSharedViews(ArrayRef<Type> tiles) {
    Attribute space = cast<MemRefType>(tiles.front()).getMemorySpace();
    Value bytes = gpu::DynamicSharedMemoryOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                        MemRefLayoutAttrInterface(), space));
    SmallVector<Value> views;
    int64_t offset = 0;
    for (Type type : tiles) {
      auto tile = cast<MemRefType>(type);
      views.push_back(memref::ViewOp::create(b, loc, tile, bytes, idx(offset),
                                             ValueRange{}));
      offset += tile.getNumElements() * 4;
    }
    return views;
  }
};

/// The indices of `linear` in a row-major space of `sizes` (the last
/// dimension fastest): unsigned rem / div by each size from the last, the
/// first index taking what remains.
inline SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                                      ArrayRef<Value> sizes) {
  SmallVector<Value> indices(sizes.size());
  Value rest = linear;
  for (int d = int(sizes.size()) - 1; d >= 0; --d) {
    indices[d] =
        d == 0 ? rest
               : arith::RemUIOp::create(b, loc, rest, sizes[d]).getResult();
    if (d > 0)
      rest = arith::DivUIOp::create(b, loc, rest, sizes[d]);
  }
  return indices;
}

} // namespace mlir::ssm::detail

#endif // SSM_CONVERSION_SSMTOGPU_EMITUTILS_H
