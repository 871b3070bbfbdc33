//===- GraphBuilder.h - tensor-level IR emission for model builders -*- C++ -*-//
//
// The model builders (Vim.cpp, VMamba.cpp, MambaOut.cpp) describe their
// dataflow with these helpers; each emits upstream ops on tensors (linalg
// generics and named convs, tensor reshapes/slices, arith/math bodies) or an
// ssm op, in the forms the CPU pipeline fuses and vectorizes (the same forms
// as test/Models/*.mlir and the dense numerics tests).
//
// All arithmetic is f32. A bf16 model rounds the operands of its
// contractions (linears, convolutions as GEMMs) to bf16, as autocast does,
// and is tagged `ssm.activation_type = bf16`, so that ssm-narrow-activations
// stores its other intermediates between kernels in bf16 too; its residual
// adds are tagged `ssm.keep_f32` (the residual stream stays f32). Weights are
// declared on the fly with weight(), which appends a named function argument
// (bf16 arguments are widened to f32 at their use, so only f32 arithmetic is
// emitted).
//
//===----------------------------------------------------------------------===//

#ifndef SSM_LIB_MODELS_GRAPHBUILDER_H
#define SSM_LIB_MODELS_GRAPHBUILDER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <string>
#include <vector>

namespace mlir::ssm::models {

using Shape = std::vector<int64_t>;

/// Body of an elementwise map: scalar f32 inputs -> scalar f32 result.
using ScalarFn =
    std::function<Value(OpBuilder &, Location, ArrayRef<Value> args)>;

/// Scalar bodies shared by the layers and by fused maps of the builders.
Value emitGelu(OpBuilder &b, Location loc, Value x); // exact (erf)
Value emitSilu(OpBuilder &b, Location loc, Value x);

class GraphBuilder {
public:
  /// Starts func @forward in `module` with one input `image` of `imageShape`.
  GraphBuilder(ModuleOp module, StringRef function, const Shape &imageShape,
               bool bf16);

  /// The image, widened to f32.
  Value image() const { return image_; }
  /// Declares weight `name` of `shape` (official checkpoint name and shape)
  /// as the next function argument; returns it as f32.
  Value weight(const std::string &name, const Shape &shape);
  /// Finishes the function: returns `results` (named by `names`).
  void finish(ArrayRef<Value> results, ArrayRef<std::string> names);

  OpBuilder &builder() { return b_; }
  Location loc() const { return loc_; }
  static Shape shapeOf(Value v);

  //===--- scalars and maps -------------------------------------------===//
  Value f32(double v);
  /// The projection (d0..d_{n-1}) -> (d_dims[0], d_dims[1], ...).
  AffineMap proj(unsigned numDims, ArrayRef<unsigned> dims);
  AffineMap identity(unsigned numDims);

  //===--- generic building blocks ------------------------------------===//
  /// Elementwise over `outShape`: input i is read through inMaps[i] (maps
  /// from the output index space).
  Value map(ArrayRef<Value> inputs, ArrayRef<AffineMap> inMaps,
            const Shape &outShape, const ScalarFn &fn);
  /// Elementwise over equal shapes.
  Value map(ArrayRef<Value> inputs, const ScalarFn &fn);
  /// sum over the loop space of lhs*rhs into out (init zero or `init`):
  /// a contraction with projections for every operand; `numLoops` loops of
  /// which those not in outMap are reductions.
  Value contract(Value lhs, AffineMap lhsMap, Value rhs, AffineMap rhsMap,
                 const Shape &outShape, AffineMap outMap, Value init = {});
  /// Reduction of `x` over `dims` with `combine` (sum/max) starting at `init`;
  /// the result drops the reduced dims.
  Value reduce(Value x, ArrayRef<unsigned> dims, double initValue,
               const std::function<Value(OpBuilder &, Location, Value, Value)>
                   &combine);
  Value reduceSum(Value x, ArrayRef<unsigned> dims);
  /// Mean over `dims`.
  Value reduceMean(Value x, ArrayRef<unsigned> dims);

  //===--- layers -----------------------------------------------------===//
  /// y[..., o] = sum_k x[..., k] W[o, k] (+ b[o]).
  Value linearLast(Value x, Value W, Value bias = {});
  /// Channel-first: y[b, o, l...] = sum_k W[o, k] x[b, k, l...] (+ b[o]).
  Value linearCF(Value W, Value x, Value bias = {});
  /// Channel-last in, channel-first out: y[b, o, l] = sum_k W[o,k] x[b,l,k].
  Value linearCLtoCF(Value W, Value x);
  /// Channel-first in, channel-last out: y[b, l, o] = sum_k x[b,k,l] W[o,k].
  Value linearCFtoCL(Value x, Value W);

  /// Normalizes over dimension `axis`: LayerNorm (with bias) or RMSNorm
  /// (bias null, `rms`), weights indexed by that axis.
  Value layerNorm(Value x, unsigned axis, Value w, Value bias, double eps);
  /// LayerNorm with weights `name`.weight / `name`.bias of `width`.
  Value namedLayerNorm(Value x, unsigned axis, const std::string &name,
                       int64_t width, double eps);
  Value rmsNorm(Value x, unsigned axis, Value w, double eps);

  Value add(Value a, Value b);
  /// shortcut + branch, a residual add whose branch is dropped per sample
  /// in training (stochastic depth): tagged `ssm.drop_path = [index, count]`
  /// (kDropPathAttr, TrainStep.h), the branch's place in the model's
  /// drop-path schedule linspace(0, rate, count). Inference ignores the tag.
  Value residual(Value shortcut, Value branch, int64_t index, int64_t count);
  Value mul(Value a, Value b);
  Value scale(Value x, double s);
  Value gelu(Value x);
  Value silu(Value x);
  /// -exp(x).
  Value negExp(Value x);
  /// x + v[d] with v indexed by dimension `axis` of x.
  Value addAlong(Value x, Value v, unsigned axis);
  /// x * v[d] with v indexed by dimension `axis` of x.
  Value mulAlong(Value x, Value v, unsigned axis);
  /// x + y where y has a leading 1 for the batch (pos_embed).
  Value addBroadcastBatch(Value x, Value y);

  /// NCHW conv2d, weight (O, I, k, k), stride, symmetric zero padding.
  Value conv2d(Value x, Value W, Value bias, int64_t stride, int64_t pad);
  /// Depthwise NCHW, weight (C, 1, k, k), stride 1.
  Value depthwiseNCHW(Value x, Value W, Value bias, int64_t pad);
  /// Depthwise NHWC, weight (C, 1, k, k), stride 1.
  Value depthwiseNHWC(Value x, Value W, Value bias, int64_t pad);
  /// `v` indexed by dimension `axis` of a new tensor of `shape`.
  Value broadcastAlong(Value v, unsigned axis, const Shape &shape);

  //===--- data movement ----------------------------------------------===//
  Value transpose(Value x, ArrayRef<int64_t> perm);
  /// Reshape by reassociation (collapse or expand).
  Value collapse(Value x, ArrayRef<ReassociationIndices> groups);
  Value expand(Value x, const Shape &shape,
               ArrayRef<ReassociationIndices> groups);
  Value slice(Value x, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes);
  /// Concatenation along `axis`.
  Value concat(ArrayRef<Value> parts, unsigned axis);

  //===--- ssm ops ----------------------------------------------------===//
  Value causalConv1dSilu(Value x, Value w2d, Value bias);
  Value flip(Value x, int64_t dim);
  struct ScanOperands {
    Value u, delta, A, B, C, D, z, deltaBias;
    bool softplus = true;
  };
  Value selectiveScan(const ScanOperands &ops);
  Value crossScan(Value x);
  Value crossMerge(Value ys, int64_t height, int64_t width);
  Value axisPool(Value x, int64_t cols, bool max, double scale);
  Value axisBroadcast(Value x, int64_t cols);

private:
  RankedTensorType tensorType(const Shape &shape);
  Value emptyTensor(const Shape &shape);
  Value filled(const Shape &shape, double v);
  Value widen(Value v);
  /// A contraction operand of a bf16 model: rounded to bf16 (then widened,
  /// so the payload stays f32); unchanged for f32 models and for operands
  /// that already are widened bf16 values (weights).
  Value bf16Operand(Value v);
  Value depthwise(Value x, Value W, Value bias, int64_t pad,
                  unsigned channelDim);

  OpBuilder b_;
  Location loc_;
  func::FuncOp func_;
  Block *entry_;
  Value image_;
  bool bf16_;
  std::vector<std::string> argNames_;
};

} // namespace mlir::ssm::models

#endif // SSM_LIB_MODELS_GRAPHBUILDER_H
