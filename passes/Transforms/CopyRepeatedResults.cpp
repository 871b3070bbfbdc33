//===- CopyRepeatedResults.cpp - one buffer per returned tensor -----------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_COPYREPEATEDRESULTS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {
struct CopyRepeatedResultsPass
    : mlir::ssm::impl::CopyRepeatedResultsBase<CopyRepeatedResultsPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 8> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<RankedTensorType>(v.getType());
        if (!type || seen.insert(v).second)
          continue;
        // With `copy`, the sizes (dynamic ones too) come from the source.
        operand.set(bufferization::AllocTensorOp::create(
            b, ret.getLoc(), type, ValueRange(), /*copy=*/v));
      }
    });
  }
};
} // namespace
