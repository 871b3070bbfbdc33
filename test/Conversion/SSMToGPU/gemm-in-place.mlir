// RUN: ssm-opt %s --split-input-file --ssm-split-grouped-contractions --convert-linalg-to-gpu-gemm | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-split-grouped-contractions --convert-linalg-to-gpu-gemm --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --cse --canonicalize | FileCheck %s --check-prefix=BUF

// VMamba's x_proj split per direction: each GEMM reads W[k] and xs[:, k]
// through subviews of their whole buffers and writes its slice of the one
// destination in place (no dense copies of the slices, no zero fill, no
// copy of a piece into the destination). The kernels take the strided
// layouts (offset included, so piece k has its own kernel); the library
// descriptor carries the layouts' strides.
// CHECK-LABEL: func.func @x_proj
// CHECK-SAME: (%[[W:.*]]: tensor<4x26x64xf32>, %[[X:.*]]: tensor<2x4x64x49xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4x26x49xf32>
// CHECK-NEXT: %[[OB:.*]] = bufferization.to_buffer %[[E]] : tensor<2x4x26x49xf32> to memref<2x4x26x49xf32>
// CHECK: %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK: %[[WS:.*]] = memref.subview %[[WB]][0, 0, 0] [1, 26, 64] [1, 1, 1] : memref<4x26x64xf32> to memref<26x64xf32, strided<[64, 1]>>
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK: %[[XS:.*]] = memref.subview %[[XB]][0, 0, 0, 0] [2, 1, 64, 49] [1, 1, 1, 1] : memref<2x4x64x49xf32> to memref<2x64x49xf32, strided<[12544, 49, 1]>>
// CHECK: %[[OS:.*]] = memref.subview %[[OB]][0, 0, 0, 0] [2, 1, 26, 49] [1, 1, 1, 1] : memref<2x4x26x49xf32> to memref<2x26x49xf32, strided<[5096, 49, 1]>>
// CHECK: gpu.launch_func @ssm_gemm_kernels::@[[K0:gemm_[0-9]+]] {{.*}} args(%[[WS]] : {{.*}}, %[[XS]] : {{.*}}, %[[OS]] : {{.*}}) {ssm.library_call = {{{.*}}a_strides = array<i64: 64, 1, 0>{{.*}}b_strides = array<i64: 49, 1, 12544>{{.*}}c_strides = array<i64: 49, 1, 5096>
// CHECK: %[[R0:.*]] = bufferization.to_tensor %[[OB]] restrict writable
// CHECK: %[[OB1:.*]] = bufferization.to_buffer %[[R0]] :
// CHECK: memref.subview {{.*}}[1, 0, 0] [1, 26, 64] [1, 1, 1] : memref<4x26x64xf32> to memref<26x64xf32, strided<[64, 1], offset: 1664>>
// CHECK: memref.subview {{.*}}[0, 1, 0, 0] [2, 1, 64, 49] [1, 1, 1, 1] : memref<2x4x64x49xf32> to memref<2x64x49xf32, strided<[12544, 49, 1], offset: 3136>>
// CHECK: memref.subview %[[OB1]][0, 1, 0, 0] [2, 1, 26, 49] [1, 1, 1, 1] : memref<2x4x26x49xf32> to memref<2x26x49xf32, strided<[5096, 49, 1], offset: 1274>>
// CHECK: gpu.launch_func @ssm_gemm_kernels::@[[K1:gemm_[0-9]+]]
// CHECK-COUNT-2: gpu.launch_func
// CHECK-NOT: tensor.insert_slice
// CHECK-NOT: tensor.extract_slice
// CHECK: return
// CHECK: gpu.func @[[K0]](%{{.*}}: memref<26x64xf32, strided<[64, 1]>>, %{{.*}}: memref<2x64x49xf32, strided<[12544, 49, 1]>>, %{{.*}}: memref<2x26x49xf32, strided<[5096, 49, 1]>>)
// CHECK: gpu.func @[[K1]](%{{.*}}: memref<26x64xf32, strided<[64, 1], offset: 1664>>, %{{.*}}: memref<2x64x49xf32, strided<[12544, 49, 1], offset: 3136>>, %{{.*}}: memref<2x26x49xf32, strided<[5096, 49, 1], offset: 1274>>)
// n = 49: no 4-element runs; the scalar loads go through the layouts.
// CHECK-NOT: vector.load {{.*}} : memref<2x64x49xf32
// BUF-LABEL: func.func @x_proj
// BUF-NOT: memref.copy
// BUF: %[[A:.*]] = memref.alloc() {{.*}} : memref<2x4x26x49xf32>
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF-NOT: linalg.fill
// BUF: memref.subview %arg0[3, 0, 0]
// BUF: memref.subview %arg1[0, 3, 0, 0]
// BUF: memref.subview %[[A]][0, 3, 0, 0]
// BUF: gpu.launch_func
// BUF-NOT: memref.copy
// BUF: return %[[A]]
#w = affine_map<(b, k, c, l, d) -> (k, c, d)>
#x = affine_map<(b, k, c, l, d) -> (b, k, d, l)>
#o = affine_map<(b, k, c, l, d) -> (b, k, c, l)>
func.func @x_proj(%w: tensor<4x26x64xf32>, %x: tensor<2x4x64x49xf32>) -> tensor<2x4x26x49xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x26x49xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x26x49xf32>) -> tensor<2x4x26x49xf32>
  %r = linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<4x26x64xf32>, tensor<2x4x64x49xf32>) outs(%f : tensor<2x4x26x49xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x26x49xf32>
  return %r : tensor<2x4x26x49xf32>
}

// -----

// dt_proj of a bf16 model reading a slice of a slice (the dt rows of
// x_proj's output, then one direction): the GEMM reads bf16 through a
// subview of a subview; n = 64 and every stride and offset a multiple of 4
// elements, so its B tiles load 4-vectors through the layout. The zero
// fill's slice and the widenings die with the contraction.
// CHECK-LABEL: func.func @dt_proj_nested
// CHECK-NOT: linalg.generic
// CHECK: %[[XB:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<2x4x20x64xbf16> to memref<2x4x20x64xbf16>
// CHECK: %[[DT:.*]] = memref.subview %[[XB]][0, 0, 0, 0] [2, 4, 16, 64] [1, 1, 1, 1] : memref<2x4x20x64xbf16> to memref<2x4x16x64xbf16, strided<[5120, 1280, 64, 1]>>
// CHECK: memref.subview %[[DT]][0, 0, 0, 0] [2, 1, 16, 64] [1, 1, 1, 1] : memref<2x4x16x64xbf16, strided<[5120, 1280, 64, 1]>> to memref<2x16x64xbf16, strided<[5120, 64, 1]>>
// CHECK: gpu.launch_func
// CHECK-NOT: linalg.fill
// CHECK: return
// CHECK: gpu.func @{{.*}}(%{{.*}}: memref<32x16xbf16, strided<[16, 1]>>, %{{.*}}: memref<2x16x64xbf16, strided<[5120, 64, 1]>>, %{{.*}}: memref<2x32x64xf32, strided<[8192, 64, 1]>>)
// CHECK: vector.load {{.*}} : memref<2x16x64xbf16, strided<[5120, 64, 1]>>, vector<4xbf16>
// CHECK: vector.store {{.*}} : memref<2x32x64xf32, strided<[8192, 64, 1]>>, vector<4xf32>
// BUF-LABEL: func.func @dt_proj_nested
// BUF-NOT: memref.copy
// BUF: memref.alloc() {{.*}} : memref<2x4x32x64xf32>
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
// BUF: return
#wd = affine_map<(b, k, d, l, r) -> (k, d, r)>
#xd = affine_map<(b, k, d, l, r) -> (b, k, r, l)>
#od = affine_map<(b, k, d, l, r) -> (b, k, d, l)>
#id3 = affine_map<(a, b, c) -> (a, b, c)>
#id4 = affine_map<(a, b, c, d) -> (a, b, c, d)>
func.func @dt_proj_nested(%w: tensor<4x32x16xbf16>, %xdbl: tensor<2x4x20x64xbf16>) -> tensor<2x4x32x64xf32> {
  %zero = arith.constant 0.0 : f32
  %x = tensor.extract_slice %xdbl[0, 0, 0, 0] [2, 4, 16, 64] [1, 1, 1, 1] : tensor<2x4x20x64xbf16> to tensor<2x4x16x64xbf16>
  %ew = tensor.empty() : tensor<4x32x16xf32>
  %ww = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%w : tensor<4x32x16xbf16>) outs(%ew : tensor<4x32x16xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %v = arith.extf %a : bf16 to f32
    linalg.yield %v : f32
  } -> tensor<4x32x16xf32>
  %ex = tensor.empty() : tensor<2x4x16x64xf32>
  %xw = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x4x16x64xbf16>) outs(%ex : tensor<2x4x16x64xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %v = arith.extf %a : bf16 to f32
    linalg.yield %v : f32
  } -> tensor<2x4x16x64xf32>
  %e = tensor.empty() : tensor<2x4x32x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x32x64xf32>) -> tensor<2x4x32x64xf32>
  %r = linalg.generic {indexing_maps = [#wd, #xd, #od], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%ww, %xw : tensor<4x32x16xf32>, tensor<2x4x16x64xf32>) outs(%f : tensor<2x4x32x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x32x64xf32>
  return %r : tensor<2x4x32x64xf32>
}
