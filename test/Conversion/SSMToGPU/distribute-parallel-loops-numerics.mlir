// ssm-distribute-parallel-loops keeps the iteration set when it reorders
// the linearization: an NCHW depthwise conv in the loops the GPU pipeline
// distributes (n, oh, ow, c; linearized as (n, c, oh, ow), ow fastest, then
// oh) against linalg's, run on the CPU (the mapped loops lowered as
// sequential loops). verifyMemRefF32 counts the elements that differ.
// RUN: ssm-opt %s --ssm-distribute-parallel-loops --convert-linalg-to-loops \
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_lib_dir/libmlir_runner_utils.so,%mlir_lib_dir/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s
// CHECK-NOT: !=
// CHECK: {{^}}0{{$}}

// in[n, c, h, w] = its linear index.
func.func @init(%m: memref<2x8x7x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  scf.for %n = %c0 to %c2 step %c1 {
    scf.for %c = %c0 to %c8 step %c1 {
      scf.for %h = %c0 to %c7 step %c1 {
        scf.for %w = %c0 to %c8 step %c1 {
          %a = arith.muli %n, %c8 : index
          %b = arith.addi %a, %c : index
          %d = arith.muli %b, %c7 : index
          %e = arith.addi %d, %h : index
          %f = arith.muli %e, %c8 : index
          %g = arith.addi %f, %w : index
          %i = arith.index_cast %g : index to i32
          %x = arith.sitofp %i : i32 to f32
          memref.store %x, %m[%n, %c, %h, %w] : memref<2x8x7x8xf32>
        }
      }
    }
  }
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %in = memref.alloc() : memref<2x8x7x8xf32>
  %w = memref.alloc() : memref<8x3x3xf32>
  %out = memref.alloc() : memref<2x8x5x6xf32>
  %ref = memref.alloc() : memref<2x8x5x6xf32>
  call @init(%in) : (memref<2x8x7x8xf32>) -> ()
  linalg.fill ins(%half : f32) outs(%w : memref<8x3x3xf32>)
  linalg.fill ins(%zero : f32) outs(%out : memref<2x8x5x6xf32>)
  linalg.fill ins(%zero : f32) outs(%ref : memref<2x8x5x6xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%in, %w : memref<2x8x7x8xf32>, memref<8x3x3xf32>) outs(%ref : memref<2x8x5x6xf32>)
  // The same conv as the loops the GPU pipeline distributes: (n, oh, ow, c).
  scf.parallel (%n, %oh, %ow, %c) = (%c0, %c0, %c0, %c0) to (%c2, %c5, %c6, %c8) step (%c1, %c1, %c1, %c1) {
    %init = memref.load %out[%n, %c, %oh, %ow] : memref<2x8x5x6xf32>
    %acc = scf.for %kh = %c0 to %c3 step %c1 iter_args(%a0 = %init) -> (f32) {
      %r = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a1 = %a0) -> (f32) {
        %h = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%oh, %kh)
        %x = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%ow, %kw)
        %v = memref.load %in[%n, %c, %h, %x] : memref<2x8x7x8xf32>
        %k = memref.load %w[%c, %kh, %kw] : memref<8x3x3xf32>
        %p = arith.mulf %v, %k : f32
        %s = arith.addf %a1, %p : f32
        scf.yield %s : f32
      }
      scf.yield %r : f32
    }
    memref.store %acc, %out[%n, %c, %oh, %ow] : memref<2x8x5x6xf32>
    scf.reduce
  }
  %got = memref.cast %out : memref<2x8x5x6xf32> to memref<*xf32>
  %expected = memref.cast %ref : memref<2x8x5x6xf32> to memref<*xf32>
  %bad = call @verifyMemRefF32(%got, %expected) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad : i64
  return
}
func.func private @verifyMemRefF32(memref<*xf32>, memref<*xf32>) -> i64 attributes { llvm.emit_c_interface }
