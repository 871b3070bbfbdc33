
// A reduction between two parallel dimensions (a mean over the tokens of
// [b, l, c]) moves innermost, so both parallel dimensions spread over threads.
// INTERCHANGE-LABEL: func.func @mean_tokens
// INTERCHANGE: linalg.generic
// INTERCHANGE-SAME: iterator_types = ["parallel", "parallel", "reduction"]
func.func @mean_tokens(%a: memref<4x9x6xf32>, %o: memref<4x6xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, l, c) -> (i, l, c)>, affine_map<(i, l, c) -> (i, c)>],
       iterator_types = ["parallel", "reduction", "parallel"]} ins(%a : memref<4x9x6xf32>) outs(%o : memref<4x6xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}
