// ssm-row-norms-to-gpu on the chains the GPU pipeline sees after
// bufferization (workspace views; MambaOut's channels-last LayerNorm after a
// residual add, Vim's RMSNorm): one gpu.launch per chain with a warp per row
// (blocks x (32 lanes, rows per block)), the row read once, two xor-shuffle
// trees for the mean and the variance, no fills left, the residual stored
// because a later op reads it, the statistics not stored. Chains it must
// leave alone: rows too long for the registers, rows strided in memory, a
// side-effecting op inside the chain; a producer whose inputs the output may
// overwrite (overlapping views) stays a kernel of its own.
// RUN: ssm-opt %s --split-input-file --ssm-row-norms-to-gpu | FileCheck %s
// RUN: ssm-opt %s --split-input-file --ssm-row-norms-to-gpu=chip=gfx942 | FileCheck %s --check-prefix=AMD

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#row4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#col4 = affine_map<(d0, d1, d2, d3) -> (d3)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @layernorm_residual
// CHECK-NOT: linalg.
// 392 rows, one warp each (a block per row: 392 rows leave SMs idle at 8).
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c392, {{.*}}) threads({{.*}}) in ({{.*}} = %c32,
// The residual add, stored (the copy reads it); 6 elements per lane.
// CHECK-COUNT-6: memref.store {{.*}} : memref<2x14x14x192xf32>
// The sum, then the sum of squared deviations: a butterfly each.
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: arith.mulf {{.*}}, %{{.*}} : f32
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: math.rsqrt
// No statistic stored; the bf16 output.
// CHECK-NOT: memref.store {{.*}} : memref<2x14x14xf32>
// CHECK-COUNT-6: memref.store {{.*}} : memref<2x14x14x192xbf16>
// CHECK-NOT: linalg.
// CHECK: gpu.terminator
// CHECK: memref.copy
// AMD-LABEL: func.func @layernorm_residual
// AMD: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c64,
// AMD-COUNT-3: memref.store {{.*}} : memref<2x14x14x192xf32>
// AMD: gpu.shuffle  xor %{{.*}}, %c32_i32, %c64_i32
func.func @layernorm_residual(%ws: memref<8000000xi8>, %g: memref<192xbf16>, %b: memref<192xbf16>, %keep: memref<2x14x14x192xf32>) {
  %c0 = arith.constant 0 : index
  %c1m = arith.constant 1000000 : index
  %c2m = arith.constant 2000000 : index
  %c3m = arith.constant 3000000 : index
  %c4m = arith.constant 4000000 : index
  %c5m = arith.constant 5000000 : index
  %c6m = arith.constant 6000000 : index
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.00520833349 : f32
  %eps = arith.constant 9.99999997E-7 : f32
  %x = memref.view %ws[%c0][] : memref<8000000xi8> to memref<2x14x14x192xf32>
  %y = memref.view %ws[%c1m][] : memref<8000000xi8> to memref<2x14x14x192xf32>
  %r = memref.view %ws[%c2m][] : memref<8000000xi8> to memref<2x14x14x192xf32>
  linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %y : memref<2x14x14x192xf32>, memref<2x14x14x192xf32>) outs(%r : memref<2x14x14x192xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  }
  %sum = memref.view %ws[%c3m][] : memref<8000000xi8> to memref<2x14x14xf32>
  linalg.fill ins(%zero : f32) outs(%sum : memref<2x14x14xf32>)
  linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%r : memref<2x14x14x192xf32>) outs(%sum : memref<2x14x14xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  %mean = memref.view %ws[%c4m][] : memref<8000000xi8> to memref<2x14x14xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sum : memref<2x14x14xf32>) outs(%mean : memref<2x14x14xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  %var = memref.view %ws[%c5m][] : memref<8000000xi8> to memref<2x14x14xf32>
  linalg.fill ins(%zero : f32) outs(%var : memref<2x14x14xf32>)
  linalg.generic {indexing_maps = [#id4, #row4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%r, %mean : memref<2x14x14x192xf32>, memref<2x14x14xf32>) outs(%var : memref<2x14x14xf32>) {
  ^bb0(%a: f32, %m: f32, %acc: f32):
    %d = arith.subf %a, %m fastmath<reassoc,contract> : f32
    %q = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %q fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  %out = memref.view %ws[%c6m][] : memref<8000000xi8> to memref<2x14x14x192xbf16>
  linalg.generic {indexing_maps = [#id4, #row4, #row4, #col4, #col4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%r, %sum, %var, %g, %b : memref<2x14x14x192xf32>, memref<2x14x14xf32>, memref<2x14x14xf32>, memref<192xbf16>, memref<192xbf16>) outs(%out : memref<2x14x14x192xbf16>) {
  ^bb0(%a: f32, %s: f32, %v: f32, %gg: bf16, %bb: bf16, %o: bf16):
    %ge = arith.extf %gg : bf16 to f32
    %be = arith.extf %bb : bf16 to f32
    %mu = arith.mulf %s, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vv = arith.mulf %v, %inv : f32
    %ve = arith.addf %vv, %eps : f32
    %rs = math.rsqrt %ve : f32
    %n = arith.mulf %d, %rs : f32
    %sc = arith.mulf %n, %ge : f32
    %sh = arith.addf %sc, %be : f32
    %t = arith.truncf %sh : f32 to bf16
    linalg.yield %t : bf16
  }
  // The residual stream, read after the norm.
  memref.copy %r, %keep : memref<2x14x14x192xf32> to memref<2x14x14x192xf32>
  return
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#col3 = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @rmsnorm_overlapping_producer
// The add stays; the sum of squares and the output are one kernel.
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: linalg.yield
// CHECK-NOT: linalg.
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c15, {{.*}}) threads({{.*}}) in ({{.*}} = %c32,
// 97 = 3 x 32 + 1: the fourth element of a lane is clamped into the row,
// masked out of the sum and not stored.
// CHECK: %[[COL:.*]] = arith.addi %{{.*}}, %c96
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[COL]], %c97
// CHECK: arith.minui %[[COL]], %c96
// CHECK: arith.select %[[IN]]
// CHECK-COUNT-5: gpu.shuffle  xor
// The statistic is read after the chain: lane 0 stores it.
// CHECK: %[[LANE0:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK: scf.if %[[LANE0]]
// CHECK: memref.store {{.*}} : memref<3x5xf32>
// CHECK-COUNT-3: memref.store {{.*}} : memref<3x5x97xbf16>
// CHECK: scf.if %[[IN]]
// CHECK-NEXT: affine.apply
// CHECK: memref.store {{.*}} : memref<3x5x97xbf16>
func.func @rmsnorm_overlapping_producer(%ws: memref<4000000xi8>, %g: memref<97xbf16>, %ms: memref<3x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1m = arith.constant 1000000 : index
  %c2m = arith.constant 2000000 : index
  %c3m = arith.constant 3000000 : index
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.010309278 : f32
  %eps = arith.constant 9.99999974E-6 : f32
  %x = memref.view %ws[%c0][] : memref<4000000xi8> to memref<3x5x97xf32>
  %y = memref.view %ws[%c1m][] : memref<4000000xi8> to memref<3x5x97xf32>
  %r = memref.view %ws[%c2m][] : memref<4000000xi8> to memref<3x5x97xf32>
  linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %y : memref<3x5x97xf32>, memref<3x5x97xf32>) outs(%r : memref<3x5x97xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  }
  %sq = memref.view %ws[%c3m][] : memref<4000000xi8> to memref<3x5xf32>
  linalg.fill ins(%zero : f32) outs(%sq : memref<3x5xf32>)
  linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r : memref<3x5x97xf32>) outs(%sq : memref<3x5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.mulf %a, %a fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %m fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  // The output takes %x's bytes (its live range ended at the add).
  %out = memref.view %ws[%c0][] : memref<4000000xi8> to memref<3x5x97xbf16>
  linalg.generic {indexing_maps = [#id3, #row3, #col3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %sq, %g : memref<3x5x97xf32>, memref<3x5xf32>, memref<97xbf16>) outs(%out : memref<3x5x97xbf16>) {
  ^bb0(%a: f32, %s: f32, %gg: bf16, %o: bf16):
    %ge = arith.extf %gg : bf16 to f32
    %m = arith.mulf %s, %inv : f32
    %e = arith.addf %m, %eps : f32
    %rs = math.rsqrt %e : f32
    %n = arith.mulf %a, %rs : f32
    %sc = arith.mulf %n, %ge : f32
    %t = arith.truncf %sc : f32 to bf16
    linalg.yield %t : bf16
  }
  // The statistic, read after the norm: stored by lane 0.
  memref.copy %sq, %ms : memref<3x5xf32> to memref<3x5xf32>
  return
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
#colm = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: gpu.launch
// CHECK-COUNT-2: linalg.fill
// CHECK-NOT: gpu.launch
func.func @left_alone(%x: memref<64x1000xf32>, %xt: memref<100x64xf32>, %o1: memref<64x1000xf32>, %o2: memref<64x100xf32>, %o3: memref<64x1000xf32>, %scratch: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %s1 = memref.alloca() : memref<64xf32>
  %s2 = memref.alloca() : memref<64xf32>
  %s3 = memref.alloca() : memref<64xf32>
  // Too long: 1000 f32 is 32 per lane.
  linalg.fill ins(%zero : f32) outs(%s1 : memref<64xf32>)
  linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]} ins(%x : memref<64x1000xf32>) outs(%s1 : memref<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x, %s1 : memref<64x1000xf32>, memref<64xf32>) outs(%o1 : memref<64x1000xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %d = arith.subf %a, %s : f32
    linalg.yield %d : f32
  }
  // Strided rows (channels first).
  linalg.fill ins(%zero : f32) outs(%s2 : memref<64xf32>)
  linalg.generic {indexing_maps = [#colm, #row2], iterator_types = ["parallel", "reduction"]} ins(%xt : memref<100x64xf32>) outs(%s2 : memref<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#colm, #row2, #id2], iterator_types = ["parallel", "parallel"]} ins(%xt, %s2 : memref<100x64xf32>, memref<64xf32>) outs(%o2 : memref<64x100xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %d = arith.subf %a, %s : f32
    linalg.yield %d : f32
  }
  return
}
