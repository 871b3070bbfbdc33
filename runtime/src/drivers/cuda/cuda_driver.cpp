//===- cuda_driver.cpp - dlopen'd CUDA driver API ---------------------===//

#include "ssmrt/drivers/cuda.h"

#include "cublaslt.h"
#include "cuda_decls.h"

#include "../../core/strings.h"
#include "../gpu/dynamic_library.h"

namespace ssmrt::cuda {

using detail::strCat;

/// The resolved entry points, one member per line of cuda_symbols.inc.
struct Symbols {
#define SSMRT_CU_SYMBOL(symbol, member, ret, ...)                              \
  ret (*member)(__VA_ARGS__) = nullptr;
#define SSMRT_CU_OPTIONAL_SYMBOL SSMRT_CU_SYMBOL
#include "cuda_symbols.inc"
#undef SSMRT_CU_OPTIONAL_SYMBOL
#undef SSMRT_CU_SYMBOL

  bool hasGraphs() const {
    return streamBeginCapture && streamEndCapture && graphInstantiate &&
           graphLaunch && graphExecDestroy && graphDestroy;
  }
};

Status Driver::check(int result, const char *what) const {
  if (result == CUDA_SUCCESS)
    return okStatus();
  const char *text = nullptr;
  if (symbols_ && symbols_->getErrorString)
    symbols_->getErrorString(result, &text);
  return gpu::apiError("CUDA", what, result, text);
}

Expected<std::shared_ptr<Driver>> Driver::load() {
  std::shared_ptr<Driver> driver(new Driver());
  SSMRT_ASSIGN_OR_RETURN(
      gpu::OpenedLibrary library,
      gpu::openLibrary(
          {"libcuda.so.1", "libcuda.so"},
          "device 'cuda' is not available: cannot load the CUDA driver"));
  driver->library_ = library.handle;
  driver->symbols_ = std::make_unique<Symbols>();
#define SSMRT_CU_SYMBOL(symbol, member, ret, ...)                              \
  if (!gpu::resolveSymbol(driver->library_, symbol, driver->symbols_->member)) \
    return unavailableError(                                                   \
        strCat("the CUDA driver lacks ", symbol, " (driver too old?)"));
#define SSMRT_CU_OPTIONAL_SYMBOL(symbol, member, ret, ...)                     \
  gpu::resolveSymbol(driver->library_, symbol, driver->symbols_->member);
#include "cuda_symbols.inc"
#undef SSMRT_CU_OPTIONAL_SYMBOL
#undef SSMRT_CU_SYMBOL
  SSMRT_RETURN_IF_ERROR(driver->check(driver->symbols_->init(0), "cuInit"));
  driver->symbols_->driverGetVersion(&driver->version_);
  SSMRT_RETURN_IF_ERROR(
      driver->check(driver->symbols_->deviceGetCount(&driver->deviceCount_),
                    "cuDeviceGetCount"));
  if (driver->deviceCount_ == 0)
    return unavailableError(
        "device 'cuda' is not available: the driver sees no GPU");
  return driver;
}

// The CUDA library stays loaded for the life of the process (see
// gpu::openLibrary).
Driver::~Driver() = default;

Expected<std::unique_ptr<Device>> Device::open(std::shared_ptr<Driver> driver,
                                               int ordinal) {
  if (ordinal < 0 || ordinal >= driver->deviceCount())
    return unavailableError(strCat(
        "device 'cuda:", ordinal, "' is not available: ", driver->deviceCount(),
        " GPU(s) present"));
  std::unique_ptr<Device> device(new Device());
  device->driver_ = driver;
  device->ordinal_ = ordinal;
  const Symbols &cu = driver->symbols();
  CUdevice handle = 0;
  SSMRT_RETURN_IF_ERROR(
      driver->check(cu.deviceGet(&handle, ordinal), "cuDeviceGet"));
  device->device_ = handle;
  char name[256] = {};
  SSMRT_RETURN_IF_ERROR(driver->check(
      cu.deviceGetName(name, sizeof name - 1, handle), "cuDeviceGetName"));
  device->name_ = name;
  int major = 0, minor = 0;
  SSMRT_RETURN_IF_ERROR(driver->check(
      cu.deviceGetAttribute(&major, kAttrComputeCapabilityMajor, handle),
      "cuDeviceGetAttribute"));
  SSMRT_RETURN_IF_ERROR(driver->check(
      cu.deviceGetAttribute(&minor, kAttrComputeCapabilityMinor, handle),
      "cuDeviceGetAttribute"));
  device->chip_ = strCat("sm_", major, minor);
  CUcontext context = nullptr;
  SSMRT_RETURN_IF_ERROR(driver->check(cu.primaryCtxRetain(&context, handle),
                                      "cuDevicePrimaryCtxRetain"));
  device->context_ = context;
  SSMRT_RETURN_IF_ERROR(device->makeCurrent());
  CUstream stream = nullptr;
  SSMRT_RETURN_IF_ERROR(
      driver->check(cu.streamCreate(&stream, 0), "cuStreamCreate"));
  device->stream_ = stream;
  return device;
}

Device::~Device() {
  if (!driver_)
    return;
  const Symbols &cu = driver_->symbols();
  if (context_)
    cu.ctxSetCurrent(static_cast<CUcontext>(context_));
  releaseLibraries();
  for (void *module : modules_)
    cu.moduleUnload(static_cast<CUmodule>(module));
  if (stream_)
    cu.streamDestroy(static_cast<CUstream>(stream_));
  if (captureStream_)
    cu.streamDestroy(static_cast<CUstream>(captureStream_));
  if (context_)
    cu.primaryCtxRelease(device_);
}

Status Device::makeCurrent() {
  return driver_->check(
      driver_->symbols().ctxSetCurrent(static_cast<CUcontext>(context_)),
      "cuCtxSetCurrent");
}

Expected<uint64_t> Device::allocate(size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  CUdeviceptr pointer = 0;
  SSMRT_RETURN_IF_ERROR(driver_->check(
      driver_->symbols().memAlloc(&pointer, bytes ? bytes : 1), "cuMemAlloc"));
  return uint64_t(pointer);
}

Status Device::free(uint64_t pointer) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(driver_->symbols().memFree(CUdeviceptr(pointer)),
                        "cuMemFree");
}

Status Device::upload(uint64_t dst, const void *src, size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().memcpyHtoD(CUdeviceptr(dst), src, bytes),
      "cuMemcpyHtoD");
}

Status Device::download(void *dst, uint64_t src, size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().memcpyDtoH(dst, CUdeviceptr(src), bytes),
      "cuMemcpyDtoH");
}

Expected<int> Device::loadModule(const std::string &image) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  CUmodule module = nullptr;
  SSMRT_RETURN_IF_ERROR(
      driver_->check(driver_->symbols().moduleLoadData(&module, image.c_str()),
                     "cuModuleLoadData"));
  modules_.push_back(module);
  return int(modules_.size() - 1);
}

Expected<void *> Device::function(int module, const std::string &kernel) {
  if (module < 0 || size_t(module) >= modules_.size())
    return invalidArgumentError(strCat("no loaded CUDA module #", module));
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  CUfunction function = nullptr;
  Status found = driver_->check(
      driver_->symbols().moduleGetFunction(
          &function, static_cast<CUmodule>(modules_[module]), kernel.c_str()),
      "cuModuleGetFunction");
  if (!found.ok())
    return notFoundError(
        strCat("CUDA kernel '", kernel, "': ", found.message()));
  return static_cast<void *>(function);
}

Status Device::setMaxDynamicSharedMemory(void *function, unsigned bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(driver_->symbols().funcSetAttribute(
                            static_cast<CUfunction>(function),
                            kFuncAttrMaxDynamicSharedSizeBytes, int(bytes)),
                        "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)");
}

Status Device::launchFunction(void *function, std::array<unsigned, 3> grid,
                              std::array<unsigned, 3> block,
                              unsigned sharedBytes, void **args) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(driver_->symbols().launchKernel(
                            static_cast<CUfunction>(function), grid[0], grid[1],
                            grid[2], block[0], block[1], block[2], sharedBytes,
                            static_cast<CUstream>(activeStream()), args,
                            nullptr),
                        "cuLaunchKernel");
}

Status Device::copyAsync(uint64_t dst, uint64_t src, size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(driver_->symbols().memcpyDtoDAsync(
                            CUdeviceptr(dst), CUdeviceptr(src), bytes,
                            static_cast<CUstream>(activeStream())),
                        "cuMemcpyDtoDAsync");
}

Status Device::fillAsync(uint64_t dst, uint8_t value, size_t bytes) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().memsetD8Async(CUdeviceptr(dst), value, bytes,
                                       static_cast<CUstream>(activeStream())),
      "cuMemsetD8Async");
}

Expected<void *> Device::createEvent() {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  CUevent event = nullptr;
  SSMRT_RETURN_IF_ERROR(driver_->check(
      driver_->symbols().eventCreate(&event, 0), "cuEventCreate"));
  return static_cast<void *>(event);
}

Status Device::destroyEvent(void *event) {
  return driver_->check(
      driver_->symbols().eventDestroy(static_cast<CUevent>(event)),
      "cuEventDestroy");
}

Status Device::recordEvent(void *event) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().eventRecord(static_cast<CUevent>(event),
                                     static_cast<CUstream>(stream_)),
      "cuEventRecord");
}

Expected<float> Device::elapsedMs(void *start, void *end) {
  const Symbols &cu = driver_->symbols();
  SSMRT_RETURN_IF_ERROR(driver_->check(
      cu.eventSynchronize(static_cast<CUevent>(end)), "cuEventSynchronize"));
  float ms = 0;
  SSMRT_RETURN_IF_ERROR(
      driver_->check(cu.eventElapsedTime(&ms, static_cast<CUevent>(start),
                                         static_cast<CUevent>(end)),
                     "cuEventElapsedTime"));
  return ms;
}

Status Device::synchronize() {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().streamSynchronize(static_cast<CUstream>(stream_)),
      "cuStreamSynchronize");
}

//===----------------------------------------------------------------------===//
// Address checks and graphs
//===----------------------------------------------------------------------===//

Status Device::checkDeviceRange(uint64_t address, uint64_t bytes) {
  const Symbols &cu = driver_->symbols();
  if (!cu.pointerGetAttribute)
    return okStatus(); // a driver that cannot tell
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  std::string where = strCat("address ", detail::Hex{address});
  unsigned memoryType = 0;
  if (cu.pointerGetAttribute(&memoryType, kPointerAttrMemoryType,
                             CUdeviceptr(address)) != CUDA_SUCCESS ||
      memoryType == kMemoryTypeHost)
    return invalidArgumentError(
        strCat(where,
               " is not CUDA device memory (host memory?): the buffers must "
               "be device memory of cuda:",
               ordinal_));
  if (memoryType != kMemoryTypeDevice && memoryType != kMemoryTypeUnified)
    return invalidArgumentError(
        strCat(where, " is CUDA memory of type ", memoryType,
               ", not device memory a kernel can address"));
  int ordinal = -1;
  if (cu.pointerGetAttribute(&ordinal, kPointerAttrDeviceOrdinal,
                             CUdeviceptr(address)) == CUDA_SUCCESS &&
      ordinal != ordinal_)
    return invalidArgumentError(strCat(where, " is memory of cuda:", ordinal,
                                       ", the module runs on cuda:", ordinal_));
  CUdeviceptr base = 0;
  size_t size = 0;
  if (cu.memGetAddressRange &&
      cu.memGetAddressRange(&base, &size, CUdeviceptr(address)) ==
          CUDA_SUCCESS &&
      (address - base > size || bytes > size - (address - base)))
    return invalidArgumentError(strCat(
        where, " + ", bytes, " bytes extends past the end of its allocation (",
        size, " bytes at ", detail::Hex{uint64_t(base)}, ")"));
  return okStatus();
}

bool Device::supportsGraphs() const { return driver_->symbols().hasGraphs(); }

void *Device::activeStream() const {
  return capturing_ ? captureStream_ : stream_;
}

Status Device::beginCapture() {
  const Symbols &cu = driver_->symbols();
  if (!cu.hasGraphs())
    return unimplementedError("the CUDA driver lacks the graph entry points "
                              "(cuStreamBeginCapture_v2, "
                              "cuGraphInstantiateWithFlags, ...)");
  if (capturing_)
    return failedPreconditionError("CUDA graph capture already under way");
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  // A stream of its own, non-blocking: a capturing blocking stream would
  // make the legacy default stream unusable (for other users of the context)
  // until the capture ends. Nothing runs on it; the graph is launched on the
  // device's stream.
  if (!captureStream_) {
    CUstream stream = nullptr;
    SSMRT_RETURN_IF_ERROR(driver_->check(
        cu.streamCreate(&stream, kStreamNonBlocking), "cuStreamCreate"));
    captureStream_ = stream;
  }
  SSMRT_RETURN_IF_ERROR(driver_->check(
      cu.streamBeginCapture(static_cast<CUstream>(captureStream_),
                            kCaptureModeThreadLocal),
      "cuStreamBeginCapture"));
  capturing_ = true;
  return okStatus();
}

Expected<void *> Device::endCapture() {
  if (!capturing_)
    return failedPreconditionError("no CUDA graph capture under way");
  capturing_ = false;
  const Symbols &cu = driver_->symbols();
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  CUgraph graph = nullptr;
  CUresult ended =
      cu.streamEndCapture(static_cast<CUstream>(captureStream_), &graph);
  if (ended != CUDA_SUCCESS) {
    if (graph)
      cu.graphDestroy(graph);
    return driver_->check(ended, "cuStreamEndCapture");
  }
  CUgraphExec exec = nullptr;
  CUresult made = cu.graphInstantiate(&exec, graph, 0);
  cu.graphDestroy(graph);
  SSMRT_RETURN_IF_ERROR(driver_->check(made, "cuGraphInstantiateWithFlags"));
  return static_cast<void *>(exec);
}

Status Device::launchGraph(void *graph) {
  SSMRT_RETURN_IF_ERROR(makeCurrent());
  return driver_->check(
      driver_->symbols().graphLaunch(static_cast<CUgraphExec>(graph),
                                     static_cast<CUstream>(stream_)),
      "cuGraphLaunch");
}

void Device::destroyGraph(void *graph) {
  if (!graph || !makeCurrent().ok())
    return;
  driver_->symbols().graphExecDestroy(static_cast<CUgraphExec>(graph));
}

} // namespace ssmrt::cuda
