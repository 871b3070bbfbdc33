
// Backward: parallel over b only (dB/dC sums over a group's channels stay in
// one lane), recomputed forward states in an (l, n) buffer, and the per-batch
// partials of dA/dD reduced in a second parallel loop over d.
// CHECK-LABEL: func.func @scan_grad
// CHECK: %[[DAP:.*]] = memref.alloc() : memref<2x6x4xf32>
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK:   memref.alloc() : memref<5x4xf32>
// CHECK:   scf.for
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK:   memref.load %[[DAP]]
// CHECK-NOT: ssm.selective_scan_grad
func.func @scan_grad(%g: tensor<2x6x5xf32>, %u: tensor<2x6x5xf32>, %A: tensor<6x4xf32>, %B: tensor<2x4x5xf32>, %D: tensor<6xf32>) -> (tensor<6x4xf32>, tensor<6xf32>) {
  %du, %ddt, %dA, %dB, %dC, %dD = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B D(%D : tensor<6xf32>) delta_softplus : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<6x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return %dA, %dD : tensor<6x4xf32>, tensor<6xf32>
}
