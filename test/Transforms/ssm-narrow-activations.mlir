// RUN: ssm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-narrow-activations))' | FileCheck %s
// RUN: ssm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ssm-narrow-activations{round-flips}))' | FileCheck %s --check-prefix=FLIPS

// One Vim direction of a bf16 model (%xz stands for in_proj's f32 output):
// the conv + SiLU stores bf16 (out_type), which x_proj reads without its
// rounding (the rounding of a bf16 value is exact, dropped) and the scan reads
// as u; the scan's output follows u (bf16), is flipped in bf16 and widened
// where the direction sum reads it. The residual add (ssm.keep_f32) and the
// result stay f32.
// CHECK-LABEL: func.func @vim_direction
// CHECK: %[[XC:.*]] = ssm.causal_conv1d silu %{{.*}}, %{{.*}} out_type(bf16) : tensor<2x8x5xf32>, tensor<8x4xf32>
// CHECK-NOT: arith.truncf
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[XC]] : tensor<2x8x5xbf16>) outs(%{{.*}} : tensor<2x8x5xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: bf16, %{{.*}}: f32):
// CHECK-NEXT:   arith.extf %[[A]] : bf16 to f32
// CHECK: %[[P:.*]] = linalg.generic {{.*}}"reduction"]} ins(%{{.*}}, %[[W]] : tensor<4x8xf32>, tensor<2x8x5xf32>)
// CHECK: %[[Y:.*]] = ssm.selective_scan %[[XC]], %{{.*}} z(%{{.*}} : tensor<2x8x5xf32>) delta_softplus : tensor<2x8x5xbf16>, tensor<2x8x5xf32>, tensor<8x2xf32>, tensor<2x2x5xf32>, tensor<2x2x5xf32>
// CHECK: %[[F:.*]] = ssm.flip %[[Y]] along 2 : tensor<2x8x5xbf16>
// CHECK: %[[WY:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x8x5xbf16>)
// CHECK: %[[WF:.*]] = linalg.generic {{.*}} ins(%[[F]] : tensor<2x8x5xbf16>)
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[WY]], %[[WF]] : tensor<2x8x5xf32>, tensor<2x8x5xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[S]] : tensor<2x8x5xf32>, tensor<2x8x5xf32>) outs(%{{.*}} : tensor<2x8x5xf32>) attrs = {ssm.keep_f32}
// CHECK: return %[[P]], %[[R]] : tensor<4x2x5xf32>, tensor<2x8x5xf32>
#id3 = affine_map<(b, d, l) -> (b, d, l)>
func.func @vim_direction(%xz: tensor<2x16x5xf32>, %w: tensor<8x4xf32>, %wx: tensor<4x8xf32>, %dt: tensor<2x8x5xf32>, %A: tensor<8x2xf32>, %B: tensor<2x2x5xf32>, %r: tensor<2x8x5xf32>) -> (tensor<4x2x5xf32>, tensor<2x8x5xf32>) attributes {ssm.activation_type = bf16} {
  %x = tensor.extract_slice %xz[0, 0, 0] [2, 8, 5] [1, 1, 1] : tensor<2x16x5xf32> to tensor<2x8x5xf32>
  %z = tensor.extract_slice %xz[0, 8, 0] [2, 8, 5] [1, 1, 1] : tensor<2x16x5xf32> to tensor<2x8x5xf32>
  %xc = ssm.causal_conv1d silu %x, %w : tensor<2x8x5xf32>, tensor<8x4xf32>
  // x_proj's operand, rounded by the builder (bf16Operand) and widened.
  %e16 = tensor.empty() : tensor<2x8x5xbf16>
  %x16 = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xc : tensor<2x8x5xf32>) outs(%e16 : tensor<2x8x5xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x8x5xbf16>
  %e32 = tensor.empty() : tensor<2x8x5xf32>
  %xw = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x16 : tensor<2x8x5xbf16>) outs(%e32 : tensor<2x8x5xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %t = arith.extf %a : bf16 to f32
    linalg.yield %t : f32
  } -> tensor<2x8x5xf32>
  %zero = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<4x2x5xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e4 : tensor<4x2x5xf32>) -> tensor<4x2x5xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(o, b, l, k) -> (o, k)>, affine_map<(o, b, l, k) -> (b, k, l)>, affine_map<(o, b, l, k) -> (o, b, l)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%wx, %xw : tensor<4x8xf32>, tensor<2x8x5xf32>) outs(%acc : tensor<4x2x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x2x5xf32>
  %y = ssm.selective_scan %xc, %dt, %A, %B, %B z(%z : tensor<2x8x5xf32>) delta_softplus : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x2xf32>, tensor<2x2x5xf32>, tensor<2x2x5xf32>
  %yr = ssm.flip %y along 2 : tensor<2x8x5xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y, %yr : tensor<2x8x5xf32>, tensor<2x8x5xf32>) outs(%e32 : tensor<2x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x8x5xf32>
  %res = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %sum : tensor<2x8x5xf32>, tensor<2x8x5xf32>) outs(%e32 : tensor<2x8x5xf32>) attrs = {ssm.keep_f32} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x8x5xf32>
  return %p, %res : tensor<4x2x5xf32>, tensor<2x8x5xf32>
}

// -----

// VMamba-style: an elementwise SiLU read by cross_scan is stored, so it gets
// a rounding (fused into it later); cross_scan and the scan follow in bf16;
// a scan whose output is returned keeps an f32 output (out_type(f32)).
// CHECK-LABEL: func.func @silu_cross_scan
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x4x2x3xf32>) outs(%{{.*}} : tensor<1x4x2x3xf32>)
// CHECK: math.exp
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<1x4x2x3xf32>) outs(%{{.*}} : tensor<1x4x2x3xbf16>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: bf16):
// CHECK-NEXT:   arith.truncf %[[A]] : f32 to bf16
// CHECK: %[[X:.*]] = ssm.cross_scan %[[R]] [row, col, row_rev, col_rev] : tensor<1x4x2x3xbf16>
// CHECK: %[[U:.*]] = tensor.collapse_shape %[[X]] {{.*}} : tensor<1x4x4x6xbf16> into tensor<1x16x6xbf16>
// CHECK: ssm.selective_scan %[[U]], {{.*}} out_type(f32) : tensor<1x16x6xbf16>, tensor<1x16x6xf32>,
#id4 = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @silu_cross_scan(%x: tensor<1x4x2x3xf32>, %dt: tensor<1x16x6xf32>, %A: tensor<16x1xf32>, %B: tensor<1x4x1x6xf32>) -> tensor<1x16x6xf32> attributes {ssm.activation_type = bf16} {
  %e = tensor.empty() : tensor<1x4x2x3xf32>
  %s = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x2x3xf32>) outs(%e : tensor<1x4x2x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %d = arith.addf %one, %ex : f32
    %r = arith.divf %a, %d : f32
    linalg.yield %r : f32
  } -> tensor<1x4x2x3xf32>
  %xs = ssm.cross_scan %s [row, col, row_rev, col_rev] : tensor<1x4x2x3xf32>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<1x4x4x6xf32> into tensor<1x16x6xf32>
  %y = ssm.selective_scan %u, %dt, %A, %B, %B : tensor<1x16x6xf32>, tensor<1x16x6xf32>, tensor<16x1xf32>, tensor<1x4x1x6xf32>, tensor<1x4x1x6xf32>
  return %y : tensor<1x16x6xf32>
}

// -----

// A value with a reader that cannot take bf16 without a kernel of its own
// (here a concatenation) stays f32, and so does its conv.
// CHECK-LABEL: func.func @concat_reader
// CHECK: ssm.causal_conv1d silu %{{.*}}, %{{.*}} : tensor<1x4x3xf32>, tensor<4x2xf32>
// CHECK-NOT: bf16
func.func @concat_reader(%x: tensor<1x4x3xf32>, %w: tensor<4x2xf32>) -> tensor<1x8x3xf32> attributes {ssm.activation_type = bf16} {
  %xc = ssm.causal_conv1d silu %x, %w : tensor<1x4x3xf32>, tensor<4x2xf32>
  %f = ssm.flip %xc along 2 : tensor<1x4x3xf32>
  %c = tensor.concat dim(1) %xc, %f : (tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<1x8x3xf32>
  return %c : tensor<1x8x3xf32>
}

// -----

// Without ssm.activation_type (f32 models) nothing changes.
// CHECK-LABEL: func.func @f32_model
// CHECK: ssm.causal_conv1d silu %{{.*}}, %{{.*}} : tensor<1x4x3xf32>, tensor<4x2xf32>
// CHECK-NOT: bf16
func.func @f32_model(%x: tensor<1x4x3xf32>, %w: tensor<4x2xf32>, %A: tensor<4x1xf32>, %B: tensor<1x1x3xf32>) -> tensor<1x4x3xf32> {
  %xc = ssm.causal_conv1d silu %x, %w : tensor<1x4x3xf32>, tensor<4x2xf32>
  %y = ssm.selective_scan %xc, %xc, %A, %B, %B : tensor<1x4x3xf32>, tensor<1x4x3xf32>, tensor<4x1xf32>, tensor<1x1x3xf32>, tensor<1x1x3xf32>
  %e = tensor.empty() : tensor<1x4x3xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, d, l) -> (b, d, l)>, affine_map<(b, d, l) -> (b, d, l)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y : tensor<1x4x3xf32>) outs(%e : tensor<1x4x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x4x3xf32>
  return %s : tensor<1x4x3xf32>
}

// -----

// round-flips (the GPU pipeline): the flipped gate of Vim's backward
// direction, an f32 flip read only by the scan, is rounded after the flip
// (the rounding fuses into the flip's copy kernel); without the option (and
// on the CPU, whose scan reads through flips) it stays f32.
// CHECK-LABEL: func.func @flipped_gate
// CHECK: %[[Z:.*]] = ssm.flip %arg1 along 2 : tensor<1x4x3xf32>
// CHECK: ssm.selective_scan {{.*}} z(%[[Z]] : tensor<1x4x3xf32>)
// FLIPS-LABEL: func.func @flipped_gate
// FLIPS: %[[Z:.*]] = ssm.flip %arg1 along 2 : tensor<1x4x3xf32>
// FLIPS: %[[R:.*]] = linalg.generic {{.*}} ins(%[[Z]] : tensor<1x4x3xf32>) outs(%{{.*}} : tensor<1x4x3xbf16>)
// FLIPS: arith.truncf
// FLIPS: ssm.selective_scan {{.*}} z(%[[R]] : tensor<1x4x3xbf16>)
func.func @flipped_gate(%x: tensor<1x4x3xf32>, %z: tensor<1x4x3xf32>, %w: tensor<4x2xf32>, %A: tensor<4x1xf32>, %B: tensor<1x1x3xf32>) -> tensor<1x4x3xbf16> attributes {ssm.activation_type = bf16} {
  %xc = ssm.causal_conv1d silu %x, %w out_type(bf16) : tensor<1x4x3xf32>, tensor<4x2xf32>
  %zr = ssm.flip %z along 2 : tensor<1x4x3xf32>
  %y = ssm.selective_scan %xc, %x, %A, %B, %B z(%zr : tensor<1x4x3xf32>) : tensor<1x4x3xbf16>, tensor<1x4x3xf32>, tensor<4x1xf32>, tensor<1x1x3xf32>, tensor<1x1x3xf32>
  return %y : tensor<1x4x3xbf16>
}
