// The causal conv's weight gradient shape: 8 x 4 outputs summed over
// 128 x 197 (batch x steps). ssm-split-reductions gives partial sums over
// slices of one reduction loop (a leading parallel loop of the splits) and a
// short sum onto the original init; compiled for the CPU, the split and the
// unsplit function agree with a float64 sum on random inputs.
// RUN: ssm-opt %s --ssm-split-reductions | FileCheck %s
// RUN: ssm-opt %s --ssm-split-reductions -o %t.split.mlir
// RUN: ssm-compile %s --target=cpu -o %t.plain.ssmb
// RUN: ssm-compile %t.split.mlir --target=cpu -o %t.split.ssmb
// RUN: %python -c "import numpy as np; r = np.random.default_rng(3); np.save('%t.x.npy', r.standard_normal((128, 8, 200)).astype(np.float32)); np.save('%t.dy.npy', r.standard_normal((128, 8, 197)).astype(np.float32))"
// RUN: ssm-run %t.plain.ssmb --input=@%t.x.npy --input=@%t.dy.npy --output=%t.plain.npy
// RUN: ssm-run %t.split.ssmb --input=@%t.x.npy --input=@%t.dy.npy --output=%t.split.npy
// RUN: %python -c "import numpy as np; x = np.load('%t.x.npy').astype(np.float64); dy = np.load('%t.dy.npy').astype(np.float64); want = np.stack([np.einsum('bdt,bdt->d', x[:, :, j:j + 197], dy) for j in range(4)], 1); err = [float(np.abs(np.load(f) - want).max() / np.abs(want).max()) for f in ('%t.plain.npy', '%t.split.npy')]; print('rel err', err); assert max(err) < 1e-5, err"
//
// CHECK-LABEL: func.func @forward
// CHECK: %[[SLICES:.*]] = tensor.empty() : tensor<197x1xi1>
// CHECK: %[[PARTS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<197x8x4xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[PARTS]] : tensor<197x8x4xf32>) outs(%{{.*}} : tensor<8x4xf32>)
#x = affine_map<(d, j, b, t) -> (b, d, t + j)>
#y = affine_map<(d, j, b, t) -> (b, d, t)>
#o = affine_map<(d, j, b, t) -> (d, j)>
func.func @forward(%x: tensor<128x8x200xf32>, %dy: tensor<128x8x197xf32>) -> tensor<8x4xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %r = linalg.generic {indexing_maps = [#x, #y, #o], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %dy : tensor<128x8x200xf32>, tensor<128x8x197xf32>) outs(%z : tensor<8x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}
