// A backward pass's input gradient in the autodiff's loop order, accumulating
// onto another use's gradient: du = du0 + sum_e dxz[b, e, l] W[e, c].
// ssm-split-gemm-bias reorders its loops for the GEMM matcher and moves the
// accumulation into an elementwise add; compiled for the CPU, the rewritten
// and the original function agree with a float64 sum on random inputs (odd
// sizes: b = 3, e = 37, l = 5, c = 7).
// RUN: ssm-opt %s --ssm-split-gemm-bias -o %t.split.mlir
// RUN: FileCheck %s < %t.split.mlir
// RUN: ssm-compile %s --target=cpu -o %t.plain.ssmb
// RUN: ssm-compile %t.split.mlir --target=cpu -o %t.split.ssmb
// RUN: %python -c "import numpy as np; r = np.random.default_rng(7); np.save('%t.w.npy', r.standard_normal((37, 7)).astype(np.float32)); np.save('%t.g.npy', r.standard_normal((3, 37, 5)).astype(np.float32)); np.save('%t.u.npy', r.standard_normal((3, 5, 7)).astype(np.float32))"
// RUN: ssm-run %t.plain.ssmb --input=@%t.w.npy --input=@%t.g.npy --input=@%t.u.npy --output=%t.plain.npy
// RUN: ssm-run %t.split.ssmb --input=@%t.w.npy --input=@%t.g.npy --input=@%t.u.npy --output=%t.split.npy
// RUN: %python -c "import numpy as np; w = np.load('%t.w.npy').astype(np.float64); g = np.load('%t.g.npy').astype(np.float64); u = np.load('%t.u.npy').astype(np.float64); want = u + np.einsum('bel,ec->blc', g, w); err = [float(np.abs(np.load(f) - want).max() / np.abs(want).max()) for f in ('%t.plain.npy', '%t.split.npy')]; print('rel err', err); assert max(err) < 1e-6, err"

// CHECK-LABEL: func.func @forward
// CHECK: linalg.fill
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %arg2 : tensor<3x5x7xf32>, tensor<3x5x7xf32>)
#w = affine_map<(b, e, l, c) -> (e, c)>
#g = affine_map<(b, e, l, c) -> (b, e, l)>
#u = affine_map<(b, e, l, c) -> (b, l, c)>
func.func @forward(%w: tensor<37x7xf32>, %g: tensor<3x37x5xf32>, %u0: tensor<3x5x7xf32>) -> tensor<3x5x7xf32> {
  %c = linalg.generic {indexing_maps = [#w, #g, #u], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%w, %g : tensor<37x7xf32>, tensor<3x37x5xf32>) outs(%u0 : tensor<3x5x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %b, %a : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x5x7xf32>
  return %c : tensor<3x5x7xf32>
}
