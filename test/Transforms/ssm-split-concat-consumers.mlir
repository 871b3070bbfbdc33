// RUN: ssm-opt %s --split-input-file --ssm-split-concat-consumers | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-split-concat-consumers --one-shot-bufferize="bufferize-function-boundaries" --ssm-expand-strided-copies | FileCheck %s --check-prefix=BUF

// MambaOut's gate: gelu-like g * concat(i, conv). Each piece gets its own
// generic over its channels, reading g's matching slice and writing its slice
// of the output; the concat is gone. Bufferized: one output buffer, each
// generic writes a subview of it, no copy.
// CHECK-LABEL: func.func @gate_concat
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x8xf32>, %[[I:.*]]: tensor<2x4x5xf32>, %[[C:.*]]: tensor<2x4x3xf32>)
// CHECK-NOT: tensor.concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x8xf32>
// CHECK: %[[G0:.*]] = tensor.extract_slice %[[G]][0, 0, 0] [2, 4, 5] [1, 1, 1]
// CHECK: %[[O0:.*]] = tensor.extract_slice %[[E]][0, 0, 0] [2, 4, 5] [1, 1, 1]
// CHECK: %[[P0:.*]] = linalg.generic {{.*}} ins(%[[G0]], %[[I]] : tensor<2x4x5xf32>, tensor<2x4x5xf32>) outs(%[[O0]] : tensor<2x4x5xf32>)
// CHECK: %[[R0:.*]] = tensor.insert_slice %[[P0]] into %[[E]][0, 0, 0] [2, 4, 5] [1, 1, 1]
// CHECK: %[[G1:.*]] = tensor.extract_slice %[[G]][0, 0, 5] [2, 4, 3] [1, 1, 1]
// CHECK: %[[O1:.*]] = tensor.extract_slice %[[R0]][0, 0, 5] [2, 4, 3] [1, 1, 1]
// CHECK: %[[P1:.*]] = linalg.generic {{.*}} ins(%[[G1]], %[[C]] : tensor<2x4x3xf32>, tensor<2x4x3xf32>) outs(%[[O1]] : tensor<2x4x3xf32>)
// CHECK: %[[R1:.*]] = tensor.insert_slice %[[P1]] into %[[R0]][0, 0, 5] [2, 4, 3] [1, 1, 1]
// CHECK: return %[[R1]]
// BUF-LABEL: func.func @gate_concat
// BUF-NOT: memref.copy
// BUF: %[[A:.*]] = memref.alloc() {{.*}} : memref<2x4x8xf32>
// BUF-NOT: memref.copy
// BUF: %[[S0:.*]] = memref.subview %[[A]][0, 0, 0] [2, 4, 5] [1, 1, 1]
// BUF: linalg.generic {{.*}} outs(%[[S0]] :
// BUF-NOT: memref.copy
// BUF: %[[S1:.*]] = memref.subview %[[A]][0, 0, 5] [2, 4, 3] [1, 1, 1]
// BUF: linalg.generic {{.*}} outs(%[[S1]] :
// BUF-NOT: memref.copy
// BUF: return %[[A]]
#id = affine_map<(n, h, c) -> (n, h, c)>
func.func @gate_concat(%g: tensor<2x4x8xf32>, %i: tensor<2x4x5xf32>, %c: tensor<2x4x3xf32>) -> tensor<2x4x8xf32> {
  %v = tensor.concat dim(2) %i, %c : (tensor<2x4x5xf32>, tensor<2x4x3xf32>) -> tensor<2x4x8xf32>
  %e = tensor.empty() : tensor<2x4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g, %v : tensor<2x4x8xf32>, tensor<2x4x8xf32>) outs(%e : tensor<2x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}

// -----

// Maps other than the identity: the concat read transposed, a bias broadcast
// along the split loop sliced, a scale that does not depend on it kept whole,
// the output (its init read by the body) indexed by the loop at another
// position.
// CHECK-LABEL: func.func @transposed_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<3x2xf32>, %[[B:.*]]: tensor<1x2xf32>, %[[BIAS:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<2xf32>, %[[INIT:.*]]: tensor<2x4xf32>)
// CHECK-NOT: tensor.concat
// CHECK: %[[BIAS0:.*]] = tensor.extract_slice %[[BIAS]][0] [3] [1]
// CHECK: %[[O0:.*]] = tensor.extract_slice %[[INIT]][0, 0] [2, 3] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[BIAS0]], %[[S]] : tensor<3x2xf32>, tensor<3xf32>, tensor<2xf32>) outs(%[[O0]] : tensor<2x3xf32>)
// CHECK: %[[R0:.*]] = tensor.insert_slice {{.*}} into %[[INIT]][0, 0] [2, 3] [1, 1]
// CHECK: %[[BIAS1:.*]] = tensor.extract_slice %[[BIAS]][3] [1] [1]
// CHECK: %[[O1:.*]] = tensor.extract_slice %[[R0]][0, 3] [2, 1] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[B]], %[[BIAS1]], %[[S]] : tensor<1x2xf32>, tensor<1xf32>, tensor<2xf32>) outs(%[[O1]] : tensor<2x1xf32>)
// CHECK: tensor.insert_slice {{.*}} into %[[R0]][0, 3] [2, 1] [1, 1]
#t = affine_map<(i, j) -> (j, i)>
#j = affine_map<(i, j) -> (j)>
#i = affine_map<(i, j) -> (i)>
#o = affine_map<(i, j) -> (i, j)>
func.func @transposed_broadcast(%a: tensor<3x2xf32>, %b: tensor<1x2xf32>, %bias: tensor<4xf32>, %s: tensor<2xf32>, %init: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %v = tensor.concat dim(0) %a, %b : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
  %r = linalg.generic {indexing_maps = [#t, #j, #i, #o], iterator_types = ["parallel", "parallel"]} ins(%v, %bias, %s : tensor<4x2xf32>, tensor<4xf32>, tensor<2xf32>) outs(%init : tensor<2x4xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32, %o: f32):
    %m = arith.addf %x, %y : f32
    %n = arith.mulf %m, %z : f32
    %p = arith.addf %n, %o : f32
    linalg.yield %p : f32
  } -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

// Left alone: the concat has a reader that is not split (returned), a
// reduction along the concatenated loop, and a generic that uses the index.
// CHECK-LABEL: func.func @other_reader
// CHECK: tensor.concat
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>)
func.func @other_reader(%a: tensor<3xf32>, %b: tensor<1xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %v = tensor.concat dim(0) %a, %b : (tensor<3xf32>, tensor<1xf32>) -> (tensor<4xf32>)
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%v : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.negf %x : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %r, %v : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reduced
// CHECK: tensor.concat
func.func @reduced(%a: tensor<3xf32>, %b: tensor<1xf32>, %init: tensor<f32>) -> tensor<f32> {
  %v = tensor.concat dim(0) %a, %b : (tensor<3xf32>, tensor<1xf32>) -> (tensor<4xf32>)
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]} ins(%v : tensor<4xf32>) outs(%init : tensor<f32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.addf %x, %o : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @indexed
// CHECK: tensor.concat
func.func @indexed(%a: tensor<3xf32>, %b: tensor<1xf32>) -> tensor<4xf32> {
  %v = tensor.concat dim(0) %a, %b : (tensor<3xf32>, tensor<1xf32>) -> (tensor<4xf32>)
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%v : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %i = linalg.index 0 : index
    %c = arith.index_cast %i : index to i32
    %f = arith.sitofp %c : i32 to f32
    %m = arith.addf %x, %f : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A piece that only widens a bf16 tensor (ssm-narrow-activations widens a
// 16-bit piece of a concat whose other pieces stay f32): the piece's generic
// reads the bf16 tensor and widens it in its body; the widening is gone.
// CHECK-LABEL: func.func @widened_piece
// CHECK-SAME: (%[[G:.*]]: tensor<2x4x8xf32>, %[[I:.*]]: tensor<2x4x5xbf16>, %[[C:.*]]: tensor<2x4x3xf32>)
// CHECK-NOT: tensor.concat
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[I]] : tensor<2x4x5xf32>, tensor<2x4x5xbf16>) outs(%{{.*}} : tensor<2x4x5xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: bf16, %{{.*}}: f32):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[B]] : bf16 to f32
// CHECK-NEXT: arith.mulf %[[A]], %[[W]] : f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[C]] : tensor<2x4x3xf32>, tensor<2x4x3xf32>)
// CHECK-NOT: arith.extf
// CHECK: return
#id = affine_map<(n, h, c) -> (n, h, c)>
func.func @widened_piece(%g: tensor<2x4x8xf32>, %i: tensor<2x4x5xbf16>, %c: tensor<2x4x3xf32>) -> tensor<2x4x8xf32> {
  %ie = tensor.empty() : tensor<2x4x5xf32>
  %i32 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%i : tensor<2x4x5xbf16>) outs(%ie : tensor<2x4x5xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %w = arith.extf %a : bf16 to f32
    linalg.yield %w : f32
  } -> tensor<2x4x5xf32>
  %v = tensor.concat dim(2) %i32, %c : (tensor<2x4x5xf32>, tensor<2x4x3xf32>) -> tensor<2x4x8xf32>
  %e = tensor.empty() : tensor<2x4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g, %v : tensor<2x4x8xf32>, tensor<2x4x8xf32>) outs(%e : tensor<2x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}
