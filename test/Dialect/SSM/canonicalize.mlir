// Every ssm fold and canonicalization, each exact, with the near misses that
// must stay untouched.
// RUN: ssm-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @flip_flip
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x7xf32>)
// CHECK-NEXT: return %[[X]]
func.func @flip_flip(%x: tensor<1x4x7xf32>) -> tensor<1x4x7xf32> {
  %0 = ssm.flip %x along 2 : tensor<1x4x7xf32>
  %1 = ssm.flip %0 along 2 : tensor<1x4x7xf32>
  return %1 : tensor<1x4x7xf32>
}

// -----

// CHECK-LABEL: func.func @flip_other_dims
// CHECK: ssm.flip %{{.*}} along 2
// CHECK: ssm.flip %{{.*}} along 1
func.func @flip_other_dims(%x: tensor<1x4x7xf32>) -> tensor<1x4x7xf32> {
  %0 = ssm.flip %x along 2 : tensor<1x4x7xf32>
  %1 = ssm.flip %0 along 1 : tensor<1x4x7xf32>
  return %1 : tensor<1x4x7xf32>
}

// -----

// CHECK-LABEL: func.func @pool_of_broadcast
// CHECK-SAME: (%[[Y:.*]]: tensor<2x3x5xbf16>)
// CHECK-NEXT: return %[[Y]], %[[Y]]
func.func @pool_of_broadcast(%y: tensor<2x3x5xbf16>) -> (tensor<2x3x5xbf16>, tensor<2x3x5xbf16>) {
  %b = ssm.axis_broadcast %y cols 7 : tensor<2x3x5xbf16>
  %mean = ssm.axis_pool mean %b cols 7 : tensor<2x3x35xbf16>
  %max = ssm.axis_pool max %b cols 7 : tensor<2x3x35xbf16>
  return %mean, %max : tensor<2x3x5xbf16>, tensor<2x3x5xbf16>
}

// -----

// A sum is cols * y, a scaled mean is scale * y, and other column counts
// regroup the tokens: none of these folds.
// CHECK-LABEL: func.func @pool_of_broadcast_kept
// CHECK: ssm.axis_broadcast
// CHECK: ssm.axis_pool sum
// CHECK: ssm.axis_pool mean {{.*}} {scale = 2.500000e-01 : f64}
// CHECK: ssm.axis_pool mean %{{.*}} cols 2
func.func @pool_of_broadcast_kept(%y: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x8xf32>) {
  %b = ssm.axis_broadcast %y cols 4 : tensor<2x3x4xf32>
  %sum = ssm.axis_pool sum %b cols 4 : tensor<2x3x16xf32>
  %scaled = ssm.axis_pool mean %b cols 4 {scale = 0.25 : f64} : tensor<2x3x16xf32>
  %regroup = ssm.axis_pool mean %b cols 2 : tensor<2x3x16xf32>
  return %sum, %scaled, %regroup : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x8xf32>
}

// -----

// cross_merge(cross_scan(x)) = k * x.
// CHECK-LABEL: func.func @merge_of_scan
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x5xf32>)
// CHECK: %[[K:.*]] = arith.constant dense<4.000000e+00> : tensor<2x3x4x5xf32>
// CHECK: %[[R:.*]] = arith.mulf %[[X]], %[[K]]
// CHECK-NOT: ssm.
// CHECK: return %[[R]]
func.func @merge_of_scan(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<2x3x4x5xf32>
  %y = ssm.cross_merge %xs [row, col, row_rev, col_rev] height 4 width 5 : tensor<2x4x3x20xf32>
  return %y : tensor<2x3x4x5xf32>
}

// -----

// CHECK-LABEL: func.func @merge_of_scan_single
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xbf16>)
// CHECK-NEXT: return %[[X]]
func.func @merge_of_scan_single(%x: tensor<1x2x3x3xbf16>) -> tensor<1x2x3x3xbf16> {
  %xs = ssm.cross_scan %x [col_rev] : tensor<1x2x3x3xbf16>
  %y = ssm.cross_merge %xs [col_rev] height 3 width 3 : tensor<1x1x2x9xbf16>
  return %y : tensor<1x2x3x3xbf16>
}

// -----

// Different direction lists, or a different grid over the same length, are
// not adjoint pairs.
// CHECK-LABEL: func.func @merge_of_scan_kept
// CHECK: ssm.cross_scan
// CHECK: ssm.cross_merge %{{.*}} [col, row]
// CHECK: ssm.cross_merge %{{.*}} [row, col] height 2 width 10
func.func @merge_of_scan_kept(%x: tensor<2x3x4x5xf32>) -> (tensor<2x3x4x5xf32>, tensor<2x3x2x10xf32>) {
  %xs = ssm.cross_scan %x [row, col] : tensor<2x3x4x5xf32>
  %a = ssm.cross_merge %xs [col, row] height 4 width 5 : tensor<2x2x3x20xf32>
  %b = ssm.cross_merge %xs [row, col] height 2 width 10 : tensor<2x2x3x20xf32>
  return %a, %b : tensor<2x3x4x5xf32>, tensor<2x3x2x10xf32>
}

// -----

// CHECK-LABEL: func.func @scan_unused_last_state
// CHECK: %[[Y:.*]] = ssm.selective_scan {{.*}} delta_softplus reverse :
// CHECK-NOT: return_last_state
// CHECK: return %[[Y]]
func.func @scan_unused_last_state(%u: tensor<1x4x3xf32>, %A: tensor<4x2xf32>, %B: tensor<1x2x3xf32>) -> tensor<1x4x3xf32> {
  %y, %h = ssm.selective_scan %u, %u, %A, %B, %B delta_softplus reverse return_last_state
      : tensor<1x4x3xf32>, tensor<1x4x3xf32>, tensor<4x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>
  return %y : tensor<1x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @scan_used_last_state
// CHECK: ssm.selective_scan {{.*}} return_last_state
func.func @scan_used_last_state(%u: tensor<1x4x3xf32>, %A: tensor<4x2xf32>, %B: tensor<1x2x3xf32>) -> tensor<1x4x2xf32> {
  %y, %h = ssm.selective_scan %u, %u, %A, %B, %B return_last_state
      : tensor<1x4x3xf32>, tensor<1x4x3xf32>, tensor<4x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>
  return %h : tensor<1x4x2xf32>
}
