//===- SplitGemmBias.cpp - biases a GEMM library cannot take, elementwise -===//
//
// Passes.td (ssm-split-gemm-bias): a contraction whose bias the vendor
// library cannot add, or which accumulates onto an arbitrary tensor,
// accumulates from zero, and a new elementwise generic adds the bias (or the
// tensor) for ssm-fuse-elementwise to fold into the consumers.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SPLITGEMMBIAS
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

/// What a split contraction's new elementwise generic adds to its sum: a
/// bias the library cannot take, or the whole init it accumulated onto.
struct Addend {
  Value value;
  AffineMap map;
  /// A bf16 bias widened by its broadcast.
  bool widened = false;
  /// The broadcast generic to erase once unused (bias only).
  linalg::GenericOp broadcast;
};

/// Gives `contraction` a zero init and adds `addend` to its result in a new
/// elementwise generic, which every other user then reads.
void splitInit(linalg::GenericOp contraction, const Addend &addend) {
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
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(outType.getRank(), ctx);
  SmallVector<utils::IteratorType> parallel(outType.getRank(),
                                            utils::IteratorType::parallel);
  bool widened = addend.widened;
  auto add = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{sum, addend.value},
      ValueRange{empty}, ArrayRef<AffineMap>{identity, addend.map, identity},
      parallel, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value v = args[1];
        if (widened)
          v = arith::ExtFOp::create(nb, nloc, args[0].getType(), v);
        Value s = arith::AddFOp::create(nb, nloc, args[0], v);
        linalg::YieldOp::create(nb, nloc, s);
      });
  sum.replaceAllUsesExcept(add.getResult(0), add);
  if (addend.broadcast && addend.broadcast->use_empty())
    addend.broadcast->erase();
}

struct SplitGemmBiasPass
    : mlir::ssm::impl::SplitGemmBiasBase<SplitGemmBiasPass> {
  using Base::Base;

  void runOnOperation() override {
    // Adjoint contractions (a backward pass's) in the loop order the GEMM
    // matcher reads, here and for convert-linalg-to-gpu-gemm later.
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp g) { generics.push_back(g); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp g : generics)
      ssm::gemm::orderContractionLoops(rewriter, g);

    SmallVector<std::pair<linalg::GenericOp, Addend>> splits;
    getOperation().walk([&](linalg::GenericOp g) {
      if (!isa<RankedTensorType>(g.getResult(0).getType()))
        return;
      FailureOr<ssm::gemm::Contraction> c = ssm::gemm::matchContraction(g);
      if (failed(c))
        return;
      Value init = g.getDpsInits()[0];
      if (ssm::gemm::isZeroFill(init))
        return;
      // A GEMM stored in 16 bits (ssm-narrow-activations rounds it only with
      // a zero init or a bias along n of the output's 16-bit type): the
      // library adds a bias of D's type in its epilogue, before the one
      // rounding, so the bias stays the GEMM's (a split would move the
      // rounding out of the GEMM), and is read as stored (no f32 copy).
      if (ssm::gemm::roundingReader(g))
        return;
      FailureOr<ssm::gemm::BiasInit> bias = ssm::gemm::matchBiasInit(*c);
      if (failed(bias)) {
        // Accumulating onto an arbitrary tensor (a backward pass adds each
        // use's gradient onto the sum of the others'): the library writes
        // C = A B, so the sum moves to an elementwise add.
        int64_t rank = cast<RankedTensorType>(init.getType()).getRank();
        splits.push_back(
            {g, Addend{init,
                       AffineMap::getMultiDimIdentityMap(rank, g.getContext()),
                       false, nullptr}});
        return;
      }
      bool alongN = bias->axis == ssm::gemm::BiasAxis::N;
      // A bf16 model's bias widened by its own elementwise generic would
      // reach the GEMM as bf16 once fusion folds the widening (MambaOut's
      // fc1 / fc2 ran on the SIMT kernel: 42% of its forward). Along n the
      // widened f32 vector stays a tensor of its own, which the library's
      // epilogue adds; splitting instead would store a biased copy of
      // every output whose result feeds several slices (fc1's g, i, c).
      Value widenedFrom = ssm::gemm::widenedSource(bias->bias);
      if (widenedFrom && alongN && !bias->widened &&
          ssm::gemmLibraryTakesBias(alongN, /*biasIsF32=*/true)) {
        bias->bias.getDefiningOp()->setAttr(ssm::kMaterializeAttr,
                                            UnitAttr::get(&getContext()));
        return;
      }
      bool biasIsF32 =
          !bias->widened && !widenedFrom &&
          cast<ShapedType>(bias->bias.getType()).getElementType().isF32();
      if (!ssm::gemmLibraryTakesBias(alongN, biasIsF32))
        splits.push_back(
            {g, Addend{bias->bias, bias->broadcast.getIndexingMapsArray()[0],
                       bias->widened, bias->broadcast}});
    });
    for (auto &[g, addend] : splits)
      splitInit(g, addend);
  }
};
} // namespace
