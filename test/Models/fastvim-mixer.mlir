// RUN: ssm-opt %s | ssm-opt | FileCheck %s
// RUN: ssm-opt %s --mlir-print-op-generic | ssm-opt | FileCheck %s

// One FastVim-T mixer on an even layer, default non-fused path
// (docs/semantics.md §6.3 steps 2-6, §2.1, §2.3, §2.6): in_proj, per
// direction causal conv over the full sequence, mean pool over each row
// (cols = 14), x_proj / dt_proj on the pooled tokens, selective scan over the 14 rows (no D, no z), broadcast back,
// D-skip on the un-pooled conv output; backward direction on flip_L(x);
// LayerNorm_E((y_f + flip(y_b)) / 2), gate silu(z), out_proj.
// rows = cols = 14, L = 196, D = 192, E = 384, N = 16, R = 12, W = 4, batch 1,
// f32, scaling_factor 1. The fused add + RMSNorm before the mixer is not here.
//
// Arguments (checkpoint names of §6.4, prefix layers.{i}.mixer.):
//   %u        (1,196,192)  mixer input (already RMSNorm'ed), row-major tokens
//   %W_in     (768,192)    in_proj.weight (rows 0..383 -> x, 384..767 -> z)
//   %conv_w   (384,4)      conv1d.weight, [384,1,4] with the 1 dropped
//   %conv_b   (384)        conv1d.bias
//   %W_x      (44,384)     x_proj.weight (rows 0..11 dt, 12..27 B, 28..43 C)
//   %W_dt     (384,12)     dt_proj.weight
//   %b_dt     (384)        dt_proj.bias (passed to the scan as delta_bias)
//   %A_log    (384,16)     A_log
//   %D        (384)        D
//   %conv_w_b (384,4)      conv1d_b.weight, [384,1,4] with the 1 dropped
//   %conv_b_b (384)        conv1d_b.bias
//   %W_x_b    (44,384)     x_proj_b.weight
//   %W_dt_b   (384,12)     dt_proj_b.weight
//   %b_dt_b   (384)        dt_proj_b.bias
//   %A_b_log  (384,16)     A_b_log
//   %D_b      (384)        D_b
//   %ln_w     (384)        layernorm.weight
//   %ln_b     (384)        layernorm.bias
//   %W_out    (192,384)    out_proj.weight
// Result: o (1,196,192).

// CHECK-LABEL: func.func @fastvim_tiny_mixer_even
// CHECK: %[[X:[^ ]+]] = tensor.extract_slice %{{.*}}[0, 0, 0] [1, 384, 196] [1, 1, 1] : tensor<1x768x196xf32> to tensor<1x384x196xf32>
// CHECK: %[[Z:[^ ]+]] = tensor.extract_slice %{{.*}}[0, 384, 0] [1, 384, 196] [1, 1, 1] : tensor<1x768x196xf32> to tensor<1x384x196xf32>
// Forward direction.
// CHECK: %[[XC:[^ ]+]] = ssm.causal_conv1d silu %[[X]], %{{.*}} bias(%{{.*}} : tensor<384xf32>) : tensor<1x384x196xf32>, tensor<384x4xf32>
// CHECK: %[[P:[^ ]+]] = ssm.axis_pool mean %[[XC]] cols 14 : tensor<1x384x196xf32>
// CHECK: math.exp
// CHECK: %[[S:[^ ]+]] = ssm.selective_scan %[[P]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} delta_bias(%{{.*}} : tensor<384xf32>) delta_softplus : tensor<1x384x14xf32>, tensor<1x384x14xf32>, tensor<384x16xf32>, tensor<1x16x14xf32>, tensor<1x16x14xf32>
// CHECK: %[[SB:[^ ]+]] = ssm.axis_broadcast %[[S]] cols 14 : tensor<1x384x14xf32>
// CHECK: %[[YF:[^ ]+]] = linalg.generic {{.*}} ins(%[[SB]], %{{.*}}, %[[XC]] : tensor<1x384x196xf32>, tensor<384xf32>, tensor<1x384x196xf32>)
// Backward direction on flip_L(x), flipped back.
// CHECK: %[[XR:[^ ]+]] = ssm.flip %[[X]] along 2 : tensor<1x384x196xf32>
// CHECK: %[[XCB:[^ ]+]] = ssm.causal_conv1d silu %[[XR]], %{{.*}} bias(%{{.*}} : tensor<384xf32>) : tensor<1x384x196xf32>, tensor<384x4xf32>
// CHECK: %[[PB:[^ ]+]] = ssm.axis_pool mean %[[XCB]] cols 14 : tensor<1x384x196xf32>
// CHECK: math.exp
// CHECK: %[[SBK:[^ ]+]] = ssm.selective_scan %[[PB]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} delta_bias(%{{.*}} : tensor<384xf32>) delta_softplus : tensor<1x384x14xf32>, tensor<1x384x14xf32>, tensor<384x16xf32>, tensor<1x16x14xf32>, tensor<1x16x14xf32>
// CHECK: %[[SBB:[^ ]+]] = ssm.axis_broadcast %[[SBK]] cols 14 : tensor<1x384x14xf32>
// CHECK: %[[YB:[^ ]+]] = linalg.generic {{.*}} ins(%[[SBB]], %{{.*}}, %[[XCB]] : tensor<1x384x196xf32>, tensor<384xf32>, tensor<1x384x196xf32>)
// CHECK: %[[YBF:[^ ]+]] = ssm.flip %[[YB]] along 2 : tensor<1x384x196xf32>
// (y_f + flip(y_b)) / 2, LayerNorm_E, gate silu(z), out_proj.
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: linalg.generic {{.*}} ins(%[[YF]], %[[YBF]] : tensor<1x384x196xf32>, tensor<1x384x196xf32>)
// CHECK: math.rsqrt
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[Z]] : tensor<1x196x384xf32>, tensor<1x384x196xf32>)
// CHECK: return %{{.*}} : tensor<1x196x192xf32>

#id3     = affine_map<(b, c, l) -> (b, c, l)>
#ch3     = affine_map<(b, c, l) -> (c)>
#id2     = affine_map<(i, j) -> (i, j)>
// projections into channel-first: out[b,c,l] = sum_k W[c,k] * v[b,k,l]
#mm_w    = affine_map<(b, c, l, k) -> (c, k)>
#mm_u_cl = affine_map<(b, c, l, k) -> (b, l, k)>
#mm_v_cf = affine_map<(b, c, l, k) -> (b, k, l)>
#mm_o_cf = affine_map<(b, c, l, k) -> (b, c, l)>
// token-major (b, l, e) iteration over channel-first (b, e, l) data
#tok_cf  = affine_map<(b, l, e) -> (b, e, l)>
#tok_cl  = affine_map<(b, l, e) -> (b, l, e)>
#tok_row = affine_map<(b, l, e) -> (b, l)>
#tok_ch  = affine_map<(b, l, e) -> (e)>
// o[b,l,d] = sum_e g[b,l,e] * W_out[d,e]
#op_g    = affine_map<(b, l, d, e) -> (b, l, e)>
#op_w    = affine_map<(b, l, d, e) -> (d, e)>
#op_o    = affine_map<(b, l, d, e) -> (b, l, d)>

func.func @fastvim_tiny_mixer_even(
    %u: tensor<1x196x192xf32>, %W_in: tensor<768x192xf32>,
    %conv_w: tensor<384x4xf32>, %conv_b: tensor<384xf32>,
    %W_x: tensor<44x384xf32>, %W_dt: tensor<384x12xf32>, %b_dt: tensor<384xf32>,
    %A_log: tensor<384x16xf32>, %D: tensor<384xf32>,
    %conv_w_b: tensor<384x4xf32>, %conv_b_b: tensor<384xf32>,
    %W_x_b: tensor<44x384xf32>, %W_dt_b: tensor<384x12xf32>, %b_dt_b: tensor<384xf32>,
    %A_b_log: tensor<384x16xf32>, %D_b: tensor<384xf32>,
    %ln_w: tensor<384xf32>, %ln_b: tensor<384xf32>,
    %W_out: tensor<192x384xf32>) -> tensor<1x196x192xf32> {
  %zero = arith.constant 0.0 : f32

  // 3. xz = W_in . u^T, channel-first (1, 2E, L); x = xz[:, :E], z = xz[:, E:].
  %e_xz = tensor.empty() : tensor<1x768x196xf32>
  %z_xz = linalg.fill ins(%zero : f32) outs(%e_xz : tensor<1x768x196xf32>) -> tensor<1x768x196xf32>
  %xz = linalg.generic {indexing_maps = [#mm_w, #mm_u_cl, #mm_o_cf],
                        iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_in, %u : tensor<768x192xf32>, tensor<1x196x192xf32>)
      outs(%z_xz : tensor<1x768x196xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %p = arith.mulf %w, %a : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x768x196xf32>
  %x = tensor.extract_slice %xz[0, 0, 0] [1, 384, 196] [1, 1, 1]
      : tensor<1x768x196xf32> to tensor<1x384x196xf32>
  %z = tensor.extract_slice %xz[0, 384, 0] [1, 384, 196] [1, 1, 1]
      : tensor<1x768x196xf32> to tensor<1x384x196xf32>

  %e_dbl = tensor.empty() : tensor<1x44x14xf32>
  %z_dbl = linalg.fill ins(%zero : f32) outs(%e_dbl : tensor<1x44x14xf32>) -> tensor<1x44x14xf32>
  %e_er = tensor.empty() : tensor<1x384x14xf32>
  %z_er = linalg.fill ins(%zero : f32) outs(%e_er : tensor<1x384x14xf32>) -> tensor<1x384x14xf32>
  %e_eL = tensor.empty() : tensor<1x384x196xf32>
  %e_en = tensor.empty() : tensor<384x16xf32>

  // ---- forward direction (4f-9f) ----
  // 4f. xc = silu(causal_conv1d(x)) over the full L = 196.
  %xc = ssm.causal_conv1d silu %x, %conv_w bias(%conv_b : tensor<384xf32>)
      : tensor<1x384x196xf32>, tensor<384x4xf32>
  // 5f. p = mean over each row of 14 tokens: (1, E, rows).
  %p = ssm.axis_pool mean %xc cols 14 : tensor<1x384x196xf32>
  // 6f. x_dbl = W_x . p: (1, R+2N, rows); split dt_low, B, C.
  %xdbl = linalg.generic {indexing_maps = [#mm_w, #mm_v_cf, #mm_o_cf],
                          iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_x, %p : tensor<44x384xf32>, tensor<1x384x14xf32>)
      outs(%z_dbl : tensor<1x44x14xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %m = arith.mulf %w, %a : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x44x14xf32>
  %dtl = tensor.extract_slice %xdbl[0, 0, 0] [1, 12, 14] [1, 1, 1]
      : tensor<1x44x14xf32> to tensor<1x12x14xf32>
  %Bm = tensor.extract_slice %xdbl[0, 12, 0] [1, 16, 14] [1, 1, 1]
      : tensor<1x44x14xf32> to tensor<1x16x14xf32>
  %Cm = tensor.extract_slice %xdbl[0, 28, 0] [1, 16, 14] [1, 1, 1]
      : tensor<1x44x14xf32> to tensor<1x16x14xf32>
  // 7f. delta_raw = W_dt . dt_low (no bias).
  %draw = linalg.generic {indexing_maps = [#mm_w, #mm_v_cf, #mm_o_cf],
                          iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_dt, %dtl : tensor<384x12xf32>, tensor<1x12x14xf32>)
      outs(%z_er : tensor<1x384x14xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %m = arith.mulf %w, %a : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x384x14xf32>
  // 8f. A = -exp(A_log); s = SelScan(p, ...) with delta_bias, softplus, no D, no z.
  %A = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%A_log : tensor<384x16xf32>) outs(%e_en : tensor<384x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %ex = math.exp %a : f32
    %neg = arith.negf %ex : f32
    linalg.yield %neg : f32
  } -> tensor<384x16xf32>
  %s = ssm.selective_scan %p, %draw, %A, %Bm, %Cm delta_bias(%b_dt : tensor<384xf32>) delta_softplus
      : tensor<1x384x14xf32>, tensor<1x384x14xf32>, tensor<384x16xf32>,
        tensor<1x16x14xf32>, tensor<1x16x14xf32>
  // 9f. y_f = broadcast(s) + D * xc (D-skip on the un-pooled conv output).
  %sb = ssm.axis_broadcast %s cols 14 : tensor<1x384x14xf32>
  %yf = linalg.generic {indexing_maps = [#id3, #ch3, #id3, #id3],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sb, %D, %xc : tensor<1x384x196xf32>, tensor<384xf32>, tensor<1x384x196xf32>)
      outs(%e_eL : tensor<1x384x196xf32>) {
  ^bb0(%a: f32, %d: f32, %c: f32, %o: f32):
    %m = arith.mulf %d, %c : f32
    %r = arith.addf %a, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x384x196xf32>

  // ---- backward direction (4b-9b) on x' = flip_L(x), *_b params ----
  %xr = ssm.flip %x along 2 : tensor<1x384x196xf32>
  %xc_b = ssm.causal_conv1d silu %xr, %conv_w_b bias(%conv_b_b : tensor<384xf32>)
      : tensor<1x384x196xf32>, tensor<384x4xf32>
  %p_b = ssm.axis_pool mean %xc_b cols 14 : tensor<1x384x196xf32>
  %xdbl_b = linalg.generic {indexing_maps = [#mm_w, #mm_v_cf, #mm_o_cf],
                            iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_x_b, %p_b : tensor<44x384xf32>, tensor<1x384x14xf32>)
      outs(%z_dbl : tensor<1x44x14xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %m = arith.mulf %w, %a : f32
    %s2 = arith.addf %acc, %m : f32
    linalg.yield %s2 : f32
  } -> tensor<1x44x14xf32>
  %dtl_b = tensor.extract_slice %xdbl_b[0, 0, 0] [1, 12, 14] [1, 1, 1]
      : tensor<1x44x14xf32> to tensor<1x12x14xf32>
  %Bm_b = tensor.extract_slice %xdbl_b[0, 12, 0] [1, 16, 14] [1, 1, 1]
      : tensor<1x44x14xf32> to tensor<1x16x14xf32>
  %Cm_b = tensor.extract_slice %xdbl_b[0, 28, 0] [1, 16, 14] [1, 1, 1]
      : tensor<1x44x14xf32> to tensor<1x16x14xf32>
  %draw_b = linalg.generic {indexing_maps = [#mm_w, #mm_v_cf, #mm_o_cf],
                            iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_dt_b, %dtl_b : tensor<384x12xf32>, tensor<1x12x14xf32>)
      outs(%z_er : tensor<1x384x14xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %m = arith.mulf %w, %a : f32
    %s2 = arith.addf %acc, %m : f32
    linalg.yield %s2 : f32
  } -> tensor<1x384x14xf32>
  %A_b = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%A_b_log : tensor<384x16xf32>) outs(%e_en : tensor<384x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %ex = math.exp %a : f32
    %neg = arith.negf %ex : f32
    linalg.yield %neg : f32
  } -> tensor<384x16xf32>
  %s_b = ssm.selective_scan %p_b, %draw_b, %A_b, %Bm_b, %Cm_b delta_bias(%b_dt_b : tensor<384xf32>) delta_softplus
      : tensor<1x384x14xf32>, tensor<1x384x14xf32>, tensor<384x16xf32>,
        tensor<1x16x14xf32>, tensor<1x16x14xf32>
  %sb_b = ssm.axis_broadcast %s_b cols 14 : tensor<1x384x14xf32>
  %yb = linalg.generic {indexing_maps = [#id3, #ch3, #id3, #id3],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sb_b, %D_b, %xc_b : tensor<1x384x196xf32>, tensor<384xf32>, tensor<1x384x196xf32>)
      outs(%e_eL : tensor<1x384x196xf32>) {
  ^bb0(%a: f32, %d: f32, %c: f32, %o: f32):
    %m = arith.mulf %d, %c : f32
    %r = arith.addf %a, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x384x196xf32>
  %ybf = ssm.flip %yb along 2 : tensor<1x384x196xf32>

  // 10. y = LayerNorm_E((y_f + flip(y_b)) / 2) per token, eps 1e-5, affine
  //     (biased variance); the result is token-major (1, L, E).
  %half = arith.constant 0.5 : f32
  %ym = linalg.generic {indexing_maps = [#id3, #id3, #id3],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%yf, %ybf : tensor<1x384x196xf32>, tensor<1x384x196xf32>)
      outs(%e_eL : tensor<1x384x196xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %sum = arith.addf %a, %b : f32
    %h = arith.mulf %sum, %half : f32
    linalg.yield %h : f32
  } -> tensor<1x384x196xf32>
  %e_bl = tensor.empty() : tensor<1x196xf32>
  %z_bl = linalg.fill ins(%zero : f32) outs(%e_bl : tensor<1x196xf32>) -> tensor<1x196xf32>
  %tsum = linalg.generic {indexing_maps = [#tok_cf, #tok_row],
                          iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ym : tensor<1x384x196xf32>) outs(%z_bl : tensor<1x196xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %acc, %a : f32
    linalg.yield %r : f32
  } -> tensor<1x196xf32>
  %mean = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%tsum : tensor<1x196xf32>) outs(%e_bl : tensor<1x196xf32>) {
  ^bb0(%a: f32, %o: f32):
    %cnt = arith.constant 384.0 : f32
    %r = arith.divf %a, %cnt : f32
    linalg.yield %r : f32
  } -> tensor<1x196xf32>
  %sqsum = linalg.generic {indexing_maps = [#tok_cf, #tok_row, #tok_row],
                           iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ym, %mean : tensor<1x384x196xf32>, tensor<1x196xf32>) outs(%z_bl : tensor<1x196xf32>) {
  ^bb0(%a: f32, %m: f32, %acc: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %r = arith.addf %acc, %d2 : f32
    linalg.yield %r : f32
  } -> tensor<1x196xf32>
  %e_le = tensor.empty() : tensor<1x196x384xf32>
  %yn = linalg.generic {indexing_maps = [#tok_cf, #tok_row, #tok_row, #tok_ch, #tok_ch, #tok_cl],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ym, %mean, %sqsum, %ln_w, %ln_b
          : tensor<1x384x196xf32>, tensor<1x196xf32>, tensor<1x196xf32>,
            tensor<384xf32>, tensor<384xf32>)
      outs(%e_le : tensor<1x196x384xf32>) {
  ^bb0(%a: f32, %m: f32, %ss: f32, %g: f32, %bb: f32, %o: f32):
    %cnt = arith.constant 384.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    %var = arith.divf %ss, %cnt : f32
    %ve = arith.addf %var, %eps : f32
    %rstd = math.rsqrt %ve : f32
    %d = arith.subf %a, %m : f32
    %xh = arith.mulf %d, %rstd : f32
    %sc = arith.mulf %xh, %g : f32
    %r = arith.addf %sc, %bb : f32
    linalg.yield %r : f32
  } -> tensor<1x196x384xf32>

  // 11. o = W_out (y * silu(z)): gate after the LN, then out_proj (no bias).
  %gated = linalg.generic {indexing_maps = [#tok_cl, #tok_cf, #tok_cl],
                           iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%yn, %z : tensor<1x196x384xf32>, tensor<1x384x196xf32>)
      outs(%e_le : tensor<1x196x384xf32>) {
  ^bb0(%a: f32, %zz: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %nz = arith.negf %zz : f32
    %ex = math.exp %nz : f32
    %den = arith.addf %one, %ex : f32
    %sz = arith.divf %zz, %den : f32
    %r = arith.mulf %a, %sz : f32
    linalg.yield %r : f32
  } -> tensor<1x196x384xf32>
  %e_o = tensor.empty() : tensor<1x196x192xf32>
  %z_o = linalg.fill ins(%zero : f32) outs(%e_o : tensor<1x196x192xf32>) -> tensor<1x196x192xf32>
  %o = linalg.generic {indexing_maps = [#op_g, #op_w, #op_o],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%gated, %W_out : tensor<1x196x384xf32>, tensor<192x384xf32>)
      outs(%z_o : tensor<1x196x192xf32>) {
  ^bb0(%a: f32, %w: f32, %acc: f32):
    %m = arith.mulf %a, %w : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x196x192xf32>

  return %o : tensor<1x196x192xf32>
}
