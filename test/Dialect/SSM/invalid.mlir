// One case per verifier and inference rule of the ssm ops.
// RUN: ssm-opt %s --split-input-file --verify-diagnostics

func.func @scan_u_rank(%u: tensor<8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects u of rank 3 (b, d, l)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<8x5xf32>, tensor<8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_A_rank(%u: tensor<2x8x5xf32>, %A: tensor<8xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects A of rank 2 (d, n)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_delta_shape(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %dt: tensor<2x8x6xf32>) {
  // expected-error @+1 {{expects delta of shape (b, d, l) = (2, 8, 5) like u, got (2, 8, 6)}}
  %y = ssm.selective_scan %u, %dt, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x6xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

// The forward scan's sequences may mix float types; its adjoint's may not.
func.func @scan_grad_delta_dtype(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %dt: tensor<2x8x5xf16>) {
  // expected-error @+1 {{expects delta to have u's element type 'f32', got 'f16'}}
  %du, %ddt, %dA, %dB, %dC = ssm.selective_scan_grad %u, %u, %dt, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf16>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @conv_out_type(%x: tensor<2x6x9xf32>, %w: tensor<6x4xf32>) {
  // expected-error @+1 {{expects out_type f32, f16 or bf16, got i32}}
  %y = ssm.causal_conv1d silu %x, %w out_type(i32) : tensor<2x6x9xf32>, tensor<6x4xf32>
  return
}

// -----

func.func @scan_z_shape(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %z: tensor<2x7x5xf32>) {
  // expected-error @+1 {{expects z of shape (b, d, l)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B z(%z : tensor<2x7x5xf32>) : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_A_channels(%u: tensor<2x8x5xf32>, %A: tensor<6x4xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects A of shape (d, n) with d = 8, got (6, 4)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<6x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_A_dtype(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf16>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{operand #2 must be ranked tensor of 32-bit float values}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf16>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_state_size(%u: tensor<2x8x5xf32>, %A: tensor<8x257xf32>, %B: tensor<2x257x5xf32>) {
  // expected-error @+1 {{expects state size n in [1, 256], got 257}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x257xf32>, tensor<2x257x5xf32>, tensor<2x257x5xf32>
  return
}

// -----

func.func @scan_B_rank(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<4x5xf32>) {
  // expected-error @+1 {{expects B of shape (b, n, l) or (b, g, n, l), got (4, 5)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<4x5xf32>, tensor<4x5xf32>
  return
}

// -----

func.func @scan_BC_rank(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %C: tensor<2x1x4x5xf32>) {
  // expected-error @+1 {{expects B and C of the same rank, got 3 and 4}}
  %y = ssm.selective_scan %u, %u, %A, %B, %C : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x1x4x5xf32>
  return
}

// -----

func.func @scan_B_length(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x6xf32>) {
  // expected-error @+1 {{expects B to match batch 2, state size n and length l of u and A, got (2, 4, 6)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x6xf32>, tensor<2x4x6xf32>
  return
}

// -----

func.func @scan_C_state(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %C: tensor<2x3x5xf32>) {
  // expected-error @+1 {{expects C to match batch 2, state size n and length l of u and A, got (2, 3, 5)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %C : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x3x5xf32>
  return
}

// -----

func.func @scan_B_batch(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<3x4x5xf32>) {
  // expected-error @+1 {{expects B to match batch 2}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<3x4x5xf32>, tensor<3x4x5xf32>
  return
}

// -----

func.func @scan_grad_B_dtype(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xbf16>) {
  // expected-error @+1 {{expects B to have u's element type 'f32', got 'bf16'}}
  %du, %ddt, %dA, %dB, %dC = ssm.selective_scan_grad %u, %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xbf16>, tensor<2x4x5xbf16>
  return
}

// -----

func.func @scan_groups_differ(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x2x4x5xf32>, %C: tensor<2x4x4x5xf32>) {
  // expected-error @+1 {{expects B and C with the same group count, got 2 and 4}}
  %y = ssm.selective_scan %u, %u, %A, %B, %C : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x2x4x5xf32>, tensor<2x4x4x5xf32>
  return
}

// -----

func.func @scan_groups_divide(%u: tensor<2x6x5xf32>, %A: tensor<6x4xf32>, %B: tensor<2x4x4x5xf32>) {
  // expected-error @+1 {{expects channels d = 6 to be divisible by the group count g = 4}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<6x4xf32>, tensor<2x4x4x5xf32>, tensor<2x4x4x5xf32>
  return
}

// -----

func.func @scan_D_shape(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %D: tensor<7xf32>) {
  // expected-error @+1 {{expects D of shape (d) with d = 8, got (7)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B D(%D : tensor<7xf32>) : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_bias_shape(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %b: tensor<8x1xf32>) {
  // expected-error @+1 {{expects delta_bias of shape (d) with d = 8, got (8, 1)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B delta_bias(%b : tensor<8x1xf32>) : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_out_type(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects out_type f32, f16 or bf16, got i32}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B out_type(i32) : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_last_state_without_flag(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<2x8x5xf32>' are incompatible with return type(s)}}
  %y:2 = "ssm.selective_scan"(%u, %u, %A, %B, %B) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0>}> : (tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>) -> (tensor<2x8x5xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @scan_grad_dout(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>, %g: tensor<2x8x4xf32>) {
  // expected-error @+1 {{expects dout of shape (b, d, l) = (2, 8, 5) like u, got (2, 8, 4)}}
  %r:5 = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B : tensor<2x8x4xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @scan_grad_A_rank(%g: tensor<2x8x5xf32>, %u: tensor<2x8x5xf32>, %A: tensor<8xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects A of rank 2 (d, n)}}
  %r:5 = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B : tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

// -----

func.func @conv_x_rank(%x: tensor<8x5xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{expects x of rank 3 (b, d, l)}}
  %y = ssm.causal_conv1d silu %x, %w : tensor<8x5xf32>, tensor<8x4xf32>
  return
}

// -----

func.func @conv_weight_channels(%x: tensor<2x8x5xf32>, %w: tensor<6x4xf32>) {
  // expected-error @+1 {{expects weight of shape (d, k) with d = 8, got (6, 4)}}
  %y = ssm.causal_conv1d silu %x, %w : tensor<2x8x5xf32>, tensor<6x4xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<2x8x5xf32>, %w: tensor<8xf32>) {
  // expected-error @+1 {{expects weight of shape (d, k) with d = 8, got (8)}}
  %y = ssm.causal_conv1d silu %x, %w : tensor<2x8x5xf32>, tensor<8xf32>
  return
}

// -----

func.func @conv_width(%x: tensor<2x8x5xf32>, %w: tensor<8x0xf32>) {
  // expected-error @+1 {{expects a kernel width k >= 1, got 0}}
  %y = ssm.causal_conv1d none %x, %w : tensor<2x8x5xf32>, tensor<8x0xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<2x8x5xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{expects bias of shape (d) with d = 8, got (4)}}
  %y = ssm.causal_conv1d silu %x, %w bias(%b : tensor<4xf32>) : tensor<2x8x5xf32>, tensor<8x4xf32>
  return
}

// -----

func.func @conv_activation(%x: tensor<2x8x5xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{unknown keyword 'gelu'}}
  %y = ssm.causal_conv1d gelu %x, %w : tensor<2x8x5xf32>, tensor<8x4xf32>
  return
}

// -----

func.func @conv_grad_dout(%g: tensor<2x8x5xf16>, %x: tensor<2x8x5xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{expects dout of x's type 'tensor<2x8x5xf32>', got 'tensor<2x8x5xf16>'}}
  %r:2 = ssm.causal_conv1d_grad silu %g, %x, %w : tensor<2x8x5xf16>, tensor<2x8x5xf32>, tensor<8x4xf32>
  return
}

// -----

func.func @cross_scan_rank(%x: tensor<2x3x20xf32>) {
  // expected-error @+1 {{expects input of rank 4 (b, c, h, w)}}
  %y = ssm.cross_scan %x [row] : tensor<2x3x20xf32>
  return
}

// -----

func.func @cross_scan_empty(%x: tensor<2x3x4x5xf32>) {
  // expected-error @+1 {{expects at least one scan direction}}
  %y = ssm.cross_scan %x [] : tensor<2x3x4x5xf32>
  return
}

// -----

func.func @cross_scan_keyword(%x: tensor<2x3x4x5xf32>) {
  // expected-error @+1 {{unknown scan direction 'diag' (expected row, col, row_rev or col_rev)}}
  %y = ssm.cross_scan %x [row, diag] : tensor<2x3x4x5xf32>
  return
}

// -----

func.func @cross_merge_rank(%y: tensor<2x3x20xf32>) {
  // expected-error @+1 {{expects input of rank 4 (b, k, c, h*w)}}
  %x = ssm.cross_merge %y [row] height 4 width 5 : tensor<2x3x20xf32>
  return
}

// -----

func.func @cross_merge_k(%y: tensor<2x4x3x20xf32>) {
  // expected-error @+1 {{expects 2 directional sequences, got 4}}
  %x = ssm.cross_merge %y [row, col] height 4 width 5 : tensor<2x4x3x20xf32>
  return
}

// -----

func.func @cross_merge_length(%y: tensor<2x4x3x20xf32>) {
  // expected-error @+1 {{expects sequences of length height*width = 24, got 20}}
  %x = ssm.cross_merge %y [row, col, row_rev, col_rev] height 4 width 6 : tensor<2x4x3x20xf32>
  return
}

// -----

func.func @cross_merge_grid(%y: tensor<2x1x3x20xf32>) {
  // expected-error @+1 {{expects a grid of at least 1x1, got 0x5}}
  %x = ssm.cross_merge %y [row] height 0 width 5 : tensor<2x1x3x20xf32>
  return
}

// -----

// Found with the ssm IR fuzz target (fuzz/): height -1 and width -20 read as huge
// unsigned values whose product wrapped to 20, so this verified with the
// result type tensor<2x3x-1x-20xf32>.
func.func @cross_merge_negative_grid(%y: tensor<2x1x3x20xf32>) {
  // expected-error @+1 {{expects a grid of at least 1x1, got -1x-20}}
  %x = ssm.cross_merge %y [row] height -1 width -20 : tensor<2x1x3x20xf32>
  return
}

// -----

func.func @cross_merge_grid_overflow(%y: tensor<2x1x3x20xf32>) {
  // expected-error @+1 {{expects height*width to fit in 64 bits, got 4294967296x4294967296}}
  %x = ssm.cross_merge %y [row] height 4294967296 width 4294967296 : tensor<2x1x3x20xf32>
  return
}

// -----

// Found with the ssm IR fuzz target (UBSan: signed integer overflow in h*w).
func.func @cross_scan_length_overflow(%x: tensor<2x3x4611686018427387904x4xf32>) {
  // expected-error @+1 {{expects h*w to fit in 64 bits, got 4611686018427387904*4}}
  %y = ssm.cross_scan %x [row] : tensor<2x3x4611686018427387904x4xf32>
  return
}

// -----

func.func @cross_merge_empty(%y: tensor<2x1x3x20xf32>) {
  // expected-error @+1 {{expects at least one scan direction}}
  %x = ssm.cross_merge %y [] height 4 width 5 : tensor<2x1x3x20xf32>
  return
}

// -----

func.func @flip_dim(%x: tensor<2x3x5xf32>) {
  // expected-error @+1 {{expects dim in [0, 3) for a rank-3 tensor, got 3}}
  %y = ssm.flip %x along 3 : tensor<2x3x5xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<8x12xf32>) {
  // expected-error @+1 {{expects input of rank 3 (b, e, rows*cols)}}
  %p = ssm.axis_pool mean %x cols 4 : tensor<8x12xf32>
  return
}

// -----

func.func @pool_cols(%x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects cols >= 1, got 0}}
  %p = ssm.axis_pool mean %x cols 0 : tensor<2x8x12xf32>
  return
}

// -----

func.func @pool_divisible(%x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects the sequence length 12 to be a multiple of cols = 5}}
  %p = ssm.axis_pool max %x cols 5 : tensor<2x8x12xf32>
  return
}

// -----

func.func @pool_scale(%x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects a finite positive scale, got -1}}
  %p = ssm.axis_pool mean %x cols 4 {scale = -1.0 : f64} : tensor<2x8x12xf32>
  return
}

// -----

func.func @broadcast_cols(%x: tensor<2x8x3xf32>) {
  // expected-error @+1 {{expects cols >= 1, got 0}}
  %p = ssm.axis_broadcast %x cols 0 : tensor<2x8x3xf32>
  return
}

// -----

func.func @broadcast_negative_cols(%x: tensor<2x8x3xf32>) {
  // expected-error @+1 {{expects cols >= 1, got -2}}
  %p = ssm.axis_broadcast %x cols -2 : tensor<2x8x3xf32>
  return
}

// -----

// Found with the ssm IR fuzz target (UBSan: signed integer overflow in
// rows*cols; the wrapped length verified).
func.func @broadcast_length_overflow(%x: tensor<2x8x5xf32>) {
  // expected-error @+1 {{expects rows*cols to fit in 64 bits, got 5*4611686018427387904}}
  %p = ssm.axis_broadcast %x cols 4611686018427387904 : tensor<2x8x5xf32>
  return
}

// -----

func.func @broadcast_rank(%x: tensor<2x8x3x1xf32>) {
  // expected-error @+1 {{expects input of rank 3 (b, e, rows)}}
  %p = ssm.axis_broadcast %x cols 2 : tensor<2x8x3x1xf32>
  return
}

// -----

func.func @pool_grad_dout(%g: tensor<2x8x4xf32>, %x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects dout of shape (b, e, rows) = (2, 8, 3), got (2, 8, 4)}}
  %dx = ssm.axis_pool_grad mean %g, %x cols 4 : tensor<2x8x4xf32>, tensor<2x8x12xf32>
  return
}

// -----

func.func @pool_grad_dtype(%g: tensor<2x8x3xbf16>, %x: tensor<2x8x12xf32>) {
  // expected-error @+1 {{expects dout with the input's element type 'f32', got 'bf16'}}
  %dx = ssm.axis_pool_grad max %g, %x cols 4 : tensor<2x8x3xbf16>, tensor<2x8x12xf32>
  return
}
