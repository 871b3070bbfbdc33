//===- runtime_module.cpp - ssmc._ssm_runtime: the runtime in Python
//-------===//
//
// Part of the ssmc project. A thin pybind11 layer over the runtime's C++ API
// (runtime/include/ssmrt/api.h): Instance, Device, Module (load, signature,
// memory plan, invoke), plus .safetensors and .npy I/O. No LLVM: this module
// builds on a machine with only CMake, a C++17 compiler, Python and pybind11.
//
// Tensors cross the boundary as `Tensor`, which is either an owned runtime
// HostTensor (every output) or a zero-copy view of caller memory: a C-order
// NumPy array (buffer protocol) or any object exporting `__dlpack__` on the
// CPU (torch tensors). `Tensor` itself exports `__dlpack__` and `numpy()`,
// both zero-copy, keeping the storage alive for as long as any consumer
// holds it.
//
// Runtime Status codes become the Python exceptions of ssmc/errors.py
// (subclasses of ssmc.Error, itself a RuntimeError) carrying the runtime's
// message.
//
//===----------------------------------------------------------------------===//

#include "dlpack.h"

#include "ssmrt/api.h"
#include "ssmrt/format/artifact.h"
#include "ssmrt/npy.h"
#include "ssmrt/safetensors.h"
#include "ssmrt/status.h"
#include "ssmrt/tensor.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <pybind11/numpy.h>

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;
namespace dl = ssmc::dlpack;

namespace {

//===----------------------------------------------------------------------===//
// Exceptions
//===----------------------------------------------------------------------===//

/// The exception classes, created once at module initialization (owned by
/// the module; borrowed here).
struct ErrorClasses {
  PyObject *base = nullptr;
  PyObject *invalidArgument = nullptr;
  PyObject *notFound = nullptr;
  PyObject *unavailable = nullptr;
  PyObject *deviceUnavailable = nullptr;
  PyObject *dataLoss = nullptr;
  PyObject *failedPrecondition = nullptr;
  PyObject *outOfRange = nullptr;
  PyObject *unimplemented = nullptr;
  PyObject *internal = nullptr;
};
ErrorClasses errors;

PyObject *errorClassFor(ssmrt::StatusCode code) {
  switch (code) {
  case ssmrt::StatusCode::InvalidArgument:
    return errors.invalidArgument;
  case ssmrt::StatusCode::NotFound:
    return errors.notFound;
  case ssmrt::StatusCode::Unavailable:
    return errors.unavailable;
  case ssmrt::StatusCode::DataLoss:
    return errors.dataLoss;
  case ssmrt::StatusCode::FailedPrecondition:
    return errors.failedPrecondition;
  case ssmrt::StatusCode::OutOfRange:
    return errors.outOfRange;
  case ssmrt::StatusCode::Unimplemented:
    return errors.unimplemented;
  case ssmrt::StatusCode::Internal:
    return errors.internal;
  case ssmrt::StatusCode::Ok:
    break;
  }
  return errors.base;
}

[[noreturn]] void raise(PyObject *cls, const std::string &message) {
  PyErr_SetString(cls, message.c_str());
  throw py::error_already_set();
}

/// Raises the exception of `status` (which must be an error).
[[noreturn]] void raiseStatus(const ssmrt::Status &status,
                              PyObject *cls = nullptr) {
  raise(cls ? cls : errorClassFor(status.code()), status.message());
}

void check(const ssmrt::Status &status) {
  if (!status.ok())
    raiseStatus(status);
}

template <typename T> T unwrap(ssmrt::Expected<T> expected) {
  if (!expected.ok())
    raiseStatus(expected.status());
  return std::move(expected).value();
}

[[noreturn]] void invalidArgument(const std::string &message) {
  raise(errors.invalidArgument, message);
}

/// The exception class `name` of ssmc.errors (the pure-Python module that
/// defines the hierarchy), also made an attribute of `m`.
PyObject *errorClass(py::module_ &m, const py::module_ &errorsModule,
                     const char *name) {
  py::object cls = errorsModule.attr(name);
  m.attr(name) = cls;
  return cls.release().ptr(); // kept for the life of the process
}

//===----------------------------------------------------------------------===//
// dtypes
//===----------------------------------------------------------------------===//

using ssmrt::DType;

const DType kAllDTypes[] = {DType::F32, DType::F16, DType::BF16,
                            DType::F64, DType::I32, DType::I64,
                            DType::I8,  DType::U8,  DType::Bool};

/// The NumPy dtype holding `dtype`'s elements: bf16 is carried as uint16 (the
/// raw bit patterns, as in ssmrt's .npy convention).
py::dtype numpyDTypeOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return py::dtype("float32");
  case DType::F16:
    return py::dtype("float16");
  case DType::BF16:
    return py::dtype("uint16");
  case DType::F64:
    return py::dtype("float64");
  case DType::I32:
    return py::dtype("int32");
  case DType::I64:
    return py::dtype("int64");
  case DType::I8:
    return py::dtype("int8");
  case DType::U8:
    return py::dtype("uint8");
  case DType::Bool:
    return py::dtype("bool");
  }
  invalidArgument("invalid dtype");
}

std::string dtypeName(const py::dtype &dtype) {
  return py::str(static_cast<const py::handle &>(dtype)).cast<std::string>();
}

/// The runtime dtype of a NumPy dtype; uint16 is bf16 (bit patterns).
DType dtypeOfNumpy(const py::dtype &dtype) {
  char kind = dtype.kind();
  auto size = dtype.itemsize();
  char order = py::cast<std::string>(dtype.attr("byteorder")).at(0);
  if (order == '>' || (order == '!'))
    invalidArgument("big-endian arrays are not supported (dtype " +
                    dtypeName(dtype) +
                    "): convert with arr.astype(arr.dtype.newbyteorder('='))");
  if (kind == 'f' && size == 4)
    return DType::F32;
  if (kind == 'f' && size == 2)
    return DType::F16;
  if (kind == 'f' && size == 8)
    return DType::F64;
  if (kind == 'i' && size == 4)
    return DType::I32;
  if (kind == 'i' && size == 8)
    return DType::I64;
  if (kind == 'i' && size == 1)
    return DType::I8;
  if (kind == 'u' && size == 1)
    return DType::U8;
  if (kind == 'u' && size == 2)
    return DType::BF16;
  if (kind == 'b' && size == 1)
    return DType::Bool;
  invalidArgument(
      "unsupported NumPy dtype " + dtypeName(dtype) +
      " (supported: float32, float16, float64, int32, int64, int8, uint8, "
      "bool, and uint16 holding bfloat16 bit patterns)");
}

dl::DLDataType dlpackDTypeOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return {dl::kDLFloat, 32, 1};
  case DType::F16:
    return {dl::kDLFloat, 16, 1};
  case DType::BF16:
    return {dl::kDLBfloat, 16, 1};
  case DType::F64:
    return {dl::kDLFloat, 64, 1};
  case DType::I32:
    return {dl::kDLInt, 32, 1};
  case DType::I64:
    return {dl::kDLInt, 64, 1};
  case DType::I8:
    return {dl::kDLInt, 8, 1};
  case DType::U8:
    return {dl::kDLUInt, 8, 1};
  case DType::Bool:
    return {dl::kDLBool, 8, 1};
  }
  invalidArgument("invalid dtype");
}

DType dtypeOfDLPack(dl::DLDataType type) {
  if (type.lanes == 1) {
    for (DType dtype : kAllDTypes) {
      dl::DLDataType candidate = dlpackDTypeOf(dtype);
      if (candidate.code == type.code && candidate.bits == type.bits)
        return dtype;
    }
  }
  invalidArgument("unsupported DLPack dtype (code " +
                  std::to_string(type.code) + ", " + std::to_string(type.bits) +
                  " bits, " + std::to_string(type.lanes) +
                  " lanes); supported: float32/16/64, bfloat16, int32/64/8, "
                  "uint8, bool");
}

std::string shapeString(const std::vector<int64_t> &dims) {
  std::string out = "(";
  for (size_t i = 0; i < dims.size(); ++i) {
    out += i ? ", " : "";
    out += std::to_string(dims[i]);
  }
  if (dims.size() == 1)
    out += ",";
  return out + ")";
}

py::tuple shapeTuple(const std::vector<int64_t> &dims) {
  py::tuple t(dims.size());
  for (size_t i = 0; i < dims.size(); ++i)
    t[i] = py::int_(dims[i]);
  return t;
}

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

/// A dense C-order tensor in host memory: an owned runtime HostTensor, or a
/// view of memory owned by a Python object (kept referenced) or by an
/// imported DLPack tensor (released through its deleter).
class Tensor {
public:
  Tensor(DType dtype, std::vector<int64_t> dims, void *data)
      : dtype_(dtype), dims_(std::move(dims)), data_(data) {}
  Tensor(const Tensor &) = delete;
  Tensor &operator=(const Tensor &) = delete;

  ~Tensor() {
    if (managed_ && managed_->deleter)
      managed_->deleter(managed_);
  }

  static std::shared_ptr<Tensor> owning(ssmrt::HostTensor host) {
    auto owned = std::make_unique<ssmrt::HostTensor>(std::move(host));
    auto t =
        std::make_shared<Tensor>(owned->dtype(), owned->dims(), owned->data());
    t->owned_ = std::move(owned);
    return t;
  }

  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &dims() const { return dims_; }
  void *data() const { return data_; }
  bool ownsData() const { return owned_ != nullptr; }
  uint64_t elementCount() const {
    uint64_t n = 1;
    for (int64_t d : dims_)
      n *= uint64_t(d);
    return n;
  }
  uint64_t byteSize() const {
    return elementCount() * ssmrt::dtypeByteSize(dtype_);
  }
  ssmrt::TensorView view() const { return {dtype_, dims_, data_}; }
  std::string typeString() const { return ssmrt::typeString(dtype_, dims_); }

  void keepAlive(py::object owner) { owner_ = std::move(owner); }
  void setView(DType dtype, std::vector<int64_t> dims, void *data) {
    dtype_ = dtype;
    dims_ = std::move(dims);
    data_ = data;
  }
  void takeManaged(dl::DLManagedTensor *managed) { managed_ = managed; }

private:
  DType dtype_;
  std::vector<int64_t> dims_;
  void *data_;
  std::unique_ptr<ssmrt::HostTensor> owned_;
  py::object owner_;
  dl::DLManagedTensor *managed_ = nullptr;
};

using TensorPtr = std::shared_ptr<Tensor>;

/// Row-major strides in elements, as DLPack wants them checked.
bool isCompactRowMajor(const std::vector<int64_t> &dims,
                       const int64_t *strides) {
  if (!strides)
    return true;
  int64_t expected = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    if (dims[i] == 0)
      return true; // no element is ever addressed
    if (dims[i] != 1 && strides[i] != expected)
      return false;
    expected *= dims[i];
  }
  return true;
}

const char *deviceTypeName(int32_t type) {
  switch (type) {
  case dl::kDLCPU:
    return "cpu";
  case dl::kDLCUDA:
    return "cuda";
  case dl::kDLCUDAHost:
    return "cuda_host";
  case dl::kDLROCM:
    return "rocm";
  case dl::kDLROCMHost:
    return "rocm_host";
  case dl::kDLCUDAManaged:
    return "cuda_managed";
  case dl::kDLVulkan:
    return "vulkan";
  case dl::kDLMetal:
    return "metal";
  case dl::kDLOneAPI:
    return "oneapi";
  default:
    return "non-CPU";
  }
}

bool isHostAccessible(int32_t type) {
  return type == dl::kDLCPU || type == dl::kDLCUDAHost ||
         type == dl::kDLROCMHost;
}

/// Where imported tensors must live: host memory, or one GPU (a DLPack
/// device type and id), for a module on the device called `name`.
struct Placement {
  bool host = true;
  int32_t type = dl::kDLCPU;
  int32_t id = 0;
  std::string name = "cpu";
  /// GPU tensors are exported for the legacy default stream (the producer
  /// orders its pending writes before it); false: the caller has ordered
  /// them already and the export asks for no synchronization.
  bool syncStreams = true;
};

/// The placement of a runtime device name: "cpu", "cuda:N", "hip:N".
Placement placementOf(const std::string &device) {
  Placement p;
  p.name = device;
  size_t colon = device.find(':');
  std::string kind = device.substr(0, colon);
  if (kind == "cpu")
    return p;
  p.host = false;
  p.type = kind == "hip" ? dl::kDLROCM : dl::kDLCUDA;
  p.id = colon == std::string::npos ? 0 : std::stoi(device.substr(colon + 1));
  return p;
}

std::string dlpackDeviceName(int32_t type, int32_t id) {
  return std::string(deviceTypeName(type)) + ":" + std::to_string(id);
}

/// Imports an object with `__dlpack__` without copying: consumes its capsule
/// and keeps the producer's tensor alive until the Tensor dies. The tensor
/// must be in host memory, or on the GPU of `gpu` (a GPU placement).
TensorPtr fromDLPack(const py::handle &obj, const Placement *gpu = nullptr) {
  // Check the device first, so that a tensor is not exported for nothing.
  if (py::hasattr(obj, "__dlpack_device__")) {
    py::tuple device = obj.attr("__dlpack_device__")();
    int32_t type = device[0].cast<int32_t>();
    int32_t id = device[1].cast<int32_t>();
    if (gpu && (type != gpu->type || id != gpu->id))
      invalidArgument("the tensor is on " + dlpackDeviceName(type, id) +
                      " (DLPack device " + std::to_string(type) + ":" +
                      std::to_string(id) + "), but the module runs on " +
                      gpu->name + ": move it there first (e.g. tensor.to('" +
                      gpu->name + "'))");
    if (!gpu && !isHostAccessible(type))
      invalidArgument(std::string("the tensor is on a ") +
                      deviceTypeName(type) + " device (DLPack device type " +
                      std::to_string(type) +
                      "); the runtime reads inputs from host memory: move "
                      "it to the CPU first (e.g. tensor.cpu()), or load the "
                      "module on that device (ssmc.load(..., "
                      "device='cuda:0'))");
  }
  // A GPU tensor is exported for the legacy default stream (CUDA's stream 1,
  // HIP's 0): its producer orders the pending writes before it, and the
  // runtime's stream waits for that stream's work.
  py::object capsule =
      gpu && gpu->syncStreams
          ? obj.attr("__dlpack__")(py::arg("stream") =
                                       gpu->type == dl::kDLROCM ? 0 : 1)
          : obj.attr("__dlpack__")();
  if (!PyCapsule_IsValid(capsule.ptr(), dl::kCapsuleName))
    invalidArgument("__dlpack__() did not return a 'dltensor' capsule (was it "
                    "already consumed?)");
  auto *managed = static_cast<dl::DLManagedTensor *>(
      PyCapsule_GetPointer(capsule.ptr(), dl::kCapsuleName));
  if (!managed)
    throw py::error_already_set();
  // We own it now: the capsule's destructor must not delete it.
  if (PyCapsule_SetName(capsule.ptr(), dl::kUsedCapsuleName) != 0)
    throw py::error_already_set();

  // From here `result` owns `managed` (its destructor calls the deleter),
  // also when a check below throws.
  auto result =
      std::make_shared<Tensor>(DType::F32, std::vector<int64_t>{}, nullptr);
  result->takeManaged(managed);
  const dl::DLTensor &t = managed->dl_tensor;
  if (t.ndim < 0 || t.ndim > 64 || (t.ndim > 0 && !t.shape))
    invalidArgument("malformed DLPack tensor (ndim " + std::to_string(t.ndim) +
                    ")");
  std::vector<int64_t> dims(t.shape, t.shape + t.ndim);
  if (gpu &&
      (t.device.device_type != gpu->type || t.device.device_id != gpu->id))
    invalidArgument("the tensor is on " +
                    dlpackDeviceName(t.device.device_type, t.device.device_id) +
                    ", but the module runs on " + gpu->name);
  if (!gpu && !isHostAccessible(t.device.device_type))
    invalidArgument(std::string("the tensor is on a ") +
                    deviceTypeName(t.device.device_type) +
                    " device; the runtime reads inputs from host memory: "
                    "move it to the CPU first");
  for (int64_t d : dims)
    if (d < 0)
      invalidArgument("malformed DLPack tensor: negative dimension");
  DType dtype = dtypeOfDLPack(t.dtype);
  if (!isCompactRowMajor(dims, t.strides))
    invalidArgument("the tensor of shape " + shapeString(dims) +
                    " is not contiguous (C order): pass tensor.contiguous()");
  void *data = t.data ? static_cast<char *>(t.data) + t.byte_offset : nullptr;
  result->setView(dtype, std::move(dims), data);
  return result;
}

/// A C-order NumPy array (or buffer) as a view; no copy.
TensorPtr fromArray(const py::array &array) {
  if (!(array.flags() & py::array::c_style))
    invalidArgument("the array of shape " +
                    shapeString(std::vector<int64_t>(
                        array.shape(), array.shape() + array.ndim())) +
                    " is not C-contiguous: pass numpy.ascontiguousarray(x)");
  DType dtype = dtypeOfNumpy(array.dtype());
  std::vector<int64_t> dims(array.shape(), array.shape() + array.ndim());
  auto t = std::make_shared<Tensor>(dtype, std::move(dims),
                                    const_cast<void *>(array.data()));
  t->keepAlive(array);
  return t;
}

/// Any supported object as a Tensor: a Tensor, a NumPy array or buffer, or
/// an object exporting __dlpack__.
TensorPtr asTensor(const py::handle &obj) {
  if (py::isinstance<Tensor>(obj))
    return obj.cast<TensorPtr>();
  if (py::isinstance<py::array>(obj))
    return fromArray(py::reinterpret_borrow<py::array>(obj));
  if (py::hasattr(obj, "__dlpack__"))
    return fromDLPack(obj);
  if (PyObject_CheckBuffer(obj.ptr())) {
    py::array array = py::array::ensure(obj);
    if (array)
      return fromArray(array);
  }
  invalidArgument(
      std::string("expected a numpy.ndarray, an object with __dlpack__ "
                  "(e.g. a torch.Tensor) or an ssmc Tensor, got ") +
      Py_TYPE(obj.ptr())->tp_name);
}

/// The zero-copy NumPy array over `self`'s data (bf16 as uint16).
py::array toNumpy(const py::object &self) {
  const Tensor &t = self.cast<const Tensor &>();
  py::dtype dtype = numpyDTypeOf(t.dtype());
  std::vector<py::ssize_t> shape(t.dims().begin(), t.dims().end());
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = dtype.itemsize();
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  if (!t.data()) // empty tensors may have no storage; numpy wants one
    return py::array(dtype, shape, strides);
  return py::array(dtype, shape, strides, t.data(), self);
}

/// What a DLPack export owns: the tensor and its shape array.
struct ExportContext {
  TensorPtr tensor;
  std::vector<int64_t> shape;
  dl::DLManagedTensor managed{};
};

void exportDeleter(dl::DLManagedTensor *managed) {
  auto *context = static_cast<ExportContext *>(managed->manager_ctx);
  // The tensor may hold Python references; the consumer may call us without
  // the GIL.
  // After interpreter shutdown nothing can be released safely: leak.
  if (!Py_IsInitialized())
    return;
  PyGILState_STATE state = PyGILState_Ensure();
  delete context;
  PyGILState_Release(state);
}

void exportCapsuleDestructor(PyObject *capsule) {
  // Only an unconsumed capsule still owns its tensor.
  if (!PyCapsule_IsValid(capsule, dl::kCapsuleName))
    return;
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  auto *managed = static_cast<dl::DLManagedTensor *>(
      PyCapsule_GetPointer(capsule, dl::kCapsuleName));
  if (managed && managed->deleter)
    managed->deleter(managed);
  PyErr_Restore(type, value, traceback);
}

py::object toDLPackCapsule(const TensorPtr &tensor) {
  auto context = std::make_unique<ExportContext>();
  context->tensor = tensor;
  context->shape = tensor->dims();
  dl::DLTensor &t = context->managed.dl_tensor;
  t.data = tensor->data();
  t.device = {dl::kDLCPU, 0};
  t.ndim = static_cast<int32_t>(context->shape.size());
  t.dtype = dlpackDTypeOf(tensor->dtype());
  t.shape = context->shape.data();
  t.strides = nullptr; // compact row-major
  t.byte_offset = 0;
  context->managed.manager_ctx = context.get();
  context->managed.deleter = exportDeleter;
  PyObject *capsule = PyCapsule_New(&context->managed, dl::kCapsuleName,
                                    exportCapsuleDestructor);
  if (!capsule)
    throw py::error_already_set();
  context.release(); // owned by the capsule (then by its consumer)
  return py::reinterpret_steal<py::object>(capsule);
}

//===----------------------------------------------------------------------===//
// Instances: one per thread count, shared
//===----------------------------------------------------------------------===//

ssmrt::Instance createInstance(size_t threads) {
  ssmrt::InstanceOptions options;
  options.numThreads = threads;
  return unwrap(ssmrt::Instance::create(options));
}

ssmrt::Device openDevice(const ssmrt::Instance &instance,
                         const std::string &name) {
  ssmrt::Expected<ssmrt::Device> device = instance.openDevice(name);
  if (!device.ok())
    raiseStatus(device.status(),
                device.status().code() == ssmrt::StatusCode::Unavailable
                    ? errors.deviceUnavailable
                    : nullptr);
  return *device;
}

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

std::string tensorSpecRepr(const ssmrt::TensorDesc &desc) {
  return "TensorSpec(name='" + desc.name +
         "', shape=" + shapeString(desc.dims) + ", dtype='" +
         ssmrt::dtypeString(desc.dtype) + "')";
}

//===----------------------------------------------------------------------===//
// Module
//===----------------------------------------------------------------------===//

using ModulePtr = std::shared_ptr<ssmrt::Module>;

std::vector<TensorPtr> invoke(const ssmrt::Module &module,
                              const std::string &function,
                              const py::sequence &inputs) {
  std::vector<TensorPtr> tensors;
  std::vector<ssmrt::TensorView> views;
  tensors.reserve(inputs.size());
  views.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    TensorPtr t;
    try {
      t = asTensor(inputs[i]);
    } catch (py::error_already_set &e) {
      // Say which argument; keep the class.
      if (!e.matches(errors.invalidArgument))
        throw;
      std::string message = "input #" + std::to_string(i) + " of '" + function +
                            "': " + py::str(e.value()).cast<std::string>();
      raise(errors.invalidArgument, message);
    }
    views.push_back(t->view());
    tensors.push_back(std::move(t));
  }
  std::optional<ssmrt::Expected<std::vector<ssmrt::HostTensor>>> result;
  {
    py::gil_scoped_release release;
    result.emplace(module.invoke(function, views));
  }
  std::vector<ssmrt::HostTensor> outputs = unwrap(std::move(*result));
  std::vector<TensorPtr> wrapped;
  wrapped.reserve(outputs.size());
  for (ssmrt::HostTensor &output : outputs)
    wrapped.push_back(Tensor::owning(std::move(output)));
  return wrapped;
}

/// The Tensor of a caller buffer for invoke_with_buffers: on a GPU module an
/// object with __dlpack__ on that GPU (e.g. a CUDA torch.Tensor); on a CPU
/// module anything asTensor takes (an output must be writable).
TensorPtr bufferTensor(const py::handle &obj, const Placement &placement,
                       bool output) {
  if (placement.host) {
    if (output && py::isinstance<py::array>(obj) &&
        !py::reinterpret_borrow<py::array>(obj).writeable())
      invalidArgument("the array is read-only");
    return asTensor(obj);
  }
  if (py::isinstance<Tensor>(obj) || py::isinstance<py::array>(obj))
    invalidArgument(std::string("a ") + Py_TYPE(obj.ptr())->tp_name +
                    " lives in host memory, but the module runs on " +
                    placement.name + ": pass a tensor on " + placement.name +
                    " (e.g. torch.from_numpy(a).to('" + placement.name + "'))");
  if (!py::hasattr(obj, "__dlpack__"))
    invalidArgument(std::string("expected a tensor on ") + placement.name +
                    " with __dlpack__ (e.g. a torch.Tensor), got " +
                    Py_TYPE(obj.ptr())->tp_name);
  return fromDLPack(obj, &placement);
}

/// Caller buffers converted once (Module.bind_buffers) for any number of
/// invoke_with_buffers calls, where they stand in their input or output
/// lists for the buffers they hold: a train step passes ~2,500 resident
/// parameter and moment buffers, and exporting each through DLPack on every
/// call costs ~4 us apiece. GPU buffers are bound without stream ordering:
/// the caller orders pending work before each call (ssmc does).
struct BoundBuffers {
  std::string device;
  std::vector<TensorPtr> tensors;
  /// Every buffer may be written (host arrays can be read-only).
  bool writable = true;
};

BoundBuffers bindBuffers(const ssmrt::Module &module,
                         const py::sequence &objects) {
  Placement placement = placementOf(module.device().name());
  placement.syncStreams = false;
  BoundBuffers bound;
  bound.device = placement.name;
  for (size_t i = 0; i < objects.size(); ++i) {
    py::handle obj = objects[i];
    try {
      bound.tensors.push_back(bufferTensor(obj, placement, false));
    } catch (py::error_already_set &e) {
      if (!e.matches(errors.invalidArgument))
        throw;
      raise(errors.invalidArgument,
            "buffer #" + std::to_string(i) + ": " +
                py::str(e.value()).cast<std::string>());
    }
    if (placement.host && py::isinstance<py::array>(obj) &&
        !py::reinterpret_borrow<py::array>(obj).writeable())
      bound.writable = false;
  }
  return bound;
}

/// The tensors of `objects` as buffers (kept in `keep`), errors naming the
/// argument ("input #i of 'f': ..."); a BoundBuffers element stands for its
/// buffers, numbered in place.
std::vector<ssmrt::TensorView> bufferViews(const py::sequence &objects,
                                           const Placement &placement,
                                           bool output,
                                           const std::string &function,
                                           std::vector<TensorPtr> &keep) {
  std::vector<ssmrt::TensorView> views;
  auto where = [&](size_t i) {
    return std::string(output ? "output" : "input") + " #" + std::to_string(i) +
           " of '" + function + "': ";
  };
  for (size_t i = 0; i < objects.size(); ++i) {
    if (py::isinstance<BoundBuffers>(objects[i])) {
      const auto &bound = objects[i].cast<const BoundBuffers &>();
      if (bound.device != placement.name)
        raise(errors.invalidArgument,
              where(views.size()) + "buffers bound for '" + bound.device +
                  "', but the module runs on '" + placement.name + "'");
      if (output && !bound.writable)
        raise(errors.invalidArgument,
              where(views.size()) + "the bound buffers include a read-only "
                                    "array");
      for (const TensorPtr &t : bound.tensors) {
        views.push_back(t->view());
        keep.push_back(t);
      }
      continue;
    }
    TensorPtr t;
    try {
      t = bufferTensor(objects[i], placement, output);
    } catch (py::error_already_set &e) {
      if (!e.matches(errors.invalidArgument))
        throw;
      raise(errors.invalidArgument,
            where(views.size()) + py::str(e.value()).cast<std::string>());
    }
    views.push_back(t->view());
    keep.push_back(std::move(t));
  }
  return views;
}

/// InvokeOptions of the Python keywords (graphs: None = the default).
ssmrt::InvokeOptions invokeOptions(bool poison, const py::object &graphs) {
  ssmrt::InvokeOptions options;
  options.poisonOutputs = poison;
  if (!graphs.is_none())
    options.graphs = graphs.cast<bool>() ? ssmrt::InvokeOptions::Graphs::On
                                         : ssmrt::InvokeOptions::Graphs::Off;
  return options;
}

void invokeWithBuffers(const ssmrt::Module &module, const std::string &function,
                       const py::sequence &inputs, const py::sequence &outputs,
                       bool poison, const py::object &graphs,
                       bool syncStreams) {
  Placement placement = placementOf(module.device().name());
  placement.syncStreams = syncStreams;
  std::vector<TensorPtr> keep;
  std::vector<ssmrt::TensorView> in =
      bufferViews(inputs, placement, false, function, keep);
  std::vector<ssmrt::TensorView> out =
      bufferViews(outputs, placement, true, function, keep);
  ssmrt::InvokeOptions options = invokeOptions(poison, graphs);
  ssmrt::Status status;
  {
    py::gil_scoped_release release;
    status = module.invokeWithBuffers(function, in, out, options);
  }
  check(status);
}

std::vector<double> timeFunction(const ssmrt::Module &module,
                                 const std::string &function,
                                 const py::sequence &inputs, int warmup,
                                 int iterations, const py::object &graphs) {
  std::vector<TensorPtr> keep;
  std::vector<ssmrt::TensorView> views =
      bufferViews(inputs, Placement(), false, function, keep);
  ssmrt::InvokeOptions options = invokeOptions(false, graphs);
  std::optional<ssmrt::Expected<std::vector<double>>> ms;
  {
    py::gil_scoped_release release;
    ms.emplace(module.time(function, views, warmup, iterations, options));
  }
  return unwrap(std::move(*ms));
}

py::dict executionStats(const ssmrt::Module &module,
                        const std::string &function) {
  ssmrt::ExecutionStats stats = unwrap(module.executionStats(function));
  py::dict d;
  d["plain_runs"] = stats.plainRuns;
  d["graph_captures"] = stats.graphCaptures;
  d["graph_replays"] = stats.graphReplays;
  d["capture_failures"] = stats.captureFailures;
  d["last_capture_failure"] = stats.lastCaptureFailure;
  return d;
}

/// A contiguous byte view of a buffer object, released on destruction.
class ByteView {
public:
  explicit ByteView(const py::handle &obj) {
    if (PyObject_GetBuffer(obj.ptr(), &view_, PyBUF_SIMPLE) != 0)
      throw py::error_already_set();
  }
  ByteView(const ByteView &) = delete;
  ByteView &operator=(const ByteView &) = delete;
  ~ByteView() { PyBuffer_Release(&view_); }
  const uint8_t *data() const {
    return static_cast<const uint8_t *>(view_.buf);
  }
  size_t size() const { return size_t(view_.len); }

private:
  Py_buffer view_{};
};

ModulePtr loadFromBuffer(const ssmrt::Device &device, const py::object &data) {
  ByteView bytes(data);
  std::optional<ssmrt::Expected<ssmrt::Module>> module;
  {
    py::gil_scoped_release release;
    module.emplace(
        ssmrt::Module::loadFromMemory(device, bytes.data(), bytes.size()));
  }
  return std::make_shared<ssmrt::Module>(unwrap(std::move(*module)));
}

//===----------------------------------------------------------------------===//
// Module inspection (no device)
//===----------------------------------------------------------------------===//

/// ModelInfo as a dict: name, family, preprocessing ({'resize_to', 'crop',
/// 'mean', 'std'}, the keys of ssmc.preprocessing(), or None), properties
/// (dict, in the compiler's order); None without a record.
py::object modelInfoToPython(const std::optional<ssmrt::ModelInfo> &info) {
  if (!info)
    return py::none();
  py::dict d;
  d["name"] = info->name;
  d["family"] = info->family;
  if (const auto &pre = info->preprocessing) {
    py::dict p;
    p["resize_to"] = pre->resize;
    p["crop"] = pre->crop;
    p["mean"] = py::make_tuple(pre->mean[0], pre->mean[1], pre->mean[2]);
    p["std"] = py::make_tuple(pre->std[0], pre->std[1], pre->std[2]);
    d["preprocessing"] = p;
  } else {
    d["preprocessing"] = py::none();
  }
  py::dict properties;
  for (const auto &[key, value] : info->properties)
    properties[py::str(key)] = py::str(value);
  d["properties"] = properties;
  return std::move(d);
}

py::dict moduleInfoToPython(const ssmrt::ModuleInfo &info) {
  py::dict d;
  d["format_version"] = info.formatVersion;
  d["compiler_version"] = info.compilerVersion;
  py::list functions;
  for (const ssmrt::FunctionSignature &f : info.functions)
    functions.append(py::cast(f));
  d["functions"] = functions;
  d["model_info"] = modelInfoToPython(info.model);
  py::list objects;
  for (const ssmrt::KernelObjectInfo &o : info.kernelObjects) {
    py::dict object;
    object["target"] = ssmrt::format::targetKindName(o.target);
    object["format"] = ssmrt::format::binaryFormatName(o.format);
    object["chip"] = o.chip;
    object["size"] = o.size;
    objects.append(object);
  }
  d["kernel_objects"] = objects;
  py::dict plans;
  for (size_t f = 0; f < info.functions.size(); ++f)
    plans[py::str(info.functions[f].name)] =
        info.memoryPlans[f] ? py::cast(*info.memoryPlans[f]) : py::none();
  d["memory_plans"] = plans;
  return d;
}

//===----------------------------------------------------------------------===//
// .safetensors and .npy
//===----------------------------------------------------------------------===//

py::tuple fileToPython(ssmrt::safetensors::File file) {
  py::dict tensors;
  for (auto &[name, tensor] : file.tensors)
    tensors[py::str(name)] = py::cast(Tensor::owning(std::move(tensor)));
  py::dict metadata;
  for (auto &[key, value] : file.metadata)
    metadata[py::str(key)] = py::str(value);
  return py::make_tuple(tensors, metadata);
}

/// (name, tensor) pairs from a dict or a sequence of pairs; the tensors are
/// kept in `keep`.
std::vector<std::pair<std::string, ssmrt::TensorView>>
namedViews(const py::object &tensors, std::vector<TensorPtr> &keep) {
  std::vector<std::pair<std::string, ssmrt::TensorView>> views;
  py::iterable items = py::isinstance<py::dict>(tensors)
                           ? py::iterable(tensors.attr("items")())
                           : py::iterable(tensors);
  for (py::handle item : items) {
    py::tuple pair = py::reinterpret_borrow<py::object>(item).cast<py::tuple>();
    if (pair.size() != 2)
      invalidArgument("expected (name, tensor) pairs");
    std::string name = pair[0].cast<std::string>();
    TensorPtr t;
    try {
      t = asTensor(pair[1]);
    } catch (py::error_already_set &e) {
      if (!e.matches(errors.invalidArgument))
        throw;
      raise(errors.invalidArgument,
            "tensor '" + name + "': " + py::str(e.value()).cast<std::string>());
    }
    views.emplace_back(name, t->view());
    keep.push_back(std::move(t));
  }
  return views;
}

std::map<std::string, std::string> metadataOf(const py::object &metadata) {
  std::map<std::string, std::string> out;
  if (!metadata.is_none())
    for (auto item : metadata.cast<py::dict>())
      out[item.first.cast<std::string>()] = item.second.cast<std::string>();
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// The module
//===----------------------------------------------------------------------===//

PYBIND11_MODULE(_ssm_runtime, m) {
  m.doc() = "ssmc runtime bindings: load .ssmb modules and run them on a "
            "device (no LLVM). Use the `ssmc` package; this module is its "
            "low-level layer.";
  // The .ssmb format this runtime writes (compiled modules record it) and the
  // range it reads.
  m.attr("FORMAT_VERSION") = ssmrt::format::kFormatVersion;
  m.attr("MIN_FORMAT_VERSION") = ssmrt::format::kMinFormatVersion;

  // Exceptions: ssmc.Error and one subclass per runtime status code,
  // defined in Python (ssmc/errors.py).
  py::module_ errorsModule = py::module_::import("ssmc.errors");
  errors.base = errorClass(m, errorsModule, "Error");
  errors.invalidArgument = errorClass(m, errorsModule, "InvalidArgumentError");
  errors.notFound = errorClass(m, errorsModule, "NotFoundError");
  errors.unavailable = errorClass(m, errorsModule, "UnavailableError");
  errors.deviceUnavailable =
      errorClass(m, errorsModule, "DeviceUnavailableError");
  errors.dataLoss = errorClass(m, errorsModule, "DataLossError");
  errors.failedPrecondition =
      errorClass(m, errorsModule, "FailedPreconditionError");
  errors.outOfRange = errorClass(m, errorsModule, "OutOfRangeError");
  errors.unimplemented = errorClass(m, errorsModule, "UnimplementedError");
  errors.internal = errorClass(m, errorsModule, "InternalError");

  // dtypes.
  py::list dtypeNames;
  for (DType dtype : kAllDTypes)
    dtypeNames.append(ssmrt::dtypeString(dtype));
  m.attr("DTYPES") = py::tuple(dtypeNames);
  m.def(
      "parse_dtype",
      [](const std::string &name) {
        return std::string(ssmrt::dtypeString(unwrap(ssmrt::parseDType(name))));
      },
      py::arg("name"),
      "The canonical short name ('f32', 'bf16', ...) of a dtype name "
      "('float32', 'bfloat16', 'f32', ...). Raises InvalidArgumentError.");
  m.def(
      "numpy_dtype",
      [](const std::string &name) {
        return numpyDTypeOf(unwrap(ssmrt::parseDType(name)));
      },
      py::arg("name"),
      "The NumPy dtype that holds elements of the runtime dtype `name` "
      "(bf16 -> uint16 bit patterns, i1 -> bool).");

  // Tensor.
  py::class_<Tensor, TensorPtr>(
      m, "Tensor",
      "A dense, C-order tensor in host memory: an output of Module.invoke "
      "(owned by the runtime), a tensor read from a file, or a zero-copy "
      "view of a NumPy array or DLPack tensor. Convert with numpy() or "
      "torch.utils.dlpack.from_dlpack(t) (both zero-copy, keeping the "
      "storage alive). bf16 data appears in NumPy as uint16 bit patterns.")
      .def_static(
          "from_object", [](const py::object &obj) { return asTensor(obj); },
          py::arg("obj"),
          "Wraps a C-contiguous NumPy array, a buffer, or an object with "
          "__dlpack__ on the CPU (e.g. a torch.Tensor) without copying.")
      .def_static(
          "from_dlpack", [](const py::object &obj) { return fromDLPack(obj); },
          py::arg("obj"),
          "Imports an object with __dlpack__ (CPU memory, C order) without "
          "copying; the producer's storage stays alive with the Tensor.")
      .def_property_readonly(
          "dtype",
          [](const Tensor &t) {
            return std::string(ssmrt::dtypeString(t.dtype()));
          },
          "Runtime dtype name: 'f32', 'f16', 'bf16', 'f64', 'i32', 'i64', "
          "'i8', 'ui8' or 'i1'.")
      .def_property_readonly(
          "shape", [](const Tensor &t) { return shapeTuple(t.dims()); },
          "The dimensions, a tuple of ints.")
      .def_property_readonly(
          "ndim", [](const Tensor &t) { return t.dims().size(); }, "The rank.")
      .def_property_readonly(
          "nbytes", [](const Tensor &t) { return t.byteSize(); },
          "Size of the data in bytes.")
      .def_property_readonly(
          "data_ptr",
          [](const Tensor &t) { return reinterpret_cast<uintptr_t>(t.data()); },
          "Address of the first element (an int).")
      .def_property_readonly(
          "owns_data", &Tensor::ownsData,
          "True for runtime-owned storage (outputs, file reads), False for a "
          "view of caller memory.")
      .def("numpy", &toNumpy,
           "A NumPy array over the same memory (no copy; bf16 as uint16).")
      .def(
          "__array__",
          [](const py::object &self, const py::object &dtype,
             const py::object &copy) {
            py::array array = toNumpy(self);
            if (!dtype.is_none())
              return py::array(array.attr("astype")(dtype));
            if (!copy.is_none() && copy.cast<bool>())
              return py::array(array.attr("copy")());
            return array;
          },
          py::arg("dtype") = py::none(), py::arg("copy") = py::none())
      .def(
          "__dlpack__",
          [](const TensorPtr &t, const py::object &stream,
             const py::object & /*maxVersion*/, const py::object &dlDevice,
             const py::object &copy) {
            if (!stream.is_none())
              invalidArgument("stream must be None for a CPU tensor");
            if (!dlDevice.is_none()) {
              py::tuple device = dlDevice.cast<py::tuple>();
              if (device.size() != 2 || device[0].cast<int32_t>() != dl::kDLCPU)
                raise(PyExc_BufferError,
                      "an ssmc.Tensor lives in host memory: it can only be "
                      "exported to the CPU device (1, 0)");
            }
            // max_version is accepted and a legacy (unversioned) capsule
            // returned, as the protocol allows.
            if (!copy.is_none() && copy.cast<bool>())
              return toDLPackCapsule(
                  Tensor::owning(unwrap(ssmrt::HostTensor::copyOf(t->view()))));
            return toDLPackCapsule(t);
          },
          py::arg("stream") = py::none(), py::arg("max_version") = py::none(),
          py::arg("dl_device") = py::none(), py::arg("copy") = py::none(),
          "Exports the tensor as a DLPack capsule (CPU, C order; no copy "
          "unless copy=True). Returns a legacy 'dltensor' capsule whatever "
          "max_version asks.")
      .def(
          "__dlpack_device__",
          [](const Tensor &) { return py::make_tuple(int(dl::kDLCPU), 0); },
          "(kDLCPU, 0).")
      .def("__repr__", [](const Tensor &t) {
        return "<ssmc.Tensor " + t.typeString() +
               (t.ownsData() ? "" : " (view)") + ">";
      });

  // TensorSpec, FunctionSignature, MemoryPlan.
  py::class_<ssmrt::TensorDesc>(
      m, "TensorSpec",
      "An input or output of an entry function: name, static shape, dtype.")
      .def_readonly("name", &ssmrt::TensorDesc::name,
                    "The name: the `ssm.name` attribute of the argument or "
                    "result if it had one, else 'input<i>' / 'output<i>'.")
      .def_property_readonly(
          "shape",
          [](const ssmrt::TensorDesc &d) { return shapeTuple(d.dims); },
          "The static dimensions, a tuple of ints.")
      .def_property_readonly(
          "dtype",
          [](const ssmrt::TensorDesc &d) {
            return std::string(ssmrt::dtypeString(d.dtype));
          },
          "Runtime dtype name ('f32', 'bf16', ...).")
      .def_property_readonly(
          "numpy_dtype",
          [](const ssmrt::TensorDesc &d) { return numpyDTypeOf(d.dtype); },
          "The NumPy dtype to pass (bf16: uint16 bit patterns).")
      .def_property_readonly("nbytes", &ssmrt::TensorDesc::byteSize,
                             "Size in bytes.")
      .def_property_readonly("type", &ssmrt::TensorDesc::typeString,
                             "'1x3x224x224xf32'.")
      .def("__repr__", &tensorSpecRepr)
      .def("__str__", [](const ssmrt::TensorDesc &d) {
        return (d.name.empty() ? "" : d.name + ": ") + d.typeString();
      });

  py::class_<ssmrt::FunctionSignature>(
      m, "FunctionSignature",
      "The signature of one entry function: its name, inputs and outputs.")
      .def_readonly("name", &ssmrt::FunctionSignature::name)
      .def_readonly("inputs", &ssmrt::FunctionSignature::inputs,
                    "list[TensorSpec], in call order.")
      .def_readonly("outputs", &ssmrt::FunctionSignature::outputs,
                    "list[TensorSpec], in result order.")
      .def("__str__", &ssmrt::FunctionSignature::toString)
      .def("__repr__", [](const ssmrt::FunctionSignature &s) {
        return "<ssmc.FunctionSignature " + s.toString() + ">";
      });

  py::class_<ssmrt::MemoryPlan>(
      m, "MemoryPlan",
      "The static memory plan of an entry function, computed at load time.")
      .def_readonly("peak_bytes", &ssmrt::MemoryPlan::peakBytes,
                    "Most bytes allocated at once (outputs included, caller "
                    "inputs not).")
      .def_readonly("arena_bytes", &ssmrt::MemoryPlan::arenaBytes,
                    "Size of the per-call arena of intermediates.")
      .def_readonly("output_bytes", &ssmrt::MemoryPlan::outputBytes,
                    "Bytes of the outputs.")
      .def_readonly("allocations", &ssmrt::MemoryPlan::allocations,
                    "Allocations per call.")
      .def_readonly("reused_allocations", &ssmrt::MemoryPlan::reusedAllocations,
                    "Allocations placed into storage freed earlier.")
      .def("__repr__", [](const ssmrt::MemoryPlan &p) {
        return "<ssmc.MemoryPlan peak_bytes=" + std::to_string(p.peakBytes) +
               " arena_bytes=" + std::to_string(p.arenaBytes) +
               " output_bytes=" + std::to_string(p.outputBytes) + ">";
      });

  // Instance, Device.
  py::class_<ssmrt::Instance>(
      m, "Instance", "Runtime-wide state: the thread pool CPU kernels run on.")
      .def(py::init([](size_t threads) { return createInstance(threads); }),
           py::arg("threads") = 0,
           "threads: pool size; 0 = $SSMRT_NUM_THREADS if set, else the "
           "number of hardware threads.")
      .def("open_device", &openDevice, py::arg("name"),
           "Opens 'cpu' (or 'cpu:0'), or 'cuda:N' in a runtime built with "
           "SSM_ENABLE_CUDA. Device kinds this build cannot drive, or GPUs "
           "that are absent, raise DeviceUnavailableError; unknown names "
           "raise InvalidArgumentError.")
      .def_property_readonly("num_threads", &ssmrt::Instance::numThreads,
                             "Threads of the pool.")
      .def_static("available_devices", &ssmrt::Instance::availableDevices,
                  "Device names open_device accepts in this build.");

  py::class_<ssmrt::Device>(m, "Device", "An open device of an Instance.")
      .def_property_readonly("name", &ssmrt::Device::name,
                             "The normalized name ('cpu', 'cuda:0').")
      .def("__repr__", [](const ssmrt::Device &d) {
        return "<ssmc.Device '" + d.name() + "'>";
      });

  py::class_<BoundBuffers>(
      m, "BoundBuffers",
      "Caller buffers converted once by Module.bind_buffers.")
      .def("__len__", [](const BoundBuffers &b) { return b.tensors.size(); })
      .def_property_readonly(
          "device", [](const BoundBuffers &b) { return b.device; });

  py::class_<ssmrt::Module, ModulePtr>(
      m, "Module",
      "A loaded .ssmb module, ready to invoke on its device (thread-safe).")
      .def_static(
          "load",
          [](const ssmrt::Device &device, const std::string &path) {
            std::optional<ssmrt::Expected<ssmrt::Module>> module;
            {
              py::gil_scoped_release release;
              module.emplace(ssmrt::Module::load(device, path));
            }
            return std::make_shared<ssmrt::Module>(unwrap(std::move(*module)));
          },
          py::arg("device"), py::arg("path"),
          "Maps and validates the .ssmb file at `path` and loads its kernels.")
      .def_static("from_bytes", &loadFromBuffer, py::arg("device"),
                  py::arg("data"),
                  "Loads a .ssmb from bytes (any buffer; copied).")
      .def_property_readonly("functions", &ssmrt::Module::functions,
                             "Entry function names, in artifact order.")
      .def(
          "signature",
          [](const ssmrt::Module &module, const std::string &function) {
            return unwrap(module.signature(function));
          },
          py::arg("function"), "The FunctionSignature of `function`.")
      .def(
          "memory_plan",
          [](const ssmrt::Module &module, const std::string &function) {
            return unwrap(module.memoryPlan(function));
          },
          py::arg("function"), "The static MemoryPlan of `function`.")
      .def(
          "peak_bytes",
          [](const ssmrt::Module &module, const std::string &function) {
            return unwrap(module.peakBytes(function));
          },
          py::arg("function"), "memory_plan(function).peak_bytes.")
      .def("invoke", &invoke, py::arg("function"), py::arg("inputs"),
           "Runs `function` on `inputs` (Tensors, C-order NumPy arrays or "
           "CPU DLPack objects, read without copying) and returns the "
           "outputs as a list of owned Tensors. The inputs must match the "
           "signature exactly (count, dtype, shape): errors name the input. "
           "The GIL is released while the function runs.")
      .def("bind_buffers", &bindBuffers, py::arg("buffers"),
           "Converts caller buffers of the module's device once, for any "
           "number of invoke_with_buffers calls: the returned BoundBuffers "
           "stands for them, in order, inside an input or output list. The "
           "buffers must stay in place (written, not replaced) while bound; "
           "GPU buffers are bound without stream ordering (order pending "
           "work before each call).")
      .def("invoke_with_buffers", &invokeWithBuffers, py::arg("function"),
           py::arg("inputs"), py::arg("outputs"), py::arg("poison") = false,
           py::arg("graphs") = py::none(), py::arg("sync_streams") = true,
           "Runs `function` on caller buffers of the module's device, "
           "without host copies: on 'cuda:N' tensors on that GPU exporting "
           "__dlpack__ (e.g. CUDA torch tensors, C-contiguous), on 'cpu' "
           "NumPy arrays / CPU tensors. Inputs are read in place, every "
           "output is written into `outputs[i]` (which must match the "
           "signature exactly and overlap nothing else). Returns when the "
           "outputs are written. poison: outputs start as 0xFF bytes. "
           "graphs: None follows $SSMRT_CUDA_GRAPHS, True/False force CUDA "
           "graphs on/off. sync_streams: GPU tensors are exported for the "
           "legacy default stream (each producer orders its pending writes "
           "before the call); False when the caller has done that already "
           "(cheaper: no stream work per tensor). The GIL is released while "
           "it runs.")
      .def("time", &timeFunction, py::arg("function"), py::arg("inputs"),
           py::arg("warmup") = 3, py::arg("iterations") = 10,
           py::arg("graphs") = py::none(),
           "Times `function` on host `inputs`: `warmup` untimed runs, then "
           "`iterations` timed ones (ms each). On a GPU the inputs stay "
           "resident and each run is the device time between events; on the "
           "CPU a whole invoke. graphs as for invoke_with_buffers.")
      .def("execution_stats", &executionStats, py::arg("function"),
           "How the GPU runs of `function` went: a dict with plain_runs, "
           "graph_captures, graph_replays, capture_failures and "
           "last_capture_failure (all zero on the CPU).")
      .def_property_readonly("compiler_version",
                             &ssmrt::Module::compilerVersion,
                             "The compiler version string of the artifact.")
      .def_property_readonly(
          "model_info",
          [](const ssmrt::Module &module) {
            return modelInfoToPython(module.modelInfo());
          },
          "The model description recorded by the compiler (see "
          "inspect_module), or None.")
      .def_property_readonly("path", &ssmrt::Module::path,
                             "The path it was loaded from ('' for bytes).")
      .def_property_readonly("device", &ssmrt::Module::device,
                             "The Device it runs on.");

  m.def(
      "inspect_module",
      [](const py::object &source) {
        std::optional<ssmrt::Expected<ssmrt::ModuleInfo>> info;
        if (py::isinstance<py::str>(source)) {
          std::string path = source.cast<std::string>();
          py::gil_scoped_release release;
          info.emplace(ssmrt::ModuleInfo::read(path));
        } else {
          ByteView bytes(source);
          py::gil_scoped_release release;
          info.emplace(
              ssmrt::ModuleInfo::fromMemory(bytes.data(), bytes.size()));
        }
        return moduleInfoToPython(unwrap(std::move(*info)));
      },
      py::arg("source"),
      "What a .ssmb (a path, or bytes) declares, validated but not loaded, "
      "so no device is needed: {'format_version', 'compiler_version', "
      "'functions' (FunctionSignatures), 'model_info' (dict with name, "
      "family, preprocessing, properties; or None), 'kernel_objects' "
      "(dicts with target, format, chip, size)}.");

  // .safetensors and .npy.
  m.def(
      "read_safetensors",
      [](const std::string &path) {
        return fileToPython(unwrap(ssmrt::safetensors::read(path)));
      },
      py::arg("path"),
      "Reads a .safetensors file: (dict name -> Tensor in name order, "
      "metadata dict). Fully validated; corrupt files raise DataLossError.");
  m.def(
      "parse_safetensors",
      [](const py::object &data) {
        ByteView bytes(data);
        return fileToPython(
            unwrap(ssmrt::safetensors::parse(bytes.data(), bytes.size())));
      },
      py::arg("data"), "read_safetensors from bytes.");
  m.def(
      "write_safetensors",
      [](const std::string &path, const py::object &tensors,
         const py::object &metadata) {
        std::vector<TensorPtr> keep;
        auto views = namedViews(tensors, keep);
        check(ssmrt::safetensors::write(path, views, metadataOf(metadata)));
      },
      py::arg("path"), py::arg("tensors"), py::arg("metadata") = py::none(),
      "Writes tensors (a dict name -> array/Tensor/DLPack object, or "
      "(name, tensor) pairs) and optional string metadata to a .safetensors "
      "file.");
  m.def(
      "serialize_safetensors",
      [](const py::object &tensors, const py::object &metadata) {
        std::vector<TensorPtr> keep;
        auto views = namedViews(tensors, keep);
        std::vector<uint8_t> bytes =
            unwrap(ssmrt::safetensors::serialize(views, metadataOf(metadata)));
        return py::bytes(reinterpret_cast<const char *>(bytes.data()),
                         bytes.size());
      },
      py::arg("tensors"), py::arg("metadata") = py::none(),
      "write_safetensors to bytes.");
  m.def(
      "read_npy",
      [](const std::string &path) {
        return Tensor::owning(unwrap(ssmrt::npy::read(path)));
      },
      py::arg("path"), "Reads a .npy file ('<u2' is read as bf16).");
  m.def(
      "write_npy",
      [](const std::string &path, const py::object &tensor) {
        TensorPtr t = asTensor(tensor);
        check(ssmrt::npy::write(path, t->view()));
      },
      py::arg("path"), py::arg("tensor"),
      "Writes a tensor as .npy (bf16 as '<u2').");
}
