// Round trip of every ssm op, in pretty and in generic form.
// RUN: ssm-opt %s --split-input-file | ssm-opt --split-input-file | FileCheck %s
// RUN: ssm-opt %s --split-input-file --mlir-print-op-generic | ssm-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @scan_minimal
func.func @scan_minimal(%u: tensor<1x4x1xf32>, %A: tensor<4x1xf32>, %B: tensor<1x1x1xf32>) -> tensor<1x4x1xf32> {
  // CHECK: %[[Y:.*]] = ssm.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4x1xf32>, tensor<1x4x1xf32>, tensor<4x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<1x4x1xf32>, tensor<1x4x1xf32>, tensor<4x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>
  return %y : tensor<1x4x1xf32>
}

// -----

// CHECK-LABEL: func.func @scan_vim
func.func @scan_vim(%u: tensor<2x8x7xf32>, %dt: tensor<2x8x7xf32>, %A: tensor<8x16xf32>,
                    %B: tensor<2x16x7xf32>, %C: tensor<2x16x7xf32>, %D: tensor<8xf32>,
                    %z: tensor<2x8x7xf32>, %bias: tensor<8xf32>) -> (tensor<2x8x7xf32>, tensor<2x8x16xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = ssm.selective_scan {{.*}} D(%{{.*}} : tensor<8xf32>) z(%{{.*}} : tensor<2x8x7xf32>) delta_bias(%{{.*}} : tensor<8xf32>) delta_softplus reverse return_last_state :
  %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<8xf32>) z(%z : tensor<2x8x7xf32>)
      delta_bias(%bias : tensor<8xf32>) delta_softplus reverse return_last_state
      : tensor<2x8x7xf32>, tensor<2x8x7xf32>, tensor<8x16xf32>, tensor<2x16x7xf32>, tensor<2x16x7xf32>
  return %y, %h : tensor<2x8x7xf32>, tensor<2x8x16xf32>
}

// -----

// VMamba: 4 groups (one per direction), N = 1, bf16 in, f32 out, dynamic batch.
// CHECK-LABEL: func.func @scan_grouped_oflex
func.func @scan_grouped_oflex(%u: tensor<?x12x9xbf16>, %A: tensor<12x1xf32>, %B: tensor<?x4x1x9xbf16>) -> tensor<?x12x9xf32> {
  // CHECK: ssm.selective_scan {{.*}} delta_softplus out_type(f32) : tensor<?x12x9xbf16>, tensor<?x12x9xbf16>, tensor<12x1xf32>, tensor<?x4x1x9xbf16>, tensor<?x4x1x9xbf16>
  %y = ssm.selective_scan %u, %u, %A, %B, %B delta_softplus out_type(f32)
      : tensor<?x12x9xbf16>, tensor<?x12x9xbf16>, tensor<12x1xf32>, tensor<?x4x1x9xbf16>, tensor<?x4x1x9xbf16>
  return %y : tensor<?x12x9xf32>
}

// -----

// CHECK-LABEL: func.func @scan_grad_full
func.func @scan_grad_full(%g: tensor<2x8x7xf32>, %u: tensor<2x8x7xf32>, %A: tensor<8x16xf32>,
                          %B: tensor<2x16x7xf32>, %D: tensor<8xf32>, %z: tensor<2x8x7xf32>,
                          %bias: tensor<8xf32>) -> (tensor<8x16xf32>, tensor<8xf32>, tensor<2x8x7xf32>, tensor<8xf32>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}:3 = ssm.selective_scan_grad {{.*}} D({{.*}}) z({{.*}}) delta_bias({{.*}}) delta_softplus reverse :
  %du, %ddt, %dA, %dB, %dC, %dD, %dz, %dbias = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B
      D(%D : tensor<8xf32>) z(%z : tensor<2x8x7xf32>) delta_bias(%bias : tensor<8xf32>) delta_softplus reverse
      : tensor<2x8x7xf32>, tensor<2x8x7xf32>, tensor<2x8x7xf32>, tensor<8x16xf32>, tensor<2x16x7xf32>, tensor<2x16x7xf32>
  return %dA, %dD, %dz, %dbias : tensor<8x16xf32>, tensor<8xf32>, tensor<2x8x7xf32>, tensor<8xf32>
}

// -----

// CHECK-LABEL: func.func @scan_grad_minimal
func.func @scan_grad_minimal(%g: tensor<1x4x3xf16>, %u: tensor<1x4x3xf16>, %A: tensor<4x2xf32>,
                             %B: tensor<1x2x2x3xf16>) -> tensor<1x2x2x3xf16> {
  // CHECK: %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}} = ssm.selective_scan_grad %
  %du, %ddt, %dA, %dB, %dC = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B
      : tensor<1x4x3xf16>, tensor<1x4x3xf16>, tensor<1x4x3xf16>, tensor<4x2xf32>, tensor<1x2x2x3xf16>, tensor<1x2x2x3xf16>
  return %dB : tensor<1x2x2x3xf16>
}

// -----

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<2x6x9xf32>, %w: tensor<6x4xf32>, %b: tensor<6xf32>) -> (tensor<2x6x9xf32>, tensor<2x6x9xf32>) {
  // CHECK: ssm.causal_conv1d silu %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<6xf32>) : tensor<2x6x9xf32>, tensor<6x4xf32>
  %0 = ssm.causal_conv1d silu %x, %w bias(%b : tensor<6xf32>) : tensor<2x6x9xf32>, tensor<6x4xf32>
  // CHECK: ssm.causal_conv1d none %{{.*}}, %{{.*}} : tensor<2x6x9xf32>, tensor<6x4xf32>
  %1 = ssm.causal_conv1d none %x, %w : tensor<2x6x9xf32>, tensor<6x4xf32>
  return %0, %1 : tensor<2x6x9xf32>, tensor<2x6x9xf32>
}

// -----

// A bf16 model's conv stores its activation as bf16 (out_type); its scan
// reads that bf16 u next to f32 delta, B, C and z.
// CHECK-LABEL: func.func @conv_scan_mixed_types
func.func @conv_scan_mixed_types(%x: tensor<2x6x9xf32>, %w: tensor<6x4xf32>, %dt: tensor<2x6x9xf32>, %A: tensor<6x2xf32>, %B: tensor<2x2x9xf32>) -> tensor<2x6x9xbf16> {
  // CHECK: %[[U:.*]] = ssm.causal_conv1d silu %{{.*}}, %{{.*}} out_type(bf16) : tensor<2x6x9xf32>, tensor<6x4xf32>
  %u = ssm.causal_conv1d silu %x, %w out_type(bf16) : tensor<2x6x9xf32>, tensor<6x4xf32>
  // CHECK: ssm.selective_scan %[[U]], {{.*}} z(%{{.*}} : tensor<2x6x9xf32>) : tensor<2x6x9xbf16>, tensor<2x6x9xf32>, tensor<6x2xf32>, tensor<2x2x9xf32>, tensor<2x2x9xf32>
  %y = ssm.selective_scan %u, %dt, %A, %B, %B z(%x : tensor<2x6x9xf32>) : tensor<2x6x9xbf16>, tensor<2x6x9xf32>, tensor<6x2xf32>, tensor<2x2x9xf32>, tensor<2x2x9xf32>
  return %y : tensor<2x6x9xbf16>
}

// -----

// CHECK-LABEL: func.func @conv_grad
func.func @conv_grad(%g: tensor<2x6x9xbf16>, %x: tensor<2x6x9xbf16>, %w: tensor<6x3xbf16>, %b: tensor<6xbf16>) -> (tensor<6x3xbf16>, tensor<6xbf16>, tensor<2x6x9xbf16>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = ssm.causal_conv1d_grad silu %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<6xbf16>)
  %dx, %dw, %db = ssm.causal_conv1d_grad silu %g, %x, %w bias(%b : tensor<6xbf16>) : tensor<2x6x9xbf16>, tensor<2x6x9xbf16>, tensor<6x3xbf16>
  // CHECK: %{{[^,]*}}, %{{[^,]*}} = ssm.causal_conv1d_grad none
  %dx2, %dw2 = ssm.causal_conv1d_grad none %g, %x, %w : tensor<2x6x9xbf16>, tensor<2x6x9xbf16>, tensor<6x3xbf16>
  return %dw, %db, %dx2 : tensor<6x3xbf16>, tensor<6xbf16>, tensor<2x6x9xbf16>
}

// -----

// CHECK-LABEL: func.func @cross_scan_merge
func.func @cross_scan_merge(%x: tensor<2x3x4x5xf32>, %ys: tensor<2x4x3x20xf32>) -> (tensor<2x4x3x20xf32>, tensor<2x3x4x5xf32>, tensor<1x2x3x6xf32>) {
  // CHECK: ssm.cross_scan %{{.*}} [row, col, row_rev, col_rev] : tensor<2x3x4x5xf32>
  %0 = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<2x3x4x5xf32>
  // CHECK: ssm.cross_merge %{{.*}} [row, col, row_rev, col_rev] height 4 width 5 : tensor<2x4x3x20xf32>
  %1 = ssm.cross_merge %ys [row, col, row_rev, col_rev] height 4 width 5 : tensor<2x4x3x20xf32>
  // Directions may repeat (VMamba's "bidi" mode).
  %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 3, 2, 3] [1, 1, 1, 1] : tensor<2x3x4x5xf32> to tensor<1x3x2x3xf32>
  // CHECK: ssm.cross_scan %{{.*}} [row, row] : tensor<1x3x2x3xf32>
  %2 = ssm.cross_scan %s [row, row] : tensor<1x3x2x3xf32>
  return %0, %1, %2 : tensor<2x4x3x20xf32>, tensor<2x3x4x5xf32>, tensor<1x2x3x6xf32>
}

// -----

// CHECK-LABEL: func.func @flip
func.func @flip(%x: tensor<1x8x197xf32>) -> tensor<1x8x197xf32> {
  // CHECK: ssm.flip %{{.*}} along 2 : tensor<1x8x197xf32>
  %0 = ssm.flip %x along 2 : tensor<1x8x197xf32>
  return %0 : tensor<1x8x197xf32>
}

// -----

// CHECK-LABEL: func.func @pool_broadcast
func.func @pool_broadcast(%x: tensor<2x8x12xf32>, %p: tensor<2x8x3xf32>) -> (tensor<2x8x3xf32>, tensor<2x8x3xf32>, tensor<2x8x3xf32>, tensor<2x8x12xf32>, tensor<2x8x12xf32>) {
  // CHECK: ssm.axis_pool mean %{{.*}} cols 4 : tensor<2x8x12xf32>
  %0 = ssm.axis_pool mean %x cols 4 : tensor<2x8x12xf32>
  // CHECK: ssm.axis_pool max %{{.*}} cols 4 {scale = 2.500000e-01 : f64} : tensor<2x8x12xf32>
  %1 = ssm.axis_pool max %x cols 4 {scale = 0.25 : f64} : tensor<2x8x12xf32>
  // CHECK: ssm.axis_pool sum %{{.*}} cols 4 : tensor<2x8x12xf32>
  %2 = ssm.axis_pool sum %x cols 4 : tensor<2x8x12xf32>
  // CHECK: ssm.axis_broadcast %{{.*}} cols 4 : tensor<2x8x3xf32>
  %3 = ssm.axis_broadcast %p cols 4 : tensor<2x8x3xf32>
  // CHECK: ssm.axis_pool_grad max %{{.*}}, %{{.*}} cols 4 : tensor<2x8x3xf32>, tensor<2x8x12xf32>
  %4 = ssm.axis_pool_grad max %p, %x cols 4 : tensor<2x8x3xf32>, tensor<2x8x12xf32>
  return %0, %1, %2, %3, %4 : tensor<2x8x3xf32>, tensor<2x8x3xf32>, tensor<2x8x3xf32>, tensor<2x8x12xf32>, tensor<2x8x12xf32>
}
