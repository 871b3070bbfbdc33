// ssm-compile profiles its stages: --emit-stats prints each stage's wall and
// CPU time (the CPU binary stage split into translate, optimize, codegen and
// link), then --mlir-timing reports each pass of every stage.
// (Two runs, and the timing one single-threaded: with threads, the report's
// order of the function passes varied from run to run under load.)
// RUN: ssm-compile %s --emit-stats -o %t.ssmb 2>&1 | FileCheck %s
// RUN: ssm-compile %s --mlir-timing --mlir-disable-threading -o %t.ssmb 2>&1 | FileCheck %s --check-prefix=TIMING
// CHECK: llvm {{ *}}{{[0-9.]+}} ms  (cpu {{[0-9.]+}} ms)
// CHECK-NEXT: binary {{ *}}{{[0-9.]+}} ms  (cpu {{[0-9.]+}} ms; {{[0-9]+}} bytes, cpu {{.*}}; translate {{[0-9.]+}}, optimize {{[0-9.]+}}, codegen {{[0-9.]+}}, link {{[0-9.]+}} ms)
// TIMING: Execution time report
// TIMING: OutlineParallelLoops
// TIMING-NEXT: DedupeKernels
func.func @f(%a: tensor<64xf32>) -> tensor<64xf32> {
  %b = arith.addf %a, %a : tensor<64xf32>
  return %b : tensor<64xf32>
}

// --cpu-opt-level sets LLVM's IR and codegen optimization level (default 3).
// RUN: ssm-compile %s --cpu-opt-level=1 -o %t.o1.ssmb
// RUN: ssm-run %t.o1.ssmb --input=64xf32=1.5 | FileCheck %s --check-prefix=O1
// O1: output[0]: 64xf32
// O1-NEXT: 3 3 3
// RUN: not ssm-compile %s --cpu-opt-level=4 -o %t.bad.ssmb 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: --cpu-opt-level must be 0 to 3, got 4
