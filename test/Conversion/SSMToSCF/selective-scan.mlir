// RUN: ssm-opt %s --split-input-file --convert-ssm-to-scf | FileCheck %s
// RUN: ssm-opt %s --split-input-file --convert-ssm-to-scf="vector-bits=256 vector-registers=16 scalef=false" | FileCheck %s --check-prefix=AVX2

// Forward, static n, few channels (planCPUScan: StateVector): B and C
// transposed once to (b, g, l, n) f32; per lane (b, d) a vectorizable
// prologue (softplus), the recurrence with the n states as one vector carried
// in registers, and a vectorizable epilogue.
// CHECK-LABEL: func.func @scan_forward
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() : memref<2x3x5xf32>
// CHECK-DAG: %[[BT:.*]] = memref.alloc() : memref<2x1x5x16xf32>
// CHECK: scf.parallel
// CHECK: scf.parallel (%[[B:.*]], %[[D:.*]]) =
// CHECK:   %[[DTS:.*]] = memref.alloca() : memref<5xf32>
// CHECK:   scf.for
// CHECK:     math.log1p
// CHECK:     memref.store %{{.*}}, %[[DTS]]
// CHECK:   %[[H:.*]] = scf.for {{.*}} iter_args(%[[S:.*]] = %{{.*}}) -> (vector<16xf32>)
// CHECK:     vector.load %[[BT]]
// CHECK:     math.exp %{{.*}} : vector<16xf32>
// CHECK:     math.fma %{{.*}}, %[[S]], %{{.*}} : vector<16xf32>
// CHECK:     vector.reduction <add>
// CHECK:   scf.for %[[T:.*]] =
// CHECK:     memref.store %{{.*}}, %[[OUT]][%[[B]], %[[D]], %[[T]]]
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: ssm.selective_scan
func.func @scan_forward(%u: tensor<2x3x5xf32>, %A: tensor<3x16xf32>, %B: tensor<2x16x5xf32>) -> tensor<2x3x5xf32> {
  %y = ssm.selective_scan %u, %u, %A, %B, %B delta_softplus : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<3x16xf32>, tensor<2x16x5xf32>, tensor<2x16x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// Forward, static n, many channels (planCPUScan: ChannelVector): lanes are
// (b, group, block of 16 channels). The prologue loads each channel's delta
// and u 16 time steps at a time (masked past l), applies softplus along time,
// and transposes the 16 x 16 tile with shuffles into time-major (l padded to
// 16, 16) scratch. The recurrence carries one vector<16xf32> per state (n = 4
// here) and sums C_k * h_k with FMAs, no horizontal sum; the epilogue
// transposes y back in 16 x 16 tiles and stores each live channel's 16 steps
// with one masked store. exp(delta * A_k) is a polynomial scaled by
// vscalefps. With 256-bit vectors: blocks of 8 channels, and the generic
// math.exp.
// CHECK-LABEL: func.func @scan_forward_channel_blocks
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() : memref<2x20x5xf32>
// CHECK-DAG: %[[CT:.*]] = memref.alloc() : memref<2x1x5x4xf32>
// CHECK: scf.parallel (%[[B:.*]], %{{.*}}, %{{.*}}) =
// CHECK:   %[[DTS:.*]] = memref.alloca() {alignment = 64 : i64} : memref<16x16xf32>
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:       vector.maskedload
// CHECK:       math.log1p %{{.*}} : vector<16xf32>
// CHECK-COUNT-64: vector.shuffle
// CHECK:     vector.store %{{.*}}, %[[DTS]]
// CHECK:   scf.for {{.*}} iter_args(%[[H0:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:     vector.load %[[DTS]]
// CHECK:     math.roundeven %{{.*}} : vector<16xf32>
// CHECK:     x86vector.avx512.mask.scalef %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK:     memref.load %[[CT]]
// CHECK:     vector.broadcast
// CHECK-NOT: vector.reduction
// CHECK:     math.fma %{{.*}}, %[[H0]], %{{.*}} : vector<16xf32>
// CHECK-NOT: vector.reduction
// CHECK:   scf.for %[[CHUNK:.*]] =
// CHECK-COUNT-64: vector.shuffle
// CHECK:     scf.for %[[C:.*]] =
// CHECK:       vector.maskedstore %[[OUT]][%[[B]], %{{.*}}, %{{.*}}]
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// AVX2-LABEL: func.func @scan_forward_channel_blocks
// AVX2: memref<8x8xf32>
// AVX2-COUNT-24: vector.shuffle
// AVX2: math.exp %{{.*}} : vector<8xf32>
func.func @scan_forward_channel_blocks(%u: tensor<2x20x5xf32>, %A: tensor<20x4xf32>, %B: tensor<2x4x5xf32>) -> tensor<2x20x5xf32> {
  %y = ssm.selective_scan %u, %u, %A, %B, %B delta_softplus : tensor<2x20x5xf32>, tensor<2x20x5xf32>, tensor<20x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return %y : tensor<2x20x5xf32>
}

// -----

// Dynamic n: the states live in a local buffer, one scalar per state.
// CHECK-LABEL: func.func @scan_dynamic_states
// CHECK: scf.parallel
// CHECK:   memref.alloca(%{{.*}}) : memref<?xf32>
// CHECK:   scf.for
// CHECK:     scf.for %{{.*}} iter_args(%{{.*}}) -> (f32)
// CHECK:       math.exp %{{.*}} : f32
func.func @scan_dynamic_states(%u: tensor<2x6x5xf32>, %A: tensor<6x?xf32>, %B: tensor<2x?x5xf32>) -> tensor<2x6x5xf32> {
  %y = ssm.selective_scan %u, %u, %A, %B, %B : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<6x?xf32>, tensor<2x?x5xf32>, tensor<2x?x5xf32>
  return %y : tensor<2x6x5xf32>
}

// -----

// 16-bit inputs widen on load; the f32 output is stored as is; reverse walks
// t = l - 1 - i; grouped B/C: channel blocks never straddle a group, the
// lanes are (batch, group, block), here 1 x 2 x 1.
// CHECK-LABEL: func.func @scan_bf16_reverse_grouped
// CHECK: memref.alloc() : memref<1x4x3xf32>
// CHECK: scf.parallel
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %c0) to (%c1, %c2, %c1)
// CHECK: vector.maskedload
// CHECK:   arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: scf.for %[[I:.*]] =
// CHECK:   arith.subi
// CHECK-NOT: arith.truncf
// CHECK: return
func.func @scan_bf16_reverse_grouped(%u: tensor<1x4x3xbf16>, %A: tensor<4x1xf32>, %B: tensor<1x2x1x3xbf16>) -> tensor<1x4x3xf32> {
  %y = ssm.selective_scan %u, %u, %A, %B, %B reverse out_type(f32) : tensor<1x4x3xbf16>, tensor<1x4x3xbf16>, tensor<4x1xf32>, tensor<1x2x1x3xbf16>, tensor<1x2x1x3xbf16>
  return %y : tensor<1x4x3xf32>
}

// -----

// Backward: parallel over b only (dB/dC sums over a group's channels stay in
// one lane), recomputed forward states in an (l, n) buffer, and the per-batch
// partials of dA/dD reduced in a second parallel loop over d.
// CHECK-LABEL: func.func @scan_grad
// CHECK: %[[DAP:.*]] = memref.alloc() : memref<2x6x4xf32>
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK:   memref.alloc() : memref<5x4xf32>
// CHECK:   scf.for
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK:   memref.load %[[DAP]]
// CHECK-NOT: ssm.selective_scan_grad
func.func @scan_grad(%g: tensor<2x6x5xf32>, %u: tensor<2x6x5xf32>, %A: tensor<6x4xf32>, %B: tensor<2x4x5xf32>, %D: tensor<6xf32>) -> (tensor<6x4xf32>, tensor<6xf32>) {
  %du, %ddt, %dA, %dB, %dC, %dD = ssm.selective_scan_grad %g, %u, %u, %A, %B, %B D(%D : tensor<6xf32>) delta_softplus : tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<2x6x5xf32>, tensor<6x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>
  return %dA, %dD : tensor<6x4xf32>, tensor<6xf32>
}
