
// Dynamic n: the states live in a local buffer, one scalar per state.
// CHECK-LABEL: func.func @scan_dynamic_states
// CHECK: scf.parallel
// CHECK:   memref.alloca(%{{.*}}) : memref<?xf32>
// CHECK:   scf.for
// CHECK:     scf.for %{{.*}} iter_args(%{{.*}}) -> (f32)
// CHECK:       math.exp %{{.*}} : f32
func.func @scan_dynamic_states(%u: tensor<2x6x5xf32>, %A: tensor<6x?xf32>, %B: tensor<2x?x5xf32>) -> tensor<2x6x5xf32> {
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<6x?xf32>, tensor<2x?x5xf32>, tensor<2x?x5xf32>
  return %y : tensor<2x6x5xf32>
}

