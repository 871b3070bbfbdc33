//===- LinalgAdjoint.cpp - adjoints of linalg structured ops --------------===//
//
// One rule for every linalg op on tensors (generic, the named contractions
// and convolutions, transpose, broadcast, fill, ...), from its indexing maps,
// iterator types and scalar payload. With loops l, inputs x_k read through
// maps M_k, and result adjoints dy_j read through the output maps O_j:
//
//   dx_k[p] = sum over { l : M_k(l) = p } of  d payload / d x_k  at l
//
// with the payload's reverse mode (ScalarAdjoint) seeded by dy_j(O_j(l)):
//  * all-parallel ops: every yielded value is seeded with its dy; an init
//    the payload reads is differentiated like an input;
//  * reductions (one result): the payload must be `acc + g(x)` (sum,
//    contraction, mean before its scale) or `max/min(acc, g(x))`; g is seeded
//    with dy, or with dy where g equals the result (max/min: every position
//    attaining it). The init's adjoint is dy (sum) or dy where init equals
//    the result (max/min).
//
// When M_k is a projected permutation, dx_k is one linalg.generic over the
// same loops, reading the forward operands and dy through their own maps,
// with M_k as output map: loops M_k drops become reductions (broadcasts sum
// their adjoint, contractions become the transposed contractions).
// Otherwise (strided / windowed reads: convolutions, im2col gathers, constant
// indices) dx_k is a gather: a generic over dx_k's own index space plus the
// loops M_k cannot determine, which solves M_k(l) = p for the others (with
// divisibility and bounds checks) and reads each operand with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "Adjoint.h"
#include "ScalarAdjoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineExprVisitor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::ssm::autodiff;

namespace {

enum class Combine { Add, Max, Min };

/// What the rule needs to know about one linalg op.
struct StructuredOp {
  linalg::LinalgOp op;
  unsigned numInputs = 0, numInits = 0;
  SmallVector<AffineMap> maps; // inputs, then inits
  SmallVector<int64_t> ranges; // static loop ranges
  Block *body = nullptr;
  bool hasAccArgs = false; // the payload has block arguments for the inits
  bool reduction = false;
  // Reductions: yield combine(acc, g).
  Combine combine = Combine::Add;
  Value g;

  BlockArgument accArg(unsigned j) const {
    return body->getArgument(numInputs + j);
  }
};

/// A linear form sum_d coeffs[d] * l_d + cst of the loop indices.
struct LinearForm {
  SmallVector<int64_t> coeffs;
  int64_t cst = 0;
};

bool linearize(AffineExpr e, int64_t scale, LinearForm &form) {
  if (auto d = dyn_cast<AffineDimExpr>(e)) {
    form.coeffs[d.getPosition()] += scale;
    return true;
  }
  if (auto c = dyn_cast<AffineConstantExpr>(e)) {
    form.cst += scale * c.getValue();
    return true;
  }
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return false;
  if (bin.getKind() == AffineExprKind::Add)
    return linearize(bin.getLHS(), scale, form) &&
           linearize(bin.getRHS(), scale, form);
  if (bin.getKind() == AffineExprKind::Mul) {
    if (auto c = dyn_cast<AffineConstantExpr>(bin.getRHS()))
      return linearize(bin.getLHS(), scale * c.getValue(), form);
    if (auto c = dyn_cast<AffineConstantExpr>(bin.getLHS()))
      return linearize(bin.getRHS(), scale * c.getValue(), form);
  }
  return false;
}

/// Index arithmetic on `index` values, folded where constant.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t k) {
    return k == 1 ? x : arith::MulIOp::create(b, loc, x, c(k)).getResult();
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value both(Value x, Value y) {
    if (!x)
      return y;
    return arith::AndIOp::create(b, loc, x, y);
  }
  Value clamp(Value x, int64_t hi) {
    Value lo = arith::MaxSIOp::create(b, loc, x, c(0));
    return arith::MinSIOp::create(b, loc, lo, c(hi - 1));
  }

  /// Evaluates `e` at the loop indices `l`.
  Value eval(AffineExpr e, ArrayRef<Value> l) {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      return l[d.getPosition()];
    if (auto k = dyn_cast<AffineConstantExpr>(e))
      return c(k.getValue());
    auto bin = cast<AffineBinaryOpExpr>(e);
    Value x = eval(bin.getLHS(), l), y = eval(bin.getRHS(), l);
    switch (bin.getKind()) {
    case AffineExprKind::Add:
      return add(x, y);
    case AffineExprKind::Mul:
      return arith::MulIOp::create(b, loc, x, y);
    case AffineExprKind::FloorDiv:
      return arith::FloorDivSIOp::create(b, loc, x, y);
    case AffineExprKind::CeilDiv:
      return arith::CeilDivSIOp::create(b, loc, x, y);
    case AffineExprKind::Mod: {
      Value r = arith::RemSIOp::create(b, loc, x, y);
      Value neg = cmp(arith::CmpIPredicate::slt, r, c(0));
      return arith::SelectOp::create(b, loc, neg, add(r, y), r);
    }
    default:
      llvm_unreachable("not a binary affine expression");
    }
  }
  SmallVector<Value> eval(AffineMap map, ArrayRef<Value> l) {
    SmallVector<Value> values;
    for (AffineExpr e : map.getResults())
      values.push_back(eval(e, l));
    return values;
  }
};

/// How a gather recovers the forward loop indices l from the index p of the
/// differentiated operand and the loops it iterates over itself (`free`).
struct LoopSolution {
  /// Loops iterated by the gather, in order (after p's dimensions).
  SmallVector<unsigned> freeLoops;
  /// l[loop] from p[result] (in this order): loop = (p[result] - (form
  /// without loop)) / coeff.
  struct Step {
    unsigned loop, result;
    LinearForm form;
    /// Non-overlapping windows `c * loop + window` with window < c: both
    /// from p[result] (loop = q floordiv c, window = q mod c).
    int window = -1;
  };
  SmallVector<Step> steps;
  /// Results that only constrain: p[result] == form(l).
  SmallVector<std::pair<unsigned, LinearForm>> checks;
};

FailureOr<LoopSolution> solveLoops(AffineMap map, ArrayRef<int64_t> ranges) {
  unsigned numLoops = map.getNumDims();
  enum : int { kUnknown = -1, kFree = -2 };
  SmallVector<int> how(numLoops, kUnknown);
  LoopSolution s;
  SmallVector<std::optional<LinearForm>> forms;
  for (AffineExpr e : map.getResults()) {
    LinearForm form;
    form.coeffs.assign(numLoops, 0);
    forms.push_back(linearize(e, 1, form) ? std::optional(form) : std::nullopt);
    if (!forms.back())
      return failure();
  }
  // Plain loop indices first, then the compound expressions.
  for (auto [r, e] : llvm::enumerate(map.getResults())) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      continue;
    if (how[d.getPosition()] == kUnknown) {
      how[d.getPosition()] = s.steps.size();
      s.steps.push_back({d.getPosition(), unsigned(r), *forms[r]});
    } else {
      s.checks.push_back({unsigned(r), *forms[r]});
    }
  }
  for (auto [r, e] : llvm::enumerate(map.getResults())) {
    if (isa<AffineDimExpr>(e))
      continue;
    const LinearForm &form = *forms[r];
    // c * a + b (+ cst) with b < c (patch embeddings, stride = kernel):
    // one window per p, no loop left to iterate.
    SmallVector<unsigned> terms;
    for (unsigned d = 0; d < numLoops; ++d)
      if (form.coeffs[d] != 0)
        terms.push_back(d);
    if (terms.size() == 2 && how[terms[0]] == kUnknown &&
        how[terms[1]] == kUnknown) {
      unsigned a = terms[0], w = terms[1];
      if (form.coeffs[a] == 1)
        std::swap(a, w);
      if (form.coeffs[w] == 1 && form.coeffs[a] > 1 &&
          ranges[w] <= form.coeffs[a]) {
        how[a] = how[w] = s.steps.size();
        s.steps.push_back({a, unsigned(r), form, int(w)});
        continue;
      }
    }
    // Otherwise solve for the longest loop (the others are iterated: a conv
    // input's adjoint iterates over the kernel window, not the output), a
    // unit coefficient (no divisibility test) breaking ties.
    int best = -1;
    for (unsigned d = 0; d < numLoops; ++d) {
      if (form.coeffs[d] == 0 || how[d] != kUnknown)
        continue;
      auto key = [&](unsigned x) {
        return std::make_pair(ranges[x], std::abs(form.coeffs[x]) == 1);
      };
      if (best < 0 || key(d) > key(best))
        best = d;
    }
    if (best < 0) {
      s.checks.push_back({unsigned(r), form});
      continue;
    }
    for (unsigned d = 0; d < numLoops; ++d)
      if (form.coeffs[d] != 0 && how[d] == kUnknown && int(d) != best)
        how[d] = kFree;
    how[best] = s.steps.size();
    s.steps.push_back({unsigned(best), unsigned(r), form});
  }
  for (unsigned d = 0; d < numLoops; ++d)
    if (how[d] == kUnknown || how[d] == kFree)
      s.freeLoops.push_back(d);
  return s;
}

std::string printed(AffineMap map) {
  std::string s;
  llvm::raw_string_ostream os(s);
  map.print(os);
  return s;
}

utils::IteratorType par() { return utils::IteratorType::parallel; }
utils::IteratorType red() { return utils::IteratorType::reduction; }

class LinalgAdjoint {
public:
  LinalgAdjoint(StructuredOp &s, AdjointEmitter &e)
      : s(s), e(e), b(e.builder()), loc(s.op.getLoc()) {}

  /// The adjoint of operand `t` (input, or init of an all-parallel op);
  /// null when the payload does not depend on it.
  FailureOr<Value> operandAdjoint(unsigned t);
  /// The adjoint of init `j` of a reduction.
  Value reductionInitAdjoint(unsigned j);

private:
  Value zeroScalar(Type t) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, 0.0));
  }
  /// Clones the payload (block arguments and linalg.index results already
  /// mapped in `bm`), seeds it from the result adjoints `dys` (by result)
  /// and `results` (the forward results, for max/min), and returns the
  /// adjoint of `target` (zero when none; `none` is then set).
  Value differentiatePayload(OpBuilder &nb, IRMapping &bm, ArrayRef<Value> dys,
                             ArrayRef<Value> results, BlockArgument target,
                             bool &none);
  FailureOr<Value> projected(unsigned t);
  FailureOr<Value> gathered(unsigned t);

  StructuredOp &s;
  AdjointEmitter &e;
  OpBuilder &b;
  Location loc;
  Operation *unsupported = nullptr;
};

Value LinalgAdjoint::differentiatePayload(OpBuilder &nb, IRMapping &bm,
                                          ArrayRef<Value> dys,
                                          ArrayRef<Value> results,
                                          BlockArgument target, bool &none) {
  // Values the payload captures from the function body: their copies in the
  // gradient function.
  s.body->walk([&](Operation *op) {
    for (Value v : op->getOperands())
      if (!bm.contains(v) &&
          !s.body->getParent()->isAncestor(v.getParentRegion()))
        bm.map(v, e.primal(v));
  });
  SmallVector<Operation *> cloned;
  for (Operation &op : s.body->without_terminator()) {
    if (op.getNumResults() == 1 && bm.contains(op.getResult(0)))
      continue; // linalg.index, mapped by the caller
    cloned.push_back(nb.clone(op, bm));
  }
  ScalarAdjoint sa(nb, loc);
  Operation *yield = s.body->getTerminator();
  if (!s.reduction) {
    for (auto [j, dy] : llvm::enumerate(dys))
      if (dy)
        sa.seed(bm.lookupOrDefault(yield->getOperand(j)), dy);
  } else if (s.combine == Combine::Add) {
    sa.seed(bm.lookupOrDefault(s.g), dys[0]);
  } else {
    Value g = bm.lookupOrDefault(s.g);
    Value hit = arith::CmpFOp::create(nb, loc, arith::CmpFPredicate::OEQ, g,
                                      results[0]);
    sa.seed(g, arith::SelectOp::create(
                   nb, loc, hit, dys[0],
                   arith::ConstantOp::create(
                       nb, loc, nb.getFloatAttr(g.getType(), 0.0))));
  }
  Operation *bad = nullptr;
  if (failed(sa.run(cloned, bad)))
    unsupported = bad;
  Value adj = sa.get(bm.lookupOrDefault(target));
  none = !adj;
  if (!adj)
    adj = arith::ConstantOp::create(nb, loc,
                                    nb.getFloatAttr(target.getType(), 0.0));
  return adj;
}

FailureOr<Value> LinalgAdjoint::operandAdjoint(unsigned t) {
  AffineMap map = s.maps[t];
  Value v = s.op->getOperand(t);
  if (!isa<RankedTensorType>(v.getType()))
    return Value();
  FailureOr<Value> adj =
      map.isProjectedPermutation() ? projected(t) : gathered(t);
  if (unsupported) {
    s.op->emitOpError("ssm-autodiff: no adjoint for '")
        << unsupported->getName() << "' in the payload";
    if (succeeded(adj) && *adj)
      adj->getDefiningOp()->erase();
    return failure();
  }
  return adj;
}

/// dx_t through the same loops, M_t as output map.
FailureOr<Value> LinalgAdjoint::projected(unsigned t) {
  AffineMap outMap = s.maps[t];
  auto type = cast<RankedTensorType>(s.op->getOperand(t).getType());
  unsigned numLoops = outMap.getNumDims();

  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  // Block argument -> position in `ins`.
  DenseMap<unsigned, unsigned> argPos;
  for (unsigned k = 0; k < s.numInputs; ++k) {
    argPos[k] = ins.size();
    ins.push_back(e.primal(s.op->getOperand(k)));
    maps.push_back(s.maps[k]);
  }
  for (unsigned j = 0; j < s.numInits; ++j) {
    if (!s.hasAccArgs)
      break;
    // Reductions see the final result in place of the accumulator; other
    // ops the init, when their payload reads it.
    Value acc = s.reduction ? e.primal(s.op->getResult(j))
                            : (s.accArg(j).use_empty()
                                   ? Value()
                                   : e.primal(s.op.getDpsInits()[j]));
    if (!acc)
      continue;
    argPos[s.numInputs + j] = ins.size();
    ins.push_back(acc);
    maps.push_back(s.maps[s.numInputs + j]);
  }
  SmallVector<int> dyPos;
  for (unsigned j = 0; j < s.numInits; ++j) {
    Value dy = e.adjoint(s.op->getResult(j));
    dyPos.push_back(dy ? int(ins.size()) : -1);
    if (dy) {
      ins.push_back(dy);
      maps.push_back(s.maps[s.numInputs + j]);
    }
  }
  maps.push_back(outMap);

  SmallVector<utils::IteratorType> iterators(numLoops, red());
  for (AffineExpr r : outMap.getResults())
    iterators[cast<AffineDimExpr>(r).getPosition()] = par();
  bool accumulates = llvm::is_contained(iterators, red());
  Value init = accumulates ? e.zeros(loc, type)
                           : tensor::EmptyOp::create(b, loc, type.getShape(),
                                                     type.getElementType())
                                 .getResult();
  bool none = false;
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ins, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        IRMapping bm;
        for (auto [arg, pos] : argPos)
          bm.map(s.body->getArgument(arg), args[pos]);
        SmallVector<Value> dys, results;
        for (unsigned j = 0; j < s.numInits; ++j) {
          dys.push_back(dyPos[j] >= 0 ? args[dyPos[j]] : Value());
          results.push_back(s.reduction && s.hasAccArgs
                                ? args[argPos[s.numInputs + j]]
                                : Value());
        }
        Value adj = differentiatePayload(nb, bm, dys, results,
                                         s.body->getArgument(t), none);
        if (accumulates)
          adj = arith::AddFOp::create(nb, nloc, args.back(), adj);
        linalg::YieldOp::create(nb, nloc, ValueRange{adj});
      });
  if (none) {
    generic->erase();
    return Value();
  }
  return generic.getResult(0);
}

/// dx_t as a gather over dx_t's index space p and the free loops.
FailureOr<Value> LinalgAdjoint::gathered(unsigned t) {
  AffineMap map = s.maps[t];
  auto type = cast<RankedTensorType>(s.op->getOperand(t).getType());
  FailureOr<LoopSolution> solution = solveLoops(map, s.ranges);
  if (failed(solution))
    return s.op->emitOpError("ssm-autodiff: cannot invert indexing map ")
           << printed(map) << " (only sums of scaled loop indices)";
  unsigned rank = type.getRank(), numLoops = map.getNumDims();
  unsigned numFree = solution->freeLoops.size();
  unsigned gLoops = rank + numFree;
  MLIRContext *ctx = b.getContext();

  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  if (numFree) {
    // The free loops' extents, for the loop range inference.
    SmallVector<int64_t> shape;
    for (unsigned d : solution->freeLoops)
      shape.push_back(s.ranges[d]);
    ins.push_back(
        tensor::EmptyOp::create(b, loc, shape, type.getElementType()));
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < numFree; ++i)
      exprs.push_back(getAffineDimExpr(rank + i, ctx));
    maps.push_back(AffineMap::get(gLoops, 0, exprs, ctx));
  }
  SmallVector<AffineExpr> pExprs;
  for (unsigned i = 0; i < rank; ++i)
    pExprs.push_back(getAffineDimExpr(i, ctx));
  maps.push_back(AffineMap::get(gLoops, 0, pExprs, ctx));
  SmallVector<utils::IteratorType> iterators(rank, par());
  iterators.append(numFree, red());
  Value init = numFree ? e.zeros(loc, type)
                       : tensor::EmptyOp::create(b, loc, type.getShape(),
                                                 type.getElementType())
                             .getResult();

  // Forward tensors read at l.
  SmallVector<Value> operands, dys, results;
  for (unsigned k = 0; k < s.numInputs; ++k)
    operands.push_back(e.primal(s.op->getOperand(k)));
  for (unsigned j = 0; j < s.numInits; ++j) {
    dys.push_back(e.adjoint(s.op->getResult(j)));
    Value acc;
    if (s.hasAccArgs)
      acc = s.reduction
                ? e.primal(s.op->getResult(j))
                : (s.accArg(j).use_empty() ? Value()
                                           : e.primal(s.op.getDpsInits()[j]));
    operands.push_back(acc);
  }

  bool none = false;
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ins, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        IndexMath im{nb, nloc};
        SmallVector<Value> idx;
        for (unsigned i = 0; i < gLoops; ++i)
          idx.push_back(linalg::IndexOp::create(nb, nloc, i));
        SmallVector<Value> l(numLoops);
        for (auto [i, d] : llvm::enumerate(solution->freeLoops))
          l[d] = idx[rank + i];
        Value valid;
        auto sumOthers = [&](const LinearForm &form, int skip) {
          Value sum = im.c(form.cst);
          for (unsigned d = 0; d < numLoops; ++d)
            if (form.coeffs[d] != 0 && int(d) != skip)
              sum = im.add(sum, im.mul(l[d], form.coeffs[d]));
          return sum;
        };
        auto inRange = [&](Value x, int64_t range) {
          valid = im.both(valid, im.cmp(arith::CmpIPredicate::sge, x, im.c(0)));
          valid =
              im.both(valid, im.cmp(arith::CmpIPredicate::slt, x, im.c(range)));
          return im.clamp(x, range);
        };
        for (const LoopSolution::Step &step : solution->steps) {
          Value p = idx[step.result];
          if (step.window >= 0) {
            int64_t c = step.form.coeffs[step.loop];
            Value q = im.sub(p, im.c(step.form.cst));
            Value a = arith::FloorDivSIOp::create(nb, nloc, q, im.c(c));
            Value w = im.sub(q, im.mul(a, c));
            l[step.loop] = inRange(a, s.ranges[step.loop]);
            l[step.window] = inRange(w, s.ranges[step.window]);
            continue;
          }
          int64_t coeff = step.form.coeffs[step.loop];
          Value num = im.sub(p, sumOthers(step.form, step.loop));
          Value x = num;
          if (coeff != 1) {
            if (std::abs(coeff) != 1) {
              Value rem = arith::RemSIOp::create(nb, nloc, num, im.c(coeff));
              valid = im.both(valid,
                              im.cmp(arith::CmpIPredicate::eq, rem, im.c(0)));
            }
            x = arith::DivSIOp::create(nb, nloc, num, im.c(coeff));
          }
          int64_t range = s.ranges[step.loop];
          bool pure = isa<AffineDimExpr>(map.getResult(step.result));
          if (!pure || type.getDimSize(step.result) > range)
            x = inRange(x, range);
          l[step.loop] = x;
        }
        for (auto &[r, form] : solution->checks)
          valid = im.both(valid, im.cmp(arith::CmpIPredicate::eq, idx[r],
                                        sumOthers(form, -1)));

        // The payload at l: operands, accumulators and adjoints by extract.
        IRMapping bm;
        auto read = [&](Value tensor, AffineMap m) -> Value {
          if (!isa<RankedTensorType>(tensor.getType()))
            return tensor;
          return tensor::ExtractOp::create(nb, nloc, tensor, im.eval(m, l));
        };
        for (unsigned k = 0; k < s.numInputs; ++k)
          bm.map(s.body->getArgument(k), read(operands[k], s.maps[k]));
        SmallVector<Value> dyScalars, resultScalars;
        for (unsigned j = 0; j < s.numInits; ++j) {
          AffineMap outMap = s.maps[s.numInputs + j];
          Value acc = operands[s.numInputs + j];
          Value accScalar = acc ? read(acc, outMap) : Value();
          if (accScalar)
            bm.map(s.accArg(j), accScalar);
          resultScalars.push_back(s.reduction ? accScalar : Value());
          dyScalars.push_back(dys[j] ? read(dys[j], outMap) : Value());
        }
        for (Operation &op : s.body->without_terminator())
          if (auto index = dyn_cast<linalg::IndexOp>(op))
            bm.map(index.getResult(), l[index.getDim()]);
        Value adj = differentiatePayload(nb, bm, dyScalars, resultScalars,
                                         s.body->getArgument(t), none);
        if (valid)
          adj = arith::SelectOp::create(nb, nloc, valid, adj,
                                        zeroScalar(adj.getType()));
        if (numFree)
          adj = arith::AddFOp::create(nb, nloc, args.back(), adj);
        linalg::YieldOp::create(nb, nloc, ValueRange{adj});
      });
  if (none) {
    generic->erase();
    return Value();
  }
  return generic.getResult(0);
}

Value LinalgAdjoint::reductionInitAdjoint(unsigned j) {
  Value dy = e.adjoint(s.op->getResult(j));
  if (!dy || s.combine == Combine::Add)
    return dy;
  // max/min: the init survives where it equals the result.
  auto type = cast<RankedTensorType>(dy.getType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  SmallVector<utils::IteratorType> iterators(type.getRank(), par());
  Value init = e.primal(s.op.getDpsInits()[j]);
  Value result = e.primal(s.op->getResult(j));
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{init, result, dy},
             ValueRange{empty}, ArrayRef<AffineMap>{id, id, id, id}, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value hit = arith::CmpFOp::create(
                   nb, nloc, arith::CmpFPredicate::OEQ, args[0], args[1]);
               Value adj = arith::SelectOp::create(
                   nb, nloc, hit, args[2], zeroScalar(args[2].getType()));
               linalg::YieldOp::create(nb, nloc, ValueRange{adj});
             })
      .getResult(0);
}

/// Fills `s` from `op`; a diagnostic on what the rule cannot handle.
LogicalResult analyze(linalg::LinalgOp op, StructuredOp &s) {
  s.op = op;
  if (!op.hasPureTensorSemantics())
    return op->emitOpError("ssm-autodiff: needs tensor operands");
  s.numInputs = op.getNumDpsInputs();
  s.numInits = op.getNumDpsInits();
  s.maps = op.getIndexingMapsArray();
  s.ranges = op.getStaticLoopRanges();
  if (llvm::any_of(s.ranges, ShapedType::isDynamic))
    return op->emitOpError("ssm-autodiff: needs static loop bounds");
  s.body = op.getBlock();
  s.hasAccArgs = s.body->getNumArguments() == s.numInputs + s.numInits;
  if (!s.hasAccArgs && s.body->getNumArguments() != s.numInputs)
    return op->emitOpError("ssm-autodiff: unexpected payload arguments");
  s.reduction = op.getNumReductionLoops() > 0;
  for (unsigned j = 0; j < s.numInits; ++j) {
    AffineMap m = s.maps[s.numInputs + j];
    if (!m.isProjectedPermutation() || (!s.reduction && !m.isPermutation()))
      return op->emitOpError("ssm-autodiff: output indexing map ")
             << printed(m) << " is not a permutation of the parallel loops";
  }
  if (!s.reduction)
    return success();

  // Reductions: yield combine(acc, g(inputs)).
  auto fail = [&]() {
    return op->emitOpError(
        "ssm-autodiff: reduction payload must yield acc + f(inputs), "
        "max(acc, f(inputs)) or min(acc, f(inputs))");
  };
  if (s.numInits != 1 || !s.hasAccArgs)
    return fail();
  BlockArgument acc = s.accArg(0);
  Operation *combine = s.body->getTerminator()->getOperand(0).getDefiningOp();
  if (!combine || combine->getBlock() != s.body || !acc.hasOneUse() ||
      acc.getUses().begin()->getOwner() != combine ||
      combine->getNumOperands() != 2)
    return fail();
  if (isa<arith::AddFOp>(combine))
    s.combine = Combine::Add;
  else if (isa<arith::MaximumFOp, arith::MaxNumFOp>(combine))
    s.combine = Combine::Max;
  else if (isa<arith::MinimumFOp, arith::MinNumFOp>(combine))
    s.combine = Combine::Min;
  else
    return fail();
  s.g = combine->getOperand(0) == acc ? combine->getOperand(1)
                                      : combine->getOperand(0);
  if (s.g == acc)
    return fail();
  return success();
}

} // namespace

LogicalResult mlir::ssm::autodiff::emitLinalgAdjoint(linalg::LinalgOp op,
                                                     AdjointEmitter &e) {
  StructuredOp s;
  if (failed(analyze(op, s)))
    return failure();
  LinalgAdjoint rule(s, e);
  for (unsigned k = 0; k < s.numInputs; ++k) {
    if (!e.isActive(op->getOperand(k)))
      continue;
    if (!isa<RankedTensorType>(op->getOperand(k).getType()))
      return op->emitOpError("ssm-autodiff: cannot differentiate a scalar "
                             "operand; derivatives flow through tensors only");
    FailureOr<Value> adj = rule.operandAdjoint(k);
    if (failed(adj))
      return failure();
    e.accumulate(op->getOperand(k), *adj);
  }
  for (unsigned j = 0; j < s.numInits; ++j) {
    Value init = op.getDpsInits()[j];
    if (!e.isActive(init))
      continue;
    if (s.reduction) {
      e.accumulate(init, rule.reductionInitAdjoint(j));
      continue;
    }
    if (!s.hasAccArgs || s.accArg(j).use_empty())
      continue; // overwritten: no derivative
    FailureOr<Value> adj = rule.operandAdjoint(s.numInputs + j);
    if (failed(adj))
      return failure();
    e.accumulate(init, *adj);
  }
  return success();
}
