//===- PlanWorkspace.cpp - intermediates into one planned workspace ---===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_PLANWORKSPACE
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

constexpr uint64_t kAlignment = 64;

uint64_t alignUp(uint64_t v) {
  return (v + kAlignment - 1) / kAlignment * kAlignment;
}

/// One planned buffer: its allocation, size, live range (positions of
/// top-level ops) and the deallocations to drop.
struct Planned {
  memref::AllocOp alloc;
  uint64_t bytes = 0, offset = 0;
  unsigned begin = 0, end = 0;
  SmallVector<Operation *> deallocs;
};

/// Fills `p` for a statically shaped top-level allocation; false when the
/// buffer escapes or is used in a way the plan cannot follow.
bool analyze(memref::AllocOp alloc, Block &block,
             const DenseMap<Operation *, unsigned> &position, Planned &p) {
  MemRefType type = alloc.getType();
  unsigned bits = type.getElementTypeBitWidth();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      !alloc.getDynamicSizes().empty() || !alloc.getSymbolOperands().empty() ||
      bits == 0 || bits % 8 != 0 || type.getMemorySpace())
    return false;
  p.alloc = alloc;
  p.bytes = alignUp(uint64_t(type.getNumElements()) * (bits / 8));
  p.begin = p.end = position.lookup(alloc);
  SmallVector<Value> worklist{alloc.getResult()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *owner = use.getOwner();
      if (isa<memref::DeallocOp>(owner)) {
        p.deallocs.push_back(owner);
        continue;
      }
      if (isa<func::ReturnOp>(owner))
        return false; // escapes
      Operation *top = block.findAncestorOpInBlock(*owner);
      if (!top)
        return false;
      p.end = std::max(p.end, position.lookup(top));
      if (auto view = dyn_cast<ViewLikeOpInterface>(owner);
          view && view.getViewSource() == v)
        for (Value result : owner->getResults())
          worklist.push_back(result);
    }
  }
  return true;
}

struct PlanWorkspacePass
    : mlir::ssm::impl::PlanWorkspaceBase<PlanWorkspacePass> {
  using Base::Base;

  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        plan(fn);
  }

  void plan(func::FuncOp fn) {
    Block &block = fn.getBody().front();
    DenseMap<Operation *, unsigned> position;
    unsigned index = 0;
    for (Operation &op : block)
      position[&op] = index++;
    std::vector<Planned> buffers;
    for (auto alloc : block.getOps<memref::AllocOp>()) {
      Planned p;
      if (analyze(alloc, block, position, p))
        buffers.push_back(std::move(p));
    }
    if (buffers.empty())
      return;

    // First fit by decreasing size among buffers live at the same time.
    std::vector<Planned *> order;
    for (Planned &p : buffers)
      order.push_back(&p);
    std::stable_sort(order.begin(), order.end(), [](Planned *a, Planned *b) {
      return a->bytes > b->bytes;
    });
    std::vector<Planned *> placed;
    uint64_t total = 0;
    for (Planned *p : order) {
      std::vector<Planned *> live;
      for (Planned *q : placed)
        if (q->begin <= p->end && p->begin <= q->end)
          live.push_back(q);
      std::sort(live.begin(), live.end(),
                [](Planned *a, Planned *b) { return a->offset < b->offset; });
      uint64_t offset = 0;
      for (Planned *q : live)
        if (offset + p->bytes > q->offset && q->offset + q->bytes > offset)
          offset = std::max(offset, q->offset + q->bytes);
      p->offset = offset;
      total = std::max(total, offset + p->bytes);
      placed.push_back(p);
    }

    OpBuilder b(fn.getContext());
    auto workspaceType = MemRefType::get({int64_t(total)}, b.getIntegerType(8));
    if (failed(fn.insertArgument(fn.getNumArguments(), workspaceType, {},
                                 fn.getLoc())))
      return signalPassFailure();
    Value workspace = block.getArguments().back();
    for (Planned &p : buffers) {
      b.setInsertionPoint(p.alloc);
      Value offset = arith::ConstantIndexOp::create(b, p.alloc.getLoc(),
                                                    int64_t(p.offset));
      Value view =
          memref::ViewOp::create(b, p.alloc.getLoc(), p.alloc.getType(),
                                 workspace, offset, ValueRange{});
      p.alloc.getResult().replaceAllUsesWith(view);
      for (Operation *dealloc : p.deallocs)
        dealloc->erase();
      p.alloc.erase();
    }
    fn->setAttr(mlir::ssm::kWorkspaceBytesAttr,
                b.getI64IntegerAttr(int64_t(total)));
  }
};

} // namespace
