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

