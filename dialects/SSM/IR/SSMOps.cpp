//===- SSMOps.cpp - ssm operations: verifiers, type inference, folds --===//
//
// Every operator infers its result types from its operands, so IR never spells
// them out; the verifiers check the invariants of docs/semantics.md §2 (ranks,
// the b/d/l/n/g agreements, dtypes, attribute ranges). Dynamic sizes are
// accepted and checked only where both sides are static.
//
//===----------------------------------------------------------------------===//

#include "ssm/Dialect/SSM/IR/SSMOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ssm;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

namespace {

/// True when two sizes can be equal at run time.
bool sizesAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// a * b for sizes >= 0, dynamic when either is; failure when the product
/// does not fit a static size (int64_t, below the dynamic marker).
FailureOr<int64_t> mulSizes(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  int64_t product;
  if (a < 0 || b < 0 || llvm::MulOverflow(a, b, product))
    return failure();
  return product;
}

/// Formats a shape as (2, 8, ?) for diagnostics.
std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? "?" : std::to_string(d);
  }
  return s + ")";
}

/// Prints a type for diagnostics built from Twines.
std::string typeStr(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

/// Reports an error at `loc` (when given) during type inference.
LogicalResult inferError(std::optional<Location> loc, const Twine &msg) {
  return emitOptionalError(loc, msg);
}

/// The ranked type of `v` with rank `rank`, or an inference error naming
/// `name`.
FailureOr<RankedTensorType> rankedOfRank(std::optional<Location> loc, Value v,
                                         StringRef name, int64_t rank,
                                         StringRef layout) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() != rank)
    return inferError(loc, "expects " + name + " of rank " + Twine(rank) + " " +
                               layout + ", got " + typeStr(v.getType()));
  return type;
}

/// Verifies the operands shared by the selective scan and its adjoint. With
/// `mixedTypes` (the forward scan) each sequence may have its own float
/// type; otherwise delta, z, B and C have u's.
LogicalResult verifyScanOperands(Operation *op, Value u, Value delta, Value A,
                                 Value B, Value C, Value D, Value z,
                                 Value deltaBias, bool mixedTypes) {
  auto uType = cast<RankedTensorType>(u.getType());
  if (uType.getRank() != 3)
    return op->emitOpError("expects u of rank 3 (b, d, l), got rank ")
           << uType.getRank();
  int64_t b = uType.getDimSize(0), d = uType.getDimSize(1),
          l = uType.getDimSize(2);
  Type elem = uType.getElementType();

  auto sameAsU = [&](Value v, StringRef name) -> LogicalResult {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 3 || !sizesAgree(t.getDimSize(0), b) ||
        !sizesAgree(t.getDimSize(1), d) || !sizesAgree(t.getDimSize(2), l))
      return op->emitOpError("expects ")
             << name << " of shape (b, d, l) = " << shapeStr(uType.getShape())
             << " like u, got " << shapeStr(t.getShape());
    if (!mixedTypes && t.getElementType() != elem)
      return op->emitOpError("expects ")
             << name << " to have u's element type " << elem << ", got "
             << t.getElementType();
    return success();
  };
  if (failed(sameAsU(delta, "delta")))
    return failure();
  if (z && failed(sameAsU(z, "z")))
    return failure();

  auto aType = cast<RankedTensorType>(A.getType());
  if (aType.getRank() != 2 || !sizesAgree(aType.getDimSize(0), d))
    return op->emitOpError("expects A of shape (d, n) with d = ")
           << d << ", got " << shapeStr(aType.getShape());
  int64_t n = aType.getDimSize(1);
  if (!ShapedType::isDynamic(n) && (n < 1 || n > 256))
    return op->emitOpError("expects state size n in [1, 256], got ") << n;

  auto bType = cast<RankedTensorType>(B.getType());
  auto cType = cast<RankedTensorType>(C.getType());
  if (bType.getRank() != 3 && bType.getRank() != 4)
    return op->emitOpError("expects B of shape (b, n, l) or (b, g, n, l), got ")
           << shapeStr(bType.getShape());
  if (cType.getRank() != bType.getRank())
    return op->emitOpError("expects B and C of the same rank, got ")
           << bType.getRank() << " and " << cType.getRank();
  for (auto [t, name] : {std::pair{bType, "B"}, std::pair{cType, "C"}}) {
    ArrayRef<int64_t> s = t.getShape();
    bool grouped = s.size() == 4;
    int64_t tn = s[grouped ? 2 : 1], tl = s[grouped ? 3 : 2];
    if (!sizesAgree(s[0], b) || !sizesAgree(tn, n) || !sizesAgree(tl, l))
      return op->emitOpError("expects ")
             << name << " to match batch "
             << (ShapedType::isDynamic(b) ? -1 : b)
             << ", state size n and length l of u and A, got " << shapeStr(s);
    if (!mixedTypes && t.getElementType() != elem)
      return op->emitOpError("expects ")
             << name << " to have u's element type " << elem << ", got "
             << t.getElementType();
  }
  if (bType.getRank() == 4) {
    int64_t g = bType.getDimSize(1);
    if (!sizesAgree(g, cType.getDimSize(1)))
      return op->emitOpError("expects B and C with the same group count, got ")
             << g << " and " << cType.getDimSize(1);
    if (!ShapedType::isDynamic(g) && g < 1)
      return op->emitOpError("expects at least one group, got ") << g;
    if (!ShapedType::isDynamic(g) && !ShapedType::isDynamic(d) && d % g != 0)
      return op->emitOpError("expects channels d = ")
             << d << " to be divisible by the group count g = " << g;
  }

  for (auto [v, name] :
       {std::pair{D, "D"}, std::pair{deltaBias, "delta_bias"}}) {
    if (!v)
      continue;
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1 || !sizesAgree(t.getDimSize(0), d))
      return op->emitOpError("expects ")
             << name << " of shape (d) with d = " << d << ", got "
             << shapeStr(t.getShape());
  }
  return success();
}

/// Inference shared by the scan ops: the (b, d, l) shape of u and n of A.
LogicalResult inferScanShapes(std::optional<Location> loc, Value u, Value A,
                              RankedTensorType &uType, int64_t &n) {
  auto ut = rankedOfRank(loc, u, "u", 3, "(b, d, l)");
  if (failed(ut))
    return failure();
  auto at = rankedOfRank(loc, A, "A", 2, "(d, n)");
  if (failed(at))
    return failure();
  uType = *ut;
  n = at->getDimSize(1);
  return success();
}

bool isScanFloat(Type t) { return t.isF32() || t.isF16() || t.isBF16(); }

} // namespace

//===----------------------------------------------------------------------===//
// Custom directive: [row, col, row_rev, col_rev]
//===----------------------------------------------------------------------===//

static ParseResult parseDirectionList(OpAsmParser &parser,
                                      ArrayAttr &directions) {
  SmallVector<Attribute> dirs;
  MLIRContext *ctx = parser.getContext();
  auto parseOne = [&]() -> ParseResult {
    SMLoc loc = parser.getCurrentLocation();
    StringRef keyword;
    if (parser.parseKeyword(&keyword))
      return failure();
    std::optional<ScanDirection> dir = symbolizeScanDirection(keyword);
    if (!dir)
      return parser.emitError(loc, "unknown scan direction '")
             << keyword << "' (expected row, col, row_rev or col_rev)";
    dirs.push_back(ScanDirectionAttr::get(ctx, *dir));
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseOne))
    return failure();
  directions = ArrayAttr::get(ctx, dirs);
  return success();
}

static void printDirectionList(OpAsmPrinter &p, Operation *,
                               ArrayAttr directions) {
  p << '[';
  llvm::interleaveComma(directions, p, [&](Attribute a) {
    p << stringifyScanDirection(cast<ScanDirectionAttr>(a).getValue());
  });
  p << ']';
}

//===----------------------------------------------------------------------===//
// Custom directive: an enum attribute as a bare keyword (`silu`, `mean`)
//===----------------------------------------------------------------------===//

template <typename EnumAttrT>
static ParseResult parseEnumKeyword(OpAsmParser &parser, EnumAttrT &attr) {
  using EnumT = decltype(std::declval<EnumAttrT>().getValue());
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<EnumT> value = symbolizeEnum<EnumT>(keyword);
  if (!value)
    return parser.emitError(loc, "unknown keyword '") << keyword << "'";
  attr = EnumAttrT::get(parser.getContext(), *value);
  return success();
}

template <typename EnumAttrT>
static void printEnumKeyword(OpAsmPrinter &p, Operation *, EnumAttrT attr) {
  p << stringifyEnum(attr.getValue());
}

//===----------------------------------------------------------------------===//
// SelectiveScanOp
//===----------------------------------------------------------------------===//

int64_t SelectiveScanOp::getNumGroups() {
  auto bType = cast<RankedTensorType>(getB().getType());
  return bType.getRank() == 4 ? bType.getDimSize(1) : 1;
}

LogicalResult
SelectiveScanOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  RankedTensorType uType;
  int64_t n;
  if (failed(inferScanShapes(loc, adaptor.getU(), adaptor.getA(), uType, n)))
    return failure();
  Type outElem = uType.getElementType();
  if (auto outType = adaptor.getOutTypeAttr()) {
    if (!isScanFloat(outType.getValue()))
      return inferError(loc, "expects out_type f32, f16 or bf16, got " +
                                 typeStr(outType.getValue()));
    outElem = outType.getValue();
  }
  inferred.push_back(RankedTensorType::get(uType.getShape(), outElem));
  if (adaptor.getReturnLastState())
    inferred.push_back(RankedTensorType::get(
        {uType.getDimSize(0), uType.getDimSize(1), n}, Float32Type::get(ctx)));
  return success();
}

LogicalResult SelectiveScanOp::verify() {
  // The last_state result matching return_last_state is checked by type
  // inference (InferTypeOpInterface verifies the result list).
  return verifyScanOperands(*this, getU(), getDelta(), getA(), getB(), getC(),
                            getD(), getZ(), getDeltaBias(),
                            /*mixedTypes=*/true);
}

//===----------------------------------------------------------------------===//
// SelectiveScanGradOp
//===----------------------------------------------------------------------===//

LogicalResult SelectiveScanGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  RankedTensorType uType;
  int64_t n;
  if (failed(inferScanShapes(loc, adaptor.getU(), adaptor.getA(), uType, n)))
    return failure();
  for (Value v :
       {adaptor.getU(), adaptor.getDelta(), adaptor.getA(), adaptor.getB(),
        adaptor.getC(), adaptor.getD(), adaptor.getZ(), adaptor.getDeltaBias()})
    if (v)
      inferred.push_back(v.getType());
  return success();
}

Value SelectiveScanGradOp::getDD() {
  return getD() ? getOptionalGrads()[0] : Value();
}

Value SelectiveScanGradOp::getDZ() {
  return getZ() ? getOptionalGrads()[getD() ? 1 : 0] : Value();
}

Value SelectiveScanGradOp::getDDeltaBias() {
  return getDeltaBias() ? getOptionalGrads().back() : Value();
}

LogicalResult SelectiveScanGradOp::verify() {
  if (failed(verifyScanOperands(*this, getU(), getDelta(), getA(), getB(),
                                getC(), getD(), getZ(), getDeltaBias(),
                                /*mixedTypes=*/false)))
    return failure();
  auto uType = cast<RankedTensorType>(getU().getType());
  auto gType = cast<RankedTensorType>(getDout().getType());
  if (gType.getRank() != 3 ||
      failed(mlir::verifyCompatibleShape(gType.getShape(), uType.getShape())))
    return emitOpError("expects dout of shape (b, d, l) = ")
           << shapeStr(uType.getShape()) << " like u, got "
           << shapeStr(gType.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// CausalConv1dOp / CausalConv1dGradOp
//===----------------------------------------------------------------------===//

/// Checks x (b, d, l), weight (d, k) with k >= 1, bias (d).
static LogicalResult verifyConvOperands(Operation *op, Value x, Value weight,
                                        Value bias) {
  auto xType = cast<RankedTensorType>(x.getType());
  if (xType.getRank() != 3)
    return op->emitOpError("expects x of rank 3 (b, d, l), got rank ")
           << xType.getRank();
  int64_t d = xType.getDimSize(1);
  auto wType = cast<RankedTensorType>(weight.getType());
  if (wType.getRank() != 2 || !sizesAgree(wType.getDimSize(0), d))
    return op->emitOpError("expects weight of shape (d, k) with d = ")
           << d << ", got " << shapeStr(wType.getShape());
  int64_t k = wType.getDimSize(1);
  if (!ShapedType::isDynamic(k) && k < 1)
    return op->emitOpError("expects a kernel width k >= 1, got ") << k;
  if (bias) {
    auto bType = cast<RankedTensorType>(bias.getType());
    if (bType.getRank() != 1 || !sizesAgree(bType.getDimSize(0), d))
      return op->emitOpError("expects bias of shape (d) with d = ")
             << d << ", got " << shapeStr(bType.getShape());
  }
  return success();
}

LogicalResult
CausalConv1dOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  auto xType = rankedOfRank(loc, adaptor.getX(), "x", 3, "(b, d, l)");
  if (failed(xType))
    return failure();
  Type outElem = xType->getElementType();
  if (auto outType = adaptor.getOutTypeAttr()) {
    if (!isScanFloat(outType.getValue()))
      return inferError(loc, "expects out_type f32, f16 or bf16, got " +
                                 typeStr(outType.getValue()));
    outElem = outType.getValue();
  }
  inferred.push_back(RankedTensorType::get(xType->getShape(), outElem));
  return success();
}

LogicalResult CausalConv1dOp::verify() {
  return verifyConvOperands(*this, getX(), getWeight(), getBias());
}

LogicalResult
CausalConv1dGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &inferred) {
  if (failed(rankedOfRank(loc, adaptor.getX(), "x", 3, "(b, d, l)")))
    return failure();
  inferred.push_back(adaptor.getX().getType());
  inferred.push_back(adaptor.getWeight().getType());
  if (adaptor.getBias())
    inferred.push_back(adaptor.getBias().getType());
  return success();
}

LogicalResult CausalConv1dGradOp::verify() {
  if (failed(verifyConvOperands(*this, getX(), getWeight(), getBias())))
    return failure();
  auto xType = cast<RankedTensorType>(getX().getType());
  auto gType = cast<RankedTensorType>(getDout().getType());
  if (failed(mlir::verifyCompatibleShape(gType, xType)) ||
      gType.getElementType() != xType.getElementType())
    return emitOpError("expects dout of x's type ")
           << xType << ", got " << gType;
  return success();
}

//===----------------------------------------------------------------------===//
// CrossScanOp / CrossMergeOp
//===----------------------------------------------------------------------===//

LogicalResult CrossScanOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto xType =
      rankedOfRank(loc, adaptor.getInput(), "input", 4, "(b, c, h, w)");
  if (failed(xType))
    return failure();
  ArrayRef<int64_t> s = xType->getShape();
  int64_t k = adaptor.getDirections().size();
  FailureOr<int64_t> hw = mulSizes(s[2], s[3]);
  if (failed(hw))
    return inferError(loc, "expects h*w to fit in 64 bits, got " + Twine(s[2]) +
                               "*" + Twine(s[3]));
  inferred.push_back(
      RankedTensorType::get({s[0], k, s[1], *hw}, xType->getElementType()));
  return success();
}

LogicalResult CrossScanOp::verify() {
  if (getDirections().empty())
    return emitOpError("expects at least one scan direction");
  return success();
}

LogicalResult CrossMergeOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto yType =
      rankedOfRank(loc, adaptor.getInput(), "input", 4, "(b, k, c, h*w)");
  if (failed(yType))
    return failure();
  // I64Attr getters return the bits as uint64_t: a negative height is huge.
  int64_t height = static_cast<int64_t>(adaptor.getHeight());
  int64_t width = static_cast<int64_t>(adaptor.getWidth());
  if (height < 1 || width < 1)
    return inferError(loc, "expects a grid of at least 1x1, got " +
                               Twine(height) + "x" + Twine(width));
  if (failed(mulSizes(height, width)))
    return inferError(loc, "expects height*width to fit in 64 bits, got " +
                               Twine(height) + "x" + Twine(width));
  ArrayRef<int64_t> s = yType->getShape();
  inferred.push_back(RankedTensorType::get({s[0], s[2], height, width},
                                           yType->getElementType()));
  return success();
}

LogicalResult CrossMergeOp::verify() {
  if (getDirections().empty())
    return emitOpError("expects at least one scan direction");
  int64_t height = static_cast<int64_t>(getHeight());
  int64_t width = static_cast<int64_t>(getWidth());
  if (height < 1 || width < 1)
    return emitOpError("expects a grid of at least 1x1, got ")
           << height << "x" << width;
  FailureOr<int64_t> hw = mulSizes(height, width);
  if (failed(hw))
    return emitOpError("expects height*width to fit in 64 bits, got ")
           << height << "x" << width;
  auto yType = cast<RankedTensorType>(getInput().getType());
  int64_t k = yType.getDimSize(1), l = yType.getDimSize(3);
  if (!sizesAgree(k, getDirections().size()))
    return emitOpError("expects ")
           << getDirections().size() << " directional sequences, got " << k;
  if (!sizesAgree(l, *hw))
    return emitOpError("expects sequences of length height*width = ")
           << *hw << ", got " << l;
  return success();
}

//===----------------------------------------------------------------------===//
// FlipOp
//===----------------------------------------------------------------------===//

LogicalResult FlipOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult FlipOp::verify() {
  int64_t rank = cast<RankedTensorType>(getInput().getType()).getRank();
  if (static_cast<int64_t>(getDim()) < 0 ||
      static_cast<int64_t>(getDim()) >= rank)
    return emitOpError("expects dim in [0, ")
           << rank << ") for a rank-" << rank << " tensor, got " << getDim();
  return success();
}

OpFoldResult FlipOp::fold(FoldAdaptor) {
  // flip(flip(x)) = x along the same dimension.
  if (auto inner = getInput().getDefiningOp<FlipOp>())
    if (inner.getDim() == getDim())
      return inner.getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// AxisPoolOp / AxisBroadcastOp / AxisPoolGradOp
//===----------------------------------------------------------------------===//

/// Checks a (b, e, rows*cols) sequence, cols >= 1 and a finite positive scale.
static LogicalResult verifyPooledSequence(Operation *op, Value seq,
                                          int64_t cols,
                                          std::optional<double> scale) {
  auto type = cast<RankedTensorType>(seq.getType());
  if (type.getRank() != 3)
    return op->emitOpError(
               "expects a sequence of rank 3 (b, e, rows*cols), got "
               "rank ")
           << type.getRank();
  if (cols < 1)
    return op->emitOpError("expects cols >= 1, got ") << cols;
  int64_t l = type.getDimSize(2);
  if (!ShapedType::isDynamic(l) && l % cols != 0)
    return op->emitOpError("expects the sequence length ")
           << l << " to be a multiple of cols = " << cols;
  if (scale && (!std::isfinite(*scale) || *scale <= 0.0))
    return op->emitOpError("expects a finite positive scale, got ") << *scale;
  return success();
}

LogicalResult AxisPoolOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto xType =
      rankedOfRank(loc, adaptor.getInput(), "input", 3, "(b, e, rows*cols)");
  if (failed(xType))
    return failure();
  int64_t cols = adaptor.getCols(), l = xType->getDimSize(2);
  if (cols < 1)
    return inferError(loc, "expects cols >= 1, got " + Twine(cols));
  int64_t rows = ShapedType::isDynamic(l) ? l : l / cols;
  inferred.push_back(
      RankedTensorType::get({xType->getDimSize(0), xType->getDimSize(1), rows},
                            xType->getElementType()));
  return success();
}

LogicalResult AxisPoolOp::verify() {
  return verifyPooledSequence(*this, getInput(), getCols(),
                              getScale().convertToDouble());
}

OpFoldResult AxisPoolOp::fold(FoldAdaptor) {
  // mean/max over `cols` identical copies is the value itself (exact in
  // floating point too); sum would be cols * x, left to the lowering.
  auto bcast = getInput().getDefiningOp<AxisBroadcastOp>();
  if (!bcast || bcast.getCols() != getCols() ||
      getScale().convertToDouble() != 1.0 || getKind() == PoolKind::sum)
    return {};
  if (bcast.getInput().getType() != getType())
    return {};
  return bcast.getInput();
}

LogicalResult
AxisBroadcastOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  auto xType =
      rankedOfRank(loc, adaptor.getInput(), "input", 3, "(b, e, rows)");
  if (failed(xType))
    return failure();
  int64_t cols = static_cast<int64_t>(adaptor.getCols());
  if (cols < 1)
    return inferError(loc, "expects cols >= 1, got " + Twine(cols));
  FailureOr<int64_t> length = mulSizes(xType->getDimSize(2), cols);
  if (failed(length))
    return inferError(loc, "expects rows*cols to fit in 64 bits, got " +
                               Twine(xType->getDimSize(2)) + "*" + Twine(cols));
  inferred.push_back(RankedTensorType::get(
      {xType->getDimSize(0), xType->getDimSize(1), *length},
      xType->getElementType()));
  return success();
}

LogicalResult AxisBroadcastOp::verify() {
  if (static_cast<int64_t>(getCols()) < 1)
    return emitOpError("expects cols >= 1, got ")
           << static_cast<int64_t>(getCols());
  return success();
}

LogicalResult
AxisPoolGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  if (failed(rankedOfRank(loc, adaptor.getInput(), "input", 3,
                          "(b, e, rows*cols)")))
    return failure();
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult AxisPoolGradOp::verify() {
  if (failed(verifyPooledSequence(*this, getInput(), getCols(),
                                  getScale().convertToDouble())))
    return failure();
  auto xType = cast<RankedTensorType>(getInput().getType());
  auto gType = cast<RankedTensorType>(getDout().getType());
  int64_t l = xType.getDimSize(2);
  int64_t rows = ShapedType::isDynamic(l) ? l : l / getCols();
  if (gType.getRank() != 3 ||
      !sizesAgree(gType.getDimSize(0), xType.getDimSize(0)) ||
      !sizesAgree(gType.getDimSize(1), xType.getDimSize(1)) ||
      !sizesAgree(gType.getDimSize(2), rows))
    return emitOpError("expects dout of shape (b, e, rows) = ")
           << shapeStr({xType.getDimSize(0), xType.getDimSize(1), rows})
           << ", got " << shapeStr(gType.getShape());
  if (gType.getElementType() != xType.getElementType())
    return emitOpError("expects dout with the input's element type ")
           << xType.getElementType() << ", got " << gType.getElementType();
  return success();
}

#define GET_OP_CLASSES
#include "ssm/Dialect/SSM/IR/SSMOps.cpp.inc"
