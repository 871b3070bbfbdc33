//===- c_api.cpp - C API of the ssm runtime -------------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/c_api.h"

#include "ssmrt/api.h"

#include "strings.h"

#include <functional>
#include <new>

using ssmrt::detail::strCat;

struct ssmrt_status_t {
  int32_t code;
  std::string text;
};

struct ssmrt_instance_t {
  ssmrt::Instance instance;
};

struct ssmrt_module_t {
  ssmrt::Module module;
  std::vector<std::string> functions;
};

struct ssmrt_outputs_t {
  std::vector<ssmrt::HostTensor> tensors;
};

namespace {

/// Returned when even allocating the status fails; never freed.
ssmrt_status_t gOutOfMemory{static_cast<int32_t>(ssmrt::StatusCode::Internal),
                            "Internal: out of memory reporting an error"};

ssmrt_status makeStatus(const ssmrt::Status &status) {
  if (status.ok())
    return nullptr;
  auto *s = new (std::nothrow) ssmrt_status_t;
  if (!s)
    return &gOutOfMemory;
  s->code = static_cast<int32_t>(status.code());
  s->text = status.toString();
  return s;
}

ssmrt_status invalid(const std::string &message) {
  return makeStatus(ssmrt::invalidArgumentError(message));
}

const ssmrt::HostTensor *output(const ssmrt_outputs *outputs, size_t index) {
  if (!outputs || index >= outputs->tensors.size())
    return nullptr;
  return &outputs->tensors[index];
}

ssmrt_status loadModule(
    ssmrt_instance *instance, const char *device, ssmrt_module **out,
    const std::function<ssmrt::Expected<ssmrt::Module>(const ssmrt::Device &)>
        &load) {
  if (!out)
    return invalid("out_module is null");
  *out = nullptr;
  if (!instance)
    return invalid("instance is null");
  ssmrt::Expected<ssmrt::Device> dev =
      instance->instance.openDevice(device ? device : "cpu");
  if (!dev.ok())
    return makeStatus(dev.status());
  ssmrt::Expected<ssmrt::Module> module = load(*dev);
  if (!module.ok())
    return makeStatus(module.status());
  std::vector<std::string> functions = module->functions();
  *out = new ssmrt_module_t{std::move(*module), std::move(functions)};
  return nullptr;
}

} // namespace

extern "C" {

int32_t ssmrt_status_code(ssmrt_status status) {
  return status ? status->code : SSMRT_OK;
}

const char *ssmrt_status_message(ssmrt_status status) {
  return status ? status->text.c_str() : "Ok";
}

void ssmrt_status_free(ssmrt_status status) {
  if (status != &gOutOfMemory)
    delete status;
}

ssmrt_status ssmrt_instance_create(int32_t num_threads,
                                   ssmrt_instance **out_instance) {
  if (!out_instance)
    return invalid("out_instance is null");
  *out_instance = nullptr;
  if (num_threads < 0)
    return invalid(strCat("num_threads is negative (", num_threads, ")"));
  ssmrt::InstanceOptions options;
  options.numThreads = static_cast<size_t>(num_threads);
  ssmrt::Expected<ssmrt::Instance> instance = ssmrt::Instance::create(options);
  if (!instance.ok())
    return makeStatus(instance.status());
  *out_instance = new ssmrt_instance_t{std::move(*instance)};
  return nullptr;
}

void ssmrt_instance_destroy(ssmrt_instance *instance) { delete instance; }

int32_t ssmrt_instance_num_threads(const ssmrt_instance *instance) {
  return instance ? static_cast<int32_t>(instance->instance.numThreads()) : 0;
}

ssmrt_status ssmrt_module_load(ssmrt_instance *instance, const char *device,
                               const char *path, ssmrt_module **out_module) {
  if (!path) {
    if (out_module)
      *out_module = nullptr;
    return invalid("path is null");
  }
  std::string p(path);
  return loadModule(instance, device, out_module, [&p](const ssmrt::Device &d) {
    return ssmrt::Module::load(d, p);
  });
}

ssmrt_status ssmrt_module_load_from_memory(ssmrt_instance *instance,
                                           const char *device, const void *data,
                                           size_t size,
                                           ssmrt_module **out_module) {
  return loadModule(instance, device, out_module,
                    [data, size](const ssmrt::Device &d) {
                      return ssmrt::Module::loadFromMemory(d, data, size);
                    });
}

void ssmrt_module_destroy(ssmrt_module *module) { delete module; }

size_t ssmrt_module_function_count(const ssmrt_module *module) {
  return module ? module->functions.size() : 0;
}

const char *ssmrt_module_function_name(const ssmrt_module *module,
                                       size_t index) {
  if (!module || index >= module->functions.size())
    return nullptr;
  return module->functions[index].c_str();
}

ssmrt_status ssmrt_module_io_count(const ssmrt_module *module,
                                   const char *function, int32_t is_output,
                                   size_t *out_count) {
  if (!module || !function || !out_count)
    return invalid("ssmrt_module_io_count: null argument");
  ssmrt::Expected<ssmrt::FunctionSignature> sig =
      module->module.signature(function);
  if (!sig.ok())
    return makeStatus(sig.status());
  *out_count = is_output ? sig->outputs.size() : sig->inputs.size();
  return nullptr;
}

ssmrt_status ssmrt_module_io_desc(const ssmrt_module *module,
                                  const char *function, int32_t is_output,
                                  size_t index, int32_t *out_dtype,
                                  int32_t *out_rank, int64_t *out_dims) {
  if (!module || !function || !out_dtype || !out_rank || !out_dims)
    return invalid("ssmrt_module_io_desc: null argument");
  ssmrt::Expected<ssmrt::FunctionSignature> sig =
      module->module.signature(function);
  if (!sig.ok())
    return makeStatus(sig.status());
  const std::vector<ssmrt::TensorDesc> &list =
      is_output ? sig->outputs : sig->inputs;
  if (index >= list.size())
    return makeStatus(ssmrt::outOfRangeError(
        strCat(is_output ? "output " : "input ", index, " out of range ('",
               function, "' has ", list.size(), ")")));
  const ssmrt::TensorDesc &desc = list[index];
  *out_dtype = static_cast<int32_t>(desc.dtype);
  *out_rank = static_cast<int32_t>(desc.dims.size());
  for (size_t d = 0; d < desc.dims.size(); ++d)
    out_dims[d] = desc.dims[d];
  return nullptr;
}

ssmrt_status ssmrt_module_peak_bytes(const ssmrt_module *module,
                                     const char *function,
                                     uint64_t *out_bytes) {
  if (!module || !function || !out_bytes)
    return invalid("ssmrt_module_peak_bytes: null argument");
  ssmrt::Expected<uint64_t> bytes = module->module.peakBytes(function);
  if (!bytes.ok())
    return makeStatus(bytes.status());
  *out_bytes = *bytes;
  return nullptr;
}

namespace {
/// The TensorViews of the flat C input description, or an error.
ssmrt_status parseInputs(const char *what, size_t input_count,
                         const int32_t *dtypes, const int32_t *ranks,
                         const int64_t *dims, const void *const *data,
                         std::vector<ssmrt::TensorView> &inputs,
                         const char *kind = "input") {
  if (input_count > 0 && (!dtypes || !ranks || !data))
    return invalid(strCat(what, ": ", kind,
                          " dtypes, ranks and data must be "
                          "non-null when the ",
                          kind, " count > 0"));
  inputs.assign(input_count, ssmrt::TensorView());
  size_t dimIndex = 0;
  for (size_t i = 0; i < input_count; ++i) {
    if (ranks[i] < 0 ||
        ranks[i] > static_cast<int32_t>(ssmrt::format::kMaxRank))
      return invalid(strCat(kind, " ", i, ": rank ", ranks[i],
                            " is out of range (0..", ssmrt::format::kMaxRank,
                            ")"));
    if (ranks[i] > 0 && !dims)
      return invalid(strCat(what, ": dims is null"));
    inputs[i].dtype = static_cast<ssmrt::DType>(dtypes[i]);
    inputs[i].dims.assign(dims + dimIndex, dims + dimIndex + ranks[i]);
    dimIndex += static_cast<size_t>(ranks[i]);
    inputs[i].data = data[i];
  }
  return nullptr;
}
} // namespace

namespace {
constexpr uint32_t kAllInvokeFlags =
    SSMRT_INVOKE_POISON_OUTPUTS | SSMRT_INVOKE_NO_GRAPHS | SSMRT_INVOKE_GRAPHS;

/// The InvokeOptions of `flags`, or an error naming `what`.
ssmrt_status invokeOptions(const char *what, uint32_t flags,
                           ssmrt::InvokeOptions &options) {
  if (flags & ~kAllInvokeFlags)
    return invalid(strCat(what, ": unknown flags ", flags));
  if ((flags & SSMRT_INVOKE_NO_GRAPHS) && (flags & SSMRT_INVOKE_GRAPHS))
    return invalid(strCat(what, ": SSMRT_INVOKE_NO_GRAPHS and "
                                "SSMRT_INVOKE_GRAPHS contradict each other"));
  options.poisonOutputs = (flags & SSMRT_INVOKE_POISON_OUTPUTS) != 0;
  if (flags & SSMRT_INVOKE_NO_GRAPHS)
    options.graphs = ssmrt::InvokeOptions::Graphs::Off;
  if (flags & SSMRT_INVOKE_GRAPHS)
    options.graphs = ssmrt::InvokeOptions::Graphs::On;
  return nullptr;
}
} // namespace

ssmrt_status ssmrt_module_invoke(const ssmrt_module *module,
                                 const char *function, size_t input_count,
                                 const int32_t *dtypes, const int32_t *ranks,
                                 const int64_t *dims, const void *const *data,
                                 ssmrt_outputs **out_outputs) {
  return ssmrt_module_invoke_with_flags(module, function, input_count, dtypes,
                                        ranks, dims, data, 0, out_outputs);
}

ssmrt_status ssmrt_module_invoke_with_flags(
    const ssmrt_module *module, const char *function, size_t input_count,
    const int32_t *dtypes, const int32_t *ranks, const int64_t *dims,
    const void *const *data, uint32_t flags, ssmrt_outputs **out_outputs) {
  if (!out_outputs)
    return invalid("out_outputs is null");
  *out_outputs = nullptr;
  if (!module || !function)
    return invalid("ssmrt_module_invoke: module or function is null");
  ssmrt::InvokeOptions options;
  if (ssmrt_status s = invokeOptions("ssmrt_module_invoke", flags, options))
    return s;
  std::vector<ssmrt::TensorView> inputs;
  if (ssmrt_status s = parseInputs("ssmrt_module_invoke", input_count, dtypes,
                                   ranks, dims, data, inputs))
    return s;
  ssmrt::Expected<std::vector<ssmrt::HostTensor>> outputs =
      module->module.invoke(function, inputs, options);
  if (!outputs.ok())
    return makeStatus(outputs.status());
  *out_outputs = new ssmrt_outputs_t{std::move(*outputs)};
  return nullptr;
}

ssmrt_status ssmrt_module_time(const ssmrt_module *module, const char *function,
                               size_t input_count, const int32_t *dtypes,
                               const int32_t *ranks, const int64_t *dims,
                               const void *const *data, int32_t warmup,
                               int32_t iterations, double *out_ms) {
  return ssmrt_module_time_with_flags(module, function, input_count, dtypes,
                                      ranks, dims, data, warmup, iterations, 0,
                                      out_ms);
}

ssmrt_status ssmrt_module_time_with_flags(
    const ssmrt_module *module, const char *function, size_t input_count,
    const int32_t *dtypes, const int32_t *ranks, const int64_t *dims,
    const void *const *data, int32_t warmup, int32_t iterations, uint32_t flags,
    double *out_ms) {
  if (!module || !function || !out_ms)
    return invalid("ssmrt_module_time: module, function or out_ms is null");
  ssmrt::InvokeOptions options;
  if (ssmrt_status s = invokeOptions("ssmrt_module_time", flags, options))
    return s;
  if (options.poisonOutputs)
    return invalid("ssmrt_module_time: SSMRT_INVOKE_POISON_OUTPUTS does not "
                   "apply to timing");
  std::vector<ssmrt::TensorView> inputs;
  if (ssmrt_status s = parseInputs("ssmrt_module_time", input_count, dtypes,
                                   ranks, dims, data, inputs))
    return s;
  ssmrt::Expected<std::vector<double>> ms =
      module->module.time(function, inputs, warmup, iterations, options);
  if (!ms.ok())
    return makeStatus(ms.status());
  for (size_t i = 0; i < ms->size(); ++i)
    out_ms[i] = (*ms)[i];
  return nullptr;
}

ssmrt_status ssmrt_module_invoke_buffers(
    const ssmrt_module *module, const char *function, size_t input_count,
    const int32_t *dtypes, const int32_t *ranks, const int64_t *dims,
    const void *const *data, size_t output_count, const int32_t *out_dtypes,
    const int32_t *out_ranks, const int64_t *out_dims, void *const *out_data,
    uint32_t flags) {
  const char *what = "ssmrt_module_invoke_buffers";
  if (!module || !function)
    return invalid(strCat(what, ": module or function is null"));
  ssmrt::InvokeOptions options;
  if (ssmrt_status s = invokeOptions(what, flags, options))
    return s;
  std::vector<ssmrt::TensorView> inputs, outputs;
  if (ssmrt_status s =
          parseInputs(what, input_count, dtypes, ranks, dims, data, inputs))
    return s;
  if (ssmrt_status s = parseInputs(
          what, output_count, out_dtypes, out_ranks, out_dims,
          const_cast<const void *const *>(out_data), outputs, "output"))
    return s;
  return makeStatus(
      module->module.invokeWithBuffers(function, inputs, outputs, options));
}

ssmrt_status ssmrt_module_execution_stats(const ssmrt_module *module,
                                          const char *function,
                                          uint64_t *out_plain_runs,
                                          uint64_t *out_graph_captures,
                                          uint64_t *out_graph_replays,
                                          uint64_t *out_capture_failures) {
  if (!module || !function)
    return invalid("ssmrt_module_execution_stats: module or function is null");
  ssmrt::Expected<ssmrt::ExecutionStats> stats =
      module->module.executionStats(function);
  if (!stats.ok())
    return makeStatus(stats.status());
  if (out_plain_runs)
    *out_plain_runs = stats->plainRuns;
  if (out_graph_captures)
    *out_graph_captures = stats->graphCaptures;
  if (out_graph_replays)
    *out_graph_replays = stats->graphReplays;
  if (out_capture_failures)
    *out_capture_failures = stats->captureFailures;
  return nullptr;
}

size_t ssmrt_outputs_count(const ssmrt_outputs *outputs) {
  return outputs ? outputs->tensors.size() : 0;
}

int32_t ssmrt_outputs_dtype(const ssmrt_outputs *outputs, size_t index) {
  const ssmrt::HostTensor *t = output(outputs, index);
  return t ? static_cast<int32_t>(t->dtype()) : 0;
}

int32_t ssmrt_outputs_rank(const ssmrt_outputs *outputs, size_t index) {
  const ssmrt::HostTensor *t = output(outputs, index);
  return t ? static_cast<int32_t>(t->rank()) : -1;
}

const int64_t *ssmrt_outputs_dims(const ssmrt_outputs *outputs, size_t index) {
  const ssmrt::HostTensor *t = output(outputs, index);
  return t ? t->dims().data() : nullptr;
}

const void *ssmrt_outputs_data(const ssmrt_outputs *outputs, size_t index) {
  const ssmrt::HostTensor *t = output(outputs, index);
  return t ? t->data() : nullptr;
}

size_t ssmrt_outputs_byte_size(const ssmrt_outputs *outputs, size_t index) {
  const ssmrt::HostTensor *t = output(outputs, index);
  return t ? static_cast<size_t>(t->byteSize()) : 0;
}

void ssmrt_outputs_destroy(ssmrt_outputs *outputs) { delete outputs; }

} // extern "C"
