// A norm's weight gradient as autodiff emits it: the reductions (batch,
// tokens) before the parallel channel loop. Split the same way, and still
// the float64 sum on the CPU.
// RUN: ssm-opt %s --ssm-split-reductions | FileCheck %s
// RUN: ssm-opt %s --ssm-split-reductions -o %t.split.mlir
// RUN: ssm-compile %t.split.mlir --target=cpu -o %t.split.ssmb
// RUN: %python -c "import numpy as np; r = np.random.default_rng(4); np.save('%t.x.npy', r.standard_normal((128, 197, 6)).astype(np.float32)); np.save('%t.y.npy', r.standard_normal((128, 197, 6)).astype(np.float32))"
// RUN: ssm-run %t.split.ssmb --input=@%t.x.npy --input=@%t.y.npy --output=%t.out.npy
// RUN: %python -c "import numpy as np; x = np.load('%t.x.npy').astype(np.float64); y = np.load('%t.y.npy').astype(np.float64); want = 1.5 + np.einsum('blc,blc->c', x, y); got = np.load('%t.out.npy'); err = float(np.abs(got - want).max() / np.abs(want).max()); print('rel err', err); assert err < 1e-5, err"
//
// CHECK-LABEL: func.func @forward
// CHECK: %[[PARTS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction", "parallel"]{{.*}} outs(%{{.*}} : tensor<{{[0-9]+}}x6xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[PARTS]] : tensor<{{[0-9]+}}x6xf32>) outs(%{{.*}} : tensor<6xf32>)
#in = affine_map<(b, l, c) -> (b, l, c)>
#out = affine_map<(b, l, c) -> (c)>
func.func @forward(%x: tensor<128x197x6xf32>, %y: tensor<128x197x6xf32>) -> tensor<6xf32> {
  %init = arith.constant 1.5 : f32
  %e = tensor.empty() : tensor<6xf32>
  %z = linalg.fill ins(%init : f32) outs(%e : tensor<6xf32>) -> tensor<6xf32>
  %r = linalg.generic {indexing_maps = [#in, #in, #out], iterator_types = ["reduction", "reduction", "parallel"]}
      ins(%x, %y : tensor<128x197x6xf32>, tensor<128x197x6xf32>) outs(%z : tensor<6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  return %r : tensor<6xf32>
}
