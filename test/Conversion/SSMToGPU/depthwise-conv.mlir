// RUN: ssm-opt %s --split-input-file --ssm-depthwise-conv-to-gpu | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-depthwise-conv-to-gpu=chip=gfx942 | FileCheck %s --check-prefix=AMD

// MambaOut's 7x7 NHWC conv as bufferized: a zero-filled padded buffer, the
// input (a channel slice of fc1's output) copied into its interior, the bf16
// bias broadcast (widened) into the output. One launch reads the slice
// directly; fill, copy, padded buffer and broadcast are gone.
// 128 x 56 x 56 x 48: 16 channels x 14 rows x (1 x 8) columns per block of
// 224 threads, 28 tiles x 3 channel groups x 128 images, a 20 x 14 x 16 f32
// tile.
// CHECK-LABEL: func.func @nhwc_pad_bias
// CHECK-SAME: %[[X:[^:]*]]: memref<128x56x56x256xf32>
// CHECK-SAME: %[[B:[^:]*]]: memref<48xbf16>
// CHECK-NOT: linalg.map
// CHECK-NOT: linalg.generic
// CHECK-NOT: memref.copy
// CHECK: %[[SLICE:.*]] = memref.subview %[[X]][0, 0, 0, 208]
// CHECK-NOT: memref.alloc() : memref<128x62x62x48xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<128x56x56x48xf32>
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c28{{.*}}, {{.*}} = %c3{{.*}}, {{.*}} = %c128{{.*}}) threads({{.*}}) in ({{.*}} = %c224{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}) workgroup(%[[S:.*]] : memref<4480xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for
// CHECK: scf.if
// CHECK: memref.load %[[SLICE]]
// CHECK: memref.store {{.*}}, %[[S]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[B]]
// CHECK: arith.extf
// One iteration per kernel row: 7 taps x 8 outputs.
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-56: arith.addf
// CHECK: scf.yield
// CHECK: memref.store {{.*}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.depthwise_conv_2d
// AMD-LABEL: func.func @nhwc_pad_bias
// AMD: gpu.launch
// AMD-SAME: workgroup(%{{.*}} : memref<{{[0-9]+}}xf32, #gpu.address_space<workgroup>>)
// AMD-NOT: linalg.depthwise_conv_2d
func.func @nhwc_pad_bias(%x: memref<128x56x56x256xf32>, %w: memref<7x7x48xf32>,
                         %bias: memref<48xbf16>) -> memref<128x56x56x48xf32> {
  %zero = arith.constant 0.0 : f32
  %slice = memref.subview %x[0, 0, 0, 208] [128, 56, 56, 48] [1, 1, 1, 1]
      : memref<128x56x56x256xf32> to memref<128x56x56x48xf32, strided<[802816, 14336, 256, 1], offset: 208>>
  %padded = memref.alloc() : memref<128x62x62x48xf32>
  linalg.map outs(%padded : memref<128x62x62x48xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 3, 3, 0] [128, 56, 56, 48] [1, 1, 1, 1]
      : memref<128x62x62x48xf32> to memref<128x56x56x48xf32, strided<[184512, 2976, 48, 1], offset: 9072>>
  memref.copy %slice, %interior : memref<128x56x56x48xf32, strided<[802816, 14336, 256, 1], offset: 208>> to memref<128x56x56x48xf32, strided<[184512, 2976, 48, 1], offset: 9072>>
  %out = memref.alloc() : memref<128x56x56x48xf32>
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : memref<48xbf16>) outs(%out : memref<128x56x56x48xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<128x62x62x48xf32>, memref<7x7x48xf32>) outs(%out : memref<128x56x56x48xf32>)
  return %out : memref<128x56x56x48xf32>
}

// -----

// VMamba's 3x3 NCHW conv (bf16 input, widened on load) with a zero-filled
// output: the accumulators start at zero and the fill is gone; threads run
// along W, each with 4 outputs along H.
// CHECK-LABEL: func.func @nchw_pad_zero
// CHECK-SAME: %[[X:[^:]*]]: memref<2x5x13x13xbf16>
// CHECK-NOT: linalg.fill
// CHECK-NOT: memref.copy
// CHECK: gpu.launch
// CHECK-SAME: workgroup(%[[S:.*]] : memref<{{[0-9]+}}xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[V:.*]] = memref.load %[[X]]
// CHECK: arith.extf %[[V]] : bf16 to f32
// CHECK: gpu.barrier
// CHECK-NOT: memref.load %{{.*}} : memref<2x5x13x13xf32>
// CHECK: memref.store {{.*}} : memref<2x5x13x13xf32>
// CHECK-NOT: linalg.depthwise_conv_2d
func.func @nchw_pad_zero(%x: memref<2x5x13x13xbf16>, %w: memref<5x3x3xf32>) -> memref<2x5x13x13xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<2x5x15x15xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<2x5x15x15xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [2, 5, 13, 13] [1, 1, 1, 1]
      : memref<2x5x15x15xf32> to memref<2x5x13x13xf32, strided<[1125, 225, 15, 1], offset: 16>>
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<2x5x13x13xbf16>) outs(%interior : memref<2x5x13x13xf32, strided<[1125, 225, 15, 1], offset: 16>>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  %out = memref.alloc() : memref<2x5x13x13xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<2x5x13x13xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<2x5x15x15xf32>, memref<5x3x3xf32>) outs(%out : memref<2x5x13x13xf32>)
  return %out : memref<2x5x13x13xf32>
}

// -----

// No pad producer and an output whose contents the pass cannot see (an
// argument): the kernel reads the input as it is (no padding) and adds the
// output's initial value.
// CHECK-LABEL: func.func @unpadded_accumulate
// CHECK-SAME: %[[X:[^:]*]]: memref<1x7x7x3xf32>
// CHECK-SAME: %[[O:[^:]*]]: memref<1x5x5x3xf32>
// CHECK: gpu.launch
// CHECK: memref.load %[[X]]
// CHECK: gpu.barrier
// CHECK: %[[OLD:.*]] = memref.load %[[O]]
// CHECK: arith.addf %[[OLD]]
// CHECK: memref.store {{.*}}, %[[O]]
func.func @unpadded_accumulate(%x: memref<1x7x7x3xf32>, %w: memref<3x3x3xf32>, %out: memref<1x5x5x3xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x7x7x3xf32>, memref<3x3x3xf32>) outs(%out : memref<1x5x5x3xf32>)
  return
}

// -----

// The padded copy's source is written between the copy and the conv: the
// kernel reads the padded buffer as it is (the pad stays).
// CHECK-LABEL: func.func @source_written_in_between
// CHECK: linalg.map
// CHECK: memref.copy
// CHECK: linalg.fill
// CHECK: gpu.launch
// CHECK: memref.load %{{.*}} : memref<1x7x7x3xf32>
func.func @source_written_in_between(%x: memref<1x5x5x3xf32>, %w: memref<3x3x3xf32>, %out: memref<1x5x5x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x7x7x3xf32>
  linalg.map outs(%padded : memref<1x7x7x3xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 1, 1, 0] [1, 5, 5, 3] [1, 1, 1, 1]
      : memref<1x7x7x3xf32> to memref<1x5x5x3xf32, strided<[147, 21, 3, 1], offset: 24>>
  memref.copy %x, %interior : memref<1x5x5x3xf32> to memref<1x5x5x3xf32, strided<[147, 21, 3, 1], offset: 24>>
  linalg.fill ins(%zero : f32) outs(%x : memref<1x5x5x3xf32>)
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<1x7x7x3xf32>, memref<3x3x3xf32>) outs(%out : memref<1x5x5x3xf32>)
  return
}
