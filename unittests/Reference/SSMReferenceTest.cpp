//===- SSMReferenceTest.cpp - tests of the float64 reference ops ----------===//
//
// 1. Every backward function against central finite differences (float64,
//    h = 1e-6) of the scalar <dout, f(x)>, for every input of every op.
// 2. Independent cross-checks of the forwards (algebraic identities, closed
//    forms, adjointness, hand-computed cases).
//
//===----------------------------------------------------------------------===//

#include "SSMReference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace ssm::ref;

namespace {

constexpr double kFdStep = 1e-6;
constexpr double kFdTol = 1e-6;

//===----------------------------------------------------------------------===//
// Generic finite-difference gradient checker
//===----------------------------------------------------------------------===//

using MultiFn = std::function<std::vector<Tensor>(const std::vector<Tensor> &)>;

/// Scalar loss ℓ(x) = Σ_k <douts[k], f(x)[k]>.
double loss(const MultiFn &f, const std::vector<Tensor> &inputs,
            const std::vector<Tensor> &douts) {
  std::vector<Tensor> outs = f(inputs);
  EXPECT_EQ(outs.size(), douts.size());
  double l = 0.0;
  for (size_t k = 0; k < outs.size(); ++k)
    l += dot(douts[k], outs[k]);
  return l;
}

/// For every element of every input: numeric ∂ℓ/∂x_i = (ℓ(x+h e_i) −
/// ℓ(x−h e_i)) / 2h, compared with analytic[j] via maxRelError (max abs
/// deviation over the tensor / inf-norm of the numeric gradient).
void checkGradients(const std::string &what, const MultiFn &f,
                    const std::vector<Tensor> &inputs,
                    const std::vector<Tensor> &douts,
                    const std::vector<Tensor> &analytic,
                    const std::vector<std::string> &names) {
  ASSERT_EQ(inputs.size(), analytic.size()) << what;
  ASSERT_EQ(inputs.size(), names.size()) << what;
  std::vector<Tensor> x = inputs;
  for (size_t j = 0; j < x.size(); ++j) {
    ASSERT_EQ(analytic[j].shape, x[j].shape) << what << ": d" << names[j];
    Tensor numeric(x[j].shape);
    for (int64_t i = 0; i < x[j].numel(); ++i) {
      const double orig = x[j].data[i];
      x[j].data[i] = orig + kFdStep;
      const double lp = loss(f, x, douts);
      x[j].data[i] = orig - kFdStep;
      const double lm = loss(f, x, douts);
      x[j].data[i] = orig;
      numeric.data[i] = (lp - lm) / (2.0 * kFdStep);
    }
    // An all-zero analytic gradient only passes if the numeric one is also
    // zero (maxRelError is then 0); otherwise the error is 1.
    EXPECT_LE(maxRelError(analytic[j], numeric), kFdTol)
        << what << ": gradient w.r.t. " << names[j];
  }
}

Tensor rnd(const std::vector<int64_t> &shape, uint64_t seed, double lo = -1.0,
           double hi = 1.0) {
  return randomTensor(shape, seed, lo, hi);
}

double maxAbs(const Tensor &t) {
  double m = 0.0;
  for (double v : t.data)
    m = std::max(m, std::fabs(v));
  return m;
}

/// maxRelError(a, b) <= tol with matching shapes (streamable assertion).
::testing::AssertionResult tensorsNear(const Tensor &a, const Tensor &b,
                                       double tol) {
  if (a.shape != b.shape)
    return ::testing::AssertionFailure() << "shape " << shapeToString(a.shape)
                                         << " vs " << shapeToString(b.shape);
  const double e = maxRelError(a, b);
  if (e <= tol)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "maxRelError " << e << " > " << tol;
}
#define EXPECT_TENSOR_NEAR(a, b, tol) EXPECT_TRUE(tensorsNear((a), (b), (tol)))

//===----------------------------------------------------------------------===//
// Tensor basics
//===----------------------------------------------------------------------===//

TEST(RefTensor, IndexingIsRowMajor) {
  Tensor t({2, 3, 4});
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data[i] = static_cast<double>(i);
  EXPECT_EQ(t.at({1, 2, 3}), 23.0);
  EXPECT_EQ(t.at({1, 0, 2}), 14.0);
  EXPECT_EQ(t.offset({0, 1, 0}), 4);
  EXPECT_EQ(t.dim(-1), 4);
  EXPECT_EQ(t.rank(), 3);
}

TEST(RefTensor, RandomIsDeterministicAndInRange) {
  Tensor a = randomTensor({5, 7}, 42, -2.0, -1.0);
  Tensor b = randomTensor({5, 7}, 42, -2.0, -1.0);
  Tensor c = randomTensor({5, 7}, 43, -2.0, -1.0);
  EXPECT_EQ(a.data, b.data);
  EXPECT_NE(a.data, c.data);
  for (double v : a.data) {
    EXPECT_GE(v, -2.0);
    EXPECT_LT(v, -1.0);
  }
}

TEST(RefTensor, MaxRelError) {
  Tensor ref({3}, std::vector<double>{1.0, -4.0, 2.0});
  Tensor a({3}, std::vector<double>{1.0, -4.0, 2.4});
  EXPECT_DOUBLE_EQ(maxRelError(a, ref), 0.4 / 4.0);
  EXPECT_EQ(maxRelError(ref, ref), 0.0);
  EXPECT_EQ(maxRelError(Tensor({2}), Tensor({2})), 0.0);
  EXPECT_TRUE(std::isinf(maxRelError(Tensor({2}), Tensor({3}))));
}

//===----------------------------------------------------------------------===//
// Selective scan: finite-difference gradients
//===----------------------------------------------------------------------===//

struct ScanCase {
  int64_t b, d, l, n;
  int64_t groups; // 0: shared 3-D B/C (b,n,l); >0: grouped 4-D (b,g,n,l)
  bool softplus, reverse, hasD, hasZ, hasBias;
};

std::string scanCaseName(const ScanCase &c) {
  std::string s = "b" + std::to_string(c.b) + "d" + std::to_string(c.d) + "l" +
                  std::to_string(c.l) + "n" + std::to_string(c.n);
  s += c.groups == 0 ? "_shared" : "_g" + std::to_string(c.groups);
  s += c.softplus ? "_sp" : "_nosp";
  s += c.reverse ? "_rev" : "_fwd";
  s += "_";
  if (c.hasD)
    s += "D";
  if (c.hasZ)
    s += "Z";
  if (c.hasBias)
    s += "Bias";
  if (!c.hasD && !c.hasZ && !c.hasBias)
    s += "plain";
  return s;
}

/// Random scan operands for a case; never zero, A < 0, delta > 0 without
/// softplus.
struct ScanOperands {
  Tensor u, delta, A, B, C;
  std::optional<Tensor> D, z, bias;
};

ScanOperands makeScanOperands(const ScanCase &c, uint64_t seed,
                              double deltaLo = -1.0, double deltaHi = 1.0) {
  ScanOperands o;
  o.u = rnd({c.b, c.d, c.l}, seed + 1);
  if (c.softplus)
    o.delta = rnd({c.b, c.d, c.l}, seed + 2, deltaLo, deltaHi);
  else
    o.delta = rnd({c.b, c.d, c.l}, seed + 2, 0.05, 0.8);
  o.A = rnd({c.d, c.n}, seed + 3, -1.5, -0.2);
  std::vector<int64_t> bc = c.groups == 0
                                ? std::vector<int64_t>{c.b, c.n, c.l}
                                : std::vector<int64_t>{c.b, c.groups, c.n, c.l};
  o.B = rnd(bc, seed + 4);
  o.C = rnd(bc, seed + 5);
  if (c.hasD)
    o.D = rnd({c.d}, seed + 6);
  if (c.hasZ)
    o.z = rnd({c.b, c.d, c.l}, seed + 7, -2.0, 2.0);
  if (c.hasBias)
    o.bias = c.softplus ? rnd({c.d}, seed + 8, -0.5, 0.5)
                        : rnd({c.d}, seed + 8, 0.01, 0.3);
  return o;
}

/// Runs the generic FD checker over every operand of the scan.
void checkScanGradients(const ScanCase &c, const ScanOperands &o,
                        const std::string &what) {
  std::vector<Tensor> inputs = {o.u, o.delta, o.A, o.B, o.C};
  std::vector<std::string> names = {"u", "delta", "A", "B", "C"};
  int iD = -1, iZ = -1, iBias = -1;
  if (o.D) {
    iD = static_cast<int>(inputs.size());
    inputs.push_back(*o.D);
    names.push_back("D");
  }
  if (o.z) {
    iZ = static_cast<int>(inputs.size());
    inputs.push_back(*o.z);
    names.push_back("z");
  }
  if (o.bias) {
    iBias = static_cast<int>(inputs.size());
    inputs.push_back(*o.bias);
    names.push_back("deltaBias");
  }
  auto opt = [](const std::vector<Tensor> &in, int i) -> std::optional<Tensor> {
    if (i < 0)
      return std::nullopt;
    return in[i];
  };
  MultiFn f = [&](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{
        selectiveScan(in[0], in[1], in[2], in[3], in[4], opt(in, iD),
                      opt(in, iZ), opt(in, iBias), c.softplus, c.reverse)
            .out};
  };
  Tensor dout = rnd({c.b, c.d, c.l}, 999);
  ScanGrads g = selectiveScanGrad(dout, o.u, o.delta, o.A, o.B, o.C, o.D, o.z,
                                  o.bias, c.softplus, c.reverse);
  ASSERT_EQ(g.dD.has_value(), o.D.has_value());
  ASSERT_EQ(g.dz.has_value(), o.z.has_value());
  ASSERT_EQ(g.ddeltaBias.has_value(), o.bias.has_value());
  std::vector<Tensor> analytic = {g.du, g.ddelta, g.dA, g.dB, g.dC};
  if (o.D)
    analytic.push_back(*g.dD);
  if (o.z)
    analytic.push_back(*g.dz);
  if (o.bias)
    analytic.push_back(*g.ddeltaBias);
  checkGradients(what, f, inputs, {dout}, analytic, names);
}

class ScanGradTest : public ::testing::TestWithParam<ScanCase> {};

TEST_P(ScanGradTest, MatchesFiniteDifferences) {
  const ScanCase c = GetParam();
  checkScanGradients(c, makeScanOperands(c, 100), scanCaseName(c));
}

std::vector<ScanCase> allScanCases() {
  struct Shape {
    int64_t b, d, l, n;
  };
  // Generic, L = 1, odd L with N = 1 and batch 1, even L with N = 1.
  const Shape shapes[] = {
      {2, 4, 5, 3}, {1, 4, 1, 2}, {1, 2, 7, 1}, {2, 4, 6, 1}};
  struct Extras {
    bool D, z, bias;
  };
  const Extras extras[] = {{false, false, false},
                           {true, true, true},
                           {true, false, false},
                           {false, true, false},
                           {false, false, true}};
  std::vector<ScanCase> cases;
  for (const Shape &s : shapes)
    for (int64_t g : {0, 1, 2})
      for (bool sp : {false, true})
        for (bool rev : {false, true})
          for (const Extras &e : extras) {
            if (g > 0 && s.d % g != 0)
              continue;
            cases.push_back({s.b, s.d, s.l, s.n, g, sp, rev, e.D, e.z, e.bias});
          }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, ScanGradTest,
                         ::testing::ValuesIn(allScanCases()),
                         [](const ::testing::TestParamInfo<ScanCase> &info) {
                           return scanCaseName(info.param);
                         });

// Softplus above its threshold (identity branch, derivative 1) mixed with
// values below it; no value near 20, where softplus has a tiny kink.
TEST(ScanGrad, SoftplusThresholdBranch) {
  for (bool rev : {false, true}) {
    ScanCase c{2, 4, 5, 2, 2, true, rev, true, true, true};
    ScanOperands o = makeScanOperands(c, 7);
    Tensor big = rnd(o.delta.shape, 8, 20.5, 23.0);
    for (int64_t i = 0; i < o.delta.numel(); i += 2)
      o.delta.data[i] = big.data[i];
    o.bias = rnd({c.d}, 9, 0.01, 0.2);
    checkScanGradients(c, o, rev ? "threshold reverse" : "threshold forward");
  }
}

//===----------------------------------------------------------------------===//
// Selective scan: forward cross-checks
//===----------------------------------------------------------------------===//

/// Closed (convolution) form of the recurrence, written independently of the
/// step loop: y_t = Σ_{s≤t} Σ_n C_t,n·(Π_{r=s+1..t} exp(δ_r A_n))·δ_s B_s,n u_s
/// + D u_t; out = y·silu(z); forward (non-reversed) order only.
Tensor scanClosedForm(const ScanOperands &o, bool softplusOn) {
  const int64_t Bn = o.u.dim(0), D = o.u.dim(1), L = o.u.dim(2), N = o.A.dim(1);
  const bool grouped = o.B.rank() == 4;
  const int64_t G = grouped ? o.B.dim(1) : 1;
  Tensor out({Bn, D, L});
  auto dtAt = [&](int64_t b, int64_t d, int64_t t) {
    double v = o.delta.at({b, d, t}) + (o.bias ? o.bias->at({d}) : 0.0);
    return softplusOn ? softplus(v) : v;
  };
  for (int64_t b = 0; b < Bn; ++b)
    for (int64_t d = 0; d < D; ++d) {
      const int64_t g = d / (D / G);
      auto Bv = [&](int64_t n, int64_t t) {
        return grouped ? o.B.at({b, g, n, t}) : o.B.at({b, n, t});
      };
      auto Cv = [&](int64_t n, int64_t t) {
        return grouped ? o.C.at({b, g, n, t}) : o.C.at({b, n, t});
      };
      for (int64_t t = 0; t < L; ++t) {
        double y = 0.0;
        for (int64_t s = 0; s <= t; ++s)
          for (int64_t n = 0; n < N; ++n) {
            double sumExp = 0.0;
            for (int64_t r = s + 1; r <= t; ++r)
              sumExp += dtAt(b, d, r) * o.A.at({d, n});
            y += Cv(n, t) * std::exp(sumExp) * dtAt(b, d, s) * Bv(n, s) *
                 o.u.at({b, d, s});
          }
        if (o.D)
          y += o.D->at({d}) * o.u.at({b, d, t});
        if (o.z)
          y *= silu(o.z->at({b, d, t}));
        out.at({b, d, t}) = y;
      }
    }
  return out;
}

TEST(ScanForward, MatchesClosedForm) {
  const ScanCase cases[] = {
      {2, 4, 5, 3, 0, false, false, true, false, false},
      {2, 4, 5, 3, 2, true, false, true, true, true},
      {1, 4, 1, 2, 1, true, false, false, false, true},
      {1, 2, 7, 1, 0, false, false, true, true, false},
      {2, 6, 4, 2, 3, true, false, false, true, true},
  };
  int seed = 0;
  for (const ScanCase &c : cases) {
    ScanOperands o = makeScanOperands(c, 500 + 10 * seed++);
    Tensor out = selectiveScan(o.u, o.delta, o.A, o.B, o.C, o.D, o.z, o.bias,
                               c.softplus, false)
                     .out;
    EXPECT_TENSOR_NEAR(out, scanClosedForm(o, c.softplus), 1e-13)
        << scanCaseName(c);
  }
}

TEST(ScanForward, HandComputed) {
  // d=1, n=1, l=2: u=[1,2], δ=[0.5,0.25] (no softplus), A=-1, B=[1,3],
  // C=[2,-1], D=0.5.
  //   h0 = 0.5·1·1 = 0.5;                 y0 = 2·0.5 + 0.5·1 = 1.5
  //   h1 = e^{-0.25}·0.5 + 0.25·3·2;      y1 = -h1 + 0.5·2
  Tensor u({1, 1, 2}, std::vector<double>{1.0, 2.0});
  Tensor delta({1, 1, 2}, std::vector<double>{0.5, 0.25});
  Tensor A({1, 1}, std::vector<double>{-1.0});
  Tensor B({1, 1, 2}, std::vector<double>{1.0, 3.0});
  Tensor C({1, 1, 2}, std::vector<double>{2.0, -1.0});
  Tensor D({1}, std::vector<double>{0.5});
  ScanResult r = selectiveScan(u, delta, A, B, C, D, std::nullopt, std::nullopt,
                               false, false);
  EXPECT_NEAR(r.out.at({0, 0, 0}), 1.5, 1e-15);
  EXPECT_NEAR(r.out.at({0, 0, 1}), -0.8894003915357025, 1e-15);
  EXPECT_NEAR(r.lastState.at({0, 0, 0}), 1.8894003915357025, 1e-15);

  // Reverse: step 0 is t=1: h = 0.25·3·2 = 1.5, y1 = -1.5 + 1 = -0.5;
  // step 1 is t=0: h = e^{-0.5}·1.5 + 0.5·1·1, y0 = 2h + 0.5.
  ScanResult rr = selectiveScan(u, delta, A, B, C, D, std::nullopt,
                                std::nullopt, false, true);
  EXPECT_NEAR(rr.out.at({0, 0, 0}), 3.3195919791379005, 1e-15);
  EXPECT_NEAR(rr.out.at({0, 0, 1}), -0.5, 1e-15);
  EXPECT_NEAR(rr.lastState.at({0, 0, 0}), 1.4097959895689502, 1e-15);

  // Softplus + bias + z, l=1: δ̃ = -0.5 + 0.5 = 0 ⇒ δ = ln 2; u=2, B=3, C=0.5,
  // D=0.25, z=1: h = 6 ln 2, y = 0.5 h + 0.5, out = y·silu(1).
  Tensor u1({1, 1, 1}, std::vector<double>{2.0});
  Tensor d1({1, 1, 1}, std::vector<double>{-0.5});
  Tensor B1({1, 1, 1}, std::vector<double>{3.0});
  Tensor C1({1, 1, 1}, std::vector<double>{0.5});
  Tensor D1({1}, std::vector<double>{0.25});
  Tensor z1({1, 1, 1}, std::vector<double>{1.0});
  Tensor bias1({1}, std::vector<double>{0.5});
  ScanResult r1 = selectiveScan(u1, d1, A, B1, C1, D1, z1, bias1, true, false);
  EXPECT_NEAR(r1.lastState.at({0, 0, 0}), 4.1588830833596715, 1e-15);
  EXPECT_NEAR(r1.out.at({0, 0, 0}), 1.8857228671196493, 1e-15);
}

TEST(ScanForward, ReverseEqualsFlipScanFlip) {
  for (int64_t g : {0, 1, 2})
    for (bool sp : {false, true})
      for (int64_t l : {1, 4, 7}) {
        ScanCase c{2, 4, l, 3, g, sp, true, true, true, true};
        ScanOperands o = makeScanOperands(c, 200 + l + 10 * g);
        const int64_t lDim = -1;
        ScanResult rev = selectiveScan(o.u, o.delta, o.A, o.B, o.C, o.D, o.z,
                                       o.bias, sp, true);
        ScanResult fwd = selectiveScan(
            flip(o.u, lDim), flip(o.delta, lDim), o.A, flip(o.B, lDim),
            flip(o.C, lDim), o.D, flip(*o.z, lDim), o.bias, sp, false);
        EXPECT_TENSOR_NEAR(rev.out, flip(fwd.out, lDim), 1e-14)
            << scanCaseName(c);
        EXPECT_TENSOR_NEAR(rev.lastState, fwd.lastState, 1e-14)
            << scanCaseName(c);

        // Gradients: reverse grads == flipped grads of the flipped problem.
        Tensor dout = rnd({2, 4, l}, 77);
        ScanGrads gr = selectiveScanGrad(dout, o.u, o.delta, o.A, o.B, o.C, o.D,
                                         o.z, o.bias, sp, true);
        ScanGrads gf = selectiveScanGrad(flip(dout, lDim), flip(o.u, lDim),
                                         flip(o.delta, lDim), o.A,
                                         flip(o.B, lDim), flip(o.C, lDim), o.D,
                                         flip(*o.z, lDim), o.bias, sp, false);
        EXPECT_TENSOR_NEAR(gr.du, flip(gf.du, lDim), 1e-13);
        EXPECT_TENSOR_NEAR(gr.ddelta, flip(gf.ddelta, lDim), 1e-13);
        EXPECT_TENSOR_NEAR(gr.dB, flip(gf.dB, lDim), 1e-13);
        EXPECT_TENSOR_NEAR(gr.dC, flip(gf.dC, lDim), 1e-13);
        EXPECT_TENSOR_NEAR(*gr.dz, flip(*gf.dz, lDim), 1e-13);
        EXPECT_TENSOR_NEAR(gr.dA, gf.dA, 1e-13);
        EXPECT_TENSOR_NEAR(*gr.dD, *gf.dD, 1e-13);
        EXPECT_TENSOR_NEAR(*gr.ddeltaBias, *gf.ddeltaBias, 1e-13);
      }
}

TEST(ScanForward, ZGateEqualsSiluTimesUngated) {
  for (bool rev : {false, true}) {
    ScanCase c{2, 4, 6, 3, 2, true, rev, true, true, true};
    ScanOperands o = makeScanOperands(c, 300);
    Tensor gated =
        selectiveScan(o.u, o.delta, o.A, o.B, o.C, o.D, o.z, o.bias, true, rev)
            .out;
    ScanResult plain = selectiveScan(o.u, o.delta, o.A, o.B, o.C, o.D,
                                     std::nullopt, o.bias, true, rev);
    Tensor expected = plain.out;
    for (int64_t i = 0; i < expected.numel(); ++i)
      expected.data[i] *= silu(o.z->data[i]);
    EXPECT_TENSOR_NEAR(gated, expected, 1e-15);
    // The gate does not affect the state.
    ScanResult gatedR =
        selectiveScan(o.u, o.delta, o.A, o.B, o.C, o.D, o.z, o.bias, true, rev);
    EXPECT_EQ(gatedR.lastState.data, plain.lastState.data);
  }
}

TEST(ScanForward, GroupedG1EqualsShared3D) {
  for (bool rev : {false, true})
    for (int64_t l : {1, 5}) {
      ScanCase c{2, 4, l, 3, 0, true, rev, true, true, true};
      ScanOperands o = makeScanOperands(c, 400 + l);
      Tensor B4({2, 1, 3, l}, o.B.data), C4({2, 1, 3, l}, o.C.data);
      ScanResult s3 = selectiveScan(o.u, o.delta, o.A, o.B, o.C, o.D, o.z,
                                    o.bias, true, rev);
      ScanResult s4 =
          selectiveScan(o.u, o.delta, o.A, B4, C4, o.D, o.z, o.bias, true, rev);
      EXPECT_EQ(s3.out.data, s4.out.data);
      EXPECT_EQ(s3.lastState.data, s4.lastState.data);
      Tensor dout = rnd({2, 4, l}, 5);
      ScanGrads g3 = selectiveScanGrad(dout, o.u, o.delta, o.A, o.B, o.C, o.D,
                                       o.z, o.bias, true, rev);
      ScanGrads g4 = selectiveScanGrad(dout, o.u, o.delta, o.A, B4, C4, o.D,
                                       o.z, o.bias, true, rev);
      EXPECT_EQ(g4.dB.shape, B4.shape);
      EXPECT_EQ(g3.dB.data, g4.dB.data);
      EXPECT_EQ(g3.dC.data, g4.dC.data);
      EXPECT_EQ(g3.du.data, g4.du.data);
      EXPECT_EQ(g3.dA.data, g4.dA.data);
    }
}

/// Channels [lo, hi) of a (b,d,l) tensor / of a (d,...) tensor along dim 0.
Tensor sliceDim(const Tensor &x, int64_t dim, int64_t lo, int64_t hi) {
  std::vector<int64_t> shape = x.shape;
  shape[dim] = hi - lo;
  Tensor y(shape);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i)
    outer *= x.shape[i];
  for (int64_t i = dim + 1; i < x.rank(); ++i)
    inner *= x.shape[i];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = lo; c < hi; ++c)
      for (int64_t i = 0; i < inner; ++i)
        y.data[(o * (hi - lo) + (c - lo)) * inner + i] =
            x.data[(o * x.shape[dim] + c) * inner + i];
  return y;
}

/// B[:, g] of a (b,G,n,l) tensor as a (b,n,l) tensor.
Tensor groupOf(const Tensor &B4, int64_t g) {
  Tensor s = sliceDim(B4, 1, g, g + 1);
  return Tensor({B4.dim(0), B4.dim(2), B4.dim(3)}, s.data);
}

TEST(ScanForward, GroupedEqualsPerGroupSharedScans) {
  // d=6, g=3: channels {0,1} use group 0, {2,3} group 1, {4,5} group 2.
  for (bool rev : {false, true}) {
    ScanCase c{2, 6, 5, 2, 3, true, rev, true, true, true};
    ScanOperands o = makeScanOperands(c, 600);
    ScanResult full =
        selectiveScan(o.u, o.delta, o.A, o.B, o.C, o.D, o.z, o.bias, true, rev);
    Tensor dout = rnd({2, 6, 5}, 601);
    ScanGrads gFull = selectiveScanGrad(dout, o.u, o.delta, o.A, o.B, o.C, o.D,
                                        o.z, o.bias, true, rev);
    for (int64_t g = 0; g < 3; ++g) {
      const int64_t lo = 2 * g, hi = 2 * g + 2;
      ScanResult part = selectiveScan(
          sliceDim(o.u, 1, lo, hi), sliceDim(o.delta, 1, lo, hi),
          sliceDim(o.A, 0, lo, hi), groupOf(o.B, g), groupOf(o.C, g),
          sliceDim(*o.D, 0, lo, hi), sliceDim(*o.z, 1, lo, hi),
          sliceDim(*o.bias, 0, lo, hi), true, rev);
      EXPECT_EQ(sliceDim(full.out, 1, lo, hi).data, part.out.data);
      EXPECT_EQ(sliceDim(full.lastState, 1, lo, hi).data, part.lastState.data);
      ScanGrads gPart = selectiveScanGrad(
          sliceDim(dout, 1, lo, hi), sliceDim(o.u, 1, lo, hi),
          sliceDim(o.delta, 1, lo, hi), sliceDim(o.A, 0, lo, hi),
          groupOf(o.B, g), groupOf(o.C, g), sliceDim(*o.D, 0, lo, hi),
          sliceDim(*o.z, 1, lo, hi), sliceDim(*o.bias, 0, lo, hi), true, rev);
      EXPECT_TENSOR_NEAR(groupOf(gFull.dB, g), gPart.dB, 1e-15);
      EXPECT_TENSOR_NEAR(groupOf(gFull.dC, g), gPart.dC, 1e-15);
      EXPECT_TENSOR_NEAR(sliceDim(gFull.du, 1, lo, hi), gPart.du, 1e-15);
      EXPECT_TENSOR_NEAR(sliceDim(gFull.dA, 0, lo, hi), gPart.dA, 1e-15);
    }
  }
}

TEST(ScanForward, LastStateIsFinalStateOfScanOrder) {
  // lastState of a forward scan = h after t = l-1, iterated here by hand for
  // every (channel, state) pair (the reverse case is covered by
  // ReverseEqualsFlipScanFlip).
  ScanCase c{1, 2, 4, 2, 0, true, false, true, false, true};
  ScanOperands o = makeScanOperands(c, 700);
  ScanResult full =
      selectiveScan(o.u, o.delta, o.A, o.B, o.C, o.D, o.z, o.bias, true, false);
  for (int64_t d = 0; d < 2; ++d)
    for (int64_t n = 0; n < 2; ++n) {
      double h = 0.0;
      for (int64_t t = 0; t < 4; ++t) {
        double dt = softplus(o.delta.at({0, d, t}) + o.bias->at({d}));
        h = std::exp(dt * o.A.at({d, n})) * h +
            dt * o.B.at({0, n, t}) * o.u.at({0, d, t});
      }
      EXPECT_NEAR(full.lastState.at({0, d, n}), h, 1e-15);
    }
}

//===----------------------------------------------------------------------===//
// Causal conv1d
//===----------------------------------------------------------------------===//

struct ConvCase {
  int64_t b, d, l, k;
  bool bias;
  Activation act;
};

class CausalConvGradTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(CausalConvGradTest, MatchesFiniteDifferences) {
  const ConvCase c = GetParam();
  Tensor x = rnd({c.b, c.d, c.l}, 11);
  Tensor w = rnd({c.d, c.k}, 12);
  std::optional<Tensor> bias;
  if (c.bias)
    bias = rnd({c.d}, 13);
  std::vector<Tensor> inputs = {x, w};
  std::vector<std::string> names = {"x", "weight"};
  if (bias) {
    inputs.push_back(*bias);
    names.push_back("bias");
  }
  MultiFn f = [&](const std::vector<Tensor> &in) {
    std::optional<Tensor> b;
    if (c.bias)
      b = in[2];
    return std::vector<Tensor>{causalConv1d(in[0], in[1], b, c.act)};
  };
  Tensor dout = rnd({c.b, c.d, c.l}, 14);
  CausalConv1dGrads g = causalConv1dGrad(dout, x, w, bias, c.act);
  ASSERT_EQ(g.dbias.has_value(), c.bias);
  std::vector<Tensor> analytic = {g.dx, g.dweight};
  if (c.bias)
    analytic.push_back(*g.dbias);
  checkGradients("causalConv1d", f, inputs, {dout}, analytic, names);
}

std::vector<ConvCase> allConvCases() {
  std::vector<ConvCase> cases;
  for (int64_t k : {1, 2, 3, 4})
    for (bool bias : {false, true})
      for (Activation act : {Activation::None, Activation::Silu}) {
        cases.push_back({2, 3, 7, k, bias, act}); // L > k
        cases.push_back({1, 2, 2, k, bias, act}); // L <= k
      }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(
    AllVariants, CausalConvGradTest, ::testing::ValuesIn(allConvCases()),
    [](const ::testing::TestParamInfo<ConvCase> &info) {
      const ConvCase &c = info.param;
      return "b" + std::to_string(c.b) + "d" + std::to_string(c.d) + "l" +
             std::to_string(c.l) + "k" + std::to_string(c.k) +
             (c.bias ? "_bias" : "_nobias") +
             (c.act == Activation::Silu ? "_silu" : "_none");
    });

TEST(CausalConvForward, HandComputed) {
  // d=1, k=3, x=[1,2,3,4], w=[0.5,-1,2], b=0.25 (w[2] multiplies x_t):
  //   pre = [2·1+.25, -1·1+2·2+.25, .5·1-1·2+2·3+.25, .5·2-1·3+2·4+.25]
  Tensor x({1, 1, 4}, std::vector<double>{1, 2, 3, 4});
  Tensor w({1, 3}, std::vector<double>{0.5, -1.0, 2.0});
  Tensor b({1}, std::vector<double>{0.25});
  Tensor pre = causalConv1d(x, w, b, Activation::None);
  const double expectPre[] = {2.25, 3.25, 4.75, 6.25};
  const double expectSilu[] = {2.035463703977004, 3.1286876161315798,
                               4.709256944284868, 6.237957908354203};
  Tensor act = causalConv1d(x, w, b, Activation::Silu);
  for (int64_t t = 0; t < 4; ++t) {
    EXPECT_NEAR(pre.at({0, 0, t}), expectPre[t], 1e-15);
    EXPECT_NEAR(act.at({0, 0, t}), expectSilu[t], 1e-15);
  }
}

TEST(CausalConvForward, EqualsFullConvTruncated) {
  // PyTorch Conv1d(groups=d, padding=k-1): zero-pad k-1 on both sides,
  // out_full[j] = Σ_i w[i]·xpad[j+i] for j < l+k-1; keep the first l.
  for (int64_t k : {1, 2, 3, 4})
    for (int64_t l : {1, 3, 8}) {
      const int64_t B = 2, D = 3;
      Tensor x = rnd({B, D, l}, 20 + k);
      Tensor w = rnd({D, k}, 30 + k);
      Tensor bias = rnd({D}, 40 + k);
      Tensor expected({B, D, l});
      for (int64_t b = 0; b < B; ++b)
        for (int64_t d = 0; d < D; ++d) {
          std::vector<double> xpad(l + 2 * (k - 1), 0.0);
          for (int64_t t = 0; t < l; ++t)
            xpad[t + k - 1] = x.at({b, d, t});
          std::vector<double> full(l + k - 1, 0.0);
          for (int64_t j = 0; j < l + k - 1; ++j) {
            full[j] = bias.at({d});
            for (int64_t i = 0; i < k; ++i)
              full[j] += w.at({d, i}) * xpad[j + i];
          }
          for (int64_t t = 0; t < l; ++t)
            expected.at({b, d, t}) = silu(full[t]);
        }
      EXPECT_TENSOR_NEAR(causalConv1d(x, w, bias, Activation::Silu), expected,
                         1e-15)
          << "k=" << k << " l=" << l;
    }
}

//===----------------------------------------------------------------------===//
// Cross-scan / cross-merge, flip, grid transpose
//===----------------------------------------------------------------------===//

TEST(CrossScan, IndexMapsExplicit) {
  // H=2, W=3, x[h,w] = 10h + w.
  Tensor x({1, 1, 2, 3});
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t w = 0; w < 3; ++w)
      x.at({0, 0, h, w}) = 10.0 * h + w;
  Tensor xs = crossScan(
      x, {ScanDir::Row, ScanDir::Col, ScanDir::RowRev, ScanDir::ColRev});
  ASSERT_EQ(xs.shape, (std::vector<int64_t>{1, 4, 1, 6}));
  const double expected[4][6] = {{0, 1, 2, 10, 11, 12},
                                 {0, 10, 1, 11, 2, 12},
                                 {12, 11, 10, 2, 1, 0},
                                 {12, 2, 11, 1, 10, 0}};
  for (int64_t k = 0; k < 4; ++k)
    for (int64_t p = 0; p < 6; ++p)
      EXPECT_EQ(xs.at({0, k, 0, p}), expected[k][p]) << "k=" << k << " p=" << p;
}

std::vector<std::vector<ScanDir>> allDirectionSequences() {
  const ScanDir all[] = {ScanDir::Row, ScanDir::Col, ScanDir::RowRev,
                         ScanDir::ColRev};
  std::vector<std::vector<ScanDir>> out;
  std::vector<std::vector<ScanDir>> frontier = {{}};
  for (int len = 1; len <= 4; ++len) {
    std::vector<std::vector<ScanDir>> next;
    for (const auto &seq : frontier)
      for (ScanDir d : all) {
        auto s = seq;
        s.push_back(d);
        next.push_back(s);
      }
    out.insert(out.end(), next.begin(), next.end());
    frontier = next;
  }
  return out; // 4 + 16 + 64 + 256 sequences
}

TEST(CrossScan, MergeIsAdjointForEveryDirectionSet) {
  auto seqs = allDirectionSequences();
  ASSERT_EQ(seqs.size(), 340u);
  for (auto hw : {std::pair<int64_t, int64_t>{3, 4}, {4, 3}, {3, 3}, {1, 5}}) {
    const int64_t H = hw.first, W = hw.second;
    int seed = 0;
    for (const auto &dirs : seqs) {
      const int64_t K = static_cast<int64_t>(dirs.size());
      Tensor x = rnd({2, 3, H, W}, 1000 + seed);
      Tensor Y = rnd({2, K, 3, H * W}, 2000 + seed);
      ++seed;
      const double lhs = dot(crossScan(x, dirs), Y);
      const double rhs = dot(x, crossMerge(Y, dirs, H, W));
      EXPECT_NEAR(lhs, rhs, 1e-12 * std::max(1.0, std::fabs(lhs)));
    }
  }
}

TEST(CrossScan, MergeOfScanIsKTimesIdentity) {
  Tensor x = rnd({2, 3, 3, 5}, 50);
  std::vector<ScanDir> dirs = {ScanDir::Row, ScanDir::Col, ScanDir::RowRev,
                               ScanDir::ColRev};
  Tensor y = crossMerge(crossScan(x, dirs), dirs, 3, 5);
  Tensor expected = x;
  for (double &v : expected.data)
    v *= 4.0;
  EXPECT_TENSOR_NEAR(y, expected, 1e-15);
}

TEST(CrossScan, GradientsMatchFiniteDifferences) {
  const std::vector<std::vector<ScanDir>> sets = {
      {ScanDir::Row, ScanDir::Col, ScanDir::RowRev, ScanDir::ColRev}, // VMamba
      {ScanDir::Row, ScanDir::Row, ScanDir::Row, ScanDir::Row},       // unidi
      {ScanDir::Row, ScanDir::Row, ScanDir::RowRev, ScanDir::RowRev}, // bidi
      {ScanDir::ColRev, ScanDir::Col}};
  for (const auto &dirs : sets) {
    const int64_t K = static_cast<int64_t>(dirs.size());
    Tensor x = rnd({2, 2, 3, 4}, 60);
    Tensor dY = rnd({2, K, 2, 12}, 61);
    checkGradients("crossScan",
                   [&](const std::vector<Tensor> &in) {
                     return std::vector<Tensor>{crossScan(in[0], dirs)};
                   },
                   {x}, {dY}, {crossMerge(dY, dirs, 3, 4)}, {"x"});
    Tensor Y = rnd({2, K, 2, 12}, 62);
    Tensor dy = rnd({2, 2, 3, 4}, 63);
    checkGradients("crossMerge",
                   [&](const std::vector<Tensor> &in) {
                     return std::vector<Tensor>{crossMerge(in[0], dirs, 3, 4)};
                   },
                   {Y}, {dy}, {crossScan(dy, dirs)}, {"ys"});
  }
}

TEST(Flip, ExplicitAndGradient) {
  Tensor x({2, 3}, std::vector<double>{1, 2, 3, 4, 5, 6});
  EXPECT_EQ(flip(x, 1).data, (std::vector<double>{3, 2, 1, 6, 5, 4}));
  EXPECT_EQ(flip(x, 0).data, (std::vector<double>{4, 5, 6, 1, 2, 3}));
  EXPECT_EQ(flip(x, -1).data, flip(x, 1).data);
  Tensor r = rnd({2, 3, 5}, 70);
  for (int64_t dim = 0; dim < 3; ++dim) {
    EXPECT_EQ(flip(flip(r, dim), dim).data, r.data);
    Tensor dout = rnd({2, 3, 5}, 71 + dim);
    checkGradients("flip",
                   [&](const std::vector<Tensor> &in) {
                     return std::vector<Tensor>{flip(in[0], dim)};
                   },
                   {r}, {dout}, {flip(dout, dim)}, {"x"});
  }
}

TEST(GridTranspose, ExplicitInverseAndGradient) {
  // rows=2, cols=3: T(u)[c·rows + r] = u[r·cols + c].
  Tensor u({1, 6}, std::vector<double>{0, 1, 2, 10, 11, 12}); // u = 10r + c
  Tensor t = gridTranspose(u, 1, 2, 3);
  EXPECT_EQ(t.data, (std::vector<double>{0, 10, 1, 11, 2, 12}));
  Tensor x = rnd({2, 12, 3}, 80); // (B, L=4·3, D), tokens along dim 1
  Tensor y = gridTranspose(x, 1, 4, 3);
  EXPECT_EQ(gridTranspose(y, 1, 3, 4).data, x.data);
  Tensor dout = rnd({2, 12, 3}, 81);
  checkGradients("gridTranspose",
                 [&](const std::vector<Tensor> &in) {
                   return std::vector<Tensor>{gridTranspose(in[0], 1, 4, 3)};
                 },
                 {x}, {dout}, {gridTranspose(dout, 1, 3, 4)}, {"x"});
}

//===----------------------------------------------------------------------===//
// Axis pool / broadcast
//===----------------------------------------------------------------------===//

TEST(AxisPool, GradientsMatchFiniteDifferences) {
  for (PoolKind kind : {PoolKind::Mean, PoolKind::Max, PoolKind::Sum})
    for (double scale : {1.0, 0.25})
      for (int64_t cols : {1, 3, 4}) {
        const int64_t rows = 3;
        Tensor x = rnd({2, 3, rows * cols}, 90 + cols);
        Tensor dout = rnd({2, 3, rows}, 91);
        checkGradients(
            "axisPool",
            [&](const std::vector<Tensor> &in) {
              return std::vector<Tensor>{axisPool(in[0], cols, kind, scale)};
            },
            {x}, {dout}, {axisPoolGrad(dout, x, cols, kind, scale)}, {"x"});
      }
}

TEST(AxisPool, HandComputedAndFirstArgMax) {
  Tensor x({1, 1, 8}, std::vector<double>{1, 3, 3, 2, -1, -4, -2, -1});
  EXPECT_EQ(axisPool(x, 4, PoolKind::Sum, 2.0).data,
            (std::vector<double>{18.0, -16.0}));
  EXPECT_EQ(axisPool(x, 4, PoolKind::Mean, 2.0).data,
            (std::vector<double>{4.5, -4.0}));
  EXPECT_EQ(axisPool(x, 4, PoolKind::Max, 2.0).data,
            (std::vector<double>{6.0, -2.0}));
  Tensor dp({1, 1, 2}, std::vector<double>{1.0, 10.0});
  // Ties (3,3) and (-1,-1): the first arg-max of each run receives everything.
  EXPECT_EQ(axisPoolGrad(dp, x, 4, PoolKind::Max, 0.5).data,
            (std::vector<double>{0, 0.5, 0, 0, 5, 0, 0, 0}));
  EXPECT_EQ(axisPoolGrad(dp, x, 4, PoolKind::Mean, 2.0).data,
            (std::vector<double>{0.5, 0.5, 0.5, 0.5, 5, 5, 5, 5}));
  EXPECT_EQ(axisPoolGrad(dp, x, 4, PoolKind::Sum, 2.0).data,
            (std::vector<double>{2, 2, 2, 2, 20, 20, 20, 20}));
}

TEST(AxisBroadcast, ExplicitAdjointAndGradient) {
  Tensor p({1, 1, 2}, std::vector<double>{1.5, -2.0});
  EXPECT_EQ(axisBroadcast(p, 3).data,
            (std::vector<double>{1.5, 1.5, 1.5, -2, -2, -2}));
  for (int64_t cols : {1, 2, 5}) {
    Tensor q = rnd({2, 3, 4}, 100 + cols);
    Tensor X = rnd({2, 3, 4 * cols}, 110 + cols);
    // Broadcast is the adjoint of (unscaled) sum-pooling.
    EXPECT_NEAR(dot(axisBroadcast(q, cols), X),
                dot(q, axisPool(X, cols, PoolKind::Sum, 1.0)), 1e-13);
    EXPECT_EQ(axisBroadcastGrad(X, cols).data,
              axisPool(X, cols, PoolKind::Sum, 1.0).data);
    checkGradients("axisBroadcast",
                   [&](const std::vector<Tensor> &in) {
                     return std::vector<Tensor>{axisBroadcast(in[0], cols)};
                   },
                   {q}, {X}, {axisBroadcastGrad(X, cols)}, {"x"});
  }
}

//===----------------------------------------------------------------------===//
// Dense ops
//===----------------------------------------------------------------------===//

TEST(Matmul, HandComputedAndBatchedEqualsPerBatch) {
  Tensor A({2, 2}, std::vector<double>{1, 2, 3, 4});
  Tensor B({2, 2}, std::vector<double>{5, 6, 7, 8});
  EXPECT_EQ(matmul(A, B).data, (std::vector<double>{19, 22, 43, 50}));
  Tensor Ab = rnd({2, 3, 4, 5}, 120), Bb = rnd({2, 3, 5, 2}, 121);
  Tensor Cb = matmul(Ab, Bb);
  ASSERT_EQ(Cb.shape, (std::vector<int64_t>{2, 3, 4, 2}));
  for (int64_t p = 0; p < 2; ++p)
    for (int64_t q = 0; q < 3; ++q) {
      Tensor a2({4, 5}), b2({5, 2});
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t k = 0; k < 5; ++k)
          a2.at({i, k}) = Ab.at({p, q, i, k});
      for (int64_t k = 0; k < 5; ++k)
        for (int64_t j = 0; j < 2; ++j)
          b2.at({k, j}) = Bb.at({p, q, k, j});
      Tensor c2 = matmul(a2, b2);
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 2; ++j)
          EXPECT_EQ(Cb.at({p, q, i, j}), c2.at({i, j}));
    }
}

TEST(Matmul, GradientsMatchFiniteDifferences) {
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>>
      shapes = {{{3, 4}, {4, 5}},
                {{1, 1}, {1, 1}},
                {{2, 3, 4}, {2, 4, 2}},
                {{2, 2, 3, 2}, {2, 2, 2, 3}}};
  int seed = 0;
  for (const auto &s : shapes) {
    Tensor A = rnd(s.first, 130 + seed), B = rnd(s.second, 140 + seed);
    Tensor dC = rnd(matmul(A, B).shape, 150 + seed++);
    MatmulGrads g = matmulGrad(dC, A, B);
    checkGradients("matmul",
                   [](const std::vector<Tensor> &in) {
                     return std::vector<Tensor>{matmul(in[0], in[1])};
                   },
                   {A, B}, {dC}, {g.dA, g.dB}, {"A", "B"});
  }
}

TEST(Linear, EqualsMatmulAndGradients) {
  for (bool hasBias : {false, true}) {
    Tensor x = rnd({2, 3, 4}, 160), W = rnd({5, 4}, 161);
    std::optional<Tensor> b;
    if (hasBias)
      b = rnd({5}, 162);
    Tensor y = linear(x, W, b);
    ASSERT_EQ(y.shape, (std::vector<int64_t>{2, 3, 5}));
    // Cross-check: reshape x to (6,4), matmul with Wᵀ, add b.
    Tensor x2({6, 4}, x.data), Wt({4, 5});
    for (int64_t o = 0; o < 5; ++o)
      for (int64_t i = 0; i < 4; ++i)
        Wt.at({i, o}) = W.at({o, i});
    Tensor ref = matmul(x2, Wt);
    if (b)
      for (int64_t r = 0; r < 6; ++r)
        for (int64_t o = 0; o < 5; ++o)
          ref.at({r, o}) += b->at({o});
    EXPECT_TENSOR_NEAR(Tensor({2, 3, 5}, ref.data), y, 1e-15);

    Tensor dy = rnd({2, 3, 5}, 163);
    LinearGrads g = linearGrad(dy, x, W, b);
    ASSERT_EQ(g.db.has_value(), hasBias);
    std::vector<Tensor> inputs = {x, W}, analytic = {g.dx, g.dW};
    std::vector<std::string> names = {"x", "W"};
    if (b) {
      inputs.push_back(*b);
      analytic.push_back(*g.db);
      names.push_back("b");
    }
    checkGradients(
        "linear",
        [&](const std::vector<Tensor> &in) {
          std::optional<Tensor> bb;
          if (hasBias)
            bb = in[2];
          return std::vector<Tensor>{linear(in[0], in[1], bb)};
        },
        inputs, {dy}, analytic, names);
  }
}

struct Conv2dCase {
  std::string name;
  int64_t N, Cin, H, W, Cout, kh, kw;
  Conv2dParams p;
  bool bias;
};

std::vector<Conv2dCase> allConv2dCases() {
  return {
      {"full3x3_s1_p1_bias", 1, 2, 4, 5, 3, 3, 3, {1, 1, 1, 1, 1}, true},
      {"groups2_3x3_s2_p0", 1, 4, 6, 5, 6, 3, 3, {2, 2, 0, 0, 2}, false},
      {"depthwise3x3_p1_nobias_vmamba",
       2,
       3,
       4,
       5,
       3,
       3,
       3,
       {1, 1, 1, 1, 3},
       false},
      {"depthwise7x7_p3_bias_mambaout",
       1,
       2,
       7,
       6,
       2,
       7,
       7,
       {1, 1, 3, 3, 2},
       true},
      {"patch4_s4_bias", 1, 2, 8, 8, 3, 4, 4, {4, 4, 0, 0, 1}, true},
      {"down3x3_s2_p1_bias", 1, 2, 5, 6, 3, 3, 3, {2, 2, 1, 1, 1}, true},
      {"pointwise1x1", 2, 3, 3, 4, 5, 1, 1, {1, 1, 0, 0, 1}, false},
      {"rect2x3_s21_p10_bias", 1, 2, 5, 4, 2, 2, 3, {2, 1, 1, 0, 1}, true},
      {"depthwise_multiplier2", 1, 2, 4, 4, 4, 3, 3, {1, 1, 1, 1, 2}, true},
  };
}

class Conv2dGradTest : public ::testing::TestWithParam<Conv2dCase> {};

TEST_P(Conv2dGradTest, MatchesFiniteDifferences) {
  const Conv2dCase c = GetParam();
  Tensor x = rnd({c.N, c.Cin, c.H, c.W}, 170);
  Tensor w = rnd({c.Cout, c.Cin / c.p.groups, c.kh, c.kw}, 171);
  std::optional<Tensor> b;
  if (c.bias)
    b = rnd({c.Cout}, 172);
  Tensor y = conv2d(x, w, b, c.p);
  Tensor dout = rnd(y.shape, 173);
  Conv2dGrads g = conv2dGrad(dout, x, w, b, c.p);
  ASSERT_EQ(g.dbias.has_value(), c.bias);
  std::vector<Tensor> inputs = {x, w}, analytic = {g.dx, g.dweight};
  std::vector<std::string> names = {"x", "weight"};
  if (b) {
    inputs.push_back(*b);
    analytic.push_back(*g.dbias);
    names.push_back("bias");
  }
  checkGradients(
      c.name,
      [&](const std::vector<Tensor> &in) {
        std::optional<Tensor> bb;
        if (c.bias)
          bb = in[2];
        return std::vector<Tensor>{conv2d(in[0], in[1], bb, c.p)};
      },
      inputs, {dout}, analytic, names);
}

INSTANTIATE_TEST_SUITE_P(AllVariants, Conv2dGradTest,
                         ::testing::ValuesIn(allConv2dCases()),
                         [](const ::testing::TestParamInfo<Conv2dCase> &info) {
                           return info.param.name;
                         });

TEST(Conv2dForward, HandComputed) {
  // 1×1×3×3 input 1..9, 2×2 kernel [[1,0],[0,-1]], stride 1, no pad:
  // out[i,j] = x[i,j] - x[i+1,j+1] = -4 everywhere.
  Tensor x({1, 1, 3, 3}, std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w({1, 1, 2, 2}, std::vector<double>{1, 0, 0, -1});
  Tensor y = conv2d(x, w, std::nullopt, {});
  EXPECT_EQ(y.shape, (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(y.data, (std::vector<double>{-4, -4, -4, -4}));
  // Padding 1, stride 2, bias 0.5: out shape 2×2; out[0,0] = 1·0 + (-1)·x[0,0]
  // + .5 = -0.5; out[0,1] = -x[0,2] + .5; out[1,0] = -x[2,0] + .5;
  // out[1,1] = x[1,1] - x[2,2] + .5.
  Tensor b({1}, std::vector<double>{0.5});
  Tensor y2 = conv2d(x, w, b, {2, 2, 1, 1, 1});
  EXPECT_EQ(y2.data, (std::vector<double>{-0.5, -2.5, -6.5, -3.5}));
}

TEST(Conv2dForward, GroupedEqualsBlockDiagonalFullConv) {
  for (const Conv2dCase &c : allConv2dCases()) {
    if (c.p.groups == 1)
      continue;
    Tensor x = rnd({c.N, c.Cin, c.H, c.W}, 180);
    const int64_t cinG = c.Cin / c.p.groups, coutG = c.Cout / c.p.groups;
    Tensor w = rnd({c.Cout, cinG, c.kh, c.kw}, 181);
    Tensor wFull({c.Cout, c.Cin, c.kh, c.kw}); // zeros off the group blocks
    for (int64_t o = 0; o < c.Cout; ++o)
      for (int64_t ci = 0; ci < cinG; ++ci)
        for (int64_t a = 0; a < c.kh; ++a)
          for (int64_t e = 0; e < c.kw; ++e)
            wFull.at({o, (o / coutG) * cinG + ci, a, e}) = w.at({o, ci, a, e});
    Conv2dParams full = c.p;
    full.groups = 1;
    EXPECT_TENSOR_NEAR(conv2d(x, w, std::nullopt, c.p),
                       conv2d(x, wFull, std::nullopt, full), 1e-14)
        << c.name;
  }
}

TEST(Conv2dForward, PointwiseEqualsLinearOverChannels) {
  Tensor x = rnd({2, 3, 4, 5}, 190), w = rnd({6, 3, 1, 1}, 191);
  Tensor b = rnd({6}, 192);
  Tensor y = conv2d(x, w, b, {});
  Tensor W2({6, 3}, w.data);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t h = 0; h < 4; ++h)
      for (int64_t ww = 0; ww < 5; ++ww) {
        Tensor pix({3});
        for (int64_t c = 0; c < 3; ++c)
          pix.at({c}) = x.at({n, c, h, ww});
        Tensor o = linear(pix, W2, b);
        for (int64_t c = 0; c < 6; ++c)
          EXPECT_NEAR(y.at({n, c, h, ww}), o.at({c}), 1e-15);
      }
}

//===----------------------------------------------------------------------===//
// Norms
//===----------------------------------------------------------------------===//

TEST(LayerNorm, GradientsMatchFiniteDifferences) {
  for (bool affine : {false, true})
    for (double eps : {1e-5, 1e-6}) {
      Tensor x = rnd({2, 3, 6}, 200);
      std::optional<Tensor> w, b;
      if (affine) {
        w = rnd({6}, 201, 0.5, 1.5);
        b = rnd({6}, 202);
      }
      Tensor dout = rnd({2, 3, 6}, 203);
      NormGrads g = layerNormGrad(dout, x, w, b, eps);
      ASSERT_EQ(g.dweight.has_value(), affine);
      std::vector<Tensor> inputs = {x}, analytic = {g.dx};
      std::vector<std::string> names = {"x"};
      if (affine) {
        inputs.insert(inputs.end(), {*w, *b});
        analytic.insert(analytic.end(), {*g.dweight, *g.dbias});
        names.insert(names.end(), {"weight", "bias"});
      }
      checkGradients(
          "layerNorm",
          [&](const std::vector<Tensor> &in) {
            std::optional<Tensor> ww, bb;
            if (affine) {
              ww = in[1];
              bb = in[2];
            }
            return std::vector<Tensor>{layerNorm(in[0], ww, bb, eps)};
          },
          inputs, {dout}, analytic, names);
    }
}

TEST(LayerNorm, NormalisedStatistics) {
  // Without affine: each row has mean 0 and mean square var/(var+eps).
  Tensor x = rnd({4, 7}, 210, -3.0, 5.0);
  const double eps = 1e-5;
  Tensor y = layerNorm(x, std::nullopt, std::nullopt, eps);
  for (int64_t r = 0; r < 4; ++r) {
    double mx = 0, vx = 0, my = 0, sy = 0;
    for (int64_t c = 0; c < 7; ++c)
      mx += x.at({r, c}) / 7.0;
    for (int64_t c = 0; c < 7; ++c) {
      vx += (x.at({r, c}) - mx) * (x.at({r, c}) - mx) / 7.0;
      my += y.at({r, c}) / 7.0;
      sy += y.at({r, c}) * y.at({r, c}) / 7.0;
    }
    EXPECT_NEAR(my, 0.0, 1e-15);
    EXPECT_NEAR(sy, vx / (vx + eps), 1e-14);
  }
  // Affine = elementwise w·x̂ + b on top.
  Tensor w = rnd({7}, 211), b = rnd({7}, 212);
  Tensor ya = layerNorm(x, w, b, eps);
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t c = 0; c < 7; ++c)
      EXPECT_NEAR(ya.at({r, c}), y.at({r, c}) * w.at({c}) + b.at({c}), 1e-15);
}

Tensor nchwToNhwc(const Tensor &x) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  Tensor y({N, H, W, C});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          y.at({n, h, w, c}) = x.at({n, c, h, w});
  return y;
}

Tensor nhwcToNchw(const Tensor &x) {
  const int64_t N = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3);
  Tensor y({N, C, H, W});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          y.at({n, c, h, w}) = x.at({n, h, w, c});
  return y;
}

TEST(LayerNorm2d, EqualsChannelLastLayerNormAndGradients) {
  for (bool affine : {false, true}) {
    Tensor x = rnd({2, 4, 3, 2}, 220);
    std::optional<Tensor> w, b;
    if (affine) {
      w = rnd({4}, 221, 0.5, 1.5);
      b = rnd({4}, 222);
    }
    const double eps = 1e-5;
    Tensor y = layerNorm2d(x, w, b, eps);
    EXPECT_TENSOR_NEAR(y, nhwcToNchw(layerNorm(nchwToNhwc(x), w, b, eps)),
                       1e-15);

    Tensor dout = rnd(x.shape, 223);
    NormGrads g = layerNorm2dGrad(dout, x, w, b, eps);
    NormGrads gl = layerNormGrad(nchwToNhwc(dout), nchwToNhwc(x), w, b, eps);
    EXPECT_TENSOR_NEAR(g.dx, nhwcToNchw(gl.dx), 1e-14);
    std::vector<Tensor> inputs = {x}, analytic = {g.dx};
    std::vector<std::string> names = {"x"};
    if (affine) {
      inputs.insert(inputs.end(), {*w, *b});
      analytic.insert(analytic.end(), {*g.dweight, *g.dbias});
      names.insert(names.end(), {"weight", "bias"});
    }
    checkGradients(
        "layerNorm2d",
        [&](const std::vector<Tensor> &in) {
          std::optional<Tensor> ww, bb;
          if (affine) {
            ww = in[1];
            bb = in[2];
          }
          return std::vector<Tensor>{layerNorm2d(in[0], ww, bb, eps)};
        },
        inputs, {dout}, analytic, names);
  }
}

TEST(RmsNorm, HandComputedAndGradients) {
  Tensor x({1, 2}, std::vector<double>{3.0, 4.0}); // mean square 12.5
  Tensor y = rmsNorm(x, std::nullopt, 1e-5);
  EXPECT_NEAR(y.at({0, 0}), 0.8485277980128058, 1e-15);
  EXPECT_NEAR(y.at({0, 1}), 1.1313703973504077, 1e-15);

  for (bool hasW : {false, true}) {
    Tensor xr = rnd({2, 3, 5}, 230);
    std::optional<Tensor> w;
    if (hasW)
      w = rnd({5}, 231, 0.5, 1.5);
    Tensor dout = rnd(xr.shape, 232);
    NormGrads g = rmsNormGrad(dout, xr, w, 1e-5);
    ASSERT_EQ(g.dweight.has_value(), hasW);
    ASSERT_FALSE(g.dbias.has_value());
    std::vector<Tensor> inputs = {xr}, analytic = {g.dx};
    std::vector<std::string> names = {"x"};
    if (hasW) {
      inputs.push_back(*w);
      analytic.push_back(*g.dweight);
      names.push_back("weight");
    }
    checkGradients(
        "rmsNorm",
        [&](const std::vector<Tensor> &in) {
          std::optional<Tensor> ww;
          if (hasW)
            ww = in[1];
          return std::vector<Tensor>{rmsNorm(in[0], ww, 1e-5)};
        },
        inputs, {dout}, analytic, names);
  }
}

TEST(AddRmsNorm, ForwardAndGradients) {
  Tensor r = rnd({2, 3, 6}, 240), h = rnd({2, 3, 6}, 241);
  Tensor w = rnd({6}, 242, 0.5, 1.5);
  AddRmsNormResult res = addRmsNorm(r, h, w, 1e-5);
  Tensor sum = r;
  for (int64_t i = 0; i < sum.numel(); ++i)
    sum.data[i] += h.data[i];
  EXPECT_EQ(res.residual.data, sum.data);
  EXPECT_TENSOR_NEAR(res.normed, rmsNorm(sum, w, 1e-5), 0.0);

  for (bool withResGrad : {false, true}) {
    Tensor dNormed = rnd(r.shape, 243);
    Tensor dRes = withResGrad ? rnd(r.shape, 244) : Tensor(r.shape, 0.0);
    std::optional<Tensor> dResOpt;
    if (withResGrad)
      dResOpt = dRes;
    AddRmsNormGrads g = addRmsNormGrad(dNormed, dResOpt, r, h, w, 1e-5);
    ASSERT_TRUE(g.dweight.has_value());
    checkGradients("addRmsNorm",
                   [](const std::vector<Tensor> &in) {
                     AddRmsNormResult o = addRmsNorm(in[0], in[1], in[2], 1e-5);
                     return std::vector<Tensor>{o.residual, o.normed};
                   },
                   {r, h, w}, {dRes, dNormed},
                   {g.dresidual, g.dhidden, *g.dweight},
                   {"residual", "hidden", "weight"});
  }
}

//===----------------------------------------------------------------------===//
// Activations and mean pooling
//===----------------------------------------------------------------------===//

TEST(Activations, HandValues) {
  EXPECT_NEAR(silu(1.0), 0.7310585786300049, 1e-16);
  EXPECT_NEAR(gelu(1.0), 0.8413447460685429, 1e-16);
  EXPECT_NEAR(gelu(-1.0), -1.0 + 0.8413447460685429, 1e-15);
  EXPECT_NEAR(softplus(0.0), std::log(2.0), 1e-16);
  EXPECT_EQ(softplus(30.0), 30.0);
  EXPECT_EQ(softplus(20.5), 20.5);
  EXPECT_EQ(softplus(20.0), std::log1p(std::exp(20.0)));
  EXPECT_NEAR(softplus(-30.0), 9.357622968839737e-14, 1e-28);
  EXPECT_EQ(softplusDeriv(25.0), 1.0);
  EXPECT_NEAR(softplusDeriv(0.0), 0.5, 1e-16);
}

TEST(Activations, GradientsMatchFiniteDifferences) {
  Tensor x = rnd({3, 7}, 250, -4.0, 4.0);
  Tensor dout = rnd({3, 7}, 251);
  checkGradients("silu",
                 [](const std::vector<Tensor> &in) {
                   return std::vector<Tensor>{silu(in[0])};
                 },
                 {x}, {dout}, {siluGrad(dout, x)}, {"x"});
  checkGradients("gelu",
                 [](const std::vector<Tensor> &in) {
                   return std::vector<Tensor>{gelu(in[0])};
                 },
                 {x}, {dout}, {geluGrad(dout, x)}, {"x"});
  // Softplus on both sides of the threshold (none within 0.5 of it).
  Tensor xs = x;
  Tensor big = rnd({3, 7}, 252, 20.5, 25.0);
  for (int64_t i = 0; i < xs.numel(); i += 3)
    xs.data[i] = big.data[i];
  checkGradients("softplus",
                 [](const std::vector<Tensor> &in) {
                   return std::vector<Tensor>{softplus(in[0])};
                 },
                 {xs}, {dout}, {softplusGrad(dout, xs)}, {"x"});
}

TEST(MeanPool, GradientsAndCrossChecks) {
  struct Case {
    std::vector<int64_t> shape, dims;
  };
  const Case cases[] = {{{2, 3, 4, 5}, {2, 3}}, // NCHW spatial
                        {{2, 6, 3}, {1}},       // (B,L,D) tokens
                        {{2, 3, 4, 5}, {1, 2}}, // (B,H,W,C) spatial
                        {{3, 4}, {0, 1}}};      // everything
  int seed = 0;
  for (const Case &c : cases) {
    Tensor x = rnd(c.shape, 260 + seed);
    Tensor y = meanPool(x, c.dims);
    Tensor dout = rnd(y.shape, 270 + seed++);
    checkGradients("meanPool",
                   [&](const std::vector<Tensor> &in) {
                     return std::vector<Tensor>{meanPool(in[0], c.dims)};
                   },
                   {x}, {dout}, {meanPoolGrad(dout, c.shape, c.dims)}, {"x"});
  }
  // NCHW spatial mean == axisPool mean with rows = 1, cols = H·W.
  Tensor x = rnd({2, 3, 4, 5}, 280);
  Tensor viaAxis =
      axisPool(Tensor({2, 3, 20}, x.data), 20, PoolKind::Mean, 1.0);
  EXPECT_TENSOR_NEAR(meanPool(x, {2, 3}), Tensor({2, 3}, viaAxis.data), 1e-15);
  // Token mean over (B,L,D) by explicit loop.
  Tensor t = rnd({2, 6, 3}, 281);
  Tensor m = meanPool(t, {1});
  ASSERT_EQ(m.shape, (std::vector<int64_t>{2, 3}));
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t d = 0; d < 3; ++d) {
      double s = 0.0;
      for (int64_t l = 0; l < 6; ++l)
        s += t.at({b, l, d});
      EXPECT_NEAR(m.at({b, d}), s / 6.0, 1e-15);
    }
  EXPECT_GT(maxAbs(m), 0.0);
}

} // namespace
