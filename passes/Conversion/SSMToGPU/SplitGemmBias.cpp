//===- SplitGemmBias.cpp - biases a GEMM library cannot take, elementwise -===//
//
// Passes.td (ssm-split-gemm-bias): a contraction whose bias the vendor
// library cannot add accumulates from zero, and a new elementwise generic
// adds the bias for ssm-fuse-elementwise to fold into the consumers.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SPLITGEMMBIAS
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

void splitBias(linalg::GenericOp contraction, ssm::gemm::BiasInit bias) {
  OpBuilder b(contraction);
  Location loc = contraction.getLoc();
  auto outType = cast<RankedTensorType>(contraction.getResult(0).getType());
  Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                        outType.getElementType());
  Value zero = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(outType.getElementType(), 0.0));
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  contraction.getDpsInitsMutable()[0].set(init);

  b.setInsertionPointAfter(contraction);
  Value sum = contraction.getResult(0);
  MLIRContext *ctx = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(outType.getRank(), ctx);
  AffineMap biasMap = bias.broadcast.getIndexingMapsArray()[0];
  SmallVector<utils::IteratorType> parallel(outType.getRank(),
                                            utils::IteratorType::parallel);
  bool widened = bias.widened;
  auto add = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{sum, bias.bias}, ValueRange{empty},
      ArrayRef<AffineMap>{identity, biasMap, identity}, parallel,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value v = args[1];
        if (widened)
          v = arith::ExtFOp::create(nb, nloc, args[0].getType(), v);
        Value s = arith::AddFOp::create(nb, nloc, args[0], v);
        linalg::YieldOp::create(nb, nloc, s);
      });
  sum.replaceAllUsesExcept(add.getResult(0), add);
  if (bias.broadcast->use_empty())
    bias.broadcast->erase();
}

struct SplitGemmBiasPass
    : mlir::ssm::impl::SplitGemmBiasBase<SplitGemmBiasPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, ssm::gemm::BiasInit>> splits;
    getOperation().walk([&](linalg::GenericOp g) {
      if (!isa<RankedTensorType>(g.getResult(0).getType()))
        return;
      FailureOr<ssm::gemm::Contraction> c = ssm::gemm::matchContraction(g);
      if (failed(c))
        return;
      FailureOr<ssm::gemm::BiasInit> bias = ssm::gemm::matchBiasInit(*c);
      if (failed(bias))
        return;
      bool biasIsF32 = !bias->widened &&
                       cast<ShapedType>(bias->bias.getType())
                           .getElementType()
                           .isF32();
      if (!ssm::gemmLibraryTakesBias(bias->axis == ssm::gemm::BiasAxis::N,
                                     biasIsF32))
        splits.push_back({g, *bias});
    });
    for (auto &[g, bias] : splits)
      splitBias(g, bias);
  }
};
} // namespace
