// ssm-depthwise-conv-to-gpu's kernel run on the CPU: with emulate=true the
// pass emits the same kernel body as sequential loops (blocks, then each
// barrier-separated phase over the block's threads), so the tiling, the
// padding predicates, the halo and the register tiles are checked against a
// plain convolution of the padded input (a linalg.generic the pass leaves).
// Awkward shapes: 1x1 images, H != W, 3 channels (partial channel groups and
// tiles), batch 1 and 2, bf16 inputs, a bias. Batches of 16 to 64 plan
// register tiles of 3 to 4 outputs and partial tiles on every axis, with the
// tile staged by rows (NHWC 16x13x11x20: 4 positions per thread and row;
// NCHW 64x7x5x13: 3) or as one strided loop (NHWC 32x13x13x5, NCHW
// 32x7x13x11). verifyMemRefF32 counts the
// elements that differ; the values are multiples of 1/64, so sums are exact.
// RUN: ssm-opt %s --ssm-depthwise-conv-to-gpu=emulate=true --convert-linalg-to-loops \
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_lib_dir/libmlir_runner_utils.so,%mlir_lib_dir/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s
// The pass converted every conv under test (and only those).
// RUN: ssm-opt %s --ssm-depthwise-conv-to-gpu=emulate=true | FileCheck %s --check-prefix=IR
// IR-NOT: linalg.depthwise_conv_2d
// IR-NOT: memref.copy

// CHECK: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}

func.func @fill_x_nhwc_13x13x48(%m: memref<1x13x13x48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<1x13x13x48xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 13 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 13 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 48 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nhwc_13x13x48(%m: memref<7x7x48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<7x7x48xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 48 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nhwc_13x13x48(%m: memref<48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<48xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nhwc_13x13x48(%x: memref<1x13x13x48xf32>, %w: memref<7x7x48xf32>, %b: memref<48xf32>, %out: memref<1x13x13x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x19x19x48xf32>
  linalg.map outs(%padded : memref<1x19x19x48xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 3, 3, 0] [1, 13, 13, 48] [1, 1, 1, 1]
      : memref<1x19x19x48xf32> to memref<1x13x13x48xf32, strided<[17328, 912, 48, 1], offset: 2880>>
  memref.copy %x, %interior : memref<1x13x13x48xf32> to memref<1x13x13x48xf32, strided<[17328, 912, 48, 1], offset: 2880>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<48xf32>) outs(%out : memref<1x13x13x48xf32>) {
  ^bb0(%in: f32, %o: f32):
    
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<1x19x19x48xf32>, memref<7x7x48xf32>) outs(%out : memref<1x13x13x48xf32>)
  memref.dealloc %padded : memref<1x19x19x48xf32>
  return
}
func.func @ref_nhwc_13x13x48(%x: memref<1x13x13x48xf32>, %w: memref<7x7x48xf32>, %b: memref<48xf32>, %out: memref<1x13x13x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x19x19x48xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x19x19x48xf32>)
  %interior = memref.subview %padded[0, 3, 3, 0] [1, 13, 13, 48] [1, 1, 1, 1]
      : memref<1x19x19x48xf32> to memref<1x13x13x48xf32, strided<[17328, 912, 48, 1], offset: 2880>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x13x13x48xf32>) outs(%interior : memref<1x13x13x48xf32, strided<[17328, 912, 48, 1], offset: 2880>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<48xf32>) outs(%out : memref<1x13x13x48xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c, i, j) -> (n, h + i, w + j, c)>, affine_map<(n, h, w, c, i, j) -> (i, j, c)>, affine_map<(n, h, w, c, i, j) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<1x19x19x48xf32>, memref<7x7x48xf32>) outs(%out : memref<1x13x13x48xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<1x19x19x48xf32>
  return
}

func.func @fill_x_nhwc_5x7x3(%m: memref<2x5x7x3xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<2x5x7x3xbf16>) {
  ^bb0(%o: bf16):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 5 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 7 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 3 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    %vt = arith.truncf %v : f32 to bf16
    linalg.yield %vt : bf16
  }
  return
}
func.func @fill_w_nhwc_5x7x3(%m: memref<7x7x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<7x7x3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nhwc_5x7x3(%m: memref<3xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<3xbf16>) {
  ^bb0(%o: bf16):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    %vt = arith.truncf %v : f32 to bf16
    linalg.yield %vt : bf16
  }
  return
}
func.func @conv_nhwc_5x7x3(%x: memref<2x5x7x3xbf16>, %w: memref<7x7x3xf32>, %b: memref<3xbf16>, %out: memref<2x5x7x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<2x11x13x3xf32>
  linalg.map outs(%padded : memref<2x11x13x3xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 3, 3, 0] [2, 5, 7, 3] [1, 1, 1, 1]
      : memref<2x11x13x3xf32> to memref<2x5x7x3xf32, strided<[429, 39, 3, 1], offset: 126>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<2x5x7x3xbf16>) outs(%interior : memref<2x5x7x3xf32, strided<[429, 39, 3, 1], offset: 126>>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<3xbf16>) outs(%out : memref<2x5x7x3xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<2x11x13x3xf32>, memref<7x7x3xf32>) outs(%out : memref<2x5x7x3xf32>)
  memref.dealloc %padded : memref<2x11x13x3xf32>
  return
}
func.func @ref_nhwc_5x7x3(%x: memref<2x5x7x3xbf16>, %w: memref<7x7x3xf32>, %b: memref<3xbf16>, %out: memref<2x5x7x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<2x11x13x3xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<2x11x13x3xf32>)
  %interior = memref.subview %padded[0, 3, 3, 0] [2, 5, 7, 3] [1, 1, 1, 1]
      : memref<2x11x13x3xf32> to memref<2x5x7x3xf32, strided<[429, 39, 3, 1], offset: 126>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<2x5x7x3xbf16>) outs(%interior : memref<2x5x7x3xf32, strided<[429, 39, 3, 1], offset: 126>>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<3xbf16>) outs(%out : memref<2x5x7x3xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c, i, j) -> (n, h + i, w + j, c)>, affine_map<(n, h, w, c, i, j) -> (i, j, c)>, affine_map<(n, h, w, c, i, j) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<2x11x13x3xf32>, memref<7x7x3xf32>) outs(%out : memref<2x5x7x3xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<2x11x13x3xf32>
  return
}

func.func @fill_x_nhwc_1x1x1(%m: memref<1x1x1x1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<1x1x1x1xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 1 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 1 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 1 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nhwc_1x1x1(%m: memref<7x7x1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<7x7x1xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 1 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nhwc_1x1x1(%m: memref<1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<1xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nhwc_1x1x1(%x: memref<1x1x1x1xf32>, %w: memref<7x7x1xf32>, %b: memref<1xf32>, %out: memref<1x1x1x1xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x7x7x1xf32>
  linalg.map outs(%padded : memref<1x7x7x1xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 3, 3, 0] [1, 1, 1, 1] [1, 1, 1, 1]
      : memref<1x7x7x1xf32> to memref<1x1x1x1xf32, strided<[49, 7, 1, 1], offset: 24>>
  memref.copy %x, %interior : memref<1x1x1x1xf32> to memref<1x1x1x1xf32, strided<[49, 7, 1, 1], offset: 24>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<1xf32>) outs(%out : memref<1x1x1x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<1x7x7x1xf32>, memref<7x7x1xf32>) outs(%out : memref<1x1x1x1xf32>)
  memref.dealloc %padded : memref<1x7x7x1xf32>
  return
}
func.func @ref_nhwc_1x1x1(%x: memref<1x1x1x1xf32>, %w: memref<7x7x1xf32>, %b: memref<1xf32>, %out: memref<1x1x1x1xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x7x7x1xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x7x7x1xf32>)
  %interior = memref.subview %padded[0, 3, 3, 0] [1, 1, 1, 1] [1, 1, 1, 1]
      : memref<1x7x7x1xf32> to memref<1x1x1x1xf32, strided<[49, 7, 1, 1], offset: 24>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x1x1x1xf32>) outs(%interior : memref<1x1x1x1xf32, strided<[49, 7, 1, 1], offset: 24>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<1xf32>) outs(%out : memref<1x1x1x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c, i, j) -> (n, h + i, w + j, c)>, affine_map<(n, h, w, c, i, j) -> (i, j, c)>, affine_map<(n, h, w, c, i, j) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<1x7x7x1xf32>, memref<7x7x1xf32>) outs(%out : memref<1x1x1x1xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<1x7x7x1xf32>
  return
}

func.func @fill_x_nchw_13x13x48(%m: memref<1x48x13x13xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<1x48x13x13xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 48 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 13 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 13 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nchw_13x13x48(%m: memref<48x3x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<48x3x3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nchw_13x13x48(%m: memref<48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<48xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nchw_13x13x48(%x: memref<1x48x13x13xf32>, %w: memref<48x3x3xf32>, %b: memref<48xf32>, %out: memref<1x48x13x13xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x48x15x15xf32>
  linalg.map outs(%padded : memref<1x48x15x15xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 48, 13, 13] [1, 1, 1, 1]
      : memref<1x48x15x15xf32> to memref<1x48x13x13xf32, strided<[10800, 225, 15, 1], offset: 16>>
  memref.copy %x, %interior : memref<1x48x13x13xf32> to memref<1x48x13x13xf32, strided<[10800, 225, 15, 1], offset: 16>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<48xf32>) outs(%out : memref<1x48x13x13xf32>) {
  ^bb0(%in: f32, %o: f32):
    
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<1x48x15x15xf32>, memref<48x3x3xf32>) outs(%out : memref<1x48x13x13xf32>)
  memref.dealloc %padded : memref<1x48x15x15xf32>
  return
}
func.func @ref_nchw_13x13x48(%x: memref<1x48x13x13xf32>, %w: memref<48x3x3xf32>, %b: memref<48xf32>, %out: memref<1x48x13x13xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x48x15x15xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x48x15x15xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 48, 13, 13] [1, 1, 1, 1]
      : memref<1x48x15x15xf32> to memref<1x48x13x13xf32, strided<[10800, 225, 15, 1], offset: 16>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x48x13x13xf32>) outs(%interior : memref<1x48x13x13xf32, strided<[10800, 225, 15, 1], offset: 16>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<48xf32>) outs(%out : memref<1x48x13x13xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w, i, j) -> (n, c, h + i, w + j)>, affine_map<(n, c, h, w, i, j) -> (c, i, j)>, affine_map<(n, c, h, w, i, j) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<1x48x15x15xf32>, memref<48x3x3xf32>) outs(%out : memref<1x48x13x13xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<1x48x15x15xf32>
  return
}

func.func @fill_x_nchw_5x7x3(%m: memref<2x3x5x7xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<2x3x5x7xbf16>) {
  ^bb0(%o: bf16):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 5 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 7 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    %vt = arith.truncf %v : f32 to bf16
    linalg.yield %vt : bf16
  }
  return
}
func.func @fill_w_nchw_5x7x3(%m: memref<3x3x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<3x3x3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nchw_5x7x3(%m: memref<3xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<3xbf16>) {
  ^bb0(%o: bf16):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    %vt = arith.truncf %v : f32 to bf16
    linalg.yield %vt : bf16
  }
  return
}
func.func @conv_nchw_5x7x3(%x: memref<2x3x5x7xbf16>, %w: memref<3x3x3xf32>, %b: memref<3xbf16>, %out: memref<2x3x5x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<2x3x7x9xf32>
  linalg.map outs(%padded : memref<2x3x7x9xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 1] [2, 3, 5, 7] [1, 1, 1, 1]
      : memref<2x3x7x9xf32> to memref<2x3x5x7xf32, strided<[189, 63, 9, 1], offset: 10>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<2x3x5x7xbf16>) outs(%interior : memref<2x3x5x7xf32, strided<[189, 63, 9, 1], offset: 10>>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<3xbf16>) outs(%out : memref<2x3x5x7xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<2x3x7x9xf32>, memref<3x3x3xf32>) outs(%out : memref<2x3x5x7xf32>)
  memref.dealloc %padded : memref<2x3x7x9xf32>
  return
}
func.func @ref_nchw_5x7x3(%x: memref<2x3x5x7xbf16>, %w: memref<3x3x3xf32>, %b: memref<3xbf16>, %out: memref<2x3x5x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<2x3x7x9xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<2x3x7x9xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [2, 3, 5, 7] [1, 1, 1, 1]
      : memref<2x3x7x9xf32> to memref<2x3x5x7xf32, strided<[189, 63, 9, 1], offset: 10>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<2x3x5x7xbf16>) outs(%interior : memref<2x3x5x7xf32, strided<[189, 63, 9, 1], offset: 10>>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<3xbf16>) outs(%out : memref<2x3x5x7xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w, i, j) -> (n, c, h + i, w + j)>, affine_map<(n, c, h, w, i, j) -> (c, i, j)>, affine_map<(n, c, h, w, i, j) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<2x3x7x9xf32>, memref<3x3x3xf32>) outs(%out : memref<2x3x5x7xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<2x3x7x9xf32>
  return
}

func.func @fill_x_nchw_1x1x1(%m: memref<1x1x1x1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<1x1x1x1xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 1 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 1 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 1 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nchw_1x1x1(%m: memref<1x3x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<1x3x3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nchw_1x1x1(%m: memref<1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<1xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nchw_1x1x1(%x: memref<1x1x1x1xf32>, %w: memref<1x3x3xf32>, %b: memref<1xf32>, %out: memref<1x1x1x1xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x1x3x3xf32>
  linalg.map outs(%padded : memref<1x1x3x3xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 1, 1, 1] [1, 1, 1, 1]
      : memref<1x1x3x3xf32> to memref<1x1x1x1xf32, strided<[9, 9, 3, 1], offset: 4>>
  memref.copy %x, %interior : memref<1x1x1x1xf32> to memref<1x1x1x1xf32, strided<[9, 9, 3, 1], offset: 4>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<1xf32>) outs(%out : memref<1x1x1x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<1x1x3x3xf32>, memref<1x3x3xf32>) outs(%out : memref<1x1x1x1xf32>)
  memref.dealloc %padded : memref<1x1x3x3xf32>
  return
}
func.func @ref_nchw_1x1x1(%x: memref<1x1x1x1xf32>, %w: memref<1x3x3xf32>, %b: memref<1xf32>, %out: memref<1x1x1x1xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x1x3x3xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x1x3x3xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 1, 1, 1] [1, 1, 1, 1]
      : memref<1x1x3x3xf32> to memref<1x1x1x1xf32, strided<[9, 9, 3, 1], offset: 4>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x1x1x1xf32>) outs(%interior : memref<1x1x1x1xf32, strided<[9, 9, 3, 1], offset: 4>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<1xf32>) outs(%out : memref<1x1x1x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w, i, j) -> (n, c, h + i, w + j)>, affine_map<(n, c, h, w, i, j) -> (c, i, j)>, affine_map<(n, c, h, w, i, j) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<1x1x3x3xf32>, memref<1x3x3xf32>) outs(%out : memref<1x1x1x1xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<1x1x3x3xf32>
  return
}

func.func @fill_x_nhwc_7x5x3_k3(%m: memref<1x7x5x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<1x7x5x3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 5 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 3 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nhwc_7x5x3_k3(%m: memref<3x3x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<3x3x3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nhwc_7x5x3_k3(%m: memref<3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nhwc_7x5x3_k3(%x: memref<1x7x5x3xf32>, %w: memref<3x3x3xf32>, %b: memref<3xf32>, %out: memref<1x7x5x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x9x7x3xf32>
  linalg.map outs(%padded : memref<1x9x7x3xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 1, 1, 0] [1, 7, 5, 3] [1, 1, 1, 1]
      : memref<1x9x7x3xf32> to memref<1x7x5x3xf32, strided<[189, 21, 3, 1], offset: 24>>
  memref.copy %x, %interior : memref<1x7x5x3xf32> to memref<1x7x5x3xf32, strided<[189, 21, 3, 1], offset: 24>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<3xf32>) outs(%out : memref<1x7x5x3xf32>) {
  ^bb0(%in: f32, %o: f32):
    
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<1x9x7x3xf32>, memref<3x3x3xf32>) outs(%out : memref<1x7x5x3xf32>)
  memref.dealloc %padded : memref<1x9x7x3xf32>
  return
}
func.func @ref_nhwc_7x5x3_k3(%x: memref<1x7x5x3xf32>, %w: memref<3x3x3xf32>, %b: memref<3xf32>, %out: memref<1x7x5x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x9x7x3xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<1x9x7x3xf32>)
  %interior = memref.subview %padded[0, 1, 1, 0] [1, 7, 5, 3] [1, 1, 1, 1]
      : memref<1x9x7x3xf32> to memref<1x7x5x3xf32, strided<[189, 21, 3, 1], offset: 24>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x7x5x3xf32>) outs(%interior : memref<1x7x5x3xf32, strided<[189, 21, 3, 1], offset: 24>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<3xf32>) outs(%out : memref<1x7x5x3xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c, i, j) -> (n, h + i, w + j, c)>, affine_map<(n, h, w, c, i, j) -> (i, j, c)>, affine_map<(n, h, w, c, i, j) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<1x9x7x3xf32>, memref<3x3x3xf32>) outs(%out : memref<1x7x5x3xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<1x9x7x3xf32>
  return
}

func.func @fill_x_nhwc_16x20x13x11_k7(%m: memref<16x13x11x20xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<16x13x11x20xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 13 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 11 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 20 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nhwc_16x20x13x11_k7(%m: memref<7x7x20xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<7x7x20xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 20 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nhwc_16x20x13x11_k7(%m: memref<20xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<20xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nhwc_16x20x13x11_k7(%x: memref<16x13x11x20xf32>, %w: memref<7x7x20xf32>, %b: memref<20xf32>, %out: memref<16x13x11x20xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<16x19x17x20xf32>
  linalg.map outs(%padded : memref<16x19x17x20xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 3, 3, 0] [16, 13, 11, 20] [1, 1, 1, 1]
      : memref<16x19x17x20xf32> to memref<16x13x11x20xf32, strided<[6460, 340, 20, 1], offset: 1080>>
  memref.copy %x, %interior : memref<16x13x11x20xf32> to memref<16x13x11x20xf32, strided<[6460, 340, 20, 1], offset: 1080>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<20xf32>) outs(%out : memref<16x13x11x20xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<16x19x17x20xf32>, memref<7x7x20xf32>) outs(%out : memref<16x13x11x20xf32>)
  memref.dealloc %padded : memref<16x19x17x20xf32>
  return
}
func.func @ref_nhwc_16x20x13x11_k7(%x: memref<16x13x11x20xf32>, %w: memref<7x7x20xf32>, %b: memref<20xf32>, %out: memref<16x13x11x20xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<16x19x17x20xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<16x19x17x20xf32>)
  %interior = memref.subview %padded[0, 3, 3, 0] [16, 13, 11, 20] [1, 1, 1, 1]
      : memref<16x19x17x20xf32> to memref<16x13x11x20xf32, strided<[6460, 340, 20, 1], offset: 1080>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<16x13x11x20xf32>) outs(%interior : memref<16x13x11x20xf32, strided<[6460, 340, 20, 1], offset: 1080>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<20xf32>) outs(%out : memref<16x13x11x20xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c, i, j) -> (n, h + i, w + j, c)>, affine_map<(n, h, w, c, i, j) -> (i, j, c)>, affine_map<(n, h, w, c, i, j) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<16x19x17x20xf32>, memref<7x7x20xf32>) outs(%out : memref<16x13x11x20xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<16x19x17x20xf32>
  return
}
func.func @fill_x_nhwc_32x5x13x13_k7(%m: memref<32x13x13x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<32x13x13x5xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 13 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 13 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 5 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nhwc_32x5x13x13_k7(%m: memref<7x7x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<7x7x5xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 5 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nhwc_32x5x13x13_k7(%m: memref<5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<5xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nhwc_32x5x13x13_k7(%x: memref<32x13x13x5xf32>, %w: memref<7x7x5xf32>, %b: memref<5xf32>, %out: memref<32x13x13x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<32x19x19x5xf32>
  linalg.map outs(%padded : memref<32x19x19x5xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 3, 3, 0] [32, 13, 13, 5] [1, 1, 1, 1]
      : memref<32x19x19x5xf32> to memref<32x13x13x5xf32, strided<[1805, 95, 5, 1], offset: 300>>
  memref.copy %x, %interior : memref<32x13x13x5xf32> to memref<32x13x13x5xf32, strided<[1805, 95, 5, 1], offset: 300>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<5xf32>) outs(%out : memref<32x13x13x5xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<32x19x19x5xf32>, memref<7x7x5xf32>) outs(%out : memref<32x13x13x5xf32>)
  memref.dealloc %padded : memref<32x19x19x5xf32>
  return
}
func.func @ref_nhwc_32x5x13x13_k7(%x: memref<32x13x13x5xf32>, %w: memref<7x7x5xf32>, %b: memref<5xf32>, %out: memref<32x13x13x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<32x19x19x5xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<32x19x19x5xf32>)
  %interior = memref.subview %padded[0, 3, 3, 0] [32, 13, 13, 5] [1, 1, 1, 1]
      : memref<32x19x19x5xf32> to memref<32x13x13x5xf32, strided<[1805, 95, 5, 1], offset: 300>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<32x13x13x5xf32>) outs(%interior : memref<32x13x13x5xf32, strided<[1805, 95, 5, 1], offset: 300>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<5xf32>) outs(%out : memref<32x13x13x5xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c, i, j) -> (n, h + i, w + j, c)>, affine_map<(n, h, w, c, i, j) -> (i, j, c)>, affine_map<(n, h, w, c, i, j) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<32x19x19x5xf32>, memref<7x7x5xf32>) outs(%out : memref<32x13x13x5xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<32x19x19x5xf32>
  return
}
func.func @fill_x_nchw_64x7x5x13_k3(%m: memref<64x7x5x13xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<64x7x5x13xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 5 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 13 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nchw_64x7x5x13_k3(%m: memref<7x3x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<7x3x3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nchw_64x7x5x13_k3(%m: memref<7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<7xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nchw_64x7x5x13_k3(%x: memref<64x7x5x13xf32>, %w: memref<7x3x3xf32>, %b: memref<7xf32>, %out: memref<64x7x5x13xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<64x7x7x15xf32>
  linalg.map outs(%padded : memref<64x7x7x15xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 1] [64, 7, 5, 13] [1, 1, 1, 1]
      : memref<64x7x7x15xf32> to memref<64x7x5x13xf32, strided<[735, 105, 15, 1], offset: 16>>
  memref.copy %x, %interior : memref<64x7x5x13xf32> to memref<64x7x5x13xf32, strided<[735, 105, 15, 1], offset: 16>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<7xf32>) outs(%out : memref<64x7x5x13xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<64x7x7x15xf32>, memref<7x3x3xf32>) outs(%out : memref<64x7x5x13xf32>)
  memref.dealloc %padded : memref<64x7x7x15xf32>
  return
}
func.func @ref_nchw_64x7x5x13_k3(%x: memref<64x7x5x13xf32>, %w: memref<7x3x3xf32>, %b: memref<7xf32>, %out: memref<64x7x5x13xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<64x7x7x15xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<64x7x7x15xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [64, 7, 5, 13] [1, 1, 1, 1]
      : memref<64x7x7x15xf32> to memref<64x7x5x13xf32, strided<[735, 105, 15, 1], offset: 16>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<64x7x5x13xf32>) outs(%interior : memref<64x7x5x13xf32, strided<[735, 105, 15, 1], offset: 16>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<7xf32>) outs(%out : memref<64x7x5x13xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w, i, j) -> (n, c, h + i, w + j)>, affine_map<(n, c, h, w, i, j) -> (c, i, j)>, affine_map<(n, c, h, w, i, j) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<64x7x7x15xf32>, memref<7x3x3xf32>) outs(%out : memref<64x7x5x13xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<64x7x7x15xf32>
  return
}
func.func @fill_x_nchw_32x7x13x11_k3(%m: memref<32x7x13x11xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%m : memref<32x7x13x11xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 13 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %s3 = arith.constant 11 : index
    %m3 = arith.muli %a2, %s3 : index
    %a3 = arith.addi %m3, %i3 : index
    %mul = arith.constant 7 : index
    %add = arith.constant 3 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a3, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_w_nchw_32x7x13x11_k3(%m: memref<7x3x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<7x3x3xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %i0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %mul = arith.constant 5 : index
    %add = arith.constant 1 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %a2, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @fill_b_nchw_32x7x13x11_k3(%m: memref<7xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<7xf32>) {
  ^bb0(%o: f32):
    %i0 = linalg.index 0 : index
    %mul = arith.constant 3 : index
    %add = arith.constant 2 : index
    %c17 = arith.constant 17 : index
    %p = arith.muli %i0, %mul : index
    %q = arith.addi %p, %add : index
    %r = arith.remui %q, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %rf = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %d = arith.subf %rf, %c8 : f32
    %v = arith.divf %d, %c8 : f32
    linalg.yield %v : f32
  }
  return
}
func.func @conv_nchw_32x7x13x11_k3(%x: memref<32x7x13x11xf32>, %w: memref<7x3x3xf32>, %b: memref<7xf32>, %out: memref<32x7x13x11xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<32x7x15x13xf32>
  linalg.map outs(%padded : memref<32x7x15x13xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %interior = memref.subview %padded[0, 0, 1, 1] [32, 7, 13, 11] [1, 1, 1, 1]
      : memref<32x7x15x13xf32> to memref<32x7x13x11xf32, strided<[1365, 195, 13, 1], offset: 14>>
  memref.copy %x, %interior : memref<32x7x13x11xf32> to memref<32x7x13x11xf32, strided<[1365, 195, 13, 1], offset: 14>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<7xf32>) outs(%out : memref<32x7x13x11xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : memref<32x7x15x13xf32>, memref<7x3x3xf32>) outs(%out : memref<32x7x13x11xf32>)
  memref.dealloc %padded : memref<32x7x15x13xf32>
  return
}
func.func @ref_nchw_32x7x13x11_k3(%x: memref<32x7x13x11xf32>, %w: memref<7x3x3xf32>, %b: memref<7xf32>, %out: memref<32x7x13x11xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<32x7x15x13xf32>
  linalg.fill ins(%zero : f32) outs(%padded : memref<32x7x15x13xf32>)
  %interior = memref.subview %padded[0, 0, 1, 1] [32, 7, 13, 11] [1, 1, 1, 1]
      : memref<32x7x15x13xf32> to memref<32x7x13x11xf32, strided<[1365, 195, 13, 1], offset: 14>>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<32x7x13x11xf32>) outs(%interior : memref<32x7x13x11xf32, strided<[1365, 195, 13, 1], offset: 14>>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : memref<7xf32>) outs(%out : memref<32x7x13x11xf32>) {
  ^bb0(%in: f32, %o: f32):
    %e = arith.addf %in, %zero : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w, i, j) -> (n, c, h + i, w + j)>, affine_map<(n, c, h, w, i, j) -> (c, i, j)>, affine_map<(n, c, h, w, i, j) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%padded, %w : memref<32x7x15x13xf32>, memref<7x3x3xf32>) outs(%out : memref<32x7x13x11xf32>) {
  ^bb0(%a: f32, %k: f32, %o: f32):
    %p = arith.mulf %a, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %padded : memref<32x7x15x13xf32>
  return
}

func.func @main() {
  %x_nhwc_13x13x48 = memref.alloc() : memref<1x13x13x48xf32>
  %w_nhwc_13x13x48 = memref.alloc() : memref<7x7x48xf32>
  %b_nhwc_13x13x48 = memref.alloc() : memref<48xf32>
  %o_nhwc_13x13x48 = memref.alloc() : memref<1x13x13x48xf32>
  %r_nhwc_13x13x48 = memref.alloc() : memref<1x13x13x48xf32>
  call @fill_x_nhwc_13x13x48(%x_nhwc_13x13x48) : (memref<1x13x13x48xf32>) -> ()
  call @fill_w_nhwc_13x13x48(%w_nhwc_13x13x48) : (memref<7x7x48xf32>) -> ()
  call @fill_b_nhwc_13x13x48(%b_nhwc_13x13x48) : (memref<48xf32>) -> ()
  call @conv_nhwc_13x13x48(%x_nhwc_13x13x48, %w_nhwc_13x13x48, %b_nhwc_13x13x48, %o_nhwc_13x13x48) : (memref<1x13x13x48xf32>, memref<7x7x48xf32>, memref<48xf32>, memref<1x13x13x48xf32>) -> ()
  call @ref_nhwc_13x13x48(%x_nhwc_13x13x48, %w_nhwc_13x13x48, %b_nhwc_13x13x48, %r_nhwc_13x13x48) : (memref<1x13x13x48xf32>, memref<7x7x48xf32>, memref<48xf32>, memref<1x13x13x48xf32>) -> ()
  %g_nhwc_13x13x48 = memref.cast %o_nhwc_13x13x48 : memref<1x13x13x48xf32> to memref<*xf32>
  %e_nhwc_13x13x48 = memref.cast %r_nhwc_13x13x48 : memref<1x13x13x48xf32> to memref<*xf32>
  %bad_nhwc_13x13x48 = call @verifyMemRefF32(%g_nhwc_13x13x48, %e_nhwc_13x13x48) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nhwc_13x13x48 : i64
  %x_nhwc_5x7x3 = memref.alloc() : memref<2x5x7x3xbf16>
  %w_nhwc_5x7x3 = memref.alloc() : memref<7x7x3xf32>
  %b_nhwc_5x7x3 = memref.alloc() : memref<3xbf16>
  %o_nhwc_5x7x3 = memref.alloc() : memref<2x5x7x3xf32>
  %r_nhwc_5x7x3 = memref.alloc() : memref<2x5x7x3xf32>
  call @fill_x_nhwc_5x7x3(%x_nhwc_5x7x3) : (memref<2x5x7x3xbf16>) -> ()
  call @fill_w_nhwc_5x7x3(%w_nhwc_5x7x3) : (memref<7x7x3xf32>) -> ()
  call @fill_b_nhwc_5x7x3(%b_nhwc_5x7x3) : (memref<3xbf16>) -> ()
  call @conv_nhwc_5x7x3(%x_nhwc_5x7x3, %w_nhwc_5x7x3, %b_nhwc_5x7x3, %o_nhwc_5x7x3) : (memref<2x5x7x3xbf16>, memref<7x7x3xf32>, memref<3xbf16>, memref<2x5x7x3xf32>) -> ()
  call @ref_nhwc_5x7x3(%x_nhwc_5x7x3, %w_nhwc_5x7x3, %b_nhwc_5x7x3, %r_nhwc_5x7x3) : (memref<2x5x7x3xbf16>, memref<7x7x3xf32>, memref<3xbf16>, memref<2x5x7x3xf32>) -> ()
  %g_nhwc_5x7x3 = memref.cast %o_nhwc_5x7x3 : memref<2x5x7x3xf32> to memref<*xf32>
  %e_nhwc_5x7x3 = memref.cast %r_nhwc_5x7x3 : memref<2x5x7x3xf32> to memref<*xf32>
  %bad_nhwc_5x7x3 = call @verifyMemRefF32(%g_nhwc_5x7x3, %e_nhwc_5x7x3) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nhwc_5x7x3 : i64
  %x_nhwc_1x1x1 = memref.alloc() : memref<1x1x1x1xf32>
  %w_nhwc_1x1x1 = memref.alloc() : memref<7x7x1xf32>
  %b_nhwc_1x1x1 = memref.alloc() : memref<1xf32>
  %o_nhwc_1x1x1 = memref.alloc() : memref<1x1x1x1xf32>
  %r_nhwc_1x1x1 = memref.alloc() : memref<1x1x1x1xf32>
  call @fill_x_nhwc_1x1x1(%x_nhwc_1x1x1) : (memref<1x1x1x1xf32>) -> ()
  call @fill_w_nhwc_1x1x1(%w_nhwc_1x1x1) : (memref<7x7x1xf32>) -> ()
  call @fill_b_nhwc_1x1x1(%b_nhwc_1x1x1) : (memref<1xf32>) -> ()
  call @conv_nhwc_1x1x1(%x_nhwc_1x1x1, %w_nhwc_1x1x1, %b_nhwc_1x1x1, %o_nhwc_1x1x1) : (memref<1x1x1x1xf32>, memref<7x7x1xf32>, memref<1xf32>, memref<1x1x1x1xf32>) -> ()
  call @ref_nhwc_1x1x1(%x_nhwc_1x1x1, %w_nhwc_1x1x1, %b_nhwc_1x1x1, %r_nhwc_1x1x1) : (memref<1x1x1x1xf32>, memref<7x7x1xf32>, memref<1xf32>, memref<1x1x1x1xf32>) -> ()
  %g_nhwc_1x1x1 = memref.cast %o_nhwc_1x1x1 : memref<1x1x1x1xf32> to memref<*xf32>
  %e_nhwc_1x1x1 = memref.cast %r_nhwc_1x1x1 : memref<1x1x1x1xf32> to memref<*xf32>
  %bad_nhwc_1x1x1 = call @verifyMemRefF32(%g_nhwc_1x1x1, %e_nhwc_1x1x1) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nhwc_1x1x1 : i64
  %x_nchw_13x13x48 = memref.alloc() : memref<1x48x13x13xf32>
  %w_nchw_13x13x48 = memref.alloc() : memref<48x3x3xf32>
  %b_nchw_13x13x48 = memref.alloc() : memref<48xf32>
  %o_nchw_13x13x48 = memref.alloc() : memref<1x48x13x13xf32>
  %r_nchw_13x13x48 = memref.alloc() : memref<1x48x13x13xf32>
  call @fill_x_nchw_13x13x48(%x_nchw_13x13x48) : (memref<1x48x13x13xf32>) -> ()
  call @fill_w_nchw_13x13x48(%w_nchw_13x13x48) : (memref<48x3x3xf32>) -> ()
  call @fill_b_nchw_13x13x48(%b_nchw_13x13x48) : (memref<48xf32>) -> ()
  call @conv_nchw_13x13x48(%x_nchw_13x13x48, %w_nchw_13x13x48, %b_nchw_13x13x48, %o_nchw_13x13x48) : (memref<1x48x13x13xf32>, memref<48x3x3xf32>, memref<48xf32>, memref<1x48x13x13xf32>) -> ()
  call @ref_nchw_13x13x48(%x_nchw_13x13x48, %w_nchw_13x13x48, %b_nchw_13x13x48, %r_nchw_13x13x48) : (memref<1x48x13x13xf32>, memref<48x3x3xf32>, memref<48xf32>, memref<1x48x13x13xf32>) -> ()
  %g_nchw_13x13x48 = memref.cast %o_nchw_13x13x48 : memref<1x48x13x13xf32> to memref<*xf32>
  %e_nchw_13x13x48 = memref.cast %r_nchw_13x13x48 : memref<1x48x13x13xf32> to memref<*xf32>
  %bad_nchw_13x13x48 = call @verifyMemRefF32(%g_nchw_13x13x48, %e_nchw_13x13x48) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nchw_13x13x48 : i64
  %x_nchw_5x7x3 = memref.alloc() : memref<2x3x5x7xbf16>
  %w_nchw_5x7x3 = memref.alloc() : memref<3x3x3xf32>
  %b_nchw_5x7x3 = memref.alloc() : memref<3xbf16>
  %o_nchw_5x7x3 = memref.alloc() : memref<2x3x5x7xf32>
  %r_nchw_5x7x3 = memref.alloc() : memref<2x3x5x7xf32>
  call @fill_x_nchw_5x7x3(%x_nchw_5x7x3) : (memref<2x3x5x7xbf16>) -> ()
  call @fill_w_nchw_5x7x3(%w_nchw_5x7x3) : (memref<3x3x3xf32>) -> ()
  call @fill_b_nchw_5x7x3(%b_nchw_5x7x3) : (memref<3xbf16>) -> ()
  call @conv_nchw_5x7x3(%x_nchw_5x7x3, %w_nchw_5x7x3, %b_nchw_5x7x3, %o_nchw_5x7x3) : (memref<2x3x5x7xbf16>, memref<3x3x3xf32>, memref<3xbf16>, memref<2x3x5x7xf32>) -> ()
  call @ref_nchw_5x7x3(%x_nchw_5x7x3, %w_nchw_5x7x3, %b_nchw_5x7x3, %r_nchw_5x7x3) : (memref<2x3x5x7xbf16>, memref<3x3x3xf32>, memref<3xbf16>, memref<2x3x5x7xf32>) -> ()
  %g_nchw_5x7x3 = memref.cast %o_nchw_5x7x3 : memref<2x3x5x7xf32> to memref<*xf32>
  %e_nchw_5x7x3 = memref.cast %r_nchw_5x7x3 : memref<2x3x5x7xf32> to memref<*xf32>
  %bad_nchw_5x7x3 = call @verifyMemRefF32(%g_nchw_5x7x3, %e_nchw_5x7x3) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nchw_5x7x3 : i64
  %x_nchw_1x1x1 = memref.alloc() : memref<1x1x1x1xf32>
  %w_nchw_1x1x1 = memref.alloc() : memref<1x3x3xf32>
  %b_nchw_1x1x1 = memref.alloc() : memref<1xf32>
  %o_nchw_1x1x1 = memref.alloc() : memref<1x1x1x1xf32>
  %r_nchw_1x1x1 = memref.alloc() : memref<1x1x1x1xf32>
  call @fill_x_nchw_1x1x1(%x_nchw_1x1x1) : (memref<1x1x1x1xf32>) -> ()
  call @fill_w_nchw_1x1x1(%w_nchw_1x1x1) : (memref<1x3x3xf32>) -> ()
  call @fill_b_nchw_1x1x1(%b_nchw_1x1x1) : (memref<1xf32>) -> ()
  call @conv_nchw_1x1x1(%x_nchw_1x1x1, %w_nchw_1x1x1, %b_nchw_1x1x1, %o_nchw_1x1x1) : (memref<1x1x1x1xf32>, memref<1x3x3xf32>, memref<1xf32>, memref<1x1x1x1xf32>) -> ()
  call @ref_nchw_1x1x1(%x_nchw_1x1x1, %w_nchw_1x1x1, %b_nchw_1x1x1, %r_nchw_1x1x1) : (memref<1x1x1x1xf32>, memref<1x3x3xf32>, memref<1xf32>, memref<1x1x1x1xf32>) -> ()
  %g_nchw_1x1x1 = memref.cast %o_nchw_1x1x1 : memref<1x1x1x1xf32> to memref<*xf32>
  %e_nchw_1x1x1 = memref.cast %r_nchw_1x1x1 : memref<1x1x1x1xf32> to memref<*xf32>
  %bad_nchw_1x1x1 = call @verifyMemRefF32(%g_nchw_1x1x1, %e_nchw_1x1x1) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nchw_1x1x1 : i64
  %x_nhwc_7x5x3_k3 = memref.alloc() : memref<1x7x5x3xf32>
  %w_nhwc_7x5x3_k3 = memref.alloc() : memref<3x3x3xf32>
  %b_nhwc_7x5x3_k3 = memref.alloc() : memref<3xf32>
  %o_nhwc_7x5x3_k3 = memref.alloc() : memref<1x7x5x3xf32>
  %r_nhwc_7x5x3_k3 = memref.alloc() : memref<1x7x5x3xf32>
  call @fill_x_nhwc_7x5x3_k3(%x_nhwc_7x5x3_k3) : (memref<1x7x5x3xf32>) -> ()
  call @fill_w_nhwc_7x5x3_k3(%w_nhwc_7x5x3_k3) : (memref<3x3x3xf32>) -> ()
  call @fill_b_nhwc_7x5x3_k3(%b_nhwc_7x5x3_k3) : (memref<3xf32>) -> ()
  call @conv_nhwc_7x5x3_k3(%x_nhwc_7x5x3_k3, %w_nhwc_7x5x3_k3, %b_nhwc_7x5x3_k3, %o_nhwc_7x5x3_k3) : (memref<1x7x5x3xf32>, memref<3x3x3xf32>, memref<3xf32>, memref<1x7x5x3xf32>) -> ()
  call @ref_nhwc_7x5x3_k3(%x_nhwc_7x5x3_k3, %w_nhwc_7x5x3_k3, %b_nhwc_7x5x3_k3, %r_nhwc_7x5x3_k3) : (memref<1x7x5x3xf32>, memref<3x3x3xf32>, memref<3xf32>, memref<1x7x5x3xf32>) -> ()
  %g_nhwc_7x5x3_k3 = memref.cast %o_nhwc_7x5x3_k3 : memref<1x7x5x3xf32> to memref<*xf32>
  %e_nhwc_7x5x3_k3 = memref.cast %r_nhwc_7x5x3_k3 : memref<1x7x5x3xf32> to memref<*xf32>
  %bad_nhwc_7x5x3_k3 = call @verifyMemRefF32(%g_nhwc_7x5x3_k3, %e_nhwc_7x5x3_k3) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nhwc_7x5x3_k3 : i64
  %x_nhwc_16x20x13x11_k7 = memref.alloc() : memref<16x13x11x20xf32>
  %w_nhwc_16x20x13x11_k7 = memref.alloc() : memref<7x7x20xf32>
  %b_nhwc_16x20x13x11_k7 = memref.alloc() : memref<20xf32>
  %o_nhwc_16x20x13x11_k7 = memref.alloc() : memref<16x13x11x20xf32>
  %r_nhwc_16x20x13x11_k7 = memref.alloc() : memref<16x13x11x20xf32>
  call @fill_x_nhwc_16x20x13x11_k7(%x_nhwc_16x20x13x11_k7) : (memref<16x13x11x20xf32>) -> ()
  call @fill_w_nhwc_16x20x13x11_k7(%w_nhwc_16x20x13x11_k7) : (memref<7x7x20xf32>) -> ()
  call @fill_b_nhwc_16x20x13x11_k7(%b_nhwc_16x20x13x11_k7) : (memref<20xf32>) -> ()
  call @conv_nhwc_16x20x13x11_k7(%x_nhwc_16x20x13x11_k7, %w_nhwc_16x20x13x11_k7, %b_nhwc_16x20x13x11_k7, %o_nhwc_16x20x13x11_k7) : (memref<16x13x11x20xf32>, memref<7x7x20xf32>, memref<20xf32>, memref<16x13x11x20xf32>) -> ()
  call @ref_nhwc_16x20x13x11_k7(%x_nhwc_16x20x13x11_k7, %w_nhwc_16x20x13x11_k7, %b_nhwc_16x20x13x11_k7, %r_nhwc_16x20x13x11_k7) : (memref<16x13x11x20xf32>, memref<7x7x20xf32>, memref<20xf32>, memref<16x13x11x20xf32>) -> ()
  %g_nhwc_16x20x13x11_k7 = memref.cast %o_nhwc_16x20x13x11_k7 : memref<16x13x11x20xf32> to memref<*xf32>
  %e_nhwc_16x20x13x11_k7 = memref.cast %r_nhwc_16x20x13x11_k7 : memref<16x13x11x20xf32> to memref<*xf32>
  %bad_nhwc_16x20x13x11_k7 = call @verifyMemRefF32(%g_nhwc_16x20x13x11_k7, %e_nhwc_16x20x13x11_k7) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nhwc_16x20x13x11_k7 : i64
  %x_nhwc_32x5x13x13_k7 = memref.alloc() : memref<32x13x13x5xf32>
  %w_nhwc_32x5x13x13_k7 = memref.alloc() : memref<7x7x5xf32>
  %b_nhwc_32x5x13x13_k7 = memref.alloc() : memref<5xf32>
  %o_nhwc_32x5x13x13_k7 = memref.alloc() : memref<32x13x13x5xf32>
  %r_nhwc_32x5x13x13_k7 = memref.alloc() : memref<32x13x13x5xf32>
  call @fill_x_nhwc_32x5x13x13_k7(%x_nhwc_32x5x13x13_k7) : (memref<32x13x13x5xf32>) -> ()
  call @fill_w_nhwc_32x5x13x13_k7(%w_nhwc_32x5x13x13_k7) : (memref<7x7x5xf32>) -> ()
  call @fill_b_nhwc_32x5x13x13_k7(%b_nhwc_32x5x13x13_k7) : (memref<5xf32>) -> ()
  call @conv_nhwc_32x5x13x13_k7(%x_nhwc_32x5x13x13_k7, %w_nhwc_32x5x13x13_k7, %b_nhwc_32x5x13x13_k7, %o_nhwc_32x5x13x13_k7) : (memref<32x13x13x5xf32>, memref<7x7x5xf32>, memref<5xf32>, memref<32x13x13x5xf32>) -> ()
  call @ref_nhwc_32x5x13x13_k7(%x_nhwc_32x5x13x13_k7, %w_nhwc_32x5x13x13_k7, %b_nhwc_32x5x13x13_k7, %r_nhwc_32x5x13x13_k7) : (memref<32x13x13x5xf32>, memref<7x7x5xf32>, memref<5xf32>, memref<32x13x13x5xf32>) -> ()
  %g_nhwc_32x5x13x13_k7 = memref.cast %o_nhwc_32x5x13x13_k7 : memref<32x13x13x5xf32> to memref<*xf32>
  %e_nhwc_32x5x13x13_k7 = memref.cast %r_nhwc_32x5x13x13_k7 : memref<32x13x13x5xf32> to memref<*xf32>
  %bad_nhwc_32x5x13x13_k7 = call @verifyMemRefF32(%g_nhwc_32x5x13x13_k7, %e_nhwc_32x5x13x13_k7) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nhwc_32x5x13x13_k7 : i64
  %x_nchw_64x7x5x13_k3 = memref.alloc() : memref<64x7x5x13xf32>
  %w_nchw_64x7x5x13_k3 = memref.alloc() : memref<7x3x3xf32>
  %b_nchw_64x7x5x13_k3 = memref.alloc() : memref<7xf32>
  %o_nchw_64x7x5x13_k3 = memref.alloc() : memref<64x7x5x13xf32>
  %r_nchw_64x7x5x13_k3 = memref.alloc() : memref<64x7x5x13xf32>
  call @fill_x_nchw_64x7x5x13_k3(%x_nchw_64x7x5x13_k3) : (memref<64x7x5x13xf32>) -> ()
  call @fill_w_nchw_64x7x5x13_k3(%w_nchw_64x7x5x13_k3) : (memref<7x3x3xf32>) -> ()
  call @fill_b_nchw_64x7x5x13_k3(%b_nchw_64x7x5x13_k3) : (memref<7xf32>) -> ()
  call @conv_nchw_64x7x5x13_k3(%x_nchw_64x7x5x13_k3, %w_nchw_64x7x5x13_k3, %b_nchw_64x7x5x13_k3, %o_nchw_64x7x5x13_k3) : (memref<64x7x5x13xf32>, memref<7x3x3xf32>, memref<7xf32>, memref<64x7x5x13xf32>) -> ()
  call @ref_nchw_64x7x5x13_k3(%x_nchw_64x7x5x13_k3, %w_nchw_64x7x5x13_k3, %b_nchw_64x7x5x13_k3, %r_nchw_64x7x5x13_k3) : (memref<64x7x5x13xf32>, memref<7x3x3xf32>, memref<7xf32>, memref<64x7x5x13xf32>) -> ()
  %g_nchw_64x7x5x13_k3 = memref.cast %o_nchw_64x7x5x13_k3 : memref<64x7x5x13xf32> to memref<*xf32>
  %e_nchw_64x7x5x13_k3 = memref.cast %r_nchw_64x7x5x13_k3 : memref<64x7x5x13xf32> to memref<*xf32>
  %bad_nchw_64x7x5x13_k3 = call @verifyMemRefF32(%g_nchw_64x7x5x13_k3, %e_nchw_64x7x5x13_k3) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nchw_64x7x5x13_k3 : i64
  %x_nchw_32x7x13x11_k3 = memref.alloc() : memref<32x7x13x11xf32>
  %w_nchw_32x7x13x11_k3 = memref.alloc() : memref<7x3x3xf32>
  %b_nchw_32x7x13x11_k3 = memref.alloc() : memref<7xf32>
  %o_nchw_32x7x13x11_k3 = memref.alloc() : memref<32x7x13x11xf32>
  %r_nchw_32x7x13x11_k3 = memref.alloc() : memref<32x7x13x11xf32>
  call @fill_x_nchw_32x7x13x11_k3(%x_nchw_32x7x13x11_k3) : (memref<32x7x13x11xf32>) -> ()
  call @fill_w_nchw_32x7x13x11_k3(%w_nchw_32x7x13x11_k3) : (memref<7x3x3xf32>) -> ()
  call @fill_b_nchw_32x7x13x11_k3(%b_nchw_32x7x13x11_k3) : (memref<7xf32>) -> ()
  call @conv_nchw_32x7x13x11_k3(%x_nchw_32x7x13x11_k3, %w_nchw_32x7x13x11_k3, %b_nchw_32x7x13x11_k3, %o_nchw_32x7x13x11_k3) : (memref<32x7x13x11xf32>, memref<7x3x3xf32>, memref<7xf32>, memref<32x7x13x11xf32>) -> ()
  call @ref_nchw_32x7x13x11_k3(%x_nchw_32x7x13x11_k3, %w_nchw_32x7x13x11_k3, %b_nchw_32x7x13x11_k3, %r_nchw_32x7x13x11_k3) : (memref<32x7x13x11xf32>, memref<7x3x3xf32>, memref<7xf32>, memref<32x7x13x11xf32>) -> ()
  %g_nchw_32x7x13x11_k3 = memref.cast %o_nchw_32x7x13x11_k3 : memref<32x7x13x11xf32> to memref<*xf32>
  %e_nchw_32x7x13x11_k3 = memref.cast %r_nchw_32x7x13x11_k3 : memref<32x7x13x11xf32> to memref<*xf32>
  %bad_nchw_32x7x13x11_k3 = call @verifyMemRefF32(%g_nchw_32x7x13x11_k3, %e_nchw_32x7x13x11_k3) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad_nchw_32x7x13x11_k3 : i64
  return
}
func.func private @verifyMemRefF32(memref<*xf32>, memref<*xf32>) -> i64 attributes { llvm.emit_c_interface }
