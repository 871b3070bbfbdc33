// Flips along time, FastVim's axis_pool feeding a forward scan, and a flip or
// axis_broadcast consuming it, are folded into the scan's loads and stores:
// the only sequence-sized buffer allocated is the final result.
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

