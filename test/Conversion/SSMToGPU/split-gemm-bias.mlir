// RUN: ssm-opt %s --split-input-file --ssm-split-gemm-bias | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-split-gemm-bias --ssm-fuse-elementwise | FileCheck %s --check-prefix=FUSE

// A channel-first 1x1 convolution: C[b, m, n] = bias[m] + W[m, k] X[b, k, n].
// cuBLASLt's epilogue cannot add a bias along m, so the contraction starts
// from zero and an elementwise generic adds the bias after it.
// CHECK-LABEL: func.func @bias_along_m
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} outs(%[[ZERO]]
// CHECK: %[[OUT:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS:.*]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[SUM]], %arg2 : tensor<2x8x5xf32>, tensor<8xf32>)
// CHECK: arith.addf
// CHECK: return %[[OUT]]
#wmap = affine_map<(b, m, n, k) -> (m, k)>
#xmap = affine_map<(b, m, n, k) -> (b, k, n)>
#cmap = affine_map<(b, m, n, k) -> (b, m, n)>
#bias = affine_map<(b, m, n) -> (m)>
#id = affine_map<(b, m, n) -> (b, m, n)>
func.func @bias_along_m(%w: tensor<8x3xf32>, %x: tensor<2x3x5xf32>, %bias: tensor<8xf32>) -> tensor<2x8x5xf32> {
  %e = tensor.empty() : tensor<2x8x5xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bias : tensor<8xf32>) outs(%e : tensor<2x8x5xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<2x8x5xf32>
  %c = linalg.generic {indexing_maps = [#wmap, #xmap, #cmap], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : tensor<8x3xf32>, tensor<2x3x5xf32>) outs(%init : tensor<2x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x5xf32>
  return %c : tensor<2x8x5xf32>
}

// -----

// A token-major linear layer with an f32 bias along n: the library takes it,
// the contraction keeps its bias init. With a bf16 bias it is split, the
// bias widened in the add.
// CHECK-LABEL: func.func @bias_along_n
// CHECK-NOT: linalg.fill
// CHECK: return
// CHECK-LABEL: func.func @bf16_bias_along_n
// CHECK: linalg.fill
// CHECK: arith.extf
// CHECK: arith.addf
#amap = affine_map<(m, n, k) -> (m, k)>
#bmap = affine_map<(m, n, k) -> (n, k)>
#omap = affine_map<(m, n, k) -> (m, n)>
#nbias = affine_map<(m, n) -> (n)>
#id2 = affine_map<(m, n) -> (m, n)>
func.func @bias_along_n(%x: tensor<6x4xf32>, %w: tensor<7x4xf32>, %bias: tensor<7xf32>) -> tensor<6x7xf32> {
  %e = tensor.empty() : tensor<6x7xf32>
  %init = linalg.generic {indexing_maps = [#nbias, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<7xf32>) outs(%e : tensor<6x7xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<6x7xf32>
  %c = linalg.generic {indexing_maps = [#amap, #bmap, #omap], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<6x4xf32>, tensor<7x4xf32>) outs(%init : tensor<6x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x7xf32>
  return %c : tensor<6x7xf32>
}
func.func @bf16_bias_along_n(%x: tensor<6x4xf32>, %w: tensor<7x4xf32>, %bias: tensor<7xbf16>) -> tensor<6x7xf32> {
  %e = tensor.empty() : tensor<6x7xf32>
  %init = linalg.generic {indexing_maps = [#nbias, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<7xbf16>) outs(%e : tensor<6x7xf32>) {
  ^bb0(%v: bf16, %o: f32):
    %w32 = arith.extf %v : bf16 to f32
    linalg.yield %w32 : f32
  } -> tensor<6x7xf32>
  %c = linalg.generic {indexing_maps = [#amap, #bmap, #omap], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<6x4xf32>, tensor<7x4xf32>) outs(%init : tensor<6x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x7xf32>
  return %c : tensor<6x7xf32>
}

// -----

// A bf16 model's bias along n widened by its own generic (ssm-narrow-
// activations leaves the weights' widenings apart): the widened f32 vector is
// marked to stay a kernel of its own, so that the GEMM reads an f32 bias the
// library's epilogue adds, and the contraction keeps its bias init.
// CHECK-LABEL: func.func @separately_widened_bias_along_n
// CHECK-NOT: linalg.fill
// CHECK: %[[F32:.*]] = linalg.generic {{.*}}ins(%arg2 : tensor<7xbf16>){{.*}}ssm.materialize
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}}ins(%[[F32]] : tensor<7xf32>)
// CHECK: linalg.generic {{.*}}outs(%[[INIT]]
// CHECK-NOT: linalg.generic
// CHECK: return
#w1 = affine_map<(n) -> (n)>
#amap3 = affine_map<(m, n, k) -> (m, k)>
#bmap3 = affine_map<(m, n, k) -> (n, k)>
#omap3 = affine_map<(m, n, k) -> (m, n)>
#nbias3 = affine_map<(m, n) -> (n)>
#id3 = affine_map<(m, n) -> (m, n)>
func.func @separately_widened_bias_along_n(%x: tensor<6x4xf32>, %w: tensor<7x4xf32>, %bias: tensor<7xbf16>) -> tensor<6x7xf32> {
  %e1 = tensor.empty() : tensor<7xf32>
  %b32 = linalg.generic {indexing_maps = [#w1, #w1], iterator_types = ["parallel"]}
      ins(%bias : tensor<7xbf16>) outs(%e1 : tensor<7xf32>) {
  ^bb0(%v: bf16, %o: f32):
    %v32 = arith.extf %v : bf16 to f32
    linalg.yield %v32 : f32
  } -> tensor<7xf32>
  %e = tensor.empty() : tensor<6x7xf32>
  %init = linalg.generic {indexing_maps = [#nbias3, #id3], iterator_types = ["parallel", "parallel"]}
      ins(%b32 : tensor<7xf32>) outs(%e : tensor<6x7xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<6x7xf32>
  %c = linalg.generic {indexing_maps = [#amap3, #bmap3, #omap3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<6x4xf32>, tensor<7x4xf32>) outs(%init : tensor<6x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x7xf32>
  return %c : tensor<6x7xf32>
}

// -----

// A backward pass's input gradient: du[b, l, c] = du0[b, l, c] + sum_e
// dxz[b, e, l] W[e, c] accumulates onto the gradient of u's other use. The
// library writes C = A B, so the contraction starts from zero and an
// elementwise generic adds du0; a GEMM that starts from a zero fill is left
// alone.
// CHECK-LABEL: func.func @accumulating
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} outs(%[[ZERO]]
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[SUM]], %arg2 : tensor<2x5x3xf32>, tensor<2x5x3xf32>)
// CHECK: arith.addf
// CHECK: return %[[OUT]]
// CHECK-LABEL: func.func @from_zero
// CHECK: linalg.fill
// CHECK-NEXT: %[[C:.*]] = linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return %[[C]]
#gmap = affine_map<(b, l, c, e) -> (b, e, l)>
#wmap2 = affine_map<(b, l, c, e) -> (e, c)>
#umap = affine_map<(b, l, c, e) -> (b, l, c)>
func.func @accumulating(%dxz: tensor<2x8x5xf32>, %w: tensor<8x3xf32>, %du0: tensor<2x5x3xf32>) -> tensor<2x5x3xf32> {
  %c = linalg.generic {indexing_maps = [#gmap, #wmap2, #umap], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%dxz, %w : tensor<2x8x5xf32>, tensor<8x3xf32>) outs(%du0 : tensor<2x5x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5x3xf32>
  return %c : tensor<2x5x3xf32>
}
func.func @from_zero(%dxz: tensor<2x8x5xf32>, %w: tensor<8x3xf32>) -> tensor<2x5x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  %c = linalg.generic {indexing_maps = [#gmap, #wmap2, #umap], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%dxz, %w : tensor<2x8x5xf32>, tensor<8x3xf32>) outs(%z : tensor<2x5x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5x3xf32>
  return %c : tensor<2x5x3xf32>
}

// -----

// The same contraction in the loop order the autodiff emits (b, e, l, c with
// the reduction e second): its loops are interchanged into (b, l, c, e), the
// order the GEMM matcher reads, and it is split like any other.
// CHECK-LABEL: func.func @adjoint_loop_order
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} outs(%[[ZERO]]
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %arg2 : tensor<2x5x3xf32>, tensor<2x5x3xf32>)
// CHECK: return %[[OUT]]
#g4 = affine_map<(b, e, l, c) -> (b, e, l)>
#w4 = affine_map<(b, e, l, c) -> (e, c)>
#u4 = affine_map<(b, e, l, c) -> (b, l, c)>
func.func @adjoint_loop_order(%dxz: tensor<2x8x5xf32>, %w: tensor<8x3xf32>, %du0: tensor<2x5x3xf32>) -> tensor<2x5x3xf32> {
  %c = linalg.generic {indexing_maps = [#w4, #g4, #u4], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%w, %dxz : tensor<8x3xf32>, tensor<2x8x5xf32>) outs(%du0 : tensor<2x5x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %b, %a : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5x3xf32>
  return %c : tensor<2x5x3xf32>
}

// -----

// A channel-first MLP's fc1 (VMamba): the bias along m is added after the
// expand_shape to the image GELU reads, its map in the expanded dims, so
// that ssm-fuse-elementwise folds it into GELU: one generic reads the
// GEMM's expanded result and the bias.
// CHECK-LABEL: func.func @through_expand
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: %[[IMG:.*]] = tensor.expand_shape %[[SUM]] {{\[\[}}0], [1], [2, 3]]
// CHECK: %[[ADD:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS4:.*]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[IMG]], %arg2 : tensor<2x8x2x3xf32>, tensor<8xf32>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[ADD]] : tensor<2x8x2x3xf32>)
// CHECK: math.tanh
// FUSE-LABEL: func.func @through_expand
// FUSE: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// FUSE: %[[IMG:.*]] = tensor.expand_shape %[[SUM]]
// FUSE: linalg.generic {{.*}} ins(%[[IMG]], %arg2 : tensor<2x8x2x3xf32>, tensor<8xf32>)
// FUSE: arith.addf
// FUSE: math.tanh
// FUSE-NOT: linalg.generic
// FUSE: return
#wmap5 = affine_map<(b, m, n, k) -> (m, k)>
#xmap5 = affine_map<(b, m, n, k) -> (b, k, n)>
#cmap5 = affine_map<(b, m, n, k) -> (b, m, n)>
#bias5 = affine_map<(b, m, n) -> (m)>
#id5 = affine_map<(b, m, n) -> (b, m, n)>
#id54 = affine_map<(b, m, h, w) -> (b, m, h, w)>
func.func @through_expand(%w: tensor<8x3xf32>, %x: tensor<2x3x6xf32>, %bias: tensor<8xf32>) -> tensor<2x8x2x3xf32> {
  %e = tensor.empty() : tensor<2x8x6xf32>
  %init = linalg.generic {indexing_maps = [#bias5, #id5], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bias : tensor<8xf32>) outs(%e : tensor<2x8x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<2x8x6xf32>
  %c = linalg.generic {indexing_maps = [#wmap5, #xmap5, #cmap5], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : tensor<8x3xf32>, tensor<2x3x6xf32>) outs(%init : tensor<2x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x6xf32>
  %img = tensor.expand_shape %c [[0], [1], [2, 3]] output_shape [2, 8, 2, 3] : tensor<2x8x6xf32> into tensor<2x8x2x3xf32>
  %e4 = tensor.empty() : tensor<2x8x2x3xf32>
  %g = linalg.generic {indexing_maps = [#id54, #id54], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%img : tensor<2x8x2x3xf32>) outs(%e4 : tensor<2x8x2x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = math.tanh %v : f32
    linalg.yield %t : f32
  } -> tensor<2x8x2x3xf32>
  return %g : tensor<2x8x2x3xf32>
}

// -----

// A bf16 model's bias widened by a generic of its own is read in 16 bits
// and widened in the add, which goes after the collapse_shape (m merged
// with the unit batch dim). The unused widening is erased.
// CHECK-LABEL: func.func @widened_bias_through_collapse
// CHECK-NOT: arith.extf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[SUM]] {{\[\[}}0, 1], [2]]
// CHECK: linalg.generic {{.*}} ins(%[[FLAT]], %arg2 : tensor<8x6xf32>, tensor<8xbf16>)
// CHECK: arith.extf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: return
// FUSE-LABEL: func.func @widened_bias_through_collapse
#wmap6 = affine_map<(b, m, n, k) -> (m, k)>
#xmap6 = affine_map<(b, m, n, k) -> (b, k, n)>
#cmap6 = affine_map<(b, m, n, k) -> (b, m, n)>
#bias6 = affine_map<(b, m, n) -> (m)>
#id6 = affine_map<(b, m, n) -> (b, m, n)>
#w6 = affine_map<(m) -> (m)>
func.func @widened_bias_through_collapse(%w: tensor<8x3xf32>, %x: tensor<1x3x6xf32>, %bias: tensor<8xbf16>) -> tensor<8x6xf32> {
  %e1 = tensor.empty() : tensor<8xf32>
  %b32 = linalg.generic {indexing_maps = [#w6, #w6], iterator_types = ["parallel"]}
      ins(%bias : tensor<8xbf16>) outs(%e1 : tensor<8xf32>) {
  ^bb0(%v: bf16, %o: f32):
    %v32 = arith.extf %v : bf16 to f32
    linalg.yield %v32 : f32
  } -> tensor<8xf32>
  %e = tensor.empty() : tensor<1x8x6xf32>
  %init = linalg.generic {indexing_maps = [#bias6, #id6], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b32 : tensor<8xf32>) outs(%e : tensor<1x8x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<1x8x6xf32>
  %c = linalg.generic {indexing_maps = [#wmap6, #xmap6, #cmap6], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : tensor<8x3xf32>, tensor<1x3x6xf32>) outs(%init : tensor<1x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x8x6xf32>
  %flat = tensor.collapse_shape %c [[0, 1], [2]] : tensor<1x8x6xf32> into tensor<8x6xf32>
  return %flat : tensor<8x6xf32>
}

// -----

// Kept before the reshape: the GEMM's result has another reader (each must
// see the biased value, so the add stays once, before both), or the
// reshape splits the bias's dim m into two dims.
// CHECK-LABEL: func.func @other_reader
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %arg2 : tensor<2x8x6xf32>, tensor<8xf32>)
// CHECK: tensor.expand_shape %[[ADD]]
// CHECK: return
// CHECK-LABEL: func.func @bias_dim_split
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[SUM]], %arg2 : tensor<2x8x6xf32>, tensor<8xf32>)
// CHECK: tensor.expand_shape %[[ADD]] {{\[\[}}0], [1, 2], [3]]
// FUSE-LABEL: func.func @other_reader
// FUSE: tensor.expand_shape
// FUSE-LABEL: func.func @bias_dim_split
#wmap7 = affine_map<(b, m, n, k) -> (m, k)>
#xmap7 = affine_map<(b, m, n, k) -> (b, k, n)>
#cmap7 = affine_map<(b, m, n, k) -> (b, m, n)>
#bias7 = affine_map<(b, m, n) -> (m)>
#id7 = affine_map<(b, m, n) -> (b, m, n)>
func.func @other_reader(%w: tensor<8x3xf32>, %x: tensor<2x3x6xf32>, %bias: tensor<8xf32>) -> (tensor<2x8x2x3xf32>, tensor<2x8x6xf32>) {
  %e = tensor.empty() : tensor<2x8x6xf32>
  %init = linalg.generic {indexing_maps = [#bias7, #id7], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bias : tensor<8xf32>) outs(%e : tensor<2x8x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<2x8x6xf32>
  %c = linalg.generic {indexing_maps = [#wmap7, #xmap7, #cmap7], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : tensor<8x3xf32>, tensor<2x3x6xf32>) outs(%init : tensor<2x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x6xf32>
  %img = tensor.expand_shape %c [[0], [1], [2, 3]] output_shape [2, 8, 2, 3] : tensor<2x8x6xf32> into tensor<2x8x2x3xf32>
  return %img, %c : tensor<2x8x2x3xf32>, tensor<2x8x6xf32>
}
func.func @bias_dim_split(%w: tensor<8x3xf32>, %x: tensor<2x3x6xf32>, %bias: tensor<8xf32>) -> tensor<2x2x4x6xf32> {
  %e = tensor.empty() : tensor<2x8x6xf32>
  %init = linalg.generic {indexing_maps = [#bias7, #id7], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bias : tensor<8xf32>) outs(%e : tensor<2x8x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<2x8x6xf32>
  %c = linalg.generic {indexing_maps = [#wmap7, #xmap7, #cmap7], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : tensor<8x3xf32>, tensor<2x3x6xf32>) outs(%init : tensor<2x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x6xf32>
  %r = tensor.expand_shape %c [[0], [1, 2], [3]] output_shape [2, 2, 4, 6] : tensor<2x8x6xf32> into tensor<2x2x4x6xf32>
  return %r : tensor<2x2x4x6xf32>
}

// -----

// A backward pass's accumulation onto a whole tensor goes through the
// reshape too: the tensor is reshaped the same way.
// CHECK-LABEL: func.func @accumulating_through_collapse
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-DAG: %[[FLAT:.*]] = tensor.collapse_shape %[[SUM]] {{\[\[}}0, 1], [2]]
// CHECK-DAG: %[[DU0:.*]] = tensor.collapse_shape %arg2 {{\[\[}}0, 1], [2]]
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[FLAT]], %[[DU0]] : tensor<10x3xf32>, tensor<10x3xf32>)
// CHECK: return %[[OUT]]
// FUSE-LABEL: func.func @accumulating_through_collapse
#gmap8 = affine_map<(b, l, c, e) -> (b, e, l)>
#wmap8 = affine_map<(b, l, c, e) -> (e, c)>
#umap8 = affine_map<(b, l, c, e) -> (b, l, c)>
func.func @accumulating_through_collapse(%dxz: tensor<2x8x5xf32>, %w: tensor<8x3xf32>, %du0: tensor<2x5x3xf32>) -> tensor<10x3xf32> {
  %c = linalg.generic {indexing_maps = [#gmap8, #wmap8, #umap8], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%dxz, %w : tensor<2x8x5xf32>, tensor<8x3xf32>) outs(%du0 : tensor<2x5x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5x3xf32>
  %flat = tensor.collapse_shape %c [[0, 1], [2]] : tensor<2x5x3xf32> into tensor<10x3xf32>
  return %flat : tensor<10x3xf32>
}
