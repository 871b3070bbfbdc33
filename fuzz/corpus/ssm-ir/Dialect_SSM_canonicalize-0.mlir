// Every ssm fold and canonicalization, each exact, with the near misses that
// must stay untouched.
// RUN: ssm-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @flip_flip
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x7xf32>)
// CHECK-NEXT: return %[[X]]
func.func @flip_flip(%x: tensor<1x4x7xf32>) -> tensor<1x4x7xf32> {
  %0 = ssm.flip %x along 2 : tensor<1x4x7xf32>
  %1 = ssm.flip %0 along 2 : tensor<1x4x7xf32>
  return %1 : tensor<1x4x7xf32>
}

