//===- LoopEmitter.h - building blocks of the ssm loop lowerings -*- C++
//-*-===//
//
// Private to convert-ssm-to-scf. Wraps an OpBuilder with the handful of
// constructs every lowering needs: buffers in and out of the tensor world,
// f32 loads/stores that widen and narrow 16-bit values, the activations of
// docs/semantics.md §1 (SiLU, softplus, sigmoid), and loops with and without
// f32 accumulators. Buffers are never
// freed here: buffer-deallocation-pipeline places every dealloc.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_PASSES_CONVERSION_SSMTOSCF_LOOPEMITTER_H
#define SSM_PASSES_CONVERSION_SSMTOSCF_LOOPEMITTER_H

#include "ssm/Conversion/EmitUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <functional>

namespace mlir::ssm::detail {

/// EmitterBase (index arithmetic, f32 loads and stores, buffer()) plus the
/// loop lowerings' own helpers. Its mini / maxi are signed.
class LoopEmitter : public EmitterBase {
public:
  using EmitterBase::EmitterBase;

  OpBuilder &builder() { return b; }
  Location location() { return loc; }

  //===--- constants and index arithmetic --------------------------------===//
  Value maxi(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value mini(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  /// `last - i` for i in [0, n): the index a reversed traversal visits.
  Value reversed(Value i, Value n) { return subi(subi(n, idx(1)), i); }

  //===--- f32 arithmetic and the activations (docs/semantics.md §1) ----===//
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  /// 1 / (1 + exp(-x)).
  Value sigmoid(Value x) {
    Value one = f32(1.0);
    return div(one, add(one, exp(sub(f32(0.0), x))));
  }
  Value silu(Value x) { return mul(x, sigmoid(x)); }
  /// d silu(x) / dx = s * (1 + x * (1 - s)), s = sigmoid(x).
  Value siluGrad(Value x) {
    Value s = sigmoid(x), one = f32(1.0);
    return mul(s, add(one, mul(x, sub(one, s))));
  }
  /// The mamba kernels' softplus: x <= 20 ? log1p(exp(x)) : x.
  Value softplus(Value x) {
    Value soft = math::Log1pOp::create(b, loc, exp(x));
    return select(cmpf(arith::CmpFPredicate::OLE, x, f32(20.0)), soft, x);
  }

  //===--- buffers -------------------------------------------------------===//
  /// A new buffer of `shape` (dynamic sizes taken from `sizes`) and `elem`.
  Value alloc(ArrayRef<int64_t> shape, Type elem, ArrayRef<Value> sizes,
              bool onStack = false) {
    SmallVector<Value> dynamic;
    for (auto [i, s] : llvm::enumerate(shape))
      if (ShapedType::isDynamic(s))
        dynamic.push_back(sizes[i]);
    auto type = MemRefType::get(shape, elem);
    if (onStack)
      return memref::AllocaOp::create(b, loc, type, dynamic);
    return memref::AllocOp::create(b, loc, type, dynamic);
  }
  Value alloc(RankedTensorType type, ArrayRef<Value> sizes) {
    return alloc(type.getShape(), type.getElementType(), sizes);
  }
  /// A result buffer handed back to the tensor world.
  Value tensor(Value memref) {
    auto type = cast<MemRefType>(memref.getType());
    auto tensorType =
        RankedTensorType::get(type.getShape(), type.getElementType());
    return bufferization::ToTensorOp::create(b, loc, tensorType, memref,
                                             /*restrict=*/true,
                                             /*writable=*/true);
  }
  /// Size `i` of a buffer or tensor.
  Value dim(Value shaped, int64_t i) {
    auto type = cast<ShapedType>(shaped.getType());
    if (!type.isDynamicDim(i))
      return idx(type.getDimSize(i));
    if (isa<MemRefType>(type))
      return memref::DimOp::create(b, loc, shaped, i);
    return tensor::DimOp::create(b, loc, shaped, i);
  }
  SmallVector<Value> dims(Value memref) {
    SmallVector<Value> sizes;
    for (int64_t i = 0, e = cast<MemRefType>(memref.getType()).getRank(); i < e;
         ++i)
      sizes.push_back(dim(memref, i));
    return sizes;
  }

  //===--- loops ---------------------------------------------------------===//
  using IndexBody = std::function<void(ValueRange)>;
  /// A parallel nest over [0, ub_i) for every upper bound.
  void parallel(ArrayRef<Value> ubs, const IndexBody &body) {
    SmallVector<Value> lbs(ubs.size(), idx(0)), steps(ubs.size(), idx(1));
    scf::ParallelOp::create(
        b, loc, lbs, ubs, steps,
        [&](OpBuilder &, Location, ValueRange ivs) { body(ivs); });
  }
  /// A sequential loop over [lb, ub).
  void loop(Value lb, Value ub, const std::function<void(Value)> &body) {
    scf::ForOp::create(b, loc, lb, ub, idx(1), ValueRange{},
                       [&](OpBuilder &, Location, Value iv, ValueRange) {
                         body(iv);
                         scf::YieldOp::create(b, loc);
                       });
  }
  void loop(Value ub, const std::function<void(Value)> &body) {
    loop(idx(0), ub, body);
  }
  using CarryBody =
      std::function<SmallVector<Value>(Value iv, ValueRange carried)>;
  /// A sequential loop over [0, ub) carrying values; returns their final
  /// values.
  SmallVector<Value> loopCarry(Value ub, ValueRange init,
                               const CarryBody &body) {
    auto forOp = scf::ForOp::create(
        b, loc, idx(0), ub, idx(1), init,
        [&](OpBuilder &, Location, Value iv, ValueRange carried) {
          scf::YieldOp::create(b, loc, body(iv, carried));
        });
    return SmallVector<Value>(forOp.getResults());
  }
  /// Fills a buffer with an f32 value.
  void fill(Value memref, double value) {
    Value v = f32(value);
    parallel(dims(memref), [&](ValueRange ivs) { store(v, memref, ivs); });
  }
  /// Copies `from` into `to` elementwise, converting the element type.
  void convertInto(Value from, Value to) {
    parallel(dims(from),
             [&](ValueRange ivs) { store(load(from, ivs), to, ivs); });
  }
};

} // namespace mlir::ssm::detail

#endif // SSM_PASSES_CONVERSION_SSMTOSCF_LOOPEMITTER_H
