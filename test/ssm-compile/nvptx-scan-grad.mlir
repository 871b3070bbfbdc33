// --target=nvptx for ssm.selective_scan_grad: the zeroing kernel, then the
// backward scan kernel (128 threads: 32 channels x 4 lanes) with ex2.approx
// decays, 16-byte shared loads / stores of B / C and the dB / dC scratch,
// butterfly shuffles, f32 atomics, no local memory; bf16 operands add a third
// kernel converting the f32 dB / dC accumulators.
// RUN: ssm-compile %s --target=nvptx --compile-to=binary | FileCheck %s
// RUN: ssm-compile %s --target=nvptx --scan-grad-lanes-per-channel=16 --scan-grad-tile-steps=16 --compile-to=binary | FileCheck %s --check-prefix=P16
// RUN: ssm-compile %s --target=nvptx --scan-grad-prefetch --scan-grad-recompute-decays --compile-to=binary | FileCheck %s --check-prefix=PREF

// CHECK: .target sm_90
// CHECK: .visible .entry vim_kernel{{(_[0-9]+)?}}(
// CHECK: .maxntid 256, 1, 1
// CHECK-NOT: .local
// CHECK: st.global.b32
// CHECK: .visible .entry vim_kernel{{(_[0-9]+)?}}(
// CHECK: .maxntid 128, 1, 1
// CHECK-NOT: .local
// CHECK-NOT: __nv_
// CHECK: .shared .align 16 .b8
// CHECK: ld.global.b32
// CHECK: bar.sync 0;
// CHECK: ld.shared.v4.b32
// CHECK: ex2.approx.ftz.f32
// CHECK: shfl.sync.bfly.b32
// CHECK: st.shared.v4.b32
// CHECK: atom.global.add.f32
// CHECK: .visible .entry bf16_kernel{{(_[0-9]+)?}}(
// CHECK: .visible .entry bf16_kernel{{(_[0-9]+)?}}(
// CHECK-NOT: .local
// CHECK: cvt.f32.bf16
// CHECK: atom.global.add.f32
// CHECK: cvt.rn.bf16.f32
// CHECK: .visible .entry bf16_kernel{{(_[0-9]+)?}}(
// CHECK: ld.global.b32
// CHECK: cvt.rn.bf16.f32

// 16 lanes per channel, one state each: scalar B / C accesses, 8 channels of
// 16 lanes per 128-thread block, four butterfly levels.
// P16: .maxntid 128, 1, 1
// P16-NOT: .local
// P16: ex2.approx.ftz.f32
// P16-COUNT-4: shfl.sync.bfly.b32
// P16: atom.global.add.f32

// Prefetch and recomputed decays: still no local memory, 128 threads (the
// order of loads and steps is checked on the IR, selective-scan-grad.mlir).
// PREF: .visible .entry vim_kernel{{(_[0-9]+)?}}(
// PREF: .visible .entry vim_kernel{{(_[0-9]+)?}}(
// PREF: .maxntid 128, 1, 1
// PREF-NOT: .local
// PREF: bar.sync 0;
// PREF: ld.global.b32
// PREF: ex2.approx.ftz.f32
// PREF: atom.global.add.f32

func.func @vim(%dout: tensor<2x128x45xf32>, %u: tensor<2x128x45xf32>, %dt: tensor<2x128x45xf32>, %A: tensor<128x16xf32>, %B: tensor<2x16x45xf32>, %C: tensor<2x16x45xf32>, %D: tensor<128xf32>, %z: tensor<2x128x45xf32>, %bias: tensor<128xf32>) -> (tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>, tensor<128xf32>, tensor<2x128x45xf32>, tensor<128xf32>) {
  %du, %ddt, %dA, %dB, %dC, %dD, %dz, %db = ssm.selective_scan_grad %dout, %u, %dt, %A, %B, %C D(%D : tensor<128xf32>) z(%z : tensor<2x128x45xf32>) delta_bias(%bias : tensor<128xf32>) delta_softplus : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>
  return %du, %ddt, %dA, %dB, %dC, %dD, %dz, %db : tensor<2x128x45xf32>, tensor<2x128x45xf32>, tensor<128x16xf32>, tensor<2x16x45xf32>, tensor<2x16x45xf32>, tensor<128xf32>, tensor<2x128x45xf32>, tensor<128xf32>
}

func.func @bf16(%dout: tensor<1x64x33xbf16>, %u: tensor<1x64x33xbf16>, %dt: tensor<1x64x33xbf16>, %A: tensor<64x16xf32>, %B: tensor<1x16x33xbf16>, %C: tensor<1x16x33xbf16>) -> (tensor<1x64x33xbf16>, tensor<1x64x33xbf16>, tensor<64x16xf32>, tensor<1x16x33xbf16>, tensor<1x16x33xbf16>) {
  %du, %ddt, %dA, %dB, %dC = ssm.selective_scan_grad %dout, %u, %dt, %A, %B, %C delta_softplus : tensor<1x64x33xbf16>, tensor<1x64x33xbf16>, tensor<1x64x33xbf16>, tensor<64x16xf32>, tensor<1x16x33xbf16>, tensor<1x16x33xbf16>
  return %du, %ddt, %dA, %dB, %dC : tensor<1x64x33xbf16>, tensor<1x64x33xbf16>, tensor<64x16xf32>, tensor<1x16x33xbf16>, tensor<1x16x33xbf16>
}
