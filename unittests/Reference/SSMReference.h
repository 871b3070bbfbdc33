//===- SSMReference.h - float64 reference ops (test oracle) -----*- C++ -*-===//
//
// Plain C++17 float64 reference implementations of every op the ssmc compiler
// must match, forward and backward, written straight from docs/semantics.md
// (§2 the ssm ops, §2.4 the cross-scan maps, §3 the dense ops the models use:
// GEMM, linear, conv2d, norms, activations).
//
// These are test oracles: straight loops, no cleverness, no MLIR/LLVM.
// All tensors are dense row-major float64. Shape errors abort with a message
// (the code does not rely on C++ exceptions).
//
// Conventions:
//  * Optional operands are std::optional<Tensor> (pass std::nullopt if absent).
//  * Every *Grad function takes the upstream gradient(s) first and the forward
//    operands after, recomputes what it needs, and returns gradients w.r.t.
//    every input and parameter; a gradient for an optional operand is present
//    iff that operand was.
//
//===----------------------------------------------------------------------===//

#ifndef SSMC_UNITTESTS_REFERENCE_SSMREFERENCE_H
#define SSMC_UNITTESTS_REFERENCE_SSMREFERENCE_H

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ssm::ref {

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

/// Dense row-major float64 tensor. `data.size()` == product of `shape`
/// (a rank-0 tensor has shape {} and one element).
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  Tensor() = default;
  /// Tensor of the given shape filled with `fill`.
  explicit Tensor(std::vector<int64_t> shape, double fill = 0.0);
  /// Tensor of the given shape with explicit row-major data (sizes must match).
  Tensor(std::vector<int64_t> shape, std::vector<double> data);

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Size of dimension i; negative i counts from the end.
  int64_t dim(int64_t i) const;
  int64_t numel() const { return static_cast<int64_t>(data.size()); }

  /// Row-major flat offset of a full multi-index (bounds-checked).
  int64_t offset(std::initializer_list<int64_t> idx) const;
  int64_t offset(const std::vector<int64_t> &idx) const;
  double &at(std::initializer_list<int64_t> idx) { return data[offset(idx)]; }
  double at(std::initializer_list<int64_t> idx) const {
    return data[offset(idx)];
  }
  double &at(const std::vector<int64_t> &idx) { return data[offset(idx)]; }
  double at(const std::vector<int64_t> &idx) const { return data[offset(idx)]; }
};

/// Product of the dimensions (1 for an empty shape).
int64_t numelOf(const std::vector<int64_t> &shape);
std::string shapeToString(const std::vector<int64_t> &shape);

/// Deterministic uniform [lo, hi) random tensor (std::mt19937_64 seeded with
/// `seed`, std::uniform_real_distribution<double>).
Tensor randomTensor(const std::vector<int64_t> &shape, uint64_t seed,
                    double lo = -1.0, double hi = 1.0);

/// Relative error of `a` against the reference `b`:
///   max_i |a_i - b_i| / max( max_i |b_i| , 1e-300 )
/// i.e. the largest absolute deviation normalised by the infinity norm of the
/// reference (so tiny entries of a large tensor are judged on the tensor's
/// scale, not their own). Returns +inf if the shapes differ, and 0 for two
/// identical all-zero tensors.
double maxRelError(const Tensor &a, const Tensor &b);

/// Euclidean inner product <a, b> = sum_i a_i b_i (shapes must match).
double dot(const Tensor &a, const Tensor &b);

//===----------------------------------------------------------------------===//
// Scalar activations (docs/semantics.md §1, §2.1)
//===----------------------------------------------------------------------===//

double sigmoid(double x);
double silu(double x);      ///< x * sigmoid(x)
double siluDeriv(double x); ///< sigmoid(x) * (1 + x * (1 - sigmoid(x)))
/// (x <= 20) ? log1p(exp(x)) : x   (threshold 20, as the CUDA kernel).
double softplus(double x);
double softplusDeriv(double x); ///< (x <= 20) ? sigmoid(x) : 1
double gelu(double x);          ///< exact: 0.5 * x * (1 + erf(x / sqrt 2))
double geluDeriv(double x);     ///< Phi(x) + x * phi(x)

// Elementwise tensor versions; *Grad(dout, x) returns dout * f'(x).
Tensor silu(const Tensor &x);
Tensor siluGrad(const Tensor &dout, const Tensor &x);
Tensor softplus(const Tensor &x);
Tensor softplusGrad(const Tensor &dout, const Tensor &x);
Tensor gelu(const Tensor &x);
Tensor geluGrad(const Tensor &dout, const Tensor &x);

//===----------------------------------------------------------------------===//
// Selective scan (docs/semantics.md §2.1 forward, §2.2 backward)
//===----------------------------------------------------------------------===//

/// u, delta, z: (b,d,l); A: (d,n); B, C: (b,n,l) [shared, G=1] or (b,g,n,l)
/// [grouped; d % g == 0; channel d uses group d / (d/g)]; D, deltaBias: (d).
///   δ_t = delta[b,d,t] + deltaBias[d];  if deltaSoftplus: δ_t = softplus(δ_t)
///   h_t = exp(δ_t A[d,n]) h_prev + δ_t B[t,n] u_t ;  h before the first step =
///   0 y_t = Σ_n C[t,n] h_t + D[d] u_t ;  out_t = y_t (· silu(z_t) if z)
/// `reverse` runs the recurrence over t = l-1 .. 0 (h_prev is then the state at
/// t+1) — identical to flipping u, delta, B, C, z along l, scanning forward and
/// flipping the output back.
struct ScanResult {
  Tensor out;       ///< (b,d,l)
  Tensor lastState; ///< (b,d,n): state after the last step in scan order
};
ScanResult selectiveScan(const Tensor &u, const Tensor &delta, const Tensor &A,
                         const Tensor &B, const Tensor &C,
                         const std::optional<Tensor> &D,
                         const std::optional<Tensor> &z,
                         const std::optional<Tensor> &deltaBias,
                         bool deltaSoftplus, bool reverse);

struct ScanGrads {
  Tensor du;     ///< (b,d,l)
  Tensor ddelta; ///< (b,d,l), w.r.t. the raw (pre-bias, pre-softplus) delta
  Tensor dA;     ///< (d,n)
  Tensor dB, dC; ///< shape of B / C; summed over the channels of each group
  std::optional<Tensor> dD, dz, ddeltaBias;
};
/// Gradients of <dout, out> (lastState carries no gradient, §2.1).
ScanGrads selectiveScanGrad(const Tensor &dout, const Tensor &u,
                            const Tensor &delta, const Tensor &A,
                            const Tensor &B, const Tensor &C,
                            const std::optional<Tensor> &D,
                            const std::optional<Tensor> &z,
                            const std::optional<Tensor> &deltaBias,
                            bool deltaSoftplus, bool reverse);

//===----------------------------------------------------------------------===//
// Causal depthwise conv1d (docs/semantics.md §2.3)
//===----------------------------------------------------------------------===//

enum class Activation { None, Silu };

/// x: (b,d,l); weight: (d,k); bias: (d).
///   pre_t = bias + Σ_{j<k} weight[d,j] · x[t-(k-1)+j]   (x[<0] = 0;
///   weight[k-1] multiplies x_t);   out = act(pre).
Tensor causalConv1d(const Tensor &x, const Tensor &weight,
                    const std::optional<Tensor> &bias, Activation act);
struct CausalConv1dGrads {
  Tensor dx, dweight;
  std::optional<Tensor> dbias;
};
CausalConv1dGrads causalConv1dGrad(const Tensor &dout, const Tensor &x,
                                   const Tensor &weight,
                                   const std::optional<Tensor> &bias,
                                   Activation act);

//===----------------------------------------------------------------------===//
// Cross-scan / cross-merge (docs/semantics.md §2.4), flip, token transpose
//===----------------------------------------------------------------------===//

/// Position of token (h,w) of an H×W grid in a sequence (L = H·W):
///   Row: h·W+w   Col: w·H+h   RowRev: L-1-(h·W+w)   ColRev: L-1-(w·H+h)
enum class ScanDir { Row, Col, RowRev, ColRev };
int64_t scanPosition(ScanDir dir, int64_t h, int64_t w, int64_t H, int64_t W);

/// x: (b,c,h,w) -> (b,K,c,h·w), xs[b,k,c,p_k(h,w)] = x[b,c,h,w].
Tensor crossScan(const Tensor &x, const std::vector<ScanDir> &dirs);
/// ys: (b,K,c,h·w) -> (b,c,h,w), y[b,c,h,w] = Σ_k ys[b,k,c,p_k(h,w)].
/// crossMerge is the adjoint of crossScan, so it is also crossScan's backward
/// (and crossScan is crossMerge's backward).
Tensor crossMerge(const Tensor &ys, const std::vector<ScanDir> &dirs, int64_t h,
                  int64_t w);

/// Reverse the order of elements along `dim`. Its own adjoint/backward.
Tensor flip(const Tensor &x, int64_t dim);

/// FastVim token transpose T (§6.3) applied along `dim` of size rows·cols:
///   out[.., c·rows + r, ..] = x[.., r·cols + c, ..].
/// Inverse (and backward) = gridTranspose(y, dim, cols, rows).
Tensor gridTranspose(const Tensor &x, int64_t dim, int64_t rows, int64_t cols);

//===----------------------------------------------------------------------===//
// FastVim axis pool / broadcast (docs/semantics.md §6.3, §2.6)
//===----------------------------------------------------------------------===//

enum class PoolKind { Mean, Max, Sum };

/// x: (b,e,rows·cols) -> (b,e,rows); out[b,e,r] = scale · reduce_{c<cols}
/// x[b,e,r·cols+c] with reduce = mean | max | sum.
Tensor axisPool(const Tensor &x, int64_t cols, PoolKind kind, double scale);
/// dx: mean -> scale/cols·dout to every element of the run; sum -> scale·dout;
/// max -> scale·dout to the FIRST arg-max of each run, 0 elsewhere.
Tensor axisPoolGrad(const Tensor &dout, const Tensor &x, int64_t cols,
                    PoolKind kind, double scale);
/// x: (b,e,rows) -> (b,e,rows·cols), out[b,e,r·cols+c] = x[b,e,r].
Tensor axisBroadcast(const Tensor &x, int64_t cols);
/// Backward of axisBroadcast: dx[b,e,r] = Σ_c dout[b,e,r·cols+c].
Tensor axisBroadcastGrad(const Tensor &dout, int64_t cols);

//===----------------------------------------------------------------------===//
// Dense ops
//===----------------------------------------------------------------------===//

/// C = A·B. A: (..., m, k), B: (..., k, n) with identical leading (batch)
/// dims (no broadcasting); rank 2 is the plain GEMM.
Tensor matmul(const Tensor &A, const Tensor &B);
struct MatmulGrads {
  Tensor dA, dB; ///< dA = dC·Bᵀ, dB = Aᵀ·dC (per batch)
};
MatmulGrads matmulGrad(const Tensor &dC, const Tensor &A, const Tensor &B);

/// y = x·Wᵀ + b. x: (..., in), W: (out, in), b: (out) -> (..., out).
Tensor linear(const Tensor &x, const Tensor &W, const std::optional<Tensor> &b);
struct LinearGrads {
  Tensor dx, dW;
  std::optional<Tensor> db;
};
LinearGrads linearGrad(const Tensor &dy, const Tensor &x, const Tensor &W,
                       const std::optional<Tensor> &b);

/// NCHW 2-D cross-correlation (PyTorch Conv2d, no dilation).
/// x: (N,Cin,H,W); weight: (Cout, Cin/groups, kh, kw); bias: (Cout).
/// Output (N,Cout,Ho,Wo), Ho = (H + 2·padH - kh)/strideH + 1 (floor), same W.
///   out[n,o,i,j] = bias[o] + Σ_{c<Cin/g, a<kh, e<kw} weight[o,c,a,e] ·
///                  x[n, grp(o)·Cin/g + c, i·sH - pH + a, j·sW - pW + e]
/// (zero outside the image); grp(o) = o / (Cout/groups). Depthwise:
/// groups = Cin = Cout.
struct Conv2dParams {
  int64_t strideH = 1, strideW = 1;
  int64_t padH = 0, padW = 0;
  int64_t groups = 1;
};
Tensor conv2d(const Tensor &x, const Tensor &weight,
              const std::optional<Tensor> &bias, const Conv2dParams &p);
struct Conv2dGrads {
  Tensor dx, dweight;
  std::optional<Tensor> dbias;
};
Conv2dGrads conv2dGrad(const Tensor &dout, const Tensor &x,
                       const Tensor &weight, const std::optional<Tensor> &bias,
                       const Conv2dParams &p);

/// LayerNorm over the last dim C of x (..., C) (biased variance):
///   y = (x - μ)·(var + eps)^{-1/2} · weight + bias  (weight/bias (C), each
///   optional; affine = both present).
Tensor layerNorm(const Tensor &x, const std::optional<Tensor> &weight,
                 const std::optional<Tensor> &bias, double eps);
struct NormGrads {
  Tensor dx;
  std::optional<Tensor> dweight, dbias;
};
NormGrads layerNormGrad(const Tensor &dout, const Tensor &x,
                        const std::optional<Tensor> &weight,
                        const std::optional<Tensor> &bias, double eps);
/// LayerNorm over the channel dim of NCHW x (N,C,H,W), per (n,h,w) pixel.
Tensor layerNorm2d(const Tensor &x, const std::optional<Tensor> &weight,
                   const std::optional<Tensor> &bias, double eps);
NormGrads layerNorm2dGrad(const Tensor &dout, const Tensor &x,
                          const std::optional<Tensor> &weight,
                          const std::optional<Tensor> &bias, double eps);

/// RMSNorm over the last dim D: y = x·(mean_D x² + eps)^{-1/2} · weight.
Tensor rmsNorm(const Tensor &x, const std::optional<Tensor> &weight,
               double eps);
NormGrads rmsNormGrad(const Tensor &dout, const Tensor &x,
                      const std::optional<Tensor> &weight, double eps);

/// Fused add + RMSNorm (§3): r' = residual + hidden; normed = rmsNorm(r').
struct AddRmsNormResult {
  Tensor residual; ///< r' = residual + hidden
  Tensor normed;   ///< r'·ρ·weight
};
AddRmsNormResult addRmsNorm(const Tensor &residual, const Tensor &hidden,
                            const std::optional<Tensor> &weight, double eps);
struct AddRmsNormGrads {
  Tensor dresidual, dhidden; ///< equal: ρ(ĝ - x̂·mean(ĝ⊙x̂)) + dResidualOut
  std::optional<Tensor> dweight;
};
/// dNormed: gradient on `normed`; dResidualOut: gradient arriving on the
/// `residual` output (g_res of §3; nullopt = 0).
AddRmsNormGrads addRmsNormGrad(const Tensor &dNormed,
                               const std::optional<Tensor> &dResidualOut,
                               const Tensor &residual, const Tensor &hidden,
                               const std::optional<Tensor> &weight, double eps);

/// Mean over the listed dims, which are removed from the shape. E.g.
/// NCHW spatial mean: dims {2,3}; (B,L,D) token mean: {1}; (B,H,W,C): {1,2}.
Tensor meanPool(const Tensor &x, const std::vector<int64_t> &dims);
/// Backward: dx = dout/count broadcast back over the reduced dims.
Tensor meanPoolGrad(const Tensor &dout, const std::vector<int64_t> &inputShape,
                    const std::vector<int64_t> &dims);

} // namespace ssm::ref

#endif // SSMC_UNITTESTS_REFERENCE_SSMREFERENCE_H
