// GEMM results of bf16 models whose readers only move data (a slice, a zero
// pad, a concat) are stored in bf16 on GPU targets (ssm-narrow-activations
// with narrow-contractions): MambaOut's fc1 and VMamba's in_proj, each
// rounded in the GEMM's epilogue, with no f32 copy and no widening or
// rounding kernel of its own.
//
// MambaOut (NHWC): fc1 (512 tokens x 42 channels, its bf16 bias along n)
// stores bf16; the depthwise conv reads its channel slice unpadded and the
// gate's per-piece kernels (the concat split by ssm-split-concat-consumers)
// read its slices, widening as they load; the conv's piece is the conv
// kernel's epilogue (ssm-depthwise-conv-to-gpu), so no f32 conv result.
// (GPU RUN lines keep library buffers dense: these checks pin the unpadded layouts.)
// RUN: ssm-compile --model=mambaout-femto --model-option=depths=1,1,1,1 --model-option=dims=8,16,24,32 --img=64 --batch=2 --dtype=bf16 --target=nvptx --gpu-pad-library-buffers=false --compile-to=llvm | FileCheck %s --check-prefix=MO
// RUN: ssm-compile --model=mambaout-femto --model-option=depths=1,1,1,1 --model-option=dims=8,16,24,32 --img=64 --batch=2 --dtype=bf16 --target=amdgpu --gpu-pad-library-buffers=false --chip=gfx942 --compile-to=llvm | FileCheck %s --check-prefix=MO
// MO-NOT: 512x42xf32
// MO-NOT: 16x16x42xf32
// MO: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} args(%{{.*}} : memref<512x8xbf16>, %{{.*}} : memref<42x8xbf16>, %{{.*}} : memref<512x42xbf16>, %{{.*}} : memref<42xbf16>)
// MO-NOT: 22x22x8x
// MO: gpu.launch_func {{.*}} args(%{{.*}} : memref<2x16x16x13xbf16, strided<[10752, 672, 42, 1]>>, %{{.*}} : memref<2x16x16x13xbf16, strided<[10752, 672, 42, 1], offset: 21>>, %{{.*}} : memref<2x16x16x13xbf16, strided<[5376, 336, 21, 1]>>)
// MO: gpu.launch_func {{.*}} args(%{{.*}} : memref<2x16x16x8xbf16, strided<[10752, 672, 42, 1], offset: 34>>, %{{.*}} : memref<8xbf16>, %{{.*}} : memref<7x7x8xf32>, %{{.*}} : memref<2x16x16x8xbf16, strided<[10752, 672, 42, 1], offset: 13>>, %{{.*}} : memref<2x16x16x8xbf16, strided<[5376, 336, 21, 1], offset: 13>>)
// MO-NOT: 512x42xf32
// MO-NOT: 16x16x42xf32
// MO: gpu.module @ssm_gemm_kernels
//
// VMamba (NCHW): in_proj (zero init) stores bf16 and the 3x3 conv reads it
// as it is; no padded buffer.
// RUN: ssm-compile --model=vmamba-t --model-option=depths=1,1,1,1 --model-option=dims=16,32,48,64 --img=64 --batch=2 --dtype=bf16 --target=nvptx --gpu-pad-library-buffers=false --compile-to=llvm | FileCheck %s --check-prefix=VM
// RUN: ssm-compile --model=vmamba-t --model-option=depths=1,1,1,1 --model-option=dims=16,32,48,64 --img=64 --batch=2 --dtype=bf16 --target=amdgpu --gpu-pad-library-buffers=false --chip=gfx942 --compile-to=llvm | FileCheck %s --check-prefix=VM
// VM: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} args(%{{.*}} : memref<16x16xbf16>, %{{.*}} : memref<2x16x256xbf16>, %[[IN:.*]] : memref<2x16x256xbf16>)
// VM-NOT: 2x16x18x18x
// VM: %[[X:.*]] = memref.expand_shape %[[IN]] {{.*}} into memref<2x16x16x16xbf16>
// VM-NOT: 2x16x18x18x
// VM: gpu.launch_func {{.*}} args(%[[X]] : memref<2x16x16x16xbf16>, %{{.*}} : memref<16x3x3xf32>, %{{.*}} : memref<2x16x16x16xbf16>)
//
// The CPU keeps GEMM results f32 and still compiles both.
// RUN: ssm-compile --model=mambaout-femto --model-option=depths=1,1,1,1 --model-option=dims=8,16,24,32 --img=64 --batch=2 --dtype=bf16 --target=cpu --compile-to=bufferized | FileCheck %s --check-prefix=CPU
// RUN: ssm-compile --model=vmamba-t --model-option=depths=1,1,1,1 --model-option=dims=16,32,48,64 --img=64 --batch=2 --dtype=bf16 --target=cpu --compile-to=bufferized | FileCheck %s --check-prefix=CPU
// CPU: func.func @forward(
// CPU: return
