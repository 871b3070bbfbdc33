//===- MambaOut.cpp - the gated-CNN baseline --------------------------------===//
//
// docs/semantics.md §7: conv stem, four NHWC stages of Gated CNN blocks (LN,
// fc1, split into gate / identity / 7x7 depthwise-conv channels, GELU gate,
// fc2, residual), conv downsampling, and an MLP head after global mean
// pooling.
// Original (non-timm) parameter names; every LayerNorm has eps 1e-6.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <numeric>

using namespace mlir;
using namespace mlir::ssm;
using namespace mlir::ssm::models;

namespace {
constexpr double kEps = 1e-6;

Value norm(GraphBuilder &g, Value x, unsigned axis, const std::string &name,
           int64_t c) {
  return g.namedLayerNorm(x, axis, name, c, kEps);
}
} // namespace

Value mlir::ssm::models::buildMambaOut(GraphBuilder &g, const ModelConfig &c) {
  int64_t c0 = c.dims[0];
  const std::string stem = "downsample_layers.0.";
  // Stem in NCHW (LN over channels = axis 1), then NHWC.
  Value x = g.conv2d(g.image(),
                     g.weight(stem + "conv1.weight", {c0 / 2, c.inChannels, 3, 3}),
                     g.weight(stem + "conv1.bias", {c0 / 2}), 2, 1);
  x = g.gelu(norm(g, x, 1, stem + "norm1", c0 / 2));
  x = g.conv2d(x, g.weight(stem + "conv2.weight", {c0, c0 / 2, 3, 3}),
               g.weight(stem + "conv2.bias", {c0}), 2, 1);
  x = g.transpose(norm(g, x, 1, stem + "norm2", c0), {0, 2, 3, 1});

  // Stochastic depth: block k of all of them drops at rate * k / (n - 1).
  int64_t block = 0,
          blocks = std::accumulate(c.depths.begin(), c.depths.end(), int64_t(0));
  for (int64_t s = 0; s < 4; ++s) {
    int64_t C = c.dims[s];
    if (s > 0) {
      std::string ds = "downsample_layers." + std::to_string(s) + ".";
      int64_t prev = c.dims[s - 1];
      Value cf = g.conv2d(g.transpose(x, {0, 3, 1, 2}),
                          g.weight(ds + "conv.weight", {C, prev, 3, 3}),
                          g.weight(ds + "conv.bias", {C}), 2, 1);
      x = norm(g, g.transpose(cf, {0, 2, 3, 1}), 3, ds + "norm", C);
    }
    // hidden = int(expansion_ratio * dim), truncated as in the official code.
    int64_t hidden = int64_t(c.expansionRatio * double(C));
    for (int64_t j = 0; j < c.depths[s]; ++j) {
      std::string blk =
          "stages." + std::to_string(s) + "." + std::to_string(j) + ".";
      Shape xs = GraphBuilder::shapeOf(x); // (B, H, W, C)
      Value t = g.linearLast(norm(g, x, 3, blk + "norm", C),
                             g.weight(blk + "fc1.weight", {2 * hidden, C}),
                             g.weight(blk + "fc1.bias", {2 * hidden}));
      Shape part{xs[0], xs[1], xs[2], 0};
      auto channels = [&](int64_t from, int64_t count) {
        part[3] = count;
        return g.slice(t, {0, 0, 0, from}, part);
      };
      Value gate = channels(0, hidden);
      Value conv = g.depthwiseNHWC(channels(2 * hidden - C, C),
                                   g.weight(blk + "conv.weight", {C, 1, 7, 7}),
                                   g.weight(blk + "conv.bias", {C}), 3);
      Value value = hidden > C
                        ? g.concat({channels(hidden, hidden - C), conv}, 3)
                        : conv;
      Value v = g.map({gate, value}, [](OpBuilder &b, Location loc,
                                        ArrayRef<Value> a) -> Value {
        return arith::MulFOp::create(b, loc, emitGelu(b, loc, a[0]), a[1]);
      });
      Value o = g.linearLast(v, g.weight(blk + "fc2.weight", {C, hidden}),
                             g.weight(blk + "fc2.bias", {C}));
      x = g.residual(x, o, block++, blocks);
    }
  }
  int64_t c3 = c.dims[3], headHidden = 4 * c3;
  Value f = norm(g, g.reduceMean(x, {1, 2}), 1, "norm", c3);
  f = g.linearLast(f, g.weight("head.fc1.weight", {headHidden, c3}),
                   g.weight("head.fc1.bias", {headHidden}));
  f = norm(g, g.gelu(f), 1, "head.norm", headHidden);
  return g.linearLast(f, g.weight("head.fc2.weight", {c.numClasses, headHidden}),
                      g.weight("head.fc2.bias", {c.numClasses}));
}
