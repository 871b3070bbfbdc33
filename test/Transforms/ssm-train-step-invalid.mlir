// RUN: ssm-opt %s --split-input-file --ssm-train-step --verify-diagnostics
// RUN: not ssm-opt %s --split-input-file --ssm-train-step="function=missing" 2>&1 | FileCheck %s --check-prefix=MISSING

// MISSING: ssm-train-step: no function 'missing'

// expected-error @+1 {{ssm-train-step: needs exactly one result (the logits), got 2}}
func.func @forward(%x: tensor<2x4xf32>, %w: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  return %x, %x : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// expected-error @+1 {{ssm-train-step: the result must be static f32 logits tensor<B x C x f32>, got 'tensor<4xf32>'}}
func.func @forward(%x: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}

// -----

// expected-error @+1 {{ssm-train-step: parameter 'head.weight' is 'tensor<4xbf16>'; the train step needs static f32 parameters (compile the model with dtype=f32)}}
func.func @forward(%x: tensor<2x4xf32>, %w: tensor<4xbf16> {ssm.name = "head.weight"}) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}

// -----

// expected-error @+1 {{ssm-train-step: needs at least one parameter after the 1 data input(s)}}
func.func @forward(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}

// -----

// expected-error @+1 {{ssm-train-step: 'train_step' already exists}}
func.func @forward(%x: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}
func.func @train_step() {
  return
}

// -----

// An op without an adjoint: autodiff's error, and nothing is added.
func.func @forward(%x: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  // expected-error @+1 {{ssm-autodiff: reduction payload must yield acc + f(inputs), max(acc, f(inputs)) or min(acc, f(inputs))}}
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "reduction"]}
      ins(%w : tensor<4xf32>) outs(%x : tensor<2x4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.mulf %acc, %a : f32
    linalg.yield %t : f32
  } -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// RUN: not ssm-opt %s --split-input-file --ssm-train-step="drop-path=0.1" 2>&1 | FileCheck %s --check-prefix=UNTAGGED
// UNTAGGED: ssm-train-step: drop_path needs residual adds tagged ssm.drop_path (the model builders tag them)
func.func @forward(%x: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %w : tensor<2x4xf32>, tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
