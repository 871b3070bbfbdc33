//===- api.h - The ssm runtime API ------------------------------*- C++ -*-===//
//
// Part of the ssmc project. Loading and running compiled .ssmb modules:
//
//   ssmrt::Expected<ssmrt::Instance> instance = ssmrt::Instance::create();
//   ssmrt::Expected<ssmrt::Device> cpu = instance->openDevice("cpu");
//   ssmrt::Expected<ssmrt::Module> module =
//       ssmrt::Module::load(*cpu, "model.ssmb");
//   std::vector<float> x(1 * 1024);
//   ssmrt::Expected<std::vector<ssmrt::HostTensor>> outputs = module->invoke(
//       "forward", {ssmrt::TensorView(ssmrt::DType::F32, {1, 1024},
//       x.data())});
//
// Handles: Instance and Device are cheap, copyable, shared handles; a Module
// keeps its Device (and the Instance's thread pool) alive. Module is
// move-only and unloads its kernels (dlclose) when destroyed. Every call that
// can fail returns a Status or an Expected; nothing throws.
//
// Module::invoke is safe to call from several threads at once.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_API_H
#define SSMRT_API_H

#include "ssmrt/status.h"
#include "ssmrt/tensor.h"
#include "ssmrt/thread_pool.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ssmrt {

class Device;
class Module;

namespace detail {
struct InstanceState;
struct DeviceState;
struct ModuleState;
} // namespace detail

struct InstanceOptions {
  /// Degree of parallelism of the instance's thread pool. 0: the
  /// SSMRT_NUM_THREADS environment variable if set, else
  /// std::thread::hardware_concurrency().
  size_t numThreads = 0;
};

/// Owns the runtime-wide state: the thread pool CPU launches run on.
class Instance {
public:
  /// Errors: InvalidArgument if SSMRT_NUM_THREADS is set but is not a
  /// positive integer (at most 4096).
  static Expected<Instance> create(const InstanceOptions &options = {});

  /// Opens a device by name: "cpu" (or "cpu:0"); with the CUDA driver built
  /// in (SSM_ENABLE_CUDA), "cuda" / "cuda:N" (Unavailable when there is no
  /// libcuda or no such GPU). A known device kind that this build cannot
  /// drive ("cuda" without the driver, "hip", "hip:N", "rocm") is
  /// Unavailable; an unknown name is InvalidArgument.
  Expected<Device> openDevice(const std::string &name) const;

  /// Names openDevice accepts in this build ("cpu", and "cuda" when built
  /// with SSM_ENABLE_CUDA).
  static std::vector<std::string> availableDevices();

  ThreadPool &threadPool() const;
  size_t numThreads() const { return threadPool().size(); }

private:
  explicit Instance(std::shared_ptr<detail::InstanceState> state)
      : state_(std::move(state)) {}
  std::shared_ptr<detail::InstanceState> state_;
};

/// A device of an instance.
class Device {
public:
  Device() = default;
  /// The name it was opened with, normalized ("cpu", "cuda:0").
  const std::string &name() const;
  bool valid() const { return state_ != nullptr; }

private:
  friend class Instance;
  friend class Module;
  explicit Device(std::shared_ptr<detail::DeviceState> state)
      : state_(std::move(state)) {}
  std::shared_ptr<detail::DeviceState> state_;
};

/// The signature of one entry function.
struct FunctionSignature {
  std::string name;
  std::vector<TensorDesc> inputs;
  std::vector<TensorDesc> outputs;

  /// "forward(x: 1x1024xf32) -> (y: 1x1024xf32)".
  std::string toString() const;
};

/// How images are prepared for a model's image input, (B, 3, H, W).
struct ImagePreprocessing {
  /// The image's shorter side is resized to this (PIL's bicubic filter) ...
  int64_t resize = 0;
  /// ... and the centered crop x crop square is cut (the image size the
  /// model was built for; a tool feeding another H x W keeps the ratio).
  int64_t crop = 0;
  /// Per RGB channel: (pixel / 255 - mean[c]) / std[c].
  std::array<float, 3> mean = {0, 0, 0};
  std::array<float, 3> std = {0, 0, 0};
};

/// What the compiler recorded about the model of a module compiled by name
/// (ssm-compile --model, ssmc.compile("vim-t")): the .ssmb ModelInfo section.
struct ModelInfo {
  /// The registered variant ("vim-t").
  std::string name;
  /// "vim", "vmamba", "fastvim" or "mambaout"; may be empty.
  std::string family;
  std::optional<ImagePreprocessing> preprocessing;
  /// Hyper-parameters as text ("img" = "224", "dtype" = "bf16", ...), in
  /// the compiler's order; for display only.
  std::vector<std::pair<std::string, std::string>> properties;
};

/// One kernel object embedded in a module.
struct KernelObjectInfo {
  format::TargetKind target = format::TargetKind::Cpu;
  format::BinaryFormat format = format::BinaryFormat::So;
  std::string chip;
  uint64_t size = 0;
};

/// The static memory plan of one entry function, computed when the module is
/// loaded from the schedule's Alloc/Free commands.
struct MemoryPlan {
  /// Most bytes simultaneously allocated by Alloc commands (outputs
  /// included, caller inputs not).
  uint64_t peakBytes = 0;
  /// Size of the per-invocation arena that holds every allocation that is
  /// not an output; freed storage is reused first-fit, so this can be below
  /// the sum of the intermediate allocations.
  uint64_t arenaBytes = 0;
  /// Bytes of the output allocations (separate storage, handed to the caller).
  uint64_t outputBytes = 0;
  /// Alloc commands executed per invocation.
  uint32_t allocations = 0;
  /// Allocations placed into storage freed earlier in the same invocation.
  uint32_t reusedAllocations = 0;
};

/// Everything a module declares, read and fully validated without a device
/// (nothing is loaded): inspects a module compiled for a GPU on a machine
/// without one.
struct ModuleInfo {
  /// Maps and validates the artifact at `path` (errors as Module::load's).
  static Expected<ModuleInfo> read(const std::string &path);
  static Expected<ModuleInfo> fromMemory(const void *data, size_t size);

  /// The .ssmb format version of the file.
  uint32_t formatVersion = 0;
  /// "ssmc 0.1.0".
  std::string compilerVersion;
  /// The entry functions, in artifact order.
  std::vector<FunctionSignature> functions;
  /// Absent for modules compiled from IR (and for format v3 files).
  std::optional<ModelInfo> model;
  std::vector<KernelObjectInfo> kernelObjects;
  /// Per function (in `functions` order): its static memory plan, the same
  /// Module::memoryPlan computes at load, or empty where the schedule is
  /// invalid (Module::load still loads the module; that entry fails).
  std::vector<std::optional<MemoryPlan>> memoryPlans;

  std::vector<std::string> functionNames() const;
  /// InvalidArgument (listing the available functions) for an unknown name.
  Expected<FunctionSignature> signature(const std::string &function) const;
};

/// Options of Module::invoke, invokeWithBuffers and time.
struct InvokeOptions {
  /// Output allocations start as 0xFF bytes (NaN for floats) instead of
  /// zeros, so an element the schedule never writes shows up.
  bool poisonOutputs = false;
  /// CUDA graphs (GPU devices whose driver has them; ignored elsewhere):
  /// Default follows SSMRT_CUDA_GRAPHS (on unless it says 0/off/false), On
  /// and Off override it. With graphs, the first run of an entry over given
  /// device addresses queues its launches one by one, the second records
  /// them into a graph, later runs with the same addresses replay it; the
  /// outputs are the same as without.
  enum class Graphs { Default, Off, On };
  Graphs graphs = Graphs::Default;
};

/// How the runs of one entry on a GPU went (Module::executionStats).
struct ExecutionStats {
  uint64_t plainRuns = 0;     // runs that queued each launch and copy
  uint64_t graphCaptures = 0; // graphs recorded (each also ran once)
  uint64_t graphReplays = 0;  // runs that replayed a recorded graph
  uint64_t captureFailures = 0;
  std::string lastCaptureFailure; // why the last failed capture failed
};

/// A loaded .ssmb module, ready to invoke on its device. A moved-from
/// Module must not be used.
class Module {
public:
  /// Maps the artifact at `path` (ArtifactFile: full validation), loads its
  /// kernel objects on the device and plans every entry's memory.
  static Expected<Module> load(const Device &device, const std::string &path);
  /// The same from bytes in memory (copied).
  static Expected<Module> loadFromMemory(const Device &device, const void *data,
                                         size_t size);
  static Expected<Module> loadFromMemory(const Device &device,
                                         std::vector<uint8_t> bytes);

  Module(Module &&other) noexcept;
  Module &operator=(Module &&other) noexcept;
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  ~Module();

  /// Entry function names, in artifact order.
  std::vector<std::string> functions() const;
  /// NotFound (listing the available functions) for an unknown name.
  Expected<FunctionSignature> signature(const std::string &function) const;
  /// The static memory plan. Also returns the schedule's error if the
  /// entry's commands misuse buffers (use after free, out of range, ...).
  Expected<MemoryPlan> memoryPlan(const std::string &function) const;
  /// memoryPlan(function)->peakBytes.
  Expected<uint64_t> peakBytes(const std::string &function) const;

  /// Runs `function` on `inputs` and returns its outputs (owned, 64-byte
  /// aligned tensors). Inputs must match the signature exactly (count,
  /// dtype, rank, dims) and be non-null (unless empty); they are only read
  /// (an input not aligned to its element size is copied first). Errors
  /// name the input and give the expected and actual types. Output
  /// allocations start zeroed; intermediate (arena) allocations have
  /// unspecified contents, as device memory would.
  Expected<std::vector<HostTensor>>
  invoke(const std::string &function,
         const std::vector<TensorView> &inputs) const;
  Expected<std::vector<HostTensor>>
  invoke(const std::string &function, const std::vector<TensorView> &inputs,
         const InvokeOptions &options) const;

  /// Runs `function` on caller-provided buffers of the module's device:
  /// host memory on "cpu", device memory of that GPU on "cuda:N"
  /// (TensorView::data is then the device address). Inputs are read in
  /// place; every output is written into `outputs[i]`, which must match the
  /// signature's outputs exactly (count, dtype, rank, dims) and overlap no
  /// other output and no input. No host copy is made: on a GPU the call
  /// queues the schedule on the device's stream after any work queued on
  /// the legacy default stream, and returns when it is done. Errors
  /// (InvalidArgument) name the buffer: wrong dtype or shape, null data, a
  /// GPU address that is host memory, another GPU's or too short.
  Status invokeWithBuffers(const std::string &function,
                           const std::vector<TensorView> &inputs,
                           const std::vector<TensorView> &outputs,
                           const InvokeOptions &options = {}) const;

  /// Times `function` on `inputs`: `warmup` untimed runs, then `iterations`
  /// timed ones; returns each timed run's milliseconds. On a CUDA device the
  /// inputs are uploaded once and stay resident, the runs are queued back to
  /// back and timed with events between them (device time of the schedule's
  /// launches and copies, no host transfers). On the CPU each run is a whole
  /// invoke() timed by the wall clock. `options.graphs` as for invoke.
  Expected<std::vector<double>> time(const std::string &function,
                                     const std::vector<TensorView> &inputs,
                                     int warmup, int iterations) const;
  Expected<std::vector<double>> time(const std::string &function,
                                     const std::vector<TensorView> &inputs,
                                     int warmup, int iterations,
                                     const InvokeOptions &options) const;

  /// How the GPU runs of `function` went so far (all zero on the CPU and
  /// before the first GPU run).
  Expected<ExecutionStats> executionStats(const std::string &function) const;

  /// The artifact's compiler version string ("ssmc 0.1.0").
  std::string compilerVersion() const;
  /// What the module declares (as ModuleInfo::read gives it).
  const ModuleInfo &info() const;
  /// info().model: the model description, absent for modules compiled
  /// from IR.
  const std::optional<ModelInfo> &modelInfo() const;
  /// The path it was loaded from ("" for loadFromMemory).
  const std::string &path() const;
  const Device &device() const;

private:
  explicit Module(std::unique_ptr<detail::ModuleState> state);
  std::unique_ptr<detail::ModuleState> state_;
};

} // namespace ssmrt

#endif // SSMRT_API_H
