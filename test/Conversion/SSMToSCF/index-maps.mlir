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

// A flip of static size is a generic whose input map reverses the dimension
// (elementwise fusion folds it into its consumer).
// CHECK: #[[REV:.*]] = affine_map<(d0, d1) -> (d0, -d1 + 6)>
// CHECK-LABEL: func.func @flip
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%arg0 : tensor<3x7xf16>)
func.func @flip(%x: tensor<3x7xf16>) -> tensor<3x7xf16> {
  %0 = ssm.flip %x along 1 : tensor<3x7xf16>
  return %0 : tensor<3x7xf16>
}

// -----

// Along a dynamic dimension it is a loop that reads at n - 1 - j.
// CHECK-LABEL: func.func @flip_dynamic
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) =
// CHECK:   %[[R:.*]] = arith.subi %{{.*}}, %[[J]]
// CHECK:   tensor.extract %arg0[%[[I]], %[[R]]]
func.func @flip_dynamic(%x: tensor<3x?xf16>) -> tensor<3x?xf16> {
  %0 = ssm.flip %x along 1 : tensor<3x?xf16>
  return %0 : tensor<3x?xf16>
}
