// ssm-compile --grad adds the gradient entry of every public function
// (ssm-autodiff); this file's IR is used by the second RUN line.
// RUN: ssm-compile --model=vim-t --model-option=depth=1 --model-option=embed_dim=8 --img=16 --classes=3 --grad --compile-to=input | FileCheck %s --check-prefix=MODEL
// MODEL: func.func @forward(
// MODEL-LABEL: func.func @forward_grad(
// MODEL-SAME: {ssm.name = "image"}
// MODEL-SAME: %{{.*}}: tensor<1x3xf32> {ssm.name = "logits.grad"})
// MODEL-SAME: -> (tensor<1x3xf32> {ssm.name = "logits"}, tensor<1x3x16x16xf32> {ssm.name = "image.grad"}, tensor<8x3x16x16xf32> {ssm.name = "patch_embed.proj.weight.grad"}
// MODEL-SAME: tensor<3xf32> {ssm.name = "head.bias.grad"})
// MODEL: ssm.selective_scan_grad
// MODEL: ssm.causal_conv1d_grad

// RUN: ssm-compile %s --grad --compile-to=ssm | FileCheck %s
// CHECK-LABEL: func.func @square_grad(
// CHECK-SAME: %[[X:.*]]: tensor<5xf32>, %[[DY:.*]]: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>)
func.func @square(%x: tensor<5xf32>) -> tensor<5xf32> {
  %e = tensor.empty() : tensor<5xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<5xf32>) outs(%e : tensor<5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<5xf32>
  return %y : tensor<5xf32>
}
