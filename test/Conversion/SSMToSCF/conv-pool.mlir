// RUN: ssm-opt %s --split-input-file --convert-ssm-to-scf | FileCheck %s

// Causal taps are masked: x[t - (k-1) + i] is 0 before the sequence starts.
// One parallel nest over (b, d, t): every output on its own.
// CHECK-LABEL: func.func @conv_silu
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) =
// CHECK:     scf.for %{{.*}} iter_args
// CHECK:       arith.cmpi sge
// CHECK:       arith.select
// CHECK:     math.exp
func.func @conv_silu(%x: tensor<1x3x6xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<1x3x6xf32> {
  %0 = ssm.causal_conv1d silu %x, %w bias(%b : tensor<3xf32>) : tensor<1x3x6xf32>, tensor<3x4xf32>
  return %0 : tensor<1x3x6xf32>
}

// -----

// The gradient: g_hat and dx parallel over (b, d, t); dweight as partial
// sums parallel over (b, d), then over b parallel over (d, tap), so no two
// lanes ever add into one element.
// CHECK-LABEL: func.func @conv_grad
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = {{.*}} to (%c2, %c3, %c6)
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = {{.*}} to (%c2, %c3, %c6)
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = {{.*}} to (%c2, %c3)
// CHECK: memref.store {{.*}} : memref<2x3x4xf32>
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = {{.*}} to (%c3, %c4)
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @conv_grad(%g: tensor<2x3x6xf32>, %x: tensor<2x3x6xf32>, %w: tensor<3x4xf32>) -> (tensor<2x3x6xf32>, tensor<3x4xf32>) {
  %dx, %dw = ssm.causal_conv1d_grad none %g, %x, %w : tensor<2x3x6xf32>, tensor<2x3x6xf32>, tensor<3x4xf32>
  return %dx, %dw : tensor<2x3x6xf32>, tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @pool_max
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: scf.parallel
// CHECK:   arith.maximumf
func.func @pool_max(%x: tensor<1x2x12xf32>) -> tensor<1x2x3xf32> {
  %0 = ssm.axis_pool max %x cols 4 : tensor<1x2x12xf32>
  return %0 : tensor<1x2x3xf32>
}

// -----

// The max-pool gradient finds the first arg-max (strictly greater moves it).
// CHECK-LABEL: func.func @pool_max_grad
// CHECK: scf.for {{.*}} iter_args
// CHECK:   arith.cmpf ogt
// CHECK: arith.cmpi eq
func.func @pool_max_grad(%g: tensor<1x2x3xf32>, %x: tensor<1x2x12xf32>) -> tensor<1x2x12xf32> {
  %0 = ssm.axis_pool_grad max %g, %x cols 4 : tensor<1x2x3xf32>, tensor<1x2x12xf32>
  return %0 : tensor<1x2x12xf32>
}
