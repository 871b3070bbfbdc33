//===- KernelPlans.h - launch plans of the generic GPU kernels -*- C++ -*-===//
//
// Plain functions of shape and target (no IR) that decide how a kernel is
// launched; the passes that emit the kernels only apply them. Unit-tested in
// unittests/Conversion/KernelPlansTest.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_CONVERSION_SSMTOGPU_KERNELPLANS_H
#define SSM_CONVERSION_SSMTOGPU_KERNELPLANS_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::ssm {

/// What the launch plans need to know about a GPU. One place for the vendor
/// differences the plans depend on.
struct GPUTargetInfo {
  /// Streaming multiprocessors (NVIDIA) / compute units (AMD).
  int64_t computeUnits = 132;
  /// Threads that execute in lock step: 32 (warp), 64 (gfx9 wavefront).
  int64_t warpSize = 32;
  /// The largest block the plans use (the hardware allows 1024).
  int64_t maxThreadsPerBlock = 256;
  /// The byte alignment the vendor GEMM library (cuBLASLt, hipBLASLt) wants
  /// of a matrix's base, leading dimension and batch stride before it picks
  /// its vectorized kernels (cuBLASLt: 16; otherwise alignment-1/4 kernels,
  /// 3x slower on Vim's rows of 197 elements, measured on an H100).
  int64_t libraryAlignmentBytes = 16;
};

/// The target description for a chip name: "sm_90" (H100: 132 SMs; other
/// sm_* chips are planned like it), "gfx942" (MI300X: 304 CUs), "gfx90a"
/// (MI200: 110 CUs per die). Unknown chips get their vendor's defaults.
GPUTargetInfo getGPUTargetInfo(const std::string &chip);

/// Launch of a parallel loop nest collapsed into `iterations` independent
/// iterations: `blocks` blocks of `threadsPerBlock` threads, where thread t
/// (t < stride; the last block guarded) runs the `elementsPerThread` (U)
/// iterations t, t + stride, ..., t + (U - 1) * stride, stride = ceil(
/// iterations / U). Each unrolled access stays coalesced (neighbouring
/// threads, neighbouring iterations) and no alignment is assumed. The first
/// `inBoundsCopies` copies ((k + 1) * stride <= iterations) are in bounds for
/// every thread t < stride; the others need their own bounds check.
struct ParallelLoopPlan {
  int64_t threadsPerBlock = 1;
  int64_t blocks = 1;
  int64_t elementsPerThread = 1;
  int64_t stride = 1;
  int64_t inBoundsCopies = 1;
};

/// Whole warps per block; the largest block (maxThreadsPerBlock) unless that
/// leaves fewer than two blocks per compute unit, then smaller blocks (down to
/// two warps) so every compute unit gets work; a loop smaller than one block
/// gets its iteration count rounded up to whole warps. `iterations` < 1 is
/// treated as 1.
///
/// Iterations per thread: `accessBytes` is the smallest element size (bytes)
/// of the body's loads and stores where its copies may run with all their
/// loads first, 0 where they may not (then U = 1). With one 2-byte element
/// per thread a warp has only 64 bytes of a load in flight, too few for an
/// SM to cover the memory latency; U = 16 / accessBytes (at most 8) gives
/// each thread 16 bytes per access stream. U halves while the grid would
/// have fewer than four full blocks per compute unit (U = 1 for all but
/// large loops). `forcedElementsPerThread` > 0 replaces the choice where
/// accessBytes > 0 (tests).
ParallelLoopPlan planParallelLoop(int64_t iterations,
                                  const GPUTargetInfo &target,
                                  int64_t accessBytes = 0,
                                  int64_t forcedElementsPerThread = 0);

/// A memory access in the body of a parallel loop nest: which parallel loop
/// (an index into the nest, outermost 0) indexes the accessed buffer's
/// unit-stride dimension, -1 where none does (or it is unknown), and which
/// indexes the next-outer dimension, -1 where none does, it is unknown, or
/// the buffer's last two dimensions are not contiguous (the stride of the
/// next-outer dimension is not the size of the last).
struct LoopAccess {
  int loop = -1;
  bool isStore = false;
  int outerLoop = -1;
};

/// The order in which the loops of a nest of `numLoops` parallel loops are
/// linearized onto threads, outermost first (the last varies fastest): the
/// loop that indexes the unit-stride dimension of the most accesses, by
/// weight, goes last and the others keep their relative order. A store
/// weighs twice a load: the caches absorb a load's unused sector bytes for a
/// neighbouring warp, while every store sector is a separate L2 write (L1 is
/// write-through), and it breaks a transpose's load/store tie towards the
/// store. Unless one loop strictly outweighs all others, the order is the
/// nest's own (innermost fastest).
///
/// The second-fastest loop is chosen the same way, so that a warp that
/// spans several short rows reads consecutive rows of one plane: among the
/// accesses whose `loop` is the fastest, `outerLoop` votes with the same
/// weights, and a loop other than the fastest that strictly outweighs all
/// others goes just before it. Otherwise the rest keeps its order. An NCHW
/// depthwise conv's loops (n, oh, ow, c) become (n, c, oh, ow).
std::vector<unsigned>
planLinearizationOrder(unsigned numLoops,
                       const std::vector<LoopAccess> &accesses);

/// How a reduction of `rows` independent rows of `rowLength` elements runs.
enum class ReductionStrategy {
  /// One thread per row (ssm-distribute-parallel-loops): the rows' elements
  /// are strided in memory, so neighbouring threads reading neighbouring
  /// rows' elements is what coalesces.
  ThreadPerRow,
  /// A warp (wavefront) per row: its lanes read the row's contiguous
  /// elements together and combine their partial results with shuffles.
  WarpPerRow,
};

struct RowReductionPlan {
  ReductionStrategy strategy = ReductionStrategy::ThreadPerRow;
  /// WarpPerRow: lanes per row (the warp size), rows per block, blocks.
  int64_t lanesPerRow = 0;
  int64_t rowsPerBlock = 0;
  int64_t blocks = 0;
};

/// A warp per row where each row is contiguous in memory and at least one
/// warp long (LayerNorm / RMSNorm statistics over channels), eight warps per
/// block (four 64-wide wavefronts on AMD), fewer where that leaves compute
/// units idle; otherwise one thread per row.
RowReductionPlan planRowReduction(int64_t rows, int64_t rowLength,
                                  bool rowContiguous,
                                  const GPUTargetInfo &target);

/// How a norm over a contiguous row (LayerNorm, RMSNorm: the row's
/// reductions, the per-row ops on their results and the elementwise op that
/// reads the row and its statistics, optionally with the elementwise op that
/// produced the row) runs as one kernel: a warp (wavefront) per row, each
/// lane holding `elementsPerLane` elements of the row (lane, lane + lanes,
/// ...) in registers across the chain's passes.
struct RowNormPlan {
  bool fused = false;
  int64_t lanesPerRow = 0;
  int64_t elementsPerLane = 0;
  int64_t rowsPerBlock = 0;
  int64_t blocks = 0;
};

/// Registers per lane the fused norm may hold rows in: 24 f32 (a row of 768
/// channels on a 32-lane warp), so a block of eight warps keeps its
/// occupancy.
constexpr int64_t kRowNormMaxHeldPerLane = 24;

/// Fuses where the `heldRows` row buffers the chain reads more than once (at
/// least one: the row itself) fit kRowNormMaxHeldPerLane registers per lane
/// (elementsPerLane = ceil(rowLength / warp)); longer rows keep today's
/// kernels. Rows shorter than a warp leave lanes idle but still save the
/// chain's other launches. Rows per block as planRowReduction.
RowNormPlan planRowNorm(int64_t rows, int64_t rowLength, int64_t heldRows,
                        const GPUTargetInfo &target);

/// How a norm over a strided row runs as one kernel: channel-first layouts
/// (FastVim's (b, c, l)) reduce over channels whose stride is the token
/// count, the tokens contiguous. A block covers `tokensPerBlock` consecutive
/// rows (threadIdx.x, coalesced along the tokens) x `slices` channel slices
/// (threadIdx.y); thread (x, y) folds channels y, y + slices, ... of its row
/// (`elementsPerThread` of them), the slices' partial results combine
/// through shared memory (every thread sums them in slice order), and with
/// `holdInRegisters` the rows read more than once stay in registers (one
/// pass over memory); otherwise each pass of the chain loads them again.
struct StridedRowNormPlan {
  bool fused = false;
  int64_t tokensPerBlock = 0;
  int64_t slices = 0;
  int64_t elementsPerThread = 0;
  bool holdInRegisters = false;
  int64_t blocks = 0;
};

/// Registers per thread the strided norm may hold rows in (with blocks of
/// maxThreadsPerBlock threads, two blocks still fit an SM's 64K registers).
constexpr int64_t kStridedNormMaxHeldPerThread = 96;

/// Blocks of target.maxThreadsPerBlock threads: tokensPerBlock a warp
/// (wavefront) of rows, halved while that leaves fewer than two blocks per
/// compute unit or (to hold) the `heldRows` rows the chain reads more than
/// once do not fit kStridedNormMaxHeldPerThread registers, never below 32
/// bytes of `elementBytes` (one memory sector) or one row; slices the rest of
/// the block (a power of two, at most the row length). Where no tiling holds
/// the rows the widest one reloads them. Any rows >= 1 and rowLength >= 1.
StridedRowNormPlan planStridedRowNorm(int64_t rows, int64_t rowLength,
                                      int64_t heldRows, int64_t elementBytes,
                                      const GPUTargetInfo &target);

/// A reduction with few outputs and a long reduction split in two kernels:
/// `splits` partial sums per output, each over 1/splits of reduction loop
/// `dim` (an index into the reduction extents), then a short sum of the
/// partials. splits == 0: run it as it is (one thread per output).
struct SplitReductionPlan {
  int64_t dim = -1;
  int64_t splits = 0;
};

/// Splits only reductions whose `outputs` leave the GPU mostly idle (fewer
/// than four blocks per compute unit) and whose reduction (the product of
/// `reductionExtents`) is long (>= 1024 steps). The split divides one
/// reduction extent exactly: the smallest divisor that gives enough threads
/// (eight blocks per compute unit) while each keeps >= 32 steps, else the
/// largest that keeps 32 steps; ties go to the outermost reduction loop.
/// The weight gradients of a backward pass (the causal conv's: 384 x 4
/// outputs summed over batch x tokens) are the case it is for.
SplitReductionPlan planSplitReduction(int64_t outputs,
                                      const std::vector<int64_t> &reductionExtents,
                                      const GPUTargetInfo &target);

/// Whether the vendor GEMM library, as the runtime calls it (cuBLASLt,
/// hipBLASLt), adds a GEMM's bias in its epilogue. The runtime computes
/// C^T = B^T A^T for a row-major C, so the library's bias (along its rows)
/// runs along our n, and it takes a bias of C's type (f32) only. Any other
/// bias would send the whole GEMM to the compiler's SIMT kernel, so
/// ssm-split-gemm-bias adds it in the elementwise consumers instead.
bool gemmLibraryTakesBias(bool alongN, bool biasIsF32);

/// The innermost extent to allocate a row-major buffer of `shape` with
/// (elements of `elementBytes`) when a vendor GEMM library reads or writes
/// it: the row extent rounded up so that every row, and so every outer
/// stride, starts on target.libraryAlignmentBytes. The buffer keeps its
/// extent (no padding) where rows are already aligned, where it has a single
/// row (no pitch to align), where rows are single elements (a column: the
/// next dim is the matrix's row) or where an element does not divide the
/// alignment. Vim's channel-first (b, e, l = 197): 200 for f32 and bf16.
/// `extentMultiple` (elements): where the row is the contiguous extent of a
/// library GEMM whose other operands along that extent want a wider vector
/// (an f32 result of bf16 inputs: 8 elements), the pitch is also a multiple
/// of it, so that planLibraryGemmExtents can extend the extent into the
/// padding: VMamba's f32 (b, c, 49) results get rows of 56, not 52, and the
/// aligned f32 (b, c, 196) ones rows of 200.
int64_t planLibraryRowPitch(const std::vector<int64_t> &shape,
                            int64_t elementBytes, const GPUTargetInfo &target,
                            int64_t extentMultiple = 1);

/// The element width (a multiple of every operand's vector) a library GEMM
/// extent must be a multiple of for the vectorized kernels: the lcm of
/// target.libraryAlignmentBytes / elementBytes over the operands whose
/// contiguous dim that extent indexes (their `elementBytes`); 1 when none.
int64_t libraryExtentWidth(const std::vector<int64_t> &elementBytes,
                           const GPUTargetInfo &target);

/// One operand (A, B or C) of a library GEMM record, as
/// planLibraryGemmExtents sees its memory. The operand starts at its
/// allocation's first element.
struct LibraryGemmOperand {
  /// Element strides of each of the operand's dims.
  std::vector<int64_t> strides;
  /// How many elements along each dim the memory holds (>= the logical
  /// extent: a padded row pitch, a padded dim -2); the allocation is laid
  /// out over `held` with `strides`.
  std::vector<int64_t> held;
  /// Elements the allocation holds past the last element of `held`.
  int64_t slack = 0;
  /// The record's dims of the operand: row, column, batch (-1: no batch dim,
  /// the matrix is shared by every batch).
  int64_t dims[3] = {0, 1, -1};
  int64_t elementBytes = 4;
  /// C: the allocation holds this result only, so elements outside its
  /// logical extents are padding that no one reads.
  bool exclusive = false;
  /// C: the entries of its unit-stride dim past the logical extent, up to
  /// `held`, are its allocation's row padding, which no one reads (a result
  /// written in place into part of a row-padded buffer: VMamba's
  /// per-direction x_proj / dt_proj results in (b, 4, c, l)); only that
  /// extent may grow, and only up to `held`.
  bool rowPadding = false;
  /// The pass may grow the allocation: pad `held` of C's dims, add `slack`
  /// behind an input.
  bool growable = false;
  /// Every element of the allocation outside the logical extents is zero
  /// (the only way a reduction extent k may grow).
  bool zeroPadding = false;
};

/// A library GEMM record: C[b][m][n] = sum_k A[b][m][k] * B[b][k][n]
/// (+ bias along m or n, of `biasHeld` elements).
struct LibraryGemm {
  int64_t m = 1, n = 1, k = 1, batch = 1;
  LibraryGemmOperand a, b, c;
  /// 'm', 'n' or 0 (no bias).
  char biasAxis = 0;
  int64_t biasHeld = 0;
};

/// The extents a library GEMM computes, and the memory its operands need
/// for them: `held` / `slack` of each operand as given, grown where the
/// operand is growable and the extents need it.
struct LibraryGemmExtents {
  int64_t m = 1, n = 1, k = 1;
  LibraryGemmOperand a, b, c;
  bool operator==(const LibraryGemmExtents &o) const {
    return m == o.m && n == o.n && k == o.k;
  }
};

/// The extents a vendor GEMM library should compute for `g` so that its
/// vectorized kernels apply: the library also needs the vector width
/// (target.libraryAlignmentBytes / element bytes) to divide the extent along
/// each operand's contiguous dim (Vim's l = 197: alignment-1 kernels however
/// its rows are padded), so m, n (and k) are rounded up to the widths of the
/// operands whose contiguous dim they index, where that is safe:
///   - every input an extent indexes keeps the extended rows and columns
///     inside its allocation (padding, the next rows or batch, `slack`
///     after the last batch; garbage read there only reaches results in
///     C's padding);
///   - C's extra rows / columns stay in its `held` padding of an exclusive
///     allocation (never another row's or batch's valid data);
///   - a bias along the extent holds the extended range;
///   - k only where both A and B hold the extra k entries as zero padding
///     (within `held`, not the next row's data).
/// Growable operands get the `held` (C) or `slack` (inputs) that makes an
/// extent safe. An extent that cannot be made safe is left unchanged.
LibraryGemmExtents planLibraryGemmExtents(const LibraryGemm &g,
                                          const GPUTargetInfo &target);

/// The elements an operand with `strides` spans over `rows` x `cols` x
/// `batch` of its record dims (the runtime's bound for the operand).
int64_t libraryOperandSpan(const LibraryGemmOperand &x, int64_t rows,
                           int64_t cols, int64_t batch);


/// The layout of a depthwise 2-D convolution's input and output: channels
/// last (MambaOut: n, h, w, c with weights (k, k, c)) or channels first
/// (VMamba: n, c, h, w with weights (c, k, k)).
enum class ConvLayout { NHWC, NCHW };

/// A stride-1, dilation-1 depthwise k x k convolution of an unpadded
/// `height` x `width` input whose zero padding (padTop / padLeft rows and
/// columns before it; whatever follows up to the output extent) is a
/// predicate of the kernel, never a padded copy.
struct DepthwiseConvShape {
  int64_t batch = 1, channels = 1, height = 1, width = 1;
  int64_t outHeight = 1, outWidth = 1;
  int64_t kernel = 1;
  ConvLayout layout = ConvLayout::NHWC;
};

/// How the depthwise conv kernel runs. A block computes a tileHeight x
/// tileWidth tile of outputs of `channelsPerBlock` channels of one image: it
/// stages the input tile plus its (kernel - 1) halo in shared memory once
/// (f32, zero outside the image), each thread accumulates `outputsPerThread`
/// neighbouring outputs of its channel in f32 registers, sliding along W
/// (NHWC) or H (NCHW), in a loop over the kernel rows of the other axis
/// that reads that row's k weights and staged values once. Threads:
/// NHWC puts channels fastest (coalesced global accesses, conflict-free
/// shared reads), then threadsW, then threadsH; NCHW puts threadsW fastest
/// (coalesced along the row), then threadsH, then channels. Grid: x the
/// spatial tiles (tilesH * tilesW, W fastest), y the channel groups, z the
/// images.
struct DepthwiseConvPlan {
  int64_t channelsPerBlock = 1;
  int64_t threadsH = 1, threadsW = 1;
  int64_t outputsPerThread = 1;
  /// The estimate of depthwiseRegistersPerThread: the plan keeps it within
  /// kMaxDepthwiseRegisters, so registers never limit the resident blocks
  /// below half the threads a compute unit holds.
  int64_t registersPerThread = 0;
  int64_t tileHeight = 1, tileWidth = 1;
  int64_t threadsPerBlock = 1;
  /// The f32 input tile (channelsPerBlock x (tileHeight + k - 1) x
  /// (tileWidth + k - 1)).
  int64_t sharedBytes = 0;
  /// How the tile is staged: with N > 0 as rows (NHWC: a tile row of all
  /// channels; NCHW: a channel plane), each thread taking N fixed positions
  /// of every row (tid, tid + threadsPerBlock, ...) whose coordinates it
  /// computes once; with 0 as one strided loop over all elements, each
  /// element's coordinates divided out (where rows would leave more than a
  /// quarter of the lanes idle).
  int64_t stageCopiesPerRow = 0;
  int64_t tilesH = 1, tilesW = 1, channelGroups = 1;
  int64_t blocks() const { return tilesH * tilesW * channelGroups; }
};

/// The most outputs one thread accumulates, and the register budget of a
/// depthwise conv thread (65536 registers / 1024 threads: 2048 threads of an
/// H100 SM at half occupancy, before shared memory limits).
constexpr int64_t kMaxDepthwiseOutputsPerThread = 8;
constexpr int64_t kMaxDepthwiseRegisters = 64;

/// The 32-bit registers a depthwise conv thread needs with `outputsPerThread`
/// accumulators and a k x k kernel: the accumulators, one kernel row's
/// outputsPerThread + k - 1 staged values and its current weight (the kernel
/// loops over rows; the k * k weights are never all live), plus a fixed
/// count for indices and addresses.
int64_t depthwiseRegistersPerThread(int64_t outputsPerThread, int64_t kernel);

/// The tiling of `conv` for `target`: channels per block (NHWC: a power of
/// two up to a warp's 32 lanes that wastes few lanes on the last group, 16
/// for 48 channels; NCHW: a few planes), outputs per thread (up to
/// kMaxDepthwiseOutputsPerThread, within kMaxDepthwiseRegisters), and the
/// thread rows / columns picked by a cost model of issue slots (FMAs
/// including tile overhang and idle lanes of partial warps, shared and
/// weight reads per kernel row, about 24 per staged element including the
/// halo, so larger register tiles win where the halo dominates), penalizing
/// grids that leave compute units idle. The block stays
/// within maxThreadsPerBlock threads and 48 KiB of shared memory; any shape
/// (batch 1, 1 x 1 images, one channel) gets a valid plan.
DepthwiseConvPlan planDepthwiseConv(const DepthwiseConvShape &conv,
                                    const GPUTargetInfo &target);

} // namespace mlir::ssm

#endif // SSM_CONVERSION_SSMTOGPU_KERNELPLANS_H
