//===- compiler_module.cpp - ssmc._ssm_compiler: the compiler in Python ---===//
//
// Part of the ssmc project. A thin pybind11 layer over the one compile driver
// (include/ssm/Compiler/Compile.h: compileModule, CompileOptions, phases) and
// the model builders (include/ssm/Models/Models.h). Needs LLVM/MLIR 22; built
// only from the top-level project (SSM_BUILD_COMPILER and SSM_BUILD_PYTHON).
//
// Every call gets its own MLIRContext. Diagnostics (parse errors, verifier
// and pass failures) are collected as text, with source lines for IR given
// as text, and raised as ssmc.CompileError carrying all of it. The GIL is
// released while parsing, building and compiling.
//
//===----------------------------------------------------------------------===//

#include "ssm/Compiler/Compile.h"
#ifdef SSMC_HAVE_MODELS
#include "ssm/Models/Models.h"
#endif

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;
using namespace mlir;

namespace {

using Options = std::vector<std::pair<std::string, std::string>>;

/// Exception classes of ssmc.errors: CompileError, InvalidArgumentError.
PyObject *compileErrorClass = nullptr;
PyObject *invalidArgumentClass = nullptr;

[[noreturn]] void raise(PyObject *cls, const std::string &message) {
  PyErr_SetString(cls, message.c_str());
  throw py::error_already_set();
}

/// What one compilation produced, or its diagnostics.
struct Outcome {
  bool ok = false;
  std::string diagnostics; // every diagnostic, as printed by MLIR
  std::string error;       // a non-diagnostic error (bad option, ...)
  ssm::CompileResult result;
};

struct CompileRequest {
  // Exactly one of: IR text, or a model name (+ options).
  std::string irText;
  std::string sourceName = "<string>";
  std::string model;
  Options modelOptions;
  bool isModel = false;
  ssm::CompileOptions options;
};

/// The compile result as Python sees it.
struct PyCompileResult {
  py::bytes data;
  bool isText = false;
  std::string stats;
  std::map<std::string, uint64_t> workspaceBytes;
  std::string diagnostics;
};

std::unique_ptr<MLIRContext> makeContext() {
  DialectRegistry registry;
  ssm::registerCompilerDialects(registry);
  return std::make_unique<MLIRContext>(registry);
}

#ifdef SSMC_HAVE_MODELS
FailureOr<ssm::models::ModelConfig>
resolve(const std::string &model, const Options &options, std::string &error) {
  return ssm::models::resolveModelConfig(model, options, error);
}
#endif

/// Parses or builds the module, then compiles it. No Python calls: runs
/// without the GIL.
Outcome runCompile(const CompileRequest &request) {
  Outcome outcome;
  std::unique_ptr<MLIRContext> context = makeContext();
  // Errors point at source lines (IR text) or name the model; a dump of the
  // whole module after each would bury them.
  context->printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  llvm::raw_string_ostream os(outcome.diagnostics);
  SourceMgrDiagnosticHandler handler(sourceMgr, context.get(), os);

  OwningOpRef<ModuleOp> module;
  ssm::CompileOptions options = request.options;
  if (request.isModel) {
#ifdef SSMC_HAVE_MODELS
    FailureOr<ssm::models::ModelConfig> config =
        resolve(request.model, request.modelOptions, outcome.error);
    if (failed(config))
      return outcome;
    // Recorded in the artifact for every target, as ssm-compile --model does.
    options.modelInfo = ssm::models::describeModel(*config);
    module = ssm::models::buildModel(*context, *config);
    if (!module) {
      outcome.error = "building model '" + request.model + "' failed";
      return outcome;
    }
#else
    outcome.error = "this build of ssmc has no model builders (the compiler "
                    "module was built without SSMModels)";
    return outcome;
#endif
  } else {
    sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(
                                     request.irText, request.sourceName),
                                 llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, context.get());
    if (!module)
      return outcome;
  }

  FailureOr<ssm::CompileResult> result = ssm::compileModule(*module, options);
  if (failed(result))
    return outcome;
  outcome.ok = true;
  outcome.result = std::move(*result);
  return outcome;
}

PyCompileResult compile(const CompileRequest &request) {
  std::optional<Outcome> outcome;
  {
    py::gil_scoped_release release;
    outcome.emplace(runCompile(request));
  }
  if (!outcome->error.empty())
    raise(invalidArgumentClass, outcome->error);
  if (!outcome->ok) {
    std::string what = request.isModel
                           ? "compiling model '" + request.model + "' failed"
                           : "compiling " + request.sourceName + " failed";
    std::string message = outcome->diagnostics.empty()
                              ? what + " (no diagnostic was reported)"
                              : what + ":\n" + outcome->diagnostics;
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    raise(compileErrorClass, message);
  }
  PyCompileResult result;
  const std::vector<char> &bytes = outcome->result.bytes;
  result.data = py::bytes(bytes.data(), bytes.size());
  result.isText = outcome->result.isText;
  result.stats = outcome->result.stats;
  result.workspaceBytes = outcome->result.workspaceBytes;
  result.diagnostics = outcome->diagnostics;
  return result;
}

ssm::CompileOptions
compileOptions(const std::string &target, const std::string &phase,
               const std::string &embedWeights, const std::string &cpu,
               const std::string &linker, unsigned optLevel, bool gradients,
               bool train, const Options &trainOptions) {
  ssm::CompileOptions options;
  options.gradients = gradients;
  if (!trainOptions.empty() && !train)
    raise(invalidArgumentClass, "train_options need train=True");
  if (train) {
    ssm::TrainStepOptions step;
    for (const auto &[key, value] : trainOptions) {
      std::string error;
      if (failed(ssm::parseTrainStepOption(step, key, value, error)))
        raise(invalidArgumentClass, error);
    }
    options.train = step;
  }
  std::optional<ssm::Target> parsedTarget = ssm::parseTarget(target);
  if (!parsedTarget)
    raise(invalidArgumentClass, "unknown target '" + target + "' (expected " +
                                    ssm::targetNames().str() + ")");
  std::optional<ssm::Phase> parsedPhase = ssm::parsePhase(phase);
  if (!parsedPhase)
    raise(invalidArgumentClass, "unknown phase '" + phase + "' (expected " +
                                    ssm::phaseNames().str() + ")");
  if (optLevel > 3)
    raise(invalidArgumentClass,
          "opt_level must be 0..3, got " + std::to_string(optLevel));
  options.target = *parsedTarget;
  options.phase = *parsedPhase;
  options.embedWeightsPath = embedWeights;
  options.cpu.cpu = cpu;
  options.cpu.linker = linker;
  options.cpu.optLevel = optLevel;
  return options;
}

#ifdef SSMC_HAVE_MODELS
ssm::models::ModelConfig resolveOrRaise(const std::string &model,
                                        const Options &options) {
  std::string error;
  FailureOr<ssm::models::ModelConfig> config = resolve(model, options, error);
  if (failed(config))
    raise(invalidArgumentClass,
          error.empty() ? "invalid model '" + model + "'" : error);
  return *config;
}

py::dict configDict(const ssm::models::ModelConfig &c) {
  py::dict d;
  d["variant"] = c.variant;
  d["family"] = ssm::models::familyName(c.family).str();
  d["img"] = c.imageSize;
  d["batch"] = c.batch;
  d["classes"] = c.numClasses;
  d["in_channels"] = c.inChannels;
  d["dtype"] = c.bf16 ? "bf16" : "f32";
  if (c.family == ssm::models::Family::Vim ||
      c.family == ssm::models::Family::FastVim) {
    d["embed_dim"] = c.embedDim;
    d["depth"] = c.depth;
    d["patch"] = c.patch;
    d["stride"] = c.stride;
    d["d_state"] = c.dState;
    d["d_conv"] = c.dConv;
    d["expand"] = c.expand;
  }
  if (c.family == ssm::models::Family::FastVim) {
    d["pool"] = c.fastvimMaxPool ? "max" : "mean";
    d["pool_scale"] = c.fastvimPoolScale;
  }
  if (c.family == ssm::models::Family::VMamba ||
      c.family == ssm::models::Family::MambaOut) {
    d["dims"] = c.dims;
    d["depths"] = c.depths;
  }
  if (c.family == ssm::models::Family::VMamba) {
    d["v0"] = c.vmambaV0;
    d["d_state"] = c.dState;
    d["ssm_ratio"] = c.ssmRatio;
    d["mlp_ratio"] = c.mlpRatio;
  }
  if (c.family == ssm::models::Family::MambaOut) {
    d["expansion_ratio"] = c.expansionRatio;
    d["conv_kernel"] = c.convKernel;
  }
  return d;
}
#endif

#ifndef SSMC_HAVE_MODELS
[[noreturn]] void noModels() {
  raise(invalidArgumentClass,
        "this build of ssmc has no model builders (the compiler module was "
        "built without SSMModels)");
}
#endif

} // namespace

PYBIND11_MODULE(_ssm_compiler, m) {
  m.doc() = "ssmc compiler bindings: ssm IR or a registered model -> .ssmb "
            "(or IR of an earlier phase). Use the `ssmc` package; this "
            "module is its low-level layer.";

  // Exceptions: defined in Python (ssmc/errors.py).
  py::module_ errorsModule = py::module_::import("ssmc.errors");
  py::object compileError = errorsModule.attr("CompileError");
  py::object invalidArgument = errorsModule.attr("InvalidArgumentError");
  m.attr("CompileError") = compileError;
  m.attr("InvalidArgumentError") = invalidArgument;
  compileErrorClass = compileError.release().ptr(); // kept for the process
  invalidArgumentClass = invalidArgument.release().ptr();

  py::class_<PyCompileResult>(m, "CompileResult",
                              "What compile_ir / compile_model produced.")
      .def_readonly("data", &PyCompileResult::data,
                    "The output: the .ssmb (phase 'artifact'), the kernel "
                    "shared object ('binary') or IR text (earlier phases), "
                    "as bytes.")
      .def_readonly("is_text", &PyCompileResult::isText,
                    "True when data is IR text (phases before 'binary').")
      .def_readonly("stats", &PyCompileResult::stats,
                    "Per-phase wall times and sizes.")
      .def_readonly("workspace_bytes", &PyCompileResult::workspaceBytes,
                    "Planned workspace bytes of each entry function (phases "
                    "'binary' and 'artifact').")
      .def_readonly("diagnostics", &PyCompileResult::diagnostics,
                    "Warnings and remarks reported by a successful "
                    "compilation.");

  m.def(
      "compile_ir",
      [](const std::string &text, const std::string &target,
         const std::string &phase, const std::string &embedWeights,
         const std::string &cpu, const std::string &linker, unsigned optLevel,
         const std::string &sourceName, bool gradients, bool train,
         const Options &trainOptions) {
        CompileRequest request;
        request.irText = text;
        request.sourceName = sourceName;
        request.options =
            compileOptions(target, phase, embedWeights, cpu, linker, optLevel,
                           gradients, train, trainOptions);
        return compile(request);
      },
      py::arg("text"), py::arg("target") = "cpu", py::arg("phase") = "artifact",
      py::arg("embed_weights") = "", py::arg("cpu") = "host",
      py::arg("linker") = "", py::arg("opt_level") = 3,
      py::arg("source_name") = "<string>", py::arg("gradients") = false,
      py::arg("train") = false, py::arg("train_options") = Options{},
      "Parses MLIR text and compiles it up to `phase`. embed_weights: a "
      ".safetensors path whose tensors become constants for the entry "
      "inputs of the same name. gradients: also emit <f>_grad for every "
      "public function (ssm-autodiff). train: also emit train_step "
      "(TrainStep.h), set by train_options ((key, value) strings). Raises "
      "CompileError with the diagnostics.");

  m.def(
      "compile_model",
      [](const std::string &model, const Options &options,
         const std::string &target, const std::string &phase,
         const std::string &embedWeights, const std::string &cpu,
         const std::string &linker, unsigned optLevel, bool gradients,
         bool train, const Options &trainOptions) {
        CompileRequest request;
        request.isModel = true;
        request.model = model;
        request.modelOptions = options;
        request.options =
            compileOptions(target, phase, embedWeights, cpu, linker, optLevel,
                           gradients, train, trainOptions);
        return compile(request);
      },
      py::arg("model"), py::arg("options") = Options{},
      py::arg("target") = "cpu", py::arg("phase") = "artifact",
      py::arg("embed_weights") = "", py::arg("cpu") = "host",
      py::arg("linker") = "", py::arg("opt_level") = 3,
      py::arg("gradients") = false, py::arg("train") = false,
      py::arg("train_options") = Options{},
      "Builds a registered model variant with key=value overrides "
      "(list of (key, value) strings) and compiles it (gradients: also "
      "forward_grad; train: also train_step; see compile_ir). Unknown models, "
      "keys or values raise "
      "InvalidArgumentError.");

  m.def(
      "no_weight_decay",
      [](const std::string &name, const std::vector<int64_t> &shape) {
        return ssm::noWeightDecay(name, shape);
      },
      py::arg("name"), py::arg("shape"),
      "Whether train_step exempts the parameter from weight decay (the "
      "recipes' rule: biases, rank <= 1, A_log / D variants, cls_token, "
      "pos_embed).");

  m.def(
      "drop_path_hash",
      [](uint32_t seed, uint32_t index, uint32_t sample) {
        return ssm::dropPathHash(seed, index, sample);
      },
      py::arg("seed"), py::arg("index"), py::arg("sample"),
      "The 32-bit hash train_step's drop path draws a keep decision from "
      "(TrainStep.h dropPathHash).");
  m.def(
      "drop_path_threshold",
      [](double rate) { return ssm::dropPathThreshold(rate); }, py::arg("rate"),
      "A sample keeps a branch dropped at `rate` when drop_path_hash >> 8 is "
      "below this.");

  m.def(
      "phase_names",
      []() {
        std::vector<std::string> names;
        llvm::StringRef rest = ssm::phaseNames();
        while (!rest.empty()) {
          auto [name, tail] = rest.split(',');
          names.push_back(name.trim().str());
          rest = tail;
        }
        return names;
      },
      "The phases compile can stop after, in pipeline order.");

#ifdef SSMC_HAVE_MODELS
  m.attr("HAS_MODELS") = true;
  m.def("variant_names", &ssm::models::variantNames,
        "The registered model variant names, in a stable order.");
  m.def(
      "resolve_model_config",
      [](const std::string &model, const Options &options) {
        return configDict(resolveOrRaise(model, options));
      },
      py::arg("model"), py::arg("options") = Options{},
      "The hyper-parameters of `model` with the overrides applied, as a "
      "dict.");
  m.def(
      "weight_specs",
      [](const std::string &model, const Options &options) {
        py::list specs;
        for (const ssm::models::WeightSpec &spec :
             ssm::models::weightSpecs(resolveOrRaise(model, options))) {
          py::tuple shape(spec.shape.size());
          for (size_t i = 0; i < spec.shape.size(); ++i)
            shape[i] = py::int_(spec.shape[i]);
          specs.append(py::make_tuple(spec.name, shape));
        }
        return specs;
      },
      py::arg("model"), py::arg("options") = Options{},
      "[(official weight name, shape tuple)] in argument order.");
  m.def(
      "image_shape",
      [](const std::string &model, const Options &options) {
        std::vector<int64_t> shape =
            ssm::models::imageShape(resolveOrRaise(model, options));
        py::tuple t(shape.size());
        for (size_t i = 0; i < shape.size(); ++i)
          t[i] = py::int_(shape[i]);
        return t;
      },
      py::arg("model"), py::arg("options") = Options{},
      "The input image shape (B, 3, H, W).");
  m.def(
      "preprocessing",
      [](const std::string &model, const Options &options) {
        ssm::models::Preprocessing p =
            ssm::models::preprocessing(resolveOrRaise(model, options));
        py::dict d;
        d["resize_to"] = p.resizeTo;
        d["crop"] = p.crop;
        d["mean"] = py::make_tuple(p.mean[0], p.mean[1], p.mean[2]);
        d["std"] = py::make_tuple(p.std[0], p.std[1], p.std[2]);
        return d;
      },
      py::arg("model"), py::arg("options") = Options{},
      "Eval preprocessing: {'resize_to', 'crop', 'mean', 'std'}.");
#else
  m.attr("HAS_MODELS") = false;
  m.def(
      "variant_names", []() { return std::vector<std::string>{}; },
      "Empty: this build has no model builders.");
  auto none = [](const std::string &, const Options &) -> py::object {
    noModels();
  };
  for (const char *name :
       {"resolve_model_config", "weight_specs", "image_shape", "preprocessing"})
    m.def(name, none, py::arg("model"), py::arg("options") = Options{},
          "Unavailable: this build has no model builders.");
#endif
}
