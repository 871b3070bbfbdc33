// A kernel argument that is a static subview (here of an input; in models,
// slices of workspace views and reshapes of them): the host schedule passes
// the source's base and the kernel applies the subview's static offset from
// its type (bare-pointer convention), so the .ssmb writer maps the subview to
// its source's buffer. Before, such host functions had no schedule.
// RUN: ssm-compile %s --target=amdgpu --compile-to=llvm | FileCheck %s --check-prefix=HOST
// RUN: ssm-compile %s --target=amdgpu -o %t.amd.ssmb
// RUN: ssm-run %t.amd.ssmb --kernel-objects | FileCheck %s --check-prefix=OBJ
// RUN: ssm-compile %s --target=nvptx -o %t.nv.ssmb
// RUN: ssm-run %t.nv.ssmb --kernel-objects | FileCheck %s --check-prefix=NVOBJ

// HOST: %[[SUB:.*]] = memref.subview %arg0[0, 3, 0] [2, 2, 8] [1, 1, 1] : memref<2x6x8xf32> to memref<2x2x8xf32, strided<[48, 8, 1], offset: 24>>
// HOST: gpu.launch_func @slice_kernel::@slice_kernel {{.*}} args(%[[SUB]] : memref<2x2x8xf32, strided<[48, 8, 1], offset: 24>>, %arg1 : memref<2x2x8xf32>)
// The kernel adds the 24-element offset to the pointer it gets:
// HOST: llvm.func @slice_kernel(%arg0: !llvm.ptr, %{{.*}}: !llvm.ptr)
// HOST: llvm.getelementptr %arg0[24] : (!llvm.ptr) -> !llvm.ptr, f32

// OBJ: 0 Amdgpu Hsaco gfx942
// NVOBJ: 0 Nvptx Ptx sm_90
func.func @slice(%x: tensor<2x6x8xf32>) -> tensor<2x2x8xf32> {
  %s = tensor.extract_slice %x[0, 3, 0] [2, 2, 8] [1, 1, 1] : tensor<2x6x8xf32> to tensor<2x2x8xf32>
  %e = math.exp %s : tensor<2x2x8xf32>
  return %e : tensor<2x2x8xf32>
}
