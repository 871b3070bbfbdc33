// ssm-compile --help lists ssm-compile's own options, by category, and none
// of the hundreds LLVM registers; it fits on two screens. MLIR's debugging
// flags are listed by --help-hidden, in a category of their own, and work.
// RUN: ssm-compile --help | FileCheck %s --check-prefix=HELP --implicit-check-not=print-after-all --implicit-check-not=x86- --implicit-check-not=-debug-pass --implicit-check-not=mlir-disable-threading --implicit-check-not=mlir-pass-statistics
// RUN: ssm-compile --help | %python -c "import sys; n = len(sys.stdin.read().splitlines()); print(n, 'lines'); sys.exit(n > 120)"
// Every option ssm-compile declares has a category (HideUnrelatedOptions would
// hide one without):
// RUN: %python -c "import re, sys; s = open(sys.argv[1]).read(); d = len(re.findall(r'static cl::(?:opt|list)<', s)); c = len(re.findall(r'cl::cat\((?!mlir)', s)); print(d, 'options', c, 'categorized'); sys.exit(d != c or d == 0)" %S/../../tools/ssm-compile/ssm-compile.cpp
// RUN: ssm-compile --help-hidden | FileCheck %s --check-prefix=HIDDEN
// RUN: ssm-compile %s --compile-to=ssm --mlir-timing 2>&1 >/dev/null | FileCheck %s --check-prefix=TIMING
// RUN: ssm-compile %s --compile-to=loops --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=AFTER
// RUN: ssm-compile %s --compile-to=ssm --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: ssm-compile %s --compile-to=ssm --mlir-pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

// HELP: OVERVIEW: ssm model compiler
// HELP: MLIR's debugging flags {{.*}} are listed by --help-hidden.
// HELP: Compilation options:
// HELP-DAG: --compile-to=<string>
// HELP-DAG: --emit-stats
// HELP-DAG: -o <file>
// HELP: GPU kernel options
// HELP-DAG: --scan-chunks=<long>
// HELP-DAG: --scan-grad-prefetch
// HELP: Generic Options:
// HELP-DAG: --help
// HELP-DAG: --help-hidden
// HELP: Model options
// HELP-DAG: --list-models
// HELP-DAG: --model=<string>
// HELP-DAG: --weights=<string>
// HELP: Target options:
// HELP-DAG: --chip=<string>
// HELP-DAG: --target=<string>

// HIDDEN: MLIR debugging options
// HIDDEN-DAG: --mlir-disable-threading
// HIDDEN-DAG: --mlir-pass-pipeline-crash-reproducer=<string>
// HIDDEN-DAG: --mlir-pass-statistics
// HIDDEN-DAG: --mlir-print-ir-after-all
// HIDDEN-DAG: --mlir-print-op-generic
// HIDDEN-DAG: --mlir-timing
// HIDDEN: Model options

// TIMING: Execution time report
// TIMING: Canonicalizer
// TIMING: Total

// AFTER: IR Dump After Canonicalizer
// AFTER: IR Dump After ConvertSSMToSCF

// GENERIC: "func.func"() <{function_type = (tensor<4x8xf32>) -> tensor<4x8xf32>
// GENERIC: "ssm.flip"

// STATS: Pass statistics report

func.func @flip(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = ssm.flip %x along 1 : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
