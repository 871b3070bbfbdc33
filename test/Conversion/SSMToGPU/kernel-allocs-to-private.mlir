// RUN: ssm-opt %s --split-input-file --ssm-kernel-allocs-to-private --verify-diagnostics | FileCheck %s

// A per-thread row staged by a kernel: thread-private, not a device malloc.
// CHECK-LABEL: gpu.func @row_kernel
// CHECK: memref.alloca() : memref<196xf32>
// CHECK-NOT: memref.alloc(
// CHECK-NOT: memref.dealloc
gpu.module @rows {
  gpu.func @row_kernel(%out: memref<196xf32>) kernel {
    %c0 = arith.constant 0 : index
    %row = memref.alloc() : memref<196xf32>
    %v = memref.load %row[%c0] : memref<196xf32>
    memref.store %v, %out[%c0] : memref<196xf32>
    memref.dealloc %row : memref<196xf32>
    gpu.return
  }
}

// -----

gpu.module @dynamic {
  gpu.func @dynamic_kernel(%n: index) kernel {
    // expected-error @+1 {{a per-thread buffer of GPU kernel 'dynamic_kernel' ('memref<?xf32>') cannot live in thread-private memory}}
    %row = memref.alloc(%n) : memref<?xf32>
    gpu.return
  }
}

// -----

gpu.module @huge {
  gpu.func @huge_kernel() kernel {
    // expected-error @+1 {{at most 16384 bytes}}
    %row = memref.alloc() : memref<8192xf32>
    gpu.return
  }
}
