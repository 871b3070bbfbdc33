// The ops no dedicated kernel takes (elementwise chains, reductions) as GPU
// kernels: one thread per output element in blocks of whole warps sized by
// planParallelLoop, never a one-thread block, no local memory.
// RUN: ssm-compile %s --target=nvptx --compile-to=llvm | FileCheck %s --check-prefix=HOST
// RUN: ssm-compile %s --target=nvptx --compile-to=binary | FileCheck %s --check-prefix=PTX
// RUN: ssm-compile %s --target=amdgpu --chip=gfx942 --compile-to=binary | FileCheck %s --check-prefix=GCN

// 3 x 7 x 5 = 105 elements: 2 blocks of 64 threads on sm_90, 1 block of
// 128 (two 64-wide wavefronts) on gfx942.
// HOST-LABEL: func.func @elementwise
// HOST: gpu.launch_func @elementwise_kernel::@elementwise_kernel blocks in (%c2, %c1, %c1) threads in (%c64, %c1, %c1)
// PTX-LABEL: .entry elementwise_kernel(
// PTX: .maxntid 64, 1, 1
// PTX-NOT: .local
// GCN-LABEL: elementwise_kernel:
// GCN: .max_flat_workgroup_size: 128
func.func @elementwise(%a: tensor<3x7x5xf32>, %b: tensor<3x7x5xf32>) -> tensor<3x7x5xf32> {
  %0 = arith.addf %a, %b : tensor<3x7x5xf32>
  %1 = math.exp %0 : tensor<3x7x5xf32>
  return %1 : tensor<3x7x5xf32>
}

// A mean over the tokens of [b, l, c] (the reduction between two parallel
// dims): one thread per (b, c) output, 4 x 600 = 2400 of them.
// HOST-LABEL: func.func @mean_tokens
// HOST: gpu.launch_func @mean_tokens_kernel{{.*}} threads in (%c64, %c1, %c1)
// HOST: gpu.launch_func @mean_tokens_kernel{{.*}} blocks in (%c38, %c1, %c1) threads in (%c64, %c1, %c1)
// PTX-LABEL: .entry mean_tokens_kernel
// PTX-NOT: .maxntid 1, 1, 1
// PTX: .maxntid 64, 1, 1
// PTX-NOT: .local
func.func @mean_tokens(%a: tensor<4x9x600xf32>) -> tensor<4x600xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x600xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x600xf32>) -> tensor<4x600xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, l, c) -> (i, l, c)>, affine_map<(i, l, c) -> (i, c)>],
       iterator_types = ["parallel", "reduction", "parallel"]} ins(%a : tensor<4x9x600xf32>) outs(%f : tensor<4x600xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4x600xf32>
  return %r : tensor<4x600xf32>
}

// A reduction over a contiguous last dimension (LayerNorm's variance): one
// warp per row (15 rows of 70 elements, 8 rows per block would leave SMs
// idle: one row per block), lanes combined by xor shuffles; on gfx942 one
// 64-lane wavefront per row, the lanes combined by swizzles and a bpermute.
// HOST-LABEL: func.func @variance
// HOST: gpu.launch_func @variance_kernel{{.*}} threads in (%c32, %c1, %c1)
// HOST: gpu.launch_func @variance_kernel{{.*}} blocks in (%c15, %c1, %c1) threads in (%c32, %c1, %c1)
// PTX-LABEL: .entry variance_kernel(
// PTX: .maxntid 32, 1, 1
// PTX-COUNT-5: shfl.sync.bfly.b32
// PTX-NOT: .local
// GCN-LABEL: variance_kernel:
// GCN-DAG: ds_swizzle_b32 {{.*}} offset:swizzle(SWAP,16)
// GCN-DAG: ds_bpermute_b32
// GCN: .max_flat_workgroup_size: 64
func.func @variance(%a: tensor<5x3x70xf32>, %m: tensor<5x3xf32>) -> tensor<5x3xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<5x3xf32>) -> tensor<5x3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j, c) -> (i, j, c)>, affine_map<(i, j, c) -> (i, j)>, affine_map<(i, j, c) -> (i, j)>],
       iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %m : tensor<5x3x70xf32>, tensor<5x3xf32>) outs(%f : tensor<5x3xf32>) {
  ^bb0(%x: f32, %mu: f32, %acc: f32):
    %d = arith.subf %x, %mu : f32
    %sq = arith.mulf %d, %d : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<5x3xf32>
  return %r : tensor<5x3xf32>
}
