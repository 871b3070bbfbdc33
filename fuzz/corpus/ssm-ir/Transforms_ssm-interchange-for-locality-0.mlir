// RUN: ssm-opt %s --split-input-file --ssm-interchange-for-locality | FileCheck %s

// Channel-first 1x1 conv: the pixel loop (unit stride in x and out) moves
// innermost, the strided channel reduction outward.
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-LABEL: func.func @conv1x1
// CHECK: linalg.generic {indexing_maps = [#[[W]], #[[X]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
func.func @conv1x1(%w: memref<8x6xf32>, %x: memref<2x6x20xf32>, %o: memref<2x8x20xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, o, p, c) -> (o, c)>, affine_map<(b, o, p, c) -> (b, c, p)>, affine_map<(b, o, p, c) -> (b, o, p)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<8x6xf32>, memref<2x6x20xf32>) outs(%o : memref<2x8x20xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

