// A weight gradient: dW[o, i] = sum over (b, l) of dY[b, o, l] * X[b, l, i]
// (autodiff puts the reductions first). Each input gets its reduction dims
// last, in loop order (dY transposed, X already so), collapsed into one k,
// and the contraction becomes (o, i, k): a GEMM the matchers take. Compiled
// for the CPU it still equals a float64 sum.
// RUN: ssm-opt %s --ssm-gemm-reductions-to-k | FileCheck %s
// RUN: ssm-opt %s --ssm-gemm-reductions-to-k -o %t.k.mlir
// RUN: ssm-compile %t.k.mlir --target=cpu -o %t.k.ssmb
// RUN: %python -c "import numpy as np; r = np.random.default_rng(6); np.save('%t.dy.npy', r.standard_normal((3, 5, 7)).astype(np.float32)); np.save('%t.x.npy', r.standard_normal((3, 7, 4)).astype(np.float32))"
// RUN: ssm-run %t.k.ssmb --input=@%t.dy.npy --input=@%t.x.npy --output=%t.out.npy
// RUN: %python -c "import numpy as np; dy = np.load('%t.dy.npy').astype(np.float64); x = np.load('%t.x.npy').astype(np.float64); want = np.einsum('bol,bli->oi', dy, x); got = np.load('%t.out.npy'); err = float(np.abs(got - want).max() / np.abs(want).max()); print('rel err', err); assert err < 1e-5, err"
//
// CHECK-LABEL: func.func @forward
// CHECK: %[[T:.*]] = linalg.transpose ins(%arg0 : tensor<3x5x7xf32>) outs(%{{.*}} : tensor<5x3x7xf32>) permutation = [1, 0, 2]
// CHECK: %[[A:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0], [1, 2]] : tensor<5x3x7xf32> into tensor<5x21xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[B:.*]] = tensor.collapse_shape %arg1 {{\[}}[0, 1], [2]] : tensor<3x7x4xf32> into tensor<21x4xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[A]], %[[B]] : tensor<5x21xf32>, tensor<21x4xf32>)
#dy = affine_map<(b, o, l, i) -> (b, o, l)>
#x = affine_map<(b, o, l, i) -> (b, l, i)>
#w = affine_map<(b, o, l, i) -> (o, i)>
func.func @forward(%dy: tensor<3x5x7xf32>, %x: tensor<3x7x4xf32>) -> tensor<5x4xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x4xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<5x4xf32>) -> tensor<5x4xf32>
  %r = linalg.generic {indexing_maps = [#dy, #x, #w], iterator_types = ["reduction", "parallel", "reduction", "parallel"]}
      ins(%dy, %x : tensor<3x5x7xf32>, tensor<3x7x4xf32>) outs(%z : tensor<5x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<5x4xf32>
  return %r : tensor<5x4xf32>
}
