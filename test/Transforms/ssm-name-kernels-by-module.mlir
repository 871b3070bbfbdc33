// RUN: ssm-opt %s --ssm-name-kernels-by-module | FileCheck %s

// Outlined kernels take their module's unique name, launches follow; a
// library kernel (gemm_0 of ssm_gemm_kernels) and a module with two entries
// keep theirs.
// CHECK: gpu.launch_func @forward_kernel::@forward_kernel
// CHECK: gpu.launch_func @forward_kernel_0::@forward_kernel_0
// CHECK: gpu.launch_func @ssm_gemm_kernels::@gemm_0
// CHECK: gpu.launch_func @two::@forward_kernel
// CHECK: gpu.module @forward_kernel_0
// CHECK-NEXT: gpu.func @forward_kernel_0() kernel
// CHECK: gpu.module @ssm_gemm_kernels
// CHECK-NEXT: gpu.func @gemm_0() kernel
// CHECK: gpu.module @two
// CHECK-NEXT: gpu.func @forward_kernel() kernel
module attributes {gpu.container_module} {
  func.func @forward() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @forward_kernel::@forward_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @forward_kernel_0::@forward_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @ssm_gemm_kernels::@gemm_0 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @two::@forward_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @forward_kernel {
    gpu.func @forward_kernel() kernel { gpu.return }
  }
  gpu.module @forward_kernel_0 {
    gpu.func @forward_kernel() kernel { gpu.return }
  }
  gpu.module @ssm_gemm_kernels {
    gpu.func @gemm_0() kernel { gpu.return }
  }
  gpu.module @two {
    gpu.func @forward_kernel() kernel { gpu.return }
    gpu.func @other() kernel { gpu.return }
  }
}
