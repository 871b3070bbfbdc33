//===- cuda.h - the CUDA driver: dlopen'd libcuda, device, modules -*- C++
//-*-===//
//
// Driver API only, loaded at run time (libcuda.so.1, then libcuda.so), so the
// runtime builds and runs without the CUDA toolkit; a missing library or GPU
// is an Unavailable status, never a crash. Instance::openDevice("cuda[:N]")
// opens one when the runtime is built with SSM_ENABLE_CUDA; Module then runs
// Nvptx/Ptx kernel objects through it (src/drivers/cuda/cuda_executor.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_DRIVERS_CUDA_H
#define SSMRT_DRIVERS_CUDA_H

#include "ssmrt/status.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ssmrt::cuda {

struct Symbols;

/// The loaded driver library (shared by every device opened from it).
class Driver {
public:
  /// Loads libcuda and initializes it. Unavailable (with the dlerror or CUDA
  /// error text) when there is no driver or no device.
  static Expected<std::shared_ptr<Driver>> load();
  ~Driver();

  int deviceCount() const { return deviceCount_; }
  int version() const { return version_; }
  const Symbols &symbols() const { return *symbols_; }
  /// Ok for CUDA_SUCCESS, else `what` with the driver's error string.
  Status check(int result, const char *what) const;

private:
  Driver() = default;
  void *library_ = nullptr;
  std::unique_ptr<Symbols> symbols_;
  int deviceCount_ = 0;
  int version_ = 0;
};

/// A loaded PTX / cubin module.
class ModuleHandle;

/// One GPU through its primary context, with one stream.
class Device {
public:
  static Expected<std::unique_ptr<Device>> open(std::shared_ptr<Driver> driver,
                                                int ordinal);
  ~Device();

  const std::string &name() const { return name_; }
  /// "sm_90" for compute capability 9.0.
  const std::string &chip() const { return chip_; }

  Expected<uint64_t> allocate(size_t bytes);
  Status free(uint64_t pointer);
  Status upload(uint64_t dst, const void *src, size_t bytes);
  Status download(void *dst, uint64_t src, size_t bytes);

  /// Loads PTX text (NUL-terminated) or a cubin; the driver JIT-compiles PTX
  /// for this GPU. Returns a module index for launch().
  Expected<int> loadModule(const std::string &image);
  /// The kernel `kernel` of a loaded module (NotFound if absent); the handle
  /// lives as long as the module.
  Expected<void *> function(int module, const std::string &kernel);
  /// Lets `function` launch with up to `bytes` of dynamic shared memory
  /// (needed above 48 KiB).
  Status setMaxDynamicSharedMemory(void *function, unsigned bytes);
  /// Launches a kernel from function() on the device's stream.
  Status launchFunction(void *function, std::array<unsigned, 3> grid,
                        std::array<unsigned, 3> block, unsigned sharedBytes,
                        void **args);
  /// Stream-ordered copy and byte fill on the device's stream.
  Status copyAsync(uint64_t dst, uint64_t src, size_t bytes);
  Status fillAsync(uint64_t dst, uint8_t value, size_t bytes);
  /// Events on the device's stream, for timing: create, record, elapsed
  /// milliseconds between two recorded events (waits for the second).
  Expected<void *> createEvent();
  Status destroyEvent(void *event);
  Status recordEvent(void *event);
  Expected<float> elapsedMs(void *start, void *end);
  /// Launches `kernel` of a loaded module on the device's stream. `args`
  /// point at the argument values, as cuLaunchKernel takes them.
  Status launch(int module, const std::string &kernel,
                std::array<unsigned, 3> grid, std::array<unsigned, 3> block,
                unsigned sharedBytes, std::vector<void *> args);
  Status synchronize();

private:
  Device() = default;
  Status makeCurrent();

  std::shared_ptr<Driver> driver_;
  int device_ = 0;
  void *context_ = nullptr;
  void *stream_ = nullptr;
  std::vector<void *> modules_;
  std::string name_, chip_;
};

} // namespace ssmrt::cuda

#endif // SSMRT_DRIVERS_CUDA_H
