// The GEMM kernel is target-neutral: the same linear layer for gfx942 gives
// 16-byte global and LDS accesses, packed fmas, no scratch, and the 8.5 KiB of
// LDS tiles. (HIP devices have no GEMM library here: this kernel always runs.)
// RUN: ssm-compile %s --target=amdgpu --chip=gfx942 --compile-to=binary | FileCheck %s
// RUN: ssm-compile %s --target=amdgpu --chip=gfx942 --compile-to=binary | FileCheck %s --check-prefix=NOSCRATCH

// CHECK: gemm_0:
// CHECK-DAG: global_load_dwordx4
// CHECK-DAG: ds_read_b128
// CHECK-DAG: v_pk_fma_f32
// CHECK-DAG: s_barrier
// CHECK-DAG: global_store_dwordx4
// CHECK: .amdhsa_group_segment_fixed_size 8704
// CHECK: .amdhsa_private_segment_fixed_size 0
// NOSCRATCH-NOT: scratch_
func.func @linear(%x: tensor<300x96xf32>, %w: tensor<128x96xf32>, %bias: tensor<128xf32>) -> tensor<300x128xf32> {
  %e = tensor.empty() : tensor<300x128xf32>
  %i = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<128xf32>) outs(%e : tensor<300x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<300x128xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<300x96xf32>, tensor<128x96xf32>) outs(%i : tensor<300x128xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<300x128xf32>
  return %r : tensor<300x128xf32>
}
