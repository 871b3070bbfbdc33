// --target=nvptx: the scan as one dedicated kernel, PTX without the CUDA
// toolkit, and an .ssmb whose host schedule the runtime's CUDA driver runs
// (checked on an H200 by bench/gpu; here the CPU device must refuse to run
// it, while --list reads it without a device).
// RUN: ssm-compile %s --target=nvptx --compile-to=llvm | FileCheck %s --check-prefix=HOST
// RUN: ssm-compile %s --target=nvptx --compile-to=binary | FileCheck %s --check-prefix=PTX
// RUN: ssm-compile %s --target=nvptx --chip=sm_80 --scan-channels-per-block=32 --compile-to=binary | FileCheck %s --check-prefix=SM80
// RUN: ssm-compile %s --target=nvptx --scan-vector-loads --compile-to=binary | FileCheck %s --check-prefix=PTXV
// RUN: ssm-compile %s --target=nvptx --scan-chunks=2 --scan-vector-loads --compile-to=binary | FileCheck %s --check-prefix=CHUNK
// RUN: ssm-compile %s --target=nvptx -o %t.ssmb
// RUN: ssm-run %t.ssmb --list | FileCheck %s --check-prefix=LIST
// RUN: not ssm-run %t.ssmb --input=random 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not ssm-compile %s --target=ptx 2>&1 | FileCheck %s --check-prefix=BADTARGET

// HOST: func.func @vim(%{{.*}}: memref<2x128x45xf32>, {{.*}}, %[[OUT:.*]]: memref<2x128x45xf32>)
// HOST-DAG: %[[C2:.*]] = arith.constant 2 : index
// HOST-DAG: %[[C64:.*]] = arith.constant 64 : index
// HOST: gpu.launch_func  @vim_kernel::@vim_kernel blocks in (%[[C2]], %[[C2]], %{{.*}}) threads in (%[[C64]], %{{.*}}, %{{.*}})  args(
// HOST-SAME: %[[OUT]] : memref<2x128x45xf32>)
// HOST-NEXT: return
// HOST: gpu.module @vim_kernel [#nvvm.target<chip = "sm_90", features = "+ptx80">]
// HOST: llvm.func @vim_kernel(

// PTX: .target sm_90
// PTX: .visible .entry vim_kernel{{(_[0-9]+)?}}(
// PTX: .maxntid 64, 1, 1
// PTX-NOT: .local
// PTX-NOT: __nv_
// The static shared tiles are read by 16-byte ld.shared.v4: all five are
// declared 16-byte aligned (ssm-align-workgroup-buffers; the lowering's
// default is the element's, 4).
// PTX-COUNT-5: .shared .align 16 .b8 __wg_vim_kernel_{{[0-4]}}[{{[0-9]+}}];
// PTX-NOT: .shared .align
// PTX: ld.global.b32
// PTX: st.shared.b32
// PTX: bar.sync 0;
// PTX: ld.shared.v4.b32
// PTX: ex2.approx.ftz.f32
// PTX: div.approx.ftz.f32
// PTX: fma.rn.f32
// PTX: ld.shared.v4.b32
// PTX: st.global.b32

// With vector fills (the default for f32 scans of one pass from 512 steps
// on), the tile fill reads u / delta / z by 16-byte vectors (9 per row of 32
// steps: rows of 45 are not 16-byte aligned), 27 per thread and tile.
// PTXV: .maxntid 64, 1, 1
// PTXV-NOT: .local
// PTXV-COUNT-27: ld.global.v4.b32
// PTXV-NOT: .local
// PTXV: bar.sync 0;
// PTXV-NOT: .local
// PTXV: ex2.approx.ftz.f32
// PTXV-NOT: .local

// Two chunks: pass 1 (end states and sums of delta, u / delta by vectors,
// no z), the combine over chunks (256 threads per block), pass 2.
// CHUNK-NOT: .local
// CHUNK: .entry vim_kernel{{(_[0-9]+)?}}(
// CHUNK: .maxntid 64, 1, 1
// CHUNK-COUNT-18: ld.global.v4.b32
// CHUNK-NOT: ld.global.v4.b32
// CHUNK: bar.sync 0;
// CHUNK: ex2.approx.ftz.f32
// CHUNK-NOT: .local
// CHUNK: st.global.b32
// CHUNK: .entry vim_kernel{{(_[0-9]+)?}}(
// CHUNK: .maxntid 256, 1, 1
// CHUNK-NOT: .local
// CHUNK: ex2.approx.ftz.f32
// CHUNK: st.global.b32
// CHUNK: .entry vim_kernel{{(_[0-9]+)?}}(
// CHUNK: .maxntid 64, 1, 1
// CHUNK-NOT: .local
// CHUNK-COUNT-27: ld.global.v4.b32
// CHUNK: ex2.approx.ftz.f32
// CHUNK-NOT: .local
// CHUNK: st.global.b32

// SM80: .target sm_80
// SM80: .maxntid 32, 1, 1

// LIST: vim(input0: 2x128x45xf32, input1: 2x128x45xf32, input2: 128x16xf32, input3: 2x16x45xf32, input4: 2x16x45xf32, input5: 128xf32, input6: 2x128x45xf32, input7: 128xf32) -> (output0: 2x128x45xf32)
// The plan is read without a device too: the one output, no intermediates.
// LIST-NEXT: memory plan: peak 46080 bytes (arena 0, outputs 46080)
// LIST-NOT: model:
// CPU: kernel object 0 (Nvptx/Ptx, chip 'sm_90'
// CPU-SAME: device 'cpu' runs only Cpu/So kernel objects

// BADTARGET: unknown target 'ptx' (expected cpu, nvptx, amdgpu)
func.func @vim(%u: tensor<2x128x45xf32>, %dt: tensor<2x128x45xf32>, %A: tensor<128x16xf32>, %B: tensor<2x16x45xf32>, %C: tensor<2x16x45xf32>, %D: tensor<128xf32>, %z: tensor<2x128x45xf32>, %bias: tensor<128xf32>) -> tensor<2x128x45xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<128xf32>) z(%z : tensor<2x128x45xf32>) delta_bias(%bias : tensor<128xf32>) delta_softplus : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>
  return %y : tensor<2x128x45xf32>
}
