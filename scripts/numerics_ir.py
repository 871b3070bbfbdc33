"""IR builders shared by the numerics-test generators (scripts/gen-*-numerics.py):
memref types, affine maps, a deterministic non-zero fill and a mismatch count
against a reference buffer, printed as one number (0 when every element is
within tol * (|want| + 1))."""


# The RUN lines of a row-norms numerics test: ssm-row-norms-to-gpu's emulated
# kernels lowered and run on the CPU (each case prints its mismatch counts),
# and the pass's output checked for fused chains.
ROW_NORMS_EMULATION_RUN_LINES = """\
// RUN: ssm-opt %s --ssm-row-norms-to-gpu=emulate=true --convert-linalg-to-loops \\
// RUN:   --lower-affine --convert-scf-to-cf --expand-strided-metadata \\
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \\
// RUN: | mlir-runner -e main -entry-point-result=void \\
// RUN:   -shared-libs=%mlir_lib_dir/libmlir_runner_utils.so,%mlir_lib_dir/libmlir_c_runner_utils.so \\
// RUN: | FileCheck %s
// Every chain under test was fused, and no reference.
// RUN: ssm-opt %s --ssm-row-norms-to-gpu=emulate=true | FileCheck %s --check-prefix=IR
"""


def mt(shape, t):
    return "memref<" + "x".join(str(s) for s in shape) + "x" + t + ">"


def dims(n, skip=None):
    return ", ".join(f"d{i}" for i in range(n) if i != skip)


def amap(n, res):
    return f"affine_map<({dims(n)}) -> ({res})>"


def fill_fn(name, shape, t, seed, scale):
    n = len(shape)
    par = ", ".join(['"parallel"'] * n)
    L = [f"func.func @fill_{name}(%m: {mt(shape, t)}) {{",
         f"  linalg.generic {{indexing_maps = [{amap(n, dims(n))}], iterator_types = [{par}]}} outs(%m : {mt(shape, t)}) {{",
         f"  ^bb0(%o: {t}):",
         "    %z = arith.constant 0 : index"]
    acc = "%z"
    for i in range(n):
        L += [f"    %i{i} = linalg.index {i} : index",
              f"    %s{i} = arith.constant {shape[i]} : index",
              f"    %m{i} = arith.muli {acc}, %s{i} : index",
              f"    %a{i} = arith.addi %m{i}, %i{i} : index"]
        acc = f"%a{i}"
    L += [f"    %k = arith.constant {seed} : index",
          f"    %p = arith.muli {acc}, %k : index",
          "    %q = arith.constant 101 : index",
          "    %r = arith.remui %p, %q : index",
          "    %ri = arith.index_cast %r : index to i32",
          "    %f = arith.sitofp %ri : i32 to f32",
          f"    %sc = arith.constant {scale} : f32",
          "    %g = arith.mulf %f, %sc : f32",
          "    %off = arith.constant -1.25 : f32",
          "    %v = arith.addf %g, %off : f32"]
    if t == "bf16":
        L += ["    %vt = arith.truncf %v : f32 to bf16", "    linalg.yield %vt : bf16"]
    else:
        L += ["    linalg.yield %v : f32"]
    L += ["  }", "  return", "}", ""]
    return "\n".join(L)


def count_fn(name, shape, t, tol):
    n = len(shape)
    total = 1
    for s in shape:
        total *= s
    coll = "[" + ", ".join(str(i) for i in range(n)) + "]"
    L = [f"func.func @count_{name}(%a: {mt(shape, t)}, %e: {mt(shape, t)}) {{"]
    if n > 1:
        L += [f"  %ca = memref.collapse_shape %a [{coll}] : {mt(shape, t)} into {mt([total], t)}",
              f"  %ce = memref.collapse_shape %e [{coll}] : {mt(shape, t)} into {mt([total], t)}"]
    else:
        L += [f"  %ca = memref.cast %a : {mt(shape, t)} to {mt(shape, t)}",
              f"  %ce = memref.cast %e : {mt(shape, t)} to {mt(shape, t)}"]
    L += ["  %c = memref.alloca() : memref<f32>",
          "  %zero = arith.constant 0.0 : f32",
          "  memref.store %zero, %c[] : memref<f32>",
          f"  linalg.generic {{indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = [\"reduction\"]}} ins(%ca, %ce : {mt([total], t)}, {mt([total], t)}) outs(%c : memref<f32>) {{",
          f"  ^bb0(%x: {t}, %y: {t}, %acc: f32):"]
    if t == "bf16":
        L += ["    %xf = arith.extf %x : bf16 to f32", "    %yf = arith.extf %y : bf16 to f32"]
    else:
        L += ["    %xf = arith.addf %x, %zero : f32", "    %yf = arith.addf %y, %zero : f32"]
    L += ["    %d = arith.subf %xf, %yf : f32",
          "    %ad = math.absf %d : f32",
          "    %ay = math.absf %yf : f32",
          "    %one = arith.constant 1.0 : f32",
          "    %r = arith.addf %ay, %one : f32",
          f"    %tol = arith.constant {tol} : f32",
          "    %lim = arith.mulf %r, %tol : f32",
          "    %bad = arith.cmpf ugt, %ad, %lim : f32",
          "    %b1 = arith.uitofp %bad : i1 to f32",
          "    %s = arith.addf %acc, %b1 : f32",
          "    linalg.yield %s : f32",
          "  }",
          "  %v = memref.load %c[] : memref<f32>",
          "  vector.print %v : f32",
          "  return", "}", ""]
    return "\n".join(L)
