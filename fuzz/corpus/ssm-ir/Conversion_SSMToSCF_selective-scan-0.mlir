// RUN: ssm-opt %s --split-input-file --convert-ssm-to-scf | FileCheck %s

// Forward, static n: B and C transposed once to (b, g, l, n) f32; per lane
// (b, d) a vectorizable prologue (softplus), the recurrence with the n states
// as one vector carried in registers, and a vectorizable epilogue.
// CHECK-LABEL: func.func @scan_forward
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() : memref<2x6x5xf32>
// CHECK-DAG: %[[BT:.*]] = memref.alloc() : memref<2x1x5x4xf32>
// CHECK: scf.parallel
// CHECK: scf.parallel (%[[B:.*]], %[[D:.*]]) =
// CHECK:   %[[DTS:.*]] = memref.alloca() : memref<5xf32>
// CHECK:   scf.for
// CHECK:     math.log1p
// CHECK:     memref.store %{{.*}}, %[[DTS]]
// CHECK:   %[[H:.*]] = scf.for {{.*}} iter_args(%[[S:.*]] = %{{.*}}) -> (vector<4xf32>)
// CHECK:     vector.load %[[BT]]
// CHECK:     math.exp %{{.*}} : vector<4xf32>
// CHECK:     math.fma %{{.*}}, %[[S]], %{{.*}} : vector<4xf32>
// CHECK:     vector.reduction <add>
// CHECK:   scf.for %[[T:.*]] =
// CHECK:     memref.store %{{.*}}, %[[OUT]][%[[B]], %[[D]], %[[T]]]
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: ssm.selective_scan
func.func @scan_forward(%u: tensor<2x6x5xf32>, %A: tensor<6x4xf32>, %B: tensor<2x4x5xf32>) -> tensor<2x6x5xf32> {
  %y = ssm.selective_scan %u, %u, %A, %B, %B delta_softplus : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<6x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return %y : tensor<2x6x5xf32>
}

