// RUN: ssm-opt %s --split-input-file --convert-ssm-to-scf | FileCheck %s

// Causal taps are masked: x[t - (k-1) + i] is 0 before the sequence starts.
// CHECK-LABEL: func.func @conv_silu
// CHECK: scf.parallel
// CHECK:   scf.for
// CHECK:     scf.for %{{.*}} iter_args
// CHECK:       arith.cmpi sge
// CHECK:       arith.select
// CHECK:     math.exp
func.func @conv_silu(%x: tensor<1x3x6xf32>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<1x3x6xf32> {
  %0 = ssm.causal_conv1d silu %x, %w bias(%b : tensor<3xf32>) : tensor<1x3x6xf32>, tensor<3x4xf32>
  return %0 : tensor<1x3x6xf32>
}

