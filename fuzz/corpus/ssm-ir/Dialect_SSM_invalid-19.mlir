
func.func @scan_last_state_without_flag(%u: tensor<2x8x5xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x5xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<2x8x5xf32>' are incompatible with return type(s)}}
  %y:2 = "ssm.selective_scan"(%u, %u, %A, %B, %B) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0>}> : (tensor<2x8x5xf32>, tensor<2x8x5xf32>, tensor<8x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>) -> (tensor<2x8x5xf32>, tensor<2x8x4xf32>)
  return
}

