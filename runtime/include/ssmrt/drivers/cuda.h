//===- cuda.h - the CUDA driver: dlopen'd libcuda, device, modules -*- C++
//-*-===//
//
// Driver API only, loaded at run time (libcuda.so.1, then libcuda.so), so the
// runtime builds and runs without the CUDA toolkit; a missing library or GPU
// is an Unavailable status, never a crash. Instance::openDevice("cuda[:N]")
// opens one when the runtime is built with SSM_ENABLE_CUDA; Module then runs
// Nvptx kernel objects (PTX or cubin) through the GPU executor
// (src/drivers/gpu/gpu_executor.cpp), which sees it as a gpu::Device.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_DRIVERS_CUDA_H
#define SSMRT_DRIVERS_CUDA_H

#include "ssmrt/drivers/gpu.h"
#include "ssmrt/status.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ssmrt::cuda {

struct Symbols;
class CublasLt;

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
class Device final : public gpu::Device {
public:
  static Expected<std::unique_ptr<Device>> open(std::shared_ptr<Driver> driver,
                                                int ordinal);
  ~Device() override;

  gpu::Vendor vendor() const override { return gpu::Vendor::Nvidia; }
  const char *api() const override { return "CUDA"; }
  const std::string &name() const override { return name_; }
  /// "sm_90" for compute capability 9.0.
  const std::string &chip() const override { return chip_; }

  Expected<uint64_t> allocate(size_t bytes) override;
  Status free(uint64_t pointer) override;
  Status upload(uint64_t dst, const void *src, size_t bytes) override;
  Status download(void *dst, uint64_t src, size_t bytes) override;

  /// Loads PTX text (NUL-terminated) or a cubin; the driver JIT-compiles PTX
  /// for this GPU.
  Expected<int> loadModule(const std::string &image) override;
  Expected<void *> function(int module, const std::string &kernel) override;
  /// Needed above 48 KiB (cuFuncSetAttribute).
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
  /// cuPointerGetAttribute + cuMemGetAddressRange: device memory of this
  /// GPU, inside one allocation.
  Status checkDeviceRange(uint64_t address, uint64_t bytes) override;

  /// CUDA graphs through the driver API: the capture runs on a stream of its
  /// own (non-blocking, thread-local capture mode), the graph is
  /// instantiated with cuGraphInstantiateWithFlags and launched on the
  /// device's stream.
  bool supportsGraphs() const override;
  Status beginCapture() override;
  Expected<void *> endCapture() override;
  Status launchGraph(void *graph) override;
  void destroyGraph(void *graph) override;

  /// cuBLASLt (dlopened on first use, runtime/src/drivers/cuda/cublaslt.*).
  Expected<bool> libraryGemm(const format::LibraryCallInfo &call, uint64_t a,
                             uint64_t b, uint64_t c, uint64_t bias) override;

private:
  Device() = default;
  Status makeCurrent();
  /// Where stream work goes: the capture stream while capturing.
  void *activeStream() const;
  /// Drops cuBLASLt and its workspace (before the context goes).
  void releaseLibraries();

  std::shared_ptr<Driver> driver_;
  int device_ = 0;
  void *context_ = nullptr;
  void *stream_ = nullptr;
  void *captureStream_ = nullptr;
  bool capturing_ = false;
  int ordinal_ = 0;
  std::vector<void *> modules_;
  std::string name_, chip_;
  std::unique_ptr<CublasLt> cublasLt_;
  bool cublasLtTried_ = false;
  uint64_t cublasLtWorkspace_ = 0;
};

} // namespace ssmrt::cuda

#endif // SSMRT_DRIVERS_CUDA_H
