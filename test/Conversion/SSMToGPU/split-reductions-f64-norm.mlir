// The train step's global gradient norm: every gradient's sum of squares
// accumulated, in f64, onto one running total (one reduction per parameter,
// each to a single output). ssm-split-reductions splits the large ones into
// partial sums (f64) and a short sum onto the running total, so no single
// warp walks a whole weight matrix; a small one (384 elements) stays whole.
// Compiled for the CPU, the split and the unsplit function agree with a
// float64 sum on random inputs.
// RUN: ssm-opt %s --ssm-split-reductions | FileCheck %s
// RUN: ssm-opt %s --ssm-split-reductions -o %t.split.mlir
// RUN: ssm-compile %s --target=cpu -o %t.plain.ssmb
// RUN: ssm-compile %t.split.mlir --target=cpu -o %t.split.ssmb
// RUN: %python -c "import numpy as np; r = np.random.default_rng(5); np.save('%t.w.npy', r.standard_normal((768, 192)).astype(np.float32)); np.save('%t.b.npy', r.standard_normal((384,)).astype(np.float32))"
// RUN: ssm-run %t.plain.ssmb --input=@%t.w.npy --input=@%t.b.npy --output=%t.plain.npy
// RUN: ssm-run %t.split.ssmb --input=@%t.w.npy --input=@%t.b.npy --output=%t.split.npy
// RUN: %python -c "import numpy as np; w = np.load('%t.w.npy').astype(np.float64); b = np.load('%t.b.npy').astype(np.float64); want = np.sqrt((w * w).sum() + (b * b).sum()); err = [float(abs(np.load(f)[0] - want) / want) for f in ('%t.plain.npy', '%t.split.npy')]; print('rel err', err); assert max(err) < 1e-6, err"

// CHECK-LABEL: func.func @forward
// CHECK: %[[PARTS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<{{[0-9]+}}x1xf64>)
// CHECK: %[[W:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[PARTS]] : tensor<{{[0-9]+}}x1xf64>) outs(%{{.*}} : tensor<1xf64>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]{{.*}} ins(%{{.*}} : tensor<384xf32>) outs(%[[W]] : tensor<1xf64>)
#w = affine_map<(k, i, j) -> (i, j)>
#b = affine_map<(k, i) -> (i)>
#acc3 = affine_map<(k, i, j) -> (k)>
#acc2 = affine_map<(k, i) -> (k)>
#id = affine_map<(k) -> (k)>
func.func @forward(%w: tensor<768x192xf32>, %b: tensor<384xf32>) -> tensor<1xf32> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<1xf64>
  %z = linalg.fill ins(%zero : f64) outs(%e : tensor<1xf64>) -> tensor<1xf64>
  %s1 = linalg.generic {indexing_maps = [#w, #acc3], iterator_types = ["parallel", "reduction", "reduction"]}
      ins(%w : tensor<768x192xf32>) outs(%z : tensor<1xf64>) {
  ^bb0(%x: f32, %acc: f64):
    %x64 = arith.extf %x : f32 to f64
    %sq = arith.mulf %x64, %x64 : f64
    %s = arith.addf %acc, %sq : f64
    linalg.yield %s : f64
  } -> tensor<1xf64>
  %s2 = linalg.generic {indexing_maps = [#b, #acc2], iterator_types = ["parallel", "reduction"]}
      ins(%b : tensor<384xf32>) outs(%s1 : tensor<1xf64>) {
  ^bb0(%x: f32, %acc: f64):
    %x64 = arith.extf %x : f32 to f64
    %sq = arith.mulf %x64, %x64 : f64
    %s = arith.addf %acc, %sq : f64
    linalg.yield %s : f64
  } -> tensor<1xf64>
  %e32 = tensor.empty() : tensor<1xf32>
  %n = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%s2 : tensor<1xf64>) outs(%e32 : tensor<1xf32>) {
  ^bb0(%x: f64, %o: f32):
    %r = math.sqrt %x : f64
    %t = arith.truncf %r : f64 to f32
    linalg.yield %t : f32
  } -> tensor<1xf32>
  return %n : tensor<1xf32>
}
