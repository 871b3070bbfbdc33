// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu | FileCheck %s
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="grad-lanes-per-channel=1 grad-tile-steps=16" | FileCheck %s --check-prefix=ONE
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="grad-channels-per-block=64 grad-max-shared-memory=102400" | FileCheck %s --check-prefix=DYN
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="grad-reduce-lanes=4" | FileCheck %s --check-prefix=RED
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="grad-recompute-decays" | FileCheck %s --check-prefix=REC
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="grad-prefetch" | FileCheck %s --check-prefix=PRE

// The Vim configuration (D, z, delta_bias, softplus), f32. Three launches:
// zero the atomic accumulators (dA, dB, dC, dD, ddelta_bias; dB / dC are the
// f32 outputs themselves), then the scan: grid (128 / 32 channels, b = 2),
// 4 lanes per channel x 32 channels = 128 threads, 8-step tiles, all views
// of 16-byte aligned dynamic shared memory, those accessed by 16-byte vectors
// first: B / C [8][16+4], the dB / dC scratch [2][8][32 * 16 + 16], then
// eight [32][8+1] per-channel tiles (u, delta', delta' u, g^, two output
// tiles, delta~ and z); checkpoints in a [b][blocks][tiles - 1][4 states]
// [128 threads] buffer.
// CHECK-LABEL: func.func @vim
// CHECK: %[[DU:.*]] = memref.alloc() : memref<2x128x45xf32>
// CHECK: %[[DDT:.*]] = memref.alloc() : memref<2x128x45xf32>
// CHECK: %[[DA:.*]] = memref.alloc() : memref<128x16xf32>
// CHECK: %[[DB:.*]] = memref.alloc() : memref<2x16x45xf32>
// CHECK: %[[DC:.*]] = memref.alloc() : memref<2x16x45xf32>
// CHECK: %[[DD:.*]] = memref.alloc() : memref<128xf32>
// CHECK: %[[DZ:.*]] = memref.alloc() : memref<2x128x45xf32>
// CHECK: %[[DBIAS:.*]] = memref.alloc() : memref<128xf32>
// CHECK: %[[CKPT:.*]] = memref.alloc() : memref<2x4x5x4x128xf32>
// Zeroing: one thread per element of the largest accumulator (2048).
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c8, {{.*}}) threads({{.*}}) in ({{.*}} = %c256,
// CHECK: memref.store %{{.*}}, %[[DA]]
// CHECK: memref.store %{{.*}}, %[[DB]]
// CHECK: memref.store %{{.*}}, %[[DC]]
// CHECK: memref.store %{{.*}}, %[[DD]]
// CHECK: memref.store %{{.*}}, %[[DBIAS]]
// CHECK: gpu.terminator
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c4, {{.*}} = %c2, {{.*}}) threads({{.*}}) in ({{.*}} = %c128,
// CHECK-SAME: dynamic_shared_memory_size %c44304_i32
// CHECK: gpu.dynamic_shared_memory
// CHECK: memref.view %{{.*}}[%c0][] {{.*}} to memref<8x20xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view %{{.*}}[%c640][] {{.*}} to memref<8x20xf32, #gpu.address_space<workgroup>>
// CHECK: memref.view %{{.*}}[%c1280][] {{.*}} to memref<2x8x528xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-8: memref.view {{.*}} to memref<32x9xf32, #gpu.address_space<workgroup>>
// Forward pass over the 6 tiles, 4 states per thread carried: per step 4
// decays by exp2 afn of a 16-byte B / C shared load; the checkpoint stored
// (except after the last tile); y summed over the 4 lanes by a butterfly
// reduce-scatter (xor 2, then xor 1); dz stored.
// CHECK: scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c6 step %{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32) {
// CHECK: gpu.barrier
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<8x20xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-4: math.exp2 %{{.*}} fastmath<afn> : f32
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %[[CKPT]]
// CHECK: gpu.shuffle  xor %{{.*}}, %c2_i32
// CHECK: gpu.shuffle  xor %{{.*}}, %c1_i32
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}}, %[[DZ]]
// CHECK: gpu.barrier
// CHECK: scf.yield
// Backward pass, tiles last to first: lambda, the next decay and dA per
// state, dD and ddelta_bias carried; the tile's states recomputed from the
// checkpoint; dB / dC contributions to the scratch by 16-byte stores; du,
// ddelta by reduce-scatter; dB / dC summed over the block's rows and added
// atomically; du / ddelta stored.
// CHECK: scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c6{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK: memref.load %[[CKPT]]
// CHECK: gpu.barrier
// CHECK: math.exp2 %{{.*}} fastmath<afn> : f32
// CHECK: vector.store %{{.*}} {alignment = 16 : i64} : memref<2x8x528xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: gpu.shuffle  xor
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32) {
// CHECK: vector.load %{{.*}} : memref<2x8x528xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[DB]]
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[DC]]
// CHECK: memref.store %{{.*}}, %[[DU]]
// CHECK: memref.store %{{.*}}, %[[DDT]]
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[DA]]
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[DD]]
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[DBIAS]]
// CHECK: gpu.terminator
// CHECK: bufferization.to_tensor %[[DU]] restrict writable
// CHECK: bufferization.to_tensor %[[DBIAS]] restrict writable
// CHECK-NOT: ssm.selective_scan_grad

// One lane per channel (16 states per thread, no shuffles): 128 channels
// per block; tiles cut to 4 steps for the registers (2 x 16 x 4), then to 2
// for 48 KiB of shared memory.
// ONE-LABEL: func.func @vim
// ONE: gpu.launch
// ONE: threads({{.*}}) in ({{.*}} = %c128{{(_[0-9]+)?}},
// ONE: memref.view {{.*}} to memref<128x3xf32, #gpu.address_space<workgroup>>
// ONE-NOT: gpu.shuffle
// ONE: gpu.terminator

// 64 channels (256 threads) in 85 KiB of shared memory (above 48 KiB: the
// runtime raises the kernel's limit).
// DYN-LABEL: func.func @vim
// DYN: gpu.launch
// DYN: gpu.launch blocks({{.*}}) in ({{.*}} = %c2{{(_[0-9]+)?}}, {{.*}}) threads({{.*}}) in ({{.*}} = %c256{{(_[0-9]+)?}},
// DYN-SAME: dynamic_shared_memory_size
// DYN: gpu.dynamic_shared_memory
// DYN: memref.view {{.*}} to memref<2x8x1040xf32, #gpu.address_space<workgroup>>
// 4 lanes per summed dB / dC element: each sums rows part, part + 4, ...
// (4 rows, 16-byte loads, per iteration: step 16), then xor-1 and xor-2
// shuffles; lane part 0 adds the element.
// RED-LABEL: func.func @vim
// RED: scf.for %{{.*}} = %{{.*}} to %c32{{.*}} step %c16{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32) {
// RED-COUNT-4: vector.load %{{.*}} : memref<2x8x528xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// RED: scf.yield
// RED-COUNT-4: gpu.shuffle  xor %{{.*}}, %c1_i32
// RED-COUNT-4: gpu.shuffle  xor %{{.*}}, %c2_i32
// RED: arith.cmpi eq
// RED: memref.atomic_rmw addf
// Decays recomputed in the backward sweep: after the tile's 8 x 4 recomputed
// states, a barrier (LLVM would otherwise reuse the delta' loads and keep the
// 32 decays live), then 4 exp2 per step again in the sweep, before its
// scratch stores.
// REC-LABEL: func.func @vim
// REC: scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c6{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// REC: memref.load %[[CKPT:.*]][
// REC: gpu.barrier
// REC-COUNT-32: math.exp2 %{{.*}} fastmath<afn> : f32
// REC-NOT: vector.store
// REC: gpu.barrier
// REC-NOT: vector.store
// REC-COUNT-4: math.exp2 %{{.*}} fastmath<afn> : f32
// REC: vector.store %{{.*}} {alignment = 16 : i64} : memref<2x8x528xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// Prefetch: each forward tile's loop iteration loads the next tile's inputs
// from global memory right after its first barrier, before its steps, and
// stores them to the shared tiles after its last barrier; between the passes
// a barrier, the last tile and its checkpoint; each backward iteration
// carries the start states (4 more f32) and loads the previous tile's inputs
// and checkpoint before its steps, storing the inputs after its last barrier.
// PRE-LABEL: func.func @vim
// PRE: scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c6 step %{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32) {
// PRE: gpu.barrier
// PRE-NOT: math.exp2
// PRE: memref.load %{{.*}} : memref<2x128x45xf32>
// PRE: math.exp2
// PRE: gpu.barrier
// PRE: gpu.barrier
// PRE-NOT: gpu.barrier
// PRE: memref.store %{{.*}} : memref<32x9xf32, #gpu.address_space<workgroup>>
// PRE-NOT: gpu.barrier
// PRE: scf.yield
// PRE: gpu.barrier
// PRE: memref.load %[[PCK:.*]][{{.*}}] : memref<2x4x5x4x128xf32>
// PRE: scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c6{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// PRE-NOT: memref.load %[[PCK]]
// PRE: gpu.barrier
// PRE-NOT: math.exp2
// PRE: memref.load %{{.*}} : memref<2x128x45xf32>
// PRE-NOT: math.exp2
// PRE: memref.load %[[PCK]]
// PRE: math.exp2
// PRE: memref.atomic_rmw addf
// PRE: gpu.barrier
// PRE-NOT: gpu.barrier
// PRE: memref.store %{{.*}} : memref<32x9xf32, #gpu.address_space<workgroup>>
// PRE-NOT: gpu.barrier
// PRE: scf.yield
func.func @vim(%dout: tensor<2x128x45xf32>, %u: tensor<2x128x45xf32>, %dt: tensor<2x128x45xf32>, %A: tensor<128x16xf32>, %B: tensor<2x16x45xf32>, %C: tensor<2x16x45xf32>, %D: tensor<128xf32>, %z: tensor<2x128x45xf32>, %bias: tensor<128xf32>) -> (tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>, tensor<128xf32>, tensor<2x128x45xf32>, tensor<128xf32>) {
  %du, %ddt, %dA, %dB, %dC, %dD, %dz, %db = ssm.selective_scan_grad %dout, %u, %dt, %A, %B, %C D(%D : tensor<128xf32>) z(%z : tensor<2x128x45xf32>) delta_bias(%bias : tensor<128xf32>) delta_softplus : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>
  return %du, %ddt, %dA, %dB, %dC, %dD, %dz, %db : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>, tensor<128xf32>, tensor<2x128x45xf32>, tensor<128xf32>
}

