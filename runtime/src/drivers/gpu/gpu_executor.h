//===- gpu_executor.h - Running schedules on a GPU (private) ----*- C++ -*-===//
//
// Part of the ssmc project. One executor for every GPU driver behind
// gpu::Device (CUDA, HIP). A module loaded on a GPU device keeps its kernel
// objects loaded (Nvptx PTX/cubin on NVIDIA, Amdgpu HSACO on AMD) and its
// constants uploaded once. Each entry runs out of one device allocation laid
// out from its static memory plan (staged inputs | arena | outputs), made on
// first use and reused by later invocations. The command walk is the host
// executor's (detail::ScheduleWalker): Alloc is an offset into the workspace,
// BindInput the input's staged copy, Copy/UploadConstant a stream-ordered
// device copy, Launch a kernel launch with the command's grid and the kernel's
// block dims and dynamic shared memory (GpuRunner::launch: the one place a
// launch happens), Return records the device address the caller's HostTensor
// is downloaded from.
//
// Graphs: on a device that supports them (CUDA) a run goes through
// runSchedule, which keys it by the addresses it binds (inputs, caller
// output buffers) and the output fill: the first run with a key queues the
// launches one by one (a warm-up: libraries load, lazy modules resolve), the
// second captures the same stream work into a graph and launches it, later
// ones replay the graph. A run that cannot be captured (a call the driver
// refuses during capture) runs plainly, and its key is never tried again;
// after two failed captures the entry stops capturing.
// SSMRT_CUDA_GRAPHS=0 (or InvokeOptions::graphs) turns graphs off.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SRC_DRIVERS_GPU_GPU_EXECUTOR_H
#define SSMRT_SRC_DRIVERS_GPU_GPU_EXECUTOR_H

#include "../../core/executor.h"

#include "ssmrt/drivers/gpu.h"
#include "ssmrt/format/reader.h"

#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ssmrt::gpu {

/// One device allocation, freed on destruction. Move-only.
class DeviceMemory {
public:
  DeviceMemory() = default;
  static Expected<DeviceMemory> allocate(std::shared_ptr<Device> device,
                                         uint64_t bytes);
  DeviceMemory(DeviceMemory &&other) noexcept;
  DeviceMemory &operator=(DeviceMemory &&other) noexcept;
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;
  ~DeviceMemory();

  uint64_t pointer() const { return pointer_; }
  uint64_t size() const { return size_; }

private:
  void reset();
  std::shared_ptr<Device> device_;
  uint64_t pointer_ = 0;
  uint64_t size_ = 0;
};

/// The kernel-object target a device runs: Nvptx on NVIDIA, Amdgpu on AMD.
format::TargetKind targetOf(const Device &device);

/// The kernels and constants of a module on one GPU.
struct GpuExecutable {
  struct Kernel {
    std::string name;
    void *function = nullptr;
    std::array<unsigned, 3> block = {1, 1, 1};
    unsigned sharedBytes = 0;
  };
  std::shared_ptr<Device> device;
  std::vector<Kernel> kernels;         // per KernelMetadata record
  std::vector<DeviceMemory> constants; // per Constant record
  /// Launches a vendor library may replace (LibraryCalls records), by
  /// Schedule command index.
  std::unordered_map<uint32_t, format::LibraryCallInfo> libraryCalls;
  /// SSMRT_GEMM: auto (the library where the device has one and it can run
  /// the call, else the compiler's kernel), library (an error where it
  /// cannot), fallback (always the compiler's kernel).
  enum class GemmMode { Auto, Library, Fallback };
  GemmMode gemmMode = GemmMode::Auto;
  /// SSMRT_CUDA_GRAPHS: 1/on/true (the default) or 0/off/false: whether runs
  /// on a device with graphs use them unless the invoke says otherwise.
  bool graphs = true;

  /// Loads every kernel object (all must be for the device's target:
  /// targetOf) and resolves every kernel; uploads the constants.
  static Expected<GpuExecutable>
  load(const format::ArtifactView &view, std::shared_ptr<Device> device,
       const std::vector<format::ConstantInfo> &constants);
};

/// An instantiated graph of a device, destroyed with it. Move-only.
class GraphExec {
public:
  GraphExec() = default;
  GraphExec(std::shared_ptr<Device> device, void *graph)
      : device_(std::move(device)), graph_(graph) {}
  GraphExec(GraphExec &&other) noexcept;
  GraphExec &operator=(GraphExec &&other) noexcept;
  GraphExec(const GraphExec &) = delete;
  GraphExec &operator=(const GraphExec &) = delete;
  ~GraphExec();

  void *get() const { return graph_; }

private:
  void reset();
  std::shared_ptr<Device> device_;
  void *graph_ = nullptr;
};

/// What one run binds: the device address of every input, and per output
/// the caller's buffer (0: the output stays in the workspace, to be
/// downloaded).
struct RunBindings {
  std::vector<uint64_t> inputs;
  std::vector<uint64_t> outputs;
};

/// The device storage of one entry (see the file comment), and the graphs
/// recorded over it.
struct GpuWorkspace {
  DeviceMemory memory;
  std::vector<uint64_t> inputOffsets; // per input
  uint64_t arenaOffset = 0;
  std::vector<uint64_t> allocationOffsets; // per allocation (absolute offset)

  /// A run's identity for graphs: the addresses it binds and its fill.
  struct GraphKey {
    std::vector<uint64_t> addresses;
    int fill = -1;
    bool operator==(const GraphKey &other) const {
      return fill == other.fill && addresses == other.addresses;
    }
  };
  struct Graph {
    GraphKey key;
    GraphExec exec;                 // empty: the key cannot be captured
    std::vector<uint64_t> returned; // the walk's returned(out) addresses
    uint64_t lastUse = 0;
  };
  /// Keys run once (capture on the second run), most recent last.
  std::vector<GraphKey> seen;
  /// Recorded graphs (at most kMaxGraphs live ones, least recently used
  /// dropped first) and keys that failed to capture.
  std::vector<Graph> graphs;
  uint64_t clock = 0;
  ExecutionStats stats;
  /// The caller buffers of the last executeWithBuffers whose addresses were
  /// checked (Device::checkDeviceRange); the same addresses again are not.
  std::vector<uint64_t> checkedInputs, checkedOutputs;

  static Expected<GpuWorkspace> create(const detail::EntryPlan &plan,
                                       std::shared_ptr<Device> device);
};

/// Whether a run uses graphs: `mode` over the executable's default.
bool useGraphs(const GpuExecutable &executable, InvokeOptions::Graphs mode);

/// Queues one run of the schedule over `bindings` (see GpuRunner), through
/// a graph where `graphs` and the device allow (see the file comment), and
/// returns where the schedule left each output. `fill`: -1 leaves output
/// allocations as they are, else their starting byte value.
Expected<std::vector<uint64_t>> runSchedule(const detail::EntryPlan &plan,
                                            GpuExecutable &executable,
                                            GpuWorkspace &workspace,
                                            const RunBindings &bindings,
                                            int fill, bool graphs);

/// Uploads `inputs`, runs the schedule and downloads the outputs. With
/// `poisonOutputs` the output allocations start as 0xFF bytes (NaN for
/// floats) instead of zeros.
Expected<std::vector<HostTensor>>
executeEntry(const detail::EntryPlan &plan, GpuExecutable &executable,
             GpuWorkspace &workspace, const std::vector<TensorView> &inputs,
             bool poisonOutputs, bool graphs = false);

/// Runs the schedule on caller buffers in device memory (inputs read in
/// place, outputs written in place; TensorView::data holds the device
/// address), already validated against the signature, and waits for it.
/// Each non-empty buffer must be memory of this device
/// (Device::checkDeviceRange).
Status executeWithBuffers(const detail::EntryPlan &plan,
                          GpuExecutable &executable, GpuWorkspace &workspace,
                          const std::vector<TensorView> &inputs,
                          const std::vector<TensorView> &outputs,
                          bool poisonOutputs, bool graphs);

/// Uploads `inputs` once, then runs the schedule `warmup` + `iterations`
/// times back to back with the inputs resident; returns the device time of
/// each timed run in ms (device events between runs).
Expected<std::vector<double>>
timeEntry(const detail::EntryPlan &plan, GpuExecutable &executable,
          GpuWorkspace &workspace, const std::vector<TensorView> &inputs,
          int warmup, int iterations, bool graphs = false);

} // namespace ssmrt::gpu

#endif // SSMRT_SRC_DRIVERS_GPU_GPU_EXECUTOR_H
