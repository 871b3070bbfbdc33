//===- DenseNumericsTest.cpp - model-builder dense ops vs the reference ---===//
//
// Every dense op the four model families need (docs/semantics.md §3),
// written in upstream MLIR on tensors the way a model builder emits it:
// linalg named ops (matmul, batch_matmul, transpose, broadcast, reduce, add,
// conv_2d_nchw_fchw, depthwise_conv_2d_nchw_chw / _nhwc_hwc), linalg.generic
// reductions (also multi-result), tensor.pad / collapse_shape /
// expand_shape, and arith/math elementwise bodies. Each module is compiled
// through the CPU pipeline by the numerics harness and compared with the
// float64 reference at awkward shapes (batch 1 and > 1, odd sizes, sizes
// that are not multiples of 8 or 16): f32 relative error <= 1e-5. Gradients
// are written in dense ops too (linear as matmuls, norms by the §3
// formulas, activations by their derivatives).
//
//===----------------------------------------------------------------------===//

#include "NumericsHarness.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <sstream>
#include <utility>

using namespace ssm::numerics;
namespace ref = ssm::ref;

namespace {

constexpr double kTol = 1e-5;

/// Fresh non-zero uniform [lo, hi) tensor, rounded to f32.
ref::Tensor rnd(const std::vector<int64_t> &shape, uint64_t seed,
                double lo = -1.0, double hi = 1.0) {
  return roundTo(ref::randomTensor(shape, seed, lo, hi), "f32");
}

std::string ty(const std::vector<int64_t> &shape) {
  return tensorType(shape, "f32");
}

/// A float literal MLIR parses ("1.30000000e+01").
std::string flt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.8e", v);
  return buf;
}

std::string str(int64_t v) { return std::to_string(v); }

/// Replaces every ${key} of `text`.
std::string
subst(std::string text,
      const std::vector<std::pair<std::string, std::string>> &vars) {
  for (const auto &[key, value] : vars) {
    std::string k = "${" + key + "}";
    for (size_t p = text.find(k); p != std::string::npos;
         p = text.find(k, p + value.size()))
      text.replace(p, k.size(), value);
  }
  return text;
}

/// Runs `function` and checks it produced `count` results; on failure (the
/// harness already reported why) returns empty tensors, which then fail every
/// comparison instead of crashing.
std::vector<ref::Tensor> run(Compiled &compiled, const std::string &function,
                             const std::vector<ref::Tensor> &args,
                             size_t count) {
  std::vector<ref::Tensor> out = compiled.run(function, args);
  EXPECT_EQ(out.size(), count) << function;
  out.resize(count);
  return out;
}

void expectClose(const ref::Tensor &got, const ref::Tensor &want,
                 const std::string &what) {
  EXPECT_LE(ref::maxRelError(got, want), kTol)
      << what << " (got shape " << ref::shapeToString(got.shape) << ", want "
      << ref::shapeToString(want.shape) << ")";
}

/// out.shape[i] = t.shape[perm[i]].
ref::Tensor permute(const ref::Tensor &t, const std::vector<int64_t> &perm) {
  std::vector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(t.shape[p]);
  ref::Tensor out(shape);
  std::vector<int64_t> idx(shape.size(), 0), src(shape.size(), 0);
  for (int64_t i = 0; i < out.numel(); ++i) {
    for (size_t d = 0; d < perm.size(); ++d)
      src[perm[d]] = idx[d];
    out.data[i] = t.at(src);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

ref::Tensor reshape(ref::Tensor t, std::vector<int64_t> shape) {
  EXPECT_EQ(ref::numelOf(shape), t.numel());
  t.shape = std::move(shape);
  return t;
}

//===----------------------------------------------------------------------===//
// GEMM: linalg.matmul / linalg.batch_matmul
//===----------------------------------------------------------------------===//

const char *kMatmulTmpl = R"mlir(
func.func @mm(%a: ${A}, %b: ${B}) -> ${C} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : ${C}
  %z = linalg.fill ins(%zero : f32) outs(%e : ${C}) -> ${C}
  %c = ${OP} ins(%a, %b : ${A}, ${B}) outs(%z : ${C}) -> ${C}
  return %c : ${C}
}
)mlir";

void checkMatmul(const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                 uint64_t seed) {
  std::vector<int64_t> c = a;
  c.back() = b.back();
  std::string ir =
      subst(kMatmulTmpl,
            {{"A", ty(a)},
             {"B", ty(b)},
             {"C", ty(c)},
             {"OP", a.size() == 2 ? "linalg.matmul" : "linalg.batch_matmul"}});
  Compiled compiled(ir);
  ref::Tensor A = rnd(a, seed), B = rnd(b, seed + 1);
  expectClose(run(compiled, "mm", {A, B}, 1)[0], ref::matmul(A, B),
              ref::shapeToString(a) + " x " + ref::shapeToString(b));
}

TEST(DenseMatmul, Gemm2D) {
  checkMatmul({13, 19}, {19, 7}, 1000);
  checkMatmul({1, 33}, {33, 17}, 1010); // one row (GEMV-like)
  checkMatmul({37, 5}, {5, 29}, 1020);
  checkMatmul({24, 40}, {40, 1}, 1030); // one column
}

TEST(DenseMatmul, BatchMatmul) {
  checkMatmul({3, 5, 9}, {3, 9, 11}, 1100);
  checkMatmul({1, 17, 6}, {1, 6, 5}, 1110);
  checkMatmul({2, 1, 23}, {2, 23, 18}, 1120);
}

//===----------------------------------------------------------------------===//
// Linear y = x·Wᵀ + b on (B, L, in) tokens, and its gradient as matmuls
//===----------------------------------------------------------------------===//

// @linear: transpose W, broadcast the bias into the accumulator, GEMM over
// the collapsed tokens. @linear_tb: linalg.matmul with transposed-B indexing
// maps, then linalg.add of the broadcast bias. @linear_nobias: Vim's
// in_proj/out_proj (bias = False).
const char *kLinearTmpl = R"mlir(
func.func @linear(%x: ${X}, %w: ${W}, %b: ${Bv}) -> ${Y} {
  %xf = tensor.collapse_shape %x [[0, 1], [2]] : ${X} into ${X2}
  %et = tensor.empty() : ${WT}
  %wt = linalg.transpose ins(%w : ${W}) outs(%et : ${WT}) permutation = [1, 0]
  %e = tensor.empty() : ${Y2}
  %init = linalg.broadcast ins(%b : ${Bv}) outs(%e : ${Y2}) dimensions = [0]
  %y2 = linalg.matmul ins(%xf, %wt : ${X2}, ${WT}) outs(%init : ${Y2}) -> ${Y2}
  %y = tensor.expand_shape %y2 [[0, 1], [2]] output_shape [${B}, ${L}, ${O}] : ${Y2} into ${Y}
  return %y : ${Y}
}

func.func @linear_tb(%x: ${X}, %w: ${W}, %b: ${Bv}) -> ${Y} {
  %zero = arith.constant 0.0 : f32
  %xf = tensor.collapse_shape %x [[0, 1], [2]] : ${X} into ${X2}
  %e = tensor.empty() : ${Y2}
  %z = linalg.fill ins(%zero : f32) outs(%e : ${Y2}) -> ${Y2}
  %mm = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                       affine_map<(m, n, k) -> (n, k)>,
                                       affine_map<(m, n, k) -> (m, n)>]
      ins(%xf, %w : ${X2}, ${W}) outs(%z : ${Y2}) -> ${Y2}
  %e2 = tensor.empty() : ${Y2}
  %bb = linalg.broadcast ins(%b : ${Bv}) outs(%e2 : ${Y2}) dimensions = [0]
  %e3 = tensor.empty() : ${Y2}
  %y2 = linalg.add ins(%mm, %bb : ${Y2}, ${Y2}) outs(%e3 : ${Y2}) -> ${Y2}
  %y = tensor.expand_shape %y2 [[0, 1], [2]] output_shape [${B}, ${L}, ${O}] : ${Y2} into ${Y}
  return %y : ${Y}
}

func.func @linear_nobias(%x: ${X}, %w: ${W}) -> ${Y} {
  %zero = arith.constant 0.0 : f32
  %xf = tensor.collapse_shape %x [[0, 1], [2]] : ${X} into ${X2}
  %et = tensor.empty() : ${WT}
  %wt = linalg.transpose ins(%w : ${W}) outs(%et : ${WT}) permutation = [1, 0]
  %e = tensor.empty() : ${Y2}
  %z = linalg.fill ins(%zero : f32) outs(%e : ${Y2}) -> ${Y2}
  %y2 = linalg.matmul ins(%xf, %wt : ${X2}, ${WT}) outs(%z : ${Y2}) -> ${Y2}
  %y = tensor.expand_shape %y2 [[0, 1], [2]] output_shape [${B}, ${L}, ${O}] : ${Y2} into ${Y}
  return %y : ${Y}
}

// dX = dY·W, dW = dYᵀ·X (tokens collapsed), db = Σ_tokens dY.
func.func @linear_grad(%dy: ${Y}, %x: ${X}, %w: ${W}) -> (${X}, ${W}, ${Bv}) {
  %zero = arith.constant 0.0 : f32
  %dy2 = tensor.collapse_shape %dy [[0, 1], [2]] : ${Y} into ${Y2}
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : ${X} into ${X2}
  %ex = tensor.empty() : ${X2}
  %zx = linalg.fill ins(%zero : f32) outs(%ex : ${X2}) -> ${X2}
  %dx2 = linalg.matmul ins(%dy2, %w : ${Y2}, ${W}) outs(%zx : ${X2}) -> ${X2}
  %dx = tensor.expand_shape %dx2 [[0, 1], [2]] output_shape [${B}, ${L}, ${I}] : ${X2} into ${X}
  %et = tensor.empty() : ${Y2T}
  %dyt = linalg.transpose ins(%dy2 : ${Y2}) outs(%et : ${Y2T}) permutation = [1, 0]
  %ew = tensor.empty() : ${W}
  %zw = linalg.fill ins(%zero : f32) outs(%ew : ${W}) -> ${W}
  %dw = linalg.matmul ins(%dyt, %x2 : ${Y2T}, ${X2}) outs(%zw : ${W}) -> ${W}
  %eb = tensor.empty() : ${Bv}
  %zb = linalg.fill ins(%zero : f32) outs(%eb : ${Bv}) -> ${Bv}
  %db = linalg.reduce ins(%dy2 : ${Y2}) outs(%zb : ${Bv}) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %dx, %dw, %db : ${X}, ${W}, ${Bv}
}
)mlir";

std::string linearIR(int64_t b, int64_t l, int64_t in, int64_t out) {
  return subst(kLinearTmpl, {{"X", ty({b, l, in})},
                             {"X2", ty({b * l, in})},
                             {"W", ty({out, in})},
                             {"WT", ty({in, out})},
                             {"Bv", ty({out})},
                             {"Y", ty({b, l, out})},
                             {"Y2", ty({b * l, out})},
                             {"Y2T", ty({out, b * l})},
                             {"B", str(b)},
                             {"L", str(l)},
                             {"I", str(in)},
                             {"O", str(out)}});
}

TEST(DenseLinearLayer, ForwardWithAndWithoutBias) {
  struct Case {
    int64_t b, l, in, out;
  };
  uint64_t seed = 1200;
  for (Case c : {Case{2, 7, 19, 10}, Case{1, 9, 24, 13}, Case{3, 1, 5, 33}}) {
    SCOPED_TRACE("linear b" + str(c.b) + " l" + str(c.l) + " " + str(c.in) +
                 "->" + str(c.out));
    Compiled compiled(linearIR(c.b, c.l, c.in, c.out));
    ref::Tensor x = rnd({c.b, c.l, c.in}, seed++),
                w = rnd({c.out, c.in}, seed++), bias = rnd({c.out}, seed++);
    ref::Tensor want = ref::linear(x, w, bias);
    expectClose(run(compiled, "linear", {x, w, bias}, 1)[0], want, "linear");
    expectClose(run(compiled, "linear_tb", {x, w, bias}, 1)[0], want,
                "linear_tb");
    expectClose(run(compiled, "linear_nobias", {x, w}, 1)[0],
                ref::linear(x, w, std::nullopt), "linear_nobias");
  }
}

TEST(DenseLinearLayer, GradientAsMatmuls) {
  struct Case {
    int64_t b, l, in, out;
  };
  uint64_t seed = 1300;
  for (Case c : {Case{3, 5, 19, 10}, Case{1, 11, 6, 17}}) {
    SCOPED_TRACE("linear grad b" + str(c.b) + " l" + str(c.l) + " " +
                 str(c.in) + "->" + str(c.out));
    Compiled compiled(linearIR(c.b, c.l, c.in, c.out));
    ref::Tensor x = rnd({c.b, c.l, c.in}, seed++),
                w = rnd({c.out, c.in}, seed++), bias = rnd({c.out}, seed++),
                dy = rnd({c.b, c.l, c.out}, seed++);
    std::vector<ref::Tensor> got = run(compiled, "linear_grad", {dy, x, w}, 3);
    ref::LinearGrads want = ref::linearGrad(dy, x, w, bias);
    expectClose(got[0], want.dx, "dX = dY W");
    expectClose(got[1], want.dW, "dW = dY^T X");
    expectClose(got[2], *want.db, "db = sum dY");
  }
}

//===----------------------------------------------------------------------===//
// conv2d: tensor.pad + linalg conv ops
//===----------------------------------------------------------------------===//

/// func @name(x (N,Cin,H,W), w (Cout,Cin,k,k) [, b (Cout)]) -> (N,Cout,Ho,Wo)
/// [, tokens (N, Ho·Wo, Cout) when `tokens`: Vim's flatten(2).transpose(1,2)].
std::string convFunc(const std::string &name, const std::vector<int64_t> &xs,
                     int64_t cout, int64_t k, int64_t stride, int64_t pad,
                     bool bias, bool tokens = false) {
  int64_t n = xs[0], cin = xs[1], h = xs[2], w = xs[3];
  int64_t ho = (h + 2 * pad - k) / stride + 1,
          wo = (w + 2 * pad - k) / stride + 1;
  std::string X = ty(xs), XP = ty({n, cin, h + 2 * pad, w + 2 * pad}),
              W = ty({cout, cin, k, k}), Y = ty({n, cout, ho, wo}),
              Bv = ty({cout}), Y3 = ty({n, cout, ho * wo}),
              T = ty({n, ho * wo, cout});
  std::ostringstream os;
  os << "func.func @" << name << "(%x: " << X << ", %w: " << W;
  if (bias)
    os << ", %b: " << Bv;
  os << ") -> (" << Y << (tokens ? ", " + T : "") << ") {\n";
  os << "  %zero = arith.constant 0.0 : f32\n";
  std::string in = "%x", inTy = X;
  if (pad) {
    os << "  %xp = tensor.pad %x low[0, 0, " << pad << ", " << pad
       << "] high[0, 0, " << pad << ", " << pad << "] {\n"
       << "  ^bb0(%i: index, %j: index, %k: index, %l: index):\n"
       << "    tensor.yield %zero : f32\n"
       << "  } : " << X << " to " << XP << "\n";
    in = "%xp";
    inTy = XP;
  }
  os << "  %e = tensor.empty() : " << Y << "\n";
  if (bias)
    os << "  %init = linalg.broadcast ins(%b : " << Bv << ") outs(%e : " << Y
       << ") dimensions = [0, 2, 3]\n";
  else
    os << "  %init = linalg.fill ins(%zero : f32) outs(%e : " << Y << ") -> "
       << Y << "\n";
  os << "  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : "
        "tensor<2xi64>, strides = dense<"
     << stride << "> : tensor<2xi64>}\n"
     << "      ins(" << in << ", %w : " << inTy << ", " << W
     << ") outs(%init : " << Y << ") -> " << Y << "\n";
  if (tokens) {
    os << "  %y3 = tensor.collapse_shape %y [[0], [1], [2, 3]] : " << Y
       << " into " << Y3 << "\n"
       << "  %et = tensor.empty() : " << T << "\n"
       << "  %t = linalg.transpose ins(%y3 : " << Y3 << ") outs(%et : " << T
       << ") permutation = [0, 2, 1]\n"
       << "  return %y, %t : " << Y << ", " << T << "\n}\n";
  } else {
    os << "  return %y : " << Y << "\n}\n";
  }
  return os.str();
}

/// Depthwise k×k, stride 1, padding p; NCHW (weight (C,k,k)) or NHWC
/// (weight (k,k,C)), optional bias.
std::string depthwiseFunc(const std::string &name,
                          const std::vector<int64_t> &xs, int64_t k,
                          int64_t pad, bool bias, bool nhwc) {
  int64_t n = xs[0];
  int64_t c = nhwc ? xs[3] : xs[1], h = nhwc ? xs[1] : xs[2],
          w = nhwc ? xs[2] : xs[3];
  int64_t ho = h + 2 * pad - k + 1, wo = w + 2 * pad - k + 1;
  auto layout = [&](int64_t hh, int64_t ww) {
    return nhwc ? ty({n, hh, ww, c}) : ty({n, c, hh, ww});
  };
  std::string X = layout(h, w), XP = layout(h + 2 * pad, w + 2 * pad),
              Y = layout(ho, wo), W = nhwc ? ty({k, k, c}) : ty({c, k, k}),
              Bv = ty({c});
  std::string lo = nhwc ? "[0, " + str(pad) + ", " + str(pad) + ", 0]"
                        : "[0, 0, " + str(pad) + ", " + str(pad) + "]";
  std::ostringstream os;
  os << "func.func @" << name << "(%x: " << X << ", %w: " << W;
  if (bias)
    os << ", %b: " << Bv;
  os << ") -> " << Y << " {\n"
     << "  %zero = arith.constant 0.0 : f32\n"
     << "  %xp = tensor.pad %x low" << lo << " high" << lo << " {\n"
     << "  ^bb0(%i: index, %j: index, %k: index, %l: index):\n"
     << "    tensor.yield %zero : f32\n"
     << "  } : " << X << " to " << XP << "\n"
     << "  %e = tensor.empty() : " << Y << "\n";
  if (bias)
    os << "  %init = linalg.broadcast ins(%b : " << Bv << ") outs(%e : " << Y
       << ") dimensions = " << (nhwc ? "[0, 1, 2]" : "[0, 2, 3]") << "\n";
  else
    os << "  %init = linalg.fill ins(%zero : f32) outs(%e : " << Y << ") -> "
       << Y << "\n";
  os << "  %y = linalg.depthwise_conv_2d_" << (nhwc ? "nhwc_hwc" : "nchw_chw")
     << " {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : "
        "tensor<2xi64>}\n"
     << "      ins(%xp, %w : " << XP << ", " << W << ") outs(%init : " << Y
     << ") -> " << Y << "\n"
     << "  return %y : " << Y << "\n}\n";
  return os.str();
}

/// Vim / FastVim patch embedding Conv2d(3 -> D, k16, stride s, bias) on a
/// small image, and its flattened (B, M, D) tokens.
void checkPatchEmbed(const std::vector<int64_t> &xs, int64_t d, int64_t stride,
                     uint64_t seed) {
  SCOPED_TRACE("patch embed " + ref::shapeToString(xs) + " k16 s" +
               str(stride));
  Compiled compiled(convFunc("patch", xs, d, 16, stride, 0, true, true));
  ref::Tensor x = rnd(xs, seed), w = rnd({d, xs[1], 16, 16}, seed + 1),
              b = rnd({d}, seed + 2);
  ref::Tensor want = ref::conv2d(x, w, b, {stride, stride, 0, 0, 1});
  std::vector<ref::Tensor> got = run(compiled, "patch", {x, w, b}, 2);
  expectClose(got[0], want, "conv map");
  ref::Tensor tokens = permute(reshape(want, {want.shape[0], want.shape[1],
                                              want.shape[2] * want.shape[3]}),
                               {0, 2, 1});
  expectClose(got[1], tokens, "tokens (B, M, D)");
}

TEST(DenseConvPatch, K16S16) {
  // 32x48 image -> 2x3 grid; batch 1 and 2.
  checkPatchEmbed({1, 3, 32, 48}, 5, 16, 1400);
  checkPatchEmbed({2, 3, 48, 32}, 7, 16, 1410);
}

TEST(DenseConvPatch, K16S8) {
  // Overlapping patches (Vim-T+ / S+): 32x40 -> 3x4 grid.
  checkPatchEmbed({2, 3, 32, 40}, 7, 8, 1420);
  checkPatchEmbed({1, 3, 24, 40}, 5, 8, 1430);
}

TEST(DenseConvStem, K3S2P1) {
  // VMamba stem / downsample and MambaOut stem/downsample: k3 s2 p1, bias;
  // odd (ceil) and even spatial sizes.
  struct Case {
    std::vector<int64_t> xs;
    int64_t cout;
    bool bias;
  };
  uint64_t seed = 1500;
  for (const Case &c :
       {Case{{2, 3, 13, 11}, 7, true}, Case{{1, 6, 8, 10}, 9, true},
        Case{{2, 5, 7, 6}, 12, false}}) {
    SCOPED_TRACE("k3 s2 p1 " + ref::shapeToString(c.xs) + " -> " + str(c.cout));
    Compiled compiled(convFunc("down", c.xs, c.cout, 3, 2, 1, c.bias));
    ref::Tensor x = rnd(c.xs, seed++), w = rnd({c.cout, c.xs[1], 3, 3}, seed++);
    std::optional<ref::Tensor> b;
    std::vector<ref::Tensor> args{x, w};
    if (c.bias) {
      b = rnd({c.cout}, seed++);
      args.push_back(*b);
    }
    expectClose(run(compiled, "down", args, 1)[0],
                ref::conv2d(x, w, b, {2, 2, 1, 1, 1}), "conv k3 s2 p1");
  }
}

void checkDepthwise(const std::vector<int64_t> &nchw, int64_t k, int64_t pad,
                    bool bias, bool nhwc, uint64_t seed) {
  SCOPED_TRACE("depthwise " + str(k) + "x" + str(k) + " p" + str(pad) + " " +
               ref::shapeToString(nchw) + (bias ? " bias" : "") +
               (nhwc ? " nhwc" : " nchw"));
  int64_t c = nchw[1];
  std::vector<int64_t> xs =
      nhwc ? std::vector<int64_t>{nchw[0], nchw[2], nchw[3], c} : nchw;
  Compiled compiled(depthwiseFunc("dw", xs, k, pad, bias, nhwc));
  ref::Tensor x = rnd(nchw, seed), w = rnd({c, 1, k, k}, seed + 1);
  std::optional<ref::Tensor> b;
  if (bias)
    b = rnd({c}, seed + 2);
  ref::Tensor want = ref::conv2d(x, w, b, {1, 1, pad, pad, c});
  ref::Tensor wc = reshape(w, {c, k, k});
  std::vector<ref::Tensor> args;
  if (nhwc)
    args = {permute(x, {0, 2, 3, 1}), permute(wc, {1, 2, 0})};
  else
    args = {x, wc};
  if (bias)
    args.push_back(*b);
  ref::Tensor got = run(compiled, "dw", args, 1)[0];
  expectClose(got, nhwc ? permute(want, {0, 2, 3, 1}) : want, "depthwise");
}

TEST(DenseConvDepthwise, VMamba3x3NoBias) {
  checkDepthwise({2, 6, 9, 7}, 3, 1, false, false, 1600);
  checkDepthwise({1, 13, 5, 11}, 3, 1, false, false, 1610);
  checkDepthwise({1, 3, 1, 1}, 3, 1, false, false, 1620); // 1x1 image
}

TEST(DenseConvDepthwise, MambaOut7x7Bias) {
  checkDepthwise({1, 5, 11, 10}, 7, 3, true, false, 1700);
  checkDepthwise({2, 3, 9, 8}, 7, 3, true, false, 1710);
  checkDepthwise({2, 3, 4, 5}, 7, 3, true, false, 1720); // image < kernel
  // MambaOut keeps (B, H, W, C); the same conv on channel-last tensors.
  checkDepthwise({2, 6, 9, 8}, 7, 3, true, true, 1730);
  checkDepthwise({1, 17, 5, 3}, 7, 3, true, true, 1740);
}

//===----------------------------------------------------------------------===//
// LayerNorm (last dim, channel-first 2d), RMSNorm, fused add + RMSNorm
//===----------------------------------------------------------------------===//

// Aliases for a norm over the last dim of (B, L, C): #X the tensor, #R the
// per-token statistics, #C the channel parameters, #P identity on statistics.
const char *kLastDimMaps = R"mlir(
#X = affine_map<(b, l, c) -> (b, l, c)>
#R = affine_map<(b, l, c) -> (b, l)>
#C = affine_map<(b, l, c) -> (c)>
#P = affine_map<(b, l) -> (b, l)>
)mlir";
// The iterator kinds that go with them: ITR reduces the normalized dim, ITP
// is all parallel, ITW reduces everything but the channel (dw, db), RP is
// parallel over the statistics.
const std::vector<std::pair<std::string, std::string>> kLastDimIters = {
    {"ITR", R"(["parallel", "parallel", "reduction"])"},
    {"ITP", R"(["parallel", "parallel", "parallel"])"},
    {"ITW", R"(["reduction", "reduction", "parallel"])"},
    {"RP", R"(["parallel", "parallel"])"}};

// Channel-first LayerNorm2d of (N, C, H, W): normalizes over C per pixel; the
// reduction loop is not the innermost one.
const char *kChannelFirstMaps = R"mlir(
#X = affine_map<(n, c, h, w) -> (n, c, h, w)>
#R = affine_map<(n, c, h, w) -> (n, h, w)>
#C = affine_map<(n, c, h, w) -> (c)>
#P = affine_map<(n, h, w) -> (n, h, w)>
)mlir";
const std::vector<std::pair<std::string, std::string>> kChannelFirstIters = {
    {"ITR", R"(["parallel", "reduction", "parallel", "parallel"])"},
    {"ITP", R"(["parallel", "parallel", "parallel", "parallel"])"},
    {"ITW", R"(["reduction", "parallel", "reduction", "reduction"])"},
    {"RP", R"(["parallel", "parallel", "parallel"])"}};

// μ and ρ = (var + eps)^{-1/2} (biased variance, two passes) of %x.
const char *kLayerNormStats = R"mlir(
  %zero = arith.constant 0.0 : f32
  %n = arith.constant ${N} : f32
  %eps = arith.constant ${EPS} : f32
  %er = tensor.empty() : ${R}
  %zr = linalg.fill ins(%zero : f32) outs(%er : ${R}) -> ${R}
  %sum = linalg.generic {indexing_maps = [#X, #R], iterator_types = ${ITR}}
      ins(%x : ${X}) outs(%zr : ${R}) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> ${R}
  %mu = linalg.generic {indexing_maps = [#P, #P], iterator_types = ${RP}}
      ins(%sum : ${R}) outs(%er : ${R}) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.divf %a, %n : f32
    linalg.yield %m : f32
  } -> ${R}
  %ssq = linalg.generic {indexing_maps = [#X, #R, #R], iterator_types = ${ITR}}
      ins(%x, %mu : ${X}, ${R}) outs(%zr : ${R}) {
  ^bb0(%a: f32, %m: f32, %acc: f32):
    %d = arith.subf %a, %m : f32
    %q = arith.mulf %d, %d : f32
    %s = arith.addf %acc, %q : f32
    linalg.yield %s : f32
  } -> ${R}
  %er2 = tensor.empty() : ${R}
  %rho = linalg.generic {indexing_maps = [#P, #P], iterator_types = ${RP}}
      ins(%ssq : ${R}) outs(%er2 : ${R}) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.divf %a, %n : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> ${R}
)mlir";

// y = (x - μ)ρ·w + b.
const char *kLayerNormFwd = R"mlir(
func.func @ln(%x: ${X}, %w: ${C}, %b: ${C}) -> ${X} {
${STATS}
  %ey = tensor.empty() : ${X}
  %y = linalg.generic {indexing_maps = [#X, #R, #R, #C, #C, #X], iterator_types = ${ITP}}
      ins(%x, %mu, %rho, %w, %b : ${X}, ${R}, ${R}, ${C}, ${C}) outs(%ey : ${X}) {
  ^bb0(%a: f32, %m: f32, %r: f32, %g: f32, %bb: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %xh = arith.mulf %d, %r : f32
    %sc = arith.mulf %xh, %g : f32
    %t = arith.addf %sc, %bb : f32
    linalg.yield %t : f32
  } -> ${X}
  return %y : ${X}
}
)mlir";

// §3: x̂ = (x-μ)ρ, ĝ = g⊙w; dx = ρ(ĝ - mean ĝ - x̂·mean(ĝ⊙x̂)),
// dw = Σ g⊙x̂, db = Σ g. Both row sums come from one two-result reduction,
// dw and db from another.
const char *kLayerNormBwd = R"mlir(
func.func @ln_grad(%g: ${X}, %x: ${X}, %w: ${C}) -> (${X}, ${C}, ${C}) {
${STATS}
  %es1 = tensor.empty() : ${R}
  %z1 = linalg.fill ins(%zero : f32) outs(%es1 : ${R}) -> ${R}
  %es2 = tensor.empty() : ${R}
  %z2 = linalg.fill ins(%zero : f32) outs(%es2 : ${R}) -> ${R}
  %s:2 = linalg.generic {indexing_maps = [#X, #X, #C, #R, #R, #R, #R], iterator_types = ${ITR}}
      ins(%g, %x, %w, %mu, %rho : ${X}, ${X}, ${C}, ${R}, ${R}) outs(%z1, %z2 : ${R}, ${R}) {
  ^bb0(%gg: f32, %a: f32, %ww: f32, %m: f32, %r: f32, %acc1: f32, %acc2: f32):
    %gh = arith.mulf %gg, %ww : f32
    %d = arith.subf %a, %m : f32
    %xh = arith.mulf %d, %r : f32
    %p = arith.mulf %gh, %xh : f32
    %t1 = arith.addf %acc1, %gh : f32
    %t2 = arith.addf %acc2, %p : f32
    linalg.yield %t1, %t2 : f32, f32
  } -> (${R}, ${R})
  %ex = tensor.empty() : ${X}
  %dx = linalg.generic {indexing_maps = [#X, #X, #C, #R, #R, #R, #R, #X], iterator_types = ${ITP}}
      ins(%g, %x, %w, %mu, %rho, %s#0, %s#1 : ${X}, ${X}, ${C}, ${R}, ${R}, ${R}, ${R}) outs(%ex : ${X}) {
  ^bb0(%gg: f32, %a: f32, %ww: f32, %m: f32, %r: f32, %t1: f32, %t2: f32, %o: f32):
    %gh = arith.mulf %gg, %ww : f32
    %d = arith.subf %a, %m : f32
    %xh = arith.mulf %d, %r : f32
    %m1 = arith.divf %t1, %n : f32
    %m2 = arith.divf %t2, %n : f32
    %c = arith.mulf %xh, %m2 : f32
    %u = arith.subf %gh, %m1 : f32
    %v = arith.subf %u, %c : f32
    %y = arith.mulf %r, %v : f32
    linalg.yield %y : f32
  } -> ${X}
  %ec1 = tensor.empty() : ${C}
  %zc1 = linalg.fill ins(%zero : f32) outs(%ec1 : ${C}) -> ${C}
  %ec2 = tensor.empty() : ${C}
  %zc2 = linalg.fill ins(%zero : f32) outs(%ec2 : ${C}) -> ${C}
  %dwb:2 = linalg.generic {indexing_maps = [#X, #X, #R, #R, #C, #C], iterator_types = ${ITW}}
      ins(%g, %x, %mu, %rho : ${X}, ${X}, ${R}, ${R}) outs(%zc1, %zc2 : ${C}, ${C}) {
  ^bb0(%gg: f32, %a: f32, %m: f32, %r: f32, %acc1: f32, %acc2: f32):
    %d = arith.subf %a, %m : f32
    %xh = arith.mulf %d, %r : f32
    %p = arith.mulf %gg, %xh : f32
    %t1 = arith.addf %acc1, %p : f32
    %t2 = arith.addf %acc2, %gg : f32
    linalg.yield %t1, %t2 : f32, f32
  } -> (${C}, ${C})
  return %dx, %dwb#0, %dwb#1 : ${X}, ${C}, ${C}
}
)mlir";

/// Module with @ln and @ln_grad for x of shape `xs`, normalized over
/// dimension `normDim` (last dim: rank 3; channel-first: rank 4, dim 1).
std::string layerNormIR(const std::vector<int64_t> &xs, bool channelFirst,
                        double eps) {
  std::vector<int64_t> stats = xs;
  int64_t normDim = channelFirst ? 1 : int64_t(xs.size()) - 1;
  int64_t c = xs[normDim];
  stats.erase(stats.begin() + normDim);
  std::vector<std::pair<std::string, std::string>> vars =
      channelFirst ? kChannelFirstIters : kLastDimIters;
  vars.insert(vars.end(), {{"X", ty(xs)},
                           {"R", ty(stats)},
                           {"C", ty({c})},
                           {"N", flt(double(c))},
                           {"EPS", flt(eps)}});
  std::vector<std::pair<std::string, std::string>> withStats = {
      {"STATS", kLayerNormStats}};
  return std::string(channelFirst ? kChannelFirstMaps : kLastDimMaps) +
         subst(subst(kLayerNormFwd, withStats), vars) +
         subst(subst(kLayerNormBwd, withStats), vars);
}

struct NormCase {
  std::vector<int64_t> shape;
  double eps;
};

TEST(DenseLayerNormOps, LastDim) {
  uint64_t seed = 1800;
  for (const NormCase &c :
       {NormCase{{2, 7, 19}, 1e-5}, NormCase{{1, 9, 13}, 1e-6},
        NormCase{{3, 1, 40}, 1e-6}, NormCase{{1, 4, 3}, 1e-5}}) {
    SCOPED_TRACE("layernorm " + ref::shapeToString(c.shape) + " eps " +
                 flt(c.eps));
    Compiled compiled(layerNormIR(c.shape, false, c.eps));
    int64_t ch = c.shape.back();
    ref::Tensor x = rnd(c.shape, seed++, -2, 3), w = rnd({ch}, seed++),
                b = rnd({ch}, seed++);
    expectClose(run(compiled, "ln", {x, w, b}, 1)[0],
                ref::layerNorm(x, w, b, c.eps), "layernorm");
  }
}

TEST(DenseLayerNormOps, ChannelFirst2d) {
  uint64_t seed = 1900;
  for (const NormCase &c :
       {NormCase{{2, 5, 3, 7}, 1e-6}, NormCase{{1, 7, 4, 5}, 1e-5},
        NormCase{{2, 24, 1, 3}, 1e-5}}) {
    SCOPED_TRACE("layernorm2d " + ref::shapeToString(c.shape) + " eps " +
                 flt(c.eps));
    Compiled compiled(layerNormIR(c.shape, true, c.eps));
    int64_t ch = c.shape[1];
    ref::Tensor x = rnd(c.shape, seed++, -2, 3), w = rnd({ch}, seed++),
                b = rnd({ch}, seed++);
    expectClose(run(compiled, "ln", {x, w, b}, 1)[0],
                ref::layerNorm2d(x, w, b, c.eps), "layernorm2d");
  }
}

TEST(DenseLayerNormOps, BackwardLastDim) {
  uint64_t seed = 2000;
  for (const NormCase &c :
       {NormCase{{2, 5, 11}, 1e-5}, NormCase{{1, 3, 24}, 1e-6}}) {
    SCOPED_TRACE("layernorm grad " + ref::shapeToString(c.shape) + " eps " +
                 flt(c.eps));
    Compiled compiled(layerNormIR(c.shape, false, c.eps));
    int64_t ch = c.shape.back();
    ref::Tensor g = rnd(c.shape, seed++), x = rnd(c.shape, seed++, -2, 3),
                w = rnd({ch}, seed++), b = rnd({ch}, seed++);
    std::vector<ref::Tensor> got = run(compiled, "ln_grad", {g, x, w}, 3);
    ref::NormGrads want = ref::layerNormGrad(g, x, w, b, c.eps);
    expectClose(got[0], want.dx, "dx");
    expectClose(got[1], *want.dweight, "dw");
    expectClose(got[2], *want.dbias, "db");
  }
}

TEST(DenseLayerNormOps, BackwardChannelFirst2d) {
  uint64_t seed = 2100;
  for (const NormCase &c :
       {NormCase{{2, 5, 3, 4}, 1e-6}, NormCase{{1, 9, 5, 3}, 1e-5}}) {
    SCOPED_TRACE("layernorm2d grad " + ref::shapeToString(c.shape) + " eps " +
                 flt(c.eps));
    Compiled compiled(layerNormIR(c.shape, true, c.eps));
    int64_t ch = c.shape[1];
    ref::Tensor g = rnd(c.shape, seed++), x = rnd(c.shape, seed++, -2, 3),
                w = rnd({ch}, seed++), b = rnd({ch}, seed++);
    std::vector<ref::Tensor> got = run(compiled, "ln_grad", {g, x, w}, 3);
    ref::NormGrads want = ref::layerNorm2dGrad(g, x, w, b, c.eps);
    expectClose(got[0], want.dx, "dx");
    expectClose(got[1], *want.dweight, "dw");
    expectClose(got[2], *want.dbias, "db");
  }
}

// ρ = (mean x² + eps)^{-1/2} of %x.
const char *kRmsStats = R"mlir(
  %zero = arith.constant 0.0 : f32
  %n = arith.constant ${N} : f32
  %eps = arith.constant ${EPS} : f32
  %er = tensor.empty() : ${R}
  %zr = linalg.fill ins(%zero : f32) outs(%er : ${R}) -> ${R}
  %ss = linalg.generic {indexing_maps = [#X, #R], iterator_types = ${ITR}}
      ins(%x : ${X}) outs(%zr : ${R}) {
  ^bb0(%a: f32, %acc: f32):
    %q = arith.mulf %a, %a : f32
    %s = arith.addf %acc, %q : f32
    linalg.yield %s : f32
  } -> ${R}
  %er2 = tensor.empty() : ${R}
  %rho = linalg.generic {indexing_maps = [#P, #P], iterator_types = ${RP}}
      ins(%ss : ${R}) outs(%er2 : ${R}) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.divf %a, %n : f32
    %me = arith.addf %m, %eps : f32
    %r = math.rsqrt %me : f32
    linalg.yield %r : f32
  } -> ${R}
)mlir";

// y = x ρ w.
const char *kRmsNormOut = R"mlir(
  %ey = tensor.empty() : ${X}
  %y = linalg.generic {indexing_maps = [#X, #R, #C, #X], iterator_types = ${ITP}}
      ins(%x, %rho, %w : ${X}, ${R}, ${C}) outs(%ey : ${X}) {
  ^bb0(%a: f32, %r: f32, %g: f32, %o: f32):
    %xh = arith.mulf %a, %r : f32
    %t = arith.mulf %xh, %g : f32
    linalg.yield %t : f32
  } -> ${X}
)mlir";

// §3 RMSNorm backward: dx = ρ(ĝ - x̂·mean(ĝ⊙x̂)) [+ g_res], dw = Σ g⊙x̂.
const char *kRmsGradOut = R"mlir(
  %es = tensor.empty() : ${R}
  %zs = linalg.fill ins(%zero : f32) outs(%es : ${R}) -> ${R}
  %s2 = linalg.generic {indexing_maps = [#X, #C, #X, #R, #R], iterator_types = ${ITR}}
      ins(%g, %w, %x, %rho : ${X}, ${C}, ${X}, ${R}) outs(%zs : ${R}) {
  ^bb0(%gg: f32, %ww: f32, %a: f32, %r: f32, %acc: f32):
    %gh = arith.mulf %gg, %ww : f32
    %xh = arith.mulf %a, %r : f32
    %p = arith.mulf %gh, %xh : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> ${R}
  %ex = tensor.empty() : ${X}
  %dx = linalg.generic {indexing_maps = [#X, #C, #X, #R, #R, #X, #X], iterator_types = ${ITP}}
      ins(%g, %w, %x, %rho, %s2, %gres : ${X}, ${C}, ${X}, ${R}, ${R}, ${X}) outs(%ex : ${X}) {
  ^bb0(%gg: f32, %ww: f32, %a: f32, %r: f32, %t: f32, %gr: f32, %o: f32):
    %gh = arith.mulf %gg, %ww : f32
    %xh = arith.mulf %a, %r : f32
    %m = arith.divf %t, %n : f32
    %c = arith.mulf %xh, %m : f32
    %d = arith.subf %gh, %c : f32
    %y = arith.mulf %r, %d : f32
    %yr = arith.addf %y, %gr : f32
    linalg.yield %yr : f32
  } -> ${X}
  %ec = tensor.empty() : ${C}
  %zc = linalg.fill ins(%zero : f32) outs(%ec : ${C}) -> ${C}
  %dw = linalg.generic {indexing_maps = [#X, #X, #R, #C], iterator_types = ${ITW}}
      ins(%g, %x, %rho : ${X}, ${X}, ${R}) outs(%zc : ${C}) {
  ^bb0(%gg: f32, %a: f32, %r: f32, %acc: f32):
    %xh = arith.mulf %a, %r : f32
    %p = arith.mulf %gg, %xh : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> ${C}
)mlir";

// @rms: RMSNorm (Vim final norm). @add_rms: fused add + RMSNorm returning
// both r' = residual + hidden and the normed r'. @rms_grad: without a
// residual gradient (%gres is a zero tensor). @add_rms_grad: the gradient of
// the fused op; dresidual = dhidden, so it is returned once (${DX2} adds a
// second copy of the same value to the results, see
// FusedAddBackwardSameValueTwice).
const char *kRmsFuncs = R"mlir(
func.func @rms(%x: ${X}, %w: ${C}) -> ${X} {
${STATS}
${NORM}
  return %y : ${X}
}

func.func @add_rms(%res: ${X}, %h: ${X}, %w: ${C}) -> (${X}, ${X}) {
  %ea = tensor.empty() : ${X}
  %x = linalg.add ins(%res, %h : ${X}, ${X}) outs(%ea : ${X}) -> ${X}
${STATS}
${NORM}
  return %x, %y : ${X}, ${X}
}

func.func @rms_grad(%g: ${X}, %x: ${X}, %w: ${C}) -> (${X}, ${C}) {
${STATS}
  %egr = tensor.empty() : ${X}
  %gres = linalg.fill ins(%zero : f32) outs(%egr : ${X}) -> ${X}
${GRAD}
  return %dx, %dw : ${X}, ${C}
}

func.func @add_rms_grad(%g: ${X}, %gres: ${X}, %res: ${X}, %h: ${X}, %w: ${C}) -> (${X}, ${DX2T}${C}) {
  %ea = tensor.empty() : ${X}
  %x = linalg.add ins(%res, %h : ${X}, ${X}) outs(%ea : ${X}) -> ${X}
${STATS}
${GRAD}
  return %dx, ${DX2}%dw : ${X}, ${DX2T}${C}
}
)mlir";

/// `dxTwice`: @add_rms_grad returns its dx value twice (dresidual and
/// dhidden), as a builder mirroring the PyTorch signature would.
std::string rmsNormIR(const std::vector<int64_t> &xs, double eps,
                      bool dxTwice = false) {
  std::vector<int64_t> stats(xs.begin(), xs.end() - 1);
  std::vector<std::pair<std::string, std::string>> vars = kLastDimIters;
  vars.insert(vars.end(), {{"DX2", dxTwice ? "%dx, " : ""},
                           {"DX2T", dxTwice ? ty(xs) + ", " : ""},
                           {"X", ty(xs)},
                           {"R", ty(stats)},
                           {"C", ty({xs.back()})},
                           {"N", flt(double(xs.back()))},
                           {"EPS", flt(eps)}});
  std::string body = subst(
      kRmsFuncs,
      {{"STATS", kRmsStats}, {"NORM", kRmsNormOut}, {"GRAD", kRmsGradOut}});
  return kLastDimMaps + subst(body, vars);
}

TEST(DenseRmsNormOps, Forward) {
  uint64_t seed = 2200;
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{2, 7, 19}, {1, 5, 37}, {3, 1, 8}}) {
    SCOPED_TRACE("rmsnorm " + ref::shapeToString(shape));
    Compiled compiled(rmsNormIR(shape, 1e-5));
    ref::Tensor x = rnd(shape, seed++, -2, 2), w = rnd({shape.back()}, seed++);
    expectClose(run(compiled, "rms", {x, w}, 1)[0], ref::rmsNorm(x, w, 1e-5),
                "rmsnorm");
  }
}

TEST(DenseRmsNormOps, FusedAddForwardBothOutputs) {
  uint64_t seed = 2300;
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{2, 5, 23}, {1, 9, 10}}) {
    SCOPED_TRACE("add+rmsnorm " + ref::shapeToString(shape));
    Compiled compiled(rmsNormIR(shape, 1e-5));
    ref::Tensor r = rnd(shape, seed++, -2, 2), h = rnd(shape, seed++),
                w = rnd({shape.back()}, seed++);
    std::vector<ref::Tensor> got = run(compiled, "add_rms", {r, h, w}, 2);
    ref::AddRmsNormResult want = ref::addRmsNorm(r, h, w, 1e-5);
    expectClose(got[0], want.residual, "residual out r + h");
    expectClose(got[1], want.normed, "normed out");
  }
}

TEST(DenseRmsNormOps, Backward) {
  uint64_t seed = 2400;
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{2, 6, 13}, {1, 3, 40}}) {
    SCOPED_TRACE("rmsnorm grad " + ref::shapeToString(shape));
    Compiled compiled(rmsNormIR(shape, 1e-5));
    ref::Tensor g = rnd(shape, seed++), x = rnd(shape, seed++, -2, 2),
                w = rnd({shape.back()}, seed++);
    std::vector<ref::Tensor> got = run(compiled, "rms_grad", {g, x, w}, 2);
    ref::NormGrads want = ref::rmsNormGrad(g, x, w, 1e-5);
    expectClose(got[0], want.dx, "dx");
    expectClose(got[1], *want.dweight, "dw");
  }
}

TEST(DenseRmsNormOps, FusedAddBackward) {
  uint64_t seed = 2500;
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{2, 5, 23}, {1, 7, 9}}) {
    SCOPED_TRACE("add+rmsnorm grad " + ref::shapeToString(shape));
    Compiled compiled(rmsNormIR(shape, 1e-5));
    ref::Tensor g = rnd(shape, seed++), gres = rnd(shape, seed++),
                r = rnd(shape, seed++, -2, 2), h = rnd(shape, seed++),
                w = rnd({shape.back()}, seed++);
    std::vector<ref::Tensor> got =
        run(compiled, "add_rms_grad", {g, gres, r, h, w}, 2);
    ref::AddRmsNormGrads want = ref::addRmsNormGrad(g, gres, r, h, w, 1e-5);
    expectClose(got[0], want.dresidual, "dresidual");
    expectClose(got[0], want.dhidden, "dhidden (= dresidual)");
    expectClose(got[1], *want.dweight, "dw");
    // Without a gradient on the residual output.
    ref::Tensor zero(shape, 0.0);
    got = run(compiled, "add_rms_grad", {g, zero, r, h, w}, 2);
    want = ref::addRmsNormGrad(g, std::nullopt, r, h, w, 1e-5);
    expectClose(got[0], want.dresidual, "dresidual, g_res = 0");
    expectClose(got[1], *want.dweight, "dw, g_res = 0");
  }
}

// Returning one SSA value as two results (`return %dx, %dx, %dw`, dresidual
// and dhidden of the fused op) used to crash upstream MLIR 22.1.8's
// buffer-results-to-out-params with hoisted allocations
// (llvm/llvm-project#219492); ssm-copy-repeated-results now gives each
// repeat its own buffer before bufferization.
TEST(DenseRmsNormOps, FusedAddBackwardSameValueTwice) {
  std::vector<int64_t> shape{2, 5, 23};
  Compiled compiled(rmsNormIR(shape, 1e-5, /*dxTwice=*/true));
  ref::Tensor g = rnd(shape, 2550), gres = rnd(shape, 2551),
              r = rnd(shape, 2552, -2, 2), h = rnd(shape, 2553),
              w = rnd({shape.back()}, 2554);
  std::vector<ref::Tensor> got =
      run(compiled, "add_rms_grad", {g, gres, r, h, w}, 3);
  ref::AddRmsNormGrads want = ref::addRmsNormGrad(g, gres, r, h, w, 1e-5);
  expectClose(got[0], want.dresidual, "dresidual");
  expectClose(got[1], want.dhidden, "dhidden");
  expectClose(got[2], *want.dweight, "dw");
}

//===----------------------------------------------------------------------===//
// Activations and their derivatives (scalar bodies of linalg.generic)
//===----------------------------------------------------------------------===//

const char *kActivationTmpl = R"mlir(
#I = affine_map<(a, b, c) -> (a, b, c)>
func.func @gelu(%x: ${T}) -> ${T} {
  %e = tensor.empty() : ${T}
  %y = linalg.generic {indexing_maps = [#I, #I], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : ${T}) outs(%e : ${T}) {
  ^bb0(%a: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %isqrt2 = arith.constant 0.70710678118654752 : f32
    %s = arith.mulf %a, %isqrt2 : f32
    %er = math.erf %s : f32
    %p = arith.addf %er, %one : f32
    %h = arith.mulf %a, %half : f32
    %r = arith.mulf %h, %p : f32
    linalg.yield %r : f32
  } -> ${T}
  return %y : ${T}
}

func.func @silu(%x: ${T}) -> ${T} {
  %e = tensor.empty() : ${T}
  %y = linalg.generic {indexing_maps = [#I, #I], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : ${T}) outs(%e : ${T}) {
  ^bb0(%a: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %d = arith.addf %one, %ex : f32
    %r = arith.divf %a, %d : f32
    linalg.yield %r : f32
  } -> ${T}
  return %y : ${T}
}

// softplus with the mamba threshold: x <= 20 ? log1p(exp(x)) : x.
func.func @softplus(%x: ${T}) -> ${T} {
  %e = tensor.empty() : ${T}
  %y = linalg.generic {indexing_maps = [#I, #I], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : ${T}) outs(%e : ${T}) {
  ^bb0(%a: f32, %o: f32):
    %thr = arith.constant 20.0 : f32
    %ex = math.exp %a : f32
    %l = math.log1p %ex : f32
    %c = arith.cmpf ole, %a, %thr : f32
    %r = arith.select %c, %l, %a : f32
    linalg.yield %r : f32
  } -> ${T}
  return %y : ${T}
}

// g·gelu'(x) = g·(Φ(x) + x φ(x)).
func.func @gelu_grad(%g: ${T}, %x: ${T}) -> ${T} {
  %e = tensor.empty() : ${T}
  %y = linalg.generic {indexing_maps = [#I, #I, #I], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g, %x : ${T}, ${T}) outs(%e : ${T}) {
  ^bb0(%gg: f32, %a: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %isqrt2 = arith.constant 0.70710678118654752 : f32
    %isqrt2pi = arith.constant 0.39894228040143268 : f32
    %s = arith.mulf %a, %isqrt2 : f32
    %er = math.erf %s : f32
    %e1 = arith.addf %er, %one : f32
    %Phi = arith.mulf %e1, %half : f32
    %x2 = arith.mulf %a, %a : f32
    %hx2 = arith.mulf %x2, %half : f32
    %nhx2 = arith.negf %hx2 : f32
    %ex = math.exp %nhx2 : f32
    %phi = arith.mulf %ex, %isqrt2pi : f32
    %xphi = arith.mulf %a, %phi : f32
    %d = arith.addf %Phi, %xphi : f32
    %r = arith.mulf %gg, %d : f32
    linalg.yield %r : f32
  } -> ${T}
  return %y : ${T}
}

// g·silu'(x) = g·σ(x)(1 + x(1 - σ(x))).
func.func @silu_grad(%g: ${T}, %x: ${T}) -> ${T} {
  %e = tensor.empty() : ${T}
  %y = linalg.generic {indexing_maps = [#I, #I, #I], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g, %x : ${T}, ${T}) outs(%e : ${T}) {
  ^bb0(%gg: f32, %a: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %s = arith.divf %one, %den : f32
    %oms = arith.subf %one, %s : f32
    %xo = arith.mulf %a, %oms : f32
    %p = arith.addf %one, %xo : f32
    %d = arith.mulf %s, %p : f32
    %r = arith.mulf %gg, %d : f32
    linalg.yield %r : f32
  } -> ${T}
  return %y : ${T}
}

// g·softplus'(x) = g·(x <= 20 ? σ(x) : 1).
func.func @softplus_grad(%g: ${T}, %x: ${T}) -> ${T} {
  %e = tensor.empty() : ${T}
  %y = linalg.generic {indexing_maps = [#I, #I, #I], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g, %x : ${T}, ${T}) outs(%e : ${T}) {
  ^bb0(%gg: f32, %a: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %thr = arith.constant 20.0 : f32
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %den = arith.addf %one, %ex : f32
    %s = arith.divf %one, %den : f32
    %c = arith.cmpf ole, %a, %thr : f32
    %d = arith.select %c, %s, %one : f32
    %r = arith.mulf %gg, %d : f32
    linalg.yield %r : f32
  } -> ${T}
  return %y : ${T}
}
)mlir";

std::string activationIR(const std::vector<int64_t> &shape) {
  return subst(kActivationTmpl, {{"T", ty(shape)}});
}

TEST(DenseActivationOps, GeluSiluForward) {
  uint64_t seed = 2600;
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{2, 3, 37}, {1, 1, 45}}) {
    SCOPED_TRACE("activations " + ref::shapeToString(shape));
    Compiled compiled(activationIR(shape));
    ref::Tensor x = rnd(shape, seed++, -8, 8);
    expectClose(run(compiled, "gelu", {x}, 1)[0], ref::gelu(x), "gelu (erf)");
    expectClose(run(compiled, "silu", {x}, 1)[0], ref::silu(x), "silu");
    // Small arguments, where erf and exp are near their linear regime.
    ref::Tensor s = rnd(shape, seed++, -0.05, 0.05);
    expectClose(run(compiled, "gelu", {s}, 1)[0], ref::gelu(s), "gelu small");
    expectClose(run(compiled, "silu", {s}, 1)[0], ref::silu(s), "silu small");
  }
}

TEST(DenseActivationOps, SoftplusThreshold20) {
  {
    Compiled compiled(activationIR({2, 3, 37}));
    // Below the threshold (log1p(exp x)), then above it (identity; exp
    // overflows f32 past ~88.7, which the select must hide).
    ref::Tensor lo = rnd({2, 3, 37}, 2700, -30, 20);
    expectClose(run(compiled, "softplus", {lo}, 1)[0], ref::softplus(lo),
                "softplus x in [-30, 20)");
    ref::Tensor hi = rnd({2, 3, 37}, 2701, 20, 120);
    expectClose(run(compiled, "softplus", {hi}, 1)[0], ref::softplus(hi),
                "softplus x in [20, 120)");
    ref::Tensor mixed = rnd({2, 3, 37}, 2702, -40, 40);
    expectClose(run(compiled, "softplus", {mixed}, 1)[0], ref::softplus(mixed),
                "softplus x in [-40, 40)");
  }
  {
    // Hand-picked points around the threshold and the overflow.
    ref::Tensor x({1, 1, 17},
                  std::vector<double>{-30, -5, -1, 0, 0.5, 5, 19, 19.99, 20,
                                      20.01, 21, 30, 50, 88, 89, 95, 100});
    x = roundTo(x, "f32");
    Compiled compiled(activationIR({1, 1, 17}));
    std::vector<ref::Tensor> got = run(compiled, "softplus", {x}, 1);
    expectClose(got[0], ref::softplus(x), "softplus hand-picked");
    ref::Tensor g = rnd({1, 1, 17}, 2703);
    expectClose(run(compiled, "softplus_grad", {g, x}, 1)[0],
                ref::softplusGrad(g, x), "softplus' hand-picked");
  }
}

TEST(DenseActivationOps, Derivatives) {
  uint64_t seed = 2800;
  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{2, 3, 37}, {1, 1, 45}}) {
    SCOPED_TRACE("activation derivatives " + ref::shapeToString(shape));
    Compiled compiled(activationIR(shape));
    ref::Tensor g = rnd(shape, seed++), x = rnd(shape, seed++, -8, 8);
    expectClose(run(compiled, "gelu_grad", {g, x}, 1)[0], ref::geluGrad(g, x),
                "gelu'");
    expectClose(run(compiled, "silu_grad", {g, x}, 1)[0], ref::siluGrad(g, x),
                "silu'");
    ref::Tensor wide = rnd(shape, seed++, -30, 40);
    expectClose(run(compiled, "softplus_grad", {g, wide}, 1)[0],
                ref::softplusGrad(g, wide), "softplus' both sides of 20");
  }
}

//===----------------------------------------------------------------------===//
// Mean pooling (heads): NCHW spatial, (B, L, D) tokens, (B, H, W, C)
//===----------------------------------------------------------------------===//

const char *kMeanPoolTmpl = R"mlir(
// VMamba head: mean over H, W of (N, C, H, W), by linalg.reduce.
func.func @pool_nchw(%x: ${X4}) -> ${NC} {
  %zero = arith.constant 0.0 : f32
  %cnt = arith.constant ${HW} : f32
  %e = tensor.empty() : ${NC}
  %z = linalg.fill ins(%zero : f32) outs(%e : ${NC}) -> ${NC}
  %s = linalg.reduce ins(%x : ${X4}) outs(%z : ${NC}) dimensions = [2, 3]
    (%in: f32, %acc: f32) {
      %t = arith.addf %in, %acc : f32
      linalg.yield %t : f32
    }
  %e2 = tensor.empty() : ${NC}
  %m = linalg.generic {indexing_maps = [affine_map<(n, c) -> (n, c)>, affine_map<(n, c) -> (n, c)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%s : ${NC}) outs(%e2 : ${NC}) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %a, %cnt : f32
    linalg.yield %d : f32
  } -> ${NC}
  return %m : ${NC}
}

// MambaOut head: x.mean([1, 2]) of (B, H, W, C), one generic with the
// division folded into the accumulation of a scaled sum.
func.func @pool_bhwc(%x: ${XL}) -> ${NC} {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant ${INVHW} : f32
  %e = tensor.empty() : ${NC}
  %z = linalg.fill ins(%zero : f32) outs(%e : ${NC}) -> ${NC}
  %s = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, c)>],
                       iterator_types = ["parallel", "reduction", "reduction", "parallel"]}
      ins(%x : ${XL}) outs(%z : ${NC}) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %acc, %a : f32
    linalg.yield %t : f32
  } -> ${NC}
  %m = linalg.generic {indexing_maps = [affine_map<(n, c) -> (n, c)>, affine_map<(n, c) -> (n, c)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%s : ${NC}) outs(%e : ${NC}) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.mulf %a, %inv : f32
    linalg.yield %d : f32
  } -> ${NC}
  return %m : ${NC}
}

// Token mean of (B, L, D) (FastVim / MambaOut-style heads).
func.func @pool_tokens(%x: ${XT}) -> ${BD} {
  %zero = arith.constant 0.0 : f32
  %cnt = arith.constant ${LT} : f32
  %e = tensor.empty() : ${BD}
  %z = linalg.fill ins(%zero : f32) outs(%e : ${BD}) -> ${BD}
  %s = linalg.generic {indexing_maps = [affine_map<(b, d, l) -> (b, l, d)>, affine_map<(b, d, l) -> (b, d)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : ${XT}) outs(%z : ${BD}) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.addf %acc, %a : f32
    linalg.yield %t : f32
  } -> ${BD}
  %e2 = tensor.empty() : ${BD}
  %m = linalg.generic {indexing_maps = [affine_map<(b, d) -> (b, d)>, affine_map<(b, d) -> (b, d)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%s : ${BD}) outs(%e2 : ${BD}) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %a, %cnt : f32
    linalg.yield %d : f32
  } -> ${BD}
  return %m : ${BD}
}

// Backward of the NCHW pool: dx = dout / (H W) broadcast over H, W.
func.func @pool_nchw_grad(%dout: ${NC}) -> ${X4} {
  %cnt = arith.constant ${HW} : f32
  %e = tensor.empty() : ${X4}
  %b = linalg.broadcast ins(%dout : ${NC}) outs(%e : ${X4}) dimensions = [2, 3]
  %e2 = tensor.empty() : ${X4}
  %dx = linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : ${X4}) outs(%e2 : ${X4}) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %a, %cnt : f32
    linalg.yield %d : f32
  } -> ${X4}
  return %dx : ${X4}
}
)mlir";

TEST(DenseMeanPool, SpatialTokensChannelLast) {
  struct Case {
    int64_t n, c, h, w, l;
  };
  uint64_t seed = 2900;
  for (Case k :
       {Case{2, 5, 3, 7, 9}, Case{1, 19, 7, 7, 13}, Case{3, 4, 1, 5, 1}}) {
    SCOPED_TRACE("mean pool n" + str(k.n) + " c" + str(k.c) + " " + str(k.h) +
                 "x" + str(k.w) + " l" + str(k.l));
    std::string ir = subst(kMeanPoolTmpl, {{"X4", ty({k.n, k.c, k.h, k.w})},
                                           {"XL", ty({k.n, k.h, k.w, k.c})},
                                           {"NC", ty({k.n, k.c})},
                                           {"XT", ty({k.n, k.l, k.c})},
                                           {"BD", ty({k.n, k.c})},
                                           {"HW", flt(double(k.h * k.w))},
                                           {"INVHW", flt(1.0 / (k.h * k.w))},
                                           {"LT", flt(double(k.l))}});
    Compiled compiled(ir);
    ref::Tensor x = rnd({k.n, k.c, k.h, k.w}, seed++);
    expectClose(run(compiled, "pool_nchw", {x}, 1)[0], ref::meanPool(x, {2, 3}),
                "NCHW spatial mean");
    ref::Tensor xl = rnd({k.n, k.h, k.w, k.c}, seed++);
    expectClose(run(compiled, "pool_bhwc", {xl}, 1)[0],
                ref::meanPool(xl, {1, 2}), "BHWC mean([1, 2])");
    ref::Tensor xt = rnd({k.n, k.l, k.c}, seed++);
    expectClose(run(compiled, "pool_tokens", {xt}, 1)[0],
                ref::meanPool(xt, {1}), "token mean");
    ref::Tensor dout = rnd({k.n, k.c}, seed++);
    expectClose(run(compiled, "pool_nchw_grad", {dout}, 1)[0],
                ref::meanPoolGrad(dout, {k.n, k.c, k.h, k.w}, {2, 3}),
                "NCHW mean backward");
  }
}

} // namespace
