//===- ScalarAdjoint.cpp - reverse mode over straight-line scalar code ----===//
//
// One rule per arith/math op: given the adjoint `a` of the result `r`, add
// the partial derivative times `a` to each float operand. Non-smooth points
// (max/min ties, |x| at 0) send the whole adjoint to one side.
//
//===----------------------------------------------------------------------===//

#include "ScalarAdjoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ssm::autodiff;

void ScalarAdjoint::seed(Value v, Value adjoint) {
  if (!adjoint)
    return;
  Value &slot = adjoints[v];
  slot =
      slot ? arith::AddFOp::create(b, loc, slot, adjoint).getResult() : adjoint;
}

Value ScalarAdjoint::constant(Type type, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}

static bool hasFloatOperand(Operation *op) {
  return llvm::any_of(op->getOperandTypes(),
                      [](Type t) { return isa<FloatType>(t); });
}

LogicalResult ScalarAdjoint::run(ArrayRef<Operation *> ops,
                                 Operation *&unsupported) {
  for (Operation *op : llvm::reverse(ops)) {
    if (llvm::none_of(op->getResults(), [&](Value r) { return get(r); }))
      continue;
    if (failed(visit(op))) {
      unsupported = op;
      return failure();
    }
  }
  return success();
}

LogicalResult ScalarAdjoint::visit(Operation *op) {
  // Ops with one float result: `a` is its adjoint, `r` the result.
  Value r = op->getNumResults() == 1 ? op->getResult(0) : Value();
  Value a = r ? get(r) : Value();
  Type t = r ? r.getType() : Type();
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulFOp::create(b, loc, x, y);
  };
  auto div = [&](Value x, Value y) -> Value {
    return arith::DivFOp::create(b, loc, x, y);
  };
  auto neg = [&](Value x) -> Value { return arith::NegFOp::create(b, loc, x); };
  auto select = [&](Value c, Value x, Value y) -> Value {
    return arith::SelectOp::create(b, loc, c, x, y);
  };
  auto cmp = [&](arith::CmpFPredicate p, Value x, Value y) -> Value {
    return arith::CmpFOp::create(b, loc, p, x, y);
  };
  // The first operand wins ties: max(x, y) sends `a` to x when x >= y.
  auto routeTies = [&](arith::CmpFPredicate firstWins) {
    Value x = op->getOperand(0), y = op->getOperand(1);
    Value first = cmp(firstWins, x, y), zero = constant(t, 0.0);
    seed(x, select(first, a, zero));
    seed(y, select(first, zero, a));
    return success();
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](arith::AddFOp o) {
        seed(o.getLhs(), a);
        seed(o.getRhs(), a);
        return success();
      })
      .Case([&](arith::SubFOp o) {
        seed(o.getLhs(), a);
        seed(o.getRhs(), neg(a));
        return success();
      })
      .Case([&](arith::MulFOp o) {
        seed(o.getLhs(), mul(a, o.getRhs()));
        seed(o.getRhs(), mul(a, o.getLhs()));
        return success();
      })
      .Case([&](arith::DivFOp o) {
        // d(x/y) = dx / y - (x/y) dy / y.
        seed(o.getLhs(), div(a, o.getRhs()));
        seed(o.getRhs(), neg(div(mul(a, r), o.getRhs())));
        return success();
      })
      .Case([&](arith::NegFOp o) {
        seed(o.getOperand(), neg(a));
        return success();
      })
      .Case<arith::MaximumFOp, arith::MaxNumFOp>(
          [&](Operation *) { return routeTies(arith::CmpFPredicate::OGE); })
      .Case<arith::MinimumFOp, arith::MinNumFOp>(
          [&](Operation *) { return routeTies(arith::CmpFPredicate::OLE); })
      .Case([&](arith::SelectOp o) {
        if (!isa<IntegerType>(o.getCondition().getType()))
          return failure();
        Value zero = constant(t, 0.0);
        seed(o.getTrueValue(), select(o.getCondition(), a, zero));
        seed(o.getFalseValue(), select(o.getCondition(), zero, a));
        return success();
      })
      .Case([&](arith::ExtFOp o) {
        seed(o.getIn(),
             arith::TruncFOp::create(b, loc, o.getIn().getType(), a));
        return success();
      })
      .Case([&](arith::TruncFOp o) {
        seed(o.getIn(), arith::ExtFOp::create(b, loc, o.getIn().getType(), a));
        return success();
      })
      .Case([&](math::ExpOp o) {
        seed(o.getOperand(), mul(a, r));
        return success();
      })
      .Case([&](math::Exp2Op o) {
        seed(o.getOperand(), mul(a, mul(r, constant(t, M_LN2))));
        return success();
      })
      .Case([&](math::ExpM1Op o) {
        seed(o.getOperand(),
             mul(a, arith::AddFOp::create(b, loc, r, constant(t, 1.0))));
        return success();
      })
      .Case([&](math::LogOp o) {
        seed(o.getOperand(), div(a, o.getOperand()));
        return success();
      })
      .Case([&](math::Log1pOp o) {
        Value x1 =
            arith::AddFOp::create(b, loc, o.getOperand(), constant(t, 1.0));
        seed(o.getOperand(), div(a, x1));
        return success();
      })
      .Case([&](math::Log2Op o) {
        seed(o.getOperand(), div(a, mul(o.getOperand(), constant(t, M_LN2))));
        return success();
      })
      .Case([&](math::Log10Op o) {
        seed(o.getOperand(), div(a, mul(o.getOperand(), constant(t, M_LN10))));
        return success();
      })
      .Case([&](math::TanhOp o) {
        // 1 - tanh^2.
        Value d = arith::SubFOp::create(b, loc, constant(t, 1.0), mul(r, r));
        seed(o.getOperand(), mul(a, d));
        return success();
      })
      .Case([&](math::SqrtOp o) {
        seed(o.getOperand(), div(mul(a, constant(t, 0.5)), r));
        return success();
      })
      .Case([&](math::RsqrtOp o) {
        // d x^{-1/2} = -1/2 x^{-3/2} = -1/2 r^3.
        Value r3 = mul(mul(r, r), r);
        seed(o.getOperand(), mul(a, mul(r3, constant(t, -0.5))));
        return success();
      })
      .Case([&](math::ErfOp o) {
        // 2/sqrt(pi) exp(-x^2).
        Value x = o.getOperand();
        Value e = math::ExpOp::create(b, loc, neg(mul(x, x)));
        seed(x, mul(a, mul(e, constant(t, M_2_SQRTPI))));
        return success();
      })
      .Case([&](math::AbsFOp o) {
        Value x = o.getOperand();
        seed(x, select(cmp(arith::CmpFPredicate::OGE, x, constant(t, 0.0)), a,
                       neg(a)));
        return success();
      })
      .Case([&](math::PowFOp o) {
        // d x^y = y x^(y-1) dx + x^y log(x) dy.
        Value x = o.getLhs(), y = o.getRhs();
        Value ym1 = arith::SubFOp::create(b, loc, y, constant(t, 1.0));
        seed(x, mul(a, mul(y, math::PowFOp::create(b, loc, x, ym1))));
        seed(y, mul(a, mul(r, math::LogOp::create(b, loc, x))));
        return success();
      })
      .Case([&](math::SinOp o) {
        seed(o.getOperand(),
             mul(a, math::CosOp::create(b, loc, o.getOperand())));
        return success();
      })
      .Case([&](math::CosOp o) {
        seed(o.getOperand(),
             neg(mul(a, math::SinOp::create(b, loc, o.getOperand()))));
        return success();
      })
      .Case([&](math::FmaOp o) {
        seed(o.getA(), mul(a, o.getB()));
        seed(o.getB(), mul(a, o.getA()));
        seed(o.getC(), a);
        return success();
      })
      // Piecewise constant: no derivative.
      .Case<math::FloorOp, math::CeilOp, math::RoundOp, math::RoundEvenOp,
            math::TruncOp>([&](Operation *) { return success(); })
      .Default([&](Operation *) {
        // Ops without float operands (constants, index arithmetic, casts
        // from integers) pass no derivative on.
        return success(!hasFloatOperand(op));
      });
}
