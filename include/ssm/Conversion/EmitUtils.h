//===- EmitUtils.h - IR-building helpers of the ssm lowerings ---*- C++ -*-===//
//
// The helpers every hand-written lowering of ssm ops needs, over one builder
// and location: index constants and arithmetic, f32 constants, widening to
// f32 (scalars and vectors), loads that widen to f32 and stores that narrow
// to the buffer's element type, and the read-only buffer behind a tensor.
// Shared by convert-ssm-to-scf (LoopEmitter) and the GPU kernels of
// convert-ssm-to-gpu and convert-linalg-to-gpu-gemm (GPUEmitter,
// ssm/Conversion/SSMToGPU/EmitUtils.h); not a public API.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_CONVERSION_EMITUTILS_H
#define SSM_CONVERSION_EMITUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::ssm::detail {

/// IR-building helpers over one builder and location. Integer division and
/// remainder are unsigned (indices are never negative here).
struct EmitterBase {
  EmitterBase(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &b;
  Location loc;

  //===--- constants and index arithmetic --------------------------------===//
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v)));
  }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value subi(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value muli(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value divi(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value remi(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }

  /// A float scalar or vector widened to f32 (unchanged where it is f32).
  Value widen(Value v) {
    Type f32Type = b.getF32Type();
    if (auto vec = dyn_cast<VectorType>(v.getType())) {
      if (vec.getElementType().isF32())
        return v;
      return arith::ExtFOp::create(b, loc,
                                   VectorType::get(vec.getShape(), f32Type), v);
    }
    return v.getType().isF32() ? v : arith::ExtFOp::create(b, loc, f32Type, v);
  }

  //===--- buffers -------------------------------------------------------===//
  /// Loads an element, widened to f32.
  Value load(Value memref, ValueRange indices) {
    return widen(memref::LoadOp::create(b, loc, memref, indices));
  }
  /// Stores an f32 value, narrowed to the buffer's element type.
  void store(Value v, Value memref, ValueRange indices) {
    Type elem = cast<MemRefType>(memref.getType()).getElementType();
    if (elem != v.getType())
      v = arith::TruncFOp::create(b, loc, elem, v);
    memref::StoreOp::create(b, loc, v, memref, indices);
  }
  /// The buffer behind a tensor operand (read only).
  Value buffer(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    return bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
        /*read_only=*/true);
  }
};

} // namespace mlir::ssm::detail

#endif // SSM_CONVERSION_EMITUTILS_H
