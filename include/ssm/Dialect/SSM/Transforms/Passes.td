//===- Passes.td - ssm transformation passes ---------------*- tablegen -*-===//

#ifndef SSM_DIALECT_SSM_TRANSFORMS_PASSES_TD
#define SSM_DIALECT_SSM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExpandStridedCopies : Pass<"ssm-expand-strided-copies"> {
  let summary = "Turn memref.copy between strided buffers into loops";
  let description = [{
    A `memref.copy` whose source or target is not contiguous lowers to a call
    of `memrefCopy` from MLIR's C runner utilities, which compiled kernels
    cannot depend on. This pass rewrites such copies as `linalg.copy`, which
    becomes plain loops; contiguous copies stay (they lower to memcpy).
    A copy from a view of a buffer to an equal view of it (two subviews with
    the same offsets, sizes and strides, as an in-place `tensor.insert_slice`
    leaves after bufferization) does nothing and is erased.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ApproximateMath : Pass<"ssm-approximate-math"> {
  let summary = "Inline polynomial approximations of exp, log1p, erf, tanh";
  let description = [{
    Replaces f32 `math.exp`, `math.log1p`, `math.erf` and `math.tanh` (and the
    ops they expand to) with MLIR's polynomial approximations: plain
    arithmetic that the vectorizer handles and that needs no libm. Accuracy
    stays within the f32 tolerances of the numerics suite (relative 1e-5),
    which checks it against float64 references.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def OutlineParallelLoops : Pass<"ssm-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Outline top-level parallel loops into thread-pool kernels";
  let description = [{
    Each `scf.parallel` directly in the body of a public function becomes a
    private kernel `@<fn>_par<i>(roots..., %begin: index, %end: index)` that
    runs tiles [begin, end): a tile is one point of the loop's leading
    dimensions (as many as it takes to reach 64 tiles, so batch 1 still
    splits over channels), linearized row-major. The loop is replaced by
    `func.call @__ssm_dispatch_<fn>_par<i>(roots..., tiles)`.
    Roots are the function arguments and allocations the loop reads or
    writes; views of them (subview, reshapes, casts) and constants are
    rematerialized inside the kernel; the roots (the kernel's arguments) and
    the rematerialized ops come in the order the loop first uses them, so
    loops equal up to their buffers give equal kernels (see
    ssm-dedupe-kernels). The CPU target turns each dispatch call
    into a call of the runtime's parallel-for (or a direct call when none is
    installed). Loops whose first dimension has non-constant bounds, or that
    capture other values, stay as they are.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def HoistStaticAllocas : Pass<"ssm-hoist-static-allocas", "::mlir::func::FuncOp"> {
  let summary = "Move statically sized stack buffers out of loops";
  let description = [{
    A `memref.alloca` inside a loop that lowers to a plain CFG loop grows the
    stack on every iteration (no stack save/restore is emitted). On the CPU,
    every loop left at this point runs sequentially within one call of its
    function (parallel loops were outlined into kernels, each call on one
    thread), so a statically sized alloca can move to the function entry and
    be reused by every iteration: the lowerings initialize such scratch before
    reading it in each iteration.
  }];
}

def PromoteLoopAccumulators
    : Pass<"ssm-promote-loop-accumulators", "::mlir::func::FuncOp"> {
  let summary = "Keep a sequential loop's accumulator in a register";
  let description = [{
    Lowering a linalg reduction to loops reads and writes its output element
    in memory on every iteration of the reduction loop (`memref.load %out[i]`
    ... `memref.store %v, %out[i]` with `i` invariant in the loop). On a GPU
    that is a global-memory round trip per step: a reduction over 192 channels
    of FastVim's channel-first norm ran 20x slower than its loads alone.

    For each `scf.for` whose body loads and stores one memref at the same
    loop-invariant indices, the load moves before the loop, the value is
    carried as an `iter_arg`, and the store moves after it. Applied only when
    that store is the loop body's only memory write (nested regions
    included) and the memref has no other access in the body, so the loop
    reads exactly what it did before: other memrefs could only alias the
    accumulator if a reduction's input overlapped its own output, which
    bufferization never produces (and would race across GPU threads).
    Innermost loops first, so a nest of reduction loops promotes level by
    level.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect"];
}

def NameKernelsByModule : Pass<"ssm-name-kernels-by-module", "::mlir::ModuleOp"> {
  let summary = "Give each GPU kernel entry its gpu.module's unique name";
  let description = [{
    Outlining names every kernel after its host function (`forward_kernel`,
    `train_step_kernel`), so a profiler or compute-sanitizer report cannot
    tell the hundreds of kernels of a model apart. The entry of each
    gpu.module with a single kernel is renamed to the module's name (unique
    in the module: `forward_kernel_17`), launches updated. Runs after
    ssm-dedupe-kernels, so a shared kernel keeps its first module's name.
  }];
}

def ReassociateReductions : Pass<"ssm-reassociate-reductions"> {
  let summary = "Allow reassociation in the bodies of linalg reductions";
  let description = [{
    Marks the floating-point `arith` ops in the body of every linalg op with a
    reduction iterator `fastmath<reassoc, contract>`, so LLVM may vectorize
    the reduction loops (dot products of matmuls, norms' sums) and fuse
    multiply-adds. Only the summation order changes; no NaN/Inf or
    approximation liberties are taken. The numerics suite bounds the effect
    (f32 relative error 1e-5 against float64 references).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def InterchangeForLocality : Pass<"ssm-interchange-for-locality"> {
  let summary = "Make the innermost loop of each linalg op the most contiguous";
  let description = [{
    Generalizes linalg ops and interchanges their loops so that the innermost
    loop is the one most operands access with unit stride (the last index of
    their map), counting an operand that indexes it elsewhere against it. A
    channel-first 1x1 convolution `out[b,o,p] = sum_c W[o,c] x[b,c,p]` then
    runs its pixel loop innermost (a contiguous multiply-add over p) instead
    of a strided reduction over c. The other loops are ordered parallel
    first, so that a reduction over the leading dimensions (a weight
    gradient's sum over tokens) runs inside a parallel loop the thread pool
    can split. Loop order only: results are unchanged.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def FuseElementwise : Pass<"ssm-fuse-elementwise"> {
  let summary = "Fuse chains of elementwise linalg ops into one loop nest";
  let description = [{
    Fuses an elementwise (all-parallel) linalg producer into an elementwise
    consumer, so chains such as bias + activation + gate become one loop nest
    with no intermediate tensor, and into a reduction that reads each of its
    elements exactly once (its indexing map is a permutation of all loops:
    a residual add into RMSNorm's sum of squares and into its scaling).
    Producers are not fused into reductions that read an element several
    times (matmul operands), where they would be recomputed each time, except
    a widening of a 16-bit tensor (one extf per load) into a contraction
    that gemm::matchContraction does not take (VMamba's grouped x_proj and
    dt_proj at batch > 1): that loop nest loads the 16-bit tensor instead of
    an f32 copy that a kernel of its own would store. A GEMM reads its
    16-bit operand through the widening (the GEMM lowering loads it).
    Named transposes are generalized first, so a layout change fuses like any
    elementwise op (the permutation becomes an indexing map).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SplitGroupedContractions
    : Pass<"ssm-split-grouped-contractions", "::mlir::func::FuncOp"> {
  let summary = "Split a contraction with a second, small batch dim into GEMMs";
  let description = [{
    A mul-add contraction (one reduction loop, zero-filled init) that
    gemm::matchContraction rejects because it has two batch dims, e.g.
    VMamba's per-direction projections at batch > 1,

      out[b, k, c, l] = sum_d W[k, c, d] * xs[b, k, d, l]   (k = 4)

    becomes one contraction per index of the small one (k), each over
    `tensor.extract_slice`s of its inputs (W[k] a plain 2-D weight, xs[:, k]
    batched over b with xs's own b stride) and writing a zero-filled
    `tensor.extract_slice` of one destination, assembled by
    `tensor.insert_slice` (one-shot bufferization writes every piece in
    place). A sliced input that only widens a 16-bit tensor is sliced
    before the widening, so the GEMM lowerings still read 16 bits. A group
    dim is split only where every piece is a GEMM that gemm::matchContraction
    takes and gemm::shouldSplitGroups agrees (a dim of at most 8). Runs
    after autodiff, so the adjoint contractions of the same form split too.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SplitConcatConsumers
    : Pass<"ssm-split-concat-consumers", "::mlir::func::FuncOp"> {
  let summary = "Read a concat's pieces directly in the linalg ops it feeds";
  let description = [{
    A `tensor.concat` read only by linalg.generic ops that are parallel along
    the concatenated dimension (every indexing map a projected permutation,
    no `linalg.index`, each output indexed by that loop) is never
    materialized: each such generic becomes one generic per piece, reading
    the piece itself and the matching slices of its other operands, and
    writing its slice of the original outputs (`tensor.extract_slice` /
    `tensor.insert_slice`). After empty-tensor elimination every piece's
    generic writes straight into its slice of the one output buffer, so the
    concat costs neither a buffer nor a copy kernel per piece (MambaOut's
    `gelu(g) * concat(i, conv(c))`). A piece that only widens a 16-bit
    tensor (ssm-narrow-activations puts such a widening in front of a concat
    whose other pieces stay f32) is read as the 16-bit tensor: the piece's
    generic widens what it loads, and the widening is erased.

    Concats with any other reader are left alone (the tensor would be built
    anyway, and splitting its readers would only add loop nests). Runs in
    the lowering pipeline, after autodiff, which differentiates the concat
    itself.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SinkTensorInits : Pass<"ssm-sink-tensor-inits", "::mlir::func::FuncOp"> {
  let summary = "Give each use of an empty tensor or a fill its own copy, at the use";
  let description = [{
    Every `tensor.empty`, and every `linalg.fill` of one, is repeated right
    before each of its users and the original erased. CSE merges all empties
    (and equal fills) of a type into the first one, which in a gradient
    function is a forward op shared with adjoints deep in the backward; after
    bufferization that is a buffer allocated, written in place or copied in
    the forward and live until the backward. With one copy per use, each
    buffer is allocated where it is first written. Run before bufferization.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def NarrowActivations : Pass<"ssm-narrow-activations", "::mlir::func::FuncOp"> {
  let summary = "Store a 16-bit model's intermediates between kernels in 16 bits";
  let description = [{
    For a function with `ssm.activation_type = bf16` (or f16), which the model
    builders set on bf16 models: every f32 tensor that will be stored between
    two kernels, and whose producer can round it as it stores it, is stored
    in that type instead; every kernel still computes in f32 (its loads
    widen, its stores round). Runs on the tensor graph, before the ssm ops
    are lowered; the kernel boundaries are those ssm-fuse-elementwise will
    leave:
    - the ssm ops that compute (`causal_conv1d`, `selective_scan`) store
      their result in 16 bits (`out_type`), and the ones that move data
      (`flip`, `cross_scan`, `cross_merge`, `axis_pool`, `axis_broadcast`)
      follow their input's type;
    - an elementwise `linalg.generic` whose result is read by an ssm op, a
      reshape or slice, or a GEMM gets a rounding (`arith.truncf` generic)
      that ssm-fuse-elementwise fuses into it.
    The readers of a narrowed value: ssm ops read it directly (the scan's
    `u`, `delta`, `B`, `C`, `z` may each be 16-bit), and so does a depthwise
    2-D conv (`linalg.depthwise_conv_2d_nhwc_hwc` / `_nchw_chw`) as its input,
    widening each element it loads into its f32 output; a `linalg.generic`
    reads it through a widening (`arith.extf` generic) that fuses into it or
    that a GEMM absorbs; a rounding of it to the same type (a GEMM operand of
    the builders) is dropped, since it is exact. Readers that only move data
    take the 16-bit tensor and give a 16-bit result, whose own readers must
    then take it too: reshapes and slices, a `tensor.pad` with a zero value
    (it pads with a 16-bit zero), a `linalg.transpose` and a generic that
    only permutes its input (each writes a fresh 16-bit tensor; a permuting
    generic whose readers do not all take 16 bits fuses the widening
    instead). A piece of a `tensor.concat` whose other pieces stay f32 is
    widened in front of the concat when ssm-split-concat-consumers will
    split every reader of the concat per piece, which folds the widening
    into the piece's generic (a concat whose readers are not all such
    generics keeps its pieces f32; values are narrowed one at a time, so a
    concat or insert_slice of several values that could all be 16-bit stays
    f32). A value is narrowed only when every reader is one of these, so no
    widening ends up as a kernel of its own.
    Never narrowed: function results (the logits), the results of reductions
    (norm statistics), ops tagged `ssm.keep_f32` (the residual stream), and
    the scan's `A`, `D`, `delta_bias` and last state. Functions without the
    attribute are left unchanged.

    With `narrow-contractions` (the GPU pipeline) GEMM results are narrowed
    too, by the same reader rules: the contraction keeps its f32 init and
    accumulation, and a rounding generic (`arith.truncf`) becomes its only
    reader, which ssm-fuse-elementwise leaves in place and
    convert-linalg-to-gpu-gemm folds into the GEMM's epilogue (one rounding
    at the store, a 16-bit C). Only a contraction that gemm::matchContraction
    takes, whose init is a zero fill or a bias along n stored in the 16-bit
    type, and none of whose readers (through views) is tagged
    `ssm.keep_f32`: a GEMM feeding the residual stream (Vim's out_proj), one
    accumulated onto another value, or one with a bias along m or in f32
    (which ssm-split-gemm-bias would move out of the GEMM, and the rounding
    with it; VMamba's channel-first fc1 and the patch and downsample convs
    have their bias along m) stays f32. So does a contraction that
    gemm::matchContraction rejects (VMamba's grouped x_proj and dt_proj at
    batch > 1: two batch dims), whose loop nest has no rounding epilogue.
    GEMM results have the readers above: MambaOut's fc1 (slices read by the
    gate, by a zero pad in front of the depthwise conv, and by a concat with
    the conv's output) and VMamba's in_proj (a zero pad in front of its
    conv) store bf16. Without the option (the CPU, whose GEMM lowering has
    no 16-bit output) GEMM results stay f32.

    With `round-flips` (the GPU pipeline, whose scan kernel does not read
    through flips: each flip of a scan operand is a copy kernel) an f32 flip
    read only by scans is rounded too (the rounding fuses into the flip's
    kernel, e.g. Vim's flipped gate z). The CPU scan reads through flips, so
    there the flip stays f32 and costs no kernel.
  }];
  let options = [
    Option<"roundFlips", "round-flips", "bool", /*default=*/"false",
           "also round f32 flips read only by scans (targets whose scan "
           "kernel materializes its flipped operands)">,
    Option<"narrowContractions", "narrow-contractions", "bool",
           /*default=*/"false",
           "also store GEMM results in 16 bits, rounded in the GEMM's "
           "epilogue (targets whose GEMM lowering folds the rounding: "
           "convert-linalg-to-gpu-gemm)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def CopyRepeatedResults : Pass<"ssm-copy-repeated-results", "::mlir::func::FuncOp"> {
  let summary = "Give every returned tensor its own buffer";
  let description = [{
    A function that returns the same tensor more than once (`return %a, %a`)
    gets a copy (`bufferization.alloc_tensor() copy(%a)`) for each repeat, so
    that after bufferization every result is a distinct buffer the runtime
    can own as a separate output. (MLIR 22.1's buffer-results-to-out-params
    with hoisted allocations crashes on a repeated result.)
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def PlanWorkspace : Pass<"ssm-plan-workspace", "::mlir::ModuleOp"> {
  let summary = "Place an entry's intermediate buffers in one planned workspace";
  let description = [{
    For each public function, the statically shaped top-level allocations
    (the intermediates left by bufferization) become `memref.view`s into one
    workspace buffer, a new last argument `memref<W x i8>` that the runtime
    allocates through its static memory plan. Offsets come from the buffers'
    live ranges (allocation to last use, views included) with first-fit
    placement by decreasing size, 64-byte aligned, so buffers whose lives do
    not overlap share memory. The function gets `ssm.workspace_bytes = W`.
    Buffers that escape (returned) or are used outside the top-level block's
    ops stay heap allocations. `report=N` prints to stderr, per function, the
    op at which the most bytes are live and the N largest buffers live there
    (`ssm-compile --workspace-report=N`).
  }];
  let options = [
    Option<"report", "report", "unsigned", /*default=*/"0",
           "Print the N largest buffers live at each function's peak">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def DedupeKernels : Pass<"ssm-dedupe-kernels", "::mlir::ModuleOp"> {
  let summary = "Keep one copy of each distinct outlined kernel";
  let description = [{
    Repeated layers outline into kernels that are identical up to their
    names: the thread-pool kernels of ssm-outline-parallel-loops
    (`func.func private @<fn>_par<i>` with its `@__ssm_dispatch_<fn>_par<i>`
    declaration) and the `gpu.module`s of gpu-kernel-outlining. This pass
    keeps the first of each class of equal kernels, points every use of the
    others (calls of their dispatch declarations, `gpu.launch_func`, any
    other symbol reference) at it, and erases the copies, so that code
    generation, the artifact and the runtime's module loading see each
    distinct kernel once.

    Two kernels are equal when they are the same operation with the same
    attributes apart from their symbol names (and those of the functions
    directly inside a `gpu.module`, matched by position) and their bodies
    are equivalent operation by operation, locations aside
    (`OperationEquivalence`): a kernel that differs in a constant, a shape,
    a referenced global or a launch-bound attribute stays distinct. Only
    private functions and `gpu.module`s are merged; public functions are
    entry points and keep their names.
  }];
}

#endif // SSM_DIALECT_SSM_TRANSFORMS_PASSES_TD
