//===- cuda_executor.h - Running schedules on a CUDA device (private) -*- C++
//-*-===//
//
// Part of the ssmc project. A module loaded on a "cuda[:N]" device keeps its
// Nvptx kernel objects (PTX or cubin) loaded in the device's primary context
// and its constants uploaded once. Each entry runs out of one device
// allocation laid out from its static memory plan (staged inputs | arena |
// outputs), made on first use and reused by later invocations: Alloc is an
// offset into it, BindInput a host-to-device copy of the caller's tensor,
// Launch a cuLaunchKernel with the command's grid and the kernel's block
// dims, Return a device-to-host copy into the HostTensor outputs.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SRC_DRIVERS_CUDA_CUDA_EXECUTOR_H
#define SSMRT_SRC_DRIVERS_CUDA_CUDA_EXECUTOR_H

#include "../../core/executor.h"

#include "ssmrt/drivers/cuda.h"
#include "ssmrt/format/reader.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace ssmrt::cuda {

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

/// The kernels and constants of a module on one CUDA device.
struct CudaExecutable {
  struct Kernel {
    std::string name;
    void *function = nullptr;
    std::array<unsigned, 3> block = {1, 1, 1};
    unsigned sharedBytes = 0;
  };
  std::shared_ptr<Device> device;
  std::vector<Kernel> kernels;          // per KernelMetadata record
  std::vector<DeviceMemory> constants;  // per Constant record

  /// Loads every kernel object (all must be Nvptx: Ptx or Cubin) and
  /// resolves every kernel; uploads the constants.
  static Expected<CudaExecutable>
  load(const format::ArtifactView &view, std::shared_ptr<Device> device,
       const std::vector<format::ConstantInfo> &constants);
};

/// The device storage of one entry (see the file comment).
struct CudaWorkspace {
  DeviceMemory memory;
  std::vector<uint64_t> inputOffsets;      // per input
  uint64_t arenaOffset = 0;
  std::vector<uint64_t> allocationOffsets; // per allocation (absolute offset)

  static Expected<CudaWorkspace> create(const detail::EntryPlan &plan,
                                        std::shared_ptr<Device> device);
};

/// Uploads `inputs`, runs the schedule and downloads the outputs. With
/// `poisonOutputs` the output allocations start as 0xFF bytes (NaN for
/// floats) instead of zeros.
Expected<std::vector<HostTensor>>
executeEntry(const detail::EntryPlan &plan, CudaExecutable &executable,
             CudaWorkspace &workspace, const std::vector<TensorView> &inputs,
             bool poisonOutputs);

/// Uploads `inputs` once, then runs the schedule `warmup` + `iterations`
/// times back to back with the inputs resident; returns the device time of
/// each timed run in ms (CUDA events between runs).
Expected<std::vector<double>>
timeEntry(const detail::EntryPlan &plan, CudaExecutable &executable,
          CudaWorkspace &workspace, const std::vector<TensorView> &inputs,
          int warmup, int iterations);

} // namespace ssmrt::cuda

#endif // SSMRT_SRC_DRIVERS_CUDA_CUDA_EXECUTOR_H
