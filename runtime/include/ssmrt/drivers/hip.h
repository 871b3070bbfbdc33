//===- hip.h - the HIP driver: dlopen'd libamdhip64, device, modules -*- C++
//-*-===//
//
// HIP module API only, loaded at run time (libamdhip64.so, then the versioned
// names), so the runtime builds without ROCm; a missing library or GPU is an
// Unavailable status. Instance::openDevice("hip[:N]") opens one when the
// runtime is built with SSM_ENABLE_HIP; Module then runs Amdgpu/Hsaco kernel
// objects through the GPU executor (src/drivers/gpu/gpu_executor.cpp). Never
// run on an AMD GPU: no AMD GPU is lent to this project, so only its
// unavailable path is tested (against Debian's libamdhip64 on a machine
// without an AMD GPU).
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_DRIVERS_HIP_H
#define SSMRT_DRIVERS_HIP_H

#include "ssmrt/drivers/gpu.h"
#include "ssmrt/status.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ssmrt::hip {

struct Symbols;

class Driver {
public:
  /// Loads libamdhip64 and initializes it; Unavailable without a library or
  /// an AMD GPU.
  static Expected<std::shared_ptr<Driver>> load();
  ~Driver();

  int deviceCount() const { return deviceCount_; }
  const Symbols &symbols() const { return *symbols_; }
  Status check(int result, const char *what) const;

private:
  Driver() = default;
  void *library_ = nullptr;
  std::unique_ptr<Symbols> symbols_;
  int deviceCount_ = 0;
};

/// One AMD GPU with one stream.
class Device final : public gpu::Device {
public:
  static Expected<std::unique_ptr<Device>> open(std::shared_ptr<Driver> driver,
                                                int ordinal);
  ~Device() override;

  gpu::Vendor vendor() const override { return gpu::Vendor::Amd; }
  const char *api() const override { return "HIP"; }
  const std::string &name() const override { return name_; }
  /// Empty: the HIP module API has no stable way to ask for the gfx name
  /// (hipDeviceProp_t's layout differs between ROCm releases); a code object
  /// for another chip fails in loadModule with HIP's own error.
  const std::string &chip() const override { return chip_; }

  Expected<uint64_t> allocate(size_t bytes) override;
  Status free(uint64_t pointer) override;
  Status upload(uint64_t dst, const void *src, size_t bytes) override;
  Status download(void *dst, uint64_t src, size_t bytes) override;
  /// Loads an HSACO code object.
  Expected<int> loadModule(const std::string &image) override;
  Expected<void *> function(int module, const std::string &kernel) override;
  /// AMD GPUs have a fixed 64 KiB of LDS per workgroup; more is an error.
  Status setMaxDynamicSharedMemory(void *function, unsigned bytes) override;
  Status launchFunction(void *function, std::array<unsigned, 3> grid,
                        std::array<unsigned, 3> block, unsigned sharedBytes,
                        void **args) override;
  Status copyAsync(uint64_t dst, uint64_t src, size_t bytes) override;
  Status fillAsync(uint64_t dst, uint8_t value, size_t bytes) override;
  Expected<void *> createEvent() override;
  Status destroyEvent(void *event) override;
  Status recordEvent(void *event) override;
  Expected<float> elapsedMs(void *start, void *end) override;
  Status synchronize() override;

private:
  Device() = default;
  Status makeCurrent();

  std::shared_ptr<Driver> driver_;
  int ordinal_ = 0;
  void *stream_ = nullptr;
  std::vector<void *> modules_;
  std::string name_, chip_;
};

} // namespace ssmrt::hip

#endif // SSMRT_DRIVERS_HIP_H
