// The fused SS2D core through the whole NVPTX pipeline: one launch in the
// host schedule, no workspace for xs / ys, and the kernel's PTX.
// RUN: ssm-compile %s --target=nvptx --compile-to=llvm | FileCheck %s --check-prefix=HOST
// RUN: ssm-compile %s --target=nvptx --compile-to=binary | FileCheck %s --check-prefix=PTX
// RUN: ssm-compile %s --target=nvptx --compile-to=binary | FileCheck %s --check-prefix=NOATOM
// RUN: ssm-compile %s --target=nvptx --scan-cross-scan-steps=0 --compile-to=llvm | FileCheck %s --check-prefix=UNFUSED

// HOST: func.func @ss2d(%{{.*}}: memref<2x8x16x20xf32>, {{.*}}, %[[OUT:.*]]: memref<2x8x16x20xf32>) {
// HOST-NOT: ssm.workspace_bytes
// HOST: gpu.launch_func  @ss2d_kernel::@ss2d_kernel blocks in (%c8, %c2, %c1) threads in (%c128, %c1, %c1)
// HOST-SAME: %[[OUT]] : memref<2x8x16x20xf32>)
// HOST-NEXT: return
// HOST-NOT: gpu.launch_func

// PTX: .visible .entry ss2d_kernel(
// PTX: .maxntid 128, 1, 1
// PTX-NOT: .local
// PTX-NOT: __nv_
// PTX: .shared .align 16 .b8 {{.*}}[3840];
// PTX: bar.sync 0;
// PTX-DAG: ld.global.v4.b32
// PTX-DAG: ld.shared.v4.b32
// PTX-DAG: ex2.approx.ftz.f32
// PTX-DAG: shfl.sync.up.b32
// PTX-DAG: shfl.sync.idx.b32
// PTX-DAG: st.shared.v4.b32
// PTX-DAG: st.global.b32

// The 4 directions' y meet in shared memory without atomics.
// NOATOM: .entry
// NOATOM-NOT: atom.

// Unfused: the cross-scan's xs and the scan's ys in a workspace, several
// launches.
// UNFUSED: ssm.workspace_bytes
// UNFUSED-COUNT-2: gpu.launch_func
func.func @ss2d(%x: tensor<2x8x16x20xf32>, %delta: tensor<2x32x320xf32>, %A: tensor<32x1xf32>, %B: tensor<2x4x1x320xf32>, %C: tensor<2x4x1x320xf32>, %D: tensor<32xf32>, %bias: tensor<32xf32>) -> tensor<2x8x16x20xf32> {
  %xs = ssm.cross_scan %x [row, col, row_rev, col_rev] : tensor<2x8x16x20xf32>
  %u = tensor.collapse_shape %xs [[0], [1, 2], [3]] : tensor<2x4x8x320xf32> into tensor<2x32x320xf32>
  %ys = ssm.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<32xf32>) delta_bias(%bias : tensor<32xf32>) delta_softplus : tensor<2x32x320xf32>, tensor<2x32x320xf32>, tensor<32x1xf32>, tensor<2x4x1x320xf32>, tensor<2x4x1x320xf32>
  %y4 = tensor.expand_shape %ys [[0], [1, 2], [3]] output_shape [2, 4, 8, 320] : tensor<2x32x320xf32> into tensor<2x4x8x320xf32>
  %y = ssm.cross_merge %y4 [row, col, row_rev, col_rev] height 16 width 20 : tensor<2x4x8x320xf32>
  return %y : tensor<2x8x16x20xf32>
}
