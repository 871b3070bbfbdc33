// RUN: ssm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-narrow-activations{narrow-contractions}))' | FileCheck %s
// RUN: ssm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-narrow-activations))' | FileCheck %s --check-prefix=OFF

// The decision for GEMM results (narrow-contractions): a zero-init linear
// read by a conv (through a slice) and a gate is rounded by a generic that
// becomes its sole reader (the GEMM folds it); the contraction keeps its f32
// init and sum. Without the option it stays f32.
// CHECK-LABEL: func.func @narrowed
// CHECK: %[[Y:.*]] = linalg.generic {{.*}}"reduction"]} {{.*}} outs(%{{.*}} : tensor<2x16x5xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x16x5xf32>) outs(%{{.*}} : tensor<2x16x5xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: tensor.extract_slice %[[R]]{{.*}} : tensor<2x16x5xbf16> to tensor<2x8x5xbf16>
// CHECK: ssm.causal_conv1d silu %{{.*}}, %{{.*}} : tensor<2x8x5xbf16>, tensor<8x4xf32>
// OFF-LABEL: func.func @narrowed
// OFF-NOT: truncf
// OFF: ssm.causal_conv1d silu %{{.*}}, %{{.*}} : tensor<2x8x5xf32>, tensor<8x4xf32>
#x = affine_map<(b, n, l, k) -> (b, l, k)>
#w = affine_map<(b, n, l, k) -> (n, k)>
#y = affine_map<(b, n, l, k) -> (b, n, l)>
#id3 = affine_map<(b, d, l) -> (b, d, l)>
func.func @narrowed(%x: tensor<2x5x4xbf16>, %w: tensor<16x4xbf16>, %cw: tensor<8x4xf32>) -> tensor<2x8x5xf32> attributes {ssm.activation_type = bf16} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x5xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x5xf32>) -> tensor<2x16x5xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<16x4xbf16>) outs(%init : tensor<2x16x5xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x16x5xf32>
  %xs = tensor.extract_slice %y[0, 0, 0] [2, 8, 5] [1, 1, 1] : tensor<2x16x5xf32> to tensor<2x8x5xf32>
  %zs = tensor.extract_slice %y[0, 8, 0] [2, 8, 5] [1, 1, 1] : tensor<2x16x5xf32> to tensor<2x8x5xf32>
  %xc = ssm.causal_conv1d silu %xs, %cw : tensor<2x8x5xf32>, tensor<8x4xf32>
  %e8 = tensor.empty() : tensor<2x8x5xf32>
  %g = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xc, %zs : tensor<2x8x5xf32>, tensor<2x8x5xf32>) outs(%e8 : tensor<2x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x8x5xf32>
  return %g : tensor<2x8x5xf32>
}

// -----

// Stays f32: a GEMM read by the residual add (ssm.keep_f32, Vim's out_proj),
// a GEMM accumulated onto another value (its init), a GEMM with a bias along
// m, and a GEMM that is a function result (the logits).
// CHECK-LABEL: func.func @kept
// CHECK-NOT: arith.truncf
// CHECK: return
#x = affine_map<(b, n, l, k) -> (b, l, k)>
#w = affine_map<(b, n, l, k) -> (n, k)>
#y = affine_map<(b, n, l, k) -> (b, n, l)>
#id3 = affine_map<(b, d, l) -> (b, d, l)>
#bm = affine_map<(b, d, l) -> (d)>
func.func @kept(%x: tensor<2x5x4xbf16>, %w: tensor<8x4xbf16>, %r: tensor<2x8x5xf32>, %acc: tensor<2x8x5xf32>, %bias: tensor<8xbf16>, %cw: tensor<8x4xf32>) -> (tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>) attributes {ssm.activation_type = bf16} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x5xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x5xf32>) -> tensor<2x8x5xf32>
  %out = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<8x4xbf16>) outs(%init : tensor<2x8x5xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x5xf32>
  %res = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %out : tensor<2x8x5xf32>, tensor<2x8x5xf32>) outs(%e : tensor<2x8x5xf32>) attrs = {ssm.keep_f32} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x8x5xf32>
  %sum = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<8x4xbf16>) outs(%acc : tensor<2x8x5xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x5xf32>
  %c1 = ssm.causal_conv1d silu %sum, %cw : tensor<2x8x5xf32>, tensor<8x4xf32>
  %binit = linalg.generic {indexing_maps = [#bm, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bias : tensor<8xbf16>) outs(%e : tensor<2x8x5xf32>) {
  ^bb0(%v: bf16, %o: f32):
    %v32 = arith.extf %v : bf16 to f32
    linalg.yield %v32 : f32
  } -> tensor<2x8x5xf32>
  %biased = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<8x4xbf16>) outs(%binit : tensor<2x8x5xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x5xf32>
  %c2 = ssm.causal_conv1d silu %biased, %cw : tensor<2x8x5xf32>, tensor<8x4xf32>
  %logits = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<8x4xbf16>) outs(%init : tensor<2x8x5xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x5xf32>
  return %res, %c1, %c2, %logits : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>
}
