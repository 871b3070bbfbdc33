// The small module of the runtime's GPU tests (bench/gpu/run_runtime_gpu_tests.sh):
// elementwise ops around a selective scan (Vim's pattern: flip, scan with a
// gate and softplus, flip back, residual add), compiled with
// ssm-compile --target=nvptx by make_runtime_gpu_artifacts.sh. Several
// kernels and a device copy per run, so a CUDA graph has something to hold.
func.func @forward(%u: tensor<2x64x197xf32>, %dt: tensor<2x64x197xf32>,
                   %A: tensor<64x16xf32>, %B: tensor<2x16x197xf32>,
                   %C: tensor<2x16x197xf32>, %D: tensor<64xf32>,
                   %z: tensor<2x64x197xf32>, %bias: tensor<64xf32>)
    -> (tensor<2x64x197xf32>, tensor<2x64x197xf32>) {
  %y = ssm.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<64xf32>)
         z(%z : tensor<2x64x197xf32>) delta_bias(%bias : tensor<64xf32>)
         delta_softplus
       : tensor<2x64x197xf32>, tensor<2x64x197xf32>, tensor<64x16xf32>,
         tensor<2x16x197xf32>, tensor<2x16x197xf32>
  %ur = ssm.flip %u along 2 : tensor<2x64x197xf32>
  %yr = ssm.selective_scan %ur, %dt, %A, %B, %C reverse
       : tensor<2x64x197xf32>, tensor<2x64x197xf32>, tensor<64x16xf32>,
         tensor<2x16x197xf32>, tensor<2x16x197xf32>
  %back = ssm.flip %yr along 2 : tensor<2x64x197xf32>
  %sum = arith.addf %y, %back : tensor<2x64x197xf32>
  %res = arith.addf %sum, %u : tensor<2x64x197xf32>
  return %res, %y : tensor<2x64x197xf32>, tensor<2x64x197xf32>
}
