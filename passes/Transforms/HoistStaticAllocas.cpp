//===- HoistStaticAllocas.cpp - stack buffers out of loops ------------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_HOISTSTATICALLOCAS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {
struct HoistStaticAllocasPass
    : mlir::ssm::impl::HoistStaticAllocasBase<HoistStaticAllocasPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isExternal())
      return;
    Block &entry = fn.getBody().front();
    SmallVector<memref::AllocaOp> nested;
    fn.walk([&](memref::AllocaOp alloca) {
      if (alloca->getBlock() != &entry && alloca.getType().hasStaticShape() &&
          alloca->getNumOperands() == 0)
        nested.push_back(alloca);
    });
    for (memref::AllocaOp alloca : nested)
      alloca->moveBefore(&entry, entry.begin());
  }
};
} // namespace
