// --target=amdgpu: the same fused scan kernel as --target=nvptx (the stages
// are shared up to the target attach) as AMDGPU code for gfx942 (default) and
// gfx90a, and an .ssmb whose kernel objects are HSACO code objects linked by
// LLVM 22's ld.lld (Debian's rocm-device-libs, no ROCm install). Never run on
// AMD hardware: checked here by the assembly and by inspecting the code
// objects. L = 45 rows are not 16-byte aligned: the kernel still loads u,
// delta and z with 16-byte global_load_dwordx4 (peeled row heads).
//
// RUN: ssm-compile %s --target=amdgpu --compile-to=llvm | FileCheck %s --check-prefix=HOST --implicit-check-not=nvgpu. --implicit-check-not=nvvm.
// RUN: ssm-compile %s --target=amdgpu --compile-to=binary | FileCheck %s --check-prefixes=ASM,GFX942 --implicit-check-not='{{scratch_(load|store)}}' --implicit-check-not=buffer_load --implicit-check-not=buffer_store --implicit-check-not=__ocml --implicit-check-not=s_swappc
// RUN: ssm-compile %s --target=amdgpu --chip=gfx90a --compile-to=binary | FileCheck %s --check-prefixes=ASM,GFX90A --implicit-check-not='{{scratch_(load|store)}}' --implicit-check-not=buffer_load --implicit-check-not=buffer_store --implicit-check-not=__ocml --implicit-check-not=s_swappc
//
// The .ssmb: one Amdgpu/Hsaco kernel object per gpu.binary, a valid AMDGPU
// code object (ELF notes: target, kernel descriptor, launch bounds).
// RUN: ssm-compile %s --target=amdgpu -o %t.gfx942.ssmb
// RUN: ssm-run %t.gfx942.ssmb --kernel-objects | FileCheck %s --check-prefix=OBJ942
// RUN: ssm-run %t.gfx942.ssmb --extract-kernel-object=0 --output=%t.gfx942.hsaco
// RUN: llvm-readelf -h --symbols --notes %t.gfx942.hsaco | FileCheck %s --check-prefixes=ELF,ELF942
// RUN: ssm-compile %s --target=amdgpu --chip=gfx90a -o %t.gfx90a.ssmb
// RUN: ssm-run %t.gfx90a.ssmb --kernel-objects | FileCheck %s --check-prefix=OBJ90A
// RUN: ssm-run %t.gfx90a.ssmb --extract-kernel-object=0 --output=%t.gfx90a.hsaco
// RUN: llvm-readelf -h --symbols --notes %t.gfx90a.hsaco | FileCheck %s --check-prefixes=ELF,ELF90A
//
// --list needs no device; the CPU device refuses to run it; bad chips and
// object indices are clear errors.
// RUN: ssm-run %t.gfx942.ssmb --list | FileCheck %s --check-prefix=LIST
// RUN: not ssm-run %t.gfx942.ssmb --input=random 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not ssm-compile %s --target=amdgpu --chip=gfx1100 2>&1 | FileCheck %s --check-prefix=BADCHIP
// RUN: not ssm-compile %s --target=amdgpu --chip=sm_90 2>&1 | FileCheck %s --check-prefix=NVCHIP
// RUN: not ssm-run %t.gfx942.ssmb --extract-kernel-object=1 --output=%t.none 2>&1 | FileCheck %s --check-prefix=BADINDEX
// RUN: not ssm-run %t.gfx942.ssmb --extract-kernel-object=0 2>&1 | FileCheck %s --check-prefix=NOOUT

// HOST: gpu.launch_func  @vim_kernel::@vim_kernel blocks in
// HOST: gpu.module @vim_kernel [#rocdl.target<chip = "gfx942">]
// HOST: llvm.func @vim_kernel(
// HOST-SAME: rocdl.flat_work_group_size = "64,64"
// HOST-SAME: rocdl.kernel
// HOST: llvm.call_intrinsic "llvm.amdgcn.exp2"

// GFX942: .amdgcn_target "amdgcn-amd-amdhsa--gfx942
// GFX90A: .amdgcn_target "amdgcn-amd-amdhsa--gfx90a
// ASM: vim_kernel:
// ASM: global_load_dwordx4
// ASM: ds_read_b128
// ASM: v_exp_f32_e32
// ASM: v_rcp_f32_e32
// ASM: global_store_dword
// ASM: .amdhsa_kernel vim_kernel
// ASM: .amdhsa_private_segment_fixed_size 0
// GFX942: .amdhsa_enable_private_segment 0
// ASM: .end_amdhsa_kernel
// ASM: .max_flat_workgroup_size: 64
// ASM: .private_segment_fixed_size: 0
// ASM: .sgpr_spill_count: 0
// ASM: .symbol: vim_kernel.kd
// ASM: .vgpr_spill_count: 0
// ASM: .wavefront_size: 64
// GFX942: amdhsa.target: amdgcn-amd-amdhsa--gfx942
// GFX90A: amdhsa.target: amdgcn-amd-amdhsa--gfx90a

// OBJ942: 0 Amdgpu Hsaco gfx942 {{[1-9][0-9]+}}
// OBJ90A: 0 Amdgpu Hsaco gfx90a {{[1-9][0-9]+}}

// ELF: OS/ABI: AMDGPU - HSA
// ELF: Type: DYN
// ELF: Machine: EM_AMDGPU
// ELF942: Flags: {{.*}}gfx942
// ELF90A: Flags: {{.*}}gfx90a
// ELF-DAG: FUNC GLOBAL PROTECTED {{.*}} vim_kernel{{$}}
// ELF-DAG: OBJECT GLOBAL DEFAULT {{.*}} vim_kernel.kd
// ELF: NT_AMDGPU_METADATA
// ELF: .max_flat_workgroup_size: 64
// ELF: .name: vim_kernel
// ELF: .private_segment_fixed_size: 0
// ELF: .symbol: vim_kernel.kd
// ELF: .vgpr_spill_count: 0
// ELF: .wavefront_size: 64
// ELF942: amdhsa.target: amdgcn-amd-amdhsa--gfx942
// ELF90A: amdhsa.target: amdgcn-amd-amdhsa--gfx90a

// LIST: vim(input0: 2x128x45xf32, input1: 2x128x45xf32, input2: 128x16xf32, input3: 2x16x45xf32, input4: 2x16x45xf32, input5: 128xf32, input6: 2x128x45xf32, input7: 128xf32) -> (output0: 2x128x45xf32)
// LIST-NOT: model:
// CPU: kernel object 0 (Amdgpu/Hsaco, chip 'gfx942'
// CPU-SAME: device 'cpu' runs only Cpu/So kernel objects
// BADCHIP: error: --target=amdgpu: unsupported chip 'gfx1100' (expected one of gfx942, gfx90a)
// NVCHIP: error: --target=amdgpu: unsupported chip 'sm_90'
// BADINDEX: --extract-kernel-object=1: the module has 1 kernel object(s)
// NOOUT: --extract-kernel-object needs one --output=PATH
func.func @vim(%u: tensor<2x128x45xf32>, %dt: tensor<2x128x45xf32>, %A: tensor<128x16xf32>, %B: tensor<2x16x45xf32>, %C: tensor<2x16x45xf32>, %D: tensor<128xf32>, %z: tensor<2x128x45xf32>, %bias: tensor<128xf32>) -> tensor<2x128x45xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<128xf32>) z(%z : tensor<2x128x45xf32>) delta_bias(%bias : tensor<128xf32>) delta_softplus : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>
  return %y : tensor<2x128x45xf32>
}
