// RUN: ssm-opt %s --split-input-file --ssm-autodiff --verify-diagnostics
// RUN: not ssm-opt %s --split-input-file --ssm-autodiff="function=wrt wrt=1" 2>&1 | FileCheck %s --check-prefix=WRT

func.func private @callee(%x: tensor<4xf32>) -> tensor<4xf32>

func.func @call(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{ssm-autodiff: no adjoint for 'func.call'}}
  %y = func.call @callee(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @payload(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{ssm-autodiff: no adjoint for 'math.atan' in the payload}}
  %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.atan %a : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @product(%x: tensor<4xf32>, %init: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{ssm-autodiff: reduction payload must yield acc + f(inputs), max(acc, f(inputs)) or min(acc, f(inputs))}}
  %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
      ins(%x : tensor<4xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %t = arith.mulf %acc, %a : f32
    linalg.yield %t : f32
  } -> tensor<f32>
  return %y : tensor<f32>
}

// -----

func.func @scalar(%x: tensor<4xf32>) -> tensor<3xf32> {
  %c = arith.constant 1 : index
  %s = tensor.extract %x[%c] : tensor<4xf32>
  %e = tensor.empty() : tensor<3xf32>
  // expected-error @+1 {{ssm-autodiff: cannot differentiate a scalar operand}}
  %t = linalg.fill ins(%s : f32) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  return %t : tensor<3xf32>
}

// -----

func.func @last_state(%u: tensor<1x2x3xf32>, %dt: tensor<1x2x3xf32>, %A: tensor<2x4xf32>, %B: tensor<1x4x3xf32>, %C: tensor<1x4x3xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{ssm-autodiff: the last state has no adjoint}}
  %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C return_last_state
      : tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<2x4xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>
  return %h : tensor<1x2x4xf32>
}

// -----

func.func @second_order(%dy: tensor<1x2x5xf32>, %x: tensor<1x2x5xf32>, %w: tensor<2x3xf32>) -> tensor<1x2x5xf32> {
  // expected-error @+1 {{ssm-autodiff: no adjoint for 'ssm.causal_conv1d_grad'}}
  %dx, %dw = ssm.causal_conv1d_grad none %dy, %x, %w : tensor<1x2x5xf32>, tensor<1x2x5xf32>, tensor<2x3xf32>
  return %dx : tensor<1x2x5xf32>
}

// -----

// WRT: error: 'func.func' op ssm-autodiff: argument 1 is not a floating-point tensor argument
func.func @wrt(%x: tensor<4xf32>, %n: index) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
