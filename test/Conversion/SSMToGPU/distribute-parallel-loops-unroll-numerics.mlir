// ssm-distribute-parallel-loops with several iterations per thread (forced
// small here; planParallelLoop unrolls only large loops) computes what the
// same bodies compute as plain loops, run on the CPU (the mapped loops
// lowered as sequential loops): iteration counts that U x threads does not
// divide, a single iteration, odd extents, bf16 and f32, a transpose and an
// in-place update. verifyMemRefF32 counts the elements that differ.
// RUN: ssm-opt %s --ssm-distribute-parallel-loops=elements-per-thread=8 --convert-linalg-to-loops \
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_lib_dir/libmlir_runner_utils.so,%mlir_lib_dir/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s
// RUN: ssm-opt %s --ssm-distribute-parallel-loops=elements-per-thread=3 --convert-linalg-to-loops \
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_lib_dir/libmlir_runner_utils.so,%mlir_lib_dir/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s
// RUN: ssm-opt %s --ssm-distribute-parallel-loops=elements-per-thread=3 --convert-linalg-to-loops \
// RUN: | FileCheck %s --check-prefix=IR
// CHECK-NOT: !=
// CHECK-COUNT-6: {{^}}0{{$}}

// At 3 per thread: every copy's loads before any store, and a bounds check
// (a clamped index, a guarded store) only for a copy that may run past the
// end: 143 iterations are 48 threads x 3, the third copy checked.
// IR-LABEL: func.func @f32_odd_kernel
// IR-COUNT-6: memref.load
// IR-NOT: arith.select
// IR-COUNT-3: memref.store
// IR-LABEL: func.func @one_kernel
// IR-COUNT-1: memref.load
// IR-NOT: memref.load
// IR-LABEL: func.func @bf16_gate_kernel
// IR: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %c143
// IR: arith.select %[[IN]]
// IR-COUNT-6: memref.load
// IR-NOT: memref.store
// IR: arith.divf
// IR: arith.divf
// IR: arith.divf
// IR-COUNT-2: memref.store
// IR-NEXT: scf.if %[[IN]] {
// IR-NEXT: memref.store
// IR-LABEL: func.func @transpose_kernel
// IR-COUNT-3: memref.load
// IR-NOT: arith.select
// IR-COUNT-3: memref.store
// IR-LABEL: func.func @in_place_kernel
// IR: arith.select
// IR-COUNT-6: memref.load
// IR-COUNT-2: memref.store
// IR-NEXT: scf.if
// IR-NEXT: memref.store
// IR-LABEL: func.func @two_kernel
// IR-COUNT-2: memref.load
// IR-NOT: arith.select
// IR-COUNT-2: memref.store

// m[i] = ((i * 37) mod 101) / 8 - 6: distinct, non-zero, exact in bf16.
func.func @init(%m: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c37 = arith.constant 37 : index
  %c101 = arith.constant 101 : index
  %eighth = arith.constant 0.125 : f32
  %six = arith.constant 6.0 : f32
  %n = memref.dim %m, %c0 : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %a = arith.muli %i, %c37 : index
    %b = arith.remui %a, %c101 : index
    %c = arith.index_cast %b : index to i32
    %x = arith.sitofp %c : i32 to f32
    %y = arith.mulf %x, %eighth : f32
    %z = arith.subf %y, %six : f32
    memref.store %z, %m[%i] : memref<?xf32>
  }
  return
}

func.func @flat(%n: index) -> memref<?xf32> {
  %m = memref.alloc(%n) : memref<?xf32>
  call @init(%m) : (memref<?xf32>) -> ()
  return %m : memref<?xf32>
}

func.func @check(%got: memref<?xf32>, %expected: memref<?xf32>) {
  %g = memref.cast %got : memref<?xf32> to memref<*xf32>
  %e = memref.cast %expected : memref<?xf32> to memref<*xf32>
  %bad = call @verifyMemRefF32(%g, %e) : (memref<*xf32>, memref<*xf32>) -> i64
  vector.print %bad : i64
  return
}

// f32, 3 x 7 x 5 = 105 iterations: o = a * b + a.
func.func @f32_odd() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %c105 = arith.constant 105 : index
  %fa = call @flat(%c105) : (index) -> memref<?xf32>
  %fb = call @flat(%c105) : (index) -> memref<?xf32>
  %fo = memref.alloc(%c105) : memref<?xf32>
  %fr = memref.alloc(%c105) : memref<?xf32>
  %a = memref.reinterpret_cast %fa to offset: [0], sizes: [3, 7, 5], strides: [35, 5, 1] : memref<?xf32> to memref<3x7x5xf32>
  %b0 = memref.reinterpret_cast %fb to offset: [0], sizes: [3, 7, 5], strides: [35, 5, 1] : memref<?xf32> to memref<3x7x5xf32>
  %o = memref.reinterpret_cast %fo to offset: [0], sizes: [3, 7, 5], strides: [35, 5, 1] : memref<?xf32> to memref<3x7x5xf32>
  %r = memref.reinterpret_cast %fr to offset: [0], sizes: [3, 7, 5], strides: [35, 5, 1] : memref<?xf32> to memref<3x7x5xf32>
  // b reversed along k so the two loads differ.
  %c4 = arith.constant 4 : index
  call @f32_odd_kernel(%a, %b0, %o) : (memref<3x7x5xf32>, memref<3x7x5xf32>, memref<3x7x5xf32>) -> ()
  scf.for %i = %c0 to %c3 step %c1 {
    scf.for %j = %c0 to %c7 step %c1 {
      scf.for %k = %c0 to %c5 step %c1 {
        %x = memref.load %a[%i, %j, %k] : memref<3x7x5xf32>
        %kr = arith.subi %c4, %k : index
        %y = memref.load %b0[%i, %j, %kr] : memref<3x7x5xf32>
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %p, %x : f32
        memref.store %s, %r[%i, %j, %k] : memref<3x7x5xf32>
      }
    }
  }
  call @check(%fo, %fr) : (memref<?xf32>, memref<?xf32>) -> ()
  return
}

// A single iteration.
func.func @one() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %fa = call @flat(%c1) : (index) -> memref<?xf32>
  %fo = memref.alloc(%c1) : memref<?xf32>
  %fr = memref.alloc(%c1) : memref<?xf32>
  %two = arith.constant 2.0 : f32
  call @one_kernel(%fa, %fo) : (memref<?xf32>, memref<?xf32>) -> ()
  %x = memref.load %fa[%c0] : memref<?xf32>
  %s = arith.mulf %x, %two : f32
  memref.store %s, %fr[%c0] : memref<?xf32>
  call @check(%fo, %fr) : (memref<?xf32>, memref<?xf32>) -> ()
  return
}

// bf16, 13 x 11 = 143 iterations with a lower bound and step: a gate
// o = a * sigmoid-ish(g) in bf16 over rows 1, 3, ..., 25 of a 26 x 11 buffer.
func.func @bf16_gate() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c11 = arith.constant 11 : index
  %c26 = arith.constant 26 : index
  %c286 = arith.constant 286 : index
  %fa = call @flat(%c286) : (index) -> memref<?xf32>
  %fo = memref.alloc(%c286) : memref<?xf32>
  %fr = memref.alloc(%c286) : memref<?xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%fo : memref<?xf32>)
  linalg.fill ins(%zero : f32) outs(%fr : memref<?xf32>)
  %a = memref.alloc() : memref<26x11xbf16>
  %g = memref.alloc() : memref<26x11xbf16>
  %o = memref.alloc() : memref<26x11xbf16>
  %r = memref.alloc() : memref<26x11xbf16>
  %c10 = arith.constant 10 : index
  scf.for %i = %c0 to %c26 step %c1 {
    scf.for %j = %c0 to %c11 step %c1 {
      %l = arith.muli %i, %c11 : index
      %m = arith.addi %l, %j : index
      %v = memref.load %fa[%m] : memref<?xf32>
      %t = arith.truncf %v : f32 to bf16
      memref.store %t, %a[%i, %j] : memref<26x11xbf16>
      %jr = arith.subi %c10, %j : index
      memref.store %t, %g[%i, %jr] : memref<26x11xbf16>
      %zb = arith.truncf %zero : f32 to bf16
      memref.store %zb, %o[%i, %j] : memref<26x11xbf16>
      memref.store %zb, %r[%i, %j] : memref<26x11xbf16>
    }
  }
  %one = arith.constant 1.0 : bf16
  call @bf16_gate_kernel(%a, %g, %o) : (memref<26x11xbf16>, memref<26x11xbf16>, memref<26x11xbf16>) -> ()
  scf.for %i = %c1 to %c26 step %c2 {
    scf.for %j = %c0 to %c11 step %c1 {
      %x = memref.load %a[%i, %j] : memref<26x11xbf16>
      %y = memref.load %g[%i, %j] : memref<26x11xbf16>
      %ay = math.absf %y : bf16
      %d = arith.addf %ay, %one : bf16
      %q = arith.divf %y, %d : bf16
      %s = arith.mulf %x, %q : bf16
      memref.store %s, %r[%i, %j] : memref<26x11xbf16>
    }
  }
  scf.for %i = %c0 to %c26 step %c1 {
    scf.for %j = %c0 to %c11 step %c1 {
      %l = arith.muli %i, %c11 : index
      %m = arith.addi %l, %j : index
      %x = memref.load %o[%i, %j] : memref<26x11xbf16>
      %y = memref.load %r[%i, %j] : memref<26x11xbf16>
      %xf = arith.extf %x : bf16 to f32
      %yf = arith.extf %y : bf16 to f32
      memref.store %xf, %fo[%m] : memref<?xf32>
      memref.store %yf, %fr[%m] : memref<?xf32>
    }
  }
  call @check(%fo, %fr) : (memref<?xf32>, memref<?xf32>) -> ()
  return
}

// A transpose: 9 x 13 -> 13 x 9 (117 iterations), the store's i fastest.
func.func @transpose() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c9 = arith.constant 9 : index
  %c13 = arith.constant 13 : index
  %c117 = arith.constant 117 : index
  %fa = call @flat(%c117) : (index) -> memref<?xf32>
  %fo = memref.alloc(%c117) : memref<?xf32>
  %fr = memref.alloc(%c117) : memref<?xf32>
  %a = memref.reinterpret_cast %fa to offset: [0], sizes: [9, 13], strides: [13, 1] : memref<?xf32> to memref<9x13xf32>
  %o = memref.reinterpret_cast %fo to offset: [0], sizes: [13, 9], strides: [9, 1] : memref<?xf32> to memref<13x9xf32>
  %r = memref.reinterpret_cast %fr to offset: [0], sizes: [13, 9], strides: [9, 1] : memref<?xf32> to memref<13x9xf32>
  call @transpose_kernel(%a, %o) : (memref<9x13xf32>, memref<13x9xf32>) -> ()
  scf.for %i = %c0 to %c9 step %c1 {
    scf.for %j = %c0 to %c13 step %c1 {
      %x = memref.load %a[%i, %j] : memref<9x13xf32>
      memref.store %x, %r[%j, %i] : memref<13x9xf32>
    }
  }
  call @check(%fo, %fr) : (memref<?xf32>, memref<?xf32>) -> ()
  return
}

// An in-place residual add, o += a, over 50 elements (the same memref and
// indices for o's load and store).
func.func @in_place() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c50 = arith.constant 50 : index
  %fa = call @flat(%c50) : (index) -> memref<?xf32>
  %fo = call @flat(%c50) : (index) -> memref<?xf32>
  %fr = call @flat(%c50) : (index) -> memref<?xf32>
  %a = memref.reinterpret_cast %fa to offset: [0], sizes: [50], strides: [1] : memref<?xf32> to memref<50xf32>
  %o = memref.reinterpret_cast %fo to offset: [0], sizes: [50], strides: [1] : memref<?xf32> to memref<50xf32>
  call @in_place_kernel(%o, %a) : (memref<50xf32>, memref<50xf32>) -> ()
  scf.for %i = %c0 to %c50 step %c1 {
    %x = memref.load %fr[%i] : memref<?xf32>
    %c49 = arith.constant 49 : index
    %ir = arith.subi %c49, %i : index
    %y = memref.load %fa[%ir] : memref<?xf32>
    %s = arith.addf %x, %y : f32
    memref.store %s, %fr[%i] : memref<?xf32>
  }
  call @check(%fo, %fr) : (memref<?xf32>, memref<?xf32>) -> ()
  return
}

// Two iterations (fewer than U = 8 or 3 copies), f32 to bf16 and back.
func.func @two() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %fa = call @flat(%c2) : (index) -> memref<?xf32>
  %fo = memref.alloc(%c2) : memref<?xf32>
  %fr = memref.alloc(%c2) : memref<?xf32>
  call @two_kernel(%fa, %fo) : (memref<?xf32>, memref<?xf32>) -> ()
  scf.for %i = %c0 to %c2 step %c1 {
    %x = memref.load %fa[%i] : memref<?xf32>
    %t = arith.truncf %x : f32 to bf16
    %e = arith.extf %t : bf16 to f32
    memref.store %e, %fr[%i] : memref<?xf32>
  }
  call @check(%fo, %fr) : (memref<?xf32>, memref<?xf32>) -> ()
  return
}

func.func @f32_odd_kernel(%a: memref<3x7x5xf32>, %b0: memref<3x7x5xf32>, %o: memref<3x7x5xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %c5 = arith.constant 5 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c3, %c7, %c5) step (%c1, %c1, %c1) {
  %x = memref.load %a[%i, %j, %k] : memref<3x7x5xf32>
  %kr = arith.subi %c4, %k : index
  %y = memref.load %b0[%i, %j, %kr] : memref<3x7x5xf32>
  %p = arith.mulf %x, %y : f32
  %s = arith.addf %p, %x : f32
    memref.store %s, %o[%i, %j, %k] : memref<3x7x5xf32>
    scf.reduce
}
  return
}

func.func @one_kernel(%fa: memref<?xf32>, %fo: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i) = (%c0) to (%c1) step (%c1) {
  %x = memref.load %fa[%i] : memref<?xf32>
  %s = arith.mulf %x, %two : f32
    memref.store %s, %fo[%i] : memref<?xf32>
    scf.reduce
}
  return
}

func.func @bf16_gate_kernel(%a: memref<26x11xbf16>, %g: memref<26x11xbf16>, %o: memref<26x11xbf16>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c26 = arith.constant 26 : index
  %c11 = arith.constant 11 : index
  %c2 = arith.constant 2 : index
  %one = arith.constant 1.0 : bf16
  scf.parallel (%i, %j) = (%c1, %c0) to (%c26, %c11) step (%c2, %c1) {
  %x = memref.load %a[%i, %j] : memref<26x11xbf16>
  %y = memref.load %g[%i, %j] : memref<26x11xbf16>
  %ay = math.absf %y : bf16
  %d = arith.addf %ay, %one : bf16
  %q = arith.divf %y, %d : bf16
  %s = arith.mulf %x, %q : bf16
    memref.store %s, %o[%i, %j] : memref<26x11xbf16>
    scf.reduce
}
  return
}

func.func @transpose_kernel(%a: memref<9x13xf32>, %o: memref<13x9xf32>) {
  %c0 = arith.constant 0 : index
  %c9 = arith.constant 9 : index
  %c13 = arith.constant 13 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c9, %c13) step (%c1, %c1) {
  %x = memref.load %a[%i, %j] : memref<9x13xf32>
    memref.store %x, %o[%j, %i] : memref<13x9xf32>
    scf.reduce
}
  return
}

func.func @in_place_kernel(%o: memref<50xf32>, %a: memref<50xf32>) {
  %c0 = arith.constant 0 : index
  %c50 = arith.constant 50 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%c50) step (%c1) {
  %x = memref.load %o[%i] : memref<50xf32>
  %c49 = arith.constant 49 : index
  %ir = arith.subi %c49, %i : index
  %y = memref.load %a[%ir] : memref<50xf32>
  %s = arith.addf %x, %y : f32
    memref.store %s, %o[%i] : memref<50xf32>
    scf.reduce
}
  return
}

func.func @two_kernel(%fa: memref<?xf32>, %fo: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%c2) step (%c1) {
  %x = memref.load %fa[%i] : memref<?xf32>
  %t = arith.truncf %x : f32 to bf16
  %e = arith.extf %t : bf16 to f32
    memref.store %e, %fo[%i] : memref<?xf32>
    scf.reduce
}
  return
}

func.func @main() {
  call @f32_odd() : () -> ()
  call @one() : () -> ()
  call @bf16_gate() : () -> ()
  call @transpose() : () -> ()
  call @in_place() : () -> ()
  call @two() : () -> ()
  return
}
func.func private @verifyMemRefF32(memref<*xf32>, memref<*xf32>) -> i64 attributes { llvm.emit_c_interface }
