//===- PlanWorkspace.cpp - intermediates into one planned workspace ---===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/Support/FormatVariadic.h"

#include <limits>

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
  // Live from the first op that touches the buffer (not the allocation: it
  // is often placed early, e.g. where a CSE'd tensor.empty was) to the last.
  unsigned at = position.lookup(alloc);
  p.begin = std::numeric_limits<unsigned>::max();
  p.end = at;
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
          view && view.getViewSource() == v) {
        for (Value result : owner->getResults())
          worklist.push_back(result);
        if (owner == top)
          continue; // a view alone touches no memory
      }
      p.begin = std::min(p.begin, position.lookup(top));
    }
  }
  if (p.begin > p.end)
    p.begin = at; // never used
  return true;
}

struct PlanWorkspacePass
    : mlir::ssm::impl::PlanWorkspaceBase<PlanWorkspacePass> {
  using Base::Base;

  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal()) {
        plan(fn);
        if (report > 0)
          mlir::ssm::printWorkspacePeak(fn, report, llvm::errs());
      }
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

//===----------------------------------------------------------------------===//
// The report: which buffers are live at the peak
//===----------------------------------------------------------------------===//

namespace {

/// One workspace view of a planned function, as the report sees it.
struct PlacedView {
  memref::ViewOp view;
  uint64_t bytes = 0;
  unsigned begin = 0, end = 0;
  Operation *firstWriter = nullptr, *lastReader = nullptr;
};

/// `op`'s name, with the callee of a call / kernel launch and the location
/// when it is a name (NameLoc).
std::string describeOp(Operation *op) {
  if (!op)
    return "-";
  std::string text = op->getName().getStringRef().str();
  if (auto call = dyn_cast<CallOpInterface>(op))
    if (auto callee = dyn_cast_if_present<SymbolRefAttr>(
            call.getCallableForCallee().dyn_cast<SymbolRefAttr>()))
      text += " @" + callee.getLeafReference().str();
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    text += " \"" + name.getName().str() + "\"";
  return text;
}

} // namespace

void mlir::ssm::printWorkspacePeak(func::FuncOp fn, unsigned top,
                                   llvm::raw_ostream &os) {
  auto total = fn->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttr);
  if (!total || fn.getBody().empty())
    return;
  Block &block = fn.getBody().front();
  Value workspace = block.getArguments().back();
  DenseMap<Operation *, unsigned> position;
  unsigned index = 0;
  for (Operation &op : block)
    position[&op] = index++;

  std::vector<PlacedView> views;
  for (auto view : block.getOps<memref::ViewOp>()) {
    if (view.getSource() != workspace)
      continue;
    PlacedView p;
    p.view = view;
    MemRefType type = view.getType();
    p.bytes = alignUp(uint64_t(type.getNumElements()) *
                      (type.getElementTypeBitWidth() / 8));
    p.begin = p.end = position.lookup(view);
    // Every op that touches the buffer (through views too), in block order:
    // the first is taken as its writer, the last as its last reader.
    SmallVector<Value> worklist{view.getResult()};
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      for (Operation *user : v.getUsers()) {
        if (auto inner = dyn_cast<ViewLikeOpInterface>(user);
            inner && inner.getViewSource() == v) {
          llvm::append_range(worklist, user->getResults());
          continue;
        }
        Operation *at = block.findAncestorOpInBlock(*user);
        if (!at)
          continue;
        unsigned pos = position.lookup(at);
        if (!p.firstWriter || pos < position.lookup(p.firstWriter))
          p.firstWriter = at;
        if (!p.lastReader || pos >= position.lookup(p.lastReader))
          p.lastReader = at;
        p.end = std::max(p.end, pos);
      }
    }
    if (p.firstWriter)
      p.begin = position.lookup(p.firstWriter);
    views.push_back(p);
  }

  // The op at which the most bytes are live (a buffer is live from its
  // first use to its last, the ranges the plan placed it by).
  std::vector<int64_t> delta(index + 1, 0);
  for (const PlacedView &p : views) {
    delta[p.begin] += int64_t(p.bytes);
    delta[p.end + 1] -= int64_t(p.bytes);
  }
  int64_t live = 0, peak = 0;
  unsigned peakAt = 0;
  for (unsigned i = 0; i < index; ++i) {
    live += delta[i];
    if (live > peak) {
      peak = live;
      peakAt = i;
    }
  }
  std::vector<const PlacedView *> atPeak;
  for (const PlacedView &p : views)
    if (p.begin <= peakAt && peakAt <= p.end)
      atPeak.push_back(&p);
  llvm::stable_sort(atPeak, [](const PlacedView *a, const PlacedView *b) {
    return a->bytes > b->bytes;
  });
  Operation *peakOp = nullptr;
  for (Operation &op : block)
    if (position.lookup(&op) == peakAt) {
      peakOp = &op;
      break;
    }

  auto gib = [](uint64_t bytes) { return double(bytes) / double(1ull << 30); };
  os << llvm::formatv("workspace of @{0}: {1} bytes ({2:F2} GiB), {3} buffers; "
                      "most live at once: {4} bytes ({5:F2} GiB) in {6} "
                      "buffers at op {7} of {8} ({9})\n",
                      fn.getSymName(), total.getInt(), gib(total.getInt()),
                      views.size(), peak, gib(peak), atPeak.size(), peakAt,
                      index, describeOp(peakOp));
  os << "  bytes         GiB  live ops       type; written by -> last read "
        "by\n";
  for (const PlacedView *p : ArrayRef(atPeak).take_front(top)) {
    std::string type;
    llvm::raw_string_ostream(type) << p->view->getResult(0).getType();
    os << llvm::formatv("  {0,-12} {1,5:F2}  {2,5}-{3,-5}  {4}; {5} -> {6}\n",
                        p->bytes, gib(p->bytes), p->begin, p->end, type,
                        describeOp(p->firstWriter), describeOp(p->lastReader));
  }
}
