//===- VMamba.cpp - VMamba v2 (channel-first) and vanilla v0 ---------------===//
//
// Four stages of VSS blocks around SS2D: cross-scan into 4 directions,
// per-direction projections, one grouped selective scan (G = 4), cross-merge
// (docs/semantics.md §5). v2: LayerNorm2d everywhere, no gate, MLP per block,
// conv stem and conv downsampling. v0: channel-last, SiLU gate after the
// out norm, patch-merging downsampling, no MLP.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"

#include <numeric>

using namespace mlir;
using namespace mlir::ssm;
using namespace mlir::ssm::models;

namespace {

constexpr double kEps = 1e-5;

Value norm(GraphBuilder &g, Value x, unsigned axis, const std::string &name,
           int64_t c) {
  return g.namedLayerNorm(x, axis, name, c, kEps);
}

/// SS2D steps 4-9 on the activated conv output `a` (B, E, H, W): returns the
/// merged scan output (B, E, H, W).
Value ss2dCore(GraphBuilder &g, const std::string &op, Value a, int64_t width,
               int64_t N) {
  Shape as = GraphBuilder::shapeOf(a);
  int64_t B = as[0], E = as[1], H = as[2], W = as[3], L = H * W;
  int64_t R = ModelConfig::dtRank(width), K = 4;
  Value xs = g.crossScan(a); // (B, 4, E, L)
  Value wx = g.weight(op + "x_proj_weight", {K, R + 2 * N, E});
  // x_dbl[b,k,o,l] = sum_e W_x[k,o,e] xs[b,k,e,l]
  Value xdbl = g.contract(wx, g.proj(5, {1, 2, 4}), xs, g.proj(5, {0, 1, 4, 3}),
                          {B, K, R + 2 * N, L}, g.proj(5, {0, 1, 2, 3}));
  Value dts = g.slice(xdbl, {0, 0, 0, 0}, {B, K, R, L});
  Value bs = g.slice(xdbl, {0, 0, R, 0}, {B, K, N, L});
  Value cs = g.slice(xdbl, {0, 0, R + N, 0}, {B, K, N, L});
  Value wdt = g.weight(op + "dt_projs_weight", {K, E, R});
  Value deltaRaw = g.contract(wdt, g.proj(5, {1, 2, 4}), dts,
                              g.proj(5, {0, 1, 4, 3}), {B, K, E, L},
                              g.proj(5, {0, 1, 2, 3}));
  Value bdt = g.collapse(g.weight(op + "dt_projs_bias", {K, E}), {{0, 1}});
  GraphBuilder::ScanOperands scan;
  scan.u = g.collapse(xs, {{0}, {1, 2}, {3}});
  scan.delta = g.collapse(deltaRaw, {{0}, {1, 2}, {3}});
  scan.A = g.negExp(g.weight(op + "A_logs", {K * E, N}));
  scan.B = bs;
  scan.C = cs;
  scan.D = g.weight(op + "Ds", {K * E});
  scan.deltaBias = bdt;
  Value ys = g.selectiveScan(scan); // (B, 4E, L)
  Value ys4 = g.expand(ys, {B, K, E, L}, {{0}, {1, 2}, {3}});
  return g.crossMerge(ys4, H, W);
}

int64_t inner(const ModelConfig &c, int64_t width) {
  return int64_t(c.ssmRatio * double(width));
}

} // namespace

Value mlir::ssm::models::buildVMambaV2(GraphBuilder &g, const ModelConfig &c) {
  int64_t c0 = c.dims[0];
  // Stem: conv k3 s2 -> LN2d -> GELU -> conv k3 s2 -> LN2d.
  Value x = g.conv2d(g.image(),
                     g.weight("patch_embed.0.weight", {c0 / 2, c.inChannels, 3, 3}),
                     g.weight("patch_embed.0.bias", {c0 / 2}), 2, 1);
  x = g.gelu(norm(g, x, 1, "patch_embed.2", c0 / 2));
  x = g.conv2d(x, g.weight("patch_embed.5.weight", {c0, c0 / 2, 3, 3}),
               g.weight("patch_embed.5.bias", {c0}), 2, 1);
  x = norm(g, x, 1, "patch_embed.7", c0);

  // Stochastic depth: block k of all of them drops at rate * k / (n - 1).
  int64_t block = 0,
          blocks = std::accumulate(c.depths.begin(), c.depths.end(), int64_t(0));
  for (int64_t s = 0; s < 4; ++s) {
    int64_t C = c.dims[s], E = inner(c, C);
    std::string stage = "layers." + std::to_string(s) + ".";
    for (int64_t j = 0; j < c.depths[s]; ++j) {
      std::string blk = stage + "blocks." + std::to_string(j) + ".";
      std::string op = blk + "op.";
      Value n = norm(g, x, 1, blk + "norm", C);
      Value a = g.linearCF(g.weight(op + "in_proj.weight", {E, C}), n);
      a = g.silu(g.depthwiseNCHW(a, g.weight(op + "conv2d.weight", {E, 1, 3, 3}),
                                 Value(), 1));
      Value y = ss2dCore(g, op, a, C, c.dState);
      y = norm(g, y, 1, op + "out_norm", E);
      x = g.residual(x, g.linearCF(g.weight(op + "out_proj.weight", {C, E}), y),
                     block, blocks);
      if (c.mlpRatio > 0) {
        int64_t hidden = int64_t(double(C) * c.mlpRatio);
        Value t = norm(g, x, 1, blk + "norm2", C);
        t = g.linearCF(g.weight(blk + "mlp.fc1.weight", {hidden, C}), t,
                       g.weight(blk + "mlp.fc1.bias", {hidden}));
        t = g.linearCF(g.weight(blk + "mlp.fc2.weight", {C, hidden}), g.gelu(t),
                       g.weight(blk + "mlp.fc2.bias", {C}));
        x = g.residual(x, t, block, blocks);
      }
      ++block;
    }
    if (s < 3) {
      int64_t next = c.dims[s + 1];
      x = g.conv2d(x, g.weight(stage + "downsample.1.weight", {next, C, 3, 3}),
                   g.weight(stage + "downsample.1.bias", {next}), 2, 1);
      x = norm(g, x, 1, stage + "downsample.3", next);
    }
  }
  int64_t c3 = c.dims[3];
  Value features = g.reduceMean(norm(g, x, 1, "classifier.norm", c3), {2, 3});
  return g.linearLast(features,
                      g.weight("classifier.head.weight", {c.numClasses, c3}),
                      g.weight("classifier.head.bias", {c.numClasses}));
}

Value mlir::ssm::models::buildVMambaV0(GraphBuilder &g, const ModelConfig &c) {
  int64_t c0 = c.dims[0];
  // Stem: conv k4 s4, to channel-last, LN.
  Value x = g.conv2d(g.image(),
                     g.weight("patch_embed.0.weight", {c0, c.inChannels, 4, 4}),
                     g.weight("patch_embed.0.bias", {c0}), 4, 0);
  x = norm(g, g.transpose(x, {0, 2, 3, 1}), 3, "patch_embed.2", c0);

  // Stochastic depth: block k of all of them drops at rate * k / (n - 1).
  int64_t block = 0,
          blocks = std::accumulate(c.depths.begin(), c.depths.end(), int64_t(0));
  for (int64_t s = 0; s < 4; ++s) {
    int64_t C = c.dims[s], E = inner(c, C);
    std::string stage = "layers." + std::to_string(s) + ".";
    for (int64_t j = 0; j < c.depths[s]; ++j) {
      std::string blk = stage + "blocks." + std::to_string(j) + ".";
      std::string op = blk + "op.";
      Shape xsz = GraphBuilder::shapeOf(x); // (B, H, W, C)
      Value n = norm(g, x, 3, blk + "norm", C);
      Value xz = g.linearLast(n, g.weight(op + "in_proj.weight", {2 * E, C}));
      Value xp = g.slice(xz, {0, 0, 0, 0}, {xsz[0], xsz[1], xsz[2], E});
      Value z = g.silu(g.slice(xz, {0, 0, 0, E}, {xsz[0], xsz[1], xsz[2], E}));
      Value a = g.depthwiseNCHW(g.transpose(xp, {0, 3, 1, 2}),
                                g.weight(op + "conv2d.weight", {E, 1, 3, 3}),
                                g.weight(op + "conv2d.bias", {E}), 1);
      Value y = ss2dCore(g, op, g.silu(a), C, c.dState);
      y = norm(g, g.transpose(y, {0, 2, 3, 1}), 3, op + "out_norm", E);
      y = g.mul(y, z);
      x = g.residual(x, g.linearLast(y, g.weight(op + "out_proj.weight", {C, E})),
                     block++, blocks);
    }
    if (s < 3) {
      // PatchMerging: channels [x(0,0), x(1,0), x(0,1), x(1,1)] of each 2x2
      // (h, w) neighbourhood, i.e. channel block index 2*dw + dh.
      Shape xsz = GraphBuilder::shapeOf(x);
      int64_t B = xsz[0], H = xsz[1], W = xsz[2];
      Value split = g.expand(x, {B, H / 2, 2, W / 2, 2, C},
                             {{0}, {1, 2}, {3, 4}, {5}});
      Value perm = g.transpose(split, {0, 1, 3, 4, 2, 5}); // (B,H/2,W/2,dw,dh,C)
      Value merged = g.collapse(perm, {{0}, {1}, {2}, {3, 4, 5}});
      merged = norm(g, merged, 3, stage + "downsample.norm", 4 * C);
      x = g.linearLast(merged, g.weight(stage + "downsample.reduction.weight",
                                        {c.dims[s + 1], 4 * C}));
    }
  }
  int64_t c3 = c.dims[3];
  Value features = g.reduceMean(norm(g, x, 3, "classifier.norm", c3), {1, 2});
  return g.linearLast(features,
                      g.weight("classifier.head.weight", {c.numClasses, c3}),
                      g.weight("classifier.head.bias", {c.numClasses}));
}
