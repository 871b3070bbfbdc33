// RUN: ssm-opt %s --split-input-file --ssm-fuse-elementwise | FileCheck %s

// silu(x) * z becomes one loop nest; the matmul-like reduction consuming the
// product does not absorb it (it would recompute it per reduced element).
// CHECK-LABEL: func.func @gate_then_project
// CHECK: %[[G:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK:   math.exp
// CHECK:   arith.mulf
// CHECK-NOT: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[G]],
#id = affine_map<(i, j) -> (i, j)>
func.func @gate_then_project(%x: tensor<4x8xf32>, %z: tensor<4x8xf32>, %w: tensor<8x3xf32>, %init: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    %x1 = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %d = arith.addf %one, %x1 : f32
    %r = arith.divf %a, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%s, %z : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g, %w : tensor<4x8xf32>, tensor<8x3xf32>) outs(%init : tensor<4x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s2 = arith.addf %acc, %m : f32
    linalg.yield %s2 : f32
  } -> tensor<4x3xf32>
  return %p : tensor<4x3xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>

// Residual add + RMSNorm: the add fuses into the sum of squares (each element
// read once) and into the scaling; no separate add loop nest remains.
// CHECK-LABEL: func.func @add_rmsnorm
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%arg0, %arg1 :
// CHECK:   arith.addf
// CHECK:   arith.mulf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0, %arg1,
// CHECK-NOT: linalg.generic
func.func @add_rmsnorm(%r: tensor<4x8xf32>, %h: tensor<4x8xf32>, %init: tensor<4xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%r, %h : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %ss = linalg.generic {indexing_maps = [#id, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%sum : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %t = arith.addf %acc, %sq : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, affine_map<(i, j) -> (i)>, #id], iterator_types = ["parallel", "parallel"]} ins(%sum, %ss : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %r2 = math.rsqrt %s : f32
    %t = arith.mulf %a, %r2 : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>

// A residual stream: r1 = x + h0 fuses into its norm and into r2 = r1 + h1,
// but r2, which reads the shared r1 and is shared itself (its norm and
// r3 = r2 + h2), is computed once: the next norm and r3 read it instead of
// recomputing x + h0 + h1 (the copies would compound layer after layer).
// CHECK-LABEL: func.func @residual_stream
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<4x8xf32>, %[[H0:[a-z0-9]+]]: tensor<4x8xf32>, %[[H1:[a-z0-9]+]]: tensor<4x8xf32>, %[[H2:[a-z0-9]+]]: tensor<4x8xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[H0]] :
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[H0]], %{{.*}} :
// CHECK: %[[R2:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[H0]], %[[H1]] :
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[R2]] :
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[R2]], %{{.*}} :
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[R2]], %[[H2]] :
func.func @residual_stream(%x: tensor<4x8xf32>, %h0: tensor<4x8xf32>, %h1: tensor<4x8xf32>, %h2: tensor<4x8xf32>, %init: tensor<4xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %h0 : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %ss1 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%r1 : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %t = arith.addf %acc, %sq : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  %y1 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%r1, %ss1 : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %r2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%r1, %h1 : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %ss2 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%r2 : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %t = arith.addf %acc, %sq : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  %y2 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%r2, %ss2 : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %t = arith.mulf %a, %s : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %r3 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%r2, %h2 : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %y1, %y2, %r3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Layout changes fuse like elementwise ops: a flip (a reversed input map, as
// convert-ssm-to-scf emits it) into the sum of Vim's two directions, and a
// named transpose into the elementwise op that reads it. One generic remains,
// reading %b reversed along the last dimension and %t transposed.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (d0, -d1 + 7)>
// CHECK-DAG: #[[T:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @layout_changes
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[REV]], #[[T]], #{{.*}}]
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.transpose
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#rev = affine_map<(d0, d1) -> (d0, 7 - d1)>
func.func @layout_changes(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %c: tensor<8x4xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %flipped = linalg.generic {indexing_maps = [#rev, #id2], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<4x8xf32>
  %t = linalg.transpose ins(%c : tensor<8x4xf32>) outs(%e : tensor<4x8xf32>) permutation = [1, 0]
  %sum = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%a, %flipped, %t : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %m = arith.mulf %s, %z : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %sum : tensor<4x8xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>
#rev = affine_map<(i, j) -> (i, 3 - j)>

// 16-bit storage: a rounding never fuses into the widening a GEMM reads (the
// bf16 tensor must stay stored); a producer that only moves bf16 values (a
// flip of a bf16 scan output) fuses into its widening, and that into the
// sum, as one loop nest.
// CHECK-LABEL: func.func @bf16_storage
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<2x4xf32>) outs(%{{.*}} : tensor<2x4xbf16>)
// CHECK:   math.exp
// CHECK:   arith.truncf
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<2x4xbf16>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:   arith.extf
// CHECK: %[[P:.*]] = linalg.generic {{.*}}"reduction"]} ins(%[[W]], %arg2 :
// CHECK: linalg.generic {{.*}} ins(%arg1, %[[P]] : tensor<2x4xbf16>, tensor<2x4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:   arith.extf
// CHECK:   arith.addf
// CHECK-NOT: linalg.generic
func.func @bf16_storage(%x: tensor<2x4xf32>, %y: tensor<2x4xbf16>, %w: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %e32 = tensor.empty() : tensor<2x4xf32>
  %e16 = tensor.empty() : tensor<2x4xbf16>
  %ex = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x4xf32>) outs(%e32 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.exp %a : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%ex : tensor<2x4xf32>) outs(%e16 : tensor<2x4xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x4xbf16>
  %wr = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%r : tensor<2x4xbf16>) outs(%e32 : tensor<2x4xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %t = arith.extf %a : bf16 to f32
    linalg.yield %t : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%e32 : tensor<2x4xf32>) -> tensor<2x4xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%wr, %w : tensor<2x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %t = arith.addf %c, %m : f32
    linalg.yield %t : f32
  } -> tensor<2x4xf32>
  %f = linalg.generic {indexing_maps = [#rev, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<2x4xbf16>) outs(%e16 : tensor<2x4xbf16>) {
  ^bb0(%a: bf16, %o: bf16):
    linalg.yield %a : bf16
  } -> tensor<2x4xbf16>
  %wf = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%f : tensor<2x4xbf16>) outs(%e32 : tensor<2x4xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %t = arith.extf %a : bf16 to f32
    linalg.yield %t : f32
  } -> tensor<2x4xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%wf, %p : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e32 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}

// -----

// An op marked ssm.materialize (a bf16 bias widened once for a library
// GEMM's epilogue) stays a kernel of its own: its consumer reads its f32
// result instead of computing it inline.
// CHECK-LABEL: func.func @materialized_producer
// CHECK: %[[W:.*]] = linalg.generic {{.*}}ins(%arg0 : tensor<7xbf16>){{.*}}ssm.materialize
// CHECK: linalg.generic {{.*}}ins(%[[W]] : tensor<7xf32>)
#v = affine_map<(n) -> (n)>
#bn = affine_map<(m, n) -> (n)>
#mn = affine_map<(m, n) -> (m, n)>
func.func @materialized_producer(%bias: tensor<7xbf16>) -> tensor<6x7xf32> {
  %e1 = tensor.empty() : tensor<7xf32>
  %b32 = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]}
      ins(%bias : tensor<7xbf16>) outs(%e1 : tensor<7xf32>) attrs = {ssm.materialize} {
  ^bb0(%x: bf16, %o: f32):
    %x32 = arith.extf %x : bf16 to f32
    linalg.yield %x32 : f32
  } -> tensor<7xf32>
  %e = tensor.empty() : tensor<6x7xf32>
  %r = linalg.generic {indexing_maps = [#bn, #mn], iterator_types = ["parallel", "parallel"]}
      ins(%b32 : tensor<7xf32>) outs(%e : tensor<6x7xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<6x7xf32>
  return %r : tensor<6x7xf32>
}

// -----

// A widening of a bf16 tensor fuses into a contraction that is no GEMM
// (VMamba's grouped x_proj at batch > 1: batch and group are two batch dims),
// which widens each element it loads; a GEMM reads through its widening.
// CHECK-LABEL: func.func @widen_into_loop_contraction
// CHECK-SAME: (%[[W:.*]]: tensor<4x8x6xbf16>, %[[X:.*]]: tensor<2x4x6x5xbf16>, %[[A:.*]]: tensor<8x6xbf16>, %[[Y:.*]]: tensor<6x5xbf16>)
// CHECK: linalg.generic {{.*}} ins(%[[W]], %[[X]] : tensor<4x8x6xbf16>, tensor<2x4x6x5xbf16>)
// CHECK: %[[AW:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<8x6xbf16>)
// CHECK: %[[YW:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<6x5xbf16>)
// CHECK: linalg.generic {{.*}} ins(%[[AW]], %[[YW]] : tensor<8x6xf32>, tensor<6x5xf32>)
#wmap = affine_map<(b, g, m, n, k) -> (g, m, k)>
#xmap = affine_map<(b, g, m, n, k) -> (b, g, k, n)>
#omap = affine_map<(b, g, m, n, k) -> (b, g, m, n)>
#id3 = affine_map<(g, m, k) -> (g, m, k)>
#id4 = affine_map<(b, g, k, n) -> (b, g, k, n)>
#id2 = affine_map<(i, j) -> (i, j)>
#am = affine_map<(m, n, k) -> (m, k)>
#bm = affine_map<(m, n, k) -> (k, n)>
#cm = affine_map<(m, n, k) -> (m, n)>
func.func @widen_into_loop_contraction(%w: tensor<4x8x6xbf16>, %x: tensor<2x4x6x5xbf16>, %a: tensor<8x6xbf16>, %y: tensor<6x5xbf16>) -> (tensor<2x4x8x5xf32>, tensor<8x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %we = tensor.empty() : tensor<4x8x6xf32>
  %w32 = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%w : tensor<4x8x6xbf16>) outs(%we : tensor<4x8x6xf32>) {
  ^bb0(%i: bf16, %o: f32):
    %e = arith.extf %i : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<4x8x6xf32>
  %xe = tensor.empty() : tensor<2x4x6x5xf32>
  %x32 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x4x6x5xbf16>) outs(%xe : tensor<2x4x6x5xf32>) {
  ^bb0(%i: bf16, %o: f32):
    %e = arith.extf %i : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<2x4x6x5xf32>
  %oe = tensor.empty() : tensor<2x4x8x5xf32>
  %init = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x4x8x5xf32>) -> tensor<2x4x8x5xf32>
  %r = linalg.generic {indexing_maps = [#wmap, #xmap, #omap], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w32, %x32 : tensor<4x8x6xf32>, tensor<2x4x6x5xf32>) outs(%init : tensor<2x4x8x5xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x8x5xf32>
  %ae = tensor.empty() : tensor<8x6xf32>
  %a32 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8x6xbf16>) outs(%ae : tensor<8x6xf32>) {
  ^bb0(%i: bf16, %o: f32):
    %e = arith.extf %i : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<8x6xf32>
  %ye = tensor.empty() : tensor<6x5xf32>
  %y32 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<6x5xbf16>) outs(%ye : tensor<6x5xf32>) {
  ^bb0(%i: bf16, %o: f32):
    %e = arith.extf %i : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<6x5xf32>
  %ce = tensor.empty() : tensor<8x5xf32>
  %cinit = linalg.fill ins(%zero : f32) outs(%ce : tensor<8x5xf32>) -> tensor<8x5xf32>
  %c = linalg.generic {indexing_maps = [#am, #bm, #cm], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a32, %y32 : tensor<8x6xf32>, tensor<6x5xf32>) outs(%cinit : tensor<8x5xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x5xf32>
  return %r, %c : tensor<2x4x8x5xf32>, tensor<8x5xf32>
}
