// RUN: ssm-opt %s | ssm-opt | FileCheck %s
// RUN: ssm-opt %s --mlir-print-op-generic | ssm-opt | FileCheck %s

// One VMamba-T [s1l8] stage-0 SS2D core, forward_type v05_noz, channel-first
// (docs/semantics.md §5.3 steps 1-7, §2.4, §2.1, §3): in_proj, depthwise 3x3
// conv + SiLU, cross-scan, per-direction x_proj / dt_proj, grouped selective
// scan (G = 4), cross-merge, out_norm (LayerNorm over channels), out_proj.
// C = 96, E = 96 (ssm_ratio 1), N = 1, R = 6, K = 4, H = W = 56, L = 3136,
// batch 1, f32. The block's LN2d (step 1) and residual/MLP (12-13) are not here.
//
// Arguments (checkpoint names of §5.5, prefix layers.0.blocks.{j}.op.):
//   %n        (1,96,56,56)  block input after LN2d (step 1)
//   %W_in     (96,96)       in_proj.weight [E,C], a 1x1 conv, no bias
//   %conv_w   (96,3,3)      conv2d.weight [E,1,3,3] with the 1 dropped, no bias
//   %W_x      (4,8,96)      x_proj_weight [K,R+2N,E] (rows 0..5 dt, 6 B, 7 C)
//   %W_dt     (4,96,6)      dt_projs_weight [K,E,R]
//   %dt_bias  (4,96)        dt_projs_bias [K,E] (viewed as (4E) = 384 for the scan)
//   %A_logs   (384,1)       A_logs [K*E,N]
//   %Ds       (384)         Ds [K*E]
//   %on_w     (96)          out_norm.weight
//   %on_b     (96)          out_norm.bias
//   %W_out    (96,96)       out_proj.weight [C,E], a 1x1 conv, no bias
// Result: (1,96,56,56), the SS2D output before the residual add.

// CHECK-LABEL: func.func @vmamba_tiny_ss2d
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[DW:[^ ]+]] = linalg.depthwise_conv_2d_nchw_chw
// CHECK: %[[ACT:[^ ]+]] = linalg.generic {{.*}} ins(%[[DW]] : tensor<1x96x56x56xf32>)
// CHECK: math.exp
// CHECK: %[[XS:[^ ]+]] = ssm.cross_scan %[[ACT]] [row, col, row_rev, col_rev] : tensor<1x96x56x56xf32>
// CHECK: %[[BS:[^ ]+]] = tensor.extract_slice %{{.*}}[0, 0, 6, 0] [1, 4, 1, 3136] [1, 1, 1, 1]
// CHECK: %[[CS:[^ ]+]] = tensor.extract_slice %{{.*}}[0, 0, 7, 0] [1, 4, 1, 3136] [1, 1, 1, 1]
// CHECK: %[[DRAW:[^ ]+]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3]] : tensor<1x4x96x3136xf32> into tensor<1x384x3136xf32>
// CHECK: %[[U:[^ ]+]] = tensor.collapse_shape %[[XS]] {{\[}}[0], [1, 2], [3]] : tensor<1x4x96x3136xf32> into tensor<1x384x3136xf32>
// CHECK: math.exp
// CHECK: %[[YS:[^ ]+]] = ssm.selective_scan %[[U]], %[[DRAW]], %{{.*}}, %[[BS]], %[[CS]] D(%{{.*}} : tensor<384xf32>) delta_bias(%{{.*}} : tensor<384xf32>) delta_softplus : tensor<1x384x3136xf32>, tensor<1x384x3136xf32>, tensor<384x1xf32>, tensor<1x4x1x3136xf32>, tensor<1x4x1x3136xf32>
// CHECK: %[[YS4:[^ ]+]] = tensor.expand_shape %[[YS]] {{\[}}[0], [1, 2], [3]] output_shape [1, 4, 96, 3136] : tensor<1x384x3136xf32> into tensor<1x4x96x3136xf32>
// CHECK: %{{.*}} = ssm.cross_merge %[[YS4]] [row, col, row_rev, col_rev] height 56 width 56 : tensor<1x4x96x3136xf32>
// CHECK: math.rsqrt
// CHECK: return %{{.*}} : tensor<1x96x56x56xf32>

// 1x1 conv: out[b,o,h,w] = sum_i W[o,i] * x[b,i,h,w]
#pw_w   = affine_map<(b, o, h, w, i) -> (o, i)>
#pw_x   = affine_map<(b, o, h, w, i) -> (b, i, h, w)>
#pw_o   = affine_map<(b, o, h, w, i) -> (b, o, h, w)>
#id4    = affine_map<(b, c, h, w) -> (b, c, h, w)>
#pix4   = affine_map<(b, c, h, w) -> (b, h, w)>
#ch4    = affine_map<(b, c, h, w) -> (c)>
#id2    = affine_map<(i, j) -> (i, j)>
// per-direction projection: out[b,k,o,l] = sum_i W[k,o,i] * v[b,k,i,l]
#kp_w   = affine_map<(b, k, o, l, i) -> (k, o, i)>
#kp_v   = affine_map<(b, k, o, l, i) -> (b, k, i, l)>
#kp_o   = affine_map<(b, k, o, l, i) -> (b, k, o, l)>

func.func @vmamba_tiny_ss2d(
    %n: tensor<1x96x56x56xf32>, %W_in: tensor<96x96xf32>, %conv_w: tensor<96x3x3xf32>,
    %W_x: tensor<4x8x96xf32>, %W_dt: tensor<4x96x6xf32>, %dt_bias: tensor<4x96xf32>,
    %A_logs: tensor<384x1xf32>, %Ds: tensor<384xf32>,
    %on_w: tensor<96xf32>, %on_b: tensor<96xf32>, %W_out: tensor<96x96xf32>)
    -> tensor<1x96x56x56xf32> {
  %zero = arith.constant 0.0 : f32
  %e_img = tensor.empty() : tensor<1x96x56x56xf32>
  %z_img = linalg.fill ins(%zero : f32) outs(%e_img : tensor<1x96x56x56xf32>) -> tensor<1x96x56x56xf32>

  // 2. a = in_proj(n), 1x1 conv C -> E, no bias.
  %a = linalg.generic {indexing_maps = [#pw_w, #pw_x, #pw_o],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%W_in, %n : tensor<96x96xf32>, tensor<1x96x56x56xf32>)
      outs(%z_img : tensor<1x96x56x56xf32>) {
  ^bb0(%w: f32, %x: f32, %acc: f32):
    %p = arith.mulf %w, %x : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x96x56x56xf32>

  // 3. a = silu(DWConv3x3(a)), groups = E, padding 1, no bias.
  %apad = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x96x56x56xf32> to tensor<1x96x58x58xf32>
  %dw = linalg.depthwise_conv_2d_nchw_chw
      {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%apad, %conv_w : tensor<1x96x58x58xf32>, tensor<96x3x3xf32>)
      outs(%z_img : tensor<1x96x56x56xf32>) -> tensor<1x96x56x56xf32>
  %act = linalg.generic {indexing_maps = [#id4, #id4],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dw : tensor<1x96x56x56xf32>) outs(%e_img : tensor<1x96x56x56xf32>) {
  ^bb0(%x: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %nx = arith.negf %x : f32
    %ex = math.exp %nx : f32
    %den = arith.addf %one, %ex : f32
    %y = arith.divf %x, %den : f32
    linalg.yield %y : f32
  } -> tensor<1x96x56x56xf32>

  // 4. xs = CrossScan(a): (1, 4, E, L).
  %xs = ssm.cross_scan %act [row, col, row_rev, col_rev] : tensor<1x96x56x56xf32>

  // 5. x_dbl[k] = W_x[k] . xs[:, k]: (1, 4, R+2N, L).
  %e_dbl = tensor.empty() : tensor<1x4x8x3136xf32>
  %z_dbl = linalg.fill ins(%zero : f32) outs(%e_dbl : tensor<1x4x8x3136xf32>) -> tensor<1x4x8x3136xf32>
  %xdbl = linalg.generic {indexing_maps = [#kp_w, #kp_v, #kp_o],
                          iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%W_x, %xs : tensor<4x8x96xf32>, tensor<1x4x96x3136xf32>)
      outs(%z_dbl : tensor<1x4x8x3136xf32>) {
  ^bb0(%w: f32, %x: f32, %acc: f32):
    %p = arith.mulf %w, %x : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x3136xf32>

  // 6. split (order dt, B, C).
  %dts = tensor.extract_slice %xdbl[0, 0, 0, 0] [1, 4, 6, 3136] [1, 1, 1, 1]
      : tensor<1x4x8x3136xf32> to tensor<1x4x6x3136xf32>
  %Bs = tensor.extract_slice %xdbl[0, 0, 6, 0] [1, 4, 1, 3136] [1, 1, 1, 1]
      : tensor<1x4x8x3136xf32> to tensor<1x4x1x3136xf32>
  %Cs = tensor.extract_slice %xdbl[0, 0, 7, 0] [1, 4, 1, 3136] [1, 1, 1, 1]
      : tensor<1x4x8x3136xf32> to tensor<1x4x1x3136xf32>

  // 7. delta_raw[k] = W_dt[k] . dts[:, k] (no bias), viewed as (1, 4E, L).
  %e_d4 = tensor.empty() : tensor<1x4x96x3136xf32>
  %z_d4 = linalg.fill ins(%zero : f32) outs(%e_d4 : tensor<1x4x96x3136xf32>) -> tensor<1x4x96x3136xf32>
  %draw4 = linalg.generic {indexing_maps = [#kp_w, #kp_v, #kp_o],
                           iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%W_dt, %dts : tensor<4x96x6xf32>, tensor<1x4x6x3136xf32>)
      outs(%z_d4 : tensor<1x4x96x3136xf32>) {
  ^bb0(%w: f32, %x: f32, %acc: f32):
    %p = arith.mulf %w, %x : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x96x3136xf32>
  %draw = tensor.collapse_shape %draw4 [[0], [1, 2], [3]]
      : tensor<1x4x96x3136xf32> into tensor<1x384x3136xf32>

  // 8. ys = SelScan(u = xs.view(1, 4E, L), delta_raw, A = -exp(A_logs), Bs, Cs
  //    [G = 4], D = Ds, z = None, delta_bias = dt_bias.view(4E), softplus).
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]]
      : tensor<1x4x96x3136xf32> into tensor<1x384x3136xf32>
  %bias = tensor.collapse_shape %dt_bias [[0, 1]] : tensor<4x96xf32> into tensor<384xf32>
  %e_A = tensor.empty() : tensor<384x1xf32>
  %A = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%A_logs : tensor<384x1xf32>) outs(%e_A : tensor<384x1xf32>) {
  ^bb0(%al: f32, %o: f32):
    %ex = math.exp %al : f32
    %neg = arith.negf %ex : f32
    linalg.yield %neg : f32
  } -> tensor<384x1xf32>
  %ys = ssm.selective_scan %u, %draw, %A, %Bs, %Cs D(%Ds : tensor<384xf32>)
      delta_bias(%bias : tensor<384xf32>) delta_softplus
      : tensor<1x384x3136xf32>, tensor<1x384x3136xf32>, tensor<384x1xf32>,
        tensor<1x4x1x3136xf32>, tensor<1x4x1x3136xf32>

  // 9. y = CrossMerge(ys.view(1, 4, E, L)): (1, E, H, W).
  %ys4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [1, 4, 96, 3136]
      : tensor<1x384x3136xf32> into tensor<1x4x96x3136xf32>
  %y = ssm.cross_merge %ys4 [row, col, row_rev, col_rev] height 56 width 56
      : tensor<1x4x96x3136xf32>

  // 10. out_norm: LayerNorm over the E channels of each pixel, eps 1e-5, affine
  //     (biased variance).
  %e_pix = tensor.empty() : tensor<1x56x56xf32>
  %z_pix = linalg.fill ins(%zero : f32) outs(%e_pix : tensor<1x56x56xf32>) -> tensor<1x56x56xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #pix4],
                         iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%y : tensor<1x96x56x56xf32>) outs(%z_pix : tensor<1x56x56xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  } -> tensor<1x56x56xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(b, h, w) -> (b, h, w)>,
                                           affine_map<(b, h, w) -> (b, h, w)>],
                          iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sum : tensor<1x56x56xf32>) outs(%e_pix : tensor<1x56x56xf32>) {
  ^bb0(%s: f32, %o: f32):
    %cnt = arith.constant 96.0 : f32
    %m = arith.divf %s, %cnt : f32
    linalg.yield %m : f32
  } -> tensor<1x56x56xf32>
  %sqsum = linalg.generic {indexing_maps = [#id4, #pix4, #pix4],
                           iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%y, %mean : tensor<1x96x56x56xf32>, tensor<1x56x56xf32>)
      outs(%z_pix : tensor<1x56x56xf32>) {
  ^bb0(%x: f32, %m: f32, %acc: f32):
    %d = arith.subf %x, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %acc, %d2 : f32
    linalg.yield %s : f32
  } -> tensor<1x56x56xf32>
  %yn = linalg.generic {indexing_maps = [#id4, #pix4, #pix4, #ch4, #ch4, #id4],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %mean, %sqsum, %on_w, %on_b
          : tensor<1x96x56x56xf32>, tensor<1x56x56xf32>, tensor<1x56x56xf32>,
            tensor<96xf32>, tensor<96xf32>)
      outs(%e_img : tensor<1x96x56x56xf32>) {
  ^bb0(%x: f32, %m: f32, %ss: f32, %g: f32, %bb: f32, %o: f32):
    %cnt = arith.constant 96.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    %var = arith.divf %ss, %cnt : f32
    %ve = arith.addf %var, %eps : f32
    %rstd = math.rsqrt %ve : f32
    %d = arith.subf %x, %m : f32
    %xh = arith.mulf %d, %rstd : f32
    %sc = arith.mulf %xh, %g : f32
    %r = arith.addf %sc, %bb : f32
    linalg.yield %r : f32
  } -> tensor<1x96x56x56xf32>

  // 11. o = out_proj(y), 1x1 conv E -> C, no bias.
  %o = linalg.generic {indexing_maps = [#pw_w, #pw_x, #pw_o],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%W_out, %yn : tensor<96x96xf32>, tensor<1x96x56x56xf32>)
      outs(%z_img : tensor<1x96x56x56xf32>) {
  ^bb0(%w: f32, %x: f32, %acc: f32):
    %p = arith.mulf %w, %x : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x96x56x56xf32>

  return %o : tensor<1x96x56x56xf32>
}
