// RUN: ssm-opt %s | ssm-opt | FileCheck %s
// RUN: ssm-opt %s --mlir-print-op-generic | ssm-opt | FileCheck %s

// One Vim-T layer, bimamba v2, fused path (docs/semantics.md §4.3, §2, §3):
// fused add + RMSNorm, in_proj, forward and backward Mamba directions, the /2,
// out_proj. D = 192, E = 384, N = 16, R = 12, W = 4, L = 197, batch 1, f32.
// Layout: h, r, h_out are (B,L,D); everything between in_proj and out_proj is
// channel-first (B,E,L).
//
// Arguments (checkpoint names of §4.4, prefix layers.{i}.):
//   %h        (1,197,192)  mixer output of the previous layer (hidden state)
//   %r        (1,197,192)  residual stream (fp32)
//   %norm_w   (192)        norm.weight
//   %W_in     (768,192)    mixer.in_proj.weight (rows 0..383 -> x, 384..767 -> z)
//   %conv_w   (384,4)      mixer.conv1d.weight, [384,1,4] with the 1 dropped
//   %conv_b   (384)        mixer.conv1d.bias
//   %W_x      (44,384)     mixer.x_proj.weight (rows 0..11 dt, 12..27 B, 28..43 C)
//   %W_dt     (384,12)     mixer.dt_proj.weight
//   %b_dt     (384)        mixer.dt_proj.bias (passed to the scan as delta_bias)
//   %A_log    (384,16)     mixer.A_log
//   %D        (384)        mixer.D
//   %conv_w_b (384,4)      mixer.conv1d_b.weight, [384,1,4] with the 1 dropped
//   %conv_b_b (384)        mixer.conv1d_b.bias
//   %W_x_b    (44,384)     mixer.x_proj_b.weight
//   %W_dt_b   (384,12)     mixer.dt_proj_b.weight
//   %b_dt_b   (384)        mixer.dt_proj_b.bias
//   %A_b_log  (384,16)     mixer.A_b_log
//   %D_b      (384)        mixer.D_b
//   %W_out    (192,384)    mixer.out_proj.weight
// Results: (h_out (1,197,192), r' = r + h (1,197,192)).

// CHECK-LABEL: func.func @vim_tiny_block
// CHECK: %[[RP:[^ ]+]] = linalg.add
// CHECK: math.rsqrt
// CHECK: %[[X:[^ ]+]] = tensor.extract_slice %{{.*}}[0, 0, 0] [1, 384, 197] [1, 1, 1] : tensor<1x768x197xf32> to tensor<1x384x197xf32>
// CHECK: %[[Z:[^ ]+]] = tensor.extract_slice %{{.*}}[0, 384, 0] [1, 384, 197] [1, 1, 1] : tensor<1x768x197xf32> to tensor<1x384x197xf32>
// Forward direction.
// CHECK: %[[XC:[^ ]+]] = ssm.causal_conv1d silu %[[X]], %{{.*}} bias(%{{.*}} : tensor<384xf32>) : tensor<1x384x197xf32>, tensor<384x4xf32>
// CHECK: math.exp
// CHECK: %[[YF:[^ ]+]] = ssm.selective_scan %[[XC]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}} : tensor<384xf32>) z(%[[Z]] : tensor<1x384x197xf32>) delta_bias(%{{.*}} : tensor<384xf32>) delta_softplus : tensor<1x384x197xf32>, tensor<1x384x197xf32>, tensor<384x16xf32>, tensor<1x16x197xf32>, tensor<1x16x197xf32>
// Backward direction: flip x and z, same dataflow, flip the result back.
// CHECK: %[[XR:[^ ]+]] = ssm.flip %[[X]] along 2 : tensor<1x384x197xf32>
// CHECK: %[[ZR:[^ ]+]] = ssm.flip %[[Z]] along 2 : tensor<1x384x197xf32>
// CHECK: %[[XCB:[^ ]+]] = ssm.causal_conv1d silu %[[XR]], %{{.*}} bias(%{{.*}} : tensor<384xf32>) : tensor<1x384x197xf32>, tensor<384x4xf32>
// CHECK: math.exp
// CHECK: %[[YB:[^ ]+]] = ssm.selective_scan %[[XCB]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}} : tensor<384xf32>) z(%[[ZR]] : tensor<1x384x197xf32>) delta_bias(%{{.*}} : tensor<384xf32>) delta_softplus : tensor<1x384x197xf32>, tensor<1x384x197xf32>, tensor<384x16xf32>, tensor<1x16x197xf32>, tensor<1x16x197xf32>
// CHECK: %[[YBF:[^ ]+]] = ssm.flip %[[YB]] along 2 : tensor<1x384x197xf32>
// y = (y_f + flip(y_b)) / 2, then out_proj.
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: linalg.generic {{.*}} ins(%[[YF]], %[[YBF]] : tensor<1x384x197xf32>, tensor<1x384x197xf32>)
// CHECK: %[[HOUT:[^ ]+]] = linalg.generic
// CHECK: return %[[HOUT]], %[[RP]] : tensor<1x197x192xf32>, tensor<1x197x192xf32>

// Elementwise and reduction maps.
#id3     = affine_map<(b, l, d) -> (b, l, d)>
#row3    = affine_map<(b, l, d) -> (b, l)>
#last3   = affine_map<(b, l, d) -> (d)>
#id2     = affine_map<(i, j) -> (i, j)>
// xz[b,c,l] = sum_d W_in[c,d] * u[b,l,d]  (also x_proj, dt_proj: W[c,k] * v[b,k,l])
#mm_w    = affine_map<(b, c, l, k) -> (c, k)>
#mm_u_cl = affine_map<(b, c, l, k) -> (b, l, k)>
#mm_v_cf = affine_map<(b, c, l, k) -> (b, k, l)>
#mm_o_cf = affine_map<(b, c, l, k) -> (b, c, l)>
// h_out[b,l,o] = sum_e y[b,e,l] * W_out[o,e]
#op_y    = affine_map<(b, l, o, e) -> (b, e, l)>
#op_w    = affine_map<(b, l, o, e) -> (o, e)>
#op_o    = affine_map<(b, l, o, e) -> (b, l, o)>

func.func @vim_tiny_block(
    %h: tensor<1x197x192xf32>, %r: tensor<1x197x192xf32>,
    %norm_w: tensor<192xf32>, %W_in: tensor<768x192xf32>,
    %conv_w: tensor<384x4xf32>, %conv_b: tensor<384xf32>,
    %W_x: tensor<44x384xf32>, %W_dt: tensor<384x12xf32>, %b_dt: tensor<384xf32>,
    %A_log: tensor<384x16xf32>, %D: tensor<384xf32>,
    %conv_w_b: tensor<384x4xf32>, %conv_b_b: tensor<384xf32>,
    %W_x_b: tensor<44x384xf32>, %W_dt_b: tensor<384x12xf32>, %b_dt_b: tensor<384xf32>,
    %A_b_log: tensor<384x16xf32>, %D_b: tensor<384xf32>,
    %W_out: tensor<192x384xf32>)
    -> (tensor<1x197x192xf32>, tensor<1x197x192xf32>) {
  %zero = arith.constant 0.0 : f32

  // 1. r' = r + h (fp32 residual).
  %e_bld = tensor.empty() : tensor<1x197x192xf32>
  %rp = linalg.add ins(%r, %h : tensor<1x197x192xf32>, tensor<1x197x192xf32>)
                   outs(%e_bld : tensor<1x197x192xf32>) -> tensor<1x197x192xf32>

  // 2. u = r' / sqrt(mean_D(r'^2) + 1e-5) * w.
  %e_bl = tensor.empty() : tensor<1x197xf32>
  %z_bl = linalg.fill ins(%zero : f32) outs(%e_bl : tensor<1x197xf32>) -> tensor<1x197xf32>
  %ss = linalg.generic {indexing_maps = [#id3, #row3],
                        iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%rp : tensor<1x197x192xf32>) outs(%z_bl : tensor<1x197xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<1x197xf32>
  %u = linalg.generic {indexing_maps = [#id3, #row3, #last3, #id3],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%rp, %ss, %norm_w : tensor<1x197x192xf32>, tensor<1x197xf32>, tensor<192xf32>)
      outs(%e_bld : tensor<1x197x192xf32>) {
  ^bb0(%x: f32, %s: f32, %w: f32, %o: f32):
    %dim = arith.constant 192.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    %mean = arith.divf %s, %dim : f32
    %var = arith.addf %mean, %eps : f32
    %rstd = math.rsqrt %var : f32
    %xn = arith.mulf %x, %rstd : f32
    %y = arith.mulf %xn, %w : f32
    linalg.yield %y : f32
  } -> tensor<1x197x192xf32>

  // 3. xz = W_in . u^T, channel-first (1, 2E, L).
  %e_xz = tensor.empty() : tensor<1x768x197xf32>
  %z_xz = linalg.fill ins(%zero : f32) outs(%e_xz : tensor<1x768x197xf32>) -> tensor<1x768x197xf32>
  %xz = linalg.generic {indexing_maps = [#mm_w, #mm_u_cl, #mm_o_cf],
                        iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_in, %u : tensor<768x192xf32>, tensor<1x197x192xf32>)
      outs(%z_xz : tensor<1x768x197xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %p = arith.mulf %w, %a : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x768x197xf32>

  // 4. x = xz[:, :E], z = xz[:, E:].
  %x = tensor.extract_slice %xz[0, 0, 0] [1, 384, 197] [1, 1, 1]
      : tensor<1x768x197xf32> to tensor<1x384x197xf32>
  %z = tensor.extract_slice %xz[0, 384, 0] [1, 384, 197] [1, 1, 1]
      : tensor<1x768x197xf32> to tensor<1x384x197xf32>

  %e_dbl = tensor.empty() : tensor<1x44x197xf32>
  %z_dbl = linalg.fill ins(%zero : f32) outs(%e_dbl : tensor<1x44x197xf32>) -> tensor<1x44x197xf32>
  %e_eL = tensor.empty() : tensor<1x384x197xf32>
  %z_eL = linalg.fill ins(%zero : f32) outs(%e_eL : tensor<1x384x197xf32>) -> tensor<1x384x197xf32>
  %e_en = tensor.empty() : tensor<384x16xf32>

  // ---- forward direction (5f-9f) ----
  %xc = ssm.causal_conv1d silu %x, %conv_w bias(%conv_b : tensor<384xf32>)
      : tensor<1x384x197xf32>, tensor<384x4xf32>
  // x_dbl = W_x . xc  (1, R+2N, L)
  %xdbl = linalg.generic {indexing_maps = [#mm_w, #mm_v_cf, #mm_o_cf],
                          iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_x, %xc : tensor<44x384xf32>, tensor<1x384x197xf32>)
      outs(%z_dbl : tensor<1x44x197xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %p = arith.mulf %w, %a : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x44x197xf32>
  %dtl = tensor.extract_slice %xdbl[0, 0, 0] [1, 12, 197] [1, 1, 1]
      : tensor<1x44x197xf32> to tensor<1x12x197xf32>
  %Bm = tensor.extract_slice %xdbl[0, 12, 0] [1, 16, 197] [1, 1, 1]
      : tensor<1x44x197xf32> to tensor<1x16x197xf32>
  %Cm = tensor.extract_slice %xdbl[0, 28, 0] [1, 16, 197] [1, 1, 1]
      : tensor<1x44x197xf32> to tensor<1x16x197xf32>
  // delta_raw = W_dt . dt_low (no bias; b_dt goes to the scan)
  %draw = linalg.generic {indexing_maps = [#mm_w, #mm_v_cf, #mm_o_cf],
                          iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_dt, %dtl : tensor<384x12xf32>, tensor<1x12x197xf32>)
      outs(%z_eL : tensor<1x384x197xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %p = arith.mulf %w, %a : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x384x197xf32>
  // A = -exp(A_log)
  %A = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%A_log : tensor<384x16xf32>) outs(%e_en : tensor<384x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %ex = math.exp %a : f32
    %neg = arith.negf %ex : f32
    linalg.yield %neg : f32
  } -> tensor<384x16xf32>
  // y_f = (scan(xc) + D*xc) * silu(z)
  %yf = ssm.selective_scan %xc, %draw, %A, %Bm, %Cm D(%D : tensor<384xf32>)
      z(%z : tensor<1x384x197xf32>) delta_bias(%b_dt : tensor<384xf32>) delta_softplus
      : tensor<1x384x197xf32>, tensor<1x384x197xf32>, tensor<384x16xf32>,
        tensor<1x16x197xf32>, tensor<1x16x197xf32>

  // ---- backward direction (5b-9b): flip x and z along L, *_b params ----
  %xr = ssm.flip %x along 2 : tensor<1x384x197xf32>
  %zr = ssm.flip %z along 2 : tensor<1x384x197xf32>
  %xc_b = ssm.causal_conv1d silu %xr, %conv_w_b bias(%conv_b_b : tensor<384xf32>)
      : tensor<1x384x197xf32>, tensor<384x4xf32>
  %xdbl_b = linalg.generic {indexing_maps = [#mm_w, #mm_v_cf, #mm_o_cf],
                            iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_x_b, %xc_b : tensor<44x384xf32>, tensor<1x384x197xf32>)
      outs(%z_dbl : tensor<1x44x197xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %p = arith.mulf %w, %a : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x44x197xf32>
  %dtl_b = tensor.extract_slice %xdbl_b[0, 0, 0] [1, 12, 197] [1, 1, 1]
      : tensor<1x44x197xf32> to tensor<1x12x197xf32>
  %Bm_b = tensor.extract_slice %xdbl_b[0, 12, 0] [1, 16, 197] [1, 1, 1]
      : tensor<1x44x197xf32> to tensor<1x16x197xf32>
  %Cm_b = tensor.extract_slice %xdbl_b[0, 28, 0] [1, 16, 197] [1, 1, 1]
      : tensor<1x44x197xf32> to tensor<1x16x197xf32>
  %draw_b = linalg.generic {indexing_maps = [#mm_w, #mm_v_cf, #mm_o_cf],
                            iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%W_dt_b, %dtl_b : tensor<384x12xf32>, tensor<1x12x197xf32>)
      outs(%z_eL : tensor<1x384x197xf32>) {
  ^bb0(%w: f32, %a: f32, %acc: f32):
    %p = arith.mulf %w, %a : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x384x197xf32>
  %A_b = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%A_b_log : tensor<384x16xf32>) outs(%e_en : tensor<384x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %ex = math.exp %a : f32
    %neg = arith.negf %ex : f32
    linalg.yield %neg : f32
  } -> tensor<384x16xf32>
  %yb = ssm.selective_scan %xc_b, %draw_b, %A_b, %Bm_b, %Cm_b D(%D_b : tensor<384xf32>)
      z(%zr : tensor<1x384x197xf32>) delta_bias(%b_dt_b : tensor<384xf32>) delta_softplus
      : tensor<1x384x197xf32>, tensor<1x384x197xf32>, tensor<384x16xf32>,
        tensor<1x16x197xf32>, tensor<1x16x197xf32>
  %ybf = ssm.flip %yb along 2 : tensor<1x384x197xf32>

  // 10. y = (y_f + flip(y_b)) / 2
  %half = arith.constant 0.5 : f32
  %y = linalg.generic {indexing_maps = [#id3, #id3, #id3],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%yf, %ybf : tensor<1x384x197xf32>, tensor<1x384x197xf32>)
      outs(%e_eL : tensor<1x384x197xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %m = arith.mulf %s, %half : f32
    linalg.yield %m : f32
  } -> tensor<1x384x197xf32>

  // 11. h_out = y^T . W_out^T  (1, L, D)
  %z_bld = linalg.fill ins(%zero : f32) outs(%e_bld : tensor<1x197x192xf32>) -> tensor<1x197x192xf32>
  %hout = linalg.generic {indexing_maps = [#op_y, #op_w, #op_o],
                          iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%y, %W_out : tensor<1x384x197xf32>, tensor<192x384xf32>)
      outs(%z_bld : tensor<1x197x192xf32>) {
  ^bb0(%a: f32, %w: f32, %acc: f32):
    %p = arith.mulf %a, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x197x192xf32>

  return %hout, %rp : tensor<1x197x192xf32>, tensor<1x197x192xf32>
}
