
// A kernel without workgroup buffers is unchanged.

// CHECK-LABEL: gpu.func @plain
// CHECK-SAME: (%{{.*}}: memref<4xf32>) kernel {
gpu.module @kernels {
  gpu.func @plain(%x : memref<4xf32>) kernel {
    gpu.return
  }
}
