//===- hip.h - the HIP driver: dlopen'd libamdhip64, device, modules -*- C++
//-*-===//
//
// HIP module API only, loaded at run time (libamdhip64.so, then the versioned
// names), so the runtime builds without ROCm; a missing library or GPU is an
// Unavailable status. Not yet wired into Instance / Module (issue 5). Never
// run on an AMD GPU here: only its unavailable path is tested (against
// Debian's libamdhip64 on a machine without an AMD GPU).
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_DRIVERS_HIP_H
#define SSMRT_DRIVERS_HIP_H

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
class Device {
public:
  static Expected<std::unique_ptr<Device>> open(std::shared_ptr<Driver> driver,
                                                int ordinal);
  ~Device();

  const std::string &name() const { return name_; }
  Expected<uint64_t> allocate(size_t bytes);
  Status free(uint64_t pointer);
  Status upload(uint64_t dst, const void *src, size_t bytes);
  Status download(void *dst, uint64_t src, size_t bytes);
  /// Loads an HSACO code object; returns a module index for launch().
  Expected<int> loadModule(const std::string &image);
  Status launch(int module, const std::string &kernel,
                std::array<unsigned, 3> grid, std::array<unsigned, 3> block,
                unsigned sharedBytes, std::vector<void *> args);
  Status synchronize();

private:
  Device() = default;
  Status makeCurrent();

  std::shared_ptr<Driver> driver_;
  int ordinal_ = 0;
  void *stream_ = nullptr;
  std::vector<void *> modules_;
  std::string name_;
};

} // namespace ssmrt::hip

#endif // SSMRT_DRIVERS_HIP_H
