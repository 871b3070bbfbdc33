//===- ReassociateReductions.cpp - fastmath reassoc in reductions -----===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_REASSOCIATEREDUCTIONS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {
struct ReassociateReductionsPass
    : mlir::ssm::impl::ReassociateReductionsBase<ReassociateReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    auto flags = arith::FastMathFlagsAttr::get(
        &getContext(),
        arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.getNumReductionLoops() == 0)
        return;
      op->walk([&](arith::ArithFastMathInterface math) {
        math->setAttr(math.getFastMathAttrName(), flags);
      });
    });
  }
};
} // namespace
