// RUN: ssm-opt %s --ssm-rocdl-fast-math | FileCheck %s

// afn f32 exp2 becomes llvm.amdgcn.exp2 (v_exp_f32); exp2 without afn, f64
// and divisions (afn reaches the AMDGPU backend through arith-to-llvm) stay.
// CHECK-LABEL: func.func @fast
// CHECK: %[[E:.*]] = llvm.call_intrinsic "llvm.amdgcn.exp2"(%arg0) : (f32) -> f32
// CHECK: %[[D:.*]] = arith.divf %arg0, %arg1 fastmath<afn> : f32
// CHECK: %[[P:.*]] = math.exp2 %arg0 : f32
// CHECK: %[[W:.*]] = math.exp2 %arg2 fastmath<afn> : f64
// CHECK: %[[C:.*]] = math.exp2 %arg0 fastmath<contract> : f32
// CHECK: return %[[E]], %[[D]], %[[P]], %[[W]], %[[C]]
func.func @fast(%x: f32, %y: f32, %w: f64) -> (f32, f32, f32, f64, f32) {
  %0 = math.exp2 %x fastmath<afn> : f32
  %1 = arith.divf %x, %y fastmath<afn> : f32
  %2 = math.exp2 %x : f32
  %3 = math.exp2 %w fastmath<afn> : f64
  %4 = math.exp2 %x fastmath<contract> : f32
  return %0, %1, %2, %3, %4 : f32, f32, f32, f64, f32
}

// In a gpu.module, as the ROCDL pipeline runs it.
// CHECK-LABEL: gpu.func @kernel
// CHECK: llvm.call_intrinsic "llvm.amdgcn.exp2"
// CHECK-NOT: math.exp2
gpu.module @kernels {
  gpu.func @kernel(%p: memref<4xf32>) kernel {
    %c0 = arith.constant 0 : index
    %x = memref.load %p[%c0] : memref<4xf32>
    %e = math.exp2 %x fastmath<afn,contract> : f32
    memref.store %e, %p[%c0] : memref<4xf32>
    gpu.return
  }
}

// f32 atomic fadd outside LDS may use the hardware float atomic; LDS
// (address space 3), integer and f64 atomics stay as they are.
// CHECK-LABEL: llvm.func @atomics
// CHECK: llvm.atomicrmw fadd %arg0, %arg2 acq_rel {rocdl.ignore_denormal_mode, rocdl.no_fine_grained_memory, rocdl.no_remote_memory} : !llvm.ptr, f32
// CHECK: llvm.atomicrmw fadd %arg1, %arg2 acq_rel {rocdl.ignore_denormal_mode, rocdl.no_fine_grained_memory, rocdl.no_remote_memory} : !llvm.ptr<1>, f32
// CHECK: llvm.atomicrmw fadd %arg3, %arg2 acq_rel : !llvm.ptr<3>, f32
// CHECK: llvm.atomicrmw add %arg0, %arg4 acq_rel : !llvm.ptr, i32
// CHECK: llvm.atomicrmw fadd %arg0, %arg5 acq_rel : !llvm.ptr, f64
llvm.func @atomics(%p: !llvm.ptr, %g: !llvm.ptr<1>, %x: f32, %l: !llvm.ptr<3>, %i: i32, %d: f64) {
  %0 = llvm.atomicrmw fadd %p, %x acq_rel : !llvm.ptr, f32
  %1 = llvm.atomicrmw fadd %g, %x acq_rel : !llvm.ptr<1>, f32
  %2 = llvm.atomicrmw fadd %l, %x acq_rel : !llvm.ptr<3>, f32
  %3 = llvm.atomicrmw add %p, %i acq_rel : !llvm.ptr, i32
  %4 = llvm.atomicrmw fadd %p, %d acq_rel : !llvm.ptr, f64
  llvm.return
}
