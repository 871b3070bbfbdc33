// RUN: ssm-opt %s --split-input-file --ssm-outline-parallel-loops --ssm-dedupe-kernels | FileCheck %s

// Two layers' loops, equal up to the buffers they touch, become one
// thread-pool kernel: the second dispatch calls the first's. A loop that
// differs in a constant (the scale) or in a shape keeps its own kernel.
// CHECK-LABEL: func.func private @f_par0(
// CHECK-SAME: memref<8xf32> {llvm.noalias}, %{{.*}}: memref<8xf32> {llvm.noalias}, %{{.*}}: index, %{{.*}}: index)
// CHECK:   arith.constant 2.000000e+00 : f32
// CHECK: func.func private @__ssm_dispatch_f_par0(memref<8xf32>, memref<8xf32>, index)
// CHECK-NOT: @f_par1
// CHECK-LABEL: func.func private @f_par2(
// CHECK:   arith.constant 3.000000e+00 : f32
// CHECK: func.func private @__ssm_dispatch_f_par2(
// CHECK-LABEL: func.func private @f_par3(
// CHECK-SAME: memref<16xf32> {llvm.noalias}, %{{.*}}: memref<16xf32> {llvm.noalias}
// CHECK: func.func private @__ssm_dispatch_f_par3(
// CHECK-NOT: @f_par1
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<8xf32>, %[[B:[a-z0-9]+]]: memref<8xf32>, %[[C:[a-z0-9]+]]: memref<8xf32>, %[[D:[a-z0-9]+]]: memref<16xf32>, %[[E:[a-z0-9]+]]: memref<16xf32>)
// CHECK: call @__ssm_dispatch_f_par0(%[[A]], %[[B]], %{{.*}})
// CHECK: call @__ssm_dispatch_f_par0(%[[B]], %[[C]], %{{.*}})
// CHECK: call @__ssm_dispatch_f_par2(%[[A]], %[[C]], %{{.*}})
// CHECK: call @__ssm_dispatch_f_par3(%[[D]], %[[E]], %{{.*}})
// CHECK-NOT: @f_par1
func.func @f(%a: memref<8xf32>, %b: memref<8xf32>, %c: memref<8xf32>,
             %d: memref<16xf32>, %e: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %b[%i] : memref<8xf32>
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %b[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %c[%i] : memref<8xf32>
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.mulf %v, %three : f32
    memref.store %w, %c[%i] : memref<8xf32>
  }
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    %v = memref.load %d[%i] : memref<16xf32>
    %w = arith.mulf %v, %two : f32
    memref.store %w, %e[%i] : memref<16xf32>
  }
  return
}

// -----

// Kernels of two entry points merge too (the first keeps its name); public
// functions never do, even when equal.
// CHECK-LABEL: func.func private @g_par0(
// CHECK-NOT: @h_par0
// CHECK-LABEL: func.func @g(
// CHECK: call @__ssm_dispatch_g_par0(
// CHECK-LABEL: func.func @h(
// CHECK: call @__ssm_dispatch_g_par0(
func.func @g(%a: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %a[%i] : memref<8xf32>
  }
  return
}
func.func @h(%a: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %a[%i] : memref<8xf32>
  }
  return
}

// -----

// Views rematerialized inside a kernel are part of it: loops over the two
// halves of one buffer (subviews at offsets 0 and 8) stay two kernels.
// CHECK-LABEL: func.func private @v_par0(
// CHECK: memref.subview %{{.*}}[0] [8] [1]
// CHECK-LABEL: func.func private @v_par1(
// CHECK: memref.subview %{{.*}}[8] [8] [1]
// CHECK-LABEL: func.func @v(
// CHECK: call @__ssm_dispatch_v_par0(
// CHECK: call @__ssm_dispatch_v_par1(
func.func @v(%a: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %lo = memref.subview %a[0] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1]>>
  %hi = memref.subview %a[8] [8] [1] : memref<16xf32> to memref<8xf32, strided<[1], offset: 8>>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %lo[%i] : memref<8xf32, strided<[1]>>
    %w = arith.addf %v, %v : f32
    memref.store %w, %lo[%i] : memref<8xf32, strided<[1]>>
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %hi[%i] : memref<8xf32, strided<[1], offset: 8>>
    %w = arith.addf %v, %v : f32
    memref.store %w, %hi[%i] : memref<8xf32, strided<[1], offset: 8>>
  }
  return
}

// -----

// GPU: gpu.modules equal up to their names and their kernel's name become
// one; the launch of the copy names the first module and its kernel (with
// its own grid, block and operands). Modules whose kernel differs in a
// constant, a shape, its known block size or the device function it calls
// stay distinct.
// CHECK-LABEL: gpu.module @k
// CHECK: gpu.func @k(
// CHECK: arith.constant 2.000000e+00
// CHECK-NOT: gpu.module @k_0
// CHECK-LABEL: gpu.module @k_1
// CHECK: arith.constant 3.000000e+00
// CHECK-LABEL: gpu.module @k_2
// CHECK: memref<16xf32>
// CHECK-LABEL: gpu.module @k_3
// CHECK: known_block_size = array<i32: 16, 1, 1>
// CHECK-LABEL: gpu.module @k_4
// CHECK: func.call @twice
// CHECK-LABEL: gpu.module @k_5
// CHECK: func.call @double
// CHECK-NOT: gpu.module @k_{{[06]}}
// CHECK-LABEL: func.func @launches(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<8xf32>, %[[B:[a-z0-9]+]]: memref<8xf32>, %[[C:[a-z0-9]+]]: memref<16xf32>)
// CHECK: gpu.launch_func @k::@k blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%[[A]] : memref<8xf32>)
// CHECK: gpu.launch_func @k::@k blocks in (%c2, %c1, %c1) threads in (%c8, %c1, %c1) args(%[[B]] : memref<8xf32>)
// CHECK: gpu.launch_func @k_1::@k_1 {{.*}} args(%[[A]] : memref<8xf32>)
// CHECK: gpu.launch_func @k_2::@k_2 {{.*}} args(%[[C]] : memref<16xf32>)
// CHECK: gpu.launch_func @k_3::@k_3 {{.*}} args(%[[A]] : memref<8xf32>)
// CHECK: gpu.launch_func @k_4::@k_4 {{.*}} args(%[[A]] : memref<8xf32>)
// CHECK: gpu.launch_func @k_5::@k_5 {{.*}} args(%[[A]] : memref<8xf32>)
// CHECK: gpu.launch_func @k::@k {{.*}} args(%[[B]] : memref<8xf32>)
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @k(%a: memref<8xf32>) kernel attributes {known_block_size = array<i32: 8, 1, 1>} {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<8xf32>
      %c = arith.constant 2.0 : f32
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%t] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k_0 {
    gpu.func @k_0(%a: memref<8xf32>) kernel attributes {known_block_size = array<i32: 8, 1, 1>} {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<8xf32>
      %c = arith.constant 2.0 : f32
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%t] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k_1 {
    gpu.func @k_1(%a: memref<8xf32>) kernel attributes {known_block_size = array<i32: 8, 1, 1>} {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<8xf32>
      %c = arith.constant 3.0 : f32
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%t] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k_2 {
    gpu.func @k_2(%a: memref<16xf32>) kernel attributes {known_block_size = array<i32: 8, 1, 1>} {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<16xf32>
      %c = arith.constant 2.0 : f32
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%t] : memref<16xf32>
      gpu.return
    }
  }
  gpu.module @k_3 {
    gpu.func @k_3(%a: memref<8xf32>) kernel attributes {known_block_size = array<i32: 16, 1, 1>} {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<8xf32>
      %c = arith.constant 2.0 : f32
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%t] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k_4 {
    func.func @twice(%v: f32) -> f32 {
      %w = arith.addf %v, %v : f32
      return %w : f32
    }
    gpu.func @k_4(%a: memref<8xf32>) kernel attributes {known_block_size = array<i32: 8, 1, 1>} {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<8xf32>
      %w = func.call @twice(%v) : (f32) -> f32
      memref.store %w, %a[%t] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k_5 {
    func.func @double(%v: f32) -> f32 {
      %w = arith.addf %v, %v : f32
      return %w : f32
    }
    gpu.func @k_5(%a: memref<8xf32>) kernel attributes {known_block_size = array<i32: 8, 1, 1>} {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<8xf32>
      %w = func.call @double(%v) : (f32) -> f32
      memref.store %w, %a[%t] : memref<8xf32>
      gpu.return
    }
  }
  gpu.module @k_6 {
    gpu.func @k_6(%a: memref<8xf32>) kernel attributes {known_block_size = array<i32: 8, 1, 1>} {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<8xf32>
      %c = arith.constant 2.0 : f32
      %w = arith.mulf %v, %c : f32
      memref.store %w, %a[%t] : memref<8xf32>
      gpu.return
    }
  }
  func.func @launches(%a: memref<8xf32>, %b: memref<8xf32>, %c: memref<16xf32>) {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c8 = arith.constant 8 : index
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%a : memref<8xf32>)
    gpu.launch_func @k_0::@k_0 blocks in (%c2, %c1, %c1) threads in (%c8, %c1, %c1) args(%b : memref<8xf32>)
    gpu.launch_func @k_1::@k_1 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%a : memref<8xf32>)
    gpu.launch_func @k_2::@k_2 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%c : memref<16xf32>)
    gpu.launch_func @k_3::@k_3 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%a : memref<8xf32>)
    gpu.launch_func @k_4::@k_4 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%a : memref<8xf32>)
    gpu.launch_func @k_5::@k_5 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%a : memref<8xf32>)
    gpu.launch_func @k_6::@k_6 blocks in (%c1, %c1, %c1) threads in (%c8, %c1, %c1) args(%b : memref<8xf32>)
    return
  }
}
