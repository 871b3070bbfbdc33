//===- module.cpp - Instance, Device and Module ---------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/api.h"

#include "ssmrt/format/reader.h"

#include "../drivers/cpu/cpu_driver.h"
#include "executor.h"
#include "strings.h"

#include "../drivers/gpu/gpu_executor.h"

#if SSMRT_HAVE_CUDA
#include "ssmrt/drivers/cuda.h"
#endif
#if SSMRT_HAVE_HIP
#include "ssmrt/drivers/hip.h"
#endif

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>

namespace ssmrt {

using detail::strCat;

namespace detail {

struct InstanceState {
  explicit InstanceState(size_t threads) : pool(threads) {}
  ThreadPool pool;
};

struct DeviceState {
  std::shared_ptr<InstanceState> instance;
  std::string name;
  /// Set for GPU devices ("cuda:N", "hip:N"); its one stream runs one
  /// invocation at a time.
  std::shared_ptr<gpu::Device> gpu;
  std::mutex gpuMutex;
};

/// Spare arenas of one entry, reused across invocations.
struct ArenaCache {
  std::mutex mutex;
  std::vector<Buffer> spare;
};

struct ModuleState {
  Device device;
  std::string path;
  std::optional<format::ArtifactFile> file; // Module::load
  std::vector<uint8_t> bytes;               // Module::loadFromMemory
  std::optional<format::ArtifactView> view;
  ModuleInfo info;
  std::vector<format::ConstantInfo> constants;
  cpu::CpuExecutable executable;
  std::optional<gpu::GpuExecutable> gpuExecutable;
  /// Per entry, made on first use (guarded by the device's gpuMutex).
  std::vector<std::optional<gpu::GpuWorkspace>> gpuWorkspaces;
  std::vector<EntryPlan> entries;
  std::vector<std::unique_ptr<ArenaCache>> arenas; // per entry

  /// The entry called `name`, or InvalidArgument listing the names.
  Expected<const EntryPlan *> find(const std::string &name,
                                   size_t *index = nullptr) const;
};

} // namespace detail

namespace {

constexpr size_t kMaxThreads = 4096;
constexpr size_t kMaxSpareArenas = 4;

Expected<size_t> threadsFromEnvironment() {
  const char *value = std::getenv("SSMRT_NUM_THREADS");
  if (!value || !*value)
    return size_t(0);
  char *end = nullptr;
  errno = 0;
  long long n = std::strtoll(value, &end, 10);
  if (errno != 0 || *end != '\0' || n < 1 ||
      static_cast<unsigned long long>(n) > kMaxThreads)
    return invalidArgumentError(
        strCat("SSMRT_NUM_THREADS='", value,
               "' is not a thread count (expected an integer in 1..",
               kMaxThreads, ")"));
  return static_cast<size_t>(n);
}

std::string joinNames(const std::vector<std::string> &names) {
  if (names.empty())
    return "none";
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += strCat(i ? ", " : "", names[i]);
  return out;
}

TensorDesc toDesc(const format::TensorInfo &info) {
  TensorDesc desc;
  desc.name = std::string(info.name);
  desc.dtype = info.dtype;
  desc.dims.assign(info.dims.begin(), info.dims.begin() + info.rank);
  return desc;
}

} // namespace

//===----------------------------------------------------------------------===//
// Instance and Device
//===----------------------------------------------------------------------===//

Expected<Instance> Instance::create(const InstanceOptions &options) {
  size_t threads = options.numThreads;
  if (threads > kMaxThreads)
    return invalidArgumentError(
        strCat("numThreads ", threads, " exceeds the limit of ", kMaxThreads));
  if (threads == 0) {
    SSMRT_ASSIGN_OR_RETURN(threads, threadsFromEnvironment());
  }
  return Instance(std::make_shared<detail::InstanceState>(threads));
}

ThreadPool &Instance::threadPool() const { return state_->pool; }

std::vector<std::string> Instance::availableDevices() {
  std::vector<std::string> devices = {"cpu"};
#if SSMRT_HAVE_CUDA
  devices.push_back("cuda");
#endif
#if SSMRT_HAVE_HIP
  devices.push_back("hip");
#endif
  return devices;
}

namespace {
/// `kind` -> 0, "`kind`:N" -> N (at most 4 digits), else -1.
[[maybe_unused]] int deviceOrdinal(const std::string &name,
                                   const std::string &kind) {
  if (name == kind)
    return 0;
  size_t prefix = kind.size() + 1;
  if (name.rfind(kind + ":", 0) != 0 || name.size() == prefix ||
      name.size() > prefix + 4)
    return -1;
  int n = 0;
  for (size_t i = prefix; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9')
      return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

/// A GPU driver library, loaded once per process (a failure is retried).
template <typename DriverT>
[[maybe_unused]] Expected<std::shared_ptr<DriverT>> loadedDriver() {
  static std::mutex mutex;
  static std::shared_ptr<DriverT> driver;
  std::lock_guard<std::mutex> lock(mutex);
  if (!driver) {
    SSMRT_ASSIGN_OR_RETURN(driver, DriverT::load());
  }
  return driver;
}

/// Opens ordinal N of `name` ("kind" or "kind:N") through DriverT.
template <typename DriverT, typename DeviceT>
[[maybe_unused]] Expected<std::shared_ptr<gpu::Device>>
openGpu(const std::string &name, const std::string &kind, const char *api,
        std::string *canonical) {
  int ordinal = deviceOrdinal(name, kind);
  if (ordinal < 0)
    return invalidArgumentError(strCat("device '", name, "' is not a ", api,
                                       " device name ('", kind, "' or '", kind,
                                       ":N')"));
  SSMRT_ASSIGN_OR_RETURN(std::shared_ptr<DriverT> driver,
                         loadedDriver<DriverT>());
  SSMRT_ASSIGN_OR_RETURN(std::unique_ptr<DeviceT> device,
                         DeviceT::open(driver, ordinal));
  *canonical = strCat(kind, ":", ordinal);
  return std::shared_ptr<gpu::Device>(std::move(device));
}
} // namespace

Expected<Device> Instance::openDevice(const std::string &name) const {
  if (name == "cpu" || name == "cpu:0") {
    auto state = std::make_shared<detail::DeviceState>();
    state->instance = state_;
    state->name = "cpu";
    return Device(std::move(state));
  }
  std::string kind = name.substr(0, name.find(':'));
  std::shared_ptr<gpu::Device> gpuDevice;
  std::string canonical;
#if SSMRT_HAVE_CUDA
  if (kind == "cuda") {
    SSMRT_ASSIGN_OR_RETURN(gpuDevice, (openGpu<cuda::Driver, cuda::Device>(
                                          name, "cuda", "CUDA", &canonical)));
  }
#endif
#if SSMRT_HAVE_HIP
  if (kind == "hip") {
    SSMRT_ASSIGN_OR_RETURN(gpuDevice, (openGpu<hip::Driver, hip::Device>(
                                          name, "hip", "HIP", &canonical)));
  }
#endif
  if (gpuDevice) {
    auto state = std::make_shared<detail::DeviceState>();
    state->instance = state_;
    state->name = canonical;
    state->gpu = std::move(gpuDevice);
    return Device(std::move(state));
  }
  if (kind == "cpu")
    return invalidArgumentError(strCat("device '", name,
                                       "' does not exist: the CPU is a single "
                                       "device, 'cpu' (or 'cpu:0')"));
  const char *driver = nullptr;
  if (kind == "cuda" || kind == "nvidia" || kind == "gpu")
    driver = "CUDA";
  else if (kind == "hip" || kind == "rocm" || kind == "amdgpu")
    driver = "HIP";
  if (driver)
    return unavailableError(strCat("device '", name,
                                   "' is not available: this runtime was "
                                   "built without the ",
                                   driver, " driver (available devices: ",
                                   joinNames(availableDevices()), ")"));
  return invalidArgumentError(
      strCat("unknown device '", name,
             "' (available devices: ", joinNames(availableDevices()), ")"));
}

const std::string &Device::name() const {
  static const std::string kInvalid = "<invalid>";
  return state_ ? state_->name : kInvalid;
}

//===----------------------------------------------------------------------===//
// FunctionSignature
//===----------------------------------------------------------------------===//

std::string FunctionSignature::toString() const {
  auto list = [](const std::vector<TensorDesc> &descs) {
    std::string out;
    for (size_t i = 0; i < descs.size(); ++i) {
      out += i ? ", " : "";
      if (!descs[i].name.empty())
        out += strCat(descs[i].name, ": ");
      out += descs[i].typeString();
    }
    return out;
  };
  return strCat(name, "(", list(inputs), ") -> (", list(outputs), ")");
}

//===----------------------------------------------------------------------===//
// ModuleInfo
//===----------------------------------------------------------------------===//

namespace {

/// What planEntry needs from a validated view: constant sizes and the
/// kernels' names and argument counts.
Expected<detail::PlanContext> planContext(const format::ArtifactView &view) {
  detail::PlanContext context;
  for (uint32_t i = 0; i < view.constantCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(format::ConstantInfo constant, view.constant(i));
    context.constantSizes.push_back(constant.size);
  }
  for (uint32_t k = 0; k < view.kernelCount(); ++k) {
    SSMRT_ASSIGN_OR_RETURN(format::KernelInfo kernel, view.kernel(k));
    context.kernelNames.emplace_back(kernel.name);
    context.kernelArgCounts.push_back(
        static_cast<uint32_t>(kernel.args.size()));
  }
  return context;
}

/// Entry `e` of a validated view, planned with `context`; its status says
/// whether the schedule is valid.
Expected<detail::EntryPlan> planEntryOf(const format::ArtifactView &view,
                                        const detail::PlanContext &context,
                                        uint32_t e) {
  SSMRT_ASSIGN_OR_RETURN(format::EntryInfo info, view.entry(e));
  detail::EntryPlan plan;
  plan.signature.name = std::string(info.name);
  for (const format::TensorInfo &t : info.inputs)
    plan.signature.inputs.push_back(toDesc(t));
  for (const format::TensorInfo &t : info.outputs)
    plan.signature.outputs.push_back(toDesc(t));
  plan.bufferCount = info.bufferCount;
  for (uint32_t c = 0; c < info.commandCount; ++c) {
    SSMRT_ASSIGN_OR_RETURN(format::Command command,
                           view.command(info.firstCommand + c));
    plan.commands.push_back(std::move(command));
  }
  detail::planEntry(context, plan).ignoreError();
  return plan;
}

/// What a validated view declares; with `plans`, also each entry's memory
/// plan (Module::load plans its entries itself and fills them in).
Expected<ModuleInfo> describe(const format::ArtifactView &view,
                              bool plans = true) {
  ModuleInfo info;
  info.formatVersion = view.formatVersion();
  info.compilerVersion = std::string(view.compilerVersion());
  for (uint32_t e = 0; e < view.entryCount(); ++e) {
    SSMRT_ASSIGN_OR_RETURN(format::EntryInfo entry, view.entry(e));
    FunctionSignature signature;
    signature.name = std::string(entry.name);
    for (const format::TensorInfo &t : entry.inputs)
      signature.inputs.push_back(toDesc(t));
    for (const format::TensorInfo &t : entry.outputs)
      signature.outputs.push_back(toDesc(t));
    info.functions.push_back(std::move(signature));
  }
  for (uint32_t k = 0; k < view.kernelObjectCount(); ++k) {
    SSMRT_ASSIGN_OR_RETURN(format::KernelObject object, view.kernelObject(k));
    info.kernelObjects.push_back(
        {object.target, object.format, std::string(object.chip), object.size});
  }
  if (view.hasModelInfo()) {
    SSMRT_ASSIGN_OR_RETURN(format::ModelInfo record, view.modelInfo());
    ModelInfo model;
    model.name = std::string(record.name);
    model.family = std::string(record.family);
    if (record.hasPreprocessing) {
      ImagePreprocessing pre;
      pre.resize = record.resize;
      pre.crop = record.crop;
      pre.mean = record.mean;
      pre.std = record.std;
      model.preprocessing = pre;
    }
    for (const auto &[key, value] : record.properties)
      model.properties.emplace_back(std::string(key), std::string(value));
    info.model = std::move(model);
  }
  if (plans) {
    SSMRT_ASSIGN_OR_RETURN(detail::PlanContext context, planContext(view));
    for (uint32_t e = 0; e < view.entryCount(); ++e) {
      SSMRT_ASSIGN_OR_RETURN(detail::EntryPlan plan,
                             planEntryOf(view, context, e));
      info.memoryPlans.push_back(plan.status.ok()
                                     ? std::optional<MemoryPlan>(plan.memory)
                                     : std::nullopt);
    }
  }
  return info;
}

} // namespace

Expected<ModuleInfo> ModuleInfo::read(const std::string &path) {
  SSMRT_ASSIGN_OR_RETURN(format::ArtifactFile file,
                         format::ArtifactFile::openPath(path));
  Expected<ModuleInfo> info = describe(file.view());
  if (!info.ok())
    return info.status().withContext(strCat("'", path, "'"));
  return info;
}

Expected<ModuleInfo> ModuleInfo::fromMemory(const void *data, size_t size) {
  if (!data && size != 0)
    return invalidArgumentError("ModuleInfo::fromMemory: data is null");
  SSMRT_ASSIGN_OR_RETURN(
      format::ArtifactView view,
      format::ArtifactView::open(static_cast<const uint8_t *>(data), size));
  return describe(view);
}

std::vector<std::string> ModuleInfo::functionNames() const {
  std::vector<std::string> names;
  for (const FunctionSignature &f : functions)
    names.push_back(f.name);
  return names;
}

Expected<FunctionSignature>
ModuleInfo::signature(const std::string &function) const {
  for (const FunctionSignature &f : functions)
    if (f.name == function)
      return f;
  return invalidArgumentError(
      strCat("unknown function '", function,
             "' (available functions: ", joinNames(functionNames()), ")"));
}

//===----------------------------------------------------------------------===//
// Module
//===----------------------------------------------------------------------===//

Expected<const detail::EntryPlan *>
detail::ModuleState::find(const std::string &name, size_t *index) const {
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].signature.name == name) {
      if (index)
        *index = i;
      return &entries[i];
    }
  std::vector<std::string> names;
  for (const EntryPlan &entry : entries)
    names.push_back(entry.signature.name);
  return invalidArgumentError(
      strCat("unknown function '", name,
             "' (available functions: ", joinNames(names), ")"));
}

namespace {

/// Everything after the view is open: kernels, constants, plans.
Status initialize(detail::ModuleState &state, detail::DeviceState &device) {
  const format::ArtifactView &view = *state.view;
  SSMRT_ASSIGN_OR_RETURN(state.info, describe(view, /*plans=*/false));
  SSMRT_ASSIGN_OR_RETURN(detail::PlanContext context, planContext(view));
  for (uint32_t i = 0; i < view.constantCount(); ++i) {
    SSMRT_ASSIGN_OR_RETURN(format::ConstantInfo constant, view.constant(i));
    state.constants.push_back(constant);
  }
  if (const auto &gpu = device.gpu) {
    std::lock_guard<std::mutex> lock(device.gpuMutex);
    SSMRT_ASSIGN_OR_RETURN(
        gpu::GpuExecutable exe,
        gpu::GpuExecutable::load(view, gpu, state.constants));
    state.gpuExecutable.emplace(std::move(exe));
  } else {
    SSMRT_ASSIGN_OR_RETURN(state.executable,
                           cpu::CpuExecutable::load(view, state.device.name()));
  }

  for (uint32_t e = 0; e < view.entryCount(); ++e) {
    // A schedule error makes only this entry unusable; it is reported by
    // invoke() and memoryPlan().
    SSMRT_ASSIGN_OR_RETURN(detail::EntryPlan plan,
                           planEntryOf(view, context, e));
    state.info.memoryPlans.push_back(
        plan.status.ok() ? std::optional<MemoryPlan>(plan.memory)
                         : std::nullopt);
    state.entries.push_back(std::move(plan));
    state.arenas.push_back(std::make_unique<detail::ArenaCache>());
  }
  state.gpuWorkspaces.resize(state.entries.size());
  return okStatus();
}

} // namespace

Module::Module(std::unique_ptr<detail::ModuleState> state)
    : state_(std::move(state)) {}
Module::Module(Module &&other) noexcept = default;
Module &Module::operator=(Module &&other) noexcept = default;
Module::~Module() = default;

Expected<Module> Module::load(const Device &device, const std::string &path) {
  if (!device.valid())
    return invalidArgumentError("Module::load: the device is not open");
  SSMRT_ASSIGN_OR_RETURN(format::ArtifactFile file,
                         format::ArtifactFile::openPath(path));
  auto state = std::make_unique<detail::ModuleState>();
  state->device = device;
  state->path = path;
  state->file.emplace(std::move(file));
  state->view.emplace(state->file->view());
  Status status = initialize(*state, *device.state_);
  if (!status.ok())
    return status.withContext(strCat("'", path, "'"));
  return Module(std::move(state));
}

Expected<Module> Module::loadFromMemory(const Device &device,
                                        std::vector<uint8_t> bytes) {
  if (!device.valid())
    return invalidArgumentError(
        "Module::loadFromMemory: the device is not open");
  auto state = std::make_unique<detail::ModuleState>();
  state->device = device;
  state->bytes = std::move(bytes);
  SSMRT_ASSIGN_OR_RETURN(
      format::ArtifactView view,
      format::ArtifactView::open(state->bytes.data(), state->bytes.size()));
  state->view.emplace(view);
  SSMRT_RETURN_IF_ERROR(initialize(*state, *device.state_));
  return Module(std::move(state));
}

Expected<Module> Module::loadFromMemory(const Device &device, const void *data,
                                        size_t size) {
  if (!data && size != 0)
    return invalidArgumentError("Module::loadFromMemory: data is null");
  const auto *p = static_cast<const uint8_t *>(data);
  return loadFromMemory(device, std::vector<uint8_t>(p, p + size));
}

std::vector<std::string> Module::functions() const {
  std::vector<std::string> names;
  for (const detail::EntryPlan &entry : state_->entries)
    names.push_back(entry.signature.name);
  return names;
}

Expected<FunctionSignature>
Module::signature(const std::string &function) const {
  SSMRT_ASSIGN_OR_RETURN(const detail::EntryPlan *plan, state_->find(function));
  return plan->signature;
}

Expected<MemoryPlan> Module::memoryPlan(const std::string &function) const {
  SSMRT_ASSIGN_OR_RETURN(const detail::EntryPlan *plan, state_->find(function));
  if (!plan->status.ok())
    return plan->status;
  return plan->memory;
}

Expected<uint64_t> Module::peakBytes(const std::string &function) const {
  SSMRT_ASSIGN_OR_RETURN(MemoryPlan plan, memoryPlan(function));
  return plan.peakBytes;
}

namespace {
/// The entry's GPU workspace, made on first use. Call with the device's
/// gpuMutex held.
Expected<gpu::GpuWorkspace *>
gpuWorkspace(detail::ModuleState &state, const detail::EntryPlan &plan,
             size_t index, const std::shared_ptr<gpu::Device> &device) {
  std::optional<gpu::GpuWorkspace> &ws = state.gpuWorkspaces[index];
  if (!ws) {
    SSMRT_ASSIGN_OR_RETURN(gpu::GpuWorkspace made,
                           gpu::GpuWorkspace::create(plan, device));
    ws.emplace(std::move(made));
  }
  return &*ws;
}
} // namespace

/// Runs `run` on the CPU with a spare arena of the entry (or a new one),
/// given back afterwards, and the execution context of `options`.
namespace {
template <typename Fn>
Status withCpuArena(detail::ModuleState &state, ThreadPool &pool,
                    const detail::EntryPlan &plan, size_t index,
                    const InvokeOptions &options, Fn run) {
  detail::ArenaCache &cache = *state.arenas[index];
  Buffer arena;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (!cache.spare.empty()) {
      arena = std::move(cache.spare.back());
      cache.spare.pop_back();
    }
  }
  if (arena.size() < plan.memory.arenaBytes || !arena.ownsData()) {
    SSMRT_ASSIGN_OR_RETURN(arena, Buffer::allocate(plan.memory.arenaBytes));
  }

  detail::ExecutionContext context;
  context.constants = &state.constants;
  context.kernels = &state.executable.kernels;
  context.pool = &pool;
  context.poisonOutputs = options.poisonOutputs;
  Status status = [&] {
    cpu::CurrentThreadPool scope(&pool);
    return run(context, arena);
  }();

  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.spare.size() < kMaxSpareArenas)
      cache.spare.push_back(std::move(arena));
  }
  return status;
}
} // namespace

Expected<std::vector<HostTensor>>
Module::invoke(const std::string &function,
               const std::vector<TensorView> &inputs) const {
  return invoke(function, inputs, InvokeOptions());
}

Expected<std::vector<double>>
Module::time(const std::string &function, const std::vector<TensorView> &inputs,
             int warmup, int iterations) const {
  return time(function, inputs, warmup, iterations, InvokeOptions());
}

Expected<std::vector<double>>
Module::time(const std::string &function, const std::vector<TensorView> &inputs,
             int warmup, int iterations, const InvokeOptions &options) const {
  size_t index = 0;
  SSMRT_ASSIGN_OR_RETURN(const detail::EntryPlan *plan,
                         state_->find(function, &index));
  if (!plan->status.ok())
    return plan->status;
  SSMRT_RETURN_IF_ERROR(detail::validateInputs(plan->signature, inputs));
  if (warmup < 0 || iterations < 1)
    return invalidArgumentError(
        strCat("timing needs warmup >= 0 and iterations >= 1, got ", warmup,
               " and ", iterations));
  if (state_->gpuExecutable) {
    std::lock_guard<std::mutex> lock(state_->device.state_->gpuMutex);
    SSMRT_ASSIGN_OR_RETURN(
        gpu::GpuWorkspace * ws,
        gpuWorkspace(*state_, *plan, index, state_->device.state_->gpu));
    return gpu::timeEntry(
        *plan, *state_->gpuExecutable, *ws, inputs, warmup, iterations,
        gpu::useGraphs(*state_->gpuExecutable, options.graphs));
  }
  std::vector<double> ms;
  for (int i = 0; i < warmup + iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    SSMRT_ASSIGN_OR_RETURN(std::vector<HostTensor> outputs,
                           invoke(function, inputs, options));
    double elapsed = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (i >= warmup)
      ms.push_back(elapsed);
  }
  return ms;
}

Expected<std::vector<HostTensor>>
Module::invoke(const std::string &function,
               const std::vector<TensorView> &inputs,
               const InvokeOptions &options) const {
  size_t index = 0;
  SSMRT_ASSIGN_OR_RETURN(const detail::EntryPlan *plan,
                         state_->find(function, &index));
  if (!plan->status.ok())
    return plan->status;
  SSMRT_RETURN_IF_ERROR(detail::validateInputs(plan->signature, inputs));
  if (state_->gpuExecutable) {
    std::lock_guard<std::mutex> lock(state_->device.state_->gpuMutex);
    SSMRT_ASSIGN_OR_RETURN(
        gpu::GpuWorkspace * ws,
        gpuWorkspace(*state_, *plan, index, state_->device.state_->gpu));
    return gpu::executeEntry(
        *plan, *state_->gpuExecutable, *ws, inputs, options.poisonOutputs,
        gpu::useGraphs(*state_->gpuExecutable, options.graphs));
  }
  std::optional<Expected<std::vector<HostTensor>>> outputs;
  SSMRT_RETURN_IF_ERROR(withCpuArena(
      *state_, state_->device.state_->instance->pool, *plan, index, options,
      [&](const detail::ExecutionContext &context, Buffer &arena) {
        outputs.emplace(detail::executeEntry(*plan, context, inputs, arena));
        return okStatus();
      }));
  return std::move(*outputs);
}

Status Module::invokeWithBuffers(const std::string &function,
                                 const std::vector<TensorView> &inputs,
                                 const std::vector<TensorView> &outputs,
                                 const InvokeOptions &options) const {
  size_t index = 0;
  SSMRT_ASSIGN_OR_RETURN(const detail::EntryPlan *plan,
                         state_->find(function, &index));
  if (!plan->status.ok())
    return plan->status;
  SSMRT_RETURN_IF_ERROR(
      detail::validateBuffers(plan->signature, inputs, outputs));
  if (state_->gpuExecutable) {
    std::lock_guard<std::mutex> lock(state_->device.state_->gpuMutex);
    SSMRT_ASSIGN_OR_RETURN(
        gpu::GpuWorkspace * ws,
        gpuWorkspace(*state_, *plan, index, state_->device.state_->gpu));
    return gpu::executeWithBuffers(
        *plan, *state_->gpuExecutable, *ws, inputs, outputs,
        options.poisonOutputs,
        gpu::useGraphs(*state_->gpuExecutable, options.graphs));
  }
  return withCpuArena(
      *state_, state_->device.state_->instance->pool, *plan, index, options,
      [&](const detail::ExecutionContext &context, Buffer &arena) {
        return detail::executeEntryInto(*plan, context, inputs, outputs, arena);
      });
}

Expected<ExecutionStats>
Module::executionStats(const std::string &function) const {
  size_t index = 0;
  SSMRT_ASSIGN_OR_RETURN(const detail::EntryPlan *plan,
                         state_->find(function, &index));
  (void)plan;
  if (!state_->gpuExecutable)
    return ExecutionStats();
  std::lock_guard<std::mutex> lock(state_->device.state_->gpuMutex);
  const std::optional<gpu::GpuWorkspace> &ws = state_->gpuWorkspaces[index];
  return ws ? ws->stats : ExecutionStats();
}

const ModuleInfo &Module::info() const { return state_->info; }

const std::optional<ModelInfo> &Module::modelInfo() const {
  return state_->info.model;
}

std::string Module::compilerVersion() const {
  return std::string(state_->view->compilerVersion());
}

const std::string &Module::path() const { return state_->path; }

const Device &Module::device() const { return state_->device; }

} // namespace ssmrt
