// Every linear layer the model builders emit reaches the GEMM kernel (with
// its library-call descriptor) on --target=nvptx: Vim's channel-first and
// transposed linears, the patch embedding's im2col, the head; MambaOut's
// NHWC fc layers (tokens collapsed). (This file's IR is unused.)
// RUN: ssm-compile --model=vim-t --model-option=depth=1 --img=32 --target=nvptx --compile-to=loops | FileCheck %s --check-prefix=VIM
// RUN: ssm-compile --model=mambaout-femto --model-option=depths=1,1,1,1 --img=32 --target=nvptx --compile-to=loops | FileCheck %s --check-prefix=MAMBAOUT

// Patch embedding (bias along m), in_proj, x_proj and dt_proj per direction,
// out_proj, head (bias along n).
// VIM-COUNT-8: gpu.launch_func  @ssm_gemm_kernels::
// VIM-NOT: gpu.launch_func  @ssm_gemm_kernels::

// Stem and downsampling convolutions, fc1 / fc2 per block, head fc layers.
// MAMBAOUT-COUNT-15: gpu.launch_func  @ssm_gemm_kernels::
// MAMBAOUT-NOT: gpu.launch_func  @ssm_gemm_kernels::
