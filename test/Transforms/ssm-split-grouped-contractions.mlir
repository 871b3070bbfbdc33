// RUN: ssm-opt %s --split-input-file --ssm-split-grouped-contractions | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-split-grouped-contractions --one-shot-bufferize="bufferize-function-boundaries" --cse --canonicalize | FileCheck %s --check-prefix=BUF

// VMamba's x_proj at batch 2: out[b, k, c, l] = sum_d W[k, c, d] xs[b, k, d, l]
// with k = 4 directions. One GEMM per direction: W[k] a 2-D weight, xs[:, k]
// batched over b, each writing a zero-filled slice of one output.
// Bufferized: one buffer, each piece fills and writes its subview, no copy.
// CHECK-LABEL: func.func @x_proj
// CHECK-SAME: (%[[W:.*]]: tensor<4x26x64xf32>, %[[X:.*]]: tensor<2x4x64x49xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x26x49xf32>
// CHECK: %[[W0:.*]] = tensor.extract_slice %[[W]][0, 0, 0] [1, 26, 64] [1, 1, 1] : tensor<4x26x64xf32> to tensor<26x64xf32>
// CHECK: %[[X0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [2, 1, 64, 49] [1, 1, 1, 1] : tensor<2x4x64x49xf32> to tensor<2x64x49xf32>
// CHECK: %[[O0:.*]] = tensor.extract_slice %[[E]][0, 0, 0, 0] [2, 1, 26, 49] [1, 1, 1, 1] : tensor<2x4x26x49xf32> to tensor<2x26x49xf32>
// CHECK: %[[F0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[O0]] : tensor<2x26x49xf32>)
// CHECK: %[[P0:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%[[W0]], %[[X0]] : tensor<26x64xf32>, tensor<2x64x49xf32>) outs(%[[F0]] : tensor<2x26x49xf32>)
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[P0]] into %[[E]][0, 0, 0, 0] [2, 1, 26, 49] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[W]][1, 0, 0]
// CHECK: tensor.extract_slice %[[R0]][0, 1, 0, 0]
// CHECK: %[[R1:.*]] = tensor.insert_slice %{{.*}} into %[[R0]][0, 1, 0, 0]
// CHECK: %[[R2:.*]] = tensor.insert_slice %{{.*}} into %[[R1]][0, 2, 0, 0]
// CHECK: %[[R3:.*]] = tensor.insert_slice %{{.*}} into %[[R2]][0, 3, 0, 0]
// CHECK-NOT: linalg.generic
// CHECK: return %[[R3]]
// BUF-LABEL: func.func @x_proj
// BUF-NOT: memref.copy
// BUF: %[[A:.*]] = memref.alloc() {{.*}} : memref<2x4x26x49xf32>
// BUF-NOT: memref.copy
// BUF: %[[S0:.*]] = memref.subview %[[A]][0, 0, 0, 0] [2, 1, 26, 49] [1, 1, 1, 1]
// BUF: linalg.fill {{.*}} outs(%[[S0]] :
// BUF: linalg.generic {{.*}} outs(%[[S0]] :
// BUF-NOT: memref.copy
// BUF: %[[S3:.*]] = memref.subview %[[A]][0, 3, 0, 0] [2, 1, 26, 49] [1, 1, 1, 1]
// BUF: linalg.fill {{.*}} outs(%[[S3]] :
// BUF: linalg.generic {{.*}} outs(%[[S3]] :
// BUF-NOT: memref.copy
// BUF: return %[[A]]
#w = affine_map<(b, k, c, l, d) -> (k, c, d)>
#x = affine_map<(b, k, c, l, d) -> (b, k, d, l)>
#o = affine_map<(b, k, c, l, d) -> (b, k, c, l)>
func.func @x_proj(%w: tensor<4x26x64xf32>, %x: tensor<2x4x64x49xf32>) -> tensor<2x4x26x49xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x26x49xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x26x49xf32>) -> tensor<2x4x26x49xf32>
  %r = linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<4x26x64xf32>, tensor<2x4x64x49xf32>) outs(%f : tensor<2x4x26x49xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x26x49xf32>
  return %r : tensor<2x4x26x49xf32>
}

// -----

// dt_proj of a bf16 model: both inputs widen 16-bit tensors. Each piece
// slices the bf16 tensors and widens the slices (the GEMM lowerings read
// 16 bits through a widening); the whole-tensor widenings are gone.
// CHECK-LABEL: func.func @dt_proj_widened
// CHECK-SAME: (%[[W:.*]]: tensor<4x64x16xbf16>, %[[X:.*]]: tensor<2x4x16x49xbf16>)
// CHECK-NOT: ins(%{{.*}} : tensor<4x64x16xbf16>)
// CHECK-NOT: ins(%{{.*}} : tensor<2x4x16x49xbf16>)
// CHECK: %[[W0:.*]] = tensor.extract_slice %[[W]][0, 0, 0] [1, 64, 16] [1, 1, 1] : tensor<4x64x16xbf16> to tensor<64x16xbf16>
// CHECK: %[[WW0:.*]] = linalg.generic {{.*}} ins(%[[W0]] : tensor<64x16xbf16>) outs(%{{.*}} : tensor<64x16xf32>)
// CHECK: arith.extf
// CHECK: %[[X0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [2, 1, 16, 49] [1, 1, 1, 1] : tensor<2x4x16x49xbf16> to tensor<2x16x49xbf16>
// CHECK: %[[XW0:.*]] = linalg.generic {{.*}} ins(%[[X0]] : tensor<2x16x49xbf16>) outs(%{{.*}} : tensor<2x16x49xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[WW0]], %[[XW0]] : tensor<64x16xf32>, tensor<2x16x49xf32>)
// CHECK-COUNT-3: tensor.insert_slice
// CHECK: tensor.insert_slice
// CHECK-NOT: tensor.insert_slice
#wd = affine_map<(b, k, d, l, r) -> (k, d, r)>
#xd = affine_map<(b, k, d, l, r) -> (b, k, r, l)>
#od = affine_map<(b, k, d, l, r) -> (b, k, d, l)>
#id3 = affine_map<(a, b, c) -> (a, b, c)>
#id4 = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @dt_proj_widened(%w: tensor<4x64x16xbf16>, %x: tensor<2x4x16x49xbf16>) -> tensor<2x4x64x49xf32> {
  %zero = arith.constant 0.0 : f32
  %ew = tensor.empty() : tensor<4x64x16xf32>
  %ww = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%w : tensor<4x64x16xbf16>) outs(%ew : tensor<4x64x16xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %y = arith.extf %a : bf16 to f32
    linalg.yield %y : f32
  } -> tensor<4x64x16xf32>
  %ex = tensor.empty() : tensor<2x4x16x49xf32>
  %xw = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x4x16x49xbf16>) outs(%ex : tensor<2x4x16x49xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %y = arith.extf %a : bf16 to f32
    linalg.yield %y : f32
  } -> tensor<2x4x16x49xf32>
  %e = tensor.empty() : tensor<2x4x64x49xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x64x49xf32>) -> tensor<2x4x64x49xf32>
  %r = linalg.generic {indexing_maps = [#wd, #xd, #od], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%ww, %xw : tensor<4x64x16xf32>, tensor<2x4x16x49xf32>) outs(%f : tensor<2x4x64x49xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x64x49xf32>
  return %r : tensor<2x4x64x49xf32>
}

// -----

// An adjoint contraction (the gradient of x_proj's input) with its loops in
// another order: the pieces are put in matchContraction's order.
// CHECK-LABEL: func.func @adjoint_order
// CHECK-COUNT-4: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-NOT: linalg.generic
#aw = affine_map<(c, b, k, d, l) -> (k, c, d)>
#ag = affine_map<(c, b, k, d, l) -> (b, k, c, l)>
#ao = affine_map<(c, b, k, d, l) -> (b, k, d, l)>
func.func @adjoint_order(%w: tensor<4x26x64xf32>, %g: tensor<2x4x26x49xf32>) -> tensor<2x4x64x49xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x64x49xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x64x49xf32>) -> tensor<2x4x64x49xf32>
  %r = linalg.generic {indexing_maps = [#aw, #ag, #ao], iterator_types = ["reduction", "parallel", "parallel", "parallel", "parallel"]} ins(%w, %g : tensor<4x26x64xf32>, tensor<2x4x26x49xf32>) outs(%f : tensor<2x4x64x49xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x64x49xf32>
  return %r : tensor<2x4x64x49xf32>
}

// -----

// Kept: a group dim of 16 (> 8) is a loop of tiny launches.
// CHECK-LABEL: func.func @too_many_groups
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic
// CHECK-NOT: linalg.generic
#w = affine_map<(b, k, c, l, d) -> (k, c, d)>
#x = affine_map<(b, k, c, l, d) -> (b, k, d, l)>
#o = affine_map<(b, k, c, l, d) -> (b, k, c, l)>
func.func @too_many_groups(%w: tensor<16x26x64xf32>, %x: tensor<2x16x64x49xf32>) -> tensor<2x16x26x49xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x26x49xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x26x49xf32>) -> tensor<2x16x26x49xf32>
  %r = linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<16x26x64xf32>, tensor<2x16x64x49xf32>) outs(%f : tensor<2x16x26x49xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x16x26x49xf32>
  return %r : tensor<2x16x26x49xf32>
}

// -----

// Kept: pieces of less than one 64 x 64 x 16 tile of work each.
// CHECK-LABEL: func.func @too_small
// CHECK-NOT: tensor.extract_slice
#w = affine_map<(b, k, c, l, d) -> (k, c, d)>
#x = affine_map<(b, k, c, l, d) -> (b, k, d, l)>
#o = affine_map<(b, k, c, l, d) -> (b, k, c, l)>
func.func @too_small(%w: tensor<4x8x16xf32>, %x: tensor<2x4x16x49xf32>) -> tensor<2x4x8x49xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x8x49xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x8x49xf32>) -> tensor<2x4x8x49xf32>
  %r = linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<4x8x16xf32>, tensor<2x4x16x49xf32>) outs(%f : tensor<2x4x8x49xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x8x49xf32>
  return %r : tensor<2x4x8x49xf32>
}

// -----

// Kept: one batch dim (batch 1, the group is the batch) is a GEMM already.
// CHECK-LABEL: func.func @one_batch_dim
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic
#w = affine_map<(b, k, c, l, d) -> (k, c, d)>
#x = affine_map<(b, k, c, l, d) -> (b, k, d, l)>
#o = affine_map<(b, k, c, l, d) -> (b, k, c, l)>
func.func @one_batch_dim(%w: tensor<4x26x64xf32>, %x: tensor<1x4x64x49xf32>) -> tensor<1x4x26x49xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x26x49xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x26x49xf32>) -> tensor<1x4x26x49xf32>
  %r = linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<4x26x64xf32>, tensor<1x4x64x49xf32>) outs(%f : tensor<1x4x26x49xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x26x49xf32>
  return %r : tensor<1x4x26x49xf32>
}

// -----

// Kept: not a contraction (an elementwise product), and a contraction whose
// init is not a zero fill (accumulates onto a value).
// CHECK-LABEL: func.func @not_split
// CHECK-NOT: tensor.extract_slice
#x4 = affine_map<(b, k, c, l) -> (b, k, c, l)>
#w = affine_map<(b, k, c, l, d) -> (k, c, d)>
#x = affine_map<(b, k, c, l, d) -> (b, k, d, l)>
#o = affine_map<(b, k, c, l, d) -> (b, k, c, l)>
func.func @not_split(%a: tensor<2x4x26x49xf32>, %w: tensor<4x26x64xf32>, %x: tensor<2x4x64x49xf32>) -> (tensor<2x4x26x49xf32>, tensor<2x4x26x49xf32>) {
  %e = tensor.empty() : tensor<2x4x26x49xf32>
  %p = linalg.generic {indexing_maps = [#x4, #x4, #x4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %a : tensor<2x4x26x49xf32>, tensor<2x4x26x49xf32>) outs(%e : tensor<2x4x26x49xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %m = arith.mulf %u, %v : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x26x49xf32>
  %r = linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<4x26x64xf32>, tensor<2x4x64x49xf32>) outs(%a : tensor<2x4x26x49xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %m = arith.mulf %u, %v : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x26x49xf32>
  return %p, %r : tensor<2x4x26x49xf32>, tensor<2x4x26x49xf32>
}
