//===- GemmToCPU.cpp - CPU GEMM contractions as runtime library calls ---===//
//
// convert-linalg-to-cpu-gemm (see Passes.td). After bufferization, each GEMM
// contraction at the top level of a function body, e.g. Vim's in_proj
//
//   linalg.fill ins(%zero) outs(%C : memref<1x768x197xf32>)
//   linalg.generic {C[b, m, n] += W[m, k] * X[b, n, k]} ins(%W, %X) outs(%C)
//
// becomes
//
//   %done = func.call @__ssm_cpu_gemm(%record, %w, %x, %c, %c0_i32)
//   scf.if (%done == 0) { linalg.fill ...; linalg.generic ... }
//
// where %record is the address of a constant LibraryCallRecord (the .ssmb
// format's GEMM descriptor, the one cuBLASLt calls are described by) and
// %w / %x / %c the operands' addresses (base + static offset). The CPU target
// lowers the call onto the runtime's hook (kCPUGemmHook).
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/GemmMatch.h"
#include "ssm/Conversion/Passes.h"
#include "ssm/Target/CPU.h"

#include "ssmrt/format/artifact.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"

#include <cstring>
#include <map>

namespace mlir::ssm {
#define GEN_PASS_DEF_CONVERTLINALGTOCPUGEMM
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;
namespace fmt = ssmrt::format;
namespace gemm = mlir::ssm::gemm;

namespace {

constexpr int64_t kRecordWords = sizeof(fmt::LibraryCallRecord) / 8;
static_assert(sizeof(fmt::LibraryCallRecord) % 8 == 0);

/// The static offset (elements) of a buffer, or failure.
FailureOr<int64_t> staticOffset(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type)
    return failure();
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset))
    return failure();
  return offset;
}

/// (row, col, batch) element strides of C viewed as (batch,) m, n: each of
/// its groups of dims must be one run of memory.
FailureOr<std::array<int64_t, 3>> outputStrides(const gemm::Contraction &c,
                                                MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return failure();
  SmallVector<int64_t> groups;
  for (const ReassociationIndices &group : c.outReassociation) {
    // As the matcher's operands: unit dims aside, one run of memory.
    int64_t stride = strides[group.back()], prev = -1;
    for (int64_t q : group) {
      const int64_t size = type.getDimSize(q);
      if (size == 1)
        continue;
      if (prev >= 0 && strides[prev] != strides[q] * size)
        return failure();
      prev = q;
      stride = strides[q];
    }
    groups.push_back(stride);
  }
  const bool batched = c.batchDim >= 0;
  return std::array<int64_t, 3>{groups[batched ? 1 : 0],
                                groups[batched ? 2 : 1],
                                batched && c.batch > 1 ? groups[0] : 0};
}

/// One operand's (row, col) strides are usable by a BLAS when one of them
/// is 1 (or its dim is 1) and the other covers the contiguous extent.
bool blasLayout(int64_t rows, int64_t cols, int64_t rowStride,
                int64_t colStride) {
  if (colStride == 1 || cols == 1)
    return rows == 1 || rowStride >= cols;
  if (rowStride == 1 || rows == 1)
    return cols == 1 || colStride >= rows;
  return false;
}

/// The record of `c` (f32 operands, no bias: C's init is the compiled
/// code's), or failure where a BLAS could not run it.
FailureOr<fmt::LibraryCallRecord> recordOf(const gemm::Contraction &c,
                                           MemRefType outType) {
  if (c.widenedA || c.widenedB || !c.a.type.getElementType().isF32() ||
      !c.b.type.getElementType().isF32())
    return failure();
  FailureOr<std::array<int64_t, 3>> cs = outputStrides(c, outType);
  if (failed(cs) || (*cs)[1] != 1)
    return failure();
  constexpr int64_t kMax = int64_t(1) << 31;
  if (c.m >= kMax || c.n >= kMax || c.k >= kMax || c.batch >= kMax)
    return failure();
  fmt::LibraryCallRecord r = {};
  r.op = uint32_t(fmt::LibraryOp::Gemm);
  r.a_arg = 0;
  r.b_arg = 1;
  r.c_arg = 2;
  r.a_dtype = r.b_dtype = r.c_dtype = uint32_t(fmt::DType::F32);
  r.bias = uint32_t(fmt::GemmBias::None);
  r.activation = uint32_t(fmt::GemmActivation::None);
  r.m = c.m;
  r.n = c.n;
  r.k = c.k;
  r.batch = c.batch;
  const bool batched = c.batch > 1;
  auto set = [&](uint64_t (&out)[3], const gemm::Operand &x) {
    out[0] = x.stride(x.posOuter);
    out[1] = x.stride(x.posInner);
    out[2] = batched ? x.stride(x.posBatch) : 0;
  };
  set(r.a_strides, c.a);
  set(r.b_strides, c.b);
  r.c_strides[0] = (*cs)[0];
  r.c_strides[1] = (*cs)[1];
  r.c_strides[2] = (*cs)[2];
  if (!blasLayout(c.m, c.k, r.a_strides[0], r.a_strides[1]) ||
      !blasLayout(c.k, c.n, r.b_strides[0], r.b_strides[1]) ||
      (c.m > 1 && r.c_strides[0] < uint64_t(c.n)))
    return failure();
  return r;
}

/// A zero `linalg.fill` on buffers of `buffer`.
bool isZeroFillOf(Operation *op, Value buffer) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op);
  return fill && fill.hasPureBufferSemantics() &&
         fill.getDpsInits()[0] == buffer && gemm::isZero(fill.getInputs()[0]);
}

/// `op` if it sets `out` to zeros: a zero fill of `out`, or a copy into
/// `out` from a buffer whose uses are one zero fill before the copy (in
/// the same block), copies from it, and others only after the copy
/// (bufferization gives contractions that share a zero init tensor one
/// filled buffer, copied into each output but the last). Else null.
Operation *zeroInitOf(Operation *op, Value out) {
  if (isZeroFillOf(op, out))
    return op;
  auto copy = dyn_cast_or_null<memref::CopyOp>(op);
  if (!copy || copy.getTarget() != out)
    return nullptr;
  Value zeros = copy.getSource();
  Block *block = copy->getBlock();
  Operation *fill = nullptr;
  for (OpOperand &use : zeros.getUses()) {
    Operation *user = use.getOwner();
    if (auto c = dyn_cast<memref::CopyOp>(user);
        c && c.getSource() == zeros && c.getTarget() != zeros)
      continue;
    if (!fill && isZeroFillOf(user, zeros)) {
      fill = user;
      continue;
    }
    // Any other use (the last contraction may accumulate into the zeros in
    // place) must come after the copy.
    Operation *at = block->findAncestorOpInBlock(*user);
    if (!at || !copy->isBeforeInBlock(at))
      return nullptr;
  }
  if (!fill || fill->getBlock() != block || !fill->isBeforeInBlock(copy))
    return nullptr;
  return copy;
}

struct ConvertLinalgToCPUGemmPass
    : mlir::ssm::impl::ConvertLinalgToCPUGemmBase<ConvertLinalgToCPUGemmPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    struct Match {
      gemm::Contraction contraction;
      fmt::LibraryCallRecord record;
    };
    std::vector<Match> matches;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      for (Operation &op : fn.getBody().front()) {
        auto g = dyn_cast<linalg::GenericOp>(op);
        if (!g || !g.hasPureBufferSemantics())
          continue;
        FailureOr<gemm::Contraction> c = gemm::matchContraction(g);
        if (failed(c))
          continue;
        auto outType = cast<MemRefType>(g.getDpsInits()[0].getType());
        FailureOr<fmt::LibraryCallRecord> r = recordOf(*c, outType);
        Value out = g.getDpsInits()[0];
        if (c->a.value == out || c->b.value == out)
          continue; // reads its own output: leave it to the loops
        if (failed(r) || failed(staticOffset(c->a.value)) ||
            failed(staticOffset(c->b.value)) ||
            failed(staticOffset(g.getDpsInits()[0])))
          continue;
        matches.push_back({*c, *r});
      }
    }
    if (matches.empty())
      return;

    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    Location moduleLoc = module.getLoc();
    b.setInsertionPointToStart(module.getBody());
    Type index = b.getIndexType(), i32 = b.getI32Type();
    auto callee = module.lookupSymbol<func::FuncOp>(ssm::kCPUGemmCallee);
    if (!callee) {
      callee = func::FuncOp::create(
          b, moduleLoc, ssm::kCPUGemmCallee,
          b.getFunctionType({index, index, index, index, i32}, {i32}));
      callee.setPrivate();
    }
    auto recordType = MemRefType::get({kRecordWords}, b.getI64Type());
    std::map<std::vector<uint64_t>, memref::GlobalOp> records;
    SymbolTable symbols(module);

    for (Match &match : matches) {
      linalg::GenericOp g = match.contraction.op;
      Location loc = g.getLoc();
      std::vector<uint64_t> words(kRecordWords);
      std::memcpy(words.data(), &match.record, sizeof(match.record));
      memref::GlobalOp &global = records[words];
      if (!global) {
        b.setInsertionPointToStart(module.getBody());
        SmallVector<int64_t> values(words.begin(), words.end());
        auto init = DenseElementsAttr::get(
            RankedTensorType::get({kRecordWords}, b.getI64Type()),
            ArrayRef<int64_t>(values));
        global = memref::GlobalOp::create(
            b, loc, "__ssm_gemm_call", b.getStringAttr("private"), recordType,
            init, /*constant=*/true, b.getI64IntegerAttr(8));
        symbols.insert(global); // unique name
      }

      // C's zero init right before the contraction (a zero fill of C, or a
      // copy into C of a buffer that only ever holds zeros): the library
      // overwrites C instead, the init runs only with the loops.
      Value out = g.getDpsInits()[0];
      Operation *init = zeroInitOf(g->getPrevNode(), out);
      b.setInsertionPoint(init ? init : g.getOperation());
      auto address = [&](Value v) -> Value {
        Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, v);
        int64_t offset = *staticOffset(v);
        if (offset == 0)
          return base;
        return arith::AddIOp::create(
            b, loc, base, arith::ConstantIndexOp::create(b, loc, offset * 4));
      };
      Value recordMem =
          memref::GetGlobalOp::create(b, loc, recordType, global.getSymName());
      Value record =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, recordMem);
      Value accumulate = arith::ConstantIntOp::create(b, loc, i32, init ? 0 : 1);
      auto call = func::CallOp::create(
          b, loc, callee,
          ValueRange{record, address(match.contraction.a.value),
                     address(match.contraction.b.value), address(out),
                     accumulate});
      Value zero = arith::ConstantIntOp::create(b, loc, i32, 0);
      Value missed = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           call.getResult(0), zero);
      auto ifOp = scf::IfOp::create(b, loc, missed, /*withElseRegion=*/false);
      Block *then = ifOp.thenBlock();
      if (init)
        init->moveBefore(then->getTerminator());
      g->moveBefore(then->getTerminator());
    }
  }
};

} // namespace
