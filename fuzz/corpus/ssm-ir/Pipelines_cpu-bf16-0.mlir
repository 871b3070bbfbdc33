// f32 -> bf16 truncation is expanded into integer ops (round to nearest even)
// before LLVM: no __truncsfbf2 libcall in the kernel .so, whatever the CPU.
// RUN: ssm-opt %s --ssm-lower-to-cpu | FileCheck %s
// CHECK-NOT: llvm.fptrunc
// CHECK: llvm.lshr
// CHECK-NOT: llvm.fptrunc
func.func @f(%x: tensor<37xf32>) -> tensor<37xbf16> {
  %e = tensor.empty() : tensor<37xbf16>
  %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%x : tensor<37xf32>) outs(%e : tensor<37xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<37xbf16>
  return %y : tensor<37xbf16>
}
