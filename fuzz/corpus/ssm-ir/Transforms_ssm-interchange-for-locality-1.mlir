
// A dot product over a contiguous reduction (W[c, d] u[l, d]) stays as is.
// CHECK-LABEL: func.func @dot
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
func.func @dot(%w: memref<8x6xf32>, %u: memref<5x6xf32>, %o: memref<8x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(c, l, d) -> (c, d)>, affine_map<(c, l, d) -> (l, d)>, affine_map<(c, l, d) -> (c, l)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%w, %u : memref<8x6xf32>, memref<5x6xf32>) outs(%o : memref<8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
