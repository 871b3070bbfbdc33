//===- gpu.h - the interface every GPU driver implements ---------*- C++
//-*-===//
//
// Part of the ssmc project. The GPU executor (src/drivers/gpu/gpu_executor.*)
// runs .ssmb schedules on any device behind this interface; the CUDA driver
// (cuda.h, libcuda) and the HIP driver (hip.h, libamdhip64) each supply only
// their API calls. One device = one GPU with one stream: every *Async call and
// every launch is ordered on that stream; upload/download are synchronous.
// Device addresses are plain 64-bit integers. Every failure is a Status.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_DRIVERS_GPU_H
#define SSMRT_DRIVERS_GPU_H

#include "ssmrt/status.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt::format {
struct LibraryCallInfo;
} // namespace ssmrt::format

namespace ssmrt::gpu {

/// Whose GPUs a driver runs (decides which kernel objects it can load).
enum class Vendor { Nvidia, Amd };

class Device {
public:
  virtual ~Device();

  virtual Vendor vendor() const = 0;
  /// The API's name for messages: "CUDA" or "HIP".
  virtual const char *api() const = 0;
  /// The GPU's marketing name.
  virtual const std::string &name() const = 0;
  /// The compilation target: "sm_90", "gfx942" ("" when the API does not
  /// say).
  virtual const std::string &chip() const = 0;

  virtual Expected<uint64_t> allocate(size_t bytes) = 0;
  virtual Status free(uint64_t pointer) = 0;
  /// Synchronous copies between host and device memory.
  virtual Status upload(uint64_t dst, const void *src, size_t bytes) = 0;
  virtual Status download(void *dst, uint64_t src, size_t bytes) = 0;

  /// Loads a kernel object (PTX text or a cubin on CUDA, an HSACO code object
  /// on HIP); returns a module index for function().
  virtual Expected<int> loadModule(const std::string &image) = 0;
  /// The kernel `kernel` of a loaded module (NotFound if absent); the handle
  /// lives as long as the device.
  virtual Expected<void *> function(int module, const std::string &kernel) = 0;
  /// Lets `function` launch with `bytes` of dynamic shared memory (CUDA needs
  /// an opt-in above 48 KiB; an error where the GPU has less).
  virtual Status setMaxDynamicSharedMemory(void *function, unsigned bytes) = 0;
  /// Launches on the device's stream; `args[i]` points at argument i's value.
  virtual Status launchFunction(void *function, std::array<unsigned, 3> grid,
                                std::array<unsigned, 3> block,
                                unsigned sharedBytes, void **args) = 0;
  /// function() + launchFunction() in one call; `args` point at the argument
  /// values, as cuLaunchKernel / hipModuleLaunchKernel take them.
  Status launch(int module, const std::string &kernel,
                std::array<unsigned, 3> grid, std::array<unsigned, 3> block,
                unsigned sharedBytes, std::vector<void *> args);

  /// Stream-ordered device-to-device copy and byte fill.
  virtual Status copyAsync(uint64_t dst, uint64_t src, size_t bytes) = 0;
  virtual Status fillAsync(uint64_t dst, uint8_t value, size_t bytes) = 0;

  /// Events on the device's stream, for timing: create, record, elapsed
  /// milliseconds between two recorded events (waits for the second).
  virtual Expected<void *> createEvent() = 0;
  virtual Status destroyEvent(void *event) = 0;
  virtual Status recordEvent(void *event) = 0;
  virtual Expected<float> elapsedMs(void *start, void *end) = 0;

  /// Waits for everything queued on the device's stream.
  virtual Status synchronize() = 0;

  /// Ok where [address, address + bytes) lies in one allocation of this
  /// device's memory (what kernels may read and write); InvalidArgument
  /// saying what the address is otherwise (host memory, another GPU, past
  /// the allocation's end). The default accepts every range (a driver that
  /// cannot tell).
  virtual Status checkDeviceRange(uint64_t address, uint64_t bytes) {
    (void)address, (void)bytes;
    return okStatus();
  }

  /// Graphs (CUDA graphs): between beginCapture() and endCapture() the work
  /// the device would queue on its stream (launches, *Async copies and
  /// fills, libraryGemm) is recorded instead of run; endCapture() turns it
  /// into an executable graph that launchGraph() queues on the stream as one
  /// unit, as often as wanted, with the same arguments and addresses. A
  /// driver without graphs keeps the defaults (supportsGraphs() false).
  virtual bool supportsGraphs() const { return false; }
  virtual Status beginCapture() {
    return unimplementedError(strCatApi("graph capture"));
  }
  /// Ends the capture (the device always leaves capture mode) and
  /// instantiates it; an error where a call in between failed or could not
  /// be captured (nothing of it has run).
  virtual Expected<void *> endCapture() {
    return unimplementedError(strCatApi("graph capture"));
  }
  virtual Status launchGraph(void *graph) {
    (void)graph;
    return unimplementedError(strCatApi("graphs"));
  }
  virtual void destroyGraph(void *graph) { (void)graph; }

  /// Queues the GEMM `call` through the vendor's library (cuBLASLt) on the
  /// stream; operands are device addresses whose extents the executor
  /// checked. False (nothing queued) where the device has no library or the
  /// library cannot compute this call exactly: the executor then launches
  /// the compiler's kernel.
  virtual Expected<bool> libraryGemm(const format::LibraryCallInfo &call,
                                     uint64_t a, uint64_t b, uint64_t c,
                                     uint64_t bias) {
    (void)call, (void)a, (void)b, (void)c, (void)bias;
    return false;
  }

private:
  std::string strCatApi(const char *what) const {
    return std::string(api()) + " device '" + name() + "' has no " + what;
  }
};

} // namespace ssmrt::gpu

#endif // SSMRT_DRIVERS_GPU_H
