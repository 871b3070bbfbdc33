//===- NumericsTest.cpp - compiled ssm ops vs the float64 reference ---===//
//
// Every ssm op, forward and gradient, is compiled for the CPU (ssm-compile's
// driver), run through the runtime, and compared with the float64 reference
// of unittests/Reference on fresh random inputs at awkward shapes: L = 1, odd
// L, N = 1, batch 1, channel counts that are not multiples of the vector
// width, grouped B/C, every cross-scan direction set. Tolerance: relative
// error (max |a - b| / max |ref|) <= 1e-5 for f32, 1e-2 for 16-bit inputs.
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include "gtest/gtest.h"

#include <sstream>

using namespace ssm::numerics;
namespace ref = ssm::ref;

namespace {

constexpr double kF32Tol = 1e-5;
constexpr double kHalfTol = 1e-2;

std::vector<int64_t> bcShape(int64_t b, int64_t g, int64_t n, int64_t l) {
  if (g == 0)
    return {b, n, l};
  return {b, g, n, l};
}

//===----------------------------------------------------------------------===//
// Selective scan
//===----------------------------------------------------------------------===//

struct ScanCase {
  int64_t b, d, l, n;
  int64_t groups; // 0: shared (b, n, l) B/C
  bool withD, withZ, withBias, softplus, reverse;
  std::string dtype = "f32"; // of u, delta, B, C, z
};

std::string describe(const ScanCase &c) {
  std::ostringstream os;
  os << "b" << c.b << " d" << c.d << " l" << c.l << " n" << c.n << " g"
     << c.groups << (c.withD ? " D" : "") << (c.withZ ? " z" : "")
     << (c.withBias ? " bias" : "") << (c.softplus ? " softplus" : "")
     << (c.reverse ? " reverse" : "") << " " << c.dtype;
  return os.str();
}

/// Operands of a scan case, rounded to the case's input dtype.
struct ScanInputs {
  ref::Tensor u, delta, A, B, C;
  std::optional<ref::Tensor> D, z, bias;
};

ScanInputs makeScanInputs(const ScanCase &c, uint64_t seed) {
  ScanInputs in;
  in.u = roundTo(ref::randomTensor({c.b, c.d, c.l}, seed + 1), c.dtype);
  in.delta =
      roundTo(ref::randomTensor({c.b, c.d, c.l}, seed + 2, -1.0, 1.0), c.dtype);
  in.A = ref::randomTensor({c.d, c.n}, seed + 3, 0.2, 1.5);
  for (double &a : in.A.data)
    a = -a; // decaying states, as A = -exp(A_log)
  in.A = roundTo(in.A, "f32");
  in.B = roundTo(ref::randomTensor(bcShape(c.b, c.groups, c.n, c.l), seed + 4),
                 c.dtype);
  in.C = roundTo(ref::randomTensor(bcShape(c.b, c.groups, c.n, c.l), seed + 5),
                 c.dtype);
  if (c.withD)
    in.D = roundTo(ref::randomTensor({c.d}, seed + 6), "f32");
  if (c.withZ)
    in.z = roundTo(ref::randomTensor({c.b, c.d, c.l}, seed + 7), c.dtype);
  if (c.withBias)
    in.bias = roundTo(ref::randomTensor({c.d}, seed + 8, -0.5, 0.5), "f32");
  return in;
}

/// The `D(...) z(...) delta_bias(...) flags` tail shared by scan and grad.
std::string scanOptionals(const ScanCase &c) {
  std::ostringstream os;
  if (c.withD)
    os << " D(%D : " << tensorType({c.d}, "f32") << ")";
  if (c.withZ)
    os << " z(%z : " << tensorType({c.b, c.d, c.l}, c.dtype) << ")";
  if (c.withBias)
    os << " delta_bias(%bias : " << tensorType({c.d}, "f32") << ")";
  if (c.softplus)
    os << " delta_softplus";
  if (c.reverse)
    os << " reverse";
  return os.str();
}

std::string scanOperandTypes(const ScanCase &c) {
  std::string seq = tensorType({c.b, c.d, c.l}, c.dtype);
  std::string bc = tensorType(bcShape(c.b, c.groups, c.n, c.l), c.dtype);
  return seq + ", " + seq + ", " + tensorType({c.d, c.n}, "f32") + ", " + bc +
         ", " + bc;
}

/// Function arguments: u, delta, A, B, C, then the optional D, z, bias.
std::string scanArgs(const ScanCase &c) {
  std::string seq = tensorType({c.b, c.d, c.l}, c.dtype);
  std::string bc = tensorType(bcShape(c.b, c.groups, c.n, c.l), c.dtype);
  std::string args = "%u: " + seq + ", %dt: " + seq +
                     ", %A: " + tensorType({c.d, c.n}, "f32") + ", %B: " + bc +
                     ", %C: " + bc;
  if (c.withD)
    args += ", %D: " + tensorType({c.d}, "f32");
  if (c.withZ)
    args += ", %z: " + seq;
  if (c.withBias)
    args += ", %bias: " + tensorType({c.d}, "f32");
  return args;
}

std::vector<ref::Tensor> scanArgValues(const ScanInputs &in) {
  std::vector<ref::Tensor> v{in.u, in.delta, in.A, in.B, in.C};
  for (const auto &opt : {in.D, in.z, in.bias})
    if (opt)
      v.push_back(*opt);
  return v;
}

class SelectiveScanForward : public ::testing::TestWithParam<ScanCase> {};

TEST_P(SelectiveScanForward, MatchesReference) {
  const ScanCase &c = GetParam();
  std::string outDtype = "f32";
  std::ostringstream ir;
  ir << "func.func @scan(" << scanArgs(c) << ") -> ("
     << tensorType({c.b, c.d, c.l}, outDtype) << ", "
     << tensorType({c.b, c.d, c.n}, "f32") << ") {\n"
     << "  %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C" << scanOptionals(c)
     << " return_last_state"
     << (c.dtype != outDtype ? " out_type(" + outDtype + ")" : "") << " : "
     << scanOperandTypes(c) << "\n"
     << "  return %y, %h : " << tensorType({c.b, c.d, c.l}, outDtype) << ", "
     << tensorType({c.b, c.d, c.n}, "f32") << "\n}\n";

  ScanInputs in = makeScanInputs(c, 100 * c.l + c.d);
  std::vector<ref::Tensor> outs =
      compileAndRun(ir.str(), "scan", scanArgValues(in), {c.dtype});
  ASSERT_EQ(outs.size(), 2u);
  ref::ScanResult expected =
      ref::selectiveScan(in.u, in.delta, in.A, in.B, in.C, in.D, in.z, in.bias,
                         c.softplus, c.reverse);
  double tol = c.dtype == "f32" ? kF32Tol : kHalfTol;
  EXPECT_LE(ref::maxRelError(outs[0], expected.out), tol) << describe(c);
  EXPECT_LE(ref::maxRelError(outs[1], expected.lastState), tol) << describe(c);
}

std::vector<ScanCase> scanCases() {
  std::vector<ScanCase> cases;
  // Shapes: generic, L = 1, odd L with N = 1 and batch 1, d not a multiple of
  // the vector width, Vim-like N = 16, grouped (VMamba) G = 1 and 4.
  struct Shape {
    int64_t b, d, l, n, g;
  };
  for (Shape s :
       {Shape{2, 4, 5, 3, 0}, Shape{1, 3, 1, 16, 0}, Shape{1, 5, 7, 1, 0},
        Shape{3, 7, 9, 16, 0}, Shape{2, 8, 6, 1, 4}, Shape{1, 6, 11, 2, 1}})
    for (int flags = 0; flags < 32; flags += (s.d == 7 ? 1 : 5))
      cases.push_back({s.b, s.d, s.l, s.n, s.g, bool(flags & 1),
                       bool(flags & 2), bool(flags & 4), bool(flags & 8),
                       bool(flags & 16)});
  // planCPUScan's channel vectors (16 channels per vector): several blocks
  // with a partial last one and batch > 1, exactly one block at L = 1 and
  // odd L, groups of 10 channels (blocks never straddle a group), and 40
  // states kept in memory instead of registers.
  for (Shape s :
       {Shape{2, 37, 13, 16, 0}, Shape{1, 16, 1, 16, 0}, Shape{1, 16, 3, 16, 0},
        Shape{2, 40, 9, 1, 4}, Shape{1, 20, 5, 40, 0}})
    for (int flags = 0; flags < 32; flags += (s.d == 37 ? 1 : 7))
      cases.push_back({s.b, s.d, s.l, s.n, s.g, bool(flags & 1),
                       bool(flags & 2), bool(flags & 4), bool(flags & 8),
                       bool(flags & 16)});
  // 16-bit inputs, f32 output (VMamba's oflex).
  cases.push_back({2, 8, 6, 1, 4, true, false, true, true, false, "bf16"});
  cases.push_back({2, 33, 6, 16, 0, true, true, true, true, true, "bf16"});
  cases.push_back({1, 5, 7, 16, 0, true, true, true, true, true, "f16"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Shapes, SelectiveScanForward,
                         ::testing::ValuesIn(scanCases()));

class SelectiveScanGradient : public ::testing::TestWithParam<ScanCase> {};

TEST_P(SelectiveScanGradient, MatchesReference) {
  const ScanCase &c = GetParam();
  std::string seq = tensorType({c.b, c.d, c.l}, c.dtype);
  std::string bc = tensorType(bcShape(c.b, c.groups, c.n, c.l), c.dtype);
  std::string aType = tensorType({c.d, c.n}, "f32"),
              dType = tensorType({c.d}, "f32");
  std::vector<std::string> results{"%du", "%ddt", "%dA", "%dB", "%dC"};
  std::vector<std::string> resultTypes{seq, seq, aType, bc, bc};
  if (c.withD) {
    results.push_back("%dD");
    resultTypes.push_back(dType);
  }
  if (c.withZ) {
    results.push_back("%dz");
    resultTypes.push_back(seq);
  }
  if (c.withBias) {
    results.push_back("%dbias");
    resultTypes.push_back(dType);
  }
  auto join = [](const std::vector<std::string> &v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
      s += (i ? ", " : "") + v[i];
    return s;
  };
  std::ostringstream ir;
  ir << "func.func @grad(%g: " << seq << ", " << scanArgs(c) << ") -> ("
     << join(resultTypes) << ") {\n"
     << "  " << join(results)
     << " = ssm.selective_scan_grad %g, %u, %dt, %A, %B, %C" << scanOptionals(c)
     << " : " << seq << ", " << scanOperandTypes(c) << "\n"
     << "  return " << join(results) << " : " << join(resultTypes) << "\n}\n";

  ScanInputs in = makeScanInputs(c, 7 * c.l + c.n);
  ref::Tensor dout = roundTo(ref::randomTensor({c.b, c.d, c.l}, 99), c.dtype);
  std::vector<ref::Tensor> args{dout};
  for (const ref::Tensor &t : scanArgValues(in))
    args.push_back(t);
  std::vector<ref::Tensor> outs = compileAndRun(ir.str(), "grad", args, {});
  ref::ScanGrads expected =
      ref::selectiveScanGrad(dout, in.u, in.delta, in.A, in.B, in.C, in.D, in.z,
                             in.bias, c.softplus, c.reverse);
  std::vector<std::pair<const char *, const ref::Tensor *>> named{
      {"du", &expected.du},
      {"ddelta", &expected.ddelta},
      {"dA", &expected.dA},
      {"dB", &expected.dB},
      {"dC", &expected.dC}};
  if (expected.dD)
    named.push_back({"dD", &*expected.dD});
  if (expected.dz)
    named.push_back({"dz", &*expected.dz});
  if (expected.ddeltaBias)
    named.push_back({"ddelta_bias", &*expected.ddeltaBias});
  ASSERT_EQ(outs.size(), named.size());
  double tol = c.dtype == "f32" ? kF32Tol : kHalfTol;
  for (size_t i = 0; i < named.size(); ++i)
    EXPECT_LE(ref::maxRelError(outs[i], *named[i].second), tol)
        << named[i].first << " " << describe(c);
}

std::vector<ScanCase> gradCases() {
  std::vector<ScanCase> cases;
  struct Shape {
    int64_t b, d, l, n, g;
  };
  for (Shape s :
       {Shape{2, 4, 5, 3, 0}, Shape{1, 3, 1, 16, 0}, Shape{1, 5, 7, 1, 0},
        Shape{2, 8, 6, 1, 4}, Shape{3, 6, 4, 2, 2}})
    for (int flags : {0, 31, 15, 23, 9, 6})
      cases.push_back({s.b, s.d, s.l, s.n, s.g, bool(flags & 1),
                       bool(flags & 2), bool(flags & 4), bool(flags & 8),
                       bool(flags & 16)});
  cases.push_back({2, 8, 6, 1, 4, true, false, true, true, false, "bf16"});
  // Few (batch x group) lanes: the channels are split into parts that sum
  // their own dB / dC (planScanGradChannelParts): 2 parts of 20; 8 parts of
  // 17 with a short last one; 4 parts of 18 straddling the 2 groups of 35.
  for (Shape s : {Shape{1, 40, 9, 16, 0}, Shape{1, 130, 7, 4, 0},
                  Shape{1, 70, 5, 3, 2}})
    for (int flags : {31, 6})
      cases.push_back({s.b, s.d, s.l, s.n, s.g, bool(flags & 1),
                       bool(flags & 2), bool(flags & 4), bool(flags & 8),
                       bool(flags & 16)});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Shapes, SelectiveScanGradient,
                         ::testing::ValuesIn(gradCases()));

//===----------------------------------------------------------------------===//
// Causal conv1d
//===----------------------------------------------------------------------===//

struct ConvCase {
  int64_t b, d, l, k;
  bool bias, silu;
};

class CausalConv : public ::testing::TestWithParam<ConvCase> {};

TEST_P(CausalConv, ForwardAndGradientMatchReference) {
  const ConvCase &c = GetParam();
  std::string x = tensorType({c.b, c.d, c.l}, "f32");
  std::string w = tensorType({c.d, c.k}, "f32"), bt = tensorType({c.d}, "f32");
  std::string act = c.silu ? "silu" : "none";
  std::string biasArg = c.bias ? ", %bias: " + bt : "";
  std::string biasUse = c.bias ? " bias(%bias : " + bt + ")" : "";
  std::ostringstream ir;
  ir << "func.func @fwd(%x: " << x << ", %w: " << w << biasArg << ") -> " << x
     << " {\n  %y = ssm.causal_conv1d " << act << " %x, %w" << biasUse << " : "
     << x << ", " << w << "\n  return %y : " << x << "\n}\n";
  ir << "func.func @bwd(%g: " << x << ", %x: " << x << ", %w: " << w << biasArg
     << ") -> (" << x << ", " << w << (c.bias ? ", " + bt : "") << ") {\n  "
     << (c.bias ? "%dx, %dw, %db" : "%dx, %dw") << " = ssm.causal_conv1d_grad "
     << act << " %g, %x, %w" << biasUse << " : " << x << ", " << x << ", " << w
     << "\n  return " << (c.bias ? "%dx, %dw, %db" : "%dx, %dw") << " : " << x
     << ", " << w << (c.bias ? ", " + bt : "") << "\n}\n";

  ref::Tensor xs = roundTo(ref::randomTensor({c.b, c.d, c.l}, c.l + 1), "f32");
  ref::Tensor ws = roundTo(ref::randomTensor({c.d, c.k}, c.k + 2), "f32");
  std::optional<ref::Tensor> bs;
  if (c.bias)
    bs = roundTo(ref::randomTensor({c.d}, 3), "f32");
  ref::Tensor g = roundTo(ref::randomTensor({c.b, c.d, c.l}, 4), "f32");
  auto a = c.silu ? ref::Activation::Silu : ref::Activation::None;

  Compiled compiled(ir.str());
  std::vector<ref::Tensor> fwdArgs{xs, ws};
  std::vector<ref::Tensor> bwdArgs{g, xs, ws};
  if (bs) {
    fwdArgs.push_back(*bs);
    bwdArgs.push_back(*bs);
  }
  std::vector<ref::Tensor> y = compiled.run("fwd", fwdArgs);
  EXPECT_LE(ref::maxRelError(y[0], ref::causalConv1d(xs, ws, bs, a)), kF32Tol);
  std::vector<ref::Tensor> grads = compiled.run("bwd", bwdArgs);
  ref::CausalConv1dGrads expected = ref::causalConv1dGrad(g, xs, ws, bs, a);
  EXPECT_LE(ref::maxRelError(grads[0], expected.dx), kF32Tol) << "dx";
  EXPECT_LE(ref::maxRelError(grads[1], expected.dweight), kF32Tol) << "dweight";
  if (c.bias)
    EXPECT_LE(ref::maxRelError(grads[2], *expected.dbias), kF32Tol) << "dbias";
}

INSTANTIATE_TEST_SUITE_P(Shapes, CausalConv,
                         ::testing::Values(ConvCase{2, 4, 9, 4, true, true},
                                           ConvCase{1, 3, 1, 4, true, true},
                                           ConvCase{1, 5, 7, 3, false, true},
                                           ConvCase{2, 6, 2, 4, true, false},
                                           ConvCase{3, 7, 5, 1, false, false},
                                           ConvCase{1, 17, 13, 2, true, true}));

//===----------------------------------------------------------------------===//
// Cross-scan / cross-merge / flip
//===----------------------------------------------------------------------===//

std::string directionList(const std::vector<ref::ScanDir> &dirs) {
  static const char *names[] = {"row", "col", "row_rev", "col_rev"};
  std::string s = "[";
  for (size_t i = 0; i < dirs.size(); ++i)
    s += (i ? ", " : "") + std::string(names[int(dirs[i])]);
  return s + "]";
}

class CrossScanMerge
    : public ::testing::TestWithParam<std::vector<ref::ScanDir>> {};

TEST_P(CrossScanMerge, MatchReference) {
  const std::vector<ref::ScanDir> &dirs = GetParam();
  int64_t b = 2, c = 3, h = 4, w = 5, k = dirs.size();
  std::string x = tensorType({b, c, h, w}, "f32");
  std::string ys = tensorType({b, k, c, h * w}, "f32");
  std::ostringstream ir;
  ir << "func.func @scan(%x: " << x << ") -> " << ys
     << " {\n  %y = ssm.cross_scan %x " << directionList(dirs) << " : " << x
     << "\n  return %y : " << ys << "\n}\n"
     << "func.func @merge(%y: " << ys << ") -> " << x
     << " {\n  %x = ssm.cross_merge %y " << directionList(dirs) << " height "
     << h << " width " << w << " : " << ys << "\n  return %x : " << x
     << "\n}\n";
  Compiled compiled(ir.str());
  ref::Tensor xv = roundTo(ref::randomTensor({b, c, h, w}, 5), "f32");
  ref::Tensor yv = roundTo(ref::randomTensor({b, k, c, h * w}, 6), "f32");
  EXPECT_EQ(
      ref::maxRelError(compiled.run("scan", {xv})[0], ref::crossScan(xv, dirs)),
      0.0);
  EXPECT_LE(ref::maxRelError(compiled.run("merge", {yv})[0],
                             ref::crossMerge(yv, dirs, h, w)),
            kF32Tol);
}

using D = ref::ScanDir;
INSTANTIATE_TEST_SUITE_P(
    Directions, CrossScanMerge,
    ::testing::Values(std::vector<D>{D::Row}, std::vector<D>{D::Col},
                      std::vector<D>{D::RowRev}, std::vector<D>{D::ColRev},
                      std::vector<D>{D::Row, D::Col, D::RowRev, D::ColRev},
                      std::vector<D>{D::Row, D::Row, D::RowRev, D::RowRev},
                      std::vector<D>{D::ColRev, D::Row}));

TEST(Flip, EveryDimension) {
  std::vector<int64_t> shape{2, 3, 5};
  std::string t = tensorType(shape, "f32");
  std::ostringstream ir;
  for (int dim = 0; dim < 3; ++dim)
    ir << "func.func @flip" << dim << "(%x: " << t << ") -> " << t
       << " {\n  %y = ssm.flip %x along " << dim << " : " << t
       << "\n  return %y : " << t << "\n}\n";
  Compiled compiled(ir.str());
  ref::Tensor x = roundTo(ref::randomTensor(shape, 8), "f32");
  for (int dim = 0; dim < 3; ++dim)
    EXPECT_EQ(
        ref::maxRelError(compiled.run("flip" + std::to_string(dim), {x})[0],
                         ref::flip(x, dim)),
        0.0)
        << "dim " << dim;
}

//===----------------------------------------------------------------------===//
// Axis pool / broadcast
//===----------------------------------------------------------------------===//

struct PoolCase {
  ref::PoolKind kind;
  int64_t cols;
  double scale;
};

class AxisPool : public ::testing::TestWithParam<PoolCase> {};

TEST_P(AxisPool, ForwardGradientAndBroadcastMatchReference) {
  const PoolCase &c = GetParam();
  static const char *kinds[] = {"mean", "max", "sum"};
  const char *kind = kinds[int(c.kind)];
  int64_t b = 2, e = 5, rows = 3, l = rows * c.cols;
  std::string x = tensorType({b, e, l}, "f32"),
              p = tensorType({b, e, rows}, "f32");
  std::ostringstream attrs;
  attrs << " cols " << c.cols;
  if (c.scale != 1.0)
    attrs << " {scale = " << c.scale << " : f64}";
  std::ostringstream ir;
  ir << "func.func @pool(%x: " << x << ") -> " << p
     << " {\n  %p = ssm.axis_pool " << kind << " %x" << attrs.str() << " : "
     << x << "\n  return %p : " << p << "\n}\n"
     << "func.func @grad(%g: " << p << ", %x: " << x << ") -> " << x
     << " {\n  %d = ssm.axis_pool_grad " << kind << " %g, %x" << attrs.str()
     << " : " << p << ", " << x << "\n  return %d : " << x << "\n}\n"
     << "func.func @bcast(%p: " << p << ") -> " << x
     << " {\n  %y = ssm.axis_broadcast %p cols " << c.cols << " : " << p
     << "\n  return %y : " << x << "\n}\n";
  Compiled compiled(ir.str());
  ref::Tensor xv = roundTo(ref::randomTensor({b, e, l}, 9), "f32");
  ref::Tensor gv = roundTo(ref::randomTensor({b, e, rows}, 10), "f32");
  EXPECT_LE(ref::maxRelError(compiled.run("pool", {xv})[0],
                             ref::axisPool(xv, c.cols, c.kind, c.scale)),
            kF32Tol);
  EXPECT_LE(
      ref::maxRelError(compiled.run("grad", {gv, xv})[0],
                       ref::axisPoolGrad(gv, xv, c.cols, c.kind, c.scale)),
      kF32Tol);
  EXPECT_EQ(ref::maxRelError(compiled.run("bcast", {gv})[0],
                             ref::axisBroadcast(gv, c.cols)),
            0.0);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, AxisPool,
    ::testing::Values(PoolCase{ref::PoolKind::Mean, 14, 1.0},
                      PoolCase{ref::PoolKind::Mean, 3, 0.25},
                      PoolCase{ref::PoolKind::Max, 4, 1.0},
                      PoolCase{ref::PoolKind::Max, 1, 2.5},
                      PoolCase{ref::PoolKind::Sum, 5, 1.0}));

} // namespace

//===----------------------------------------------------------------------===//
// Neighbours folded into the scan's loads and stores
//===----------------------------------------------------------------------===//

// Vim's backward direction: every sequence operand flipped, the output flipped
// back (scan with reverse too, so flips and reverse compose).
TEST(FoldedScan, FlippedOperandsAndOutput) {
  // d = 5: one vector of states per channel; d = 21: blocks of 16 channels
  // (planCPUScan), whose 16-step chunks go through the flips with one vector
  // load / store when whole (l = 37: two whole chunks and a partial one).
  for (auto [reverse, d, l] :
       {std::tuple{false, 5, 7}, std::tuple{true, 5, 7},
        std::tuple{false, 21, 7}, std::tuple{true, 21, 7},
        std::tuple{false, 21, 37}, std::tuple{true, 21, 37}}) {
    int64_t b = 2, n = 16;
    std::string seq = tensorType({b, d, l}, "f32"),
                bc = tensorType({b, n, l}, "f32");
    std::string aType = tensorType({d, n}, "f32");
    std::ostringstream ir;
    ir << "func.func @f(%u: " << seq << ", %dt: " << seq << ", %A: " << aType
       << ", %B: " << bc << ", %C: " << bc << ", %z: " << seq << ") -> " << seq
       << " {\n"
       << "  %ur = ssm.flip %u along 2 : " << seq << "\n"
       << "  %dtr = ssm.flip %dt along 2 : " << seq << "\n"
       << "  %Br = ssm.flip %B along 2 : " << bc << "\n"
       << "  %Cr = ssm.flip %C along 2 : " << bc << "\n"
       << "  %zr = ssm.flip %z along 2 : " << seq << "\n"
       << "  %y = ssm.selective_scan %ur, %dtr, %A, %Br, %Cr z(%zr : " << seq
       << ") delta_softplus" << (reverse ? " reverse" : "") << " : " << seq
       << ", " << seq << ", " << aType << ", " << bc << ", " << bc << "\n"
       << "  %yr = ssm.flip %y along 2 : " << seq << "\n"
       << "  return %yr : " << seq << "\n}\n";
    auto r = [](std::vector<int64_t> s, uint64_t seed) {
      return roundTo(ref::randomTensor(s, seed), "f32");
    };
    ref::Tensor u = r({b, d, l}, 1), dt = r({b, d, l}, 2), B = r({b, n, l}, 4),
                C = r({b, n, l}, 5), z = r({b, d, l}, 6);
    ref::Tensor A = ref::randomTensor({d, n}, 3, -1.5, -0.2);
    A = roundTo(A, "f32");
    std::vector<ref::Tensor> got =
        compileAndRun(ir.str(), "f", {u, dt, A, B, C, z}, {});
    ref::ScanResult scan = ref::selectiveScan(
        ref::flip(u, 2), ref::flip(dt, 2), A, ref::flip(B, 2), ref::flip(C, 2),
        std::nullopt, ref::flip(z, 2), std::nullopt, true, reverse);
    EXPECT_LE(ref::maxRelError(got[0], ref::flip(scan.out, 2)), kF32Tol)
        << (reverse ? "reverse" : "forward") << " d=" << d << " l=" << l;
  }
}

// Vim's backward direction into the causal conv: a flip along time read
// through by the conv's loads (odd l, l shorter than the kernel, a flip that
// also has another user and so stays materialized).
TEST(FoldedConv, FlippedInput) {
  for (int64_t l : {9, 2}) {
    for (bool secondUser : {false, true}) {
      int64_t b = 2, d = 3, k = 4;
      std::string seq = tensorType({b, d, l}, "f32"),
                  wt = tensorType({d, k}, "f32"), bt = tensorType({d}, "f32");
      std::ostringstream ir;
      ir << "func.func @f(%x: " << seq << ", %w: " << wt << ", %bias: " << bt
         << ") -> (" << seq << ", " << seq << ") {\n"
         << "  %xr = ssm.flip %x along 2 : " << seq << "\n"
         << "  %y = ssm.causal_conv1d silu %xr, %w bias(%bias : " << bt
         << ") : " << seq << ", " << wt << "\n";
      if (secondUser)
        ir << "  %s = arith.addf %xr, %y : " << seq << "\n";
      else
        ir << "  %s = arith.addf %x, %y : " << seq << "\n";
      ir << "  return %y, %s : " << seq << ", " << seq << "\n}\n";
      ref::Tensor x = roundTo(ref::randomTensor({b, d, l}, 11), "f32");
      ref::Tensor w = roundTo(ref::randomTensor({d, k}, 12), "f32");
      ref::Tensor bias = roundTo(ref::randomTensor({d}, 13), "f32");
      std::vector<ref::Tensor> got = compileAndRun(ir.str(), "f", {x, w, bias}, {});
      ref::Tensor want = ref::causalConv1d(ref::flip(x, 2), w, bias, ref::Activation::Silu);
      EXPECT_LE(ref::maxRelError(got[0], want), kF32Tol)
          << "l=" << l << " secondUser=" << secondUser;
      ref::Tensor sum = secondUser ? ref::flip(x, 2) : x;
      for (size_t i = 0; i < sum.data.size(); ++i)
        sum.data[i] += want.data[i];
      EXPECT_LE(ref::maxRelError(got[1], sum), kF32Tol)
          << "l=" << l << " secondUser=" << secondUser;
    }
  }
}

// FastVim: pool (mean or max) -> scan -> broadcast, at odd sizes.
TEST(FoldedScan, PooledInputBroadcastOutput) {
  // e = 5: one vector of states per channel; e = 21: blocks of 16 channels.
  for (auto [kind, name, e] : {std::tuple{ref::PoolKind::Mean, "mean", 5},
                               std::tuple{ref::PoolKind::Max, "max", 5},
                               std::tuple{ref::PoolKind::Mean, "mean", 21},
                               std::tuple{ref::PoolKind::Max, "max", 21}}) {
    int64_t b = 1, rows = 3, cols = 5, n = 16;
    std::string x = tensorType({b, e, rows * cols}, "f32");
    std::string p = tensorType({b, e, rows}, "f32"),
                bc = tensorType({b, n, rows}, "f32");
    std::string aType = tensorType({e, n}, "f32");
    std::ostringstream ir;
    ir << "func.func @f(%x: " << x << ", %dt: " << p << ", %A: " << aType
       << ", %B: " << bc << ", %C: " << bc << ") -> " << x << " {\n"
       << "  %p = ssm.axis_pool " << name << " %x cols " << cols << " : " << x
       << "\n"
       << "  %s = ssm.selective_scan %p, %dt, %A, %B, %C delta_softplus : " << p
       << ", " << p << ", " << aType << ", " << bc << ", " << bc << "\n"
       << "  %y = ssm.axis_broadcast %s cols " << cols << " : " << p << "\n"
       << "  return %y : " << x << "\n}\n";
    auto r = [](std::vector<int64_t> s, uint64_t seed) {
      return roundTo(ref::randomTensor(s, seed), "f32");
    };
    ref::Tensor xv = r({b, e, rows * cols}, 11), dt = r({b, e, rows}, 12),
                B = r({b, n, rows}, 14), C = r({b, n, rows}, 15);
    ref::Tensor A = roundTo(ref::randomTensor({e, n}, 13, -1.5, -0.2), "f32");
    std::vector<ref::Tensor> got =
        compileAndRun(ir.str(), "f", {xv, dt, A, B, C}, {});
    ref::ScanResult scan = ref::selectiveScan(
        ref::axisPool(xv, cols, kind, 1.0), dt, A, B, C, std::nullopt,
        std::nullopt, std::nullopt, true, false);
    EXPECT_LE(ref::maxRelError(got[0], ref::axisBroadcast(scan.out, cols)),
              kF32Tol)
        << name << " e=" << e;
  }
}
