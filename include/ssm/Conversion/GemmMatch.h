//===- GemmMatch.h - GEMM contractions among linalg.generic ops -*- C++ -*-===//
//
// The one matcher of GEMM-shaped contractions, shared by the GPU lowering
// (convert-linalg-to-gpu-gemm, on tensors) and the CPU library calls
// (convert-linalg-to-cpu-gemm, on buffers). A contraction is a linalg.generic
//   C[(b,) m..., n...] += A[.. m..., k ..] * B[.. k, n... ..]
// with two inputs holding (m, k) and (k, n) in any order, each with or
// without the batch dim; m and n may each be a run of adjacent dims (NHWC
// tokens), read as one collapsed dim. The body is out + x * y (either order),
// each input optionally widened from bf16 by an arith.extf.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_CONVERSION_GEMMMATCH_H
#define SSM_CONVERSION_GEMMMATCH_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Support/LLVM.h"

namespace mlir::ssm::gemm {

/// One GEMM input as a GEMM reads it: the value (a tensor or a buffer) and
/// where its dims sit. `outer` is m for A and k for B; `inner` is k for A and
/// n for B.
struct Operand {
  Value value;
  /// The operand as the GEMM sees it: each group of `reassociation`
  /// (adjacent positions of `value`, e.g. MambaOut's (b, h, w) tokens)
  /// collapsed into one dim; posX index this collapsed type.
  RankedTensorType type;
  SmallVector<ReassociationIndices> reassociation;
  /// Element strides of the collapsed dims: row-major for tensors, the
  /// layout's for buffers (each group contiguous within itself).
  SmallVector<int64_t> strides;
  int64_t posBatch = -1, posOuter = -1, posInner = -1;

  bool collapsed() const {
    return int64_t(reassociation.size()) !=
           cast<ShapedType>(value.getType()).getRank();
  }
  /// The element stride of collapsed dim `pos`; 0 for an absent dim (-1).
  int64_t stride(int64_t pos) const { return pos < 0 ? 0 : strides[pos]; }
};

/// A matched contraction (see the file comment).
struct Contraction {
  linalg::GenericOp op;
  Operand a, b;
  /// The output as (batch,) m, n (each a group of the op's output dims).
  RankedTensorType outType;
  SmallVector<ReassociationIndices> outReassociation;
  /// The loop dims of m and n; the batch loop dim (or -1).
  SmallVector<unsigned> mDims, nDims;
  int64_t batchDim = -1;
  int64_t batch = 1, m = 0, n = 0, k = 0;
  /// Whether the body widens A / B from bf16.
  bool widenedA = false, widenedB = false;
};

/// Matches a statically shaped contraction with an f32 output, on tensors or
/// on buffers (whose collapsed groups must each be contiguous, with static
/// strides).
FailureOr<Contraction> matchContraction(linalg::GenericOp g);

/// The largest extent of a group dim (a second batch dim) that
/// ssm-split-grouped-contractions splits a contraction along.
constexpr int64_t kMaxSplitGroups = 8;

/// Whether a contraction with a second batch dim of extent `groups` (one
/// library GEMM takes one batch stride; VMamba's per-direction x_proj /
/// dt_proj have two, b and the direction k) is split into `groups` GEMMs of
/// `batch` x m x n x k each. Each GEMM then reads its weight as one 2-D
/// matrix and its input with the input's own batch stride. Few groups only:
/// every group is a launch (a library call) of its own, so a long group dim
/// is a loop of tiny launches; and a GEMM piece must still be worth a call
/// (at least one full 64 x 64 tile's worth of multiply-adds per group).
bool shouldSplitGroups(int64_t groups, int64_t batch, int64_t m, int64_t n,
                       int64_t k);

/// A two-input mul-add generic with one reduction loop whose loops are not
/// in matchContraction's order (the output's dims first, in the output's
/// order, then the reduction; the autodiff's adjoint contractions come in
/// any order) is rewritten by loop interchange into that order; returns the
/// new op, or `g` unchanged when it is not such a generic or already
/// ordered.
linalg::GenericOp orderContractionLoops(RewriterBase &rewriter,
                                        linalg::GenericOp g);

/// `g`'s body is out + x * y (either order) over its two inputs, each f32
/// or bf16 widened by one arith.extf (reported in `widened0/1`).
bool isMulAddBody(linalg::GenericOp g, bool &widened0, bool &widened1);

/// `v` is a float constant zero.
bool isZero(Value v);
/// All loops of `g` are parallel.
bool allParallel(linalg::GenericOp g);
/// The yielded value of a one-block generic body (null unless one).
Value yielded(linalg::GenericOp g);
/// `v` is block argument `arg` of `g`, possibly through one extf from bf16.
/// Sets `widened` when it went through the extf.
bool isArg(Value v, linalg::GenericOp g, unsigned arg, bool &widened);
/// `tensor` as the result of an elementwise generic that only widens a bf16
/// tensor of the same shape (identity maps, one extf): returns that bf16
/// tensor, or null. Fusion later reads the bf16 tensor directly, so this is
/// the element type the GEMM kernel or library sees.
Value widenedSource(Value tensor);

enum class BiasAxis { None, M, N };

/// A contraction's init that broadcasts a 1-D bias along m or n.
struct BiasInit {
  linalg::GenericOp broadcast;
  /// The 1-D bias as stored (bf16 when the broadcast widens it).
  Value bias;
  BiasAxis axis = BiasAxis::None;
  bool widened = false;
};

/// `c`'s init as a bias broadcast: a one-input, all-parallel generic whose
/// body yields its input (possibly through one extf), indexed by a single m
/// or n loop dim of `c`.
FailureOr<BiasInit> matchBiasInit(const Contraction &c);

/// `init` is a linalg.fill of a float zero.
bool isZeroFill(Value init);

/// `g` rounds its one f32 input to a 16-bit float (bf16 or f16) and does
/// nothing else: an all-parallel generic with identity maps whose body is
/// one arith.truncf of its input, yielded. Returns the 16-bit type, or null.
Type roundsTo16Bit(linalg::GenericOp g);

/// The rounding a contraction's result is stored through: `g`'s result has
/// exactly one reader, a generic that only rounds it to 16 bits
/// (roundsTo16Bit). ssm-narrow-activations puts it there for a GEMM whose
/// result is stored in 16 bits; the GEMM lowerings fold it into the GEMM's
/// epilogue (f32 accumulation, one rounding at the store). Null if none.
linalg::GenericOp roundingReader(linalg::GenericOp g);

} // namespace mlir::ssm::gemm

#endif // SSM_CONVERSION_GEMMMATCH_H
