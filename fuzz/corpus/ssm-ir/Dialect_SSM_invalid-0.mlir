// One case per verifier and inference rule of the ssm ops.
// RUN: ssm-opt %s --split-input-file --verify-diagnostics

func.func @scan_u_rank(%u: tensor<8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+1 {{expects u of rank 3 (b, d, l)}}
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<8x5xf32>, tensor<8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return
}

