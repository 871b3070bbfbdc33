// ssm-split-concat-consumers keeps the values: a generic reading a concat
// (with a bias broadcast along the concatenated channels and its init read
// by the body) split per piece, bufferized and run as loops on the CPU,
// against the same generic reading the concat built by insert_slices (which
// the pass leaves alone). verifyMemRefF32 counts the elements that differ.
// RUN: ssm-opt %s --ssm-split-concat-consumers \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries" \
// RUN:   --ssm-expand-strided-copies --convert-linalg-to-loops \
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_lib_dir/libmlir_runner_utils.so,%mlir_lib_dir/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s
// CHECK-NOT: !=
// CHECK: {{^}}0{{$}}

#id = affine_map<(n, h, c) -> (n, h, c)>
#ch = affine_map<(n, h, c) -> (c)>

func.func @gate(%g: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>, %b: tensor<8xf32>, %init: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g, %v, %b : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>) outs(%init : tensor<2x4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %a = arith.addf %m, %z : f32
    %s = arith.subf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}

func.func @split(%g: tensor<2x4x8xf32>, %i: tensor<2x4x5xf32>, %c: tensor<2x4x3xf32>, %b: tensor<8xf32>, %init: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %v = tensor.concat dim(2) %i, %c : (tensor<2x4x5xf32>, tensor<2x4x3xf32>) -> tensor<2x4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g, %v, %b : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>) outs(%init : tensor<2x4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %a = arith.addf %m, %z : f32
    %s = arith.subf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}

func.func @main() {
  %g = arith.constant dense<[[[-3.0000, -2.7500, -2.5000, -2.2500, -2.0000, -1.7500, -1.5000, -1.2500], [-1.0000, -0.7500, -0.5000, -0.2500, 0.0000, 0.2500, 0.5000, 0.7500], [1.0000, 1.2500, 1.5000, 1.7500, 2.0000, 2.2500, 2.5000, 2.7500], [3.0000, 3.2500, 3.5000, 3.7500, 4.0000, 4.2500, 4.5000, 4.7500]], [[5.0000, 5.2500, 5.5000, 5.7500, 6.0000, 6.2500, 6.5000, 6.7500], [7.0000, 7.2500, 7.5000, 7.7500, 8.0000, 8.2500, 8.5000, 8.7500], [9.0000, 9.2500, 9.5000, 9.7500, 10.0000, 10.2500, 10.5000, 10.7500], [11.0000, 11.2500, 11.5000, 11.7500, 12.0000, 12.2500, 12.5000, 12.7500]]]> : tensor<2x4x8xf32>
  %i = arith.constant dense<[[[0.5000, 1.5000, 2.5000, 3.5000, 4.5000], [5.5000, 6.5000, 7.5000, 8.5000, 9.5000], [10.5000, 11.5000, 12.5000, 13.5000, 14.5000], [15.5000, 16.5000, 17.5000, 18.5000, 19.5000]], [[20.5000, 21.5000, 22.5000, 23.5000, 24.5000], [25.5000, 26.5000, 27.5000, 28.5000, 29.5000], [30.5000, 31.5000, 32.5000, 33.5000, 34.5000], [35.5000, 36.5000, 37.5000, 38.5000, 39.5000]]]> : tensor<2x4x5xf32>
  %c = arith.constant dense<[[[0.0000, -0.1250, -0.2500], [-0.3750, -0.5000, -0.6250], [-0.7500, -0.8750, -1.0000], [-1.1250, -1.2500, -1.3750]], [[-1.5000, -1.6250, -1.7500], [-1.8750, -2.0000, -2.1250], [-2.2500, -2.3750, -2.5000], [-2.6250, -2.7500, -2.8750]]]> : tensor<2x4x3xf32>
  %b = arith.constant dense<[0.0000, 1.5000, 3.0000, 4.5000, 6.0000, 7.5000, 9.0000, 10.5000]> : tensor<8xf32>
  %init = arith.constant dense<0.75> : tensor<2x4x8xf32>
  %e = tensor.empty() : tensor<2x4x8xf32>
  %v0 = tensor.insert_slice %i into %e[0, 0, 0] [2, 4, 5] [1, 1, 1] : tensor<2x4x5xf32> into tensor<2x4x8xf32>
  %v = tensor.insert_slice %c into %v0[0, 0, 5] [2, 4, 3] [1, 1, 1] : tensor<2x4x3xf32> into tensor<2x4x8xf32>
  %ref = call @gate(%g, %v, %b, %init) : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %got = call @split(%g, %i, %c, %b, %init) : (tensor<2x4x8xf32>, tensor<2x4x5xf32>, tensor<2x4x3xf32>, tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %gm = bufferization.to_buffer %got : tensor<2x4x8xf32> to memref<2x4x8xf32>
  %rm = bufferization.to_buffer %ref : tensor<2x4x8xf32> to memref<2x4x8xf32>
  %gu = memref.cast %gm : memref<2x4x8xf32> to memref<*xf32>
  %ru = memref.cast %rm : memref<2x4x8xf32> to memref<*xf32>
  %bad = call @verifyMemRefF32(%gu, %ru) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad : i64
  return
}
func.func private @verifyMemRefF32(memref<*xf32>, memref<*xf32>) -> i64 attributes { llvm.emit_c_interface }
