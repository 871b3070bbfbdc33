// Flips along time, FastVim's axis_pool feeding a forward scan, and a flip or
// axis_broadcast consuming it, are folded into the scan's loads and stores:
// the only sequence-sized buffer allocated is the final result. A flip feeding
// the causal conv is folded into its loads the same way.
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-scf | FileCheck %s

// Vim's backward direction: scan(u, ..., z = flip(z)) followed by flip(y).
// CHECK-LABEL: func.func @vim_backward
// CHECK-COUNT-1: memref.alloc() : memref<1x6x7xf32>
// CHECK-NOT: memref.alloc() : memref<1x6x7xf32>
// CHECK-NOT: ssm.
// CHECK: return
func.func @vim_backward(%u: tensor<1x6x7xf32>, %z: tensor<1x6x7xf32>, %A: tensor<6x4xf32>, %B: tensor<1x4x7xf32>) -> tensor<1x6x7xf32> {
  %zr = ssm.flip %z along 2 : tensor<1x6x7xf32>
  %y = ssm.selective_scan %u, %u, %A, %B, %B z(%zr : tensor<1x6x7xf32>) delta_softplus : tensor<1x6x7xf32>, tensor<1x6x7xf32>, tensor<6x4xf32>, tensor<1x4x7xf32>, tensor<1x4x7xf32>
  %yr = ssm.flip %y along 2 : tensor<1x6x7xf32>
  return %yr : tensor<1x6x7xf32>
}

// -----

// FastVim: pool -> scan -> broadcast; neither the pooled (1x6x3) input nor the
// (1x6x3) scan output exists, only the broadcast (1x6x12) result.
// CHECK-LABEL: func.func @fastvim_pooled
// CHECK-NOT: memref.alloc() : memref<1x6x3xf32>
// CHECK: memref.alloc() : memref<1x6x12xf32>
// CHECK-NOT: memref.alloc() : memref<1x6x3xf32>
// CHECK-NOT: ssm.
// CHECK: return
func.func @fastvim_pooled(%x: tensor<1x6x12xf32>, %dt: tensor<1x6x3xf32>, %A: tensor<6x4xf32>, %B: tensor<1x4x3xf32>) -> tensor<1x6x12xf32> {
  %p = ssm.axis_pool mean %x cols 4 : tensor<1x6x12xf32>
  %s = ssm.selective_scan %p, %dt, %A, %B, %B delta_softplus : tensor<1x6x3xf32>, tensor<1x6x3xf32>, tensor<6x4xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>
  %y = ssm.axis_broadcast %s cols 4 : tensor<1x6x3xf32>
  return %y : tensor<1x6x12xf32>
}

// -----

// A flip with another user is still materialized for that user (a reversed
// copy); the scan reads through it all the same.
// CHECK-LABEL: func.func @shared_flip
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg0 : tensor<1x6x7xf32>)
// CHECK: memref.alloc() : memref<1x6x7xf32>
// CHECK-NOT: memref.alloc() : memref<1x6x7xf32>
// CHECK: return
func.func @shared_flip(%u: tensor<1x6x7xf32>, %A: tensor<6x4xf32>, %B: tensor<1x4x7xf32>) -> (tensor<1x6x7xf32>, tensor<1x6x7xf32>) {
  %ur = ssm.flip %u along 2 : tensor<1x6x7xf32>
  %y = ssm.selective_scan %ur, %u, %A, %B, %B : tensor<1x6x7xf32>, tensor<1x6x7xf32>, tensor<6x4xf32>, tensor<1x4x7xf32>, tensor<1x4x7xf32>
  return %y, %ur : tensor<1x6x7xf32>, tensor<1x6x7xf32>
}

// -----

// Vim's backward direction into the causal conv: conv(flip(x)) reads x at
// l - 1 - t; the flipped copy is never allocated.
// CHECK-LABEL: func.func @conv_flipped
// CHECK-COUNT-1: memref.alloc() : memref<2x3x9xf32>
// CHECK-NOT: memref.alloc() : memref<2x3x9xf32>
// CHECK-NOT: ssm.
// CHECK: return
func.func @conv_flipped(%x: tensor<2x3x9xf32>, %w: tensor<3x4xf32>) -> tensor<2x3x9xf32> {
  %xr = ssm.flip %x along 2 : tensor<2x3x9xf32>
  %y = ssm.causal_conv1d silu %xr, %w : tensor<2x3x9xf32>, tensor<3x4xf32>
  return %y : tensor<2x3x9xf32>
}
