// RUN: ssm-opt %s --split-input-file --ssm-align-workgroup-buffers | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-align-workgroup-buffers=alignment=32 | FileCheck %s --check-prefix=A32
// RUN: not ssm-opt %s --split-input-file --ssm-align-workgroup-buffers=alignment=12 2>&1 | FileCheck %s --check-prefix=BAD

// Workgroup attributions without an alignment get 16 bytes; an alignment
// already set is kept; private attributions are left alone.

// CHECK-LABEL: gpu.func @tiles
// CHECK-SAME: workgroup(%{{.*}} : memref<64x33xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<32x20xbf16, #gpu.address_space<workgroup>> {llvm.align = 8 : i64}, %{{.*}} : memref<16xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: private(%{{.*}} : memref<4xf32, #gpu.address_space<private>>)
// A32-LABEL: gpu.func @tiles
// A32-SAME: {llvm.align = 32 : i64}, %{{.*}} : memref<32x20xbf16, #gpu.address_space<workgroup>> {llvm.align = 8 : i64}, %{{.*}} : memref<16xf32, #gpu.address_space<workgroup>> {llvm.align = 32 : i64})
// BAD: alignment must be a power of two, got 12
gpu.module @kernels {
  gpu.func @tiles()
      workgroup(%a : memref<64x33xf32, #gpu.address_space<workgroup>>,
                %b : memref<32x20xbf16, #gpu.address_space<workgroup>> {llvm.align = 8 : i64},
                %c : memref<16xf32, #gpu.address_space<workgroup>>)
      private(%p : memref<4xf32, #gpu.address_space<private>>) kernel {
    gpu.return
  }
}

