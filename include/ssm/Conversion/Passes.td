//===- Passes.td - ssm conversion passes -------------------*- tablegen -*-===//

#ifndef SSM_CONVERSION_PASSES_TD
#define SSM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// SSMToSCF
//===----------------------------------------------------------------------===//

def ConvertSSMToSCF : Pass<"convert-ssm-to-scf"> {
  let summary = "Lower ssm ops to explicit loops over buffers";
  let description = [{
    Rewrites every ssm op into `scf.parallel` / `scf.for` loop nests over
    memrefs: operands enter through `bufferization.to_buffer read_only`, each
    result is a fresh `memref.alloc` that leaves through
    `bufferization.to_tensor restrict writable`, so one-shot bufferization
    takes the surrounding tensor program as usual. All arithmetic is f32;
    16-bit values are widened on load and narrowed on store. The outer loops
    are parallel over independent lanes (batch x channel); each scan keeps its
    recurrence sequential per lane, with a static number of states held as
    one vector in registers (B and C transposed once so each step loads them
    contiguously), or in a small local buffer when n is dynamic. A flip along
    time or an axis_pool producing a forward scan's sequence operand, and a
    flip or axis_broadcast consuming its output, are folded into the scan's
    loads and stores: their results are never materialized. Any other flip of
    a static-size dimension becomes a `linalg.generic` with a reversed input
    map, which elementwise fusion folds into an elementwise consumer.

    A forward scan with a static state count runs as planCPUScan decides for
    the target's vectors (`vector-bits`, `vector-registers`): either one
    vector of the n states per channel, or (typically) one vector per state
    across a block of channels, which needs no horizontal sums.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "bits of one SIMD register of the CPU the code is for">,
    Option<"vectorRegisters", "vector-registers", "int64_t", "32",
           "architectural SIMD registers of that CPU">,
    Option<"scalef", "scalef", "bool", "true",
           "that CPU has AVX-512's vscalefps (x86vector.avx512.mask.scalef)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::x86vector::X86VectorDialect",
  ];
}

//===----------------------------------------------------------------------===//
// SSMToGPU
//===----------------------------------------------------------------------===//

def ConvertSSMToGPU : Pass<"convert-ssm-to-gpu"> {
  let summary = "Lower ssm.selective_scan to a dedicated GPU kernel";
  let description = [{
    Rewrites every statically shaped forward `ssm.selective_scan` (without
    `return_last_state`) into a `gpu.launch` over buffers, in the same
    tensor/buffer interface as convert-ssm-to-scf (`bufferization.to_buffer
    read_only` operands, a `memref.alloc` result through
    `bufferization.to_tensor restrict writable`), so one-shot bufferization
    takes the surrounding program. The kernel runs one thread per (b, d)
    channel, `channels-per-block` channels of one batch per block, with the
    n states in registers and a sequential loop over l in tiles of
    `tile-steps` steps. Each tile of u / delta / z (l contiguous) and of B / C
    is staged through shared memory by coalesced loads of the whole block
    (a warp reads consecutive time steps of one channel), the output tile is
    staged back the same way. With `async-copies` (f32 sequences) the tiles
    are double-buffered and filled by `nvgpu.device_async_copy` (cp.async):
    the next tile is requested before the current one is scanned.
    softplus, delta_bias, D and the z gate are
    fused; exp is `math.exp2 afn` of `delta * A * log2(e)` (A pre-scaled
    once per thread; ex2.approx after ssm-nvvm-fast-math), softplus is
    `max(x, 0) + log1p(exp(-|x|))` with an atanh series (accurate also where
    softplus is tiny), divisions are `arith.divf afn`.
    16-bit inputs are widened on load; arithmetic is f32. Other ssm ops and
    unsupported scans are left for convert-ssm-to-scf.

    Chosen by shape (measured on an H200, docs/perf/h100.md run 12): scans
    of fewer than `chunk-max-threads` threads are split into `chunks` of
    whole tiles (enough for `chunk-target-threads` threads, each at least
    `chunk-min-steps` steps) and run as three launches: pass 1 runs each
    chunk from zero state and stores its end states and its sum of delta,
    a combine walks the chunks (h = exp(A * sum) h + end state), pass 2
    runs each chunk from the carried state and writes y. f32 scans of one
    pass and at least `vector-min-length` steps fill the tiles with 16-byte
    vector loads (the aligned vectors covering each row's steps) instead of
    cp.async. Every other scan of at most `prefetch-max-states` states with
    synchronous scalar fills prefetches (run 13): tile k+1's global loads are
    issued into registers before tile k's steps and stored to shared memory
    after them, with 16-step tiles (`tile-steps` 0); chunked ones among them
    evaluate 2 of each thread's decays by the FMA-pipe polynomial
    (`poly-exp-states` -1).

    Statically shaped `ssm.selective_scan_grad` becomes three launches
    (SelectiveScanGrad.cpp): zero the atomic accumulators; the backward scan
    (`grad-lanes-per-channel` lanes per channel, a forward pass storing only
    the states at tile starts, then tiles last to first: states recomputed
    from the checkpoint, the adjoint state backwards, dB / dC summed per
    block in shared memory and added with f32 atomics, so their summation
    order is not deterministic); for 16-bit B / C, a conversion of the f32
    dB / dC accumulators.
  }];
  // GPUKernelOptions (SSMToGPU.h) holds these with the same defaults
  // (checked by test/Conversion/SSMToGPU/default-options.mlir).
  let options = [
    Option<"crossScanSteps", "cross-scan-steps", "int64_t", "4",
           "VMamba's cross_scan -> selective_scan -> cross_merge chain as one "
           "kernel (u read through the index maps, y merged in shared "
           "memory; no xs / ys tensors) with this many steps per lane (4 or "
           "8); 0: no fusion">,
    Option<"channelsPerBlock", "channels-per-block", "int64_t", "64",
           "Channels (threads) per block; halved while it does not divide the "
           "channels of a B/C group">,
    Option<"tileSteps", "tile-steps", "int64_t", "0",
           "Time steps per shared-memory tile (halved until the tiles fit "
           "in 48 KiB of static shared memory); 0: chosen by shape (16 for "
           "kernels that prefetch, 32 otherwise)">,
    Option<"unrollSteps", "unroll-steps", "int64_t", "2",
           "Scan steps per iteration of the step loop">,
    Option<"lanesPerChannel", "lanes-per-channel", "int64_t", "1",
           "Threads per channel, each owning n / lanes states; y is summed "
           "across them with butterfly shuffles (halved until it divides n)">,
    Option<"polyExpStates", "poly-exp-states", "int64_t", "-1",
           "States per thread whose decay exp2 is a polynomial on the FMA "
           "pipe instead of ex2.approx on the multi-function unit; -1: "
           "chosen by shape (2 for chunked scans that prefetch, 0 "
           "otherwise)">,
    Option<"channelsPerThread", "channels-per-thread", "int64_t", "1",
           "Channels per thread (register blocking over d, one lane per "
           "channel): each step's B/C shared loads serve all of them">,
    Option<"asyncMinLength", "async-min-length", "int64_t", "512",
           "f32 scans of at least this many steps use the cp.async tiles "
           "(0: only with async-copies)">,
    Option<"maxSharedMemory", "max-shared-memory", "int64_t", "102400",
           "Bytes of shared memory the tiles may use; above 48 KiB they are "
           "dynamic shared memory (the runtime opts the kernel in)">,
    Option<"asyncCopies", "async-copies", "bool", "false",
           "f32 sequences: double-buffered tiles filled by cp.async "
           "(nvgpu.device_async_copy), tile k+1 in flight while tile k is "
           "scanned">,
    Option<"chunks", "chunks", "int64_t", "0",
           "Chunks of the steps, scanned in parallel (pass 1: end states "
           "from zero, combine: carries, pass 2: outputs); 0: chosen by "
           "shape, 1: one pass">,
    Option<"chunkMaxThreads", "chunk-max-threads", "int64_t", "16384",
           "Chosen chunks: only for scans of fewer threads than this">,
    Option<"chunkTargetThreads", "chunk-target-threads", "int64_t", "262144",
           "Chosen chunks: enough for this many threads in all">,
    Option<"chunkMinSteps", "chunk-min-steps", "int64_t", "256",
           "Chosen chunks: at least this many steps each">,
    Option<"vectorLoads", "vector-loads", "bool", "false",
           "Synchronous tile fills read u / delta / z by 16-byte vectors "
           "(aligned vectors covering each row's tile)">,
    Option<"vectorMinLength", "vector-min-length", "int64_t", "512",
           "f32 scans of one pass and at least this many steps use 16-byte "
           "vector fills instead of cp.async (0: only with vector-loads)">,
    Option<"prefetchMaxStates", "prefetch-max-states", "int64_t", "16",
           "Scalar synchronous tile fills of scans with at most this many "
           "states prefetch the next tile into registers during the current "
           "tile's steps (0: never)">,
    Option<"gradLanesPerChannel", "grad-lanes-per-channel", "int64_t", "4",
           "selective_scan_grad kernel: threads per channel, each owning n / "
           "lanes states (a power of two dividing n, at most 32)">,
    Option<"gradChannelsPerBlock", "grad-channels-per-block", "int64_t", "0",
           "selective_scan_grad kernel: channels per block (0: 128 threads' "
           "worth); lowered until it divides a B/C group">,
    Option<"gradTileSteps", "grad-tile-steps", "int64_t", "8",
           "selective_scan_grad kernel: steps per shared tile and per "
           "recomputed block of states">,
    Option<"gradMaxSharedMemory", "grad-max-shared-memory", "int64_t", "49152",
           "selective_scan_grad kernel: shared memory bytes per block "
           "(dynamic above 48 KiB)">,
    Option<"gradReduceLanes", "grad-reduce-lanes", "int64_t", "1",
           "selective_scan_grad kernel: lanes summing one dB / dC element "
           "over the block's channels (rows split, 4 loads in flight, "
           "shuffles)">,
    Option<"gradRecomputeDecays", "grad-recompute-decays", "bool", "false",
           "selective_scan_grad kernel: recompute exp(delta A) in the "
           "backward sweep instead of keeping the tile's decays in "
           "registers">,
    Option<"gradPrefetch", "grad-prefetch", "bool", "false",
           "selective_scan_grad kernel: load the next tile's inputs before "
           "the current tile's steps, store them to shared memory after">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def SplitGemmBias : Pass<"ssm-split-gemm-bias", "::mlir::ModuleOp"> {
  let summary = "Add the biases a GPU GEMM library cannot take in the "
                "elementwise consumers";
  let description = [{
    A GEMM contraction whose init broadcasts a bias the vendor library cannot
    add in its epilogue (gemmLibraryTakesBias: along m, as every 1x1
    convolution and linear layer of a channel-first model has, or a bf16
    bias) would run entirely on the compiler's SIMT kernel: on the H100 that
    was a third of VMamba-T's forward. This pass gives such a contraction a
    zero init and adds the bias in a new elementwise generic after it, which
    ssm-fuse-elementwise then folds into the consumers (GELU, the residual
    add), so the GEMM itself goes to cuBLASLt's tensor cores. The sum is
    rounded once more (bias + sum instead of accumulating onto the bias).
    Since ssm-fuse-elementwise does not fuse through reshapes, the add goes
    after the `tensor.expand_shape` / `collapse_shape` ops that are, one
    after the other, the contraction result's only readers (a channel-first
    GEMM's b x m x (h*w) result expanded to the image), with the bias's map
    rewritten in their dims; it stops at a reshape that splits the bias's
    dim, or merges it with another dim larger than 1, and at a value with
    several readers (the add then stays before them, once). A bias widened
    by a generic of its own is read in 16 bits and widened in the add.
    A contraction accumulating onto any other tensor (a backward pass adds
    the gradient of each use of a value onto the others': Vim's input
    gradient of in_proj ran as a thread-per-output loop, 10% of a Vim-T
    train step) is split the same way: the GEMM starts from zero and an
    elementwise generic adds the tensor (reshaped like the result, when the
    add goes after reshapes).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def SplitReductions : Pass<"ssm-split-reductions", "::mlir::ModuleOp"> {
  let summary = "Split long reductions with few outputs into partial sums "
                "and a short final sum";
  let description = [{
    The generic GPU mapping runs a reduction as one thread per output summing
    the whole reduction. A backward pass's weight gradients have few outputs
    and sum over every token of the batch: the causal conv's (384 x 4
    outputs over 128 x 197 steps) took 24 ms per call on the H100, 63% of a
    Vim-T train step. For each tensor `linalg.generic` whose output is
    indexed by all its parallel loops (in any loop order), with one f32 or
    f64 output accumulated by `arith.addf` (the train step's global gradient
    norm is a chain of such f64 sums, one per parameter, each to a single
    output, which a single warp walked) and a body free of `linalg.index`,
    and which
    planSplitReduction (KernelPlans.h) splits, reduction loop `r` of extent E
    becomes a new outermost parallel loop `s` (the split) and a reduction loop
    `r'` of E / splits (the inputs read `s * E / splits + r'`): the first
    generic writes zero-initialised partials [splits, outputs...], a second
    adds them onto the original init. The float sum is reassociated
    (partials), as the row reductions' are.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "the GPU the plan is for (getGPUTargetInfo)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertLinalgToGPUGemm : Pass<"convert-linalg-to-gpu-gemm", "::mlir::ModuleOp"> {
  let summary = "Lower linalg GEMM contractions to a tiled GPU kernel with a "
                "library-call descriptor";
  let description = [{
    Rewrites every statically shaped `linalg.generic` contraction of the form
    C[(b,) m, n] (+)= A[.. m, k ..] * B[.. k, n ..] (the dims of A and B in
    any order, the batch dim optional in each input; f32, or bf16 widened in
    the body or by an identity `arith.extf` producer; m and n may each be a
    run of adjacent dims, collapsed, e.g. NHWC tokens), whose init is a zero
    fill or a broadcast bias along m or n, optionally followed by a ReLU
    consumer, into a `gpu.launch_func` of a kernel in the `gpu.module`
    `@ssm_gemm_kernels`: 64x64 output tiles per 256-thread block, 16-deep k
    tiles staged through shared memory (coalesced, 16-byte vector loads
    where the contiguous extent allows), 4x4 outputs per thread in
    registers, bias and ReLU fused into the store. The launch carries an
    `ssm.library_call` dictionary (op, m/n/k, batch, element strides,
    epilogue) that the artifact writer records so the runtime may run a
    vendor library GEMM instead.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def GemmReductionsToK : Pass<"ssm-gemm-reductions-to-k", "::mlir::ModuleOp"> {
  let summary = "Give contractions over several reduction loops one k dim, "
                "so they match as GEMMs";
  let description = [{
    A backward pass's weight gradients are contractions over the batch and
    the tokens at once, dW[o, i] = sum over (b, l) of dY[b, o, l] X[b, i, l],
    which the GEMM matchers (one reduction loop, the GEMM's k) do not take:
    they ran as one thread (GPU) or one loop nest (CPU) per weight element.
    For each tensor `linalg.generic` whose body is out + x * y over its two
    inputs, whose output is indexed by all its parallel loops, and whose
    inputs each hold every reduction loop, each input is transposed
    (`linalg.transpose`, only when needed) so its reduction dims come last
    in loop order and collapsed into one dim; the contraction then has a
    single reduction loop over that k and goes to cuBLASLt / the CPU BLAS.
    The copies cost one pass over each input.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertLinalgToCPUGemm : Pass<"convert-linalg-to-cpu-gemm", "::mlir::ModuleOp"> {
  let summary = "Offer the CPU's GEMM contractions on buffers to the "
                "runtime's BLAS, the loops as fallback";
  let description = [{
    Every top-level `linalg.generic` of a function body, on buffers, that is
    a GEMM contraction (the matcher convert-linalg-to-gpu-gemm uses; f32
    operands whose collapsed dims have static strides, one of them unit, and
    static offsets) gets a `ssm.library_call`: a private constant
    `memref.global` holding a `LibraryCallRecord` of the runtime's format
    (op gemm, m/n/k, batch, element strides; bias none) and a call
      %done = func.call @__ssm_cpu_gemm(%record, %a, %b, %c, %accumulate)
    with the operands' addresses, which the CPU target lowers onto the
    runtime's hook `ssmrt_cpu_gemm` (a BLAS sgemm). The contraction moves
    into an `scf.if` on `%done == 0`: where the runtime has no library (or
    SSMRT_GEMM=fallback), the loops run as before. A zero `linalg.fill` of
    C right before the contraction moves into the fallback too and the
    library overwrites C (`%accumulate` = 0); any other init stays, and the
    library adds A * B to it (`%accumulate` = 1).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def SSMReductionsInnermost : Pass<"ssm-reductions-innermost"> {
  let summary = "Put the reduction loops of linalg ops innermost (GPU)";
  let description = [{
    Interchanges every linalg op outside a GPU kernel that has both parallel
    and reduction loops so that all parallel loops come first (in their
    order) and the reductions last. convert-linalg-to-parallel-loops then
    emits one scf.parallel over every output element with the reduction as
    a sequential loop inside it, which ssm-distribute-parallel-loops turns
    into one thread per output element. Without it, a reduction between two
    parallel dimensions (a mean over the tokens of [b, l, c]) splits the
    parallel loops around a sequential one and only the outer ones spread
    over the GPU. Loop order only: results are unchanged.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SSMDepthwiseConvToGPU : Pass<"ssm-depthwise-conv-to-gpu"> {
  let summary = "Depthwise 2-D convolutions, their zero padding and bias, as tiled GPU kernels";
  let description = [{
    Rewrites each stride-1 linalg.depthwise_conv_2d_nhwc_hwc /
    linalg.depthwise_conv_2d_nchw_chw on buffers, outside a GPU kernel, into
    one gpu.launch. Where the conv's input is a buffer that only a zero fill
    and a copy (memref.copy, or a copy / extf linalg.generic) of an unpadded
    input into a subview write (how tensor.pad bufferizes), the kernel reads
    the unpadded input directly, zero outside the image, and the padded
    buffer, its fill and its copy are erased. Where the output's only earlier
    writer is a zero fill or a broadcast of a 1-D bias along the channels
    (optionally widened), it is folded into the accumulator's initial value;
    otherwise the kernel adds the output's initial contents.

    planDepthwiseConv (KernelPlans.h) picks the tiling for `chip`: each block
    stages its input tile plus halo in shared memory (f32, widened on load),
    each thread keeps its channel's k x k weights in registers and
    accumulates several outputs in f32 (along W for NHWC, along H for NCHW),
    and stores them, rounded to the output's element type.

    `emulate` (tests only) emits the same kernel as sequential loops over
    blocks and threads (one loop per barrier-separated phase, shared memory
    as a stack buffer), so the kernel's arithmetic can run on the CPU.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "GPU chip whose size the launch plans target (sm_*, gfx942, gfx90a)">,
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "emit the kernel as sequential CPU loops (numeric tests)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    // The row loop's loop_annotation (an LLVM attribute).
    "::mlir::LLVM::LLVMDialect",
  ];
}

def SSMRowNormsToGPU : Pass<"ssm-row-norms-to-gpu"> {
  let summary = "LayerNorm / RMSNorm chains over a row as one kernel (a warp per contiguous row, token tiles for strided rows)";
  let description = [{
    Rewrites, on buffers and outside GPU kernels, each chain that a norm over
    the contiguous last dimension bufferizes into: in one block, a zero-filled
    reduction over the last loop (as ssm-row-reductions-to-gpu matches it),
    more such reductions and per-row elementwise ops on their results (the
    mean from the sum), ending with an all-parallel op over the same rows that
    reads the statistics (normalize and affine); optionally also the
    all-parallel op that produced the row just before (a residual add). Only
    pure ops and allocations may sit between the chain's ops, every row the
    chain reads must be contiguous, and no buffer the kernel writes may
    overlap one it reads. The GPU pipeline runs it before workspace planning,
    so the planner keeps what the kernel reads alive until it.

    The chain becomes one gpu.launch with one warp per row: each lane keeps
    the elements lane, lane + warp, ... of every row the chain reads in
    registers (read once), and each reduction folds them, combines the lanes
    through xor shuffles (as ssm-row-reductions-to-gpu does, so sums are
    reassociated the same way, with the reductions' bodies marked reassoc and
    contract as ssm-reassociate-reductions marks the others later) and adds
    the fill value; the per-row ops run
    in every lane on the results. The reductions' fills go away, and a
    statistic, a per-row result or the produced row is stored only where an
    op outside the chain reads it. planRowNorm (KernelPlans.h) decides
    whether the rows fit in registers and the launch shape for `chip`;
    chains it rejects, and everything else, are left unchanged.

    A chain whose reduction loop is not the last (channel-first buffers: the
    channels strided, the tokens contiguous) is matched the same way, each
    access seen with the reduction loop moved last, where every strided row
    access indexes its unit-stride dimension with the last row loop (per
    channel vectors aside). It becomes a launch of planStridedRowNorm's tiles:
    consecutive rows (threadIdx.x, coalesced) x channel slices (threadIdx.y),
    the slices' partial results combined through a shared buffer per
    reduction that every thread folds in slice order; rows held in registers
    where they fit, else loaded again per pass (the producer then stays
    unfused). Extra threads of the last block compute a clamped row and store
    nothing (they reach the barriers).

    `emulate` (tests only) emits the same per-lane code as sequential loops
    (rows, then lanes, with the lanes' held elements and partial results in
    stack buffers and the shuffle tree as loops), so the kernel's arithmetic
    can run on the CPU.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "GPU chip whose size the launch plans target (sm_*, gfx942, gfx90a)">,
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "emit the kernel as sequential CPU loops (numeric tests)">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def SSMRowReductionsToGPU : Pass<"ssm-row-reductions-to-gpu"> {
  let summary = "Reductions over a contiguous last dimension as warp-per-row kernels";
  let description = [{
    Rewrites each linalg.generic on buffers, outside a GPU kernel, whose last
    loop is its only reduction (sum, max or min into an f32 output; the body
    may compute each element from several inputs, e.g. `(x - mean)^2`) and
    whose inputs read that loop as their contiguous last dimension, into a
    gpu.launch with one warp per output element: lane i folds elements i,
    i + 32, ... of the row, the lanes combine through xor shuffles, and lane
    0 folds in the output's initial value and stores it. planRowReduction
    (KernelPlans.h) makes the choice and the launch shape for `chip` (a warp
    of 32 lanes on NVIDIA, a wavefront of 64 on gfx9); reductions it leaves
    (strided rows, rows shorter than a warp) stay linalg ops and get one
    thread per output from ssm-distribute-parallel-loops. The lanes' partial
    results are combined in a tree, so sums are reassociated.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "GPU chip whose size the launch plans target (sm_*, gfx942, gfx90a)">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def SSMDistributeParallelLoops : Pass<"ssm-distribute-parallel-loops"> {
  let summary = "Spread each top-level scf.parallel over GPU blocks and threads";
  let description = [{
    Every outermost scf.parallel outside a GPU kernel (the loops left by
    convert-linalg-to-parallel-loops and convert-ssm-to-scf for the ops no
    dedicated kernel takes) is collapsed into one linear iteration space and
    split into blocks of threads, one iteration per thread, with the last
    block guarded; the launch shape comes from planParallelLoop
    (KernelPlans.h) for the iteration count and `chip`. Loops nested in the
    body run sequentially in their thread. The loop that indexes the
    unit-stride (last) dimension of the body's loads and stores varies
    fastest with the thread index, so neighbouring threads access
    neighbouring elements: an access votes for loop d where its memref's
    last stride is 1 and its last index is iv_d, or iv_d plus values no
    parallel loop changes (a conv window's ow + kw); planLinearizationOrder
    (KernelPlans.h) weighs the votes (a store twice a load). The winner goes
    last, the other loops keep their order; without a strict winner the
    innermost loop is fastest. The second-fastest loop is chosen the same
    way, so that a warp wider than a row moves on to the next row of the
    same plane: among the accesses that voted for the winner, those whose
    memref is contiguous across its last two dimensions (the static stride
    of dim -2 is the static size of dim -1) vote for the loop that indexes
    dim -2, by the same rules and weights; a strict winner other than the
    fastest goes just before it. An NCHW depthwise conv, whose loops are
    (n, oh, ow, c), runs as (n, c, oh, ow): ow fastest, then oh. The loops
    get explicit gpu mapping attributes, which gpu-map-parallel-loops leaves
    alone.

    A straight-line body (loads, stores and ops without memory effects)
    whose stores provably do not alias its loads at another iteration (other
    allocations, arguments or disjoint byte ranges of one workspace, or the
    same memref and indices as the load) runs several iterations per thread
    on large loops (planParallelLoop's elementsPerThread U, ~16 bytes per
    thread and access stream): thread t runs t, t + S, ..., t + (U - 1) S
    with S = ceil(total / U), so every access stays coalesced; all U copies'
    loads come first, then their arithmetic, then their stores, so each
    thread has U loads in flight. Copies that may run past the end clamp
    their index to the thread's first (in bounds) and skip their stores.

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c100, %c7) step (%c1, %c1) { ... }
    // becomes (700 iterations: 11 blocks of 64 threads on sm_90)
    scf.parallel (%blk) = (%c0) to (%c11) step (%c1) {
      scf.parallel (%t) = (%c0) to (%c64) step (%c1) {
        %lin = %blk * 64 + %t
        scf.if (%lin < 700) { %j = %lin mod 7, %i = %lin / 7 ... }
      } {mapping = [#gpu.loop_dim_map<processor = thread_x, ...>]}
    } {mapping = [#gpu.loop_dim_map<processor = block_x, ...>]}
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "GPU chip whose size the launch plans target (sm_*, gfx942, gfx90a)">,
    Option<"elementsPerThread", "elements-per-thread", "int64_t",
           /*default=*/"0",
           "Iterations per thread of the bodies that allow several; 0: "
           "planParallelLoop decides (tests force small loops to unroll)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def SSMKernelAllocsToPrivate : Pass<"ssm-kernel-allocs-to-private"> {
  let summary = "Per-thread buffers of GPU kernels on the stack, never the "
                "device heap";
  let description = [{
    A buffer bufferization places inside a parallel loop (a per-thread
    temporary, e.g. a 196-step row some backward kernels stage) reaches the
    outlined `gpu.func` as `memref.alloc`, which the GPU lowerings turn into a
    device-side `malloc`. The device heap is small (8 MiB by default), so at
    batch 128 the calls return null and the kernel writes through a null
    pointer (the full-size train steps did). Every statically shaped
    `memref.alloc` in a `gpu.func` becomes a `memref.alloca` (thread-private
    memory: registers or local memory), its `memref.dealloc`s are dropped; a
    dynamically shaped one, or one larger than `max-bytes`, is an error
    naming the kernel.
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", /*default=*/"16384",
           "largest per-thread buffer moved to private memory">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def SSMPadLibraryBuffers : Pass<"ssm-pad-library-buffers", "::mlir::ModuleOp"> {
  let summary = "Pad the rows of the intermediates the GEMM library calls "
                "read and write to the library's alignment";
  let description = [{
    cuBLASLt picks slow alignment-1/4 kernels when a matrix's leading
    dimension, batch stride or base is not a multiple of 16 bytes, which is
    every channel-first activation of a Vim at l = 197 (in_proj measured 135
    us instead of 44.5 on an H100). On bufferized IR, before the workspace is
    planned: for each `gpu.launch_func` carrying `ssm.library_call`, the A, B
    and C operands are traced through subviews, reshapes and casts back to
    their `memref.alloc` in the function body (function arguments, inputs
    and outputs, are never touched). Where planLibraryRowPitch
    (KernelPlans.h) pads the allocation's rows, the allocation becomes one of
    the padded row extent and every user gets a zero-offset subview of the
    logical shape (strides of the padded rows; where the allocation is
    collapsed into the operand, e.g. VMamba's (b, c, h, w) read as
    (b, c, h * w), the collapsed row is padded and the users see an
    expand_shape of it), provided every user can take
    it: views (subview, collapse_shape, expand_shape) whose result types are
    then recomputed, linalg ops, loads, stores, vector and async copies,
    memref.copy (a strided copy becomes a kernel later) and launches of
    kernels whose arguments, recursively, are used the same way (a kernel
    whose argument type changes is cloned). Anything else (reinterpret_cast,
    calls, returns) leaves the allocation alone. The library-call records
    get the strides of the new operand types (`a_dims`, `b_dims`, `c_dims`
    name the dims they belong to).

    Padded strides alone do not get the vectorized kernels: the library also
    wants the vector width to divide each operand's contiguous extent (l =
    197). With `extend-extents` (on), each record's m / n / k become the
    aligned extents planLibraryGemmExtents (KernelPlans.h) finds safe: inputs
    read only inside their allocations (padding, the next rows or batch,
    trailing slack), the result's extra entries land only in its own unread
    padding, k never grows (no zero padding is guaranteed). Where that takes
    more memory, an allocation the pass has not padded grows: a token-major
    result gets dim -2 padded ((b, 197, d) allocated (b, 200, d)), a result
    whose aligned rows are not yet padded gets padded rows, an input whose
    extended rows run past the last batch gets trailing slack (a flat
    allocation, the users see it expanded to the logical shape). The
    launch's own kernel still computes the logical extents.

    ```mlir
    %c = memref.alloc() : memref<2x768x197xf32>
    // becomes
    %p = memref.alloc() : memref<2x768x200xf32>
    %c = memref.subview %p[0, 0, 0] [2, 768, 197] [1, 1, 1]
        : memref<2x768x200xf32> to memref<2x768x197xf32, strided<[153600, 200, 1]>>
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "the GPU whose library alignment applies (getGPUTargetInfo)">,
    Option<"extendExtents", "extend-extents", "bool", /*default=*/"true",
           "let the records compute the aligned extents the padding holds "
           "(planLibraryGemmExtents)">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark for each buffer whose rows a user keeps from "
           "being padded, and for each record whose extents stay unaligned">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def SSMAlignWorkgroupBuffers : Pass<"ssm-align-workgroup-buffers"> {
  let summary = "Give gpu.func workgroup buffers a 16-byte alignment";
  let description = [{
    Sets `llvm.align` on every workgroup attribution of every `gpu.func`
    that has none. convert-gpu-to-{nvvm,rocdl} declare each attribution as
    a shared (LDS) global with this alignment, by default the element's
    (`.shared .align 4` for f32), while the scan kernels read and write
    their tiles with 16-byte vector accesses (`ld.shared.v4`, `ds_read_b128`).
    Kernels built as `gpu.func` set the attribute themselves (the GEMM
    kernel); the ones outlined from `gpu.launch` by gpu-kernel-outlining get
    it here. Attributions that already carry an alignment are left alone.

    ```mlir
    gpu.func @k() workgroup(%t : memref<64x33xf32, #gpu.address_space<workgroup>>) kernel
    // becomes
    gpu.func @k() workgroup(%t : memref<64x33xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"16",
           "Alignment in bytes for workgroup buffers without one">,
  ];
}

def SSMNVVMFastMath : Pass<"ssm-nvvm-fast-math"> {
  let summary = "afn-marked f32 exp2 and division to NVVM approximate intrinsics";
  let description = [{
    Rewrites `math.exp2` and `arith.divf` on f32 that carry the `afn`
    fast-math flag into `llvm.nvvm.ex2.approx.ftz.f` and
    `llvm.nvvm.div.approx.ftz.f` (PTX `ex2.approx.ftz.f32`,
    `div.approx.ftz.f32`, 2 ulp). Runs on gpu.module bodies before
    convert-gpu-to-nvvm, which would otherwise call libdevice (not available
    without the CUDA toolkit). Ops without `afn` are left alone.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SSMROCDLFastMath : Pass<"ssm-rocdl-fast-math"> {
  let summary = "afn-marked f32 exp2 to the AMDGPU v_exp_f32 intrinsic";
  let description = [{
    Rewrites `math.exp2` on f32 that carries the `afn` fast-math flag into
    `llvm.amdgcn.exp2.f32` (one `v_exp_f32`, 1 ulp, denormal results
    flushed: the AMD counterpart of ssm-nvvm-fast-math's ex2.approx.ftz).
    Runs on gpu.module bodies before convert-gpu-to-rocdl, which would
    otherwise call ocml's __ocml_exp2_f32 (a denormal-scaling wrapper around
    the same instruction). `afn` divisions need no rewrite: arith-to-llvm
    keeps the flag and the AMDGPU backend emits v_rcp_f32 + v_mul_f32. Ops
    without `afn` are left alone.

    Also marks f32 `llvm.atomicrmw fadd` outside LDS with
    `rocdl.no_fine_grained_memory`, `rocdl.no_remote_memory` and
    `rocdl.ignore_denormal_mode`, so they become the hardware float atomic
    (global_atomic_add_f32) instead of a compare-and-swap loop: the runtime's
    buffers are hipMalloc'd (coarse-grained). The ROCDL pipeline runs the pass
    before convert-gpu-to-rocdl (exp2) and after it (atomics).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // SSM_CONVERSION_PASSES_TD
