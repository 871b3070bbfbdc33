// RUN: ssm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-narrow-activations{narrow-contractions}))' | FileCheck %s

// Readers that only move data pass the 16-bit type through when their own
// readers take it. Each case is a zero-init GEMM (y[b, n, l] = w[n, k] x[b,
// l, k]) whose result is narrowed (narrow-contractions) or kept f32.

// A zero pad in front of a depthwise conv (VMamba's in_proj, NCHW): the GEMM
// result is rounded, reshaped and padded in bf16 (with a bf16 zero), and the
// conv reads the bf16 tensor (its body widens it) into its f32 output.
// CHECK-LABEL: func.func @pad_conv
// CHECK: %[[Y:.*]] = linalg.generic {{.*}}"reduction"]} {{.*}} outs(%{{.*}} : tensor<2x8x16xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x8x16xf32>) outs(%{{.*}} : tensor<2x8x16xbf16>)
// CHECK: %[[X:.*]] = tensor.expand_shape %[[R]] {{.*}} into tensor<2x8x4x4xbf16>
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : bf16
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[Z]] : bf16
// CHECK: } : tensor<2x8x4x4xbf16> to tensor<2x8x6x6xbf16>
// CHECK: %[[C:.*]] = linalg.depthwise_conv_2d_nchw_chw {{.*}} ins(%[[P]], %{{.*}} : tensor<2x8x6x6xbf16>, tensor<8x3x3xf32>) outs(%{{.*}} : tensor<2x8x4x4xf32>)
// CHECK: return %[[C]]
#x = affine_map<(b, n, l, k) -> (b, l, k)>
#w = affine_map<(b, n, l, k) -> (n, k)>
#y = affine_map<(b, n, l, k) -> (b, n, l)>
func.func @pad_conv(%x: tensor<2x16x4xbf16>, %w: tensor<8x4xbf16>, %cw: tensor<8x3x3xf32>) -> tensor<2x8x4x4xf32> attributes {ssm.activation_type = bf16} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x16x4xbf16>, tensor<8x4xbf16>) outs(%init : tensor<2x8x16xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x16xf32>
  %img = tensor.expand_shape %y [[0], [1], [2, 3]] output_shape [2, 8, 4, 4] : tensor<2x8x16xf32> into tensor<2x8x4x4xf32>
  %padded = tensor.pad %img low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x8x4x4xf32> to tensor<2x8x6x6xf32>
  %ce = tensor.empty() : tensor<2x8x4x4xf32>
  %cinit = linalg.fill ins(%zero : f32) outs(%ce : tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%padded, %cw : tensor<2x8x6x6xf32>, tensor<8x3x3xf32>) outs(%cinit : tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  return %c : tensor<2x8x4x4xf32>
}

// -----

// Kept f32: a pad whose value is not zero, and a zero pad whose result is a
// function result.
// CHECK-LABEL: func.func @pad_kept
// CHECK-NOT: arith.truncf
// CHECK: tensor.yield %{{.*}} : f32
// CHECK-NOT: arith.truncf
// CHECK: tensor.yield %{{.*}} : f32
// CHECK: return
#x = affine_map<(b, n, l, k) -> (b, l, k)>
#w = affine_map<(b, n, l, k) -> (n, k)>
#y = affine_map<(b, n, l, k) -> (b, n, l)>
func.func @pad_kept(%x: tensor<2x16x4xbf16>, %w: tensor<8x4xbf16>, %cw: tensor<8x3x3xf32>) -> (tensor<2x8x4x4xf32>, tensor<2x8x18xf32>) attributes {ssm.activation_type = bf16} {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x16x4xbf16>, tensor<8x4xbf16>) outs(%init : tensor<2x8x16xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x16xf32>
  %img = tensor.expand_shape %y [[0], [1], [2, 3]] output_shape [2, 8, 4, 4] : tensor<2x8x16xf32> into tensor<2x8x4x4xf32>
  %padded = tensor.pad %img low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<2x8x4x4xf32> to tensor<2x8x6x6xf32>
  %ce = tensor.empty() : tensor<2x8x4x4xf32>
  %cinit = linalg.fill ins(%zero : f32) outs(%ce : tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %c = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%padded, %cw : tensor<2x8x6x6xf32>, tensor<8x3x3xf32>) outs(%cinit : tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
  %y2 = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x16x4xbf16>, tensor<8x4xbf16>) outs(%init : tensor<2x8x16xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x16xf32>
  %p2 = tensor.pad %y2 low[0, 0, 1] high[0, 0, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<2x8x16xf32> to tensor<2x8x18xf32>
  return %c, %p2 : tensor<2x8x4x4xf32>, tensor<2x8x18xf32>
}

// -----

// MambaOut's fc1 (NHWC): slices of the result feed the gate, the depthwise
// conv (through a zero pad) and a concat with the conv's f32 output, read by
// the gate. The GEMM stores bf16; the concat's bf16 piece is widened where
// the concat is built, which ssm-split-concat-consumers folds into the
// gate's per-piece generics; the pad and conv read bf16.
// CHECK-LABEL: func.func @concat_piece
// CHECK: %[[Y:.*]] = linalg.generic {{.*}}"reduction"]} {{.*}} outs(%{{.*}} : tensor<2x4x4x12xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x4x4x12xf32>) outs(%{{.*}} : tensor<2x4x4x12xbf16>)
// CHECK: %[[G:.*]] = tensor.extract_slice %[[R]][0, 0, 0, 0] [2, 4, 4, 6] [1, 1, 1, 1] : tensor<2x4x4x12xbf16> to tensor<2x4x4x6xbf16>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[R]][0, 0, 0, 9] [2, 4, 4, 3] [1, 1, 1, 1] : tensor<2x4x4x12xbf16> to tensor<2x4x4x3xbf16>
// CHECK: tensor.pad %[[S]]
// CHECK: } : tensor<2x4x4x3xbf16> to tensor<2x10x10x3xbf16>
// CHECK: %[[C:.*]] = linalg.depthwise_conv_2d_nhwc_hwc {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x10x10x3xbf16>, tensor<7x7x3xf32>) outs(%{{.*}} : tensor<2x4x4x3xf32>)
// CHECK: %[[I:.*]] = tensor.extract_slice %[[R]][0, 0, 0, 6] [2, 4, 4, 3] [1, 1, 1, 1] : tensor<2x4x4x12xbf16> to tensor<2x4x4x3xbf16>
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[I]] : tensor<2x4x4x3xbf16>) outs(%{{.*}} : tensor<2x4x4x3xf32>)
// CHECK: %[[CAT:.*]] = tensor.concat dim(3) %[[W]], %[[C]] : (tensor<2x4x4x3xf32>, tensor<2x4x4x3xf32>) -> tensor<2x4x4x6xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[CAT]] : tensor<2x4x4x6xf32>, tensor<2x4x4x6xf32>)
#x = affine_map<(b, h, w, n, k) -> (b, h, w, k)>
#w = affine_map<(b, h, w, n, k) -> (n, k)>
#y = affine_map<(b, h, w, n, k) -> (b, h, w, n)>
#id = affine_map<(b, h, w, c) -> (b, h, w, c)>
func.func @concat_piece(%x: tensor<2x4x4x8xbf16>, %w: tensor<12x8xbf16>, %cw: tensor<7x7x3xf32>) -> tensor<2x4x4x6xf32> attributes {ssm.activation_type = bf16} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x12xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x4x12xf32>) -> tensor<2x4x4x12xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x4x4x8xbf16>, tensor<12x8xbf16>) outs(%init : tensor<2x4x4x12xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x4x12xf32>
  %g = tensor.extract_slice %y[0, 0, 0, 0] [2, 4, 4, 6] [1, 1, 1, 1] : tensor<2x4x4x12xf32> to tensor<2x4x4x6xf32>
  %s = tensor.extract_slice %y[0, 0, 0, 9] [2, 4, 4, 3] [1, 1, 1, 1] : tensor<2x4x4x12xf32> to tensor<2x4x4x3xf32>
  %padded = tensor.pad %s low[0, 3, 3, 0] high[0, 3, 3, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x4x4x3xf32> to tensor<2x10x10x3xf32>
  %ce = tensor.empty() : tensor<2x4x4x3xf32>
  %cinit = linalg.fill ins(%zero : f32) outs(%ce : tensor<2x4x4x3xf32>) -> tensor<2x4x4x3xf32>
  %c = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%padded, %cw : tensor<2x10x10x3xf32>, tensor<7x7x3xf32>) outs(%cinit : tensor<2x4x4x3xf32>) -> tensor<2x4x4x3xf32>
  %i = tensor.extract_slice %y[0, 0, 0, 6] [2, 4, 4, 3] [1, 1, 1, 1] : tensor<2x4x4x12xf32> to tensor<2x4x4x3xf32>
  %cat = tensor.concat dim(3) %i, %c : (tensor<2x4x4x3xf32>, tensor<2x4x4x3xf32>) -> tensor<2x4x4x6xf32>
  %oe = tensor.empty() : tensor<2x4x4x6xf32>
  %out = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g, %cat : tensor<2x4x4x6xf32>, tensor<2x4x4x6xf32>) outs(%oe : tensor<2x4x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x4x4x6xf32>
  return %out : tensor<2x4x4x6xf32>
}

// -----

// Kept f32: a concat that ssm-split-concat-consumers would not split (read
// by a scan-like op that is not a generic: here the causal conv).
// CHECK-LABEL: func.func @concat_kept
// CHECK-NOT: arith.truncf
// CHECK: tensor.concat dim(1) %{{.*}}, %{{.*}} : (tensor<2x4x5xf32>, tensor<2x4x5xf32>) -> tensor<2x8x5xf32>
#x = affine_map<(b, n, l, k) -> (b, l, k)>
#w = affine_map<(b, n, l, k) -> (n, k)>
#y = affine_map<(b, n, l, k) -> (b, n, l)>
func.func @concat_kept(%x: tensor<2x5x4xbf16>, %w: tensor<4x4xbf16>, %o: tensor<2x4x5xf32>, %cw: tensor<8x4xf32>) -> tensor<2x8x5xf32> attributes {ssm.activation_type = bf16} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x5xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x5xf32>) -> tensor<2x4x5xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<4x4xbf16>) outs(%init : tensor<2x4x5xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x5xf32>
  %cat = tensor.concat dim(1) %y, %o : (tensor<2x4x5xf32>, tensor<2x4x5xf32>) -> tensor<2x8x5xf32>
  %c = ssm.causal_conv1d silu %cat, %cw : tensor<2x8x5xf32>, tensor<8x4xf32>
  return %c : tensor<2x8x5xf32>
}

// -----

// Transposes: a linalg.transpose and a permuting copy generic, each read by
// a causal conv, write fresh bf16 tensors (their inits and bodies retyped).
// CHECK-LABEL: func.func @transposes
// CHECK: %[[R:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x5x8xbf16>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8x5xbf16>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[R]] : tensor<2x5x8xbf16>) outs(%[[E]] : tensor<2x8x5xbf16>)
// CHECK: ssm.causal_conv1d silu %[[T]], %{{.*}} : tensor<2x8x5xbf16>
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<2x8x5xbf16>
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<2x5x8xbf16>) outs(%[[E2]] : tensor<2x8x5xbf16>)
// CHECK-NEXT: ^bb0(%{{.*}}: bf16, %{{.*}}: bf16):
// CHECK: ssm.causal_conv1d silu %[[P]], %{{.*}} : tensor<2x8x5xbf16>
#x = affine_map<(b, l, n, k) -> (b, l, k)>
#w = affine_map<(b, l, n, k) -> (n, k)>
#y = affine_map<(b, l, n, k) -> (b, l, n)>
#in = affine_map<(b, c, l) -> (b, l, c)>
#out = affine_map<(b, c, l) -> (b, c, l)>
func.func @transposes(%x: tensor<2x5x4xbf16>, %w: tensor<8x4xbf16>, %cw: tensor<8x4xf32>) -> (tensor<2x8x5xf32>, tensor<2x8x5xf32>) attributes {ssm.activation_type = bf16} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<8x4xbf16>) outs(%init : tensor<2x5x8xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5x8xf32>
  %te = tensor.empty() : tensor<2x8x5xf32>
  %t = linalg.transpose ins(%y : tensor<2x5x8xf32>) outs(%te : tensor<2x8x5xf32>) permutation = [0, 2, 1]
  %c1 = ssm.causal_conv1d silu %t, %cw : tensor<2x8x5xf32>, tensor<8x4xf32>
  %p = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y : tensor<2x5x8xf32>) outs(%te : tensor<2x8x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x8x5xf32>
  %c2 = ssm.causal_conv1d silu %p, %cw : tensor<2x8x5xf32>, tensor<8x4xf32>
  return %c1, %c2 : tensor<2x8x5xf32>, tensor<2x8x5xf32>
}

// -----

// Kept: a transpose whose result is a function result keeps the GEMM f32; a
// permuting copy whose result is returned reads the narrowed GEMM result
// through a widening (fused into it) when the GEMM is narrowed for another
// reader.
// CHECK-LABEL: func.func @transposes_kept
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x5x8xf32>) outs(%{{.*}} : tensor<2x8x5xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x5x8xbf16>)
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<2x5x8xbf16>) outs(%{{.*}} : tensor<2x5x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[W]] : tensor<2x5x8xf32>) outs(%{{.*}} : tensor<2x8x5xf32>)
#x = affine_map<(b, l, n, k) -> (b, l, k)>
#w = affine_map<(b, l, n, k) -> (n, k)>
#y = affine_map<(b, l, n, k) -> (b, l, n)>
#in = affine_map<(b, c, l) -> (b, l, c)>
#out = affine_map<(b, c, l) -> (b, c, l)>
func.func @transposes_kept(%x: tensor<2x5x4xbf16>, %w: tensor<8x4xbf16>, %cw: tensor<5x4xf32>) -> (tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x5x8xf32>) attributes {ssm.activation_type = bf16} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %y = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<8x4xbf16>) outs(%init : tensor<2x5x8xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5x8xf32>
  %te = tensor.empty() : tensor<2x8x5xf32>
  %t = linalg.transpose ins(%y : tensor<2x5x8xf32>) outs(%te : tensor<2x8x5xf32>) permutation = [0, 2, 1]
  %y2 = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x5x4xbf16>, tensor<8x4xbf16>) outs(%init : tensor<2x5x8xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5x8xf32>
  %p = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y2 : tensor<2x5x8xf32>) outs(%te : tensor<2x8x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x8x5xf32>
  %c = ssm.causal_conv1d silu %y2, %cw : tensor<2x5x8xf32>, tensor<5x4xf32>
  return %t, %p, %c : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x5x8xf32>
}
