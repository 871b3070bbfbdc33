//===- PadLibraryBuffers.cpp - library GEMM buffers with aligned rows ---===//
//
// ssm-pad-library-buffers (see Passes.td). The decision is
// planLibraryRowPitch (KernelPlans.h); this file only finds the buffers,
// checks that every user can take a strided view of them and rewrites the
// IR and the library-call records. The records' extents grow where
// planLibraryGemmExtents finds it safe (extendFunction), with the
// allocations it needs grown the same way.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"
#include "ssm/Conversion/SSMToGPU/KernelPlans.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

#include <map>

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMPADLIBRARYBUFFERS
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

constexpr StringLiteral kLibraryCall = "ssm.library_call";

/// The memref operands of a library-call record and the attributes naming
/// their dims and strides.
struct RecordOperand {
  StringLiteral arg, dims, strides;
};
constexpr RecordOperand kRecordOperands[] = {{"a_arg", "a_dims", "a_strides"},
                                             {"b_arg", "b_dims", "b_strides"},
                                             {"c_arg", "c_dims", "c_strides"}};

/// The planned change of one buffer: the values whose memref type changes
/// (the allocation, then its views; launches are fixed up afterwards).
/// The reassociation that collapses all `rank` dims into one.
SmallVector<ReassociationIndices> oneGroup(int64_t rank) {
  SmallVector<ReassociationIndices> all(1);
  for (int64_t d = 0; d < rank; ++d)
    all.back().push_back(d);
  return all;
}

struct Retype {
  SmallVector<std::pair<Value, MemRefType>> values;
  /// The user that cannot take the new type, where plan() failed.
  Operation *refusedBy = nullptr;
};

/// The ops that only index a memref (their results, if any, are not
/// memrefs), so any static strided layout works for them.
bool indexesOnly(Operation *op) {
  if (isa<linalg::LinalgOp>(op))
    return true;
  if (!isa<memref::LoadOp, memref::StoreOp, memref::CopyOp, memref::AtomicRMWOp,
           memref::GenericAtomicRMWOp, vector::LoadOp, vector::StoreOp,
           vector::TransferReadOp, vector::TransferWriteOp,
           vector::MaskedLoadOp, vector::MaskedStoreOp,
           nvgpu::DeviceAsyncCopyOp>(op))
    return false;
  return llvm::none_of(op->getResultTypes(), llvm::IsaPred<BaseMemRefType>);
}

/// The type a view op's result gets when its source becomes `source`; null
/// when the view cannot take it.
MemRefType viewType(Operation *op, MemRefType source) {
  if (auto subview = dyn_cast<memref::SubViewOp>(op)) {
    if (!subview.getType().hasStaticShape())
      return {};
    return memref::SubViewOp::inferRankReducedResultType(
        subview.getType().getShape(), source, subview.getStaticOffsets(),
        subview.getStaticSizes(), subview.getStaticStrides());
  }
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op)) {
    auto reassociation = collapse.getReassociationIndices();
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(source,
                                                          reassociation))
      return {};
    return memref::CollapseShapeOp::computeCollapsedType(source, reassociation);
  }
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(op)) {
    FailureOr<MemRefType> type = memref::ExpandShapeOp::computeExpandedType(
        source, expand.getType().getShape(), expand.getReassociationIndices());
    return succeeded(type) ? *type : MemRefType();
  }
  return {};
}

/// The kernel a launch calls (null if it cannot be found).
gpu::GPUFuncOp calleeOf(gpu::LaunchFuncOp launch) {
  return SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
      launch, launch.getKernel());
}

/// Plans `v` taking type `type`: every use must be one that takes it.
/// Launched kernels are checked through their argument (the launch itself
/// is fixed up afterwards by cloning the kernel).
bool plan(Value v, MemRefType type, Retype &r) {
  r.values.push_back({v, type});
  for (OpOperand &use : v.getUses()) {
    Operation *owner = use.getOwner();
    auto refuse = [&] {
      if (!r.refusedBy)
        r.refusedBy = owner;
      return false;
    };
    if (isa<memref::DeallocOp>(owner) || indexesOnly(owner))
      continue;
    if (isa<memref::SubViewOp, memref::CollapseShapeOp, memref::ExpandShapeOp>(
            owner)) {
      if (use.getOperandNumber() != 0)
        return refuse();
      MemRefType result = viewType(owner, type);
      if (!result)
        return refuse();
      if (!plan(owner->getResult(0), result, r))
        return false;
      continue;
    }
    if (auto launch = dyn_cast<gpu::LaunchFuncOp>(owner)) {
      unsigned first = launch.getNumOperands() - launch.getNumKernelOperands();
      if (use.getOperandNumber() < first)
        return refuse();
      gpu::GPUFuncOp kernel = calleeOf(launch);
      if (!kernel || kernel.isExternal())
        return refuse();
      // The kernel body must take the type too; checked on a scratch
      // Retype (the clone is rewritten later, the kernel itself is not).
      BlockArgument arg = kernel.getArgument(use.getOperandNumber() - first);
      Retype inner;
      if (!plan(arg, type, inner)) {
        r.refusedBy = inner.refusedBy ? inner.refusedBy : owner;
        return false;
      }
      continue;
    }
    return refuse();
  }
  return true;
}

/// Applies `r` (types only; views keep their operands).
void apply(const Retype &r) {
  for (auto [value, type] : r.values)
    value.setType(type);
}

/// The library's element strides of an operand of `type` along `dims`
/// (row, column, batch; the batch stride 0 for a single matrix).
FailureOr<SmallVector<int64_t>>
recordStrides(MemRefType type, ArrayRef<int64_t> dims, bool batched) {
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  if (failed(type.getStridesAndOffset(strides, offset)) || dims.size() != 3)
    return failure();
  SmallVector<int64_t> out;
  for (int i = 0; i < 3; ++i) {
    int64_t d = dims[i];
    if (i == 2 && (!batched || d < 0)) {
      out.push_back(0);
      continue;
    }
    if (d < 0 || d >= int64_t(strides.size()) ||
        ShapedType::isDynamic(strides[d]))
      return failure();
    out.push_back(strides[d]);
  }
  return out;
}

/// The record extents: m, n, k.
enum Extent { kM = 0, kN = 1, kK = 2 };
/// The extents each record operand's (row, column) run along: A (m, k),
/// B (k, n), C (m, n).
constexpr int kIndexedBy[3][2] = {{kM, kK}, {kK, kN}, {kM, kN}};

/// The extent along record operand `j`'s unit-stride dim (of `type`, `dims`
/// its row, column and batch dims) and that dim; {-1, -1} if neither is.
std::pair<int, int64_t> contiguousExtent(MemRefType type,
                                         ArrayRef<int64_t> dims, int j) {
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  if (!type || dims.size() != 3 ||
      failed(type.getStridesAndOffset(strides, offset)))
    return {-1, -1};
  for (int i = 0; i < 2; ++i)
    if (dims[i] >= 0 && dims[i] < int64_t(strides.size()) &&
        strides[dims[i]] == 1 && type.getDimSize(dims[i]) > 1)
      return {kIndexedBy[j][i], dims[i]};
  return {-1, -1};
}

struct PadLibraryBuffersPass
    : mlir::ssm::impl::SSMPadLibraryBuffersBase<PadLibraryBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    const ssm::GPUTargetInfo target = ssm::getGPUTargetInfo(chip);
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.isExternal()) {
        padFunction(fn, target);
        if (extendExtents)
          extendFunction(fn, target);
      }
    if (failed(cloneRetypedKernels(module)) || failed(updateRecords(module)))
      return signalPassFailure();
    if (remarks)
      remarkUnalignedExtents(module, target);
  }

  /// A remark on each record extent that runs along an operand's unit-stride
  /// dim and is not a multiple of the operands' vector width there.
  static void remarkUnalignedExtents(ModuleOp module,
                                     const ssm::GPUTargetInfo &target) {
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto call = launch->getAttrOfType<DictionaryAttr>(kLibraryCall);
      if (!call)
        return;
      std::vector<int64_t> bytes[3];
      for (int j = 0; j < 3; ++j) {
        auto index = call.getAs<IntegerAttr>(kRecordOperands[j].arg);
        auto dims = call.getAs<DenseI64ArrayAttr>(kRecordOperands[j].dims);
        if (!index || !dims || index.getInt() < 0 ||
            index.getInt() >= int64_t(launch.getNumKernelOperands()))
          continue;
        auto type = dyn_cast<MemRefType>(
            launch.getKernelOperand(index.getInt()).getType());
        int e = contiguousExtent(type, dims.asArrayRef(), j).first;
        if (e >= 0)
          bytes[e].push_back(int64_t(type.getElementTypeBitWidth() / 8));
      }
      const char *names[3] = {"m", "n", "k"};
      for (int e = 0; e < 3; ++e) {
        auto extent = call.getAs<IntegerAttr>(names[e]);
        const int64_t width = ssm::libraryExtentWidth(bytes[e], target);
        if (extent && width > 1 && extent.getInt() % width != 0)
          launch.emitRemark("ssm-pad-library-buffers: ")
              << names[e] << " = " << extent.getInt()
              << " runs along an operand's contiguous dim and is not a "
                 "multiple of "
              << width;
      }
    });
  }

  /// The allocation in `fn`'s body that `v` views, if any, and how many of
  /// its trailing dims form the matrix rows: more than one where the
  /// allocation is collapsed into the operand directly (VMamba's (b, c, h,
  /// w) read as (b, c, h * w)).
  static std::pair<memref::AllocOp, int64_t> rootOf(Value v, Block &body) {
    Operation *last = nullptr;
    while (Operation *def = v.getDefiningOp()) {
      if (auto alloc = dyn_cast<memref::AllocOp>(def)) {
        if (alloc->getBlock() != &body)
          return {};
        int64_t rowDims = 1;
        if (auto collapse = dyn_cast_or_null<memref::CollapseShapeOp>(last))
          rowDims = collapse.getReassociationIndices().back().size();
        return {alloc, rowDims};
      }
      if (!isa<memref::SubViewOp, memref::CollapseShapeOp,
               memref::ExpandShapeOp>(def))
        return {};
      last = def;
      v = def->getOperand(0);
    }
    return {};
  }

  /// How a buffer's rows are padded: its last `rowDims` dims form a row,
  /// whose extent must also be a multiple of `extentMultiple`.
  struct RowUse {
    int64_t rowDims = 1;
    int64_t extentMultiple = 1;
  };

  void padFunction(func::FuncOp fn, const ssm::GPUTargetInfo &target) {
    Block &body = fn.getBody().front();
    llvm::MapVector<memref::AllocOp, RowUse> roots;
    fn.walk([&](gpu::LaunchFuncOp launch) {
      auto call = launch->getAttrOfType<DictionaryAttr>(kLibraryCall);
      if (!call)
        return;
      // Each operand's contiguous extent and element size.
      Value values[3];
      int extentOf[3] = {-1, -1, -1};
      int64_t dimOf[3] = {-1, -1, -1};
      for (int j = 0; j < 3; ++j) {
        const RecordOperand &operand = kRecordOperands[j];
        auto index = call.getAs<IntegerAttr>(operand.arg);
        auto dims = call.getAs<DenseI64ArrayAttr>(operand.dims);
        if (!index || index.getInt() < 0 ||
            index.getInt() >= int64_t(launch.getNumKernelOperands()))
          continue;
        values[j] = launch.getKernelOperand(index.getInt());
        if (dims)
          std::tie(extentOf[j], dimOf[j]) = contiguousExtent(
              dyn_cast<MemRefType>(values[j].getType()), dims.asArrayRef(), j);
      }
      for (int j = 0; j < 3; ++j) {
        if (!values[j])
          continue;
        auto [root, rowDims] = rootOf(values[j], body);
        if (!root)
          continue;
        RowUse &use = roots.insert({root, RowUse{rowDims, 1}}).first->second;
        // Where the operand's contiguous dim is its allocation's whole row
        // and indexes m or n (k never grows), the row holds the extent
        // rounded to every operand's vector along it.
        if (extentOf[j] < 0 || extentOf[j] == kK)
          continue;
        auto type = cast<MemRefType>(values[j].getType());
        int64_t row = 1;
        for (int64_t s : root.getType().getShape().take_back(rowDims))
          row *= s;
        if (type.getDimSize(dimOf[j]) != row)
          continue;
        std::vector<int64_t> bytes;
        for (int i = 0; i < 3; ++i)
          if (values[i] && extentOf[i] == extentOf[j])
            bytes.push_back(int64_t(
                cast<MemRefType>(values[i].getType()).getElementTypeBitWidth() /
                8));
        use.extentMultiple = std::lcm(use.extentMultiple,
                                      ssm::libraryExtentWidth(bytes, target));
      }
    });
    for (auto [alloc, use] : roots)
      pad(alloc, use.rowDims, use.extentMultiple, target);
  }

  /// Pads the rows of `alloc`, each made of its last `rowDims` dims, to a
  /// multiple of `extentMultiple` elements (planLibraryRowPitch).
  void pad(memref::AllocOp alloc, int64_t rowDims, int64_t extentMultiple,
           const ssm::GPUTargetInfo &target) {
    MemRefType type = alloc.getType();
    const unsigned bits = type.getElementTypeBitWidth();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
        type.getRank() == 0 || type.getMemorySpace() || bits % 8 != 0 ||
        !alloc.getDynamicSizes().empty() || !alloc.getSymbolOperands().empty())
      return;
    // The shape with each row as one dim (the allocation's own when rows
    // are its last dim), and the reassociation back.
    const int64_t outer = type.getRank() - rowDims;
    std::vector<int64_t> shape(type.getShape().begin(),
                               type.getShape().begin() + outer);
    int64_t row = 1;
    for (int64_t s : type.getShape().drop_front(outer))
      row *= s;
    shape.push_back(row);
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t i = 0; i < outer; ++i)
      reassociation.push_back({i});
    reassociation.emplace_back();
    for (int64_t i = outer; i < type.getRank(); ++i)
      reassociation.back().push_back(i);
    const int64_t pitch = ssm::planLibraryRowPitch(shape, int64_t(bits / 8),
                                                   target, extentMultiple);
    if (pitch == shape.back())
      return;
    SmallVector<int64_t> padded(shape.begin(), shape.end());
    padded.back() = pitch;
    auto paddedType = MemRefType::get(padded, type.getElementType());
    const int64_t rank = paddedType.getRank();
    SmallVector<int64_t> zeros(rank, 0), ones(rank, 1);
    MemRefType rows = memref::SubViewOp::inferResultType(
        paddedType, zeros, SmallVector<int64_t>(shape.begin(), shape.end()),
        ones);
    MemRefType logical = rows;
    if (rowDims > 1) {
      FailureOr<MemRefType> expanded =
          memref::ExpandShapeOp::computeExpandedType(rows, type.getShape(),
                                                     reassociation);
      if (failed(expanded))
        return;
      logical = *expanded;
    }
    Retype r;
    if (!plan(alloc.getResult(), logical, r)) {
      if (remarks) {
        InFlightDiagnostic d = alloc.emitRemark(
            "ssm-pad-library-buffers: rows not padded to ");
        d << pitch << ": a user cannot take " << logical;
        if (r.refusedBy)
          d.attachNote(r.refusedBy->getLoc())
              << "refused by " << r.refusedBy->getName();
      }
      return;
    }

    memref::AllocOp newAlloc =
        replaceAllocation(alloc, paddedType, shape, logical,
                          rowDims > 1 ? ArrayRef(reassociation)
                                      : ArrayRef<ReassociationIndices>(),
                          r);
    paddedRows[newAlloc] = {shape.back(), pitch};
  }

  /// The logical row extent and the pitch of each allocation whose rows
  /// this pass padded.
  DenseMap<Operation *, std::pair<int64_t, int64_t>> paddedRows;

  /// Replaces `alloc` by an allocation of `allocType` whose users see a
  /// zero-offset, unit-stride subview of `sizes`, expanded to `logical` by
  /// `reassociation` when one is given; `r` is plan()'s retyping of them.
  memref::AllocOp replaceAllocation(memref::AllocOp alloc, MemRefType allocType,
                         ArrayRef<int64_t> sizes, MemRefType logical,
                         ArrayRef<ReassociationIndices> reassociation,
                         const Retype &r) {
    const int64_t elements = alloc.getType().getNumElements();
    OpBuilder b(alloc);
    Location loc = alloc.getLoc();
    auto newAlloc =
        memref::AllocOp::create(b, loc, allocType, alloc.getAlignmentAttr());
    const int64_t rank = allocType.getRank();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizeAttrs,
        strides(rank, b.getIndexAttr(1));
    for (int64_t s : sizes)
      sizeAttrs.push_back(b.getIndexAttr(s));
    Value view = memref::SubViewOp::create(b, loc, newAlloc, offsets, sizeAttrs,
                                           strides);
    if (!reassociation.empty())
      view =
          memref::ExpandShapeOp::create(b, loc, logical, view, reassociation);
    // The first planned value is the allocation itself: its uses move to the
    // view (deallocations to the new allocation), the views after it change
    // type in place.
    alloc.getResult().replaceUsesWithIf(view, [&](OpOperand &u) {
      return !isa<memref::DeallocOp>(u.getOwner());
    });
    alloc.getResult().replaceAllUsesWith(newAlloc.getResult());
    alloc.erase();
    apply(Retype{{r.values.begin() + 1, r.values.end()}});
    logicalElements[newAlloc] = elements;
    return newAlloc;
  }

  /// The logical element count of an allocation this pass padded or grew
  /// (others: their own).
  DenseMap<Operation *, int64_t> logicalElements;
  /// The extents each library launch computes, where they changed.
  DenseMap<Operation *, ssm::LibraryGemmExtents> extents;

  /// The memory of a record operand `v` of `type` (`dims` its row, column and
  /// batch dims) for planLibraryGemmExtents: strides from its type, `held`
  /// from them (the padding between one dim's extent and the next stride),
  /// the rest of its allocation (after the operand's start, its layout
  /// offset) as slack. Null unless its allocation is known. `pitch`: the
  /// logical row extent and pitch of an allocation this pass padded ({0,
  /// 0} if none): a result whose unit-stride dim is a whole such row, from
  /// a row's start, may write the row's padding.
  static std::optional<ssm::LibraryGemmOperand>
  describe(Value v, ArrayRef<int64_t> dims, memref::AllocOp root,
           int64_t rootLogical, std::pair<int64_t, int64_t> pitch,
           bool result) {
    auto type = dyn_cast<MemRefType>(v.getType());
    SmallVector<int64_t> strides;
    int64_t offset = 0;
    if (!type || !type.hasStaticShape() || dims.size() != 3 ||
        failed(type.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(offset) || offset < 0 ||
        llvm::any_of(strides, ShapedType::isDynamic))
      return std::nullopt;
    ssm::LibraryGemmOperand x;
    x.strides.assign(strides.begin(), strides.end());
    x.held.assign(type.getShape().begin(), type.getShape().end());
    for (int i = 0; i < 3; ++i)
      x.dims[i] = dims[i];
    x.elementBytes = int64_t(type.getElementTypeBitWidth() / 8);
    // Dims (extent > 1) by stride: each holds up to the next stride.
    SmallVector<int64_t> order;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.getDimSize(d) > 1)
        order.push_back(d);
    llvm::stable_sort(
        order, [&](int64_t l, int64_t r) { return strides[l] < strides[r]; });
    for (size_t i = 0; i + 1 < order.size(); ++i) {
      int64_t d = order[i], next = order[i + 1];
      if (strides[d] > 0 && strides[next] % strides[d] == 0)
        x.held[d] = std::max(x.held[d], strides[next] / strides[d]);
    }
    auto lastOf = [&](ArrayRef<int64_t> held) {
      int64_t last = 0;
      for (int64_t d = 0; d < type.getRank(); ++d)
        last += (held[d] - 1) * strides[d];
      return last;
    };
    // An operand of unknown memory (a view of a function argument) holds
    // its own elements only.
    const int64_t total =
        root ? root.getType().getNumElements()
             : offset + lastOf(type.getShape()) + 1;
    // A view into part of its allocation (one direction's rows of VMamba's
    // (b, 4, c, l)) holds the next stride's worth of its outer dims only
    // where that stays inside the allocation; its row padding (the dim of
    // the smallest stride) it holds in any case.
    if (offset + lastOf(x.held) + 1 > total)
      for (size_t i = 1; i < order.size(); ++i)
        x.held[order[i]] = type.getDimSize(order[i]);
    // The allocation's elements past the held layout.
    x.slack = total - (offset + lastOf(x.held) + 1);
    if (x.slack < 0)
      return std::nullopt;
    if (result && pitch.second > pitch.first && offset % pitch.second == 0)
      for (int i = 0; i < 2; ++i)
        if (dims[i] >= 0 && dims[i] < type.getRank() &&
            strides[dims[i]] == 1 &&
            type.getDimSize(dims[i]) == pitch.first &&
            x.held[dims[i]] == pitch.second)
          x.rowPadding = true;
    // A result is the only thing in its allocation where it has all of its
    // logical elements; only an allocation the pass has not touched grows,
    // where the operand is that allocation or a reshape of all of it
    // (FastVim's (b, h, w, d) read as (b, h * w, d); only slack then, see
    // rootGrowth).
    x.exclusive = result && root && type.getNumElements() == rootLogical;
    x.growable = root && root.getType().getLayout().isIdentity() &&
                 (v == root.getResult() ||
                  (type.getLayout().isIdentity() && offset == 0 &&
                   type.getNumElements() == root.getType().getNumElements()));
    return x;
  }

  /// The growth of `root` that gives its operand `v` the `planned` memory
  /// (described as `given`): the operand's own where it is the allocation;
  /// for a reshape of it, only trailing slack (its layout unchanged), else
  /// an invalid one (grownView refuses it).
  static ssm::LibraryGemmOperand
  rootGrowth(Value v, memref::AllocOp root, const ssm::LibraryGemmOperand &given,
             const ssm::LibraryGemmOperand &planned) {
    if (v == root.getResult())
      return planned;
    ssm::LibraryGemmOperand x;
    if (planned.held != given.held)
      return x;
    x.held.assign(root.getType().getShape().begin(),
                  root.getType().getShape().end());
    x.slack = planned.slack;
    return x;
  }

  /// Lets the library launches in `fn` compute aligned extents
  /// (planLibraryGemmExtents), growing the allocations that need it.
  void extendFunction(func::FuncOp fn, const ssm::GPUTargetInfo &target) {
    Block &body = fn.getBody().front();
    SmallVector<gpu::LaunchFuncOp> launches;
    fn.walk([&](gpu::LaunchFuncOp launch) {
      if (launch->hasAttr(kLibraryCall))
        launches.push_back(launch);
    });
    for (gpu::LaunchFuncOp launch : launches)
      extendLaunch(launch, body, target);
  }

  void extendLaunch(gpu::LaunchFuncOp launch, Block &body,
                    const ssm::GPUTargetInfo &target) {
    auto call = launch->getAttrOfType<DictionaryAttr>(kLibraryCall);
    auto integer = [&](StringRef name) -> int64_t {
      auto v = call.getAs<IntegerAttr>(name);
      return v ? v.getInt() : -1;
    };
    ssm::LibraryGemm g;
    g.m = integer("m");
    g.n = integer("n");
    g.k = integer("k");
    g.batch = integer("batch");
    if (g.m < 1 || g.n < 1 || g.k < 1 || g.batch < 1)
      return;
    Value values[3];
    memref::AllocOp roots[3];
    ssm::LibraryGemmOperand *operands[3] = {&g.a, &g.b, &g.c};
    for (int j = 0; j < 3; ++j) {
      const RecordOperand &o = kRecordOperands[j];
      int64_t index = integer(o.arg);
      auto dims = call.getAs<DenseI64ArrayAttr>(o.dims);
      if (index < 0 || index >= int64_t(launch.getNumKernelOperands()) || !dims)
        return;
      values[j] = launch.getKernelOperand(index);
      roots[j] = rootOf(values[j], body).first;
      int64_t logical = 0;
      if (roots[j]) {
        auto it = logicalElements.find(roots[j]);
        logical = it != logicalElements.end()
                      ? it->second
                      : roots[j].getType().getNumElements();
      }
      std::pair<int64_t, int64_t> pitch{0, 0};
      if (roots[j])
        if (auto it = paddedRows.find(roots[j]); it != paddedRows.end())
          pitch = it->second;
      std::optional<ssm::LibraryGemmOperand> x = describe(
          values[j], dims.asArrayRef(), roots[j], logical, pitch, j == 2);
      if (!x)
        return;
      *operands[j] = *x;
    }
    // A, B or C may be one allocation: none of them grows then.
    for (int i = 0; i < 3; ++i)
      for (int j = i + 1; j < 3; ++j)
        if (roots[i] && roots[i] == roots[j])
          operands[i]->growable = operands[j]->growable = false;
    if (auto bias = call.getAs<StringAttr>("bias");
        bias && bias.getValue() != "none") {
      int64_t index = integer("bias_arg");
      if (index < 0 || index >= int64_t(launch.getNumKernelOperands()))
        return;
      auto type =
          dyn_cast<MemRefType>(launch.getKernelOperand(index).getType());
      if (!type || !type.hasStaticShape())
        return;
      g.biasAxis = bias.getValue() == "m" ? 'm' : 'n';
      g.biasHeld = type.getNumElements();
    }
    // Growth each use of the allocation takes, or the plan without it.
    ssm::LibraryGemmExtents ext;
    SmallVector<std::pair<int, MemRefType>> grown;
    // Each retry makes one more operand non-growable, so this ends (after at
    // most three retries, with a plan that grows only what its users take).
    for (bool retry = true; retry;) {
      retry = false;
      ext = ssm::planLibraryGemmExtents(g, target);
      grown.clear();
      const ssm::LibraryGemmOperand *planned[3] = {&ext.a, &ext.b, &ext.c};
      for (int j = 0; j < 3 && !retry; ++j) {
        if (planned[j]->held == operands[j]->held &&
            planned[j]->slack == operands[j]->slack)
          continue;
        MemRefType logical =
            roots[j] ? grownView(roots[j], rootGrowth(values[j], roots[j],
                                                      *operands[j],
                                                      *planned[j]))
                           .second
                     : MemRefType();
        Retype r;
        if (!logical || !plan(roots[j].getResult(), logical, r)) {
          operands[j]->growable = false;
          retry = true;
          continue;
        }
        grown.push_back({j, logical});
      }
    }
    if (ext.m == g.m && ext.n == g.n && ext.k == g.k)
      return;
    const ssm::LibraryGemmOperand *planned[3] = {&ext.a, &ext.b, &ext.c};
    for (auto [j, logical] : grown)
      if (!grow(roots[j],
                rootGrowth(values[j], roots[j], *operands[j], *planned[j])))
        return; // checked above; the record keeps its extents regardless
    extents[launch] = ext;
  }

  /// The allocation type and the users' view type of `root` grown to
  /// `x.held` (dims padded: a subview of the logical shape) or by
  /// `x.slack` trailing elements (a flat allocation, a subview of the
  /// logical elements expanded to the shape).
  static std::pair<MemRefType, MemRefType>
  grownView(memref::AllocOp root, const ssm::LibraryGemmOperand &x) {
    MemRefType type = root.getType();
    if (!type.hasStaticShape() || !root.getDynamicSizes().empty() ||
        !root.getSymbolOperands().empty() || type.getMemorySpace() ||
        int64_t(x.held.size()) != type.getRank())
      return {};
    const int64_t rank = type.getRank();
    if (x.slack == 0) {
      auto padded = MemRefType::get(x.held, type.getElementType());
      return {padded, memref::SubViewOp::inferResultType(
                          padded, SmallVector<int64_t>(rank, 0),
                          type.getShape(), SmallVector<int64_t>(rank, 1))};
    }
    if (ArrayRef<int64_t>(x.held) != type.getShape())
      return {};
    auto flat = MemRefType::get({type.getNumElements() + x.slack},
                                type.getElementType());
    MemRefType view = memref::SubViewOp::inferResultType(
        flat, {0}, {type.getNumElements()}, {1});
    if (rank == 1)
      return {flat, view};
    FailureOr<MemRefType> expanded = memref::ExpandShapeOp::computeExpandedType(
        view, type.getShape(), oneGroup(rank));
    if (failed(expanded))
      return {};
    return {flat, *expanded};
  }

  /// Replaces `root` by its grown allocation (grownView); every user sees
  /// the logical shape. False (nothing changed) where a user cannot.
  bool grow(memref::AllocOp root, const ssm::LibraryGemmOperand &x) {
    auto [allocType, logical] = grownView(root, x);
    Retype r;
    if (!allocType || !plan(root.getResult(), logical, r))
      return false;
    MemRefType type = root.getType();
    if (x.slack == 0) {
      replaceAllocation(root, allocType, type.getShape(), logical, {}, r);
      return true;
    }
    SmallVector<ReassociationIndices> all;
    if (type.getRank() > 1)
      all = oneGroup(type.getRank());
    replaceAllocation(root, allocType, {type.getNumElements()}, logical, all,
                      r);
    return true;
  }

  /// Launches whose operand types no longer match their kernel's arguments
  /// call a clone of the kernel with those types (one per distinct
  /// signature), whose body's views are retyped as planned.
  LogicalResult cloneRetypedKernels(ModuleOp module) {
    std::map<std::pair<Operation *, std::string>, gpu::GPUFuncOp> clones;
    DenseMap<Operation *, std::unique_ptr<SymbolTable>> tables;
    llvm::SetVector<gpu::GPUFuncOp> originals;
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      gpu::GPUFuncOp kernel = calleeOf(launch);
      if (!kernel)
        return WalkResult::advance();
      SmallVector<Type> types(launch.getKernelOperands().getTypes());
      if (TypeRange(types) == kernel.getArgumentTypes())
        return WalkResult::advance();
      std::string key;
      llvm::raw_string_ostream os(key);
      llvm::interleaveComma(types, os);
      gpu::GPUFuncOp &clone = clones[{kernel.getOperation(), key}];
      if (!clone) {
        std::unique_ptr<SymbolTable> &table = tables[kernel->getParentOp()];
        if (!table)
          table = std::make_unique<SymbolTable>(kernel->getParentOp());
        clone = cast<gpu::GPUFuncOp>(kernel->clone());
        clone.setName((kernel.getName() + "_padded").str());
        // Renamed `_padded_0`, ... where that name is taken.
        table->insert(clone, std::next(Block::iterator(kernel)));
        originals.insert(kernel);
        for (auto [i, type] : llvm::enumerate(types)) {
          BlockArgument arg = clone.getArgument(i);
          if (arg.getType() == type)
            continue;
          auto memref = dyn_cast<MemRefType>(type);
          Retype r;
          if (!memref || !plan(arg, memref, r)) {
            launch.emitError("ssm-pad-library-buffers: kernel argument ")
                << i << " cannot take " << type;
            return WalkResult::interrupt();
          }
          apply(r);
        }
        clone.setFunctionTypeAttr(TypeAttr::get(FunctionType::get(
            module.getContext(), types, clone.getResultTypes())));
      }
      launch.setKernelAttr(
          SymbolRefAttr::get(launch.getKernelModuleName(),
                             {FlatSymbolRefAttr::get(clone.getNameAttr())}));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    // Kernels no launch calls any more.
    for (gpu::GPUFuncOp kernel : originals)
      if (SymbolTable::symbolKnownUseEmpty(kernel, module))
        kernel.erase();
    return success();
  }

  /// Every library-call record gets its operands' strides from their types.
  LogicalResult updateRecords(ModuleOp module) {
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      auto call = launch->getAttrOfType<DictionaryAttr>(kLibraryCall);
      if (!call)
        return WalkResult::advance();
      auto batch = call.getAs<IntegerAttr>("batch");
      NamedAttrList attrs(call);
      Builder b(launch.getContext());
      if (auto it = extents.find(launch); it != extents.end()) {
        attrs.set("m", b.getI64IntegerAttr(it->second.m));
        attrs.set("n", b.getI64IntegerAttr(it->second.n));
        attrs.set("k", b.getI64IntegerAttr(it->second.k));
      }
      for (const RecordOperand &operand : kRecordOperands) {
        auto index = call.getAs<IntegerAttr>(operand.arg);
        auto dims = call.getAs<DenseI64ArrayAttr>(operand.dims);
        if (!index || !dims || !batch || index.getInt() < 0 ||
            index.getInt() >= int64_t(launch.getNumKernelOperands()))
          continue;
        auto type = dyn_cast<MemRefType>(
            launch.getKernelOperand(index.getInt()).getType());
        if (!type || type.getLayout().isIdentity())
          continue;
        FailureOr<SmallVector<int64_t>> strides =
            recordStrides(type, dims.asArrayRef(), batch.getInt() > 1);
        if (failed(strides)) {
          launch.emitError("ssm-pad-library-buffers: no strides for ")
              << operand.arg << " of type " << type;
          return WalkResult::interrupt();
        }
        attrs.set(operand.strides, b.getDenseI64ArrayAttr(*strides));
      }
      launch->setAttr(kLibraryCall, attrs.getDictionary(launch.getContext()));
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }
};

} // namespace
