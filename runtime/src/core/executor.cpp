//===- executor.cpp - Schedule planning and execution ---------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "executor.h"

#include "strings.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace ssmrt::detail {

using format::Command;
using format::KernelArgKind;
using format::ScheduleOp;

namespace {

constexpr uint64_t kArenaAlignment = kBufferAlignment;

/// True if [offset, offset + length) lies within [0, limit).
bool rangeFits(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset <= limit && length <= limit - offset;
}

uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

//===----------------------------------------------------------------------===//
// Planning
//===----------------------------------------------------------------------===//

/// A buffer slot during the static simulation.
struct SlotState {
  enum class Kind { Empty, Input, Constant, Allocated, Freed };
  Kind kind = Kind::Empty;
  uint64_t size = 0;
  uint32_t id = 0;    // input index or allocation index
  uint32_t since = 0; // command that bound / allocated / freed it
  int32_t returnedAs = -1;
  uint32_t returnedAt = 0;
};

class Planner {
public:
  Planner(const PlanContext &context, EntryPlan &plan)
      : context_(context), plan_(plan), slots_(plan.bufferCount) {}

  Status run();

private:
  Status step(uint32_t i, const Command &c);
  Status fail(uint32_t i, const Command &c, const std::string &message) const {
    return failedPreconditionError(strCat(
        "function '", plan_.signature.name, "': invalid schedule: command ", i,
        " (", format::scheduleOpName(c.op), "): ", message));
  }
  /// The slot if it exists (the reader already checked buffer ids, but be
  /// defensive).
  Status checkSlotId(uint32_t i, const Command &c, uint32_t buffer) const;
  /// Fails when slot `c.buffer` already holds an input or an allocation;
  /// `advice` (may be empty) ends the message.
  Status checkSlotUnused(uint32_t i, const Command &c,
                         const char *advice) const;
  /// Checks that `buffer` holds data (readable); `what` names it.
  Status checkLive(uint32_t i, const Command &c, uint32_t buffer,
                   const char *what) const;
  /// Checks that `buffer` holds data it may write (not a caller input).
  Status checkWritable(uint32_t i, const Command &c, uint32_t buffer,
                       const char *what) const;
  std::string describe(uint32_t buffer) const;
  void placeArena();

  const PlanContext &context_;
  EntryPlan &plan_;
  std::vector<SlotState> slots_;
  std::vector<int64_t> returnCommand_; // per output, -1 until returned
  uint64_t liveBytes_ = 0;
};

std::string Planner::describe(uint32_t buffer) const {
  const SlotState &s = slots_[buffer];
  switch (s.kind) {
  case SlotState::Kind::Input:
    return strCat("buffer ", buffer, " (input ", s.id, ", ", s.size, " bytes)");
  case SlotState::Kind::Constant:
    return strCat("buffer ", buffer, " (constant ", s.id, ", ", s.size,
                  " bytes)");
  case SlotState::Kind::Allocated:
    return strCat("buffer ", buffer, " (", s.size, " bytes)");
  default:
    return strCat("buffer ", buffer);
  }
}

Status Planner::checkSlotId(uint32_t i, const Command &c,
                            uint32_t buffer) const {
  if (buffer >= slots_.size())
    return fail(i, c,
                strCat("buffer ", buffer, " is out of range (the entry has ",
                       slots_.size(), " buffers)"));
  return okStatus();
}

Status Planner::checkLive(uint32_t i, const Command &c, uint32_t buffer,
                          const char *what) const {
  SSMRT_RETURN_IF_ERROR(checkSlotId(i, c, buffer));
  const SlotState &s = slots_[buffer];
  switch (s.kind) {
  case SlotState::Kind::Empty:
    return fail(i, c,
                strCat(what, " buffer ", buffer,
                       " is not allocated (no Alloc, BindInput or "
                       "BindConstant before this command)"));
  case SlotState::Kind::Freed:
    return fail(i, c,
                strCat(what, " buffer ", buffer,
                       " is used after it was freed by command ", s.since));
  default:
    return okStatus();
  }
}

Status Planner::checkWritable(uint32_t i, const Command &c, uint32_t buffer,
                              const char *what) const {
  SSMRT_RETURN_IF_ERROR(checkLive(i, c, buffer, what));
  const SlotState &s = slots_[buffer];
  if (s.kind == SlotState::Kind::Input)
    return fail(i, c,
                strCat(what, " buffer ", buffer, " is bound to input ", s.id,
                       ", which is read-only"));
  if (s.kind == SlotState::Kind::Constant)
    return fail(i, c,
                strCat(what, " buffer ", buffer, " is bound to constant ", s.id,
                       ", which is read-only"));
  return okStatus();
}

Status Planner::checkSlotUnused(uint32_t i, const Command &c,
                                const char *advice) const {
  const SlotState &s = slots_[c.buffer];
  if (s.kind == SlotState::Kind::Empty || s.kind == SlotState::Kind::Freed)
    return okStatus();
  return fail(i, c,
              strCat("buffer ", c.buffer, " is already ",
                     s.kind == SlotState::Kind::Input ? "bound to an input"
                     : s.kind == SlotState::Kind::Constant
                         ? "bound to a constant"
                         : "allocated",
                     " (by command ", s.since, ")", advice));
}

Status Planner::step(uint32_t i, const Command &c) {
  const FunctionSignature &sig = plan_.signature;
  switch (c.op) {
  case ScheduleOp::Alloc: {
    SSMRT_RETURN_IF_ERROR(checkSlotId(i, c, c.buffer));
    SSMRT_RETURN_IF_ERROR(checkSlotUnused(i, c, "; Free it first"));
    SlotState &s = slots_[c.buffer];
    if (c.bytes > Buffer::kMaxBytes)
      return fail(i, c,
                  strCat("allocation of ", c.bytes, " bytes exceeds the ",
                         Buffer::kMaxBytes, "-byte limit"));
    uint32_t id = static_cast<uint32_t>(plan_.allocations.size());
    PlannedAllocation allocation;
    allocation.command = i;
    allocation.bytes = c.bytes;
    plan_.allocations.push_back(allocation);
    plan_.allocationOfCommand[i] = id;
    s = SlotState();
    s.kind = SlotState::Kind::Allocated;
    s.size = c.bytes;
    s.id = id;
    s.since = i;
    liveBytes_ += c.bytes;
    plan_.memory.peakBytes = std::max(plan_.memory.peakBytes, liveBytes_);
    return okStatus();
  }
  case ScheduleOp::BindInput: {
    SSMRT_RETURN_IF_ERROR(checkSlotId(i, c, c.buffer));
    if (c.operandIndex >= sig.inputs.size())
      return fail(i, c,
                  strCat("input index ", c.operandIndex, " out of range (",
                         sig.inputs.size(), " inputs)"));
    SSMRT_RETURN_IF_ERROR(checkSlotUnused(i, c, ""));
    SlotState &s = slots_[c.buffer];
    s = SlotState();
    s.kind = SlotState::Kind::Input;
    s.size = sig.inputs[c.operandIndex].byteSize();
    s.id = c.operandIndex;
    s.since = i;
    return okStatus();
  }
  case ScheduleOp::BindConstant: {
    SSMRT_RETURN_IF_ERROR(checkSlotId(i, c, c.buffer));
    if (c.operandIndex >= context_.constantSizes.size())
      return fail(i, c,
                  strCat("constant index ", c.operandIndex, " out of range"));
    SSMRT_RETURN_IF_ERROR(checkSlotUnused(i, c, ""));
    SlotState &s = slots_[c.buffer];
    s = SlotState();
    s.kind = SlotState::Kind::Constant;
    s.size = context_.constantSizes[c.operandIndex];
    s.id = c.operandIndex;
    s.since = i;
    return okStatus();
  }
  case ScheduleOp::UploadConstant: {
    SSMRT_RETURN_IF_ERROR(checkWritable(i, c, c.buffer, "destination"));
    if (c.operandIndex >= context_.constantSizes.size())
      return fail(i, c,
                  strCat("constant index ", c.operandIndex, " out of range"));
    uint64_t size = context_.constantSizes[c.operandIndex];
    const SlotState &s = slots_[c.buffer];
    if (!rangeFits(c.dstOffset, size, s.size))
      return fail(i, c,
                  strCat("constant ", c.operandIndex, " (", size,
                         " bytes) does not fit ", describe(c.buffer),
                         " at offset ", c.dstOffset));
    return okStatus();
  }
  case ScheduleOp::Launch: {
    if (c.operandIndex >= context_.kernelNames.size())
      return fail(i, c,
                  strCat("kernel index ", c.operandIndex, " out of range"));
    const std::string &kernel = context_.kernelNames[c.operandIndex];
    if (c.args.size() != context_.kernelArgCounts[c.operandIndex])
      return fail(i, c,
                  strCat("kernel '", kernel, "' takes ",
                         context_.kernelArgCounts[c.operandIndex],
                         " arguments, the launch passes ", c.args.size()));
    uint64_t xy = uint64_t(c.grid[0]) * c.grid[1];
    constexpr uint64_t kMaxTiles =
        uint64_t(std::numeric_limits<int64_t>::max());
    if (c.grid[0] == 0 || c.grid[1] == 0 || c.grid[2] == 0 ||
        xy > kMaxTiles / c.grid[2])
      return fail(i, c,
                  strCat("launch of kernel '", kernel, "' has grid ", c.grid[0],
                         "x", c.grid[1], "x", c.grid[2],
                         ", which is empty or has more than 2^63 "
                         "tiles"));
    for (size_t a = 0; a < c.args.size(); ++a) {
      const format::LaunchArgRecord &arg = c.args[a];
      if (arg.kind != static_cast<uint32_t>(KernelArgKind::Buffer))
        continue;
      std::string what = strCat("kernel '", kernel, "' argument ", a, ":");
      SSMRT_RETURN_IF_ERROR(checkLive(i, c, arg.buffer, what.c_str()));
      const SlotState &s = slots_[arg.buffer];
      if (arg.value > s.size)
        return fail(i, c,
                    strCat(what, " offset ", arg.value, " is past the end of ",
                           describe(arg.buffer)));
    }
    return okStatus();
  }
  case ScheduleOp::Copy: {
    SSMRT_RETURN_IF_ERROR(checkLive(i, c, c.srcBuffer, "source"));
    SSMRT_RETURN_IF_ERROR(checkWritable(i, c, c.buffer, "destination"));
    if (!rangeFits(c.srcOffset, c.bytes, slots_[c.srcBuffer].size))
      return fail(i, c,
                  strCat("source range [", c.srcOffset, ", +", c.bytes,
                         ") is out of bounds of ", describe(c.srcBuffer)));
    if (!rangeFits(c.dstOffset, c.bytes, slots_[c.buffer].size))
      return fail(i, c,
                  strCat("destination range [", c.dstOffset, ", +", c.bytes,
                         ") is out of bounds of ", describe(c.buffer)));
    return okStatus();
  }
  case ScheduleOp::Free: {
    SSMRT_RETURN_IF_ERROR(checkSlotId(i, c, c.buffer));
    SlotState &s = slots_[c.buffer];
    if (s.kind == SlotState::Kind::Empty)
      return fail(i, c, strCat("buffer ", c.buffer, " is not allocated"));
    if (s.kind == SlotState::Kind::Freed)
      return fail(i, c,
                  strCat("buffer ", c.buffer,
                         " is freed twice (first by command ", s.since, ")"));
    if (s.returnedAs >= 0)
      return fail(i, c,
                  strCat("buffer ", c.buffer, " is returned as output ",
                         s.returnedAs, " (by command ", s.returnedAt,
                         ") and must stay alive until the entry "
                         "returns"));
    if (s.kind == SlotState::Kind::Allocated)
      liveBytes_ -= s.size;
    s.kind = SlotState::Kind::Freed;
    s.since = i;
    return okStatus();
  }
  case ScheduleOp::Return: {
    SSMRT_RETURN_IF_ERROR(checkLive(i, c, c.buffer, "returned"));
    uint32_t out = c.operandIndex;
    if (out >= sig.outputs.size())
      return fail(i, c,
                  strCat("output index ", out, " out of range (",
                         sig.outputs.size(), " outputs)"));
    if (returnCommand_[out] >= 0)
      return fail(i, c,
                  strCat("output ", out,
                         " is returned twice (by "
                         "commands ",
                         returnCommand_[out], " and ", i, ")"));
    SlotState &s = slots_[c.buffer];
    const TensorDesc &desc = sig.outputs[out];
    if (s.size != desc.byteSize())
      return fail(i, c,
                  strCat("output ", out, " is ", desc.typeString(), " (",
                         desc.byteSize(), " bytes) but ", describe(c.buffer),
                         " holds ", s.size, " bytes"));
    if (s.kind == SlotState::Kind::Constant)
      return fail(i, c,
                  strCat("output ", out, " returns ", describe(c.buffer),
                         "; constants cannot be returned"));
    returnCommand_[out] = i;
    OutputSource &source = plan_.outputs[out];
    if (s.kind == SlotState::Kind::Input) {
      source.kind = OutputSource::Kind::Input;
      source.id = s.id;
      source.copy = true;
    } else {
      source.kind = OutputSource::Kind::Allocation;
      source.id = s.id;
      PlannedAllocation &allocation = plan_.allocations[s.id];
      source.copy = allocation.output >= 0;
      if (!source.copy)
        allocation.output = static_cast<int32_t>(out);
    }
    if (s.returnedAs < 0) {
      s.returnedAs = static_cast<int32_t>(out);
      s.returnedAt = i;
    }
    return okStatus();
  }
  }
  return fail(i, c, "unknown opcode");
}

/// First-fit placement of the arena allocations, replaying Alloc/Free.
void Planner::placeArena() {
  struct Range {
    uint64_t offset, size;
  };
  std::vector<Range> freeList; // sorted by offset, coalesced
  uint64_t end = 0;
  std::vector<int64_t> slotAllocation(plan_.bufferCount, -1);
  MemoryPlan &memory = plan_.memory;
  for (uint32_t i = 0; i < plan_.commands.size(); ++i) {
    const Command &c = plan_.commands[i];
    if (c.op == ScheduleOp::Alloc) {
      uint32_t id = plan_.allocationOfCommand[i];
      PlannedAllocation &a = plan_.allocations[id];
      ++memory.allocations;
      if (a.output >= 0) {
        memory.outputBytes += a.bytes;
        continue;
      }
      slotAllocation[c.buffer] = id;
      uint64_t need = alignUp(a.bytes, kArenaAlignment);
      if (need == 0) {
        a.arenaOffset = 0;
        continue;
      }
      auto it = std::find_if(freeList.begin(), freeList.end(),
                             [need](const Range &r) { return r.size >= need; });
      if (it != freeList.end()) {
        a.arenaOffset = it->offset;
        ++memory.reusedAllocations;
        it->offset += need;
        it->size -= need;
        if (it->size == 0)
          freeList.erase(it);
      } else {
        a.arenaOffset = end;
        end += need;
      }
    } else if (c.op == ScheduleOp::Free) {
      int64_t id = slotAllocation[c.buffer];
      slotAllocation[c.buffer] = -1;
      if (id < 0)
        continue; // an input binding, or an output (cannot be freed)
      const PlannedAllocation &a = plan_.allocations[size_t(id)];
      uint64_t size = alignUp(a.bytes, kArenaAlignment);
      if (size == 0)
        continue;
      Range range{a.arenaOffset, size};
      auto it = std::lower_bound(
          freeList.begin(), freeList.end(), range,
          [](const Range &x, const Range &y) { return x.offset < y.offset; });
      it = freeList.insert(it, range);
      // Coalesce with the next and the previous range.
      auto next = it + 1;
      if (next != freeList.end() && it->offset + it->size == next->offset) {
        it->size += next->size;
        freeList.erase(next);
      }
      if (it != freeList.begin()) {
        auto prev = it - 1;
        if (prev->offset + prev->size == it->offset) {
          prev->size += it->size;
          freeList.erase(it);
        }
      }
      // A free range at the end shrinks the bump pointer... but storage
      // up to `end` is already part of the arena, so keep it in the list.
    }
  }
  memory.arenaBytes = end;
}

Status Planner::run() {
  plan_.allocations.clear();
  plan_.allocationOfCommand.assign(plan_.commands.size(), kNoAllocation);
  plan_.outputs.assign(plan_.signature.outputs.size(), OutputSource());
  plan_.memory = MemoryPlan();
  returnCommand_.assign(plan_.signature.outputs.size(), -1);
  for (uint32_t i = 0; i < plan_.commands.size(); ++i)
    SSMRT_RETURN_IF_ERROR(step(i, plan_.commands[i]));
  for (size_t out = 0; out < returnCommand_.size(); ++out)
    if (returnCommand_[out] < 0)
      return failedPreconditionError(
          strCat("function '", plan_.signature.name,
                 "': invalid schedule: "
                 "output ",
                 out, " (", plan_.signature.outputs[out].typeString(),
                 ") is never returned"));
  placeArena();
  return okStatus();
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

/// The host executor: slots are host pointers; outputs get their own
/// buffers, intermediates live in the arena.
class Executor final : public ScheduleWalker {
public:
  Executor(const EntryPlan &plan, const ExecutionContext &context,
           const std::vector<TensorView> &inputs, Buffer &arena)
      : ScheduleWalker(plan, "executor"), context_(context), inputs_(inputs),
        arena_(arena) {}

  Expected<std::vector<HostTensor>> run();
  /// Runs with every output written into `outputs` (validated).
  Status runInto(const std::vector<TensorView> &outputs);

private:
  /// Realigns the inputs and walks the schedule.
  Status prepareAndWalk();

  Expected<uint64_t> allocate(uint32_t command, uint32_t allocation) override;
  Expected<uint64_t> inputAddress(uint32_t input) override {
    return reinterpret_cast<uint64_t>(inputData_[input]);
  }
  Expected<RunSlot> constantRange(uint32_t constant) override {
    if (constant >= context_.constants->size())
      return internalError(
          strCat("executor: constant ", constant, " out of range"));
    const format::ConstantInfo &info = (*context_.constants)[constant];
    RunSlot slot;
    // Kernels only read bound buffers (writable = false is checked by the
    // planner), so the mapped constant is used in place.
    slot.base = reinterpret_cast<uint64_t>(info.data);
    slot.size = info.size;
    return slot;
  }
  Status copy(uint64_t dst, uint64_t src, uint64_t bytes) override {
    std::memmove(reinterpret_cast<void *>(dst),
                 reinterpret_cast<const void *>(src),
                 static_cast<size_t>(bytes));
    return okStatus();
  }
  Status launch(uint32_t command, const Command &c,
                std::vector<uint64_t> &values) override;

  const ExecutionContext &context_;
  const std::vector<TensorView> &inputs_;
  Buffer &arena_;
  const std::vector<TensorView> *callerOutputs_ = nullptr; // runInto
  std::vector<Buffer> outputStorage_; // per allocation (outputs only)
  std::vector<Buffer> inputCopies_;   // realigned inputs
  std::vector<const uint8_t *> inputData_;
  std::vector<void *> args_;
};

Expected<uint64_t> Executor::allocate(uint32_t command, uint32_t id) {
  const PlannedAllocation &a = plan_.allocations[id];
  uint8_t *base = nullptr;
  const TensorView *caller = a.output >= 0 && callerOutputs_
                                 ? &(*callerOutputs_)[size_t(a.output)]
                                 : nullptr;
  uint32_t elementSize =
      a.output >= 0 ? dtypeByteSize(plan_.signature.outputs[a.output].dtype)
                    : 1;
  if (caller && a.bytes != 0 &&
      reinterpret_cast<uintptr_t>(caller->data) % elementSize == 0) {
    // In place (a misaligned caller buffer gets its own storage and a copy
    // at the end, as a misaligned input is copied first).
    base = static_cast<uint8_t *>(const_cast<void *>(caller->data));
    if (context_.poisonOutputs)
      std::memset(base, 0xFF, static_cast<size_t>(a.bytes));
    else
      std::memset(base, 0, static_cast<size_t>(a.bytes));
  } else if (a.output >= 0) {
    SSMRT_ASSIGN_OR_RETURN(outputStorage_[id], Buffer::allocate(a.bytes));
    base = outputStorage_[id].data();
    if (context_.poisonOutputs && a.bytes != 0)
      std::memset(base, 0xFF, static_cast<size_t>(a.bytes));
  } else {
    if (!rangeFits(a.arenaOffset, a.bytes, arena_.size()))
      return internal(command, "allocation outside the arena");
    base = arena_.data() + a.arenaOffset;
  }
  return reinterpret_cast<uint64_t>(base);
}

Status Executor::launch(uint32_t command, const Command &c,
                        std::vector<uint64_t> &values) {
  if (c.operandIndex >= context_.kernels->size())
    return internal(command, "kernel out of range");
  KernelFn kernel = (*context_.kernels)[c.operandIndex];
  if (!kernel)
    return internal(command, "kernel not loaded");
  // The CPU kernel ABI: a buffer argument is its pointer, a scalar argument
  // points at its 8-byte storage.
  args_.assign(c.args.size(), nullptr);
  for (size_t a = 0; a < c.args.size(); ++a) {
    if (c.args[a].kind == static_cast<uint32_t>(KernelArgKind::Buffer))
      args_[a] = reinterpret_cast<void *>(values[a]);
    else
      args_[a] = &values[a];
  }
  int64_t tiles =
      static_cast<int64_t>(uint64_t(c.grid[0]) * c.grid[1] * c.grid[2]);
  void *const *args = args_.data();
  if (tiles == 1 || context_.pool == nullptr) {
    kernel(args, 0, tiles);
  } else {
    context_.pool->parallelFor(
        tiles, [kernel, args](int64_t b, int64_t e) { kernel(args, b, e); });
  }
  return okStatus();
}

Status Executor::prepareAndWalk() {
  if (!plan_.status.ok())
    return plan_.status;
  if (arena_.size() < plan_.memory.arenaBytes)
    return internalError("executor: arena too small");
  const FunctionSignature &sig = plan_.signature;
  // Inputs not aligned to their element size are copied to aligned storage
  // (kernels may assume natural alignment).
  inputData_.resize(inputs_.size());
  for (size_t k = 0; k < inputs_.size(); ++k) {
    const uint8_t *data = static_cast<const uint8_t *>(inputs_[k].data);
    uint64_t bytes = sig.inputs[k].byteSize();
    uint32_t elementSize = dtypeByteSize(sig.inputs[k].dtype);
    if (bytes != 0 && elementSize > 1 &&
        reinterpret_cast<uintptr_t>(data) % elementSize != 0) {
      SSMRT_ASSIGN_OR_RETURN(Buffer copy, Buffer::allocate(bytes));
      std::memcpy(copy.data(), data, static_cast<size_t>(bytes));
      data = copy.data();
      inputCopies_.push_back(std::move(copy));
    }
    inputData_[k] = data;
  }
  outputStorage_.resize(plan_.allocations.size());
  return walk();
}

Status Executor::runInto(const std::vector<TensorView> &outputs) {
  callerOutputs_ = &outputs;
  SSMRT_RETURN_IF_ERROR(prepareAndWalk());
  for (size_t out = 0; out < outputs.size(); ++out) {
    uint64_t bytes = plan_.signature.outputs[out].byteSize();
    void *target = const_cast<void *>(outputs[out].data);
    const void *source = reinterpret_cast<const void *>(returned(out));
    if (bytes != 0 && source != target)
      std::memmove(target, source, static_cast<size_t>(bytes));
  }
  return okStatus();
}

Expected<std::vector<HostTensor>> Executor::run() {
  SSMRT_RETURN_IF_ERROR(prepareAndWalk());
  const FunctionSignature &sig = plan_.signature;
  std::vector<HostTensor> outputs;
  outputs.reserve(sig.outputs.size());
  for (size_t out = 0; out < sig.outputs.size(); ++out) {
    const TensorDesc &desc = sig.outputs[out];
    const OutputSource &source = plan_.outputs[out];
    if (!source.copy) {
      Buffer &storage = outputStorage_[source.id];
      SSMRT_ASSIGN_OR_RETURN(
          HostTensor tensor,
          HostTensor::fromBuffer(desc.dtype, desc.dims, std::move(storage)));
      outputs.push_back(std::move(tensor));
    } else {
      const void *data = reinterpret_cast<const void *>(returned(out));
      if (!data && desc.byteSize() != 0)
        return internalError(strCat("executor: output ", out, " missing"));
      SSMRT_ASSIGN_OR_RETURN(
          HostTensor tensor,
          HostTensor::copyOf(TensorView(desc.dtype, desc.dims, data)));
      outputs.push_back(std::move(tensor));
    }
  }
  return outputs;
}

} // namespace

//===----------------------------------------------------------------------===//
// ScheduleWalker
//===----------------------------------------------------------------------===//

ScheduleWalker::ScheduleWalker(const EntryPlan &plan, std::string executorName)
    : plan_(plan), executorName_(std::move(executorName)),
      slots_(plan.bufferCount), returned_(plan.signature.outputs.size(), 0) {}

ScheduleWalker::~ScheduleWalker() = default;

Status ScheduleWalker::internal(uint32_t i, const std::string &message) const {
  return internalError(strCat("function '", plan_.signature.name, "': command ",
                              i, ": ", executorName_, ": ", message));
}

Expected<uint64_t> ScheduleWalker::range(uint32_t i, uint32_t buffer,
                                         uint64_t offset, uint64_t bytes,
                                         bool write) const {
  if (buffer >= slots_.size())
    return internal(i, strCat("buffer ", buffer, " out of range"));
  const RunSlot &s = slots_[buffer];
  if (!s.live)
    return internal(i, strCat("buffer ", buffer, " is not live"));
  if (write && !s.writable)
    return internal(i, strCat("buffer ", buffer, " is read-only"));
  if (!rangeFits(offset, bytes, s.size))
    return internal(i, strCat("range [", offset, ", +", bytes,
                              ") out of bounds of buffer ", buffer, " (",
                              s.size, " bytes)"));
  if (!s.base)
    return uint64_t(0); // an empty input passed as a null pointer
  return s.base + offset;
}

Expected<uint64_t> ScheduleWalker::argumentRange(uint32_t i,
                                                 const format::Command &c,
                                                 uint32_t arg, uint64_t offset,
                                                 uint64_t bytes,
                                                 bool write) const {
  if (arg >= c.args.size() ||
      c.args[arg].kind != static_cast<uint32_t>(KernelArgKind::Buffer))
    return internal(i, strCat("argument ", arg, " is not a buffer"));
  if (offset > UINT64_MAX - c.args[arg].value)
    return internal(i, strCat("argument ", arg, " offset overflows"));
  return range(i, c.args[arg].buffer, c.args[arg].value + offset, bytes,
               write);
}

Status ScheduleWalker::walk() {
  for (RunSlot &s : slots_)
    s = RunSlot();
  std::fill(returned_.begin(), returned_.end(), 0);
  for (uint32_t i = 0; i < plan_.commands.size(); ++i)
    SSMRT_RETURN_IF_ERROR(step(i, plan_.commands[i]));
  return okStatus();
}

Status ScheduleWalker::step(uint32_t i, const Command &c) {
  switch (c.op) {
  case ScheduleOp::Alloc: {
    uint32_t id = plan_.allocationOfCommand[i];
    if (id >= plan_.allocations.size() || c.buffer >= slots_.size())
      return internal(i, "no planned allocation");
    SSMRT_ASSIGN_OR_RETURN(uint64_t base, allocate(i, id));
    RunSlot &s = slots_[c.buffer];
    s.base = base;
    s.size = plan_.allocations[id].bytes;
    s.live = true;
    s.writable = true;
    return okStatus();
  }
  case ScheduleOp::BindInput: {
    if (c.operandIndex >= plan_.signature.inputs.size() ||
        c.buffer >= slots_.size())
      return internal(i, "input out of range");
    SSMRT_ASSIGN_OR_RETURN(uint64_t base, inputAddress(c.operandIndex));
    RunSlot &s = slots_[c.buffer];
    s.base = base;
    s.size = plan_.signature.inputs[c.operandIndex].byteSize();
    s.live = true;
    s.writable = false;
    return okStatus();
  }
  case ScheduleOp::BindConstant: {
    if (c.buffer >= slots_.size())
      return internal(i, "buffer out of range");
    SSMRT_ASSIGN_OR_RETURN(RunSlot constant, constantRange(c.operandIndex));
    RunSlot &s = slots_[c.buffer];
    s.base = constant.base;
    s.size = constant.size;
    s.live = true;
    s.writable = false;
    return okStatus();
  }
  case ScheduleOp::UploadConstant: {
    SSMRT_ASSIGN_OR_RETURN(RunSlot constant, constantRange(c.operandIndex));
    SSMRT_ASSIGN_OR_RETURN(
        uint64_t dst, range(i, c.buffer, c.dstOffset, constant.size, true));
    if (constant.size != 0)
      SSMRT_RETURN_IF_ERROR(copy(dst, constant.base, constant.size));
    return okStatus();
  }
  case ScheduleOp::Launch: {
    values_.assign(c.args.size(), 0);
    for (size_t a = 0; a < c.args.size(); ++a) {
      const format::LaunchArgRecord &arg = c.args[a];
      if (arg.kind == static_cast<uint32_t>(KernelArgKind::Buffer)) {
        SSMRT_ASSIGN_OR_RETURN(values_[a],
                               range(i, arg.buffer, arg.value, 0, false));
      } else {
        values_[a] = arg.value;
      }
    }
    return launch(i, c, values_);
  }
  case ScheduleOp::Copy: {
    SSMRT_ASSIGN_OR_RETURN(uint64_t src,
                           range(i, c.srcBuffer, c.srcOffset, c.bytes, false));
    SSMRT_ASSIGN_OR_RETURN(uint64_t dst,
                           range(i, c.buffer, c.dstOffset, c.bytes, true));
    if (c.bytes != 0)
      SSMRT_RETURN_IF_ERROR(copy(dst, src, c.bytes));
    return okStatus();
  }
  case ScheduleOp::Free: {
    if (c.buffer >= slots_.size())
      return internal(i, "buffer out of range");
    slots_[c.buffer] = RunSlot();
    return okStatus();
  }
  case ScheduleOp::Return: {
    if (c.operandIndex >= returned_.size())
      return internal(i, "output out of range");
    SSMRT_ASSIGN_OR_RETURN(
        returned_[c.operandIndex],
        range(i, c.buffer, 0,
              plan_.signature.outputs[c.operandIndex].byteSize(), false));
    return okStatus();
  }
  }
  return internal(i, "unknown opcode");
}

Status planEntry(const PlanContext &context, EntryPlan &plan) {
  Planner planner(context, plan);
  plan.status = planner.run();
  return plan.status;
}

namespace {
/// Checks `views` against `descs` (the signature's inputs or outputs):
/// count, dtype, rank, dims, non-null data. `what`: "input" / "output".
Status validateTensors(const FunctionSignature &signature,
                       const std::vector<TensorDesc> &descs,
                       const std::vector<TensorView> &views, const char *what) {
  const std::string &fn = signature.name;
  if (views.size() != descs.size())
    return invalidArgumentError(
        strCat("function '", fn, "' ",
               what == std::string("input") ? "expects" : "has", " ",
               descs.size(), " ", what, descs.size() == 1 ? "" : "s", ", got ",
               views.size(), " (signature: ", signature.toString(), ")"));
  for (size_t k = 0; k < views.size(); ++k) {
    const TensorDesc &expected = descs[k];
    const TensorView &got = views[k];
    std::string label = strCat("function '", fn, "': ", what, " ", k);
    if (!expected.name.empty())
      label += strCat(" ('", expected.name, "')");
    if (!format::isValidDType(static_cast<uint32_t>(got.dtype)))
      return invalidArgumentError(strCat(label, ": invalid dtype value ",
                                         static_cast<uint32_t>(got.dtype)));
    std::string gotType = typeString(got.dtype, got.dims);
    if (got.dtype != expected.dtype)
      return invalidArgumentError(
          strCat(label, ": expected element type ", dtypeString(expected.dtype),
                 ", got ", dtypeString(got.dtype), " (expected ",
                 expected.typeString(), ", got ", gotType, ")"));
    if (got.dims.size() != expected.dims.size())
      return invalidArgumentError(
          strCat(label, ": expected rank ", expected.dims.size(), ", got rank ",
                 got.dims.size(), " (expected ", expected.typeString(),
                 ", got ", gotType, ")"));
    for (size_t d = 0; d < got.dims.size(); ++d)
      if (got.dims[d] != expected.dims[d])
        return invalidArgumentError(
            strCat(label, ": dimension ", d, " is ", got.dims[d], ", expected ",
                   expected.dims[d], " (expected ", expected.typeString(),
                   ", got ", gotType, ")"));
    if (!got.data && expected.byteSize() != 0)
      return invalidArgumentError(
          strCat(label, " (", gotType, "): data pointer is null"));
  }
  return okStatus();
}
} // namespace

Status validateInputs(const FunctionSignature &signature,
                      const std::vector<TensorView> &inputs) {
  return validateTensors(signature, signature.inputs, inputs, "input");
}

Status validateBuffers(const FunctionSignature &signature,
                       const std::vector<TensorView> &inputs,
                       const std::vector<TensorView> &outputs) {
  SSMRT_RETURN_IF_ERROR(validateInputs(signature, inputs));
  SSMRT_RETURN_IF_ERROR(
      validateTensors(signature, signature.outputs, outputs, "output"));
  // Outputs may overlap nothing, inputs may overlap each other. One sweep
  // over the buffers sorted by address (a train step binds ~1,800 of them:
  // comparing every pair cost milliseconds per call).
  struct Extent {
    uint64_t begin, end;
    bool output;
    size_t index;
  };
  std::vector<Extent> extents;
  extents.reserve(inputs.size() + outputs.size());
  auto add = [&](const std::vector<TensorView> &views,
                 const std::vector<TensorDesc> &descs, bool output) {
    for (size_t i = 0; i < views.size(); ++i) {
      uint64_t begin = reinterpret_cast<uint64_t>(views[i].data);
      uint64_t bytes = descs[i].byteSize();
      if (bytes != 0)
        extents.push_back({begin, begin + bytes, output, i});
    }
  };
  add(outputs, signature.outputs, true);
  add(inputs, signature.inputs, false);
  std::sort(extents.begin(), extents.end(),
            [](const Extent &a, const Extent &b) {
              return a.begin != b.begin ? a.begin < b.begin
                                        : a.output > b.output;
            });
  const Extent *furthest = nullptr, *furthestOutput = nullptr;
  for (const Extent &e : extents) {
    // An output overlapping anything earlier overlaps the one reaching
    // furthest; an input can only conflict with an earlier output.
    const Extent *other = e.output ? furthest : furthestOutput;
    if (other && e.begin < other->end) {
      const Extent &out = e.output ? e : *other;
      const Extent &in = e.output ? *other : e;
      if (in.output)
        return invalidArgumentError(strCat(
            "function '", signature.name, "': output ",
            std::max(out.index, in.index), " overlaps output ",
            std::min(out.index, in.index),
            ": each output needs a buffer of its own"));
      return invalidArgumentError(strCat(
          "function '", signature.name, "': output ", out.index,
          " overlaps input ", in.index, ": outputs cannot be written over inputs"));
    }
    if (!furthest || e.end > furthest->end)
      furthest = &e;
    if (e.output && (!furthestOutput || e.end > furthestOutput->end))
      furthestOutput = &e;
  }
  return okStatus();
}

Expected<std::vector<HostTensor>>
executeEntry(const EntryPlan &plan, const ExecutionContext &context,
             const std::vector<TensorView> &inputs, Buffer &arena) {
  Executor executor(plan, context, inputs, arena);
  return executor.run();
}

Status executeEntryInto(const EntryPlan &plan, const ExecutionContext &context,
                        const std::vector<TensorView> &inputs,
                        const std::vector<TensorView> &outputs, Buffer &arena) {
  Executor executor(plan, context, inputs, arena);
  return executor.runInto(outputs);
}

} // namespace ssmrt::detail
