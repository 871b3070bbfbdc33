//===- gpu_executor.cpp - Running schedules on a GPU ----------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "gpu_executor.h"

#include "../../core/strings.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ssmrt::gpu {

using detail::strCat;
using format::Command;

namespace {

/// Alignment of every region of a workspace (cuMemAlloc's and hipMalloc's
/// own is at least 256).
constexpr uint64_t kDeviceAlignment = 256;

uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// Runs the commands of one entry once, over the addresses of `bindings`:
/// inputs where they are (staged into the workspace first where not aligned
/// to kDeviceAlignment), output allocations in the caller's buffers where
/// given (else in the workspace), and, at the end, a device copy into each
/// caller output buffer that the schedule did not compute in place (an
/// output that returns an input or another output's storage, or a caller
/// buffer not aligned to kDeviceAlignment). Everything it queues is stream
/// work, so the run can be captured into a graph.
class GpuRunner final : public detail::ScheduleWalker {
public:
  GpuRunner(const detail::EntryPlan &plan, GpuExecutable &executable,
            GpuWorkspace &workspace, const RunBindings &bindings)
      : ScheduleWalker(plan, strCat(executable.device->api(), " executor")),
        exe_(executable), ws_(workspace), bindings_(bindings) {}

  /// `fill`: -1 leaves output allocations as they are, else the byte value
  /// they start as.
  Status run(int fill) {
    fill_ = fill;
    const FunctionSignature &sig = plan_.signature;
    for (size_t k = 0; k < sig.inputs.size(); ++k) {
      uint64_t bytes = sig.inputs[k].byteSize();
      uint64_t slot = ws_.memory.pointer() + ws_.inputOffsets[k];
      uint64_t given = bindings_.inputs[k];
      if (bytes != 0 && given != slot && given % kDeviceAlignment != 0)
        SSMRT_RETURN_IF_ERROR(
            exe_.device->copyAsync(slot, given, static_cast<size_t>(bytes)));
    }
    SSMRT_RETURN_IF_ERROR(walk());
    for (size_t out = 0; out < bindings_.outputs.size(); ++out) {
      uint64_t bytes = sig.outputs[out].byteSize();
      uint64_t target = bindings_.outputs[out];
      if (target != 0 && bytes != 0 && returned(out) != target)
        SSMRT_RETURN_IF_ERROR(exe_.device->copyAsync(
            target, returned(out), static_cast<size_t>(bytes)));
    }
    return okStatus();
  }

  /// Where the schedule left each output (before the copies above).
  std::vector<uint64_t> returnedAddresses() const {
    std::vector<uint64_t> addresses;
    for (size_t out = 0; out < plan_.signature.outputs.size(); ++out)
      addresses.push_back(returned(out));
    return addresses;
  }

private:
  Expected<uint64_t> allocate(uint32_t command, uint32_t id) override {
    (void)command;
    const detail::PlannedAllocation &a = plan_.allocations[id];
    uint64_t base = ws_.memory.pointer() + ws_.allocationOffsets[id];
    if (a.output >= 0 && size_t(a.output) < bindings_.outputs.size()) {
      uint64_t given = bindings_.outputs[size_t(a.output)];
      if (given != 0 && given % kDeviceAlignment == 0)
        base = given;
    }
    if (a.output >= 0 && fill_ >= 0 && a.bytes != 0)
      SSMRT_RETURN_IF_ERROR(exe_.device->fillAsync(
          base, static_cast<uint8_t>(fill_), static_cast<size_t>(a.bytes)));
    return base;
  }
  Expected<uint64_t> inputAddress(uint32_t input) override {
    if (input >= ws_.inputOffsets.size() || input >= bindings_.inputs.size())
      return internalError(
          strCat("GPU executor: input ", input, " out of range"));
    uint64_t given = bindings_.inputs[input];
    if (given % kDeviceAlignment == 0)
      return given;
    return ws_.memory.pointer() + ws_.inputOffsets[input];
  }
  Expected<detail::RunSlot> constantRange(uint32_t constant) override {
    if (constant >= exe_.constants.size())
      return internalError(
          strCat("GPU executor: constant ", constant, " out of range"));
    detail::RunSlot slot;
    slot.base = exe_.constants[constant].pointer();
    slot.size = exe_.constants[constant].size();
    return slot;
  }
  Status copy(uint64_t dst, uint64_t src, uint64_t bytes) override {
    return exe_.device->copyAsync(dst, src, static_cast<size_t>(bytes));
  }
  Status launch(uint32_t command, const Command &c,
                std::vector<uint64_t> &values) override;
  /// The vendor library's GEMM in place of Launch `c`; false: not run.
  Expected<bool> libraryGemm(uint32_t command, const Command &c,
                             const format::LibraryCallInfo &call);

  GpuExecutable &exe_;
  GpuWorkspace &ws_;
  const RunBindings &bindings_;
  std::vector<void *> args_;
  int fill_ = -1;
};

Status GpuRunner::launch(uint32_t command, const Command &c,
                         std::vector<uint64_t> &values) {
  if (c.operandIndex >= exe_.kernels.size())
    return internal(command, "kernel out of range");
  const GpuExecutable::Kernel &kernel = exe_.kernels[c.operandIndex];
  if (exe_.gemmMode != GpuExecutable::GemmMode::Fallback)
    if (auto it = exe_.libraryCalls.find(c.index);
        it != exe_.libraryCalls.end()) {
      SSMRT_ASSIGN_OR_RETURN(bool done, libraryGemm(command, c, it->second));
      if (done)
        return okStatus();
      if (exe_.gemmMode == GpuExecutable::GemmMode::Library)
        return failedPreconditionError(
            strCat("function '", plan_.signature.name, "': kernel '",
                   kernel.name, "': SSMRT_GEMM=library, but ",
                   exe_.device->api(), " device '", exe_.device->name(),
                   "' has no GEMM library that can run it (m=", it->second.m,
                   " n=", it->second.n, " k=", it->second.k, ")"));
    }
  // Both driver APIs take a pointer to each argument's value; a scalar is
  // the first bytes of its 8-byte value (little-endian).
  args_.assign(values.size(), nullptr);
  for (size_t a = 0; a < values.size(); ++a)
    args_[a] = &values[a];
  Status launched = exe_.device->launchFunction(
      kernel.function, {c.grid[0], c.grid[1], c.grid[2]}, kernel.block,
      kernel.sharedBytes, args_.data());
  if (!launched.ok())
    return launched.withContext(strCat("function '", plan_.signature.name,
                                       "': kernel '", kernel.name, "'"));
  return okStatus();
}

Expected<bool> GpuRunner::libraryGemm(uint32_t command, const Command &c,
                                      const format::LibraryCallInfo &call) {
  SSMRT_ASSIGN_OR_RETURN(
      uint64_t a, argumentRange(command, c, call.aArg, call.aOffset,
                                      call.aBytes, false));
  SSMRT_ASSIGN_OR_RETURN(
      uint64_t b, argumentRange(command, c, call.bArg, call.bOffset,
                                      call.bBytes, false));
  SSMRT_ASSIGN_OR_RETURN(
      uint64_t out, argumentRange(command, c, call.cArg, call.cOffset,
                                        call.cBytes, true));
  uint64_t bias = 0;
  if (call.bias != format::GemmBias::None) {
    SSMRT_ASSIGN_OR_RETURN(
        bias, argumentRange(command, c, call.biasArg,
                                     call.biasOffset, call.biasBytes, false));
  }
  Expected<bool> done = exe_.device->libraryGemm(call, a, b, out, bias);
  if (!done.ok())
    return done.status().withContext(
        strCat("function '", plan_.signature.name, "': library GEMM"));
  return *done;
}

Status uploadInputs(const detail::EntryPlan &plan, GpuExecutable &exe,
                    GpuWorkspace &ws, const std::vector<TensorView> &inputs) {
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
// Device
//===----------------------------------------------------------------------===//

Device::~Device() = default;

Status Device::launch(int module, const std::string &kernel,
                      std::array<unsigned, 3> grid,
                      std::array<unsigned, 3> block, unsigned sharedBytes,
                      std::vector<void *> args) {
  SSMRT_ASSIGN_OR_RETURN(void *fn, function(module, kernel));
  return launchFunction(fn, grid, block, sharedBytes, args.data());
}

format::TargetKind targetOf(const Device &device) {
  return device.vendor() == Vendor::Nvidia ? format::TargetKind::Nvptx
                                           : format::TargetKind::Amdgpu;
}

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
// GpuExecutable and GpuWorkspace
//===----------------------------------------------------------------------===//

Expected<GpuExecutable>
GpuExecutable::load(const format::ArtifactView &view,
                    std::shared_ptr<Device> device,
                    const std::vector<format::ConstantInfo> &constants) {
  GpuExecutable exe;
  exe.device = device;
  std::vector<int> modules;
  for (uint32_t i = 0; i < view.kernelObjectCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(format::KernelObject object, view.kernelObject(i));
    format::TargetKind target = targetOf(*device);
    if (object.target != target)
      return failedPreconditionError(
          strCat("kernel object ", i, " is for target ",
                 format::targetKindName(object.target), " (", object.chip,
                 "): device '", device->name(), "' (", device->api(),
                 ") runs only ", format::targetKindName(target),
                 " kernel objects; compile with --target=",
                 target == format::TargetKind::Nvptx ? "nvptx" : "amdgpu"));
    // PTX is NUL-terminated text (std::string adds the NUL); a cubin or an
    // HSACO is passed as is.
    std::string image(reinterpret_cast<const char *>(object.data),
                      static_cast<size_t>(object.size));
    Expected<int> module = device->loadModule(image);
    if (!module.ok())
      return module.status().withContext(strCat(
          "kernel object ", i, " (", object.chip, ", ",
          format::binaryFormatName(object.format), ") on ", device->name(),
          device->chip().empty() ? std::string()
                                 : strCat(" (", device->chip(), ")")));
    modules.push_back(*module);
  }

  for (uint32_t k = 0; k < view.kernelCount(); ++k) {
    SSMRT_ASSIGN_OR_RETURN(format::KernelInfo info, view.kernel(k));
    Kernel kernel;
    kernel.name = std::string(info.name);
    kernel.block = {info.blockDims[0], info.blockDims[1], info.blockDims[2]};
    kernel.sharedBytes = info.dynamicSharedMemory;
    if (info.objectIndex >= modules.size())
      return internalError(strCat("kernel '", kernel.name, "': kernel object ",
                                  info.objectIndex, " out of range"));
    SSMRT_ASSIGN_OR_RETURN(
        kernel.function,
        device->function(modules[info.objectIndex], kernel.name));
    // Above the default 48 KiB a CUDA kernel must opt in to its dynamic
    // shared memory (HIP: checked against the GPU's 64 KiB).
    if (kernel.sharedBytes > 48 * 1024) {
      Status raised = device->setMaxDynamicSharedMemory(kernel.function,
                                                        kernel.sharedBytes);
      if (!raised.ok())
        return raised.withContext(strCat("kernel '", kernel.name, "' (",
                                         kernel.sharedBytes,
                                         " bytes of dynamic shared memory)"));
    }
    exe.kernels.push_back(std::move(kernel));
  }
  for (uint32_t i = 0; i < view.libraryCallCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(format::LibraryCallInfo call, view.libraryCall(i));
    exe.libraryCalls[call.command] = call;
  }
  if (const char *mode = std::getenv("SSMRT_GEMM"); mode && *mode) {
    std::string m = mode;
    if (m == "library")
      exe.gemmMode = GemmMode::Library;
    else if (m == "fallback")
      exe.gemmMode = GemmMode::Fallback;
    else if (m != "auto")
      return invalidArgumentError(
          strCat("SSMRT_GEMM='", m, "': expected auto, library or fallback"));
  }
  if (const char *graphs = std::getenv("SSMRT_CUDA_GRAPHS");
      graphs && *graphs) {
    std::string g = graphs;
    if (g == "0" || g == "off" || g == "false")
      exe.graphs = false;
    else if (g != "1" && g != "on" && g != "true")
      return invalidArgumentError(strCat(
          "SSMRT_CUDA_GRAPHS='", g, "': expected 1/on/true or 0/off/false"));
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

Expected<GpuWorkspace> GpuWorkspace::create(const detail::EntryPlan &plan,
                                            std::shared_ptr<Device> device) {
  GpuWorkspace ws;
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
// GraphExec
//===----------------------------------------------------------------------===//

GraphExec::GraphExec(GraphExec &&other) noexcept
    : device_(std::move(other.device_)), graph_(other.graph_) {
  other.graph_ = nullptr;
}

GraphExec &GraphExec::operator=(GraphExec &&other) noexcept {
  if (this != &other) {
    reset();
    device_ = std::move(other.device_);
    graph_ = other.graph_;
    other.graph_ = nullptr;
  }
  return *this;
}

GraphExec::~GraphExec() { reset(); }

void GraphExec::reset() {
  if (device_ && graph_)
    device_->destroyGraph(graph_);
  device_.reset();
  graph_ = nullptr;
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

namespace {

/// Graphs kept per entry, and keys remembered as run once.
constexpr size_t kMaxGraphs = 8;
constexpr size_t kMaxSeenKeys = 16;
/// Failed captures after which an entry stops trying (a driver or library
/// that refuses capture refuses it for every key).
constexpr uint64_t kMaxCaptureFailures = 2;

/// Runs `runner` plainly, counting it.
Expected<std::vector<uint64_t>> runPlain(GpuRunner &runner, GpuWorkspace &ws,
                                         int fill) {
  ++ws.stats.plainRuns;
  SSMRT_RETURN_IF_ERROR(runner.run(fill));
  return runner.returnedAddresses();
}

/// Drops the least recently used live graph while there are too many.
void evictGraphs(GpuWorkspace &ws) {
  for (;;) {
    size_t live = 0, oldest = ws.graphs.size();
    for (size_t i = 0; i < ws.graphs.size(); ++i) {
      if (!ws.graphs[i].exec.get())
        continue;
      ++live;
      if (oldest == ws.graphs.size() ||
          ws.graphs[i].lastUse < ws.graphs[oldest].lastUse)
        oldest = i;
    }
    if (live <= kMaxGraphs)
      return;
    ws.graphs.erase(ws.graphs.begin() + std::ptrdiff_t(oldest));
  }
}

} // namespace

bool useGraphs(const GpuExecutable &executable, InvokeOptions::Graphs mode) {
  if (mode == InvokeOptions::Graphs::Off)
    return false;
  if (mode == InvokeOptions::Graphs::Default && !executable.graphs)
    return false;
  return executable.device->supportsGraphs();
}

Expected<std::vector<uint64_t>> runSchedule(const detail::EntryPlan &plan,
                                            GpuExecutable &executable,
                                            GpuWorkspace &ws,
                                            const RunBindings &bindings,
                                            int fill, bool graphs) {
  GpuRunner runner(plan, executable, ws, bindings);
  if (!graphs || !executable.device->supportsGraphs())
    return runPlain(runner, ws, fill);
  Device &device = *executable.device;
  GpuWorkspace::GraphKey key;
  key.addresses = bindings.inputs;
  key.addresses.insert(key.addresses.end(), bindings.outputs.begin(),
                       bindings.outputs.end());
  key.fill = fill;
  ++ws.clock;
  for (GpuWorkspace::Graph &graph : ws.graphs) {
    if (!(graph.key == key))
      continue;
    if (!graph.exec.get())
      return runPlain(runner, ws, fill); // could not be captured
    graph.lastUse = ws.clock;
    SSMRT_RETURN_IF_ERROR(device.launchGraph(graph.exec.get()));
    ++ws.stats.graphReplays;
    return graph.returned;
  }
  if (ws.stats.captureFailures >= kMaxCaptureFailures)
    return runPlain(runner, ws, fill);
  auto seen = std::find(ws.seen.begin(), ws.seen.end(), key);
  if (seen == ws.seen.end()) {
    // First run with these addresses: plainly (libraries and lazily loaded
    // kernels initialize outside any capture).
    ws.seen.push_back(key);
    if (ws.seen.size() > kMaxSeenKeys)
      ws.seen.erase(ws.seen.begin());
    return runPlain(runner, ws, fill);
  }
  ws.seen.erase(seen);

  GpuWorkspace::Graph graph;
  graph.key = std::move(key);
  graph.lastUse = ws.clock;
  Status failure = device.beginCapture();
  if (failure.ok()) {
    Status walked = runner.run(fill);
    Expected<void *> made = device.endCapture();
    if (walked.ok() && made.ok()) {
      graph.exec = GraphExec(executable.device, *made);
      graph.returned = runner.returnedAddresses();
      void *exec = graph.exec.get();
      std::vector<uint64_t> returned = graph.returned;
      ws.graphs.push_back(std::move(graph));
      evictGraphs(ws);
      ++ws.stats.graphCaptures;
      SSMRT_RETURN_IF_ERROR(device.launchGraph(exec));
      return returned;
    }
    if (made.ok())
      device.destroyGraph(*made);
    failure = walked.ok() ? made.status() : walked;
  }
  // Nothing captured has run: run plainly (which reports the error again if
  // it was not about capturing) and never try this key again.
  ++ws.stats.captureFailures;
  ws.stats.lastCaptureFailure = failure.toString();
  ws.graphs.push_back(std::move(graph));
  return runPlain(runner, ws, fill);
}

namespace {
/// The bindings of a run over the workspace's staged inputs and outputs.
RunBindings stagedBindings(const detail::EntryPlan &plan,
                           const GpuWorkspace &ws) {
  RunBindings bindings;
  for (uint64_t offset : ws.inputOffsets)
    bindings.inputs.push_back(ws.memory.pointer() + offset);
  bindings.outputs.assign(plan.signature.outputs.size(), 0);
  return bindings;
}
} // namespace

Expected<std::vector<HostTensor>>
executeEntry(const detail::EntryPlan &plan, GpuExecutable &executable,
             GpuWorkspace &workspace, const std::vector<TensorView> &inputs,
             bool poisonOutputs, bool graphs) {
  if (!plan.status.ok())
    return plan.status;
  SSMRT_RETURN_IF_ERROR(uploadInputs(plan, executable, workspace, inputs));
  SSMRT_ASSIGN_OR_RETURN(std::vector<uint64_t> returned,
                         runSchedule(plan, executable, workspace,
                                     stagedBindings(plan, workspace),
                                     poisonOutputs ? 0xFF : 0, graphs));
  SSMRT_RETURN_IF_ERROR(executable.device->synchronize());
  const FunctionSignature &sig = plan.signature;
  std::vector<HostTensor> outputs;
  for (size_t out = 0; out < sig.outputs.size(); ++out) {
    const TensorDesc &desc = sig.outputs[out];
    SSMRT_ASSIGN_OR_RETURN(HostTensor tensor,
                           HostTensor::allocate(desc.dtype, desc.dims));
    if (desc.byteSize() != 0) {
      if (!returned[out])
        return internalError(strCat(executable.device->api(),
                                    " executor: output ", out, " missing"));
      SSMRT_RETURN_IF_ERROR(executable.device->download(
          tensor.data(), returned[out], static_cast<size_t>(desc.byteSize())));
    }
    outputs.push_back(std::move(tensor));
  }
  return outputs;
}

Status executeWithBuffers(const detail::EntryPlan &plan,
                          GpuExecutable &executable, GpuWorkspace &workspace,
                          const std::vector<TensorView> &inputs,
                          const std::vector<TensorView> &outputs,
                          bool poisonOutputs, bool graphs) {
  if (!plan.status.ok())
    return plan.status;
  const FunctionSignature &sig = plan.signature;
  Device &device = *executable.device;
  RunBindings bindings;
  for (size_t k = 0; k < inputs.size(); ++k)
    bindings.inputs.push_back(sig.inputs[k].byteSize() == 0
                                  ? workspace.memory.pointer() +
                                        workspace.inputOffsets[k]
                                  : reinterpret_cast<uint64_t>(inputs[k].data));
  for (size_t out = 0; out < outputs.size(); ++out)
    bindings.outputs.push_back(
        sig.outputs[out].byteSize() == 0
            ? 0
            : reinterpret_cast<uint64_t>(outputs[out].data));
  // Every buffer is checked once per set of addresses (the driver queries
  // cost a few microseconds per buffer, which a model with hundreds of
  // weights would pay on every call).
  if (bindings.inputs != workspace.checkedInputs ||
      bindings.outputs != workspace.checkedOutputs) {
    auto check = [&](const TensorView &view, const TensorDesc &desc,
                     const char *what, size_t index) -> Status {
      uint64_t bytes = desc.byteSize();
      if (bytes == 0)
        return okStatus();
      Status checked =
          device.checkDeviceRange(reinterpret_cast<uint64_t>(view.data), bytes);
      if (!checked.ok())
        return invalidArgumentError(strCat(
            "function '", sig.name, "': ", what, " ", index,
            desc.name.empty() ? std::string() : strCat(" ('", desc.name, "')"),
            " (", desc.typeString(), "): ", checked.message()));
      return okStatus();
    };
    workspace.checkedInputs.clear();
    workspace.checkedOutputs.clear();
    for (size_t k = 0; k < inputs.size(); ++k)
      SSMRT_RETURN_IF_ERROR(check(inputs[k], sig.inputs[k], "input", k));
    for (size_t out = 0; out < outputs.size(); ++out)
      SSMRT_RETURN_IF_ERROR(
          check(outputs[out], sig.outputs[out], "output", out));
    workspace.checkedInputs = bindings.inputs;
    workspace.checkedOutputs = bindings.outputs;
  }
  SSMRT_RETURN_IF_ERROR(runSchedule(plan, executable, workspace, bindings,
                                    poisonOutputs ? 0xFF : 0, graphs)
                            .status());
  return device.synchronize();
}

Expected<std::vector<double>>
timeEntry(const detail::EntryPlan &plan, GpuExecutable &executable,
          GpuWorkspace &workspace, const std::vector<TensorView> &inputs,
          int warmup, int iterations, bool graphs) {
  if (!plan.status.ok())
    return plan.status;
  if (warmup < 0 || iterations < 1)
    return invalidArgumentError(
        strCat("timing needs warmup >= 0 and iterations >= 1, got ", warmup,
               " and ", iterations));
  SSMRT_RETURN_IF_ERROR(uploadInputs(plan, executable, workspace, inputs));
  Device &device = *executable.device;
  RunBindings bindings = stagedBindings(plan, workspace);
  auto runOnce = [&]() -> Status {
    return runSchedule(plan, executable, workspace, bindings, -1, graphs)
        .status();
  };
  for (int i = 0; i < warmup; ++i)
    SSMRT_RETURN_IF_ERROR(runOnce());
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
    status = runOnce();
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

} // namespace ssmrt::gpu
