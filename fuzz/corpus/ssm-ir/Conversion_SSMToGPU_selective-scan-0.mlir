// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="prefetch-max-states=0" | FileCheck %s
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="channels-per-block=128 tile-steps=16" | FileCheck %s --check-prefix=SHAPE
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="async-copies=true lanes-per-channel=4 poly-exp-states=2 unroll-steps=1" | FileCheck %s --check-prefix=OPTS
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="channels-per-thread=2 unroll-steps=1 prefetch-max-states=0" | FileCheck %s --check-prefix=BLOCK
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="chunks=3 tile-steps=8 unroll-steps=1 prefetch-max-states=0" | FileCheck %s --check-prefix=CHUNK
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="vector-min-length=40" | FileCheck %s --check-prefix=VEC
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="vector-loads=true" | FileCheck %s --check-prefix=VECBF
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="unroll-steps=1" | FileCheck %s --check-prefix=PREFETCH
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-gpu="chunks=3 unroll-steps=1" | FileCheck %s --check-prefix=CHUNKPF

// Without prefetch (prefetch-max-states=0; the shape rule's choice for
// f32 scans of at least 512 steps, which fill by vectors or cp.async):
// one thread per (b, d): grid (d / 64, b), 64 threads; shared tiles of
// u / delta / z [1 stage][64][32+1] and B / C [1][32][16+4]; the 16 states
// are carried through the tile loop and the step loop (two steps per
// iteration, then the odd one); exp and the divisions are afn, the
// multiply-adds contract.
// CHECK-LABEL: func.func @vim
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x128x45xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c64
// CHECK-SAME: workgroup(%{{.*}} : memref<1x64x33xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x64x33xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x32x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x32x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x64x33xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-NOT: vector.load {{.*}} memref<11520xf32>
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: math.exp2 %{{.*}} fastmath<afn> : f32
// CHECK: arith.divf %{{.*}} fastmath<afn> : f32
// CHECK: vector.load %{{.*}} {alignment = 16 : i64} : memref<1x32x20xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-16: math.exp2
// CHECK: arith.mulf %{{.*}} fastmath<contract> : f32
// CHECK: scf.yield
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.barrier
// CHECK: gpu.terminator
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: ssm.selective_scan
// The default for scans of at most 16 states with scalar fills: register
// prefetch with 16-step tiles. Tile 0 is loaded before the tile loop, which
// carries the 16 states and the 56 values of the next tile (48 of u / delta
// / z, 8 of B / C per thread); each tile stores the carried values into
// shared memory, waits, then issues the next tile's loads before its steps.
// PREFETCH-LABEL: func.func @vim
// PREFETCH: %[[U:.*]] = bufferization.to_buffer %arg0
// PREFETCH: gpu.launch
// PREFETCH-SAME: workgroup(%{{.*}} : memref<1x64x17xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x64x17xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x16x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x16x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x64x17xf32, #gpu.address_space<workgroup>>)
// PREFETCH: memref.load %[[U]]
// PREFETCH: %{{.*}}:72 = scf.for
// PREFETCH-NOT: memref.load %[[U]]
// PREFETCH: memref.store %{{.*}} : memref<1x64x17xf32, #gpu.address_space<workgroup>>
// PREFETCH: memref.store %{{.*}} : memref<1x16x20xf32, #gpu.address_space<workgroup>>
// PREFETCH: gpu.barrier
// PREFETCH-NOT: memref.store {{.*}}#gpu.address_space<workgroup>>
// PREFETCH: memref.load %[[U]]
// PREFETCH: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// PREFETCH: math.exp2
// PREFETCH: gpu.barrier
// PREFETCH: gpu.barrier
// PREFETCH-NEXT: scf.yield %{{.*}}#15, %{{[0-9]+}},
// Chunked and prefetching (the default for few channels and long l): the
// last 2 of the 16 decays by the FMA-pipe polynomial (the 1.5 * 2^23
// rounding constant, the exponent shift) in both passes, 14 by exp2.
// CHUNKPF-LABEL: func.func @vim
// CHUNKPF: gpu.launch {{.*}} in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}) threads
// CHUNKPF-SAME: memref<1x64x17xf32, #gpu.address_space<workgroup>>
// CHUNKPF: scf.for
// CHUNKPF: scf.for
// CHUNKPF-COUNT-14: math.exp2
// CHUNKPF: arith.constant 0x4B400000 : f32
// CHUNKPF: arith.shli
// CHUNKPF: arith.constant 0x4B400000 : f32
// CHUNKPF: arith.shli
// CHUNKPF-NOT: math.exp2
// CHUNKPF: scf.yield
// CHUNKPF: gpu.launch {{.*}} threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
// CHUNKPF: gpu.launch {{.*}} in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c3) threads
// CHUNKPF: arith.constant 0x4B400000 : f32
// 16-bit inputs are carried as loaded and widened when stored.
// PREFETCH-LABEL: func.func @awkward
// PREFETCH: scf.for {{.*}} -> (f32, f32, f32, f32, f32, bf16, bf16,
// PREFETCH: arith.extf %{{.*}} : bf16 to f32
// PREFETCH-NEXT: memref.store
// f32 scans of at least 512 steps keep their vector fills: no prefetch.
// PREFETCH-LABEL: func.func @vim600
// PREFETCH: vector.load
// PREFETCH: scf.for {{.*}} -> (f32, f32, f32, f32) {
// SHAPE-LABEL: func.func @vim
// SHAPE: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128
// SHAPE-SAME: memref<1x128x17xf32, #gpu.address_space<workgroup>>

// Double-buffered cp.async tiles (61 KB: views of dynamic shared memory);
// 4 threads per channel (4 states each, y summed by butterfly shuffles); 2 of each thread's decays as a polynomial.
// OPTS-LABEL: func.func @vim
// OPTS: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
// OPTS-SAME: dynamic_shared_memory_size
// OPTS: gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// OPTS: memref.view %{{.*}}[%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x64x33xf32, #gpu.address_space<workgroup>>
// OPTS: nvgpu.device_async_copy
// OPTS: nvgpu.device_async_create_group
// OPTS: nvgpu.device_async_wait %{{.*}} {numGroups = 0 : i32}
// OPTS: scf.for
// OPTS: nvgpu.device_async_copy
// OPTS-COUNT-2: math.exp2 %{{.*}} fastmath<afn>
// OPTS: arith.shli
// OPTS: arith.shli
// OPTS: gpu.shuffle  xor
// OPTS: gpu.shuffle  xor
// OPTS: nvgpu.device_async_wait

// Two channels per thread (32 threads for 64 channels): 32 carried states,
// one set of B/C loads per step for both channels.
// BLOCK-LABEL: func.func @vim
// BLOCK: threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c32
// BLOCK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// BLOCK: scf.for
// BLOCK-COUNT-8: vector.load
// BLOCK-NOT: vector.load
// BLOCK: scf.yield
// A chunked scan (3 chunks of 16 steps, 8-step tiles): pass 1 (2 chunks,
// grid z) stages u, delta and B only, carries 16 states and the sum of
// delta, and stores them into the carries H[b][chunk][d][n], S[b][chunk][d];
// the combine (one thread per (b, d, n)) walks the chunks; pass 2 (3 chunks)
// starts from the carry of the chunk before (zero for the first).
// CHUNK-LABEL: func.func @vim
// CHUNK: %[[OUT:.*]] = memref.alloc() : memref<2x128x45xf32>
// CHUNK: %[[H:.*]] = memref.alloc() : memref<2x2x128x16xf32>
// CHUNK: %[[S:.*]] = memref.alloc() : memref<2x2x128xf32>
// CHUNK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[Z1:.*]]) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}) threads
// CHUNK-SAME: workgroup(%{{.*}} : memref<1x64x9xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x64x9xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x8x20xf32, #gpu.address_space<workgroup>>)
// CHUNK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHUNK-NOT: gpu.launch
// CHUNK: memref.store %{{.*}}, %[[H]][%{{.*}}, %[[Z1]], %{{.*}}, %{{.*}}] : memref<2x2x128x16xf32>
// CHUNK: memref.store %{{.*}}, %[[S]][%{{.*}}, %[[Z1]], %{{.*}}] : memref<2x2x128xf32>
// CHUNK: gpu.terminator
// CHUNK: gpu.launch {{.*}} threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
// CHUNK: scf.for %{{.*}} = %{{.*}} to %c2{{.*}} step %{{.*}} iter_args
// CHUNK: math.exp2 %{{.*}} fastmath<afn> : f32
// CHUNK: memref.store %{{.*}}, %[[H]]
// CHUNK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[Z2:.*]]) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c3{{.*}}) threads
// CHUNK-SAME: workgroup(%{{.*}} : memref<1x64x9xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x64x9xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x8x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x8x20xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<1x64x9xf32, #gpu.address_space<workgroup>>)
// CHUNK: arith.cmpi ult, %{{.*}}, %[[Z2]]
// CHUNK: memref.load %[[H]]
// CHUNK: arith.select
// CHUNK: memref.store %{{.*}}, %[[OUT]]
// CHUNK: memref.dealloc %[[H]]
// CHUNK: memref.dealloc %[[S]]

// f32 scans of one pass from vector-min-length steps on (default 512; here
// 40): the tile fill reads u / delta / z as the aligned 16-byte vectors
// covering each row's 32 steps (rows of 45 are not 16-byte aligned): 9 per
// row, 64 rows, 9 per thread; elements outside the tile go to the padding
// column 32. Not for bf16 inputs (VEC-LABEL @awkward below).
// VEC-LABEL: func.func @vim
// VEC: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [11520], strides: [1] : memref<2x128x45xf32> to memref<11520xf32>
// VEC: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// VEC-COUNT-9: vector.load %{{.*}} {alignment = 16 : i64} : memref<11520xf32>, vector<4xf32>
// VEC: arith.select %{{.*}}, %{{.*}}, %c32{{.*}} : index
// VEC: gpu.barrier
func.func @vim(%u: tensor<2x128x45xf32>, %dt: tensor<2x128x45xf32>, %A: tensor<128x16xf32>, %B: tensor<2x16x45xf32>, %C: tensor<2x16x45xf32>, %D: tensor<128xf32>, %z: tensor<2x128x45xf32>, %bias: tensor<128xf32>) -> tensor<2x128x45xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<128xf32>) z(%z : tensor<2x128x45xf32>) delta_bias(%bias : tensor<128xf32>) delta_softplus : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>
  return %y : tensor<2x128x45xf32>
}

