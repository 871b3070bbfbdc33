//===- DedupeKernels.cpp - one copy of each distinct kernel -----------===//

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/MapVector.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_DEDUPEKERNELS
#include "ssm/Dialect/SSM/Transforms/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

constexpr OperationEquivalence::Flags kFlags =
    OperationEquivalence::IgnoreLocations;

/// A `gpu.func` entry point directly inside `root`, a `gpu.module`: device
/// code cannot call it, so its name may differ between equal modules (the
/// launches are redirected by position).
bool isKernelEntry(Operation *op, Operation *root) {
  auto fn = dyn_cast<gpu::GPUFuncOp>(op);
  return fn && fn.isKernel() && op->getParentOp() == root &&
         isa<gpu::GPUModuleOp>(root);
}

/// `op`'s attributes, inherent and discardable, without its symbol name.
DictionaryAttr attrsWithoutName(Operation *op) {
  NamedAttrList attrs(op->getAttrDictionary());
  attrs.erase(SymbolTable::getSymbolAttrName());
  return attrs.getDictionary(op->getContext());
}

/// A structural hash that ignores the names `equalUpToNames` ignores (and,
/// being only a filter, the operands' def-use structure).
llvm::hash_code hashUpToNames(Operation *root) {
  llvm::hash_code hash =
      llvm::hash_combine(root->getName(), attrsWithoutName(root));
  root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op == root)
      return;
    if (isKernelEntry(op, root))
      hash = llvm::hash_combine(hash, op->getName(), attrsWithoutName(op));
    else
      hash = llvm::hash_combine(
          hash, OperationEquivalence::computeHash(
                    op, OperationEquivalence::ignoreHashValue,
                    OperationEquivalence::ignoreHashValue, kFlags));
  });
  return hash;
}

/// The same op with the same attributes but for its symbol name, and
/// equivalent regions. Inside a gpu.module, kernel entries compare the same
/// way; every other op (device functions, globals) must match exactly, names
/// included, so that references between them keep their meaning.
bool equalUpToNames(Operation *a, Operation *b) {
  if (a->getName() != b->getName() ||
      a->getNumRegions() != b->getNumRegions() ||
      attrsWithoutName(a) != attrsWithoutName(b))
    return false;
  if (isa<gpu::GPUModuleOp>(a)) {
    Block &bodyA = a->getRegion(0).front(), &bodyB = b->getRegion(0).front();
    if (bodyA.getOperations().size() != bodyB.getOperations().size())
      return false;
    for (auto [x, y] : llvm::zip(bodyA, bodyB)) {
      bool entry = isKernelEntry(&x, a);
      if (entry != isKernelEntry(&y, b))
        return false;
      if (entry ? !equalUpToNames(&x, &y)
                : !OperationEquivalence::isEquivalentTo(&x, &y, kFlags))
        return false;
    }
    return true;
  }
  for (auto [ra, rb] : llvm::zip(a->getRegions(), b->getRegions()))
    if (!OperationEquivalence::isRegionEquivalentTo(&ra, &rb, kFlags))
      return false;
  return true;
}

/// Kernel entries of a gpu.module, in order.
SmallVector<StringAttr> entryNames(gpu::GPUModuleOp module) {
  SmallVector<StringAttr> names;
  for (Operation &op : module.getBody()->getOperations())
    if (isKernelEntry(&op, module))
      names.push_back(cast<SymbolOpInterface>(op).getNameAttr());
  return names;
}

struct DedupeKernelsPass
    : mlir::ssm::impl::DedupeKernelsBase<DedupeKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);

    // Candidates, in module order: private functions with a body (with the
    // dispatch declaration of an outlined thread-pool kernel, if any) and
    // gpu.modules.
    SmallVector<Operation *> candidates;
    for (Operation &op : module.getBody()->getOperations()) {
      if (auto fn = dyn_cast<func::FuncOp>(op)) {
        if (fn.isPrivate() && !fn.isExternal())
          candidates.push_back(fn);
      } else if (isa<gpu::GPUModuleOp>(op)) {
        candidates.push_back(&op);
      }
    }

    // Each candidate against the first of each class with its hash.
    llvm::MapVector<llvm::hash_code, SmallVector<Operation *, 1>> classes;
    DenseMap<Operation *, Operation *> canonical;
    for (Operation *op : candidates) {
      SmallVector<Operation *, 1> &firsts = classes[hashUpToNames(op)];
      Operation *match = nullptr;
      for (Operation *first : firsts)
        if (equalUpToNames(first, op) && sameDispatch(symbols, first, op)) {
          match = first;
          break;
        }
      if (match)
        canonical[op] = match;
      else
        firsts.push_back(op);
    }
    if (canonical.empty())
      return;

    // Symbol renames: each copy (and its dispatch declaration) to the first
    // of its class; the kernel entries of a gpu.module by position.
    DenseMap<StringAttr, StringAttr> renames;
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> entryRenames;
    for (auto [copy, first] : canonical) {
      auto copyName = SymbolTable::getSymbolName(copy);
      renames[copyName] = SymbolTable::getSymbolName(first);
      if (auto fn = dyn_cast<func::FuncOp>(copy)) {
        if (func::FuncOp dispatch = dispatchOf(symbols, fn))
          renames[dispatch.getSymNameAttr()] =
              dispatchOf(symbols, cast<func::FuncOp>(first)).getSymNameAttr();
        continue;
      }
      for (auto [from, to] :
           llvm::zip(entryNames(cast<gpu::GPUModuleOp>(copy)),
                     entryNames(cast<gpu::GPUModuleOp>(first))))
        entryRenames[{copyName, from}] = to;
    }

    // One walk over every reference outside the gpu.modules (their symbols
    // live in their own tables): calls, launches, any other attribute.
    AttrTypeReplacer replacer;
    replacer.addReplacement(
        [&](SymbolRefAttr ref) -> std::pair<Attribute, WalkResult> {
          auto it = renames.find(ref.getRootReference());
          if (it == renames.end())
            return {ref, WalkResult::skip()};
          SmallVector<FlatSymbolRefAttr> nested(ref.getNestedReferences());
          if (!nested.empty())
            if (StringAttr entry = entryRenames.lookup(
                    {ref.getRootReference(), nested.front().getAttr()}))
              nested.front() = FlatSymbolRefAttr::get(entry);
          return {SymbolRefAttr::get(it->second, nested), WalkResult::skip()};
        });
    for (auto [copy, first] : canonical)
      symbols.erase(copy);
    for (StringAttr name : llvm::make_first_range(renames))
      if (Operation *dispatch = symbols.lookup(name))
        symbols.erase(dispatch);
    module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::GPUModuleOp>(op))
        return WalkResult::skip();
      replacer.replaceElementsIn(op, /*replaceAttrs=*/true,
                                 /*replaceLocs=*/false, /*replaceTypes=*/false);
      return WalkResult::advance();
    });
  }

  /// The dispatch declaration of an outlined thread-pool kernel, if any.
  static func::FuncOp dispatchOf(SymbolTable &symbols, func::FuncOp kernel) {
    return symbols.lookup<func::FuncOp>(
        (Twine(mlir::ssm::kDispatchPrefix) + kernel.getSymName()).str());
  }

  /// Thread-pool kernels merge only when both or neither have a dispatch
  /// declaration, and the declarations agree.
  static bool sameDispatch(SymbolTable &symbols, Operation *a, Operation *b) {
    auto fnA = dyn_cast<func::FuncOp>(a), fnB = dyn_cast<func::FuncOp>(b);
    if (!fnA)
      return true;
    func::FuncOp da = dispatchOf(symbols, fnA), db = dispatchOf(symbols, fnB);
    if (!da || !db)
      return !da && !db;
    return da.getFunctionType() == db.getFunctionType() && da.isExternal() &&
           db.isExternal() && attrsWithoutName(da) == attrsWithoutName(db);
  }
};

} // namespace
