// The NVVM pipeline: the same stages as the CPU up to bufferization, then the
// parallel loops become gpu kernels serialized to PTX without the CUDA
// toolkit. (The host side of the launches is not lowered yet.)
// RUN: ssm-opt %s --ssm-lower-to-nvvm | FileCheck %s
// RUN: ssm-opt %s --ssm-lower-to-nvvm="chip=sm_80" | FileCheck %s --check-prefix=SM80

// CHECK: gpu.launch_func @{{.*}}::@scan_kernel
// CHECK: gpu.binary @{{.*}} [#gpu.object<#nvvm.target<chip = "sm_90", features = "+ptx80">
// CHECK-SAME: .target sm_90
// CHECK-SAME: .visible .entry scan_kernel(
// CHECK-NOT: ssm.
// SM80: #nvvm.target<chip = "sm_80"
// SM80-SAME: .target sm_80
func.func @scan(%u: tensor<2x3x5xf32>, %dt: tensor<2x3x5xf32>, %A: tensor<3x4xf32>, %B: tensor<2x4x5xf32>, %C: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C delta_softplus : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<3x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return %y : tensor<2x3x5xf32>
}
