// RUN: ssm-opt %s --split-input-file --convert-ssm-to-scf --canonicalize | FileCheck %s

// One parallel nest per direction; column-major directions read (p % H, p / H).
// CHECK-LABEL: func.func @cross_scan
// CHECK-COUNT-2: scf.parallel
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @cross_scan(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x2x12xf32> {
  %0 = ssm.cross_scan %x [row, col_rev] : tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x2x12xf32>
}

// -----

// Merge: one parallel nest over the grid summing the k directions.
// CHECK-LABEL: func.func @cross_merge
// CHECK: scf.parallel
// CHECK-COUNT-4: arith.addf
// CHECK-NOT: scf.parallel
func.func @cross_merge(%y: tensor<1x4x2x12xf32>) -> tensor<1x2x3x4xf32> {
  %0 = ssm.cross_merge %y [row, col, row_rev, col_rev] height 3 width 4 : tensor<1x4x2x12xf32>
  return %0 : tensor<1x2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @flip
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) =
// CHECK:   %[[R:.*]] = arith.subi %{{.*}}, %[[J]]
// CHECK:   tensor.extract %arg0[%[[I]], %[[R]]]
func.func @flip(%x: tensor<3x7xf16>) -> tensor<3x7xf16> {
  %0 = ssm.flip %x along 1 : tensor<3x7xf16>
  return %0 : tensor<3x7xf16>
}
