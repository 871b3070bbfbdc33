// Depthwise convs on the GPU (ssm-depthwise-conv-to-gpu): one launch per conv
// that reads the unpadded input (MambaOut: a channel slice of fc1's output;
// VMamba: in_proj's output) with no padded buffer, memset or interior copy
// left, and the bias folded in; the same kernel for sm_90 and gfx942. Those
// inputs are GEMM results stored in bf16 (ssm-narrow-activations passes the
// 16-bit type through the zero pad): the kernel widens what it loads into
// its f32 tile. The conv result's only reader becomes the kernel's epilogue:
// MambaOut's GELU gate (it reads fc1's gate slice and stores the bf16 product
// into its piece of fc2's input), VMamba's SiLU (stored bf16); no f32 conv
// result is written.
// (GPU RUN lines keep library buffers dense: these checks pin the unpadded layouts.)
// RUN: ssm-compile --model=mambaout-femto --model-option=depths=1,1,1,1 --model-option=dims=8,16,24,32 --img=64 --batch=2 --dtype=bf16 --target=nvptx --gpu-pad-library-buffers=false --compile-to=llvm | FileCheck %s --check-prefix=MO
// RUN: ssm-compile --model=mambaout-femto --model-option=depths=1,1,1,1 --model-option=dims=8,16,24,32 --img=64 --batch=2 --dtype=bf16 --target=amdgpu --gpu-pad-library-buffers=false --chip=gfx942 --compile-to=llvm | FileCheck %s --check-prefix=MO
// MO-NOT: 22x22x8x
// MO: gpu.launch_func @[[K:forward_kernel_[0-9]+]]::@[[K]] blocks in ({{.*}}, %c1, %c2) threads in ({{.*}}, %c1, %c1) args(%{{.*}} : memref<2x16x16x8xbf16, strided<[10752, 672, 42, 1], offset: 34>>, %{{.*}} : memref<8xbf16>, %{{.*}} : memref<7x7x8xf32>, %{{.*}} : memref<2x16x16x8xbf16, strided<[10752, 672, 42, 1], offset: 13>>, %{{.*}} : memref<2x16x16x8xbf16, strided<[5376, 336, 21, 1], offset: 13>>)
// MO-NOT: 22x22x8x
// MO: llvm.mlir.global internal @__wg_[[K]]_0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<{{[0-9]+}} x f32>
// MO: llvm.func @[[K]](
// MO-SAME: gpu.known_block_size
//
// The 3x3 NCHW conv of VMamba's SS2D reads in_proj's output as it is.
// RUN: ssm-compile --model=vmamba-t --model-option=depths=1,1,1,1 --model-option=dims=16,32,48,64 --img=64 --batch=2 --dtype=bf16 --target=nvptx --gpu-pad-library-buffers=false --compile-to=llvm | FileCheck %s --check-prefix=VM
// RUN: ssm-compile --model=vmamba-t --model-option=depths=1,1,1,1 --model-option=dims=16,32,48,64 --img=64 --batch=2 --dtype=bf16 --target=amdgpu --gpu-pad-library-buffers=false --chip=gfx942 --compile-to=llvm | FileCheck %s --check-prefix=VM
// VM-NOT: 2x16x18x18x
// VM: gpu.launch_func @[[K:forward_kernel_[0-9]+]]::@[[K]] blocks in ({{.*}}, %c16, %c2) threads in ({{.*}}, %c1, %c1) args(%{{.*}} : memref<2x16x16x16xbf16>, %{{.*}} : memref<16x3x3xf32>, %{{.*}} : memref<2x16x16x16xbf16>)
//
// Launch bounds and the staged tile in the PTX / GCN.
// RUN: ssm-compile --model=mambaout-femto --model-option=depths=1,1,1,1 --model-option=dims=8,16,24,32 --img=64 --batch=2 --dtype=bf16 --target=nvptx --gpu-pad-library-buffers=false --compile-to=binary | FileCheck %s --check-prefix=PTX
// PTX: .visible .entry [[K:forward_kernel_28]](
// PTX: .maxntid {{[0-9]+}}, 1, 1
// PTX: .shared .align 16 .b8 __wg_[[K]]_0[{{[0-9]+}}];
// PTX: bar.sync
// RUN: ssm-compile --model=mambaout-femto --model-option=depths=1,1,1,1 --model-option=dims=8,16,24,32 --img=64 --batch=2 --dtype=bf16 --target=amdgpu --gpu-pad-library-buffers=false --chip=gfx942 --compile-to=binary | FileCheck %s --check-prefix=GCN
// GCN: .amdhsa_kernel forward_kernel_28
// GCN: .amdhsa_group_segment_fixed_size {{[1-9][0-9]*}}
// GCN: .amdhsa_private_segment_fixed_size 0
