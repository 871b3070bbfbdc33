// A bf16 linear layer whose f32 result is rounded to bf16 by its sole reader
// (what ssm-narrow-activations leaves for a GEMM of a bf16 model): one GEMM
// launch writes the bf16 C (the rounding generic is folded into the GEMM's
// epilogue, no kernel of its own), the bias stays the stored bf16 vector,
// and the library record carries the bf16 C. The kernel accumulates in f32,
// adds the bias, and rounds each value once before its 8-byte store of 4
// bf16: cvt.rn.bf16x2.f32 on sm_90, the round-to-nearest-even sequence
// (v_add3_u32) on gfx942, which has no bf16 convert.
// RUN: ssm-compile %s --target=nvptx --chip=sm_90 --compile-to=llvm | FileCheck %s --check-prefix=HOST
// RUN: ssm-compile %s --target=amdgpu --chip=gfx942 --compile-to=llvm | FileCheck %s --check-prefix=HOST
// RUN: ssm-compile %s --target=nvptx --chip=sm_90 --compile-to=binary | FileCheck %s --check-prefix=PTX
// RUN: ssm-compile %s --target=amdgpu --chip=gfx942 --compile-to=binary | FileCheck %s --check-prefix=AMD
// RUN: ssm-compile %s --target=nvptx --chip=sm_90 -o %t.ssmb

// HOST: func.func @linear_bf16(
// HOST-NOT: gpu.launch_func
// HOST: gpu.launch_func  @ssm_gemm_kernels::@gemm_0 {{.*}} args(%{{.*}} : memref<300x96xbf16>, %{{.*}} : memref<128x96xbf16>, %{{.*}} : memref<300x128xbf16>, %{{.*}} : memref<128xbf16>)
// HOST-SAME: bias = "n"
// HOST-NOT: gpu.launch_func
// HOST: return

// PTX: .visible .entry gemm_0(
// PTX-DAG: fma.rn.f32
// PTX-DAG: cvt.rn.bf16x2.f32
// PTX-DAG: st.global.v2.b32
// PTX-NOT: st.global.v4.b32

// AMD: gemm_0:
// AMD-DAG: v_pk_fma_f32
// AMD-DAG: v_add3_u32
// AMD-DAG: global_store_dwordx2
// AMD-NOT: global_store_dwordx4
func.func @linear_bf16(%x: tensor<300x96xbf16>, %w: tensor<128x96xbf16>, %bias: tensor<128xbf16>) -> tensor<300x128xbf16> {
  %e = tensor.empty() : tensor<300x128xf32>
  %i = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<128xbf16>) outs(%e : tensor<300x128xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %v = arith.extf %in : bf16 to f32
    linalg.yield %v : f32
  } -> tensor<300x128xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<300x96xbf16>, tensor<128x96xbf16>) outs(%i : tensor<300x128xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<300x128xf32>
  %e16 = tensor.empty() : tensor<300x128xbf16>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%r : tensor<300x128xf32>) outs(%e16 : tensor<300x128xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %v = arith.truncf %in : f32 to bf16
    linalg.yield %v : bf16
  } -> tensor<300x128xbf16>
  return %t : tensor<300x128xbf16>
}
