//===- hip_driver.cpp - dlopen'd HIP module API -----------------------===//

#include "ssmrt/drivers/hip.h"

#include "../../core/strings.h"
#include "../gpu/dynamic_library.h"

namespace ssmrt::hip {

using detail::strCat;

// Our own minimal declarations (no ROCm SDK needed to build).
using hipError_t = int;
using hipStream_t = struct ihipStream_t *;
using hipModule_t = struct ihipModule_t *;
using hipFunction_t = struct ihipModuleSymbol_t *;
using hipEvent_t = struct ihipEvent_t *;
constexpr hipError_t hipSuccess = 0;
/// AMD GPUs (gfx9 CDNA included) have 64 KiB of LDS per workgroup.
constexpr unsigned kMaxSharedBytes = 64 * 1024;

struct Symbols {
#define SSMRT_HIP_SYMBOL(symbol, member, ret, ...)                             \
  ret (*member)(__VA_ARGS__) = nullptr;
#include "hip_symbols.inc"
#undef SSMRT_HIP_SYMBOL
};

Status Driver::check(int result, const char *what) const {
  if (result == hipSuccess)
    return okStatus();
  const char *text = symbols_ && symbols_->getErrorString
                         ? symbols_->getErrorString(result)
                         : nullptr;
  return gpu::apiError("HIP", what, result, text);
}

Expected<std::shared_ptr<Driver>> Driver::load() {
  std::shared_ptr<Driver> driver(new Driver());
  SSMRT_ASSIGN_OR_RETURN(
      gpu::OpenedLibrary library,
      gpu::openLibrary(
          {"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5"},
          "device 'hip' is not available: cannot load the HIP runtime"));
  driver->library_ = library.handle;
  driver->symbols_ = std::make_unique<Symbols>();
#define SSMRT_HIP_SYMBOL(symbol, member, ret, ...)                             \
  if (!gpu::resolveSymbol(driver->library_, symbol, driver->symbols_->member)) \
    return unavailableError(strCat("the HIP runtime lacks ", symbol));
#include "hip_symbols.inc"
#undef SSMRT_HIP_SYMBOL
  Status init = driver->check(driver->symbols_->init(0), "hipInit");
  if (!init.ok())
    return unavailableError(
        strCat("device 'hip' is not available: ", init.message()));
  Status count =
      driver->check(driver->symbols_->getDeviceCount(&driver->deviceCount_),
                    "hipGetDeviceCount");
  if (!count.ok())
    return unavailableError(
        strCat("device 'hip' is not available: ", count.message()));
  if (driver->deviceCount_ == 0)
    return unavailableError(
        "device 'hip' is not available: the runtime sees no AMD GPU");
  return driver;
}

// The HIP library stays loaded for the life of the process (see
// gpu::openLibrary).
Driver::~Driver() = default;

Expected<std::unique_ptr<Device>> Device::open(std::shared_ptr<Driver> driver,
                                               int ordinal) {
  if (ordinal < 0 || ordinal >= driver->deviceCount())
    return unavailableError(strCat(
        "device 'hip:", ordinal, "' is not available: ", driver->deviceCount(),
        " GPU(s) present"));
  std::unique_ptr<Device> device(new Device());
  device->driver_ = driver;
  device->ordinal_ = ordinal;
  SSMRT_RETURN_IF_ERROR(device->makeCurrent());
  char name[256] = {};
  SSMRT_RETURN_IF_ERROR(driver->check(
      driver->symbols().deviceGetName(name, sizeof name - 1, ordinal),
      "hipDeviceGetName"));
  device->name_ = name;
  hipStream_t stream = nullptr;
  SSMRT_RETURN_IF_ERROR(driver->check(driver->symbols().streamCreate(&stream),
                                      "hipStreamCreate"));
  device->stream_ = stream;
  return device;
}

Device::~Device() {
  if (!driver_)
    return;
  const Symbols &hip = driver_->symbols();
  hip.setDevice(ordinal_);
  for (void *module : modules_)
    hip.moduleUnload(static_cast<hipModule_t>(module));
  if (stream_)
    hip.streamDestroy(static_cast<hipStream_t>(stream_));
}

Status Device::makeCurrent() {
  return driver_->check(driver_->symbols().setDevice(ordinal_), "hipSetDevice");
}

Expected<uint64_t> Device::allocate(size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  void *pointer = nullptr;
  SSMRT_RETURN_IF_ERROR(driver_->check(
      driver_->symbols().malloc(&pointer, bytes ? bytes : 1), "hipMalloc"));
  return reinterpret_cast<uint64_t>(pointer);
}

Status Device::free(uint64_t pointer) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().free(reinterpret_cast<void *>(pointer)), "hipFree");
}

Status Device::upload(uint64_t dst, const void *src, size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().memcpyHtoD(reinterpret_cast<void *>(dst), src, bytes),
      "hipMemcpyHtoD");
}

Status Device::download(void *dst, uint64_t src, size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().memcpyDtoH(dst, reinterpret_cast<void *>(src), bytes),
      "hipMemcpyDtoH");
}

Expected<int> Device::loadModule(const std::string &image) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  hipModule_t module = nullptr;
  SSMRT_RETURN_IF_ERROR(
      driver_->check(driver_->symbols().moduleLoadData(&module, image.data()),
                     "hipModuleLoadData"));
  modules_.push_back(module);
  return int(modules_.size() - 1);
}

Expected<void *> Device::function(int module, const std::string &kernel) {
  if (module < 0 || size_t(module) >= modules_.size())
    return invalidArgumentError(strCat("no loaded HIP module #", module));
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  hipFunction_t function = nullptr;
  Status found = driver_->check(
      driver_->symbols().moduleGetFunction(
          &function, static_cast<hipModule_t>(modules_[module]),
          kernel.c_str()),
      "hipModuleGetFunction");
  if (!found.ok())
    return notFoundError(
        strCat("HIP kernel '", kernel, "': ", found.message()));
  return static_cast<void *>(function);
}

Status Device::setMaxDynamicSharedMemory(void *function, unsigned bytes) {
  (void)function;
  if (bytes > kMaxSharedBytes)
    return invalidArgumentError(
        strCat(bytes, " bytes of dynamic shared memory exceed the ",
               kMaxSharedBytes, " bytes of LDS an AMD GPU workgroup has"));
  return okStatus();
}

Status Device::launchFunction(void *function, std::array<unsigned, 3> grid,
                              std::array<unsigned, 3> block,
                              unsigned sharedBytes, void **args) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().moduleLaunchKernel(
          static_cast<hipFunction_t>(function), grid[0], grid[1], grid[2],
          block[0], block[1], block[2], sharedBytes,
          static_cast<hipStream_t>(stream_), args, nullptr),
      "hipModuleLaunchKernel");
}

Status Device::copyAsync(uint64_t dst, uint64_t src, size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(driver_->symbols().memcpyDtoDAsync(
                            reinterpret_cast<void *>(dst),
                            reinterpret_cast<void *>(src), bytes,
                            static_cast<hipStream_t>(stream_)),
                        "hipMemcpyDtoDAsync");
}

Status Device::fillAsync(uint64_t dst, uint8_t value, size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(driver_->symbols().memsetD8Async(
                            reinterpret_cast<void *>(dst), value, bytes,
                            static_cast<hipStream_t>(stream_)),
                        "hipMemsetD8Async");
}

Expected<void *> Device::createEvent() {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  hipEvent_t event = nullptr;
  SSMRT_RETURN_IF_ERROR(driver_->check(driver_->symbols().eventCreate(&event),
                                       "hipEventCreate"));
  return static_cast<void *>(event);
}

Status Device::destroyEvent(void *event) {
  return driver_->check(
      driver_->symbols().eventDestroy(static_cast<hipEvent_t>(event)),
      "hipEventDestroy");
}

Status Device::recordEvent(void *event) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().eventRecord(static_cast<hipEvent_t>(event),
                                     static_cast<hipStream_t>(stream_)),
      "hipEventRecord");
}

Expected<float> Device::elapsedMs(void *start, void *end) {
  const Symbols &hip = driver_->symbols();
  SSMRT_RETURN_IF_ERROR(driver_->check(
      hip.eventSynchronize(static_cast<hipEvent_t>(end)),
      "hipEventSynchronize"));
  float ms = 0;
  SSMRT_RETURN_IF_ERROR(driver_->check(
      hip.eventElapsedTime(&ms, static_cast<hipEvent_t>(start),
                           static_cast<hipEvent_t>(end)),
      "hipEventElapsedTime"));
  return ms;
}

Status Device::synchronize() {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().streamSynchronize(static_cast<hipStream_t>(stream_)),
      "hipStreamSynchronize");
}

} // namespace ssmrt::hip
