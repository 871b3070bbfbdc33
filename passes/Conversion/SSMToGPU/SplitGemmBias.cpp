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
  /// The generic that widened the bias before its broadcast, to erase once
  /// unused (the add widens instead).
  Operation *widening = nullptr;
};

/// A reshape that only splits or merges dims (`tensor.expand_shape` /
/// `tensor.collapse_shape`); null for anything else.
Operation *asReshape(Operation *op) {
  return isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op)
             ? op
             : nullptr;
}

/// `map` (a bias's broadcast, from the dims of `reshape`'s source) in the
/// dims of its result, or failure when a bias dim does not stay one dim:
/// split (expanded) into several dims larger than 1, or merged (collapsed)
/// with one. Dims of size 1 beside it are indexed 0 either way.
FailureOr<AffineMap> mapThroughReshape(AffineMap map, Operation *reshape) {
  auto source = cast<RankedTensorType>(reshape->getOperand(0).getType());
  auto result = cast<RankedTensorType>(reshape->getResult(0).getType());
  bool expand = isa<tensor::ExpandShapeOp>(reshape);
  SmallVector<ReassociationIndices> groups =
      expand ? cast<tensor::ExpandShapeOp>(reshape).getReassociationIndices()
             : cast<tensor::CollapseShapeOp>(reshape).getReassociationIndices();
  // The wide side's shape: the result of an expand, the source of a collapse.
  ArrayRef<int64_t> wide = expand ? result.getShape() : source.getShape();
  SmallVector<AffineExpr> dims(source.getRank());
  MLIRContext *ctx = map.getContext();
  for (auto [g, group] : llvm::enumerate(groups)) {
    SmallVector<int64_t> nonUnit;
    for (int64_t d : group)
      if (wide[d] != 1)
        nonUnit.push_back(d);
    if (expand) {
      // Source dim g becomes the group's one dim that is not 1.
      if (nonUnit.size() > 1)
        continue; // unset: fails below if the map reads dim g
      dims[g] =
          getAffineDimExpr(nonUnit.empty() ? group.front() : nonUnit[0], ctx);
      continue;
    }
    // Source dims in `group` become result dim g: a dim of size 1 is
    // indexed 0, and a larger one only when it is the group's only one.
    for (int64_t d : group) {
      if (wide[d] == 1)
        dims[d] = getAffineConstantExpr(0, ctx);
      else if (nonUnit.size() == 1)
        dims[d] = getAffineDimExpr(g, ctx);
    }
  }
  SmallVector<AffineExpr> results;
  for (AffineExpr e : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(e)) {
      if (!dims[dim.getPosition()])
        return failure();
      results.push_back(dims[dim.getPosition()]);
    } else if (isa<AffineConstantExpr>(e)) {
      results.push_back(e);
    } else {
      return failure();
    }
  }
  return AffineMap::get(result.getRank(), 0, results, ctx);
}

/// Where the split add goes: after the reshapes that read the contraction's
/// result, each the only reader of what it reshapes, so that the add has the
/// shape of the elementwise ops that read it (a channel-first GEMM's
/// 128x1536x196 result expanded to the 128x1536x14x14 image GELU reads).
/// ssm-fuse-elementwise does not fuse through reshapes: before the reshape
/// the add would be a kernel of its own, storing a second copy of the GEMM's
/// result. The add still happens once, for every reader. An addend that is
/// a whole tensor (identity map) is reshaped the same way; a bias follows
/// as long as mapThroughReshape can index it.
struct AddSite {
  /// In order from the contraction's result; the add reads the last's.
  SmallVector<Operation *> reshapes;
  /// The addend's map in the dims of the add's shape.
  AffineMap map;
};

AddSite planAddSite(Value sum, AffineMap addendMap) {
  AddSite site{{}, addendMap};
  Value value = sum;
  while (value.hasOneUse()) {
    Operation *reshape = asReshape(*value.user_begin());
    if (!reshape)
      break;
    if (addendMap.isIdentity()) {
      site.map = AffineMap::getMultiDimIdentityMap(
          cast<RankedTensorType>(reshape->getResult(0).getType()).getRank(),
          sum.getContext());
    } else {
      FailureOr<AffineMap> map = mapThroughReshape(site.map, reshape);
      if (failed(map))
        break;
      site.map = *map;
    }
    site.reshapes.push_back(reshape);
    value = reshape->getResult(0);
  }
  return site;
}

/// `value` reshaped as `reshape` reshapes its source (same shapes, the
/// element type of `value`).
Value reshapeLike(OpBuilder &b, Operation *reshape, Value value) {
  Location loc = reshape->getLoc();
  Type element = getElementTypeOrSelf(value.getType());
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(reshape))
    return tensor::ExpandShapeOp::create(
        b, loc, expand.getResultType().clone(element), value,
        expand.getReassociationIndices());
  auto collapse = cast<tensor::CollapseShapeOp>(reshape);
  return tensor::CollapseShapeOp::create(b, loc, value,
                                         collapse.getReassociationIndices());
}

/// Gives `contraction` a zero init and adds `addend` to its result in a new
/// elementwise generic, which every other user then reads; placed after the
/// reshapes planAddSite finds.
void splitInit(linalg::GenericOp contraction, const Addend &addend) {
  OpBuilder b(contraction);
  Location loc = contraction.getLoc();
  auto sumType = cast<RankedTensorType>(contraction.getResult(0).getType());
  Value empty = tensor::EmptyOp::create(b, loc, sumType.getShape(),
                                        sumType.getElementType());
  Value zero = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(sumType.getElementType(), 0.0));
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  contraction.getDpsInitsMutable()[0].set(init);

  AddSite site = planAddSite(contraction.getResult(0), addend.map);
  Value sum = contraction.getResult(0);
  Value addendValue = addend.value;
  b.setInsertionPointAfter(contraction);
  if (!site.reshapes.empty()) {
    sum = site.reshapes.back()->getResult(0);
    b.setInsertionPointAfter(site.reshapes.back());
    // A whole-tensor addend takes the same reshapes.
    if (addend.map.isIdentity())
      for (Operation *reshape : site.reshapes)
        addendValue = reshapeLike(b, reshape, addendValue);
  }
  auto outType = cast<RankedTensorType>(sum.getType());
  Value out = empty;
  if (outType != sumType)
    out = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                  outType.getElementType());
  MLIRContext *ctx = b.getContext();
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(outType.getRank(), ctx);
  SmallVector<utils::IteratorType> parallel(outType.getRank(),
                                            utils::IteratorType::parallel);
  bool widened = addend.widened;
  auto add = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{sum, addendValue}, ValueRange{out},
      ArrayRef<AffineMap>{identity, site.map, identity}, parallel,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value v = args[1];
        if (widened)
          v = arith::ExtFOp::create(nb, nloc, args[0].getType(), v);
        Value s = arith::AddFOp::create(nb, nloc, args[0], v);
        linalg::YieldOp::create(nb, nloc, s);
      });
  sum.replaceAllUsesExcept(add.getResult(0), add);
  if (addend.broadcast && addend.broadcast->use_empty())
    addend.broadcast->erase();
  if (addend.widening && addend.widening->use_empty())
    addend.widening->erase();
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
                       false, nullptr, nullptr}});
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
      if (ssm::gemmLibraryTakesBias(alongN, biasIsF32))
        return;
      // A bias widened by a generic of its own is read in 16 bits and
      // widened in the add: once the add fuses into a reduction (a norm's
      // statistics read each element once), that widening would not follow
      // it and would stay a kernel of its own.
      Value biasValue = widenedFrom ? widenedFrom : bias->bias;
      splits.push_back(
          {g, Addend{biasValue, bias->broadcast.getIndexingMapsArray()[0],
                     bias->widened || widenedFrom, bias->broadcast,
                     widenedFrom ? bias->bias.getDefiningOp() : nullptr}});
    });
    for (auto &[g, addend] : splits)
      splitInit(g, addend);
  }
};
} // namespace
