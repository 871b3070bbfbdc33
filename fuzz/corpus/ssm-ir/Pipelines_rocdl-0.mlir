// The ROCDL pipeline: the same stages as ssm-lower-to-nvvm up to the target
// attach (convert-ssm-to-gpu's fused scan kernel, GPU bufferization, kernel
// outlining), then ROCDL: afn exp2 as llvm.amdgcn.exp2 (v_exp_f32, no ocml
// call), no cp.async (nvgpu is NVIDIA-only), the kernel's known block size as
// its launch bound, and AMDGPU assembly for gfx942 (default) or gfx90a from
// LLVM 22 (no ROCm install). Not run on AMD hardware.
// RUN: ssm-opt %s --ssm-lower-to-rocdl | FileCheck %s --implicit-check-not=nvgpu. --implicit-check-not=nvvm.
// RUN: ssm-opt %s --ssm-lower-to-rocdl="chip=gfx90a" | FileCheck %s --check-prefix=GFX90A
// The async-copy option (cp.async) is ignored for AMD:
// RUN: ssm-opt %s --ssm-lower-to-rocdl="scan-async-copies=true scan-async-min-length=1" | FileCheck %s --implicit-check-not=nvgpu. --implicit-check-not=nvvm.

// CHECK: gpu.launch_func @scan_kernel::@scan_kernel blocks in ({{.*}}) threads in (%[[C64:.*]], %{{.*}}, %{{.*}})
// CHECK: gpu.binary @scan_kernel [#gpu.object<#rocdl.target<chip = "gfx942">, assembly = "
// CHECK-SAME: .amdgcn_target \22amdgcn-amd-amdhsa--gfx942\22
// CHECK-SAME: global_load_dwordx4
// CHECK-SAME: v_exp_f32
// CHECK-SAME: .amdhsa_kernel scan_kernel
// CHECK-SAME: .amdhsa_private_segment_fixed_size 0
// CHECK-SAME: .max_flat_workgroup_size: 64
// CHECK-SAME: .vgpr_spill_count: 0
// CHECK-SAME: .wavefront_size: 64
// CHECK-NOT: ssm.
// GFX90A: #rocdl.target<chip = "gfx90a">
// GFX90A-SAME: v_exp_f32
// GFX90A-SAME: .amdhsa_kernel scan_kernel
// GFX90A-SAME: amdhsa.target: amdgcn-amd-amdhsa--gfx90a
func.func @scan(%u: tensor<2x128x40xf32>, %dt: tensor<2x128x40xf32>, %A: tensor<128x16xf32>, %B: tensor<2x16x40xf32>, %C: tensor<2x16x40xf32>) -> tensor<2x128x40xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C delta_softplus : tensor<2x128x40xf32>, tensor<2x128x40xf32>, tensor<128x16xf32>, tensor<2x16x40xf32>, tensor<2x16x40xf32>
  return %y : tensor<2x128x40xf32>
}
