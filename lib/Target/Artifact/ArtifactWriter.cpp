//===- ArtifactWriter.cpp - entry signatures and .ssmb writing --------===//

#include "ssm/Target/Artifact.h"

#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"

#include <map>
#include <tuple>

using namespace mlir;
using namespace mlir::ssm;
namespace fmt = ssmrt::format;

static FailureOr<fmt::DType> dtypeOf(Type t) {
  if (t.isF32())
    return fmt::DType::F32;
  if (t.isF16())
    return fmt::DType::F16;
  if (t.isBF16())
    return fmt::DType::BF16;
  if (t.isF64())
    return fmt::DType::F64;
  if (t.isSignlessInteger(32))
    return fmt::DType::I32;
  if (t.isSignlessInteger(64))
    return fmt::DType::I64;
  if (t.isSignlessInteger(8))
    return fmt::DType::I8;
  if (t.isSignlessInteger(1))
    return fmt::DType::Bool;
  return failure();
}

static FailureOr<fmt::TensorSpec> specOf(func::FuncOp fn, Type type,
                                         StringRef what, unsigned index,
                                         StringAttr name) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      tensor.getRank() > int64_t(fmt::kMaxRank))
    return fn.emitError("entry '")
           << fn.getSymName() << "' " << what << " #" << index
           << " must be a statically shaped tensor of rank <= " << fmt::kMaxRank
           << ", got " << type;
  FailureOr<fmt::DType> dtype = dtypeOf(tensor.getElementType());
  if (failed(dtype))
    return fn.emitError("entry '")
           << fn.getSymName() << "' " << what << " #" << index
           << " has unsupported element type " << tensor.getElementType();
  fmt::TensorSpec spec;
  spec.name = name ? name.str() : (what + Twine(index)).str();
  spec.dtype = *dtype;
  spec.dims.assign(tensor.getShape().begin(), tensor.getShape().end());
  return spec;
}

FailureOr<std::vector<EntrySignature>>
mlir::ssm::collectEntrySignatures(ModuleOp module) {
  std::vector<EntrySignature> entries;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isPrivate() || fn.isExternal())
      continue;
    EntrySignature entry;
    entry.name = fn.getSymName().str();
    for (auto [i, t] : llvm::enumerate(fn.getArgumentTypes())) {
      auto spec =
          specOf(fn, t, "input", i, fn.getArgAttrOfType<StringAttr>(i, kNameAttr));
      if (failed(spec))
        return failure();
      entry.inputs.push_back(*spec);
    }
    for (auto [i, t] : llvm::enumerate(fn.getResultTypes())) {
      auto spec = specOf(fn, t, "output", i,
                         fn.getResultAttrOfType<StringAttr>(i, kNameAttr));
      if (failed(spec))
        return failure();
      entry.outputs.push_back(*spec);
    }
    entries.push_back(std::move(entry));
  }
  if (entries.empty())
    return module.emitError("the module has no public function to compile");
  return entries;
}

/// The start of every entry's schedule, CPU and GPU alike. Buffers: inputs
/// 0..n-1 (bound to caller inputs, or to constants when embedded), outputs
/// n..n+m-1 (allocated), then the workspace n+m when there is one. Returns
/// the inputs left to the caller, in signature order.
static std::vector<fmt::TensorSpec>
addEntryPrologue(fmt::ModuleBuilder &builder, const EntrySignature &entry) {
  uint32_t numInputs = entry.inputs.size();
  std::vector<fmt::TensorSpec> callerInputs;
  for (uint32_t i = 0; i < numInputs; ++i) {
    const fmt::TensorSpec &spec = entry.inputs[i];
    if (i < entry.embedded.size() && !entry.embedded[i].empty()) {
      uint32_t constant = builder.addConstant(
          spec.name, entry.embedded[i].data(), entry.embedded[i].size());
      builder.addBindConstant(i, constant);
    } else {
      builder.addBindInput(i, callerInputs.size());
      callerInputs.push_back(spec);
    }
  }
  for (auto [j, output] : llvm::enumerate(entry.outputs)) {
    uint64_t bytes = fmt::dtypeSize(output.dtype);
    for (int64_t d : output.dims)
      bytes *= uint64_t(d);
    builder.addAlloc(numInputs + j, bytes);
  }
  if (entry.workspaceBytes > 0)
    builder.addAlloc(numInputs + entry.outputs.size(), entry.workspaceBytes);
  return callerInputs;
}

FailureOr<std::vector<uint8_t>> mlir::ssm::writeCPUArtifact(
    Location loc, ArrayRef<EntrySignature> entries, ArrayRef<char> sharedObject,
    StringRef chip, StringRef kernelSuffix,
    const std::optional<fmt::ModelInfoSpec> &modelInfo) {
  fmt::ModuleBuilder builder("ssmc " SSM_VERSION);
  uint32_t object = builder.addKernelObject(
      fmt::TargetKind::Cpu, fmt::BinaryFormat::So, chip.str(),
      sharedObject.data(), sharedObject.size());
  for (const EntrySignature &entry : entries) {
    uint32_t numInputs = entry.inputs.size(), numOutputs = entry.outputs.size();
    bool hasWorkspace = entry.workspaceBytes > 0;
    uint32_t workspace = numInputs + numOutputs;
    uint32_t numBuffers = workspace + (hasWorkspace ? 1 : 0);
    // The one CPU kernel takes every buffer, in buffer order.
    std::vector<fmt::KernelArgRecord> kernelArgs(numBuffers, fmt::bufferArg());
    uint32_t kernel = builder.addKernel(entry.name + kernelSuffix.str(), object,
                                        {1, 1, 1}, 0, kernelArgs);
    uint32_t first = builder.commandCount();
    std::vector<fmt::TensorSpec> callerInputs = addEntryPrologue(builder, entry);
    std::vector<fmt::LaunchArgRecord> launchArgs;
    for (uint32_t b = 0; b < numBuffers; ++b)
      launchArgs.push_back(fmt::launchBuffer(b));
    builder.addLaunch(kernel, {1, 1, 1}, launchArgs);
    if (hasWorkspace)
      builder.addFree(workspace);
    for (uint32_t j = 0; j < numOutputs; ++j)
      builder.addReturn(numInputs + j, j);
    builder.addEntry(entry.name, callerInputs, entry.outputs, numBuffers, first,
                     builder.commandCount() - first);
  }
  if (modelInfo)
    builder.setModelInfo(*modelInfo);
  auto bytes = builder.finish();
  if (!bytes.ok())
    return emitError(loc, "writing the .ssmb artifact failed: ")
           << bytes.status().toString();
  return std::move(*bytes);
}

//===----------------------------------------------------------------------===//
// GPU (NVPTX, AMDGPU): gpu.binary objects + host functions as schedules
//===----------------------------------------------------------------------===//

namespace {

/// Bytes of a statically shaped memref with an identity layout, or failure.
FailureOr<uint64_t> denseBytes(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape() || !memref.getLayout().isIdentity())
    return failure();
  unsigned bits = memref.getElementTypeBitWidth();
  if (bits == 0 || bits % 8 != 0)
    return failure();
  return uint64_t(memref.getNumElements()) * (bits / 8);
}

/// True if `type`'s strides and offset are all static.
bool isStaticStridedLayout(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return !ShapedType::isDynamic(offset) &&
         llvm::none_of(strides, ShapedType::isDynamic);
}

std::optional<int64_t> constantInt(Value v) {
  if (!v)
    return std::nullopt;
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return std::nullopt;
}

/// Writes one entry's schedule from its host function.
class HostScheduleWriter {
public:
  HostScheduleWriter(fmt::ModuleBuilder &builder,
                     const llvm::StringMap<uint32_t> &objects)
      : builder(builder), objects(objects) {}

  LogicalResult write(func::FuncOp fn, const EntrySignature &entry);

private:
  struct Slot {
    uint32_t buffer = 0;
    uint64_t offset = 0;
    /// The bytes of the allocation, argument or workspace view the slot
    /// starts in, from `offset` on (a view: its own bytes; unknown: the
    /// most).
    uint64_t bytes = UINT64_MAX;
  };
  FailureOr<Slot> slotOf(Operation *user, Value v) {
    auto it = slots.find(v);
    if (it == slots.end())
      return user->emitError("GPU schedule: buffer operand not traceable to "
                             "an argument, the workspace or an allocation");
    return it->second;
  }
  LogicalResult launch(gpu::LaunchFuncOp op);
  LogicalResult libraryCall(gpu::LaunchFuncOp op, DictionaryAttr call,
                            uint32_t command);
  FailureOr<uint32_t> kernelIndex(gpu::LaunchFuncOp op,
                                  std::array<uint32_t, 3> block,
                                  uint32_t shared);

  fmt::ModuleBuilder &builder;
  const llvm::StringMap<uint32_t> &objects;
  DenseMap<Value, Slot> slots;
  /// (module::kernel, block, shared) -> kernel metadata index.
  std::map<std::tuple<std::string, std::array<uint32_t, 3>, uint32_t>,
           uint32_t>
      kernels;
  uint32_t nextBuffer = 0;
};

FailureOr<uint32_t>
HostScheduleWriter::kernelIndex(gpu::LaunchFuncOp op,
                                std::array<uint32_t, 3> block,
                                uint32_t shared) {
  std::string module = op.getKernelModuleName().str();
  std::string name = op.getKernelName().str();
  auto key = std::make_tuple(module + "::" + name, block, shared);
  if (auto it = kernels.find(key); it != kernels.end())
    return it->second;
  auto object = objects.find(module);
  if (object == objects.end())
    return op.emitError("GPU schedule: no kernel object for gpu.binary @")
           << module;
  std::vector<fmt::KernelArgRecord> args;
  for (Value v : op.getKernelOperands()) {
    Type t = v.getType();
    if (isa<MemRefType>(t))
      args.push_back(fmt::bufferArg());
    else if (t.isIndex() || t.isInteger(64) || t.isF64())
      args.push_back(fmt::scalarArg(8));
    else if (t.isInteger(32) || t.isF32())
      args.push_back(fmt::scalarArg(4));
    else
      return op.emitError("GPU schedule: unsupported kernel argument type ")
             << t;
  }
  uint32_t index =
      builder.addKernel(name, object->second, block, shared, args);
  kernels[key] = index;
  return index;
}

LogicalResult HostScheduleWriter::launch(gpu::LaunchFuncOp op) {
  std::array<uint32_t, 3> grid, block;
  gpu::KernelDim3 g = op.getGridSizeOperandValues(),
                  b = op.getBlockSizeOperandValues();
  Value gv[3] = {g.x, g.y, g.z}, bv[3] = {b.x, b.y, b.z};
  for (int i = 0; i < 3; ++i) {
    std::optional<int64_t> gi = constantInt(gv[i]), bi = constantInt(bv[i]);
    if (!gi || !bi || *gi < 1 || *bi < 1 || *gi > UINT32_MAX ||
        *bi > UINT32_MAX)
      return op.emitError("GPU schedule: grid and block sizes must be "
                          "positive constants");
    grid[i] = uint32_t(*gi);
    block[i] = uint32_t(*bi);
  }
  uint32_t shared = 0;
  if (Value dyn = op.getDynamicSharedMemorySize()) {
    std::optional<int64_t> bytes = constantInt(dyn);
    if (!bytes || *bytes < 0)
      return op.emitError("GPU schedule: dynamic shared memory must be a "
                          "constant");
    shared = uint32_t(*bytes);
  }
  if (op.getClusterSizeX() || !op.getAsyncDependencies().empty())
    return op.emitError("GPU schedule: clusters and async tokens are not "
                        "supported");
  FailureOr<uint32_t> kernel = kernelIndex(op, block, shared);
  if (failed(kernel))
    return failure();
  std::vector<fmt::LaunchArgRecord> args;
  for (Value v : op.getKernelOperands()) {
    if (isa<MemRefType>(v.getType())) {
      FailureOr<Slot> slot = slotOf(op, v);
      if (failed(slot))
        return failure();
      args.push_back(fmt::launchBuffer(slot->buffer, slot->offset));
      continue;
    }
    APInt intValue;
    APFloat floatValue(0.0);
    if (matchPattern(v, m_ConstantInt(&intValue)))
      args.push_back(fmt::launchScalar(intValue.getZExtValue()));
    else if (matchPattern(v, m_ConstantFloat(&floatValue)))
      args.push_back(fmt::launchScalar(
          floatValue.bitcastToAPInt().getZExtValue()));
    else
      return op.emitError("GPU schedule: scalar kernel arguments must be "
                          "constants");
  }
  uint32_t command = builder.addLaunch(*kernel, grid, args);
  if (auto call = op->getAttrOfType<DictionaryAttr>("ssm.library_call"))
    return libraryCall(op, call, command);
  return success();
}

/// The convert-linalg-to-gpu-gemm descriptor of a launch as a LibraryCalls
/// record (the reader validates it again in finish()).
LogicalResult HostScheduleWriter::libraryCall(gpu::LaunchFuncOp op,
                                              DictionaryAttr call,
                                              uint32_t command) {
  auto fail = [&](const Twine &what) {
    return op.emitError("GPU schedule: bad ssm.library_call: ") << what;
  };
  auto opName = call.getAs<StringAttr>("op");
  if (!opName || opName.getValue() != "gemm")
    return fail("op must be \"gemm\"");
  fmt::LibraryCallRecord r = {};
  r.op = uint32_t(fmt::LibraryOp::Gemm);
  r.command = command;
  auto integer = [&](StringRef name, uint64_t &out) {
    auto v = call.getAs<IntegerAttr>(name);
    if (!v || v.getInt() < 0)
      return false;
    out = uint64_t(v.getInt());
    return true;
  };
  // A view's static layout offset is applied inside the kernel (the launch
  // passes its source's base): the record carries it for the library.
  auto argIndex = [&](StringRef name, uint32_t &out, Type &elem,
                      uint64_t &offset) {
    uint64_t v;
    if (!integer(name, v) || v >= op.getNumKernelOperands())
      return false;
    auto type = dyn_cast<MemRefType>(op.getKernelOperand(v).getType());
    if (!type)
      return false;
    SmallVector<int64_t> layoutStrides;
    int64_t layoutOffset = 0;
    if (failed(type.getStridesAndOffset(layoutStrides, layoutOffset)) ||
        ShapedType::isDynamic(layoutOffset) || layoutOffset < 0)
      return false;
    out = uint32_t(v);
    elem = type.getElementType();
    offset = uint64_t(layoutOffset);
    return true;
  };
  auto strides = [&](StringRef name, uint64_t (&out)[3]) {
    auto v = call.getAs<DenseI64ArrayAttr>(name);
    if (!v || v.size() != 3)
      return false;
    for (int i = 0; i < 3; ++i)
      out[i] = uint64_t(v[i]);
    return true;
  };
  Type aElem, bElem, cElem, biasElem;
  if (!integer("m", r.m) || !integer("n", r.n) || !integer("k", r.k) ||
      !integer("batch", r.batch) ||
      !argIndex("a_arg", r.a_arg, aElem, r.a_offset) ||
      !argIndex("b_arg", r.b_arg, bElem, r.b_offset) ||
      !argIndex("c_arg", r.c_arg, cElem, r.c_offset) ||
      !strides("a_strides", r.a_strides) ||
      !strides("b_strides", r.b_strides) ||
      !strides("c_strides", r.c_strides))
    return fail("missing or invalid m, n, k, batch, operands or strides");
  // Where the descriptor names the operands' dims (row, column, batch), its
  // strides must be those of the operands' layouts: a padded buffer whose
  // record missed the padding would be read wrongly by the library alone.
  auto layoutMatches = [&](uint32_t arg, StringRef dimsName,
                           const uint64_t (&recorded)[3]) {
    auto dims = call.getAs<DenseI64ArrayAttr>(dimsName);
    if (!dims)
      return true;
    auto type = cast<MemRefType>(op.getKernelOperand(arg).getType());
    SmallVector<int64_t> layout;
    int64_t offset = 0;
    if (dims.size() != 3 || failed(type.getStridesAndOffset(layout, offset)))
      return false;
    for (int i = 0; i < 3; ++i) {
      const int64_t d = dims[i];
      int64_t expected = 0;
      if (i < 2 || (r.batch > 1 && d >= 0)) {
        if (d < 0 || d >= int64_t(layout.size()))
          return false;
        expected = layout[d];
      }
      if (ShapedType::isDynamic(expected) || uint64_t(expected) != recorded[i])
        return false;
    }
    return true;
  };
  if (!layoutMatches(r.a_arg, "a_dims", r.a_strides) ||
      !layoutMatches(r.b_arg, "b_dims", r.b_strides) ||
      !layoutMatches(r.c_arg, "c_dims", r.c_strides))
    return fail("strides do not match the operands' layouts");
  auto bias = call.getAs<StringAttr>("bias");
  auto activation = call.getAs<StringAttr>("activation");
  if (!bias || !activation)
    return fail("missing bias or activation");
  if (bias.getValue() == "none")
    r.bias = uint32_t(fmt::GemmBias::None);
  else if (bias.getValue() == "m")
    r.bias = uint32_t(fmt::GemmBias::AlongM);
  else if (bias.getValue() == "n")
    r.bias = uint32_t(fmt::GemmBias::AlongN);
  else
    return fail("bias must be none, m or n");
  if (activation.getValue() == "none")
    r.activation = uint32_t(fmt::GemmActivation::None);
  else if (activation.getValue() == "relu")
    r.activation = uint32_t(fmt::GemmActivation::Relu);
  else
    return fail("activation must be none or relu");
  auto dtype = [&](Type t, uint32_t &out) {
    FailureOr<fmt::DType> d = dtypeOf(t);
    if (failed(d))
      return false;
    out = uint32_t(*d);
    return true;
  };
  if (!dtype(aElem, r.a_dtype) || !dtype(bElem, r.b_dtype) ||
      !dtype(cElem, r.c_dtype))
    return fail("unsupported element type");
  if (r.bias != uint32_t(fmt::GemmBias::None) &&
      (!argIndex("bias_arg", r.bias_arg, biasElem, r.bias_offset) ||
       !dtype(biasElem, r.bias_dtype)))
    return fail("missing or invalid bias operand");
  // Every element the library reads or writes (the record's extents may run
  // into padding and slack, ssm-pad-library-buffers) lies inside the
  // operand's own allocation, not only inside the buffer (the workspace)
  // that the runtime checks.
  auto fits = [&](uint32_t arg, uint64_t rows, uint64_t cols,
                  const uint64_t (&st)[3], Type elem, uint64_t offset) {
    FailureOr<Slot> slot = slotOf(op, op.getKernelOperand(arg));
    if (failed(slot))
      return false;
    const unsigned bits = elem.getIntOrFloatBitWidth();
    APInt span(128, 1);
    span += APInt(128, offset);
    span += APInt(128, rows - 1) * APInt(128, st[0]);
    span += APInt(128, cols - 1) * APInt(128, st[1]);
    if (r.batch > 1)
      span += APInt(128, r.batch - 1) * APInt(128, st[2]);
    span *= APInt(128, (bits + 7) / 8);
    return span.ule(APInt(128, slot->bytes));
  };
  if (!fits(r.a_arg, r.m, r.k, r.a_strides, aElem, r.a_offset) ||
      !fits(r.b_arg, r.k, r.n, r.b_strides, bElem, r.b_offset) ||
      !fits(r.c_arg, r.m, r.n, r.c_strides, cElem, r.c_offset) ||
      (r.bias != uint32_t(fmt::GemmBias::None) &&
       !fits(r.bias_arg, r.bias == uint32_t(fmt::GemmBias::AlongM) ? r.m : r.n,
             1, {1, 1, 0}, biasElem, r.bias_offset)))
    return fail("extents reach past an operand's allocation");
  builder.addLibraryCall(r);
  return success();
}

LogicalResult HostScheduleWriter::write(func::FuncOp fn,
                                        const EntrySignature &entry) {
  uint32_t numInputs = entry.inputs.size(), numOutputs = entry.outputs.size();
  bool hasWorkspace = entry.workspaceBytes > 0;
  if (fn.getNumArguments() != numInputs + numOutputs + (hasWorkspace ? 1 : 0))
    return fn.emitError("GPU schedule: expected ")
           << numInputs << " inputs, " << numOutputs << " out-parameters"
           << (hasWorkspace ? " and a workspace" : "") << ", got "
           << fn.getNumArguments() << " arguments";
  uint32_t workspace = numInputs + numOutputs;
  nextBuffer = workspace + (hasWorkspace ? 1 : 0);
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    auto type = dyn_cast<MemRefType>(fn.getArgument(i).getType());
    FailureOr<uint64_t> bytes =
        type ? denseBytes(type) : FailureOr<uint64_t>(failure());
    slots[fn.getArgument(i)] = {i, 0, succeeded(bytes) ? *bytes : UINT64_MAX};
  }

  uint32_t first = builder.commandCount();
  std::vector<fmt::TensorSpec> callerInputs = addEntryPrologue(builder, entry);

  std::vector<uint32_t> allocated;
  for (Operation &op : fn.getBody().front()) {
    if (isa<arith::ConstantOp, func::ReturnOp>(op))
      continue;
    if (auto view = dyn_cast<memref::ViewOp>(op)) {
      FailureOr<Slot> base = slotOf(&op, view.getSource());
      std::optional<int64_t> shift = constantInt(view.getByteShift());
      if (failed(base) || !shift || *shift < 0)
        return view.emitError("GPU schedule: unsupported view");
      FailureOr<uint64_t> bytes = denseBytes(view.getType());
      slots[view.getResult()] = {base->buffer, base->offset + uint64_t(*shift),
                                 succeeded(bytes) ? *bytes : UINT64_MAX};
      continue;
    }
    if (auto subview = dyn_cast<memref::SubViewOp>(op)) {
      // Kernels take memrefs as bare pointers to the source's base: the
      // subview's static offset and strides are applied inside the kernel
      // from its type, so it names the same slot as its source.
      FailureOr<Slot> base = slotOf(&op, subview.getSource());
      if (failed(base) || !subview.getType().hasStaticShape() ||
          !isStaticStridedLayout(subview.getType()))
        return subview.emitError("GPU schedule: only static subviews are "
                                 "supported");
      slots[subview.getResult()] = *base;
      continue;
    }
    if (isa<memref::CastOp, memref::CollapseShapeOp, memref::ExpandShapeOp>(
            op)) {
      // Same base as the source; a static offset in the result's layout
      // (a reshaped subview) is applied inside the kernel, as for subviews.
      FailureOr<Slot> base = slotOf(&op, op.getOperand(0));
      auto type = dyn_cast<MemRefType>(op.getResult(0).getType());
      if (failed(base) || !type || !type.hasStaticShape() ||
          !isStaticStridedLayout(type))
        return op.emitError("GPU schedule: unsupported reshape");
      slots[op.getResult(0)] = *base;
      continue;
    }
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      FailureOr<uint64_t> bytes = denseBytes(alloc.getType());
      if (failed(bytes) || alloc.getType().getMemorySpace())
        return alloc.emitError("GPU schedule: only static, dense device "
                               "allocations are supported");
      uint32_t id = nextBuffer++;
      builder.addAlloc(id, *bytes);
      slots[alloc.getResult()] = {id, 0, *bytes};
      allocated.push_back(id);
      continue;
    }
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      FailureOr<Slot> slot = slotOf(&op, dealloc.getMemref());
      if (failed(slot))
        return failure();
      auto it = llvm::find(allocated, slot->buffer);
      if (it == allocated.end() || slot->offset != 0)
        return dealloc.emitError("GPU schedule: dealloc of a non-allocation");
      builder.addFree(slot->buffer);
      allocated.erase(it);
      continue;
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      FailureOr<uint64_t> bytes = denseBytes(copy.getSource().getType());
      FailureOr<uint64_t> dstBytes = denseBytes(copy.getTarget().getType());
      FailureOr<Slot> src = slotOf(&op, copy.getSource()),
                      dst = slotOf(&op, copy.getTarget());
      if (failed(bytes) || failed(dstBytes) || failed(src) || failed(dst))
        return copy.emitError("GPU schedule: only dense copies are supported");
      builder.addCopy(dst->buffer, dst->offset, src->buffer, src->offset,
                      *bytes);
      continue;
    }
    if (auto launchOp = dyn_cast<gpu::LaunchFuncOp>(op)) {
      if (failed(launch(launchOp)))
        return failure();
      continue;
    }
    return op.emitError("GPU schedule: '")
           << op.getName() << "' has no schedule command (the host side of a "
           << "GPU function may only allocate, copy and launch)";
  }
  for (uint32_t id : allocated)
    builder.addFree(id);
  if (hasWorkspace)
    builder.addFree(workspace);
  for (uint32_t j = 0; j < numOutputs; ++j)
    builder.addReturn(numInputs + j, j);
  builder.addEntry(entry.name, callerInputs, entry.outputs, nextBuffer, first,
                   builder.commandCount() - first);
  return success();
}

} // namespace

/// The kernel object of one gpu.binary: PTX (NVVM, format=isa) or an HSACO
/// code object (ROCDL, format=bin).
static FailureOr<uint32_t> addGPUKernelObject(fmt::ModuleBuilder &builder,
                                              gpu::BinaryOp binary) {
  for (Attribute attr : binary.getObjects()) {
    auto object = dyn_cast<gpu::ObjectAttr>(attr);
    if (!object)
      continue;
    if (auto nvvm = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget())) {
      if (object.getFormat() != gpu::CompilationTarget::Assembly)
        return binary.emitError("GPU artifact: expected PTX assembly "
                                "(gpu-module-to-binary format=isa)");
      std::string ptx = object.getObject().getValue().str();
      ptx.push_back('\0');
      return builder.addKernelObject(fmt::TargetKind::Nvptx,
                                     fmt::BinaryFormat::Ptx,
                                     nvvm.getChip().str(), ptx.data(),
                                     ptx.size());
    }
    if (auto rocdl = dyn_cast<ROCDL::ROCDLTargetAttr>(object.getTarget())) {
      if (object.getFormat() != gpu::CompilationTarget::Binary)
        return binary.emitError("GPU artifact: expected an HSACO code object "
                                "(gpu-module-to-binary format=bin)");
      StringRef hsaco = object.getObject().getValue();
      // An AMDGPU code object is an ELF file.
      if (!hsaco.starts_with("\x7f" "ELF"))
        return binary.emitError("GPU artifact: the ROCDL object is not an "
                                "ELF code object");
      return builder.addKernelObject(fmt::TargetKind::Amdgpu,
                                     fmt::BinaryFormat::Hsaco,
                                     rocdl.getChip().str(), hsaco.data(),
                                     hsaco.size());
    }
  }
  return binary.emitError("GPU artifact: gpu.binary has no NVVM or ROCDL "
                          "object");
}

FailureOr<std::vector<uint8_t>> mlir::ssm::writeGPUArtifact(
    ModuleOp module, ArrayRef<EntrySignature> entries,
    const std::optional<fmt::ModelInfoSpec> &modelInfo) {
  fmt::ModuleBuilder builder("ssmc " SSM_VERSION);
  llvm::StringMap<uint32_t> objects;
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    FailureOr<uint32_t> index = addGPUKernelObject(builder, binary);
    if (failed(index))
      return failure();
    objects[binary.getSymName()] = *index;
  }
  for (const EntrySignature &entry : entries) {
    auto fn = module.lookupSymbol<func::FuncOp>(entry.name);
    if (!fn || fn.isExternal())
      return module.emitError("GPU artifact: entry '")
             << entry.name << "' has no host function";
    HostScheduleWriter writer(builder, objects);
    if (failed(writer.write(fn, entry)))
      return failure();
  }
  if (modelInfo)
    builder.setModelInfo(*modelInfo);
  auto bytes = builder.finish();
  if (!bytes.ok())
    return emitError(module.getLoc(), "writing the .ssmb artifact failed: ")
           << bytes.status().toString();
  return std::move(*bytes);
}
