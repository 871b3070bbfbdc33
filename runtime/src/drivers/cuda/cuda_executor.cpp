//===- cuda_executor.cpp - Running schedules on a CUDA device -------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "cuda_executor.h"

#include "../../core/strings.h"

#include <cstring>

namespace ssmrt::cuda {

using detail::strCat;
using format::Command;
using format::KernelArgKind;
using format::ScheduleOp;

namespace {

/// Alignment of every region of a workspace (cudaMalloc's own is 256).
constexpr uint64_t kDeviceAlignment = 256;

uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

bool rangeFits(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset <= limit && length <= limit - offset;
}

/// A buffer slot while a schedule runs: a device range.
struct Slot {
  uint64_t base = 0;
  uint64_t size = 0;
  bool live = false;
  bool writable = false;
};

/// Runs the commands of one entry over a workspace whose inputs are already
/// uploaded.
class Runner {
public:
  Runner(const detail::EntryPlan &plan, CudaExecutable &executable,
         CudaWorkspace &workspace)
      : plan_(plan), exe_(executable), ws_(workspace),
        slots_(plan.bufferCount), returned_(plan.signature.outputs.size(), 0) {
  }

  /// `fill`: -1 leaves output allocations as they are, else the byte value
  /// they start as.
  Status run(int fill) {
    fill_ = fill;
    for (Slot &s : slots_)
      s = Slot();
    for (uint32_t i = 0; i < plan_.commands.size(); ++i)
      SSMRT_RETURN_IF_ERROR(step(i, plan_.commands[i]));
    return okStatus();
  }

  /// Device pointer of output `index` as returned by the schedule.
  uint64_t returned(size_t index) const { return returned_[index]; }

private:
  Status internal(uint32_t i, const std::string &message) const {
    return internalError(strCat("function '", plan_.signature.name,
                                "': command ", i, ": CUDA executor: ",
                                message));
  }
  Expected<uint64_t> range(uint32_t i, uint32_t buffer, uint64_t offset,
                           uint64_t bytes, bool write) const {
    if (buffer >= slots_.size())
      return internal(i, strCat("buffer ", buffer, " out of range"));
    const Slot &s = slots_[buffer];
    if (!s.live)
      return internal(i, strCat("buffer ", buffer, " is not live"));
    if (write && !s.writable)
      return internal(i, strCat("buffer ", buffer, " is read-only"));
    if (!rangeFits(offset, bytes, s.size))
      return internal(i, strCat("range [", offset, ", +", bytes,
                                ") out of bounds of buffer ", buffer, " (",
                                s.size, " bytes)"));
    return s.base + offset;
  }
  Status step(uint32_t i, const Command &c);

  const detail::EntryPlan &plan_;
  CudaExecutable &exe_;
  CudaWorkspace &ws_;
  std::vector<Slot> slots_;
  std::vector<uint64_t> returned_;
  std::vector<uint64_t> values_;
  std::vector<void *> args_;
  int fill_ = -1;
};

Status Runner::step(uint32_t i, const Command &c) {
  Device &device = *exe_.device;
  uint64_t base = ws_.memory.pointer();
  switch (c.op) {
  case ScheduleOp::Alloc: {
    uint32_t id = plan_.allocationOfCommand[i];
    if (id >= plan_.allocations.size() || c.buffer >= slots_.size())
      return internal(i, "no planned allocation");
    const detail::PlannedAllocation &a = plan_.allocations[id];
    Slot &s = slots_[c.buffer];
    s.base = base + ws_.allocationOffsets[id];
    s.size = a.bytes;
    s.live = true;
    s.writable = true;
    if (a.output >= 0 && fill_ >= 0 && a.bytes != 0)
      SSMRT_RETURN_IF_ERROR(
          device.fillAsync(s.base, static_cast<uint8_t>(fill_), a.bytes));
    return okStatus();
  }
  case ScheduleOp::BindInput: {
    if (c.operandIndex >= ws_.inputOffsets.size() || c.buffer >= slots_.size())
      return internal(i, "input out of range");
    Slot &s = slots_[c.buffer];
    s.base = base + ws_.inputOffsets[c.operandIndex];
    s.size = plan_.signature.inputs[c.operandIndex].byteSize();
    s.live = true;
    s.writable = false;
    return okStatus();
  }
  case ScheduleOp::BindConstant: {
    if (c.operandIndex >= exe_.constants.size() || c.buffer >= slots_.size())
      return internal(i, "constant out of range");
    Slot &s = slots_[c.buffer];
    s.base = exe_.constants[c.operandIndex].pointer();
    s.size = exe_.constants[c.operandIndex].size();
    s.live = true;
    s.writable = false;
    return okStatus();
  }
  case ScheduleOp::UploadConstant: {
    if (c.operandIndex >= exe_.constants.size())
      return internal(i, "constant out of range");
    const DeviceMemory &constant = exe_.constants[c.operandIndex];
    SSMRT_ASSIGN_OR_RETURN(
        uint64_t dst, range(i, c.buffer, c.dstOffset, constant.size(), true));
    if (constant.size() != 0)
      SSMRT_RETURN_IF_ERROR(
          device.copyAsync(dst, constant.pointer(), constant.size()));
    return okStatus();
  }
  case ScheduleOp::Launch: {
    if (c.operandIndex >= exe_.kernels.size())
      return internal(i, "kernel out of range");
    const CudaExecutable::Kernel &kernel = exe_.kernels[c.operandIndex];
    values_.assign(c.args.size(), 0);
    args_.assign(c.args.size(), nullptr);
    for (size_t a = 0; a < c.args.size(); ++a) {
      const format::LaunchArgRecord &arg = c.args[a];
      if (arg.kind == static_cast<uint32_t>(KernelArgKind::Buffer)) {
        SSMRT_ASSIGN_OR_RETURN(values_[a],
                               range(i, arg.buffer, arg.value, 0, false));
      } else {
        // Little-endian: the first bytes of the 8-byte value are the scalar.
        values_[a] = arg.value;
      }
      args_[a] = &values_[a];
    }
    Status launched = device.launchFunction(
        kernel.function, {c.grid[0], c.grid[1], c.grid[2]}, kernel.block,
        kernel.sharedBytes, args_.data());
    if (!launched.ok())
      return launched.withContext(strCat("function '", plan_.signature.name,
                                         "': kernel '", kernel.name, "'"));
    return okStatus();
  }
  case ScheduleOp::Copy: {
    SSMRT_ASSIGN_OR_RETURN(uint64_t src,
                           range(i, c.srcBuffer, c.srcOffset, c.bytes, false));
    SSMRT_ASSIGN_OR_RETURN(uint64_t dst,
                           range(i, c.buffer, c.dstOffset, c.bytes, true));
    if (c.bytes != 0)
      SSMRT_RETURN_IF_ERROR(device.copyAsync(dst, src, c.bytes));
    return okStatus();
  }
  case ScheduleOp::Free: {
    if (c.buffer >= slots_.size())
      return internal(i, "buffer out of range");
    slots_[c.buffer] = Slot();
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

Status uploadInputs(const detail::EntryPlan &plan, CudaExecutable &exe,
                    CudaWorkspace &ws, const std::vector<TensorView> &inputs) {
  // The pageable copies are synchronous and ordered after earlier work on
  // the (blocking) stream.
  SSMRT_RETURN_IF_ERROR(exe.device->synchronize());
  for (size_t k = 0; k < inputs.size(); ++k) {
    uint64_t bytes = plan.signature.inputs[k].byteSize();
    if (bytes != 0)
      SSMRT_RETURN_IF_ERROR(exe.device->upload(
          ws.memory.pointer() + ws.inputOffsets[k], inputs[k].data, bytes));
  }
  return okStatus();
}

} // namespace

//===----------------------------------------------------------------------===//
// DeviceMemory
//===----------------------------------------------------------------------===//

Expected<DeviceMemory> DeviceMemory::allocate(std::shared_ptr<Device> device,
                                              uint64_t bytes) {
  DeviceMemory memory;
  SSMRT_ASSIGN_OR_RETURN(memory.pointer_,
                         device->allocate(static_cast<size_t>(bytes)));
  memory.device_ = std::move(device);
  memory.size_ = bytes;
  return memory;
}

DeviceMemory::DeviceMemory(DeviceMemory &&other) noexcept
    : device_(std::move(other.device_)), pointer_(other.pointer_),
      size_(other.size_) {
  other.pointer_ = 0;
  other.size_ = 0;
}

DeviceMemory &DeviceMemory::operator=(DeviceMemory &&other) noexcept {
  if (this != &other) {
    reset();
    device_ = std::move(other.device_);
    pointer_ = other.pointer_;
    size_ = other.size_;
    other.pointer_ = 0;
    other.size_ = 0;
  }
  return *this;
}

DeviceMemory::~DeviceMemory() { reset(); }

void DeviceMemory::reset() {
  if (device_ && pointer_)
    device_->free(pointer_).ignoreError();
  device_.reset();
  pointer_ = 0;
  size_ = 0;
}

//===----------------------------------------------------------------------===//
// CudaExecutable and CudaWorkspace
//===----------------------------------------------------------------------===//

Expected<CudaExecutable>
CudaExecutable::load(const format::ArtifactView &view,
                     std::shared_ptr<Device> device,
                     const std::vector<format::ConstantInfo> &constants) {
  CudaExecutable exe;
  exe.device = device;
  std::vector<int> modules;
  for (uint32_t i = 0; i < view.kernelObjectCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(format::KernelObject object, view.kernelObject(i));
    if (object.target != format::TargetKind::Nvptx)
      return failedPreconditionError(strCat(
          "kernel object ", i, " is for target ",
          format::targetKindName(object.target), " (", object.chip,
          "): device '", device->name(),
          "' (CUDA) runs only Nvptx kernel objects; compile with "
          "--target=nvptx"));
    // PTX is NUL-terminated text; a cubin is passed as is.
    std::string image(reinterpret_cast<const char *>(object.data),
                      static_cast<size_t>(object.size));
    Expected<int> module = device->loadModule(image);
    if (!module.ok())
      return module.status().withContext(
          strCat("kernel object ", i, " (", object.chip, ", ",
                 format::binaryFormatName(object.format), ") on ",
                 device->name(), " (", device->chip(), ")"));
    modules.push_back(*module);
  }
  for (uint32_t k = 0; k < view.kernelCount(); ++k) {
    SSMRT_ASSIGN_OR_RETURN(format::KernelInfo info, view.kernel(k));
    Kernel kernel;
    kernel.name = std::string(info.name);
    kernel.block = {info.blockDims[0], info.blockDims[1], info.blockDims[2]};
    kernel.sharedBytes = info.dynamicSharedMemory;
    SSMRT_ASSIGN_OR_RETURN(
        kernel.function, device->function(modules[info.objectIndex], kernel.name));
    // Above the default 48 KiB a kernel must opt in to its dynamic shared
    // memory.
    if (kernel.sharedBytes > 48 * 1024) {
      Status raised =
          device->setMaxDynamicSharedMemory(kernel.function, kernel.sharedBytes);
      if (!raised.ok())
        return raised.withContext(strCat("kernel '", kernel.name, "' (",
                                         kernel.sharedBytes,
                                         " bytes of dynamic shared memory)"));
    }
    exe.kernels.push_back(std::move(kernel));
  }
  for (const format::ConstantInfo &constant : constants) {
    SSMRT_ASSIGN_OR_RETURN(DeviceMemory memory,
                           DeviceMemory::allocate(device, constant.size));
    if (constant.size != 0)
      SSMRT_RETURN_IF_ERROR(device->upload(memory.pointer(), constant.data,
                                           static_cast<size_t>(constant.size)));
    exe.constants.push_back(std::move(memory));
  }
  return exe;
}

Expected<CudaWorkspace>
CudaWorkspace::create(const detail::EntryPlan &plan,
                      std::shared_ptr<Device> device) {
  CudaWorkspace ws;
  uint64_t offset = 0;
  for (const TensorDesc &input : plan.signature.inputs) {
    ws.inputOffsets.push_back(offset);
    offset = alignUp(offset + input.byteSize(), kDeviceAlignment);
  }
  ws.arenaOffset = offset;
  offset = alignUp(offset + plan.memory.arenaBytes, kDeviceAlignment);
  for (const detail::PlannedAllocation &a : plan.allocations) {
    if (a.output >= 0) {
      ws.allocationOffsets.push_back(offset);
      offset = alignUp(offset + a.bytes, kDeviceAlignment);
    } else {
      ws.allocationOffsets.push_back(ws.arenaOffset + a.arenaOffset);
    }
  }
  SSMRT_ASSIGN_OR_RETURN(ws.memory,
                         DeviceMemory::allocate(std::move(device), offset));
  return ws;
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

Expected<std::vector<HostTensor>>
executeEntry(const detail::EntryPlan &plan, CudaExecutable &executable,
             CudaWorkspace &workspace, const std::vector<TensorView> &inputs,
             bool poisonOutputs) {
  if (!plan.status.ok())
    return plan.status;
  SSMRT_RETURN_IF_ERROR(uploadInputs(plan, executable, workspace, inputs));
  Runner runner(plan, executable, workspace);
  SSMRT_RETURN_IF_ERROR(runner.run(poisonOutputs ? 0xFF : 0));
  SSMRT_RETURN_IF_ERROR(executable.device->synchronize());
  const FunctionSignature &sig = plan.signature;
  std::vector<HostTensor> outputs;
  for (size_t out = 0; out < sig.outputs.size(); ++out) {
    const TensorDesc &desc = sig.outputs[out];
    SSMRT_ASSIGN_OR_RETURN(HostTensor tensor,
                           HostTensor::allocate(desc.dtype, desc.dims));
    if (desc.byteSize() != 0) {
      if (!runner.returned(out))
        return internalError(strCat("CUDA executor: output ", out, " missing"));
      SSMRT_RETURN_IF_ERROR(executable.device->download(
          tensor.data(), runner.returned(out),
          static_cast<size_t>(desc.byteSize())));
    }
    outputs.push_back(std::move(tensor));
  }
  return outputs;
}

Expected<std::vector<double>>
timeEntry(const detail::EntryPlan &plan, CudaExecutable &executable,
          CudaWorkspace &workspace, const std::vector<TensorView> &inputs,
          int warmup, int iterations) {
  if (!plan.status.ok())
    return plan.status;
  if (warmup < 0 || iterations < 1)
    return invalidArgumentError(
        strCat("timing needs warmup >= 0 and iterations >= 1, got ", warmup,
               " and ", iterations));
  SSMRT_RETURN_IF_ERROR(uploadInputs(plan, executable, workspace, inputs));
  Device &device = *executable.device;
  Runner runner(plan, executable, workspace);
  for (int i = 0; i < warmup; ++i)
    SSMRT_RETURN_IF_ERROR(runner.run(-1));
  std::vector<void *> events;
  auto cleanup = [&] {
    for (void *e : events)
      device.destroyEvent(e).ignoreError();
  };
  for (int i = 0; i <= iterations; ++i) {
    Expected<void *> event = device.createEvent();
    if (!event.ok()) {
      cleanup();
      return event.status();
    }
    events.push_back(*event);
  }
  // Queue every run back to back (the host runs ahead of the device), with
  // an event between consecutive runs.
  Status status = device.recordEvent(events[0]);
  for (int i = 0; i < iterations && status.ok(); ++i) {
    status = runner.run(-1);
    if (status.ok())
      status = device.recordEvent(events[size_t(i) + 1]);
  }
  std::vector<double> ms;
  for (int i = 0; i < iterations && status.ok(); ++i) {
    Expected<float> elapsed = device.elapsedMs(events[i], events[i + 1]);
    if (!elapsed.ok())
      status = elapsed.status();
    else
      ms.push_back(*elapsed);
  }
  if (status.ok())
    status = device.synchronize();
  cleanup();
  if (!status.ok())
    return status;
  return ms;
}

} // namespace ssmrt::cuda
