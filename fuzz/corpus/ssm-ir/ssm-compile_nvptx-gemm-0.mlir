// A linear layer through the whole NVPTX pipeline: one launch of the GEMM
// kernel (no generic kernel for the bias broadcast), and its assembly: shared
// tiles aligned for 16-byte accesses, 16-byte global and shared loads, fma,
// no local memory, 256 threads.
// RUN: ssm-compile %s --target=nvptx --compile-to=llvm | FileCheck %s --check-prefix=HOST
// RUN: ssm-compile %s --target=nvptx --compile-to=binary | FileCheck %s --check-prefix=PTX
// RUN: ssm-compile %s --target=nvptx --compile-to=binary | FileCheck %s --check-prefix=NOLOCAL

// HOST: func.func @linear(
// HOST-NOT: gpu.launch_func
// HOST: gpu.launch_func  @ssm_gemm_kernels::@gemm_0 blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%c256, %c1, %c1)
// HOST-SAME: ssm.library_call = {{{.*}}bias = "n"{{.*}}m = 300 : i64, n = 128 : i64, op = "gemm"}
// HOST-NOT: gpu.launch_func
// HOST: return

// PTX: .visible .entry gemm_0(
// PTX: .maxntid 256, 1, 1
// PTX-DAG: .shared .align 16 .b8 {{.*}}[4352];
// PTX-DAG: ld.global.v4.b32
// PTX-DAG: ld.shared.v4.b32
// PTX-DAG: fma.rn.f32
// PTX-DAG: st.global.v4.b32
// PTX-DAG: bar.sync
// NOLOCAL-NOT: .local
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
