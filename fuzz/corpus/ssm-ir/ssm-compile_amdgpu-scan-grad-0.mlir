// The selective-scan backward kernels for AMDGPU (gfx942, gfx90a): they
// compile without spills or scratch, exp as v_exp_f32, the lane shuffles as
// ds_bpermute (4 lanes per channel stay inside a 64-lane wavefront), and the
// f32 atomic sums of dA/dB/dC/dD/ddelta_bias as the hardware float atomic
// (ssm-rocdl-fast-math marks them no-fine-grained: the runtime hipMallocs
// every buffer) rather than compare-and-swap loops. Never run on AMD
// hardware.
// RUN: ssm-compile %s --target=amdgpu --compile-to=llvm | FileCheck %s --check-prefix=LLVM
// RUN: ssm-compile %s --target=amdgpu --compile-to=binary | FileCheck %s --check-prefixes=ASM,GFX942 --implicit-check-not=_cmpswap --implicit-check-not='{{scratch_(load|store)}}' --implicit-check-not=buffer_load --implicit-check-not=buffer_store
// RUN: ssm-compile %s --target=amdgpu --chip=gfx90a --compile-to=binary | FileCheck %s --check-prefixes=ASM,GFX90A --implicit-check-not=_cmpswap --implicit-check-not='{{scratch_(load|store)}}' --implicit-check-not=buffer_load --implicit-check-not=buffer_store
// RUN: ssm-compile %s --target=amdgpu -o %t.ssmb
// RUN: ssm-run %t.ssmb --kernel-objects | FileCheck %s --check-prefix=OBJ

// LLVM: gpu.module @{{.*}} [#rocdl.target<chip = "gfx942">]
// LLVM: llvm.atomicrmw fadd {{.*}} {rocdl.ignore_denormal_mode, rocdl.no_fine_grained_memory, rocdl.no_remote_memory} : !llvm.ptr, f32

// GFX942: .amdgcn_target "amdgcn-amd-amdhsa--gfx942
// GFX90A: .amdgcn_target "amdgcn-amd-amdhsa--gfx90a
// ASM-DAG: v_exp_f32_e32
// ASM-DAG: ds_bpermute_b32
// ASM-DAG: global_atomic_add_f32
// ASM: .private_segment_fixed_size: 0
// ASM: .vgpr_spill_count: 0
// ASM: .wavefront_size: 64

// OBJ: 0 Amdgpu Hsaco gfx942
func.func @grad(%dout: tensor<2x128x45xf32>, %u: tensor<2x128x45xf32>, %dt: tensor<2x128x45xf32>, %A: tensor<128x16xf32>, %B: tensor<2x16x45xf32>, %C: tensor<2x16x45xf32>, %D: tensor<128xf32>, %z: tensor<2x128x45xf32>, %bias: tensor<128xf32>) -> (tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>, tensor<128xf32>, tensor<2x128x45xf32>, tensor<128xf32>) {
  %du, %ddt, %dA, %dB, %dC, %dD, %dz, %db = ssm.selective_scan_grad %dout, %u, %dt, %A, %B, %C D(%D : tensor<128xf32>) z(%z : tensor<2x128x45xf32>) delta_bias(%bias : tensor<128xf32>) delta_softplus : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>
  return %du, %ddt, %dA, %dB, %dC, %dD, %dz, %db : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>, tensor<128xf32>, tensor<2x128x45xf32>, tensor<128xf32>
}
