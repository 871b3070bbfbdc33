// convert-ssm-to-gpu's option defaults are written twice: in Passes.td
// (tablegen takes no C++ constants) and in GPUKernelOptions (SSMToGPU.h),
// whose defaults GPUPipelineOptions and ssm-compile's --scan-* flags use
// directly. The pass as registered (Passes.td) and the pass that
// ssm-lower-to-nvvm builds from the default GPUKernelOptions must print the
// same options.
// RUN: ssm-opt %s --pass-pipeline='builtin.module(convert-ssm-to-gpu)' --dump-pass-pipeline -o /dev/null > %t 2>&1
// RUN: ssm-opt %s --pass-pipeline='builtin.module(ssm-lower-to-nvvm)' --dump-pass-pipeline -o /dev/null >> %t 2>&1
// RUN: FileCheck %s < %t

// CHECK: convert-ssm-to-gpu{[[DEFAULTS:[^}]*]]}
// CHECK: convert-ssm-to-gpu{[[DEFAULTS]]}

module {}
