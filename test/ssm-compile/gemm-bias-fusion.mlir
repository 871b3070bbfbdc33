// A channel-first GEMM's bias along m (which cuBLASLt's epilogue cannot add)
// is split off by ssm-split-gemm-bias after the expand_shape to the image
// its readers take, so it fuses into them: VMamba-T's stage-3 fc1 at batch
// 128 (C[b, 1536, 196], GELU on 128x1536x14x14) is one GEMM and one kernel
// that reads the GEMM's f32 result through the expand_shape and the bf16
// bias, adds, applies GELU and stores bf16. No kernel in between stores a
// biased f32 copy.
// (GPU RUN lines keep library buffers dense: these checks pin the unpadded layouts.)
// RUN: ssm-compile --model=vmamba-t --img=224 --classes=1000 --batch=128 --dtype=bf16 --target=nvptx --gpu-pad-library-buffers=false --chip=sm_90 --compile-to=llvm | FileCheck %s
// RUN: ssm-compile --model=vmamba-t --img=224 --classes=1000 --batch=128 --dtype=bf16 --target=amdgpu --gpu-pad-library-buffers=false --chip=gfx942 --compile-to=llvm | FileCheck %s
// CHECK: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} args(%{{.*}} : memref<1536x384xbf16>, %{{.*}} : memref<128x384x196xbf16>, %[[C:.*]] : memref<128x1536x196xf32>)
// CHECK-SAME: bias = "none"
// CHECK-NOT: gpu.launch_func
// CHECK: %[[IMG:.*]] = memref.expand_shape %[[C]] {{.*}} into memref<128x1536x14x14xf32>
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.launch_func @{{.*}} args(%[[IMG]] : memref<128x1536x14x14xf32>, %{{.*}} : memref<1536xbf16>, %{{.*}} : memref<128x1536x14x14xbf16>)
// CHECK-NOT: 128x1536x196xf32>)
// CHECK: gpu.launch_func @ssm_gemm_kernels::@{{gemm_[0-9]+}} {{.*}} args(%{{.*}} : memref<384x1536xbf16>, %{{.*}} : memref<128x1536x196xbf16>
