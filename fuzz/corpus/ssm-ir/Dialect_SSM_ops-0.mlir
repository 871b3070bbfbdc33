// Round trip of every ssm op, in pretty and in generic form.
// RUN: ssm-opt %s --split-input-file | ssm-opt --split-input-file | FileCheck %s
// RUN: ssm-opt %s --split-input-file --mlir-print-op-generic | ssm-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @scan_minimal
func.func @scan_minimal(%u: tensor<1x4x1xf32>, %A: tensor<4x1xf32>, %B: tensor<1x1x1xf32>) -> tensor<1x4x1xf32> {
  // CHECK: %[[Y:.*]] = ssm.selective_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4x1xf32>, tensor<1x4x1xf32>, tensor<4x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<1x4x1xf32>, tensor<1x4x1xf32>, tensor<4x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>
  return %y : tensor<1x4x1xf32>
}

