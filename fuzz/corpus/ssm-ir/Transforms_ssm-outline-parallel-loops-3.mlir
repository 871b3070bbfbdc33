
// Views of the workspace are kernel arguments of their own (noalias), not
// re-derived from the workspace inside the kernel.
// CHECK-LABEL: func.func private @ws_par0(
// CHECK-SAME: %{{.*}}: memref<8xf32> {llvm.noalias}, %{{.*}}: memref<8xf32> {llvm.noalias}, %{{.*}}: index, %{{.*}}: index)
// CHECK-NOT: memref.view
// CHECK-LABEL: func.func @ws(
// CHECK: %[[A:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<64xi8> to memref<8xf32>
// CHECK: %[[B:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<64xi8> to memref<8xf32>
// CHECK: call @__ssm_dispatch_ws_par0(%[[A]], %[[B]], %{{.*}})
func.func @ws(%workspace: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %a = memref.view %workspace[%c0][] : memref<64xi8> to memref<8xf32>
  %b = memref.view %workspace[%c32][] : memref<64xi8> to memref<8xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %a[%i] : memref<8xf32>
    memref.store %v, %b[%i] : memref<8xf32>
  }
  return
}
