//===- Autodiff.cpp - the reverse sweep and the ssm-autodiff pass ---------===//
//
// differentiateFunction() builds `<f>_grad`:
//  1. activity: a value is active when it depends on a differentiated
//     argument (varied) and a result depends on it (useful); only active
//     values get adjoints;
//  2. the forward body is cloned into the gradient function (every forward
//     value stays available to the adjoints);
//  3. the result adjoints (extra arguments) seed the sweep, which visits the
//     forward ops in reverse and lets each op's rule turn its results'
//     adjoints into its operands' (summing over multiple uses);
//  4. the gradient function returns the results and the arguments' adjoints.
//
//===----------------------------------------------------------------------===//

#include "Adjoint.h"
#include "Rematerialize.h"

#include "ssm/Autodiff/Autodiff.h"
#include "ssm/Autodiff/Passes.h"
#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/DenseSet.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_AUTODIFF
#include "ssm/Autodiff/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
using namespace mlir::ssm;
using namespace mlir::ssm::autodiff;

//===----------------------------------------------------------------------===//
// Helpers shared by the rules
//===----------------------------------------------------------------------===//

Value AdjointEmitter::zeros(Location loc, RankedTensorType type) {
  OpBuilder &b = builder();
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value zero = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(type.getElementType(), 0.0));
  return linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
      .getResult(0);
}

Value AdjointEmitter::add(Location loc, Value x, Value y) {
  OpBuilder &b = builder();
  auto type = cast<RankedTensorType>(x.getType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x, y}, ValueRange{empty},
             ArrayRef<AffineMap>{id, id, id}, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc,
                   ValueRange{arith::AddFOp::create(nb, nloc, args[0], args[1])
                                  .getResult()});
             })
      .getResult(0);
}

SmallVector<OpFoldResult>
AdjointEmitter::primal(ArrayRef<OpFoldResult> values) {
  SmallVector<OpFoldResult> mapped;
  for (OpFoldResult v : values) {
    if (auto value = dyn_cast<Value>(v))
      mapped.push_back(primal(value));
    else
      mapped.push_back(v);
  }
  return mapped;
}

//===----------------------------------------------------------------------===//
// The reverse sweep
//===----------------------------------------------------------------------===//

SmallVector<Value> mlir::ssm::autodiff::inputsOf(Operation *op) {
  SmallVector<Value> inputs(op->getOperands());
  if (op->getNumRegions()) {
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(op->getRegions(), captured);
    inputs.append(captured.begin(), captured.end());
  }
  return inputs;
}

namespace {

/// Float scalars and ranked float tensors carry derivatives.
bool isDifferentiable(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return isa<FloatType>(tensor.getElementType());
  return isa<FloatType>(type);
}

class Differentiator : public AdjointEmitter {
public:
  Differentiator(func::FuncOp fn, const DifferentiateOptions &options)
      : fn(fn), options(options), b(fn.getContext()) {}

  FailureOr<func::FuncOp> run();

  OpBuilder &builder() override { return b; }
  Value primal(Value forward) override {
    return mapping.lookupOrDefault(forward);
  }
  Value adjoint(Value forwardResult) override {
    return adjoints.lookup(forwardResult);
  }
  bool isActive(Value forward) override {
    return varied.contains(forward) && useful.contains(forward);
  }
  void accumulate(Value forward, Value adj) override {
    if (!adj)
      return;
    Value &slot = adjoints[forward];
    slot = slot ? add(adj.getLoc(), slot, adj) : adj;
  }

private:
  LogicalResult analyzeActivity(ArrayRef<unsigned> wrt);
  LogicalResult visit(Operation *op);

  func::FuncOp fn;
  const DifferentiateOptions &options;
  OpBuilder b;
  IRMapping mapping;
  DenseMap<Value, Value> adjoints;
  DenseSet<Value> varied, useful;
};

} // namespace

LogicalResult Differentiator::analyzeActivity(ArrayRef<unsigned> wrt) {
  Block &body = fn.getBody().front();
  for (unsigned i : wrt)
    varied.insert(body.getArgument(i));
  for (Operation &op : body.without_terminator()) {
    if (llvm::none_of(inputsOf(&op),
                      [&](Value v) { return varied.contains(v); }))
      continue;
    for (Value r : op.getResults())
      if (isDifferentiable(r.getType()))
        varied.insert(r);
  }
  for (Value r : body.getTerminator()->getOperands())
    if (isDifferentiable(r.getType()))
      useful.insert(r);
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    if (llvm::none_of(op.getResults(),
                      [&](Value r) { return useful.contains(r); }))
      continue;
    for (Value v : inputsOf(&op))
      if (isDifferentiable(v.getType()))
        useful.insert(v);
  }
  return success();
}

LogicalResult Differentiator::visit(Operation *op) {
  bool needed = false;
  for (Value r : op->getResults()) {
    if (!isActive(r) || !adjoint(r))
      continue;
    if (!isa<RankedTensorType>(r.getType()))
      return op->emitOpError(
          "ssm-autodiff: cannot differentiate a scalar result; derivatives "
          "flow through tensors only");
    needed = true;
  }
  if (!needed)
    return success();
  // Region payloads are differentiated per op; a value they capture from the
  // function body would need a derivative of its own.
  SmallVector<Value> inputs = inputsOf(op);
  for (Value v : ArrayRef(inputs).drop_front(op->getNumOperands()))
    if (isActive(v))
      return op->emitOpError("ssm-autodiff: its region captures a value that "
                             "carries a derivative");

  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return emitLinalgAdjoint(linalgOp, *this);
  if (std::optional<LogicalResult> done = emitTensorAdjoint(op, *this))
    return *done;
  if (std::optional<LogicalResult> done = emitSSMAdjoint(op, *this))
    return *done;
  return op->emitOpError("ssm-autodiff: no adjoint for '")
         << op->getName() << "'";
}

FailureOr<func::FuncOp> Differentiator::run() {
  // Callers outside a pass manager (no dependentDialects) may not have them.
  fn.getContext()
      ->loadDialect<arith::ArithDialect, linalg::LinalgDialect,
                    math::MathDialect, tensor::TensorDialect, SSMDialect>();
  if (!fn.getBody().hasOneBlock())
    return fn.emitOpError("ssm-autodiff: needs a function with one block");
  Block &body = fn.getBody().front();
  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!ret)
    return fn.emitOpError("ssm-autodiff: the body must end in func.return");

  SmallVector<unsigned> wrt(options.wrt);
  if (wrt.empty()) {
    for (BlockArgument arg : body.getArguments())
      if (isa<RankedTensorType>(arg.getType()) &&
          isDifferentiable(arg.getType()))
        wrt.push_back(arg.getArgNumber());
  }
  for (unsigned i : wrt)
    if (i >= body.getNumArguments() ||
        !isa<RankedTensorType>(body.getArgument(i).getType()) ||
        !isDifferentiable(body.getArgument(i).getType()))
      return fn.emitOpError("ssm-autodiff: argument ")
             << i << " is not a floating-point tensor argument";

  std::string name = (fn.getSymName() + options.suffix).str();
  auto module = fn->getParentOfType<ModuleOp>();
  if (module && SymbolTable::lookupSymbolIn(module, name))
    return fn.emitOpError("ssm-autodiff: '") << name << "' already exists";

  // Signature: (args..., adjoint of each float tensor result) ->
  // (results..., gradient of each differentiated argument).
  FunctionType type = fn.getFunctionType();
  SmallVector<Type> argTypes(type.getInputs());
  SmallVector<int> resultAdjointArg;
  for (Type t : type.getResults()) {
    bool tensor = isa<RankedTensorType>(t) && isDifferentiable(t);
    resultAdjointArg.push_back(tensor ? int(argTypes.size()) : -1);
    if (tensor)
      argTypes.push_back(t);
  }
  SmallVector<Type> resultTypes;
  if (options.keepResults)
    resultTypes.append(type.getResults().begin(), type.getResults().end());
  for (unsigned i : wrt)
    resultTypes.push_back(type.getInput(i));

  if (failed(analyzeActivity(wrt)))
    return failure();

  b.setInsertionPointAfter(fn);
  auto grad = func::FuncOp::create(b, fn.getLoc(), name,
                                   b.getFunctionType(argTypes, resultTypes));
  Block *entry = grad.addEntryBlock();
  for (BlockArgument arg : body.getArguments())
    mapping.map(arg, entry->getArgument(arg.getArgNumber()));
  b.setInsertionPointToStart(entry);
  for (Operation &op : body.without_terminator())
    b.clone(op, mapping);

  // Seed with the result adjoints, then sweep backwards.
  for (auto [j, r] : llvm::enumerate(ret.getOperands()))
    if (resultAdjointArg[j] >= 0 && isActive(r))
      accumulate(r, entry->getArgument(resultAdjointArg[j]));
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    if (failed(visit(&op))) {
      grad.erase();
      return failure();
    }
  }

  SmallVector<Value> returned;
  if (options.keepResults)
    for (Value r : ret.getOperands())
      returned.push_back(primal(r));
  for (unsigned i : wrt) {
    Value adj = adjoints.lookup(body.getArgument(i));
    returned.push_back(
        adj ? adj
            : zeros(fn.getLoc(), cast<RankedTensorType>(type.getInput(i))));
  }
  func::ReturnOp::create(b, ret.getLoc(), returned);

  // Drop the forward values and payload code no adjoint reads, and the
  // operands adjoint generics do not use.
  auto cleanUp = [&] {
    RewritePatternSet patterns(fn.getContext());
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    (void)applyPatternsGreedily(grad, std::move(patterns));
  };
  cleanUp();
  // The memory policy: cheap values the backward reads are computed again
  // there rather than kept across the forward (then their forward copies
  // may be dead).
  if (options.recompute) {
    SmallVector<BlockArgument> resultAdjoints;
    for (int index : resultAdjointArg)
      if (index >= 0)
        resultAdjoints.push_back(entry->getArgument(index));
    if (rematerializeForBackward(grad, resultAdjoints,
                                 kCheapReductionElements) > 0)
      cleanUp();
  }

  // Names for the entry signature: arguments keep theirs; adjoints and
  // gradients are `<name>.grad`.
  auto nameOf = [](StringAttr attr, const Twine &suffix) {
    return StringAttr::get(attr.getContext(), attr.getValue() + suffix);
  };
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    grad.setArgAttrs(i, fn.getArgAttrDict(i));
  for (auto [j, argIndex] : llvm::enumerate(resultAdjointArg))
    if (argIndex >= 0)
      if (auto n = fn.getResultAttrOfType<StringAttr>(j, kNameAttr))
        grad.setArgAttr(argIndex, kNameAttr, nameOf(n, ".grad"));
  unsigned next = 0;
  if (options.keepResults)
    for (; next < fn.getNumResults(); ++next)
      grad.setResultAttrs(next, fn.getResultAttrDict(next));
  for (unsigned i : wrt) {
    if (auto n = fn.getArgAttrOfType<StringAttr>(i, kNameAttr))
      grad.setResultAttr(next, kNameAttr, nameOf(n, ".grad"));
    ++next;
  }
  return grad;
}

FailureOr<func::FuncOp>
mlir::ssm::differentiateFunction(func::FuncOp fn,
                                 const DifferentiateOptions &options) {
  return Differentiator(fn, options).run();
}

LogicalResult
mlir::ssm::differentiateModule(ModuleOp module,
                               const DifferentiateOptions &options) {
  SmallVector<func::FuncOp> functions;
  for (auto fn : module.getOps<func::FuncOp>()) {
    StringRef name = fn.getSymName();
    bool isGradient =
        name.ends_with(options.suffix) &&
        module.lookupSymbol(name.drop_back(options.suffix.size()));
    if (fn.isPublic() && !fn.isExternal() && !isGradient &&
        !module.lookupSymbol((name + options.suffix).str()))
      functions.push_back(fn);
  }
  for (func::FuncOp fn : functions)
    if (failed(differentiateFunction(fn, options)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct AutodiffPass : mlir::ssm::impl::AutodiffBase<AutodiffPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    DifferentiateOptions options;
    options.wrt.assign(wrt.begin(), wrt.end());
    options.keepResults = keepResults;
    options.recompute = recompute;

    if (function.empty()) {
      if (failed(differentiateModule(module, options)))
        signalPassFailure();
      return;
    }
    auto fn = module.lookupSymbol<func::FuncOp>(function);
    if (!fn || fn.isExternal()) {
      module.emitError("ssm-autodiff: no function '") << function << "'";
      return signalPassFailure();
    }
    if (failed(differentiateFunction(fn, options)))
      signalPassFailure();
  }
};
} // namespace
