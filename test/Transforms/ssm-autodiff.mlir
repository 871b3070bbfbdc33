// The adjoint rules, with every forward value kept (recompute=false: the
// memory policy has its own test, ssm-autodiff-recompute.mlir).
// RUN: ssm-opt %s --split-input-file --ssm-autodiff=recompute=false | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-autodiff="wrt=0 keep-results=false recompute=false" | FileCheck %s --check-prefix=WRT
// A second run adds nothing: gradient functions are not differentiated.
// RUN: ssm-opt %s --split-input-file --ssm-autodiff --ssm-autodiff | FileCheck %s --check-prefix=TWICE
// TWICE-NOT: _grad_grad
// TWICE: func.func @mul_grad(
// TWICE-NOT: _grad_grad

// An elementwise product with a broadcast operand: the gradient function takes
// the result's adjoint, returns the result then both gradients; the broadcast
// operand's adjoint sums over the broadcast dim. Names follow the arguments.
// CHECK-LABEL: func.func @mul_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<4x3xf32> {ssm.name = "x"}, %[[B:[a-z0-9]+]]: tensor<3xf32> {ssm.name = "b"},
// CHECK-SAME: %[[DY:[a-z0-9]+]]: tensor<4x3xf32> {ssm.name = "y.grad"})
// CHECK-SAME: -> (tensor<4x3xf32> {ssm.name = "y"}, tensor<4x3xf32> {ssm.name = "x.grad"}, tensor<3xf32> {ssm.name = "b.grad"})
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[B]] :
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[B]], %[[DY]] :
// CHECK: ^bb0(%[[BV:.*]]: f32, %[[DV:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[DV]], %[[BV]] : f32
// CHECK-NEXT: linalg.yield %[[P]]
// CHECK: %[[DB:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[X]], %[[DY]] :
// CHECK: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK: return %[[Y]], %[[DX]], %[[DB]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @mul(%x: tensor<4x3xf32> {ssm.name = "x"}, %b: tensor<3xf32> {ssm.name = "b"}) -> (tensor<4x3xf32> {ssm.name = "y"}) {
  %e = tensor.empty() : tensor<4x3xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<4x3xf32>, tensor<3xf32>) outs(%e : tensor<4x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// A matmul's adjoints are the transposed contractions (dA reduces over n,
// dB over m), accumulating into zeros.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @mm_grad(
// CHECK-SAME: %[[A0:[a-z0-9]+]]: tensor<3x5xf32>, %[[B0:[a-z0-9]+]]: tensor<5x2xf32>, %[[DC:[a-z0-9]+]]: tensor<3x2xf32>
// CHECK: %[[C0:.*]] = linalg.matmul
// CHECK: %[[ZA:.*]] = linalg.fill {{.*}} -> tensor<3x5xf32>
// CHECK: %[[DA:.*]] = linalg.generic {indexing_maps = [#[[B]], #[[C]], #[[A]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[B0]], %[[DC]] : {{.*}}) outs(%[[ZA]] :
// CHECK: %[[ZB:.*]] = linalg.fill {{.*}} -> tensor<5x2xf32>
// CHECK: %[[DB:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[C]], #[[B]]], iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[A0]], %[[DC]] : {{.*}}) outs(%[[ZB]] :
// CHECK: return %[[C0]], %[[DA]], %[[DB]]
func.func @mm(%a: tensor<3x5xf32>, %b: tensor<5x2xf32>) -> tensor<3x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %m = linalg.matmul ins(%a, %b : tensor<3x5xf32>, tensor<5x2xf32>) outs(%z : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %m : tensor<3x2xf32>
}

// -----

// A strided, dilated depthwise conv: the input adjoint is a gather over the
// input's indices plus the loops it cannot solve for, with range and
// divisibility checks: h = 2 oh + kh with kh < 2 gives both (floordiv), w =
// 3 ow + 2 kw iterates over ow (kw = (w - 3 ow) / 2).
// WRT-LABEL: func.func @dw_grad(
// WRT-SAME: %[[X:[a-z0-9]+]]: tensor<1x2x5x4xf32>, %[[W:[a-z0-9]+]]: tensor<2x2x2xf32>, %[[DY:[a-z0-9]+]]: tensor<1x2x2x1xf32>) -> tensor<1x2x5x4xf32>
// WRT-NOT: linalg.depthwise_conv_2d_nchw_chw
// WRT: %[[G:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// WRT: arith.floordivsi
// WRT: arith.remsi
// WRT: arith.divsi
// WRT: %[[WV:.*]] = tensor.extract %[[W]][
// WRT: %[[DV:.*]] = tensor.extract %[[DY]][
// WRT: %[[P:.*]] = arith.mulf %[[DV]], %[[WV]]
// WRT: arith.select %{{.*}}, %[[P]]
// WRT: return %[[G]] : tensor<1x2x5x4xf32>
func.func @dw(%x: tensor<1x2x5x4xf32>, %w: tensor<2x2x2xf32>) -> tensor<1x2x2x1xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x1xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %y = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>}
      ins(%x, %w : tensor<1x2x5x4xf32>, tensor<2x2x2xf32>) outs(%z : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}

// -----

// Data movement: a strided slice's adjoint is inserted into zeros, a pad's is
// its interior, a concat's each part's slice, a reshape's the inverse
// reshape; the adjoints of %x's four uses add up.
// CHECK-LABEL: func.func @moves_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x6xf32>, %[[Y:[a-z0-9]+]]: tensor<1x6xf32>, %[[DT:[a-z0-9]+]]: tensor<3x2xf32>, %[[DP:[a-z0-9]+]]: tensor<5x8xf32>, %[[DC:[a-z0-9]+]]: tensor<3x6xf32>, %[[DF:[a-z0-9]+]]: tensor<12xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[DF]] {{\[}}[0, 1]] output_shape [2, 6] : tensor<12xf32> into tensor<2x6xf32>
// CHECK: %[[C0:.*]] = tensor.extract_slice %[[DC]][0, 0] [2, 6] [1, 1] : tensor<3x6xf32> to tensor<2x6xf32>
// CHECK: %[[S1:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[C0]] :
// CHECK: %[[C1:.*]] = tensor.extract_slice %[[DC]][2, 0] [1, 6] [1, 1] : tensor<3x6xf32> to tensor<1x6xf32>
// CHECK: %[[PI:.*]] = tensor.extract_slice %[[DP]][2, 1] [2, 6] [1, 1] : tensor<5x8xf32> to tensor<2x6xf32>
// CHECK: %[[S2:.*]] = linalg.generic {{.*}} ins(%[[S1]], %[[PI]] :
// CHECK: %[[TT:.*]] = linalg.generic {{.*}} ins(%[[DT]] : tensor<3x2xf32>)
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<2x6xf32>
// CHECK: %[[IS:.*]] = tensor.insert_slice %[[TT]] into %[[Z]][0, 1] [2, 3] [1, 2] : tensor<2x3xf32> into tensor<2x6xf32>
// CHECK: %[[S3:.*]] = linalg.generic {{.*}} ins(%[[S2]], %[[IS]] :
// CHECK: return {{.*}}, %[[S3]], %[[C1]] :
func.func @moves(%x: tensor<2x6xf32>, %y: tensor<1x6xf32>) -> (tensor<3x2xf32>, tensor<5x8xf32>, tensor<3x6xf32>, tensor<12xf32>) {
  %c = arith.constant 0.0 : f32
  %s = tensor.extract_slice %x[0, 1] [2, 3] [1, 2] : tensor<2x6xf32> to tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%s : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  %p = tensor.pad %x low[2, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %c : f32
  } : tensor<2x6xf32> to tensor<5x8xf32>
  %cat = tensor.concat dim(0) %x, %y : (tensor<2x6xf32>, tensor<1x6xf32>) -> tensor<3x6xf32>
  %f = tensor.collapse_shape %x [[0, 1]] : tensor<2x6xf32> into tensor<12xf32>
  return %t, %p, %cat, %f : tensor<3x2xf32>, tensor<5x8xf32>, tensor<3x6xf32>, tensor<12xf32>
}

// -----

// ssm ops through their grad ops: the scan's gradients go to every operand,
// cross_scan's adjoint is cross_merge with the same directions, flip's is
// flip, axis_broadcast's is a sum pool.
// CHECK-LABEL: func.func @ssm_grad(
// CHECK-SAME: %[[U:[a-z0-9]+]]: tensor<1x4x6xf32>, %[[DT:[a-z0-9]+]]: tensor<1x4x6xf32>, %[[A:[a-z0-9]+]]: tensor<4x3xf32>, %[[B:[a-z0-9]+]]: tensor<1x3x6xf32>, %[[C:[a-z0-9]+]]: tensor<1x3x6xf32>, %[[D:[a-z0-9]+]]: tensor<4xf32>, %[[IMG:[a-z0-9]+]]: tensor<1x4x2x3xf32>, %[[S:[a-z0-9]+]]: tensor<1x4x2xf32>,
// CHECK-SAME: %[[DY:[a-z0-9]+]]: tensor<1x4x6xf32>, %[[DXS:[a-z0-9]+]]: tensor<1x2x4x6xf32>, %[[DBC:[a-z0-9]+]]: tensor<1x4x6xf32>)
// CHECK: %[[BC:.*]] = ssm.axis_broadcast %[[S]] cols 3
// CHECK: %[[DS:.*]] = ssm.axis_pool sum %[[DBC]] cols 3
// CHECK: %[[DIMG:.*]] = ssm.cross_merge %[[DXS]] [row, col_rev] height 2 width 3
// CHECK: %[[F:.*]] = ssm.flip %[[DY]] along 2
// CHECK: %[[DU:.*]], %[[DDT:.*]], %[[DA:.*]], %[[DB:.*]], %[[DC:.*]], %[[DD:.*]] = ssm.selective_scan_grad %[[F]], %[[U]], %[[DT]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<4xf32>) delta_softplus
// CHECK: return %{{.*}}, %{{.*}}, %[[BC]], %[[DU]], %[[DDT]], %[[DA]], %[[DB]], %[[DC]], %[[DD]], %[[DIMG]], %[[DS]] :
func.func @ssm(%u: tensor<1x4x6xf32>, %dt: tensor<1x4x6xf32>, %A: tensor<4x3xf32>, %B: tensor<1x3x6xf32>, %C: tensor<1x3x6xf32>, %D: tensor<4xf32>, %img: tensor<1x4x2x3xf32>, %s: tensor<1x4x2xf32>) -> (tensor<1x4x6xf32>, tensor<1x2x4x6xf32>, tensor<1x4x6xf32>) {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<4xf32>) delta_softplus
      : tensor<1x4x6xf32>, tensor<1x4x6xf32>, tensor<4x3xf32>, tensor<1x3x6xf32>, tensor<1x3x6xf32>
  %yf = ssm.flip %y along 2 : tensor<1x4x6xf32>
  %xs = ssm.cross_scan %img [row, col_rev] : tensor<1x4x2x3xf32>
  %b = ssm.axis_broadcast %s cols 3 : tensor<1x4x2xf32>
  return %yf, %xs, %b : tensor<1x4x6xf32>, tensor<1x2x4x6xf32>, tensor<1x4x6xf32>
}
