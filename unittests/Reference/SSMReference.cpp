//===- SSMReference.cpp - float64 reference ops (test oracle) -------------===//
//
// See SSMReference.h. Every function is a direct transcription of the math in
// docs/semantics.md; section numbers are cited next to the code.
//
//===----------------------------------------------------------------------===//

#include "SSMReference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>

namespace ssm::ref {

namespace {

[[noreturn]] void fail(const std::string &msg) {
  std::fprintf(stderr, "ssm::ref error: %s\n", msg.c_str());
  std::abort();
}

void require(bool cond, const std::string &msg) {
  if (!cond)
    fail(msg);
}

void requireShape(const Tensor &t, const std::vector<int64_t> &shape,
                  const char *name) {
  if (t.shape != shape)
    fail(std::string(name) + " has shape " + shapeToString(t.shape) +
         ", expected " + shapeToString(shape));
}

void requireRank(const Tensor &t, int64_t rank, const char *name) {
  if (t.rank() != rank)
    fail(std::string(name) + " has shape " + shapeToString(t.shape) +
         ", expected rank " + std::to_string(rank));
}

Tensor zerosLike(const Tensor &t) { return Tensor(t.shape, 0.0); }

int64_t normDim(int64_t dim, int64_t rank) {
  if (dim < 0)
    dim += rank;
  require(dim >= 0 && dim < rank, "dimension out of range");
  return dim;
}

/// Product of shape[begin, end).
int64_t prodRange(const std::vector<int64_t> &shape, int64_t begin,
                  int64_t end) {
  int64_t p = 1;
  for (int64_t i = begin; i < end; ++i)
    p *= shape[i];
  return p;
}

} // namespace

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

int64_t numelOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t s : shape) {
    if (s < 0)
      fail("negative dimension in shape " + shapeToString(shape));
    n *= s;
  }
  return n;
}

std::string shapeToString(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += std::to_string(shape[i]);
  }
  return s + ")";
}

Tensor::Tensor(std::vector<int64_t> shape, double fill)
    : shape(std::move(shape)) {
  data.assign(numelOf(this->shape), fill);
}

Tensor::Tensor(std::vector<int64_t> shape, std::vector<double> values)
    : shape(std::move(shape)), data(std::move(values)) {
  require(static_cast<int64_t>(data.size()) == numelOf(this->shape),
          "data size does not match shape " + shapeToString(this->shape));
}

int64_t Tensor::dim(int64_t i) const { return shape[normDim(i, rank())]; }

int64_t Tensor::offset(std::initializer_list<int64_t> idx) const {
  if (static_cast<int64_t>(idx.size()) != rank())
    fail("index rank mismatch for shape " + shapeToString(shape));
  int64_t off = 0, d = 0;
  for (int64_t i : idx) {
    if (i < 0 || i >= shape[d])
      fail("index out of range for shape " + shapeToString(shape));
    off = off * shape[d] + i;
    ++d;
  }
  return off;
}

int64_t Tensor::offset(const std::vector<int64_t> &idx) const {
  if (static_cast<int64_t>(idx.size()) != rank())
    fail("index rank mismatch for shape " + shapeToString(shape));
  int64_t off = 0;
  for (int64_t d = 0; d < rank(); ++d) {
    if (idx[d] < 0 || idx[d] >= shape[d])
      fail("index out of range for shape " + shapeToString(shape));
    off = off * shape[d] + idx[d];
  }
  return off;
}

Tensor randomTensor(const std::vector<int64_t> &shape, uint64_t seed, double lo,
                    double hi) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t(shape);
  for (double &v : t.data)
    v = dist(gen);
  return t;
}

double maxRelError(const Tensor &a, const Tensor &b) {
  if (a.shape != b.shape)
    return std::numeric_limits<double>::infinity();
  double maxDiff = 0.0, maxRef = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    maxDiff = std::max(maxDiff, std::fabs(a.data[i] - b.data[i]));
    maxRef = std::max(maxRef, std::fabs(b.data[i]));
  }
  return maxDiff / std::max(maxRef, 1e-300);
}

double dot(const Tensor &a, const Tensor &b) {
  if (a.shape != b.shape)
    fail("dot: shape mismatch " + shapeToString(a.shape) + " vs " +
         shapeToString(b.shape));
  double s = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i)
    s += a.data[i] * b.data[i];
  return s;
}

//===----------------------------------------------------------------------===//
// Scalar activations
//===----------------------------------------------------------------------===//

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double silu(double x) { return x * sigmoid(x); }
double siluDeriv(double x) {
  double s = sigmoid(x);
  return s * (1.0 + x * (1.0 - s));
}
double softplus(double x) { return x <= 20.0 ? std::log1p(std::exp(x)) : x; }
double softplusDeriv(double x) { return x <= 20.0 ? sigmoid(x) : 1.0; }
double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double geluDeriv(double x) {
  const double kInvSqrt2Pi = 0.39894228040143267794; // 1/sqrt(2π)
  double cdf = 0.5 * (1.0 + std::erf(x / std::sqrt(2.0)));
  double pdf = kInvSqrt2Pi * std::exp(-0.5 * x * x);
  return cdf + x * pdf;
}

namespace {
template <typename F> Tensor mapUnary(const Tensor &x, F f) {
  Tensor y = zerosLike(x);
  for (int64_t i = 0; i < x.numel(); ++i)
    y.data[i] = f(x.data[i]);
  return y;
}
template <typename F>
Tensor mapGrad(const Tensor &dout, const Tensor &x, F deriv) {
  requireShape(dout, x.shape, "dout");
  Tensor dx = zerosLike(x);
  for (int64_t i = 0; i < x.numel(); ++i)
    dx.data[i] = dout.data[i] * deriv(x.data[i]);
  return dx;
}
} // namespace

Tensor silu(const Tensor &x) {
  return mapUnary(x, [](double v) { return silu(v); });
}
Tensor siluGrad(const Tensor &dout, const Tensor &x) {
  return mapGrad(dout, x, [](double v) { return siluDeriv(v); });
}
Tensor softplus(const Tensor &x) {
  return mapUnary(x, [](double v) { return softplus(v); });
}
Tensor softplusGrad(const Tensor &dout, const Tensor &x) {
  return mapGrad(dout, x, [](double v) { return softplusDeriv(v); });
}
Tensor gelu(const Tensor &x) {
  return mapUnary(x, [](double v) { return gelu(v); });
}
Tensor geluGrad(const Tensor &dout, const Tensor &x) {
  return mapGrad(dout, x, [](double v) { return geluDeriv(v); });
}

//===----------------------------------------------------------------------===//
// Selective scan (§2.1, §2.2)
//===----------------------------------------------------------------------===//

namespace {

struct ScanDims {
  int64_t b, d, l, n, g;
  bool grouped; // B/C are 4-D (b,g,n,l)
};

ScanDims checkScanOperands(const Tensor &u, const Tensor &delta,
                           const Tensor &A, const Tensor &B, const Tensor &C,
                           const std::optional<Tensor> &D,
                           const std::optional<Tensor> &z,
                           const std::optional<Tensor> &deltaBias) {
  requireRank(u, 3, "u");
  requireRank(A, 2, "A");
  ScanDims s;
  s.b = u.shape[0];
  s.d = u.shape[1];
  s.l = u.shape[2];
  s.n = A.shape[1];
  requireShape(delta, u.shape, "delta");
  requireShape(A, {s.d, s.n}, "A");
  require(B.rank() == 3 || B.rank() == 4, "B must be (b,n,l) or (b,g,n,l)");
  s.grouped = B.rank() == 4;
  s.g = s.grouped ? B.shape[1] : 1;
  require(s.g >= 1 && s.d % s.g == 0, "d must be divisible by the group count");
  if (s.grouped)
    requireShape(B, {s.b, s.g, s.n, s.l}, "B");
  else
    requireShape(B, {s.b, s.n, s.l}, "B");
  requireShape(C, B.shape, "C");
  if (D)
    requireShape(*D, {s.d}, "D");
  if (z)
    requireShape(*z, u.shape, "z");
  if (deltaBias)
    requireShape(*deltaBias, {s.d}, "deltaBias");
  return s;
}

/// B or C element for batch b, group g, state n, time t (3-D ⇒ g ignored).
double bcAt(const Tensor &T, bool grouped, int64_t b, int64_t g, int64_t n,
            int64_t t) {
  return grouped ? T.at({b, g, n, t}) : T.at({b, n, t});
}
double &bcAt(Tensor &T, bool grouped, int64_t b, int64_t g, int64_t n,
             int64_t t) {
  return grouped ? T.at({b, g, n, t}) : T.at({b, n, t});
}

} // namespace

ScanResult selectiveScan(const Tensor &u, const Tensor &delta, const Tensor &A,
                         const Tensor &B, const Tensor &C,
                         const std::optional<Tensor> &D,
                         const std::optional<Tensor> &z,
                         const std::optional<Tensor> &deltaBias,
                         bool deltaSoftplus, bool reverse) {
  ScanDims s = checkScanOperands(u, delta, A, B, C, D, z, deltaBias);
  ScanResult r{Tensor({s.b, s.d, s.l}), Tensor({s.b, s.d, s.n})};
  const int64_t channelsPerGroup = s.d / s.g;
  for (int64_t b = 0; b < s.b; ++b) {
    for (int64_t d = 0; d < s.d; ++d) {
      const int64_t g = d / channelsPerGroup;
      std::vector<double> h(s.n, 0.0); // h_{-1} = 0
      for (int64_t step = 0; step < s.l; ++step) {
        const int64_t t = reverse ? s.l - 1 - step : step;
        double dt =
            delta.at({b, d, t}) + (deltaBias ? deltaBias->at({d}) : 0.0);
        if (deltaSoftplus)
          dt = softplus(dt);
        const double ut = u.at({b, d, t});
        double y = 0.0;
        for (int64_t n = 0; n < s.n; ++n) {
          const double aBar = std::exp(dt * A.at({d, n}));
          h[n] = aBar * h[n] + dt * bcAt(B, s.grouped, b, g, n, t) * ut;
          y += bcAt(C, s.grouped, b, g, n, t) * h[n];
        }
        if (D)
          y += D->at({d}) * ut;
        if (z)
          y *= silu(z->at({b, d, t}));
        r.out.at({b, d, t}) = y;
      }
      for (int64_t n = 0; n < s.n; ++n)
        r.lastState.at({b, d, n}) = h[n];
    }
  }
  return r;
}

ScanGrads selectiveScanGrad(const Tensor &dout, const Tensor &u,
                            const Tensor &delta, const Tensor &A,
                            const Tensor &B, const Tensor &C,
                            const std::optional<Tensor> &D,
                            const std::optional<Tensor> &z,
                            const std::optional<Tensor> &deltaBias,
                            bool deltaSoftplus, bool reverse) {
  ScanDims s = checkScanOperands(u, delta, A, B, C, D, z, deltaBias);
  requireShape(dout, u.shape, "dout");
  ScanGrads gr;
  gr.du = zerosLike(u);
  gr.ddelta = zerosLike(delta);
  gr.dA = zerosLike(A);
  gr.dB = zerosLike(B);
  gr.dC = zerosLike(C);
  if (D)
    gr.dD = zerosLike(*D);
  if (z)
    gr.dz = zerosLike(*z);
  if (deltaBias)
    gr.ddeltaBias = zerosLike(*deltaBias);

  const int64_t channelsPerGroup = s.d / s.g;
  for (int64_t b = 0; b < s.b; ++b) {
    for (int64_t d = 0; d < s.d; ++d) {
      const int64_t g = d / channelsPerGroup;
      // Everything below is indexed by `step` (scan order); t = time(step).
      auto time = [&](int64_t step) { return reverse ? s.l - 1 - step : step; };

      // Recompute the forward pass, keeping per-step δ̃ (pre-softplus), δ,
      // states h (after each step) and the pre-gate output y (incl. D term).
      std::vector<double> dtPre(s.l), dt(s.l), y(s.l);
      std::vector<std::vector<double>> h(s.l, std::vector<double>(s.n));
      std::vector<double> hCur(s.n, 0.0);
      for (int64_t step = 0; step < s.l; ++step) {
        const int64_t t = time(step);
        dtPre[step] =
            delta.at({b, d, t}) + (deltaBias ? deltaBias->at({d}) : 0.0);
        dt[step] = deltaSoftplus ? softplus(dtPre[step]) : dtPre[step];
        const double ut = u.at({b, d, t});
        double yt = 0.0;
        for (int64_t n = 0; n < s.n; ++n) {
          const double aBar = std::exp(dt[step] * A.at({d, n}));
          hCur[n] =
              aBar * hCur[n] + dt[step] * bcAt(B, s.grouped, b, g, n, t) * ut;
          h[step][n] = hCur[n];
          yt += bcAt(C, s.grouped, b, g, n, t) * hCur[n];
        }
        if (D)
          yt += D->at({d}) * ut;
        y[step] = yt;
      }

      // z gate: ĝ_t = g_t·silu(z_t); dz_t = g_t·y_t·silu'(z_t).
      std::vector<double> gHat(s.l);
      for (int64_t step = 0; step < s.l; ++step) {
        const int64_t t = time(step);
        const double gt = dout.at({b, d, t});
        if (z) {
          const double zt = z->at({b, d, t});
          gHat[step] = gt * silu(zt);
          gr.dz->at({b, d, t}) = gt * y[step] * siluDeriv(zt);
        } else {
          gHat[step] = gt;
        }
      }

      // D skip: du = D·ĝ, dD = Σ ĝ·u.
      std::vector<double> du(s.l, 0.0), dDelta(s.l, 0.0);
      for (int64_t step = 0; step < s.l; ++step) {
        const int64_t t = time(step);
        if (D) {
          du[step] += D->at({d}) * gHat[step];
          gr.dD->at({d}) += gHat[step] * u.at({b, d, t});
        }
      }

      // Adjoint recurrence, in reverse scan order:
      //   λ_s = ĝ_s·C_s + Ā_{s+1}·λ_{s+1},  λ past the last step = 0.
      for (int64_t n = 0; n < s.n; ++n) {
        const double An = A.at({d, n});
        double lambda = 0.0;
        for (int64_t step = s.l - 1; step >= 0; --step) {
          const int64_t t = time(step);
          const double aBarNext =
              step + 1 < s.l ? std::exp(dt[step + 1] * An) : 0.0;
          lambda =
              gHat[step] * bcAt(C, s.grouped, b, g, n, t) + aBarNext * lambda;

          const double aBar = std::exp(dt[step] * An);
          const double hPrev = step > 0 ? h[step - 1][n] : 0.0;
          const double ut = u.at({b, d, t});
          const double Bt = bcAt(B, s.grouped, b, g, n, t);

          bcAt(gr.dC, s.grouped, b, g, n, t) += gHat[step] * h[step][n];
          bcAt(gr.dB, s.grouped, b, g, n, t) += lambda * dt[step] * ut;
          du[step] += lambda * dt[step] * Bt;
          dDelta[step] += lambda * (Bt * ut + An * aBar * hPrev);
          gr.dA.at({d, n}) += lambda * dt[step] * aBar * hPrev;
        }
      }

      // Softplus derivative (w.r.t. pre-softplus δ̃), δ bias.
      for (int64_t step = 0; step < s.l; ++step) {
        const int64_t t = time(step);
        const double dRaw = deltaSoftplus
                                ? dDelta[step] * softplusDeriv(dtPre[step])
                                : dDelta[step];
        gr.ddelta.at({b, d, t}) = dRaw;
        gr.du.at({b, d, t}) = du[step];
        if (deltaBias)
          gr.ddeltaBias->at({d}) += dRaw;
      }
    }
  }
  return gr;
}

//===----------------------------------------------------------------------===//
// Causal depthwise conv1d (§2.3)
//===----------------------------------------------------------------------===//

namespace {
void checkConv1d(const Tensor &x, const Tensor &weight,
                 const std::optional<Tensor> &bias) {
  requireRank(x, 3, "x");
  requireRank(weight, 2, "weight");
  require(weight.shape[0] == x.shape[1], "weight must be (d,k)");
  require(weight.shape[1] >= 1, "kernel width must be >= 1");
  if (bias)
    requireShape(*bias, {x.shape[1]}, "bias");
}

/// pre[b,d,t] = bias[d] + Σ_j w[d,j]·x[b,d,t-(k-1)+j] (x[<0] = 0).
Tensor causalConv1dPre(const Tensor &x, const Tensor &weight,
                       const std::optional<Tensor> &bias) {
  const int64_t B = x.shape[0], D = x.shape[1], L = x.shape[2];
  const int64_t K = weight.shape[1];
  Tensor pre(x.shape);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t d = 0; d < D; ++d)
      for (int64_t t = 0; t < L; ++t) {
        double acc = bias ? bias->at({d}) : 0.0;
        for (int64_t j = 0; j < K; ++j) {
          const int64_t src = t - (K - 1) + j;
          if (src >= 0)
            acc += weight.at({d, j}) * x.at({b, d, src});
        }
        pre.at({b, d, t}) = acc;
      }
  return pre;
}
} // namespace

Tensor causalConv1d(const Tensor &x, const Tensor &weight,
                    const std::optional<Tensor> &bias, Activation act) {
  checkConv1d(x, weight, bias);
  Tensor pre = causalConv1dPre(x, weight, bias);
  return act == Activation::Silu ? silu(pre) : pre;
}

CausalConv1dGrads causalConv1dGrad(const Tensor &dout, const Tensor &x,
                                   const Tensor &weight,
                                   const std::optional<Tensor> &bias,
                                   Activation act) {
  checkConv1d(x, weight, bias);
  requireShape(dout, x.shape, "dout");
  const int64_t B = x.shape[0], D = x.shape[1], L = x.shape[2];
  const int64_t K = weight.shape[1];
  // ĝ = g·silu'(pre) (or g without activation).
  Tensor gHat = dout;
  if (act == Activation::Silu)
    gHat = siluGrad(dout, causalConv1dPre(x, weight, bias));

  CausalConv1dGrads gr{zerosLike(x), zerosLike(weight), std::nullopt};
  if (bias)
    gr.dbias = zerosLike(*bias);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t d = 0; d < D; ++d) {
      // dx_s = Σ_j w[j]·ĝ_{s+(K-1)-j} over indices < L.
      for (int64_t s = 0; s < L; ++s) {
        double acc = 0.0;
        for (int64_t j = 0; j < K; ++j) {
          const int64_t t = s + (K - 1) - j;
          if (t < L)
            acc += weight.at({d, j}) * gHat.at({b, d, t});
        }
        gr.dx.at({b, d, s}) = acc;
      }
      // dw[j] = Σ_t ĝ_t·x[t-(K-1)+j];  db = Σ_t ĝ_t.
      for (int64_t t = 0; t < L; ++t) {
        for (int64_t j = 0; j < K; ++j) {
          const int64_t src = t - (K - 1) + j;
          if (src >= 0)
            gr.dweight.at({d, j}) += gHat.at({b, d, t}) * x.at({b, d, src});
        }
        if (bias)
          gr.dbias->at({d}) += gHat.at({b, d, t});
      }
    }
  return gr;
}

//===----------------------------------------------------------------------===//
// Cross-scan / merge (§2.4), flip (§2.5), grid transpose (§6.3)
//===----------------------------------------------------------------------===//

int64_t scanPosition(ScanDir dir, int64_t h, int64_t w, int64_t H, int64_t W) {
  const int64_t L = H * W;
  switch (dir) {
  case ScanDir::Row:
    return h * W + w;
  case ScanDir::Col:
    return w * H + h;
  case ScanDir::RowRev:
    return L - 1 - (h * W + w);
  case ScanDir::ColRev:
    return L - 1 - (w * H + h);
  }
  fail("bad ScanDir");
}

Tensor crossScan(const Tensor &x, const std::vector<ScanDir> &dirs) {
  requireRank(x, 4, "x");
  const int64_t B = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t K = static_cast<int64_t>(dirs.size());
  Tensor xs({B, K, C, H * W});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t w = 0; w < W; ++w)
            xs.at({b, k, c, scanPosition(dirs[k], h, w, H, W)}) =
                x.at({b, c, h, w});
  return xs;
}

Tensor crossMerge(const Tensor &ys, const std::vector<ScanDir> &dirs, int64_t H,
                  int64_t W) {
  requireRank(ys, 4, "ys");
  const int64_t B = ys.shape[0], K = ys.shape[1], C = ys.shape[2];
  require(K == static_cast<int64_t>(dirs.size()),
          "ys dim 1 must equal the number of directions");
  require(ys.shape[3] == H * W, "ys dim 3 must equal h*w");
  Tensor y({B, C, H, W});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) {
          double acc = 0.0;
          for (int64_t k = 0; k < K; ++k)
            acc += ys.at({b, k, c, scanPosition(dirs[k], h, w, H, W)});
          y.at({b, c, h, w}) = acc;
        }
  return y;
}

Tensor flip(const Tensor &x, int64_t dim) {
  dim = normDim(dim, x.rank());
  const int64_t outer = prodRange(x.shape, 0, dim), n = x.shape[dim],
                inner = prodRange(x.shape, dim + 1, x.rank());
  Tensor y = zerosLike(x);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t in = 0; in < inner; ++in)
        y.data[(o * n + i) * inner + in] =
            x.data[(o * n + (n - 1 - i)) * inner + in];
  return y;
}

Tensor gridTranspose(const Tensor &x, int64_t dim, int64_t rows, int64_t cols) {
  dim = normDim(dim, x.rank());
  require(x.shape[dim] == rows * cols, "gridTranspose: dim size != rows*cols");
  const int64_t outer = prodRange(x.shape, 0, dim), n = x.shape[dim],
                inner = prodRange(x.shape, dim + 1, x.rank());
  Tensor y = zerosLike(x);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        for (int64_t in = 0; in < inner; ++in)
          y.data[(o * n + c * rows + r) * inner + in] =
              x.data[(o * n + r * cols + c) * inner + in];
  return y;
}

//===----------------------------------------------------------------------===//
// Axis pool / broadcast (§6.3, §2.6)
//===----------------------------------------------------------------------===//

Tensor axisPool(const Tensor &x, int64_t cols, PoolKind kind, double scale) {
  requireRank(x, 3, "x");
  require(cols >= 1 && x.shape[2] % cols == 0, "axisPool: l % cols != 0");
  const int64_t B = x.shape[0], E = x.shape[1], rows = x.shape[2] / cols;
  Tensor p({B, E, rows});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t e = 0; e < E; ++e)
      for (int64_t r = 0; r < rows; ++r) {
        double acc = kind == PoolKind::Max ? x.at({b, e, r * cols}) : 0.0;
        for (int64_t c = 0; c < cols; ++c) {
          const double v = x.at({b, e, r * cols + c});
          if (kind == PoolKind::Max)
            acc = std::max(acc, v);
          else
            acc += v;
        }
        if (kind == PoolKind::Mean)
          acc /= static_cast<double>(cols);
        p.at({b, e, r}) = scale * acc;
      }
  return p;
}

Tensor axisPoolGrad(const Tensor &dout, const Tensor &x, int64_t cols,
                    PoolKind kind, double scale) {
  requireRank(x, 3, "x");
  require(cols >= 1 && x.shape[2] % cols == 0, "axisPool: l % cols != 0");
  const int64_t B = x.shape[0], E = x.shape[1], rows = x.shape[2] / cols;
  requireShape(dout, {B, E, rows}, "dout");
  Tensor dx = zerosLike(x);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t e = 0; e < E; ++e)
      for (int64_t r = 0; r < rows; ++r) {
        const double g = dout.at({b, e, r});
        if (kind == PoolKind::Max) {
          int64_t argmax =
              0; // first arg-max: only a strictly larger value wins
          for (int64_t c = 1; c < cols; ++c)
            if (x.at({b, e, r * cols + c}) > x.at({b, e, r * cols + argmax}))
              argmax = c;
          dx.at({b, e, r * cols + argmax}) = scale * g;
        } else {
          const double f = kind == PoolKind::Mean
                               ? scale / static_cast<double>(cols)
                               : scale;
          for (int64_t c = 0; c < cols; ++c)
            dx.at({b, e, r * cols + c}) = f * g;
        }
      }
  return dx;
}

Tensor axisBroadcast(const Tensor &x, int64_t cols) {
  requireRank(x, 3, "x");
  require(cols >= 1, "cols must be >= 1");
  const int64_t B = x.shape[0], E = x.shape[1], rows = x.shape[2];
  Tensor y({B, E, rows * cols});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t e = 0; e < E; ++e)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          y.at({b, e, r * cols + c}) = x.at({b, e, r});
  return y;
}

Tensor axisBroadcastGrad(const Tensor &dout, int64_t cols) {
  requireRank(dout, 3, "dout");
  require(cols >= 1 && dout.shape[2] % cols == 0, "l % cols != 0");
  const int64_t B = dout.shape[0], E = dout.shape[1],
                rows = dout.shape[2] / cols;
  Tensor dx({B, E, rows});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t e = 0; e < E; ++e)
      for (int64_t r = 0; r < rows; ++r) {
        double acc = 0.0;
        for (int64_t c = 0; c < cols; ++c)
          acc += dout.at({b, e, r * cols + c});
        dx.at({b, e, r}) = acc;
      }
  return dx;
}

//===----------------------------------------------------------------------===//
// Matmul / linear
//===----------------------------------------------------------------------===//

namespace {
struct MatmulDims {
  int64_t batch, m, k, n;
};
MatmulDims checkMatmul(const Tensor &A, const Tensor &B) {
  require(A.rank() >= 2 && A.rank() == B.rank(),
          "matmul: operands must have equal rank >= 2");
  const int64_t r = A.rank();
  for (int64_t i = 0; i < r - 2; ++i)
    require(A.shape[i] == B.shape[i], "matmul: batch dims differ");
  require(A.shape[r - 1] == B.shape[r - 2], "matmul: inner dims differ");
  return {prodRange(A.shape, 0, r - 2), A.shape[r - 2], A.shape[r - 1],
          B.shape[r - 1]};
}
} // namespace

Tensor matmul(const Tensor &A, const Tensor &B) {
  MatmulDims md = checkMatmul(A, B);
  std::vector<int64_t> shape(A.shape.begin(), A.shape.end() - 1);
  shape.push_back(md.n);
  Tensor Cm(shape);
  for (int64_t p = 0; p < md.batch; ++p)
    for (int64_t i = 0; i < md.m; ++i)
      for (int64_t j = 0; j < md.n; ++j) {
        double acc = 0.0;
        for (int64_t q = 0; q < md.k; ++q)
          acc += A.data[(p * md.m + i) * md.k + q] *
                 B.data[(p * md.k + q) * md.n + j];
        Cm.data[(p * md.m + i) * md.n + j] = acc;
      }
  return Cm;
}

MatmulGrads matmulGrad(const Tensor &dC, const Tensor &A, const Tensor &B) {
  MatmulDims md = checkMatmul(A, B);
  std::vector<int64_t> shape(A.shape.begin(), A.shape.end() - 1);
  shape.push_back(md.n);
  requireShape(dC, shape, "dC");
  MatmulGrads g{zerosLike(A), zerosLike(B)};
  for (int64_t p = 0; p < md.batch; ++p)
    for (int64_t i = 0; i < md.m; ++i)
      for (int64_t j = 0; j < md.n; ++j) {
        const double gij = dC.data[(p * md.m + i) * md.n + j];
        for (int64_t q = 0; q < md.k; ++q) {
          // C[i,j] = Σ_q A[i,q]·B[q,j]
          g.dA.data[(p * md.m + i) * md.k + q] +=
              gij * B.data[(p * md.k + q) * md.n + j];
          g.dB.data[(p * md.k + q) * md.n + j] +=
              gij * A.data[(p * md.m + i) * md.k + q];
        }
      }
  return g;
}

namespace {
void checkLinear(const Tensor &x, const Tensor &W,
                 const std::optional<Tensor> &b) {
  require(x.rank() >= 1, "linear: x must have rank >= 1");
  requireRank(W, 2, "W");
  require(x.shape.back() == W.shape[1], "linear: x last dim != W in-features");
  if (b)
    requireShape(*b, {W.shape[0]}, "b");
}
} // namespace

Tensor linear(const Tensor &x, const Tensor &W,
              const std::optional<Tensor> &b) {
  checkLinear(x, W, b);
  const int64_t in = W.shape[1], out = W.shape[0], rows = x.numel() / in;
  std::vector<int64_t> shape(x.shape.begin(), x.shape.end() - 1);
  shape.push_back(out);
  Tensor y(shape);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double acc = b ? b->at({o}) : 0.0;
      for (int64_t i = 0; i < in; ++i)
        acc += x.data[r * in + i] * W.at({o, i});
      y.data[r * out + o] = acc;
    }
  return y;
}

LinearGrads linearGrad(const Tensor &dy, const Tensor &x, const Tensor &W,
                       const std::optional<Tensor> &b) {
  checkLinear(x, W, b);
  const int64_t in = W.shape[1], out = W.shape[0], rows = x.numel() / in;
  std::vector<int64_t> shape(x.shape.begin(), x.shape.end() - 1);
  shape.push_back(out);
  requireShape(dy, shape, "dy");
  LinearGrads g{zerosLike(x), zerosLike(W), std::nullopt};
  if (b)
    g.db = zerosLike(*b);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      const double gro = dy.data[r * out + o];
      for (int64_t i = 0; i < in; ++i) {
        g.dx.data[r * in + i] += gro * W.at({o, i});
        g.dW.at({o, i}) += gro * x.data[r * in + i];
      }
      if (b)
        g.db->at({o}) += gro;
    }
  return g;
}

//===----------------------------------------------------------------------===//
// Conv2d (NCHW)
//===----------------------------------------------------------------------===//

namespace {
struct Conv2dDims {
  int64_t N, Cin, H, W, Cout, kh, kw, Ho, Wo, cinPerGroup, coutPerGroup;
};
Conv2dDims checkConv2d(const Tensor &x, const Tensor &weight,
                       const std::optional<Tensor> &bias,
                       const Conv2dParams &p) {
  requireRank(x, 4, "x");
  requireRank(weight, 4, "weight");
  require(p.groups >= 1 && p.strideH >= 1 && p.strideW >= 1 && p.padH >= 0 &&
              p.padW >= 0,
          "conv2d: bad params");
  Conv2dDims c;
  c.N = x.shape[0];
  c.Cin = x.shape[1];
  c.H = x.shape[2];
  c.W = x.shape[3];
  c.Cout = weight.shape[0];
  c.kh = weight.shape[2];
  c.kw = weight.shape[3];
  require(c.Cin % p.groups == 0 && c.Cout % p.groups == 0,
          "conv2d: channels not divisible by groups");
  c.cinPerGroup = c.Cin / p.groups;
  c.coutPerGroup = c.Cout / p.groups;
  require(weight.shape[1] == c.cinPerGroup,
          "conv2d: weight dim 1 != Cin/groups");
  require(c.H + 2 * p.padH >= c.kh && c.W + 2 * p.padW >= c.kw,
          "conv2d: kernel larger than padded input");
  c.Ho = (c.H + 2 * p.padH - c.kh) / p.strideH + 1;
  c.Wo = (c.W + 2 * p.padW - c.kw) / p.strideW + 1;
  if (bias)
    requireShape(*bias, {c.Cout}, "bias");
  return c;
}
} // namespace

Tensor conv2d(const Tensor &x, const Tensor &weight,
              const std::optional<Tensor> &bias, const Conv2dParams &p) {
  Conv2dDims c = checkConv2d(x, weight, bias, p);
  Tensor y({c.N, c.Cout, c.Ho, c.Wo});
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t o = 0; o < c.Cout; ++o) {
      const int64_t grp = o / c.coutPerGroup;
      for (int64_t i = 0; i < c.Ho; ++i)
        for (int64_t j = 0; j < c.Wo; ++j) {
          double acc = bias ? bias->at({o}) : 0.0;
          for (int64_t ci = 0; ci < c.cinPerGroup; ++ci)
            for (int64_t a = 0; a < c.kh; ++a)
              for (int64_t e = 0; e < c.kw; ++e) {
                const int64_t hh = i * p.strideH - p.padH + a;
                const int64_t ww = j * p.strideW - p.padW + e;
                if (hh < 0 || hh >= c.H || ww < 0 || ww >= c.W)
                  continue;
                acc += weight.at({o, ci, a, e}) *
                       x.at({n, grp * c.cinPerGroup + ci, hh, ww});
              }
          y.at({n, o, i, j}) = acc;
        }
    }
  return y;
}

Conv2dGrads conv2dGrad(const Tensor &dout, const Tensor &x,
                       const Tensor &weight, const std::optional<Tensor> &bias,
                       const Conv2dParams &p) {
  Conv2dDims c = checkConv2d(x, weight, bias, p);
  requireShape(dout, {c.N, c.Cout, c.Ho, c.Wo}, "dout");
  Conv2dGrads g{zerosLike(x), zerosLike(weight), std::nullopt};
  if (bias)
    g.dbias = zerosLike(*bias);
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t o = 0; o < c.Cout; ++o) {
      const int64_t grp = o / c.coutPerGroup;
      for (int64_t i = 0; i < c.Ho; ++i)
        for (int64_t j = 0; j < c.Wo; ++j) {
          const double gy = dout.at({n, o, i, j});
          if (bias)
            g.dbias->at({o}) += gy;
          for (int64_t ci = 0; ci < c.cinPerGroup; ++ci)
            for (int64_t a = 0; a < c.kh; ++a)
              for (int64_t e = 0; e < c.kw; ++e) {
                const int64_t hh = i * p.strideH - p.padH + a;
                const int64_t ww = j * p.strideW - p.padW + e;
                if (hh < 0 || hh >= c.H || ww < 0 || ww >= c.W)
                  continue;
                const int64_t cin = grp * c.cinPerGroup + ci;
                g.dx.at({n, cin, hh, ww}) += gy * weight.at({o, ci, a, e});
                g.dweight.at({o, ci, a, e}) += gy * x.at({n, cin, hh, ww});
              }
        }
    }
  return g;
}

//===----------------------------------------------------------------------===//
// Norms (§3)
//===----------------------------------------------------------------------===//

namespace {

// x viewed as (outer, C, inner); normalisation runs over C for every
// (outer, inner) pair; the affine parameters are indexed by C.
int64_t idx3(int64_t o, int64_t c, int64_t i, int64_t C, int64_t inner) {
  return (o * C + c) * inner + i;
}

void checkAffine(const std::optional<Tensor> &weight,
                 const std::optional<Tensor> &bias, int64_t C) {
  if (weight)
    requireShape(*weight, {C}, "weight");
  if (bias)
    requireShape(*bias, {C}, "bias");
}

Tensor layerNormAxis(const Tensor &x, const std::optional<Tensor> &weight,
                     const std::optional<Tensor> &bias, double eps,
                     int64_t axis) {
  const int64_t outer = prodRange(x.shape, 0, axis), C = x.shape[axis],
                inner = prodRange(x.shape, axis + 1, x.rank());
  checkAffine(weight, bias, C);
  Tensor y = zerosLike(x);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double mean = 0.0;
      for (int64_t c = 0; c < C; ++c)
        mean += x.data[idx3(o, c, i, C, inner)];
      mean /= static_cast<double>(C);
      double var = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const double dv = x.data[idx3(o, c, i, C, inner)] - mean;
        var += dv * dv;
      }
      var /= static_cast<double>(C);
      const double rho = 1.0 / std::sqrt(var + eps);
      for (int64_t c = 0; c < C; ++c) {
        const double xhat = (x.data[idx3(o, c, i, C, inner)] - mean) * rho;
        y.data[idx3(o, c, i, C, inner)] =
            xhat * (weight ? weight->at({c}) : 1.0) +
            (bias ? bias->at({c}) : 0.0);
      }
    }
  return y;
}

/// dx = ρ(ĝ − mean ĝ − x̂·mean(ĝ⊙x̂)), ĝ = g⊙w; dw = Σ g⊙x̂; db = Σ g.
NormGrads layerNormAxisGrad(const Tensor &dout, const Tensor &x,
                            const std::optional<Tensor> &weight,
                            const std::optional<Tensor> &bias, double eps,
                            int64_t axis) {
  requireShape(dout, x.shape, "dout");
  const int64_t outer = prodRange(x.shape, 0, axis), C = x.shape[axis],
                inner = prodRange(x.shape, axis + 1, x.rank());
  checkAffine(weight, bias, C);
  NormGrads g{zerosLike(x), std::nullopt, std::nullopt};
  if (weight)
    g.dweight = zerosLike(*weight);
  if (bias)
    g.dbias = zerosLike(*bias);
  std::vector<double> xhat(C), gHat(C);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double mean = 0.0;
      for (int64_t c = 0; c < C; ++c)
        mean += x.data[idx3(o, c, i, C, inner)];
      mean /= static_cast<double>(C);
      double var = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const double dv = x.data[idx3(o, c, i, C, inner)] - mean;
        var += dv * dv;
      }
      var /= static_cast<double>(C);
      const double rho = 1.0 / std::sqrt(var + eps);
      double meanG = 0.0, meanGX = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const double gy = dout.data[idx3(o, c, i, C, inner)];
        xhat[c] = (x.data[idx3(o, c, i, C, inner)] - mean) * rho;
        gHat[c] = gy * (weight ? weight->at({c}) : 1.0);
        meanG += gHat[c];
        meanGX += gHat[c] * xhat[c];
        if (weight)
          g.dweight->at({c}) += gy * xhat[c];
        if (bias)
          g.dbias->at({c}) += gy;
      }
      meanG /= static_cast<double>(C);
      meanGX /= static_cast<double>(C);
      for (int64_t c = 0; c < C; ++c)
        g.dx.data[idx3(o, c, i, C, inner)] =
            rho * (gHat[c] - meanG - xhat[c] * meanGX);
    }
  return g;
}

} // namespace

Tensor layerNorm(const Tensor &x, const std::optional<Tensor> &weight,
                 const std::optional<Tensor> &bias, double eps) {
  require(x.rank() >= 1, "layerNorm: rank must be >= 1");
  return layerNormAxis(x, weight, bias, eps, x.rank() - 1);
}
NormGrads layerNormGrad(const Tensor &dout, const Tensor &x,
                        const std::optional<Tensor> &weight,
                        const std::optional<Tensor> &bias, double eps) {
  require(x.rank() >= 1, "layerNorm: rank must be >= 1");
  return layerNormAxisGrad(dout, x, weight, bias, eps, x.rank() - 1);
}
Tensor layerNorm2d(const Tensor &x, const std::optional<Tensor> &weight,
                   const std::optional<Tensor> &bias, double eps) {
  requireRank(x, 4, "x");
  return layerNormAxis(x, weight, bias, eps, 1);
}
NormGrads layerNorm2dGrad(const Tensor &dout, const Tensor &x,
                          const std::optional<Tensor> &weight,
                          const std::optional<Tensor> &bias, double eps) {
  requireRank(x, 4, "x");
  return layerNormAxisGrad(dout, x, weight, bias, eps, 1);
}

Tensor rmsNorm(const Tensor &x, const std::optional<Tensor> &weight,
               double eps) {
  require(x.rank() >= 1, "rmsNorm: rank must be >= 1");
  const int64_t D = x.shape.back(), rows = x.numel() / std::max<int64_t>(D, 1);
  checkAffine(weight, std::nullopt, D);
  Tensor y = zerosLike(x);
  for (int64_t r = 0; r < rows; ++r) {
    double ms = 0.0;
    for (int64_t c = 0; c < D; ++c)
      ms += x.data[r * D + c] * x.data[r * D + c];
    ms /= static_cast<double>(D);
    const double rho = 1.0 / std::sqrt(ms + eps);
    for (int64_t c = 0; c < D; ++c)
      y.data[r * D + c] =
          x.data[r * D + c] * rho * (weight ? weight->at({c}) : 1.0);
  }
  return y;
}

/// x̂ = xρ, ĝ = g⊙w: dx = ρ(ĝ − x̂·mean(ĝ⊙x̂)), dw = Σ g⊙x̂.
NormGrads rmsNormGrad(const Tensor &dout, const Tensor &x,
                      const std::optional<Tensor> &weight, double eps) {
  require(x.rank() >= 1, "rmsNorm: rank must be >= 1");
  requireShape(dout, x.shape, "dout");
  const int64_t D = x.shape.back(), rows = x.numel() / std::max<int64_t>(D, 1);
  checkAffine(weight, std::nullopt, D);
  NormGrads g{zerosLike(x), std::nullopt, std::nullopt};
  if (weight)
    g.dweight = zerosLike(*weight);
  std::vector<double> xhat(D), gHat(D);
  for (int64_t r = 0; r < rows; ++r) {
    double ms = 0.0;
    for (int64_t c = 0; c < D; ++c)
      ms += x.data[r * D + c] * x.data[r * D + c];
    ms /= static_cast<double>(D);
    const double rho = 1.0 / std::sqrt(ms + eps);
    double meanGX = 0.0;
    for (int64_t c = 0; c < D; ++c) {
      const double gy = dout.data[r * D + c];
      xhat[c] = x.data[r * D + c] * rho;
      gHat[c] = gy * (weight ? weight->at({c}) : 1.0);
      meanGX += gHat[c] * xhat[c];
      if (weight)
        g.dweight->at({c}) += gy * xhat[c];
    }
    meanGX /= static_cast<double>(D);
    for (int64_t c = 0; c < D; ++c)
      g.dx.data[r * D + c] = rho * (gHat[c] - xhat[c] * meanGX);
  }
  return g;
}

AddRmsNormResult addRmsNorm(const Tensor &residual, const Tensor &hidden,
                            const std::optional<Tensor> &weight, double eps) {
  requireShape(hidden, residual.shape, "hidden");
  Tensor sum = zerosLike(residual);
  for (int64_t i = 0; i < sum.numel(); ++i)
    sum.data[i] = residual.data[i] + hidden.data[i];
  Tensor normed = rmsNorm(sum, weight, eps);
  return {sum, normed};
}

AddRmsNormGrads addRmsNormGrad(const Tensor &dNormed,
                               const std::optional<Tensor> &dResidualOut,
                               const Tensor &residual, const Tensor &hidden,
                               const std::optional<Tensor> &weight,
                               double eps) {
  requireShape(hidden, residual.shape, "hidden");
  if (dResidualOut)
    requireShape(*dResidualOut, residual.shape, "dResidualOut");
  Tensor sum = zerosLike(residual);
  for (int64_t i = 0; i < sum.numel(); ++i)
    sum.data[i] = residual.data[i] + hidden.data[i];
  NormGrads ng = rmsNormGrad(dNormed, sum, weight, eps);
  Tensor dSum = ng.dx; // dr' = rms backward + g_res
  if (dResidualOut)
    for (int64_t i = 0; i < dSum.numel(); ++i)
      dSum.data[i] += dResidualOut->data[i];
  return {dSum, dSum, ng.dweight};
}

//===----------------------------------------------------------------------===//
// Mean pooling over arbitrary dims
//===----------------------------------------------------------------------===//

namespace {
/// Sorted unique normalised dims; `reduced[i]` marks reduced dims.
std::vector<bool> reducedMask(const std::vector<int64_t> &shape,
                              const std::vector<int64_t> &dims) {
  std::vector<bool> mask(shape.size(), false);
  for (int64_t d : dims) {
    d = normDim(d, static_cast<int64_t>(shape.size()));
    require(!mask[d], "meanPool: repeated dim");
    mask[d] = true;
  }
  return mask;
}

/// Flat index into the reduced tensor for a full multi-index of the input.
int64_t reducedOffset(const std::vector<int64_t> &shape,
                      const std::vector<bool> &mask,
                      const std::vector<int64_t> &idx) {
  int64_t off = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!mask[d])
      off = off * shape[d] + idx[d];
  return off;
}

/// Advance a row-major multi-index; returns false after the last one.
bool nextIndex(std::vector<int64_t> &idx, const std::vector<int64_t> &shape) {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (++idx[d] < shape[d])
      return true;
    idx[d] = 0;
  }
  return false;
}
} // namespace

Tensor meanPool(const Tensor &x, const std::vector<int64_t> &dims) {
  std::vector<bool> mask = reducedMask(x.shape, dims);
  std::vector<int64_t> outShape;
  int64_t count = 1;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    if (mask[d])
      count *= x.shape[d];
    else
      outShape.push_back(x.shape[d]);
  }
  require(count > 0, "meanPool: empty reduction");
  Tensor y(outShape);
  if (x.numel() == 0)
    return y;
  std::vector<int64_t> idx(x.shape.size(), 0);
  int64_t flat = 0;
  do {
    y.data[reducedOffset(x.shape, mask, idx)] += x.data[flat++];
  } while (nextIndex(idx, x.shape));
  for (double &v : y.data)
    v /= static_cast<double>(count);
  return y;
}

Tensor meanPoolGrad(const Tensor &dout, const std::vector<int64_t> &inputShape,
                    const std::vector<int64_t> &dims) {
  std::vector<bool> mask = reducedMask(inputShape, dims);
  std::vector<int64_t> outShape;
  int64_t count = 1;
  for (size_t d = 0; d < inputShape.size(); ++d) {
    if (mask[d])
      count *= inputShape[d];
    else
      outShape.push_back(inputShape[d]);
  }
  requireShape(dout, outShape, "dout");
  Tensor dx(inputShape);
  if (dx.numel() == 0)
    return dx;
  std::vector<int64_t> idx(inputShape.size(), 0);
  int64_t flat = 0;
  do {
    dx.data[flat++] = dout.data[reducedOffset(inputShape, mask, idx)] /
                      static_cast<double>(count);
  } while (nextIndex(idx, inputShape));
  return dx;
}

} // namespace ssm::ref
