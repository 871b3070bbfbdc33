// ssm-row-norms-to-gpu's kernel run on the CPU: with emulate=true the pass
// emits the same per-lane code as loops over blocks, rows and lanes (the
// lanes' held elements and partial sums in stack buffers, the xor shuffle
// tree as loops), so the masking of partial lanes (row lengths 3, 97, 385:
// not multiples of the warp), the per-lane registers across the passes, the
// fused residual add, the stored mean and the partial last block (2113 rows
// of 8 per block) are checked against the same chain that a memref.copy keeps
// the pass from matching (plain loops, sums in order). LayerNorm with and
// without the residual, f32 and bf16 outputs, RMSNorm with the residual add
// of a broadcast position embedding (Vim's first block), and a softmax (a max
// reduction: idle lanes hold -inf, then a sum of exponentials). Each case prints how
// many elements differ by more than 1e-4 (f32) / 1e-2 (bf16) relative, for
// the output, and where stored, the residual and the mean.
// RUN: ssm-opt %s --ssm-row-norms-to-gpu=emulate=true --convert-linalg-to-loops \
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_lib_dir/libmlir_runner_utils.so,%mlir_lib_dir/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s
// Every chain under test was fused, and no reference.
// RUN: ssm-opt %s --ssm-row-norms-to-gpu=emulate=true | FileCheck %s --check-prefix=IR

// IR-LABEL: func.func @chain_ln_res_3(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_ln_res_3(
// IR: linalg.fill
// IR-LABEL: func.func @chain_ln_res_97(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_ln_res_97(
// IR: linalg.fill
// IR-LABEL: func.func @chain_ln_res_385_bf16(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_ln_res_385_bf16(
// IR: linalg.fill
// IR-LABEL: func.func @chain_ln_48_bf16(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_ln_48_bf16(
// IR: linalg.fill
// IR-LABEL: func.func @chain_ln_48_many(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_ln_48_many(
// IR: linalg.fill
// IR-LABEL: func.func @chain_ln_192(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_ln_192(
// IR: linalg.fill
// IR-LABEL: func.func @chain_rms_res_97(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_rms_res_97(
// IR: linalg.fill
// IR-LABEL: func.func @chain_rms_res_192(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_rms_res_192(
// IR: linalg.fill
// IR-LABEL: func.func @chain_softmax_10(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_softmax_10(
// IR: linalg.fill
// IR-LABEL: func.func @chain_softmax_97(
// IR-NOT: linalg.generic
// IR: return
// IR-LABEL: func.func @ref_softmax_97(
// IR: linalg.fill

// CHECK: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: {{^}}0{{$}}

func.func @chain_ln_res_3(%x: memref<1x1x3xf32>, %y: memref<1x1x3xf32>, %g: memref<3xf32>, %b: memref<3xf32>, %out: memref<1x1x3xf32>, %res: memref<1x1x3xf32>, %mean: memref<1x1xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.3333333333333333 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<1x1xf32>
  %s2 = memref.alloca() : memref<1x1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %y : memref<1x1x3xf32>, memref<1x1x3xf32>) outs(%res : memref<1x1x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %u = arith.addf %a, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<1x1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res : memref<1x1x3xf32>) outs(%s1 : memref<1x1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s1 : memref<1x1xf32>) outs(%mean : memref<1x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<1x1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res, %mean : memref<1x1x3xf32>, memref<1x1xf32>) outs(%s2 : memref<1x1xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%res, %s1, %s2, %g, %b : memref<1x1x3xf32>, memref<1x1xf32>, memref<1x1xf32>, memref<3xf32>, memref<3xf32>) outs(%out : memref<1x1x3xf32>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: f32):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    linalg.yield %sh : f32
  }
  return
}

func.func @ref_ln_res_3(%x: memref<1x1x3xf32>, %y: memref<1x1x3xf32>, %g: memref<3xf32>, %b: memref<3xf32>, %out: memref<1x1x3xf32>, %res: memref<1x1x3xf32>, %mean: memref<1x1xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.3333333333333333 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<1x1xf32>
  %s2 = memref.alloca() : memref<1x1xf32>
  %scratch = memref.alloca() : memref<1x1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %y : memref<1x1x3xf32>, memref<1x1x3xf32>) outs(%res : memref<1x1x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %u = arith.addf %a, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<1x1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res : memref<1x1x3xf32>) outs(%s1 : memref<1x1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s1 : memref<1x1xf32>) outs(%mean : memref<1x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<1x1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res, %mean : memref<1x1x3xf32>, memref<1x1xf32>) outs(%s2 : memref<1x1xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  memref.copy %s2, %scratch : memref<1x1xf32> to memref<1x1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%res, %s1, %s2, %g, %b : memref<1x1x3xf32>, memref<1x1xf32>, memref<1x1xf32>, memref<3xf32>, memref<3xf32>) outs(%out : memref<1x1x3xf32>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: f32):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    linalg.yield %sh : f32
  }
  return
}

func.func @fill_ln_res_3_x(%m: memref<1x1x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<1x1x3xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 1 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_3_y(%m: memref<1x1x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<1x1x3xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 1 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 3 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 13 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.03125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_3_g(%m: memref<3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<3xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 3 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 19 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.015625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_3_b(%m: memref<3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<3xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 3 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 25 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0078125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @count_ln_res_3_out(%a: memref<1x1x3xf32>, %e: memref<1x1x3xf32>) {
  %ca = memref.collapse_shape %a [[0, 1, 2]] : memref<1x1x3xf32> into memref<3xf32>
  %ce = memref.collapse_shape %e [[0, 1, 2]] : memref<1x1x3xf32> into memref<3xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<3xf32>, memref<3xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-4 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @count_ln_res_3_res(%a: memref<1x1x3xf32>, %e: memref<1x1x3xf32>) {
  %ca = memref.collapse_shape %a [[0, 1, 2]] : memref<1x1x3xf32> into memref<3xf32>
  %ce = memref.collapse_shape %e [[0, 1, 2]] : memref<1x1x3xf32> into memref<3xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<3xf32>, memref<3xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 0.0 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @count_ln_res_3_mean(%a: memref<1x1xf32>, %e: memref<1x1xf32>) {
  %ca = memref.collapse_shape %a [[0, 1]] : memref<1x1xf32> into memref<1xf32>
  %ce = memref.collapse_shape %e [[0, 1]] : memref<1x1xf32> into memref<1xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<1xf32>, memref<1xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-5 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_ln_res_97(%x: memref<2x3x97xf32>, %y: memref<2x3x97xf32>, %g: memref<97xf32>, %b: memref<97xf32>, %out: memref<2x3x97xf32>, %res: memref<2x3x97xf32>, %mean: memref<2x3xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.010309278350515464 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<2x3xf32>
  %s2 = memref.alloca() : memref<2x3xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %y : memref<2x3x97xf32>, memref<2x3x97xf32>) outs(%res : memref<2x3x97xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %u = arith.addf %a, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<2x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res : memref<2x3x97xf32>) outs(%s1 : memref<2x3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s1 : memref<2x3xf32>) outs(%mean : memref<2x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<2x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res, %mean : memref<2x3x97xf32>, memref<2x3xf32>) outs(%s2 : memref<2x3xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%res, %s1, %s2, %g, %b : memref<2x3x97xf32>, memref<2x3xf32>, memref<2x3xf32>, memref<97xf32>, memref<97xf32>) outs(%out : memref<2x3x97xf32>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: f32):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    linalg.yield %sh : f32
  }
  return
}

func.func @ref_ln_res_97(%x: memref<2x3x97xf32>, %y: memref<2x3x97xf32>, %g: memref<97xf32>, %b: memref<97xf32>, %out: memref<2x3x97xf32>, %res: memref<2x3x97xf32>, %mean: memref<2x3xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.010309278350515464 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<2x3xf32>
  %s2 = memref.alloca() : memref<2x3xf32>
  %scratch = memref.alloca() : memref<2x3xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %y : memref<2x3x97xf32>, memref<2x3x97xf32>) outs(%res : memref<2x3x97xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %u = arith.addf %a, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<2x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res : memref<2x3x97xf32>) outs(%s1 : memref<2x3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s1 : memref<2x3xf32>) outs(%mean : memref<2x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<2x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res, %mean : memref<2x3x97xf32>, memref<2x3xf32>) outs(%s2 : memref<2x3xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  memref.copy %s2, %scratch : memref<2x3xf32> to memref<2x3xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%res, %s1, %s2, %g, %b : memref<2x3x97xf32>, memref<2x3xf32>, memref<2x3xf32>, memref<97xf32>, memref<97xf32>) outs(%out : memref<2x3x97xf32>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: f32):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    linalg.yield %sh : f32
  }
  return
}

func.func @fill_ln_res_97_x(%m: memref<2x3x97xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<2x3x97xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 2 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 97 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_97_y(%m: memref<2x3x97xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<2x3x97xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 2 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 3 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 97 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 13 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.03125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_97_g(%m: memref<97xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<97xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 97 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 19 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.015625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_97_b(%m: memref<97xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<97xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 97 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 25 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0078125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @count_ln_res_97_out(%a: memref<2x3x97xf32>, %e: memref<2x3x97xf32>) {
  %ca = memref.collapse_shape %a [[0, 1, 2]] : memref<2x3x97xf32> into memref<582xf32>
  %ce = memref.collapse_shape %e [[0, 1, 2]] : memref<2x3x97xf32> into memref<582xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<582xf32>, memref<582xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-4 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @count_ln_res_97_res(%a: memref<2x3x97xf32>, %e: memref<2x3x97xf32>) {
  %ca = memref.collapse_shape %a [[0, 1, 2]] : memref<2x3x97xf32> into memref<582xf32>
  %ce = memref.collapse_shape %e [[0, 1, 2]] : memref<2x3x97xf32> into memref<582xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<582xf32>, memref<582xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 0.0 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @count_ln_res_97_mean(%a: memref<2x3xf32>, %e: memref<2x3xf32>) {
  %ca = memref.collapse_shape %a [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  %ce = memref.collapse_shape %e [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<6xf32>, memref<6xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-5 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_ln_res_385_bf16(%x: memref<1x385xf32>, %y: memref<1x385xf32>, %g: memref<385xf32>, %b: memref<385xf32>, %out: memref<1x385xbf16>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.0025974025974025974 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<1xf32>
  %s2 = memref.alloca() : memref<1xf32>
  %res = memref.alloca() : memref<1x385xf32>
  %mean = memref.alloca() : memref<1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : memref<1x385xf32>, memref<1x385xf32>) outs(%res : memref<1x385xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %u = arith.addf %a, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%res : memref<1x385xf32>) outs(%s1 : memref<1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s1 : memref<1xf32>) outs(%mean : memref<1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%res, %mean : memref<1x385xf32>, memref<1xf32>) outs(%s2 : memref<1xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%res, %s1, %s2, %g, %b : memref<1x385xf32>, memref<1xf32>, memref<1xf32>, memref<385xf32>, memref<385xf32>) outs(%out : memref<1x385xbf16>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: bf16):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    %tr = arith.truncf %sh : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}

func.func @ref_ln_res_385_bf16(%x: memref<1x385xf32>, %y: memref<1x385xf32>, %g: memref<385xf32>, %b: memref<385xf32>, %out: memref<1x385xbf16>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.0025974025974025974 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<1xf32>
  %s2 = memref.alloca() : memref<1xf32>
  %scratch = memref.alloca() : memref<1xf32>
  %res = memref.alloca() : memref<1x385xf32>
  %mean = memref.alloca() : memref<1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : memref<1x385xf32>, memref<1x385xf32>) outs(%res : memref<1x385xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %u = arith.addf %a, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%res : memref<1x385xf32>) outs(%s1 : memref<1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s1 : memref<1xf32>) outs(%mean : memref<1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%res, %mean : memref<1x385xf32>, memref<1xf32>) outs(%s2 : memref<1xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  memref.copy %s2, %scratch : memref<1xf32> to memref<1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%res, %s1, %s2, %g, %b : memref<1x385xf32>, memref<1xf32>, memref<1xf32>, memref<385xf32>, memref<385xf32>) outs(%out : memref<1x385xbf16>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: bf16):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    %tr = arith.truncf %sh : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}

func.func @fill_ln_res_385_bf16_x(%m: memref<1x385xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%m : memref<1x385xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 385 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a1, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_385_bf16_y(%m: memref<1x385xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%m : memref<1x385xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 385 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %k = arith.constant 13 : index
    %p = arith.muli %a1, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.03125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_385_bf16_g(%m: memref<385xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<385xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 385 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 19 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.015625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_res_385_bf16_b(%m: memref<385xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<385xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 385 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 25 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0078125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @count_ln_res_385_bf16_out(%a: memref<1x385xbf16>, %e: memref<1x385xbf16>) {
  %ca = memref.collapse_shape %a [[0, 1]] : memref<1x385xbf16> into memref<385xbf16>
  %ce = memref.collapse_shape %e [[0, 1]] : memref<1x385xbf16> into memref<385xbf16>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<385xbf16>, memref<385xbf16>) outs(%c : memref<f32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-2 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_ln_48_bf16(%x: memref<5x48xf32>, %g: memref<48xf32>, %b: memref<48xf32>, %out: memref<5x48xbf16>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.020833333333333332 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<5xf32>
  %s2 = memref.alloca() : memref<5xf32>
  %mean = memref.alloca() : memref<5xf32>
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<5xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<5x48xf32>) outs(%s1 : memref<5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s1 : memref<5xf32>) outs(%mean : memref<5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<5xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : memref<5x48xf32>, memref<5xf32>) outs(%s2 : memref<5xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2, %g, %b : memref<5x48xf32>, memref<5xf32>, memref<5xf32>, memref<48xf32>, memref<48xf32>) outs(%out : memref<5x48xbf16>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: bf16):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    %tr = arith.truncf %sh : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}

func.func @ref_ln_48_bf16(%x: memref<5x48xf32>, %g: memref<48xf32>, %b: memref<48xf32>, %out: memref<5x48xbf16>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.020833333333333332 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<5xf32>
  %s2 = memref.alloca() : memref<5xf32>
  %scratch = memref.alloca() : memref<5xf32>
  %mean = memref.alloca() : memref<5xf32>
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<5xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<5x48xf32>) outs(%s1 : memref<5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s1 : memref<5xf32>) outs(%mean : memref<5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<5xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : memref<5x48xf32>, memref<5xf32>) outs(%s2 : memref<5xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  memref.copy %s2, %scratch : memref<5xf32> to memref<5xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2, %g, %b : memref<5x48xf32>, memref<5xf32>, memref<5xf32>, memref<48xf32>, memref<48xf32>) outs(%out : memref<5x48xbf16>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: bf16):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    %tr = arith.truncf %sh : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}

func.func @fill_ln_48_bf16_x(%m: memref<5x48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%m : memref<5x48xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 5 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 48 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a1, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_48_bf16_g(%m: memref<48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<48xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 48 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 13 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.015625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_48_bf16_b(%m: memref<48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<48xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 48 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 19 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0078125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @count_ln_48_bf16_out(%a: memref<5x48xbf16>, %e: memref<5x48xbf16>) {
  %ca = memref.collapse_shape %a [[0, 1]] : memref<5x48xbf16> into memref<240xbf16>
  %ce = memref.collapse_shape %e [[0, 1]] : memref<5x48xbf16> into memref<240xbf16>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<240xbf16>, memref<240xbf16>) outs(%c : memref<f32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-2 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_ln_48_many(%x: memref<2113x48xf32>, %g: memref<48xf32>, %b: memref<48xf32>, %out: memref<2113x48xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.020833333333333332 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<2113xf32>
  %s2 = memref.alloca() : memref<2113xf32>
  %mean = memref.alloca() : memref<2113xf32>
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<2113xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<2113x48xf32>) outs(%s1 : memref<2113xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s1 : memref<2113xf32>) outs(%mean : memref<2113xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<2113xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : memref<2113x48xf32>, memref<2113xf32>) outs(%s2 : memref<2113xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2, %g, %b : memref<2113x48xf32>, memref<2113xf32>, memref<2113xf32>, memref<48xf32>, memref<48xf32>) outs(%out : memref<2113x48xf32>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: f32):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    linalg.yield %sh : f32
  }
  return
}

func.func @ref_ln_48_many(%x: memref<2113x48xf32>, %g: memref<48xf32>, %b: memref<48xf32>, %out: memref<2113x48xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.020833333333333332 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<2113xf32>
  %s2 = memref.alloca() : memref<2113xf32>
  %scratch = memref.alloca() : memref<2113xf32>
  %mean = memref.alloca() : memref<2113xf32>
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<2113xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<2113x48xf32>) outs(%s1 : memref<2113xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s1 : memref<2113xf32>) outs(%mean : memref<2113xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<2113xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : memref<2113x48xf32>, memref<2113xf32>) outs(%s2 : memref<2113xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  memref.copy %s2, %scratch : memref<2113xf32> to memref<2113xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2, %g, %b : memref<2113x48xf32>, memref<2113xf32>, memref<2113xf32>, memref<48xf32>, memref<48xf32>) outs(%out : memref<2113x48xf32>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: f32):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    linalg.yield %sh : f32
  }
  return
}

func.func @fill_ln_48_many_x(%m: memref<2113x48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%m : memref<2113x48xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 2113 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 48 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a1, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_48_many_g(%m: memref<48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<48xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 48 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 13 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.015625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_48_many_b(%m: memref<48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<48xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 48 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 19 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0078125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @count_ln_48_many_out(%a: memref<2113x48xf32>, %e: memref<2113x48xf32>) {
  %ca = memref.collapse_shape %a [[0, 1]] : memref<2113x48xf32> into memref<101424xf32>
  %ce = memref.collapse_shape %e [[0, 1]] : memref<2113x48xf32> into memref<101424xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<101424xf32>, memref<101424xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-4 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_ln_192(%x: memref<1x192xf32>, %g: memref<192xf32>, %b: memref<192xf32>, %out: memref<1x192xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.005208333333333333 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<1xf32>
  %s2 = memref.alloca() : memref<1xf32>
  %mean = memref.alloca() : memref<1xf32>
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<1x192xf32>) outs(%s1 : memref<1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s1 : memref<1xf32>) outs(%mean : memref<1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : memref<1x192xf32>, memref<1xf32>) outs(%s2 : memref<1xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2, %g, %b : memref<1x192xf32>, memref<1xf32>, memref<1xf32>, memref<192xf32>, memref<192xf32>) outs(%out : memref<1x192xf32>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: f32):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    linalg.yield %sh : f32
  }
  return
}

func.func @ref_ln_192(%x: memref<1x192xf32>, %g: memref<192xf32>, %b: memref<192xf32>, %out: memref<1x192xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.005208333333333333 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<1xf32>
  %s2 = memref.alloca() : memref<1xf32>
  %scratch = memref.alloca() : memref<1xf32>
  %mean = memref.alloca() : memref<1xf32>
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<1x192xf32>) outs(%s1 : memref<1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s1 : memref<1xf32>) outs(%mean : memref<1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : memref<1x192xf32>, memref<1xf32>) outs(%s2 : memref<1xf32>) {
  ^bb0(%a: f32, %mm: f32, %acc: f32):
    %d = arith.subf %a, %mm fastmath<reassoc,contract> : f32
    %sq = arith.mulf %d, %d fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  memref.copy %s2, %scratch : memref<1xf32> to memref<1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2, %g, %b : memref<1x192xf32>, memref<1xf32>, memref<1xf32>, memref<192xf32>, memref<192xf32>) outs(%out : memref<1x192xf32>) {
  ^bb0(%a: f32, %ss: f32, %vv: f32, %gg: f32, %bb: f32, %o: f32):
    %mu = arith.mulf %ss, %inv : f32
    %d = arith.subf %a, %mu : f32
    %vr = arith.mulf %vv, %inv : f32
    %ve = arith.addf %vr, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %d, %rs : f32
    %sc = arith.mulf %nn, %gg : f32
    %sh = arith.addf %sc, %bb : f32
    linalg.yield %sh : f32
  }
  return
}

func.func @fill_ln_192_x(%m: memref<1x192xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%m : memref<1x192xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 192 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a1, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_192_g(%m: memref<192xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<192xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 192 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 13 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.015625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_ln_192_b(%m: memref<192xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<192xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 192 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 19 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0078125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @count_ln_192_out(%a: memref<1x192xf32>, %e: memref<1x192xf32>) {
  %ca = memref.collapse_shape %a [[0, 1]] : memref<1x192xf32> into memref<192xf32>
  %ce = memref.collapse_shape %e [[0, 1]] : memref<1x192xf32> into memref<192xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<192xf32>, memref<192xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-4 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_rms_res_97(%x: memref<1x1x97xf32>, %y: memref<1x1x97xf32>, %pos: memref<1x1x97xbf16>, %g: memref<97xbf16>, %out: memref<1x1x97xbf16>, %res: memref<1x1x97xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.010309278350515464 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<1x1xf32>
  %s2 = memref.alloca() : memref<1x1xf32>
  %mean = memref.alloca() : memref<1x1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %pos, %y : memref<1x1x97xf32>, memref<1x1x97xbf16>, memref<1x1x97xf32>) outs(%res : memref<1x1x97xf32>) {
  ^bb0(%a: f32, %p: bf16, %c: f32, %o: f32):
    %pe = arith.extf %p : bf16 to f32
    %t = arith.addf %a, %pe : f32
    %u = arith.addf %t, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<1x1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res : memref<1x1x97xf32>) outs(%s1 : memref<1x1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%res, %s1, %g : memref<1x1x97xf32>, memref<1x1xf32>, memref<97xbf16>) outs(%out : memref<1x1x97xbf16>) {
  ^bb0(%a: f32, %ss: f32, %gg: bf16, %o: bf16):
    %ge = arith.extf %gg : bf16 to f32
    %ms = arith.mulf %ss, %inv : f32
    %ve = arith.addf %ms, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %a, %rs : f32
    %sc = arith.mulf %nn, %ge : f32
    %tr = arith.truncf %sc : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}

func.func @ref_rms_res_97(%x: memref<1x1x97xf32>, %y: memref<1x1x97xf32>, %pos: memref<1x1x97xbf16>, %g: memref<97xbf16>, %out: memref<1x1x97xbf16>, %res: memref<1x1x97xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.010309278350515464 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<1x1xf32>
  %s2 = memref.alloca() : memref<1x1xf32>
  %scratch = memref.alloca() : memref<1x1xf32>
  %mean = memref.alloca() : memref<1x1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %pos, %y : memref<1x1x97xf32>, memref<1x1x97xbf16>, memref<1x1x97xf32>) outs(%res : memref<1x1x97xf32>) {
  ^bb0(%a: f32, %p: bf16, %c: f32, %o: f32):
    %pe = arith.extf %p : bf16 to f32
    %t = arith.addf %a, %pe : f32
    %u = arith.addf %t, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<1x1xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res : memref<1x1x97xf32>) outs(%s1 : memref<1x1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  memref.copy %s1, %scratch : memref<1x1xf32> to memref<1x1xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%res, %s1, %g : memref<1x1x97xf32>, memref<1x1xf32>, memref<97xbf16>) outs(%out : memref<1x1x97xbf16>) {
  ^bb0(%a: f32, %ss: f32, %gg: bf16, %o: bf16):
    %ge = arith.extf %gg : bf16 to f32
    %ms = arith.mulf %ss, %inv : f32
    %ve = arith.addf %ms, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %a, %rs : f32
    %sc = arith.mulf %nn, %ge : f32
    %tr = arith.truncf %sc : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}

func.func @fill_rms_res_97_x(%m: memref<1x1x97xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<1x1x97xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 1 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 97 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_rms_res_97_y(%m: memref<1x1x97xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<1x1x97xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 1 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 97 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 13 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.03125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_rms_res_97_pos(%m: memref<1x1x97xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<1x1x97xbf16>) {
  ^bb0(%o: bf16):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 1 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 97 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 19 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.046875 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    %vt = arith.truncf %v : f32 to bf16
    linalg.yield %vt : bf16
  }
  return
}

func.func @fill_rms_res_97_g(%m: memref<97xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<97xbf16>) {
  ^bb0(%o: bf16):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 97 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 25 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.015625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    %vt = arith.truncf %v : f32 to bf16
    linalg.yield %vt : bf16
  }
  return
}

func.func @count_rms_res_97_out(%a: memref<1x1x97xbf16>, %e: memref<1x1x97xbf16>) {
  %ca = memref.collapse_shape %a [[0, 1, 2]] : memref<1x1x97xbf16> into memref<97xbf16>
  %ce = memref.collapse_shape %e [[0, 1, 2]] : memref<1x1x97xbf16> into memref<97xbf16>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<97xbf16>, memref<97xbf16>) outs(%c : memref<f32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-2 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @count_rms_res_97_res(%a: memref<1x1x97xf32>, %e: memref<1x1x97xf32>) {
  %ca = memref.collapse_shape %a [[0, 1, 2]] : memref<1x1x97xf32> into memref<97xf32>
  %ce = memref.collapse_shape %e [[0, 1, 2]] : memref<1x1x97xf32> into memref<97xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<97xf32>, memref<97xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 0.0 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_rms_res_192(%x: memref<2x7x192xf32>, %y: memref<2x7x192xf32>, %pos: memref<1x7x192xbf16>, %g: memref<192xbf16>, %out: memref<2x7x192xbf16>, %res: memref<2x7x192xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.005208333333333333 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<2x7xf32>
  %s2 = memref.alloca() : memref<2x7xf32>
  %mean = memref.alloca() : memref<2x7xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %pos, %y : memref<2x7x192xf32>, memref<1x7x192xbf16>, memref<2x7x192xf32>) outs(%res : memref<2x7x192xf32>) {
  ^bb0(%a: f32, %p: bf16, %c: f32, %o: f32):
    %pe = arith.extf %p : bf16 to f32
    %t = arith.addf %a, %pe : f32
    %u = arith.addf %t, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<2x7xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res : memref<2x7x192xf32>) outs(%s1 : memref<2x7xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%res, %s1, %g : memref<2x7x192xf32>, memref<2x7xf32>, memref<192xbf16>) outs(%out : memref<2x7x192xbf16>) {
  ^bb0(%a: f32, %ss: f32, %gg: bf16, %o: bf16):
    %ge = arith.extf %gg : bf16 to f32
    %ms = arith.mulf %ss, %inv : f32
    %ve = arith.addf %ms, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %a, %rs : f32
    %sc = arith.mulf %nn, %ge : f32
    %tr = arith.truncf %sc : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}

func.func @ref_rms_res_192(%x: memref<2x7x192xf32>, %y: memref<2x7x192xf32>, %pos: memref<1x7x192xbf16>, %g: memref<192xbf16>, %out: memref<2x7x192xbf16>, %res: memref<2x7x192xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.005208333333333333 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<2x7xf32>
  %s2 = memref.alloca() : memref<2x7xf32>
  %scratch = memref.alloca() : memref<2x7xf32>
  %mean = memref.alloca() : memref<2x7xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %pos, %y : memref<2x7x192xf32>, memref<1x7x192xbf16>, memref<2x7x192xf32>) outs(%res : memref<2x7x192xf32>) {
  ^bb0(%a: f32, %p: bf16, %c: f32, %o: f32):
    %pe = arith.extf %p : bf16 to f32
    %t = arith.addf %a, %pe : f32
    %u = arith.addf %t, %c : f32
    linalg.yield %u : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s1 : memref<2x7xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%res : memref<2x7x192xf32>) outs(%s1 : memref<2x7xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a fastmath<reassoc,contract> : f32
    %s = arith.addf %acc, %sq fastmath<reassoc,contract> : f32
    linalg.yield %s : f32
  }
  memref.copy %s1, %scratch : memref<2x7xf32> to memref<2x7xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%res, %s1, %g : memref<2x7x192xf32>, memref<2x7xf32>, memref<192xbf16>) outs(%out : memref<2x7x192xbf16>) {
  ^bb0(%a: f32, %ss: f32, %gg: bf16, %o: bf16):
    %ge = arith.extf %gg : bf16 to f32
    %ms = arith.mulf %ss, %inv : f32
    %ve = arith.addf %ms, %eps : f32
    %rs = math.rsqrt %ve : f32
    %nn = arith.mulf %a, %rs : f32
    %sc = arith.mulf %nn, %ge : f32
    %tr = arith.truncf %sc : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}

func.func @fill_rms_res_192_x(%m: memref<2x7x192xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<2x7x192xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 2 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 192 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_rms_res_192_y(%m: memref<2x7x192xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<2x7x192xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 2 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 192 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 13 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.03125 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @fill_rms_res_192_pos(%m: memref<1x7x192xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%m : memref<1x7x192xbf16>) {
  ^bb0(%o: bf16):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 1 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 7 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %i2 = linalg.index 2 : index
    %s2 = arith.constant 192 : index
    %m2 = arith.muli %a1, %s2 : index
    %a2 = arith.addi %m2, %i2 : index
    %k = arith.constant 19 : index
    %p = arith.muli %a2, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.046875 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    %vt = arith.truncf %v : f32 to bf16
    linalg.yield %vt : bf16
  }
  return
}

func.func @fill_rms_res_192_g(%m: memref<192xbf16>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%m : memref<192xbf16>) {
  ^bb0(%o: bf16):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 192 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %k = arith.constant 25 : index
    %p = arith.muli %a0, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.015625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    %vt = arith.truncf %v : f32 to bf16
    linalg.yield %vt : bf16
  }
  return
}

func.func @count_rms_res_192_out(%a: memref<2x7x192xbf16>, %e: memref<2x7x192xbf16>) {
  %ca = memref.collapse_shape %a [[0, 1, 2]] : memref<2x7x192xbf16> into memref<2688xbf16>
  %ce = memref.collapse_shape %e [[0, 1, 2]] : memref<2x7x192xbf16> into memref<2688xbf16>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<2688xbf16>, memref<2688xbf16>) outs(%c : memref<f32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-2 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @count_rms_res_192_res(%a: memref<2x7x192xf32>, %e: memref<2x7x192xf32>) {
  %ca = memref.collapse_shape %a [[0, 1, 2]] : memref<2x7x192xf32> into memref<2688xf32>
  %ce = memref.collapse_shape %e [[0, 1, 2]] : memref<2x7x192xf32> into memref<2688xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<2688xf32>, memref<2688xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 0.0 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_softmax_10(%x: memref<2x10xf32>, %out: memref<2x10xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.1 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<2xf32>
  %s2 = memref.alloca() : memref<2xf32>
  %mean = memref.alloca() : memref<2xf32>
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%s1 : memref<2xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<2x10xf32>) outs(%s1 : memref<2xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.maxnumf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<2xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %s1 : memref<2x10xf32>, memref<2xf32>) outs(%s2 : memref<2xf32>) {
  ^bb0(%a: f32, %mx: f32, %acc: f32):
    %d = arith.subf %a, %mx : f32
    %e = math.exp %d : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2 : memref<2x10xf32>, memref<2xf32>, memref<2xf32>) outs(%out : memref<2x10xf32>) {
  ^bb0(%a: f32, %mx: f32, %sm: f32, %o: f32):
    %d = arith.subf %a, %mx : f32
    %e = math.exp %d : f32
    %p = arith.divf %e, %sm : f32
    linalg.yield %p : f32
  }
  return
}

func.func @ref_softmax_10(%x: memref<2x10xf32>, %out: memref<2x10xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.1 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<2xf32>
  %s2 = memref.alloca() : memref<2xf32>
  %scratch = memref.alloca() : memref<2xf32>
  %mean = memref.alloca() : memref<2xf32>
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%s1 : memref<2xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<2x10xf32>) outs(%s1 : memref<2xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.maxnumf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<2xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %s1 : memref<2x10xf32>, memref<2xf32>) outs(%s2 : memref<2xf32>) {
  ^bb0(%a: f32, %mx: f32, %acc: f32):
    %d = arith.subf %a, %mx : f32
    %e = math.exp %d : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  memref.copy %s2, %scratch : memref<2xf32> to memref<2xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2 : memref<2x10xf32>, memref<2xf32>, memref<2xf32>) outs(%out : memref<2x10xf32>) {
  ^bb0(%a: f32, %mx: f32, %sm: f32, %o: f32):
    %d = arith.subf %a, %mx : f32
    %e = math.exp %d : f32
    %p = arith.divf %e, %sm : f32
    linalg.yield %p : f32
  }
  return
}

func.func @fill_softmax_10_x(%m: memref<2x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%m : memref<2x10xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 2 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 10 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a1, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @count_softmax_10_out(%a: memref<2x10xf32>, %e: memref<2x10xf32>) {
  %ca = memref.collapse_shape %a [[0, 1]] : memref<2x10xf32> into memref<20xf32>
  %ce = memref.collapse_shape %e [[0, 1]] : memref<2x10xf32> into memref<20xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<20xf32>, memref<20xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-4 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @chain_softmax_97(%x: memref<3x97xf32>, %out: memref<3x97xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.010309278350515464 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<3xf32>
  %s2 = memref.alloca() : memref<3xf32>
  %mean = memref.alloca() : memref<3xf32>
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%s1 : memref<3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<3x97xf32>) outs(%s1 : memref<3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.maxnumf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %s1 : memref<3x97xf32>, memref<3xf32>) outs(%s2 : memref<3xf32>) {
  ^bb0(%a: f32, %mx: f32, %acc: f32):
    %d = arith.subf %a, %mx : f32
    %e = math.exp %d : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2 : memref<3x97xf32>, memref<3xf32>, memref<3xf32>) outs(%out : memref<3x97xf32>) {
  ^bb0(%a: f32, %mx: f32, %sm: f32, %o: f32):
    %d = arith.subf %a, %mx : f32
    %e = math.exp %d : f32
    %p = arith.divf %e, %sm : f32
    linalg.yield %p : f32
  }
  return
}

func.func @ref_softmax_97(%x: memref<3x97xf32>, %out: memref<3x97xf32>) {
  %cst0 = arith.constant 0.0 : f32
  %inv = arith.constant 0.010309278350515464 : f32
  %eps = arith.constant 1.0e-05 : f32
  %s1 = memref.alloca() : memref<3xf32>
  %s2 = memref.alloca() : memref<3xf32>
  %scratch = memref.alloca() : memref<3xf32>
  %mean = memref.alloca() : memref<3xf32>
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%s1 : memref<3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<3x97xf32>) outs(%s1 : memref<3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.maxnumf %acc, %a : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%cst0 : f32) outs(%s2 : memref<3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %s1 : memref<3x97xf32>, memref<3xf32>) outs(%s2 : memref<3xf32>) {
  ^bb0(%a: f32, %mx: f32, %acc: f32):
    %d = arith.subf %a, %mx : f32
    %e = math.exp %d : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  memref.copy %s2, %scratch : memref<3xf32> to memref<3xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s1, %s2 : memref<3x97xf32>, memref<3xf32>, memref<3xf32>) outs(%out : memref<3x97xf32>) {
  ^bb0(%a: f32, %mx: f32, %sm: f32, %o: f32):
    %d = arith.subf %a, %mx : f32
    %e = math.exp %d : f32
    %p = arith.divf %e, %sm : f32
    linalg.yield %p : f32
  }
  return
}

func.func @fill_softmax_97_x(%m: memref<3x97xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%m : memref<3x97xf32>) {
  ^bb0(%o: f32):
    %z = arith.constant 0 : index
    %i0 = linalg.index 0 : index
    %s0 = arith.constant 3 : index
    %m0 = arith.muli %z, %s0 : index
    %a0 = arith.addi %m0, %i0 : index
    %i1 = linalg.index 1 : index
    %s1 = arith.constant 97 : index
    %m1 = arith.muli %a0, %s1 : index
    %a1 = arith.addi %m1, %i1 : index
    %k = arith.constant 7 : index
    %p = arith.muli %a1, %k : index
    %q = arith.constant 101 : index
    %r = arith.remui %p, %q : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %sc = arith.constant 0.0625 : f32
    %g = arith.mulf %f, %sc : f32
    %off = arith.constant -1.25 : f32
    %v = arith.addf %g, %off : f32
    linalg.yield %v : f32
  }
  return
}

func.func @count_softmax_97_out(%a: memref<3x97xf32>, %e: memref<3x97xf32>) {
  %ca = memref.collapse_shape %a [[0, 1]] : memref<3x97xf32> into memref<291xf32>
  %ce = memref.collapse_shape %e [[0, 1]] : memref<3x97xf32> into memref<291xf32>
  %c = memref.alloca() : memref<f32>
  %zero = arith.constant 0.0 : f32
  memref.store %zero, %c[] : memref<f32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%ca, %ce : memref<291xf32>, memref<291xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %xf = arith.addf %x, %zero : f32
    %yf = arith.addf %y, %zero : f32
    %d = arith.subf %xf, %yf : f32
    %ad = math.absf %d : f32
    %ay = math.absf %yf : f32
    %one = arith.constant 1.0 : f32
    %r = arith.addf %ay, %one : f32
    %tol = arith.constant 1.0e-4 : f32
    %lim = arith.mulf %r, %tol : f32
    %bad = arith.cmpf ugt, %ad, %lim : f32
    %b1 = arith.uitofp %bad : i1 to f32
    %s = arith.addf %acc, %b1 : f32
    linalg.yield %s : f32
  }
  %v = memref.load %c[] : memref<f32>
  vector.print %v : f32
  return
}

func.func @main() {
  %ln_res_3_x = memref.alloc() : memref<1x1x3xf32>
  %ln_res_3_y = memref.alloc() : memref<1x1x3xf32>
  %ln_res_3_g = memref.alloc() : memref<3xf32>
  %ln_res_3_b = memref.alloc() : memref<3xf32>
  %ln_res_3_out = memref.alloc() : memref<1x1x3xf32>
  %ln_res_3_out_ref = memref.alloc() : memref<1x1x3xf32>
  %ln_res_3_res = memref.alloc() : memref<1x1x3xf32>
  %ln_res_3_res_ref = memref.alloc() : memref<1x1x3xf32>
  %ln_res_3_mean = memref.alloc() : memref<1x1xf32>
  %ln_res_3_mean_ref = memref.alloc() : memref<1x1xf32>
  call @fill_ln_res_3_x(%ln_res_3_x) : (memref<1x1x3xf32>) -> ()
  call @fill_ln_res_3_y(%ln_res_3_y) : (memref<1x1x3xf32>) -> ()
  call @fill_ln_res_3_g(%ln_res_3_g) : (memref<3xf32>) -> ()
  call @fill_ln_res_3_b(%ln_res_3_b) : (memref<3xf32>) -> ()
  call @chain_ln_res_3(%ln_res_3_x, %ln_res_3_y, %ln_res_3_g, %ln_res_3_b, %ln_res_3_out, %ln_res_3_res, %ln_res_3_mean) : (memref<1x1x3xf32>, memref<1x1x3xf32>, memref<3xf32>, memref<3xf32>, memref<1x1x3xf32>, memref<1x1x3xf32>, memref<1x1xf32>) -> ()
  call @ref_ln_res_3(%ln_res_3_x, %ln_res_3_y, %ln_res_3_g, %ln_res_3_b, %ln_res_3_out_ref, %ln_res_3_res_ref, %ln_res_3_mean_ref) : (memref<1x1x3xf32>, memref<1x1x3xf32>, memref<3xf32>, memref<3xf32>, memref<1x1x3xf32>, memref<1x1x3xf32>, memref<1x1xf32>) -> ()
  call @count_ln_res_3_out(%ln_res_3_out, %ln_res_3_out_ref) : (memref<1x1x3xf32>, memref<1x1x3xf32>) -> ()
  call @count_ln_res_3_res(%ln_res_3_res, %ln_res_3_res_ref) : (memref<1x1x3xf32>, memref<1x1x3xf32>) -> ()
  call @count_ln_res_3_mean(%ln_res_3_mean, %ln_res_3_mean_ref) : (memref<1x1xf32>, memref<1x1xf32>) -> ()
  %ln_res_97_x = memref.alloc() : memref<2x3x97xf32>
  %ln_res_97_y = memref.alloc() : memref<2x3x97xf32>
  %ln_res_97_g = memref.alloc() : memref<97xf32>
  %ln_res_97_b = memref.alloc() : memref<97xf32>
  %ln_res_97_out = memref.alloc() : memref<2x3x97xf32>
  %ln_res_97_out_ref = memref.alloc() : memref<2x3x97xf32>
  %ln_res_97_res = memref.alloc() : memref<2x3x97xf32>
  %ln_res_97_res_ref = memref.alloc() : memref<2x3x97xf32>
  %ln_res_97_mean = memref.alloc() : memref<2x3xf32>
  %ln_res_97_mean_ref = memref.alloc() : memref<2x3xf32>
  call @fill_ln_res_97_x(%ln_res_97_x) : (memref<2x3x97xf32>) -> ()
  call @fill_ln_res_97_y(%ln_res_97_y) : (memref<2x3x97xf32>) -> ()
  call @fill_ln_res_97_g(%ln_res_97_g) : (memref<97xf32>) -> ()
  call @fill_ln_res_97_b(%ln_res_97_b) : (memref<97xf32>) -> ()
  call @chain_ln_res_97(%ln_res_97_x, %ln_res_97_y, %ln_res_97_g, %ln_res_97_b, %ln_res_97_out, %ln_res_97_res, %ln_res_97_mean) : (memref<2x3x97xf32>, memref<2x3x97xf32>, memref<97xf32>, memref<97xf32>, memref<2x3x97xf32>, memref<2x3x97xf32>, memref<2x3xf32>) -> ()
  call @ref_ln_res_97(%ln_res_97_x, %ln_res_97_y, %ln_res_97_g, %ln_res_97_b, %ln_res_97_out_ref, %ln_res_97_res_ref, %ln_res_97_mean_ref) : (memref<2x3x97xf32>, memref<2x3x97xf32>, memref<97xf32>, memref<97xf32>, memref<2x3x97xf32>, memref<2x3x97xf32>, memref<2x3xf32>) -> ()
  call @count_ln_res_97_out(%ln_res_97_out, %ln_res_97_out_ref) : (memref<2x3x97xf32>, memref<2x3x97xf32>) -> ()
  call @count_ln_res_97_res(%ln_res_97_res, %ln_res_97_res_ref) : (memref<2x3x97xf32>, memref<2x3x97xf32>) -> ()
  call @count_ln_res_97_mean(%ln_res_97_mean, %ln_res_97_mean_ref) : (memref<2x3xf32>, memref<2x3xf32>) -> ()
  %ln_res_385_bf16_x = memref.alloc() : memref<1x385xf32>
  %ln_res_385_bf16_y = memref.alloc() : memref<1x385xf32>
  %ln_res_385_bf16_g = memref.alloc() : memref<385xf32>
  %ln_res_385_bf16_b = memref.alloc() : memref<385xf32>
  %ln_res_385_bf16_out = memref.alloc() : memref<1x385xbf16>
  %ln_res_385_bf16_out_ref = memref.alloc() : memref<1x385xbf16>
  call @fill_ln_res_385_bf16_x(%ln_res_385_bf16_x) : (memref<1x385xf32>) -> ()
  call @fill_ln_res_385_bf16_y(%ln_res_385_bf16_y) : (memref<1x385xf32>) -> ()
  call @fill_ln_res_385_bf16_g(%ln_res_385_bf16_g) : (memref<385xf32>) -> ()
  call @fill_ln_res_385_bf16_b(%ln_res_385_bf16_b) : (memref<385xf32>) -> ()
  call @chain_ln_res_385_bf16(%ln_res_385_bf16_x, %ln_res_385_bf16_y, %ln_res_385_bf16_g, %ln_res_385_bf16_b, %ln_res_385_bf16_out) : (memref<1x385xf32>, memref<1x385xf32>, memref<385xf32>, memref<385xf32>, memref<1x385xbf16>) -> ()
  call @ref_ln_res_385_bf16(%ln_res_385_bf16_x, %ln_res_385_bf16_y, %ln_res_385_bf16_g, %ln_res_385_bf16_b, %ln_res_385_bf16_out_ref) : (memref<1x385xf32>, memref<1x385xf32>, memref<385xf32>, memref<385xf32>, memref<1x385xbf16>) -> ()
  call @count_ln_res_385_bf16_out(%ln_res_385_bf16_out, %ln_res_385_bf16_out_ref) : (memref<1x385xbf16>, memref<1x385xbf16>) -> ()
  %ln_48_bf16_x = memref.alloc() : memref<5x48xf32>
  %ln_48_bf16_g = memref.alloc() : memref<48xf32>
  %ln_48_bf16_b = memref.alloc() : memref<48xf32>
  %ln_48_bf16_out = memref.alloc() : memref<5x48xbf16>
  %ln_48_bf16_out_ref = memref.alloc() : memref<5x48xbf16>
  call @fill_ln_48_bf16_x(%ln_48_bf16_x) : (memref<5x48xf32>) -> ()
  call @fill_ln_48_bf16_g(%ln_48_bf16_g) : (memref<48xf32>) -> ()
  call @fill_ln_48_bf16_b(%ln_48_bf16_b) : (memref<48xf32>) -> ()
  call @chain_ln_48_bf16(%ln_48_bf16_x, %ln_48_bf16_g, %ln_48_bf16_b, %ln_48_bf16_out) : (memref<5x48xf32>, memref<48xf32>, memref<48xf32>, memref<5x48xbf16>) -> ()
  call @ref_ln_48_bf16(%ln_48_bf16_x, %ln_48_bf16_g, %ln_48_bf16_b, %ln_48_bf16_out_ref) : (memref<5x48xf32>, memref<48xf32>, memref<48xf32>, memref<5x48xbf16>) -> ()
  call @count_ln_48_bf16_out(%ln_48_bf16_out, %ln_48_bf16_out_ref) : (memref<5x48xbf16>, memref<5x48xbf16>) -> ()
  %ln_48_many_x = memref.alloc() : memref<2113x48xf32>
  %ln_48_many_g = memref.alloc() : memref<48xf32>
  %ln_48_many_b = memref.alloc() : memref<48xf32>
  %ln_48_many_out = memref.alloc() : memref<2113x48xf32>
  %ln_48_many_out_ref = memref.alloc() : memref<2113x48xf32>
  call @fill_ln_48_many_x(%ln_48_many_x) : (memref<2113x48xf32>) -> ()
  call @fill_ln_48_many_g(%ln_48_many_g) : (memref<48xf32>) -> ()
  call @fill_ln_48_many_b(%ln_48_many_b) : (memref<48xf32>) -> ()
  call @chain_ln_48_many(%ln_48_many_x, %ln_48_many_g, %ln_48_many_b, %ln_48_many_out) : (memref<2113x48xf32>, memref<48xf32>, memref<48xf32>, memref<2113x48xf32>) -> ()
  call @ref_ln_48_many(%ln_48_many_x, %ln_48_many_g, %ln_48_many_b, %ln_48_many_out_ref) : (memref<2113x48xf32>, memref<48xf32>, memref<48xf32>, memref<2113x48xf32>) -> ()
  call @count_ln_48_many_out(%ln_48_many_out, %ln_48_many_out_ref) : (memref<2113x48xf32>, memref<2113x48xf32>) -> ()
  %ln_192_x = memref.alloc() : memref<1x192xf32>
  %ln_192_g = memref.alloc() : memref<192xf32>
  %ln_192_b = memref.alloc() : memref<192xf32>
  %ln_192_out = memref.alloc() : memref<1x192xf32>
  %ln_192_out_ref = memref.alloc() : memref<1x192xf32>
  call @fill_ln_192_x(%ln_192_x) : (memref<1x192xf32>) -> ()
  call @fill_ln_192_g(%ln_192_g) : (memref<192xf32>) -> ()
  call @fill_ln_192_b(%ln_192_b) : (memref<192xf32>) -> ()
  call @chain_ln_192(%ln_192_x, %ln_192_g, %ln_192_b, %ln_192_out) : (memref<1x192xf32>, memref<192xf32>, memref<192xf32>, memref<1x192xf32>) -> ()
  call @ref_ln_192(%ln_192_x, %ln_192_g, %ln_192_b, %ln_192_out_ref) : (memref<1x192xf32>, memref<192xf32>, memref<192xf32>, memref<1x192xf32>) -> ()
  call @count_ln_192_out(%ln_192_out, %ln_192_out_ref) : (memref<1x192xf32>, memref<1x192xf32>) -> ()
  %rms_res_97_x = memref.alloc() : memref<1x1x97xf32>
  %rms_res_97_y = memref.alloc() : memref<1x1x97xf32>
  %rms_res_97_pos = memref.alloc() : memref<1x1x97xbf16>
  %rms_res_97_g = memref.alloc() : memref<97xbf16>
  %rms_res_97_out = memref.alloc() : memref<1x1x97xbf16>
  %rms_res_97_out_ref = memref.alloc() : memref<1x1x97xbf16>
  %rms_res_97_res = memref.alloc() : memref<1x1x97xf32>
  %rms_res_97_res_ref = memref.alloc() : memref<1x1x97xf32>
  call @fill_rms_res_97_x(%rms_res_97_x) : (memref<1x1x97xf32>) -> ()
  call @fill_rms_res_97_y(%rms_res_97_y) : (memref<1x1x97xf32>) -> ()
  call @fill_rms_res_97_pos(%rms_res_97_pos) : (memref<1x1x97xbf16>) -> ()
  call @fill_rms_res_97_g(%rms_res_97_g) : (memref<97xbf16>) -> ()
  call @chain_rms_res_97(%rms_res_97_x, %rms_res_97_y, %rms_res_97_pos, %rms_res_97_g, %rms_res_97_out, %rms_res_97_res) : (memref<1x1x97xf32>, memref<1x1x97xf32>, memref<1x1x97xbf16>, memref<97xbf16>, memref<1x1x97xbf16>, memref<1x1x97xf32>) -> ()
  call @ref_rms_res_97(%rms_res_97_x, %rms_res_97_y, %rms_res_97_pos, %rms_res_97_g, %rms_res_97_out_ref, %rms_res_97_res_ref) : (memref<1x1x97xf32>, memref<1x1x97xf32>, memref<1x1x97xbf16>, memref<97xbf16>, memref<1x1x97xbf16>, memref<1x1x97xf32>) -> ()
  call @count_rms_res_97_out(%rms_res_97_out, %rms_res_97_out_ref) : (memref<1x1x97xbf16>, memref<1x1x97xbf16>) -> ()
  call @count_rms_res_97_res(%rms_res_97_res, %rms_res_97_res_ref) : (memref<1x1x97xf32>, memref<1x1x97xf32>) -> ()
  %rms_res_192_x = memref.alloc() : memref<2x7x192xf32>
  %rms_res_192_y = memref.alloc() : memref<2x7x192xf32>
  %rms_res_192_pos = memref.alloc() : memref<1x7x192xbf16>
  %rms_res_192_g = memref.alloc() : memref<192xbf16>
  %rms_res_192_out = memref.alloc() : memref<2x7x192xbf16>
  %rms_res_192_out_ref = memref.alloc() : memref<2x7x192xbf16>
  %rms_res_192_res = memref.alloc() : memref<2x7x192xf32>
  %rms_res_192_res_ref = memref.alloc() : memref<2x7x192xf32>
  call @fill_rms_res_192_x(%rms_res_192_x) : (memref<2x7x192xf32>) -> ()
  call @fill_rms_res_192_y(%rms_res_192_y) : (memref<2x7x192xf32>) -> ()
  call @fill_rms_res_192_pos(%rms_res_192_pos) : (memref<1x7x192xbf16>) -> ()
  call @fill_rms_res_192_g(%rms_res_192_g) : (memref<192xbf16>) -> ()
  call @chain_rms_res_192(%rms_res_192_x, %rms_res_192_y, %rms_res_192_pos, %rms_res_192_g, %rms_res_192_out, %rms_res_192_res) : (memref<2x7x192xf32>, memref<2x7x192xf32>, memref<1x7x192xbf16>, memref<192xbf16>, memref<2x7x192xbf16>, memref<2x7x192xf32>) -> ()
  call @ref_rms_res_192(%rms_res_192_x, %rms_res_192_y, %rms_res_192_pos, %rms_res_192_g, %rms_res_192_out_ref, %rms_res_192_res_ref) : (memref<2x7x192xf32>, memref<2x7x192xf32>, memref<1x7x192xbf16>, memref<192xbf16>, memref<2x7x192xbf16>, memref<2x7x192xf32>) -> ()
  call @count_rms_res_192_out(%rms_res_192_out, %rms_res_192_out_ref) : (memref<2x7x192xbf16>, memref<2x7x192xbf16>) -> ()
  call @count_rms_res_192_res(%rms_res_192_res, %rms_res_192_res_ref) : (memref<2x7x192xf32>, memref<2x7x192xf32>) -> ()
  %softmax_10_x = memref.alloc() : memref<2x10xf32>
  %softmax_10_out = memref.alloc() : memref<2x10xf32>
  %softmax_10_out_ref = memref.alloc() : memref<2x10xf32>
  call @fill_softmax_10_x(%softmax_10_x) : (memref<2x10xf32>) -> ()
  call @chain_softmax_10(%softmax_10_x, %softmax_10_out) : (memref<2x10xf32>, memref<2x10xf32>) -> ()
  call @ref_softmax_10(%softmax_10_x, %softmax_10_out_ref) : (memref<2x10xf32>, memref<2x10xf32>) -> ()
  call @count_softmax_10_out(%softmax_10_out, %softmax_10_out_ref) : (memref<2x10xf32>, memref<2x10xf32>) -> ()
  %softmax_97_x = memref.alloc() : memref<3x97xf32>
  %softmax_97_out = memref.alloc() : memref<3x97xf32>
  %softmax_97_out_ref = memref.alloc() : memref<3x97xf32>
  call @fill_softmax_97_x(%softmax_97_x) : (memref<3x97xf32>) -> ()
  call @chain_softmax_97(%softmax_97_x, %softmax_97_out) : (memref<3x97xf32>, memref<3x97xf32>) -> ()
  call @ref_softmax_97(%softmax_97_x, %softmax_97_out_ref) : (memref<3x97xf32>, memref<3x97xf32>) -> ()
  call @count_softmax_97_out(%softmax_97_out, %softmax_97_out_ref) : (memref<3x97xf32>, memref<3x97xf32>) -> ()
  return
}
