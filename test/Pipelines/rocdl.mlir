// The ROCDL pipeline: AMDGPU assembly for gfx942 (default) and gfx90a, with
// LLVM 22's lld and Debian's rocm-device-libs (no ROCm install). Not run on
// AMD hardware.
// RUN: ssm-opt %s --ssm-lower-to-rocdl | FileCheck %s
// RUN: ssm-opt %s --ssm-lower-to-rocdl="chip=gfx90a" | FileCheck %s --check-prefix=GFX90A

// CHECK: gpu.launch_func @{{.*}}::@scan_kernel
// CHECK: gpu.binary @{{.*}} [#gpu.object<#rocdl.target<chip = "gfx942">
// CHECK-SAME: .amdhsa_kernel scan_kernel
// CHECK-NOT: ssm.
// GFX90A: #rocdl.target<chip = "gfx90a">
// GFX90A-SAME: .amdhsa_kernel scan_kernel
func.func @scan(%u: tensor<2x3x5xf32>, %dt: tensor<2x3x5xf32>, %A: tensor<3x4xf32>, %B: tensor<2x4x5xf32>, %C: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C delta_softplus : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<3x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return %y : tensor<2x3x5xf32>
}
