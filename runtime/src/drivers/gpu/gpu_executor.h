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
  std::vector<Kernel> kernels;          // per KernelMetadata record
  std::vector<DeviceMemory> constants;  // per Constant record
  /// Launches a vendor library may replace (LibraryCalls records), by
  /// Schedule command index.
  std::unordered_map<uint32_t, format::LibraryCallInfo> libraryCalls;
  /// SSMRT_GEMM: auto (the library where the device has one and it can run
  /// the call, else the compiler's kernel), library (an error where it
  /// cannot), fallback (always the compiler's kernel).
  enum class GemmMode { Auto, Library, Fallback };
  GemmMode gemmMode = GemmMode::Auto;

  /// Loads every kernel object (all must be for the device's target:
  /// targetOf) and resolves every kernel; uploads the constants.
  static Expected<GpuExecutable>
  load(const format::ArtifactView &view, std::shared_ptr<Device> device,
       const std::vector<format::ConstantInfo> &constants);
};

/// The device storage of one entry (see the file comment).
struct GpuWorkspace {
  DeviceMemory memory;
  std::vector<uint64_t> inputOffsets;      // per input
  uint64_t arenaOffset = 0;
  std::vector<uint64_t> allocationOffsets; // per allocation (absolute offset)

  static Expected<GpuWorkspace> create(const detail::EntryPlan &plan,
                                       std::shared_ptr<Device> device);
};

/// Uploads `inputs`, runs the schedule and downloads the outputs. With
/// `poisonOutputs` the output allocations start as 0xFF bytes (NaN for
/// floats) instead of zeros.
Expected<std::vector<HostTensor>>
executeEntry(const detail::EntryPlan &plan, GpuExecutable &executable,
             GpuWorkspace &workspace, const std::vector<TensorView> &inputs,
             bool poisonOutputs);

/// Uploads `inputs` once, then runs the schedule `warmup` + `iterations`
/// times back to back with the inputs resident; returns the device time of
/// each timed run in ms (device events between runs).
Expected<std::vector<double>>
timeEntry(const detail::EntryPlan &plan, GpuExecutable &executable,
          GpuWorkspace &workspace, const std::vector<TensorView> &inputs,
          int warmup, int iterations);

} // namespace ssmrt::gpu

#endif // SSMRT_SRC_DRIVERS_GPU_GPU_EXECUTOR_H
