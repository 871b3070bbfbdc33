//===- Isotropic.cpp - Vim and FastVim ------------------------------------===//
//
// Both are 24 residual bidirectional-Mamba layers over patch tokens with a
// fused add + RMSNorm (residual in f32). Vim (docs/semantics.md §4.3) scans
// the full sequence with a middle cls token; FastVim (§6.3) pools each row
// (even layers) or column (odd layers, tokens transposed around the mixer)
// before a short scan, broadcasts the result back, and normalizes before the
// gate.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::ssm;
using namespace mlir::ssm::models;

namespace {

/// Parameters of one scan direction of a layer: forward ("conv1d", "x_proj",
/// "dt_proj", "A_log", "D") or backward ("conv1d_b", ..., "A_b_log", "D_b").
struct DirectionNames {
  std::string conv, xProj, dtProj, aLog, d;
};

struct LayerShape {
  int64_t B, D, E, N, R, W, L;
};

/// Step 3 of §4.3 (Vim: the scan with D; its z gate is applied by the
/// caller) or 3 of §6.3 (FastVim: pooled scan, broadcast, D-skip on the
/// un-pooled conv output).
Value direction(GraphBuilder &g, const ModelConfig &c, const LayerShape &s,
                const std::string &prefix, const DirectionNames &n, Value x,
                int64_t cols) {
  bool fast = c.family == Family::FastVim;
  Value convW = g.weight(prefix + n.conv + ".weight", {s.E, 1, s.W});
  Value convB = g.weight(prefix + n.conv + ".bias", {s.E});
  Value xc = g.causalConv1dSilu(x, convW, convB); // (B, E, L)
  // scaling_factor multiplies the mean only; the max branch ignores it.
  Value scanIn =
      fast ? g.axisPool(xc, cols, c.fastvimMaxPool,
                        c.fastvimMaxPool ? 1.0 : c.fastvimPoolScale)
           : xc;
  int64_t ls = GraphBuilder::shapeOf(scanIn)[2];
  Value wx = g.weight(prefix + n.xProj + ".weight", {s.R + 2 * s.N, s.E});
  Value xdbl = g.linearCF(wx, scanIn); // (B, R + 2N, ls)
  Value dtLow = g.slice(xdbl, {0, 0, 0}, {s.B, s.R, ls});
  Value bm = g.slice(xdbl, {0, s.R, 0}, {s.B, s.N, ls});
  Value cm = g.slice(xdbl, {0, s.R + s.N, 0}, {s.B, s.N, ls});
  Value wdt = g.weight(prefix + n.dtProj + ".weight", {s.E, s.R});
  Value bdt = g.weight(prefix + n.dtProj + ".bias", {s.E});
  Value deltaRaw = g.linearCF(wdt, dtLow); // bias goes to the scan
  Value A = g.negExp(g.weight(prefix + n.aLog, {s.E, s.N}));
  Value D = g.weight(prefix + n.d, {s.E});
  GraphBuilder::ScanOperands scan;
  scan.u = scanIn;
  scan.delta = deltaRaw;
  scan.A = A;
  scan.B = bm;
  scan.C = cm;
  scan.deltaBias = bdt;
  if (!fast) {
    // The z gate is applied once to the sum of both directions (see
    // buildIsotropic), not inside each scan.
    scan.D = D;
    return g.selectiveScan(scan);
  }
  Value pooled = g.selectiveScan(scan);
  return g.add(g.axisBroadcast(pooled, cols), g.mulAlong(xc, D, 1));
}

/// FastVim's token transpose T: (B, rows*cols, D) read row-major as
/// (rows, cols) -> column-major order (its own inverse with rows/cols
/// swapped).
Value transposeTokens(GraphBuilder &g, Value u, int64_t rows, int64_t cols) {
  Shape s = GraphBuilder::shapeOf(u);
  Value grid = g.expand(u, {s[0], rows, cols, s[2]}, {{0}, {1, 2}, {3}});
  Value t = g.transpose(grid, {0, 2, 1, 3});
  return g.collapse(t, {{0}, {1, 2}, {3}});
}

} // namespace

Value mlir::ssm::models::buildIsotropic(GraphBuilder &g, const ModelConfig &c) {
  bool fast = c.family == Family::FastVim;
  LayerShape s;
  s.B = c.batch;
  s.D = c.embedDim;
  s.E = c.expand * c.embedDim;
  s.N = c.dState;
  s.R = ModelConfig::dtRank(c.embedDim);
  s.W = c.dConv;
  int64_t grid = (c.imageSize - c.patch) / c.stride + 1;
  int64_t m = grid * grid;

  // Patch embedding, flattened row-major to (B, M, D).
  Value pw =
      g.weight("patch_embed.proj.weight", {s.D, c.inChannels, c.patch, c.patch});
  Value pb = g.weight("patch_embed.proj.bias", {s.D});
  Value patches = g.conv2d(g.image(), pw, pb, c.stride, 0);
  Value tokens =
      g.transpose(g.collapse(patches, {{0}, {1}, {2, 3}}), {0, 2, 1});

  // Vim: the cls token goes to index M/2.
  int64_t clsIndex = m / 2;
  if (!fast) {
    Value cls = g.weight("cls_token", {1, 1, s.D});
    OpBuilder &b = g.builder();
    AffineMap bcast = AffineMap::get(
        3, 0,
        {b.getAffineConstantExpr(0), b.getAffineConstantExpr(0),
         b.getAffineDimExpr(2)},
        b.getContext());
    Value clsB = g.map({cls}, {bcast}, {s.B, 1, s.D},
                       [](OpBuilder &, Location, ArrayRef<Value> a) {
                         return a[0];
                       });
    SmallVector<Value> parts;
    if (clsIndex > 0)
      parts.push_back(g.slice(tokens, {0, 0, 0}, {s.B, clsIndex, s.D}));
    parts.push_back(clsB);
    parts.push_back(g.slice(tokens, {0, clsIndex, 0}, {s.B, m - clsIndex, s.D}));
    tokens = g.concat(parts, 1);
  }
  s.L = fast ? m : m + 1;
  Value h = g.addBroadcastBatch(tokens, g.weight("pos_embed", {1, s.L, s.D}));

  const DirectionNames fwd{"conv1d", "x_proj", "dt_proj", "A_log", "D"};
  const DirectionNames bwd{"conv1d_b", "x_proj_b", "dt_proj_b", "A_b_log",
                           "D_b"};
  Value r;
  for (int64_t i = 0; i < c.depth; ++i) {
    std::string prefix = "layers." + std::to_string(i) + ".";
    std::string mixer = prefix + "mixer.";
    r = i == 0 ? h : g.residual(r, h, i - 1, c.depth);
    Value u = g.rmsNorm(r, 2, g.weight(prefix + "norm.weight", {s.D}), 1e-5);
    // FastVim: even layers scan rows (pool over columns); odd layers see the
    // tokens column-major and scan columns. Grids are square (Hp == Wp), so
    // both see rows = cols = grid.
    bool transposed = fast && (i % 2 == 1);
    int64_t cols = grid;
    if (transposed)
      u = transposeTokens(g, u, grid, grid);

    Value win = g.weight(mixer + "in_proj.weight", {2 * s.E, s.D});
    Value xz = g.linearCLtoCF(win, u); // (B, 2E, L)
    Value x = g.slice(xz, {0, 0, 0}, {s.B, s.E, s.L});
    Value z = g.slice(xz, {0, s.E, 0}, {s.B, s.E, s.L});

    Value yf = direction(g, c, s, mixer, fwd, x, cols);
    Value xr = g.flip(x, 2);
    Value yb = g.flip(direction(g, c, s, mixer, bwd, xr, cols), 2);
    Value half = g.f32(0.5);
    Value y = g.map({yf, yb}, [&](OpBuilder &b, Location loc,
                                  ArrayRef<Value> a) -> Value {
      Value sum = arith::AddFOp::create(b, loc, a[0], a[1]);
      return arith::MulFOp::create(b, loc, sum, half);
    });
    if (!fast) {
      // Vim gates each direction's scan output by silu(z) (the backward one
      // by the flipped z) before the sum: (yf silu(z) + flip(yb' silu(flip
      // z))) / 2 = silu(z) (yf + flip(yb')) / 2. Gating the sum reads z once,
      // in the kernel that already sums the directions, instead of a flipped
      // copy of z and a read of z by each scan.
      y = g.mul(y, g.silu(z));
    } else {
      Value lnw = g.weight(mixer + "layernorm.weight", {s.E});
      Value lnb = g.weight(mixer + "layernorm.bias", {s.E});
      y = g.mul(g.layerNorm(y, 1, lnw, lnb, 1e-5), g.silu(z));
    }
    Value wout = g.weight(mixer + "out_proj.weight", {s.D, s.E});
    h = g.linearCFtoCL(y, wout); // (B, L, D)
    if (transposed)
      h = transposeTokens(g, h, grid, grid);
  }
  r = c.depth > 0 ? g.residual(r, h, c.depth - 1, c.depth) : h;
  Value normed = g.rmsNorm(r, 2, g.weight("norm_f.weight", {s.D}), 1e-5);
  Value features =
      fast ? g.reduceMean(normed, {1})
           : g.collapse(g.slice(normed, {0, clsIndex, 0}, {s.B, 1, s.D}),
                        {{0}, {1, 2}});
  Value hw = g.weight("head.weight", {c.numClasses, s.D});
  Value hb = g.weight("head.bias", {c.numClasses});
  return g.linearLast(features, hw, hb);
}
