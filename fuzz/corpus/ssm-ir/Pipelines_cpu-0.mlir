// The whole CPU pipeline: no ssm, tensor or memref op survives, entry
// functions take bare pointers (inputs, then outputs) and return nothing.
// RUN: ssm-opt %s --ssm-lower-to-cpu | FileCheck %s

// CHECK-NOT: ssm.
// CHECK-NOT: tensor<
// CHECK-LABEL: llvm.func @vim_direction(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: memref
// CHECK: llvm.return
func.func @vim_direction(%x: tensor<1x8x7xf32>, %w: tensor<8x4xf32>, %A: tensor<8x2xf32>, %B: tensor<1x2x7xf32>, %dt: tensor<1x8x7xf32>) -> tensor<1x8x7xf32> {
  %xr = ssm.flip %x along 2 : tensor<1x8x7xf32>
  %xc = ssm.causal_conv1d silu %xr, %w : tensor<1x8x7xf32>, tensor<8x4xf32>
  %y = ssm.selective_scan %xc, %dt, %A, %B, %B delta_softplus : tensor<1x8x7xf32>, tensor<1x8x7xf32>, tensor<8x2xf32>, tensor<1x2x7xf32>, tensor<1x2x7xf32>
  %yr = ssm.flip %y along 2 : tensor<1x8x7xf32>
  %s = arith.addf %yr, %x : tensor<1x8x7xf32>
  return %s : tensor<1x8x7xf32>
}
