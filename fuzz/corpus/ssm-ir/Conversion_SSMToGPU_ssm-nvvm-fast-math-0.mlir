// RUN: ssm-opt %s --ssm-nvvm-fast-math | FileCheck %s

// afn f32 exp2 / divf become the approximate NVVM intrinsics; others stay.
// CHECK-LABEL: func.func @fast
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f"(%arg0) : (f32) -> f32
// CHECK: llvm.call_intrinsic "llvm.nvvm.div.approx.ftz.f"(%arg0, %arg1) : (f32, f32) -> f32
// CHECK: math.exp2 %arg0 : f32
// CHECK: arith.divf %arg0, %arg1 : f32
// CHECK: math.exp2 %arg2 fastmath<afn> : f64
func.func @fast(%x: f32, %y: f32, %w: f64) -> (f32, f32, f32, f32, f64) {
  %0 = math.exp2 %x fastmath<afn> : f32
  %1 = arith.divf %x, %y fastmath<afn> : f32
  %2 = math.exp2 %x : f32
  %3 = arith.divf %x, %y : f32
  %4 = math.exp2 %w fastmath<afn> : f64
  return %0, %1, %2, %3, %4 : f32, f32, f32, f32, f64
}
