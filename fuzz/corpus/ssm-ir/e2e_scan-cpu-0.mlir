// ssm-compile | ssm-run on the CPU: a hand-computed scan (d = n = 1,
// delta = 0.5, A = -1, B = C = 1, so h_t = e^-0.5 h_{t-1} + 0.5 u_t), forward
// and reverse, and the Vim pattern flip -> scan -> flip.
// RUN: ssm-compile %s --target=cpu -o %t.ssmb
// RUN: ssm-run %t.ssmb --function=forward --input="1x1x3xf32=1 2 3" --input="1x1x3xf32=0.5" --input="1x1xf32=-1" --input="1x1x3xf32=1" | FileCheck %s --check-prefix=FWD
// RUN: ssm-run %t.ssmb --function=reverse --input="1x1x3xf32=1 2 3" --input="1x1x3xf32=0.5" --input="1x1xf32=-1" --input="1x1x3xf32=1" | FileCheck %s --check-prefix=REV
// RUN: ssm-run %t.ssmb --function=flipped --input="1x1x3xf32=1 2 3" --input="1x1x3xf32=0.5" --input="1x1xf32=-1" --input="1x1x3xf32=1" | FileCheck %s --check-prefix=REV

// FWD: output[0]: 1x1x3xf32
// FWD-NEXT: 0.5 1.30327 2.29047
func.func @forward(%u: tensor<1x1x3xf32>, %dt: tensor<1x1x3xf32>, %A: tensor<1x1xf32>, %B: tensor<1x1x3xf32>) -> tensor<1x1x3xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %B : tensor<1x1x3xf32>, tensor<1x1x3xf32>, tensor<1x1xf32>, tensor<1x1x3xf32>, tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}

// REV: output[0]: 1x1x3xf32
// REV-NEXT: 1.65835 1.9098 1.5
func.func @reverse(%u: tensor<1x1x3xf32>, %dt: tensor<1x1x3xf32>, %A: tensor<1x1xf32>, %B: tensor<1x1x3xf32>) -> tensor<1x1x3xf32> {
  %y = ssm.selective_scan %u, %dt, %A, %B, %B reverse : tensor<1x1x3xf32>, tensor<1x1x3xf32>, tensor<1x1xf32>, tensor<1x1x3xf32>, tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}

func.func @flipped(%u: tensor<1x1x3xf32>, %dt: tensor<1x1x3xf32>, %A: tensor<1x1xf32>, %B: tensor<1x1x3xf32>) -> tensor<1x1x3xf32> {
  %ur = ssm.flip %u along 2 : tensor<1x1x3xf32>
  %y = ssm.selective_scan %ur, %dt, %A, %B, %B : tensor<1x1x3xf32>, tensor<1x1x3xf32>, tensor<1x1xf32>, tensor<1x1x3xf32>, tensor<1x1x3xf32>
  %yr = ssm.flip %y along 2 : tensor<1x1x3xf32>
  return %yr : tensor<1x1x3xf32>
}
