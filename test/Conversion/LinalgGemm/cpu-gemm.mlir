// RUN: ssm-opt %s --split-input-file --convert-linalg-to-cpu-gemm | FileCheck %s

// Vim's channel-first in_proj: C[b, m, n] = W[m, k] * X[b, n, k]. The zero
// fill moves into the fallback; the library overwrites C (accumulate 0).
// Record words: op 1 | command 0, a_arg 0 | b_arg 1, c_arg 2 | bias_arg 0,
// dtypes f32 (1) | f32, f32 | 0, bias none (1) | activation none (1),
// m, n, k, batch, A (192, 1, 0), B (1, 192, 0), C (197, 1, 0), reserved, operand offsets (0: the
// compiled code passes each operand's first element).
// CHECK: memref.global "private" constant @__ssm_gemm_call : memref<24xi64> = dense<[1, 4294967296, 2, 4294967297, 1, 4294967297, 768, 197, 192, 1, 192, 1, 0, 1, 192, 0, 197, 1, 0, 0, 0, 0, 0, 0]> {alignment = 8 : i64}
// CHECK: func.func private @__ssm_cpu_gemm(index, index, index, index, i32) -> i32
// CHECK-LABEL: func.func @channel_first
// CHECK-SAME: (%[[W:.*]]: memref<768x192xf32>, %[[X:.*]]: memref<1x197x192xf32>, %[[C:.*]]: memref<1x768x197xf32>)
// CHECK: %[[REC:.*]] = memref.get_global @__ssm_gemm_call
// CHECK: %[[RP:.*]] = memref.extract_aligned_pointer_as_index %[[REC]]
// CHECK: %[[ACC:.*]] = arith.constant 0 : i32
// CHECK: %[[WP:.*]] = memref.extract_aligned_pointer_as_index %[[W]]
// CHECK: %[[XP:.*]] = memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: %[[CP:.*]] = memref.extract_aligned_pointer_as_index %[[C]]
// CHECK: %[[DONE:.*]] = call @__ssm_cpu_gemm(%[[RP]], %[[WP]], %[[XP]], %[[CP]], %[[ACC]])
// CHECK: %[[MISSED:.*]] = arith.cmpi eq, %[[DONE]]
// CHECK: scf.if %[[MISSED]] {
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: linalg.generic
func.func @channel_first(%w: memref<768x192xf32>, %x: memref<1x197x192xf32>, %c: memref<1x768x197xf32>) {
  %cst = arith.constant 0.0 : f32
  linalg.fill ins(%cst : f32) outs(%c : memref<1x768x197xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : memref<768x192xf32>, memref<1x197x192xf32>) outs(%c : memref<1x768x197xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %b : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// A bias broadcast init stays outside: the library accumulates (1). B is a
// strided view with an offset (Vim's dt slice of x_proj's output), passed
// as its base plus 4 * 18 bytes; its row stride is the parent's, 197.
// CHECK: memref.global "private" constant @__ssm_gemm_call : memref<24xi64> = dense<[1, 4294967296, 2, 4294967297, 1, 4294967297, 384, 197, 12, 1, 12, 1, 0, 197, 1, 0, 197, 1, 0, 0, 0, 0, 0, 0]>
// CHECK-LABEL: func.func @bias_and_strided
// CHECK: linalg.generic
// CHECK: %[[ACC:.*]] = arith.constant 1 : i32
// CHECK: %[[BASE:.*]] = memref.extract_aligned_pointer_as_index %{{.*}} : memref<1x12x197xf32, strided<[8668, 197, 1], offset: 18>>
// CHECK: %[[OFF:.*]] = arith.constant 72 : index
// CHECK: %[[XP:.*]] = arith.addi %[[BASE]], %[[OFF]]
// CHECK: call @__ssm_cpu_gemm(%{{.*}}, %{{.*}}, %[[XP]], %{{.*}}, %[[ACC]])
// CHECK: scf.if
// CHECK-NEXT: linalg.generic
// CHECK-NOT: linalg.fill
func.func @bias_and_strided(%w: memref<384x12xf32>, %xs: memref<1x12x197xf32, strided<[8668, 197, 1], offset: 18>>, %bias: memref<384xf32>, %c: memref<1x384x197xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bias : memref<384xf32>) outs(%c : memref<1x384x197xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %xs : memref<384x12xf32>, memref<1x12x197xf32, strided<[8668, 197, 1], offset: 18>>) outs(%c : memref<1x384x197xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %b : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Batched (batch 3, both operands batched), and MambaOut's NHWC tokens
// (m = h * w collapsed) in the same function: two records.
// CHECK-DAG: memref.global "private" constant @__ssm_gemm_call{{.*}} = dense<[1, 4294967296, 2, 4294967297, 1, 4294967297, 5, 7, 9, 3, 9, 1, 45, 7, 1, 63, 7, 1, 35, 0, 0, 0, 0, 0]>
// CHECK-DAG: memref.global "private" constant @__ssm_gemm_call{{.*}} = dense<[1, 4294967296, 2, 4294967297, 1, 4294967297, 12, 6, 8, 1, 8, 1, 0, 1, 8, 0, 6, 1, 0, 0, 0, 0, 0, 0]>
// CHECK-LABEL: func.func @batched_and_nhwc
// CHECK-COUNT-2: call @__ssm_cpu_gemm
func.func @batched_and_nhwc(%a: memref<3x5x9xf32>, %b: memref<3x9x7xf32>, %c: memref<3x5x7xf32>, %x: memref<1x3x4x8xf32>, %w: memref<6x8xf32>, %y: memref<1x3x4x6xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x5x9xf32>, memref<3x9x7xf32>) outs(%c : memref<3x5x7xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : memref<1x3x4x8xf32>, memref<6x8xf32>) outs(%y : memref<1x3x4x6xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Not offered: bf16 operands (no sgemm), and a contraction inside a loop.
// CHECK-LABEL: func.func @not_offered
// CHECK-NOT: __ssm_cpu_gemm
func.func @not_offered(%a: memref<4x8xbf16>, %b: memref<8x6xbf16>, %c: memref<4x6xf32>, %n: index) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8xbf16>, memref<8x6xbf16>) outs(%c : memref<4x6xf32>) {
  ^bb0(%p: bf16, %q: bf16, %o: f32):
    %0 = arith.extf %p : bf16 to f32
    %1 = arith.extf %q : bf16 to f32
    %2 = arith.mulf %0, %1 : f32
    %3 = arith.addf %o, %2 : f32
    linalg.yield %3 : f32
  }
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8xbf16>, memref<8x6xbf16>) outs(%c : memref<4x6xf32>) {
    ^bb0(%p: bf16, %q: bf16, %o: f32):
      %0 = arith.extf %p : bf16 to f32
      %1 = arith.extf %q : bf16 to f32
      %2 = arith.mulf %0, %1 : f32
      %3 = arith.addf %o, %2 : f32
      linalg.yield %3 : f32
    }
  }
  return
}

// -----

// VMamba's grouped x_proj: C[1, g, m, n] = W[g, m, k] * X[1, g, k, n], the
// leading unit dim joins the batch group (batch = g = 4).
// CHECK: memref.global "private" constant @__ssm_gemm_call : memref<24xi64> = dense<[1, 4294967296, 2, 4294967297, 1, 4294967297, 26, 196, 384, 4, 384, 1, 9984, 196, 1, 75264, 196, 1, 5096, 0, 0, 0, 0, 0]>
// CHECK-LABEL: func.func @grouped
// CHECK: call @__ssm_cpu_gemm
func.func @grouped(%w: memref<4x26x384xf32>, %x: memref<1x4x384x196xf32>, %c: memref<1x4x26x196xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : memref<4x26x384xf32>, memref<1x4x384x196xf32>) outs(%c : memref<1x4x26x196xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Contractions sharing one zero init tensor: bufferization fills one buffer
// and copies it into each output, the last one accumulating into it in
// place. Each copy moves into its fallback (the library overwrites C); the
// last contraction's zero init is not right before it: it accumulates.
// CHECK-LABEL: func.func @shared_zero_init
// CHECK: linalg.fill ins(%{{.*}}) outs(%[[Z:.*]] :
// CHECK: %[[ACC0:.*]] = arith.constant 0 : i32
// CHECK: call @__ssm_cpu_gemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ACC0]])
// CHECK: scf.if
// CHECK-NEXT: memref.copy %[[Z]], %[[C:.*]] :
// CHECK-NEXT: linalg.generic
// CHECK: %[[ACC1:.*]] = arith.constant 1 : i32
// CHECK: call @__ssm_cpu_gemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ACC1]])
// CHECK: scf.if
// CHECK-NEXT: linalg.generic
// CHECK-SAME: outs(%[[Z]] :
func.func @shared_zero_init(%w: memref<8x4xf32>, %x: memref<1x5x4xf32>, %z: memref<1x8x5xf32>, %c: memref<1x8x5xf32>) {
  %cst = arith.constant 0.0 : f32
  linalg.fill ins(%cst : f32) outs(%z : memref<1x8x5xf32>)
  memref.copy %z, %c : memref<1x8x5xf32> to memref<1x8x5xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : memref<8x4xf32>, memref<1x5x4xf32>) outs(%c : memref<1x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %b : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : memref<8x4xf32>, memref<1x5x4xf32>) outs(%z : memref<1x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = arith.mulf %a, %b : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  return
}
