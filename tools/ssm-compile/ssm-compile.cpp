//===- ssm-compile.cpp - compile ssm IR into a .ssmb model binary -----===//
//
//   ssm-compile model.mlir --target=cpu -o model.ssmb
//   ssm-compile model.mlir --compile-to=bufferized      (prints IR)
//   ssm-compile --model=vim-t --img=224 --batch=8 --dtype=bf16 \
//               --weights=vim-t.safetensors -o vim-t.ssmb
//   ssm-compile --model=vim-t --grad -o vim-t-grad.ssmb  (+ forward_grad)
//   ssm-compile --list-models | --model=vim-t --print-weights
//   ssm-compile model.mlir --mlir-timing --mlir-print-ir-after-all
//
// --help lists ssm-compile's own options by category; MLIR's debugging
// flags are in --help-hidden.
//
//===----------------------------------------------------------------------===//

#include "ssm/Autodiff/Autodiff.h"
#include "ssm/Compiler/Compile.h"
#include "ssm/Models/Models.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

// --help lists these categories only; LLVM's own options are hidden, and the
// MLIR debugging flags are listed by --help-hidden. Every option declared
// here needs a cl::cat (test/ssm-compile/help.mlir checks), else
// HideUnrelatedOptions hides it.
static cl::OptionCategory compileCategory("Compilation options");
static cl::OptionCategory modelCategory(
    "Model options (build a registered model instead of reading IR)");
static cl::OptionCategory targetCategory("Target options");
static cl::OptionCategory kernelCategory(
    "GPU kernel options (convert-ssm-to-gpu; defaults in SSMToGPU.h)");
static cl::OptionCategory mlirCategory(
    "MLIR debugging options (--mlir-timing, --mlir-print-ir-after-all, ...)");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                                      cl::init("-"), cl::cat(compileCategory));
static cl::opt<std::string> outputFile("o", cl::desc("output file"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(compileCategory));
static cl::opt<std::string> targetName("target",
                                       cl::desc("cpu, nvptx or amdgpu"),
                                       cl::init("cpu"),
                                       cl::cat(targetCategory));
static cl::opt<std::string>
    chipName("chip",
             cl::desc("GPU chip: sm_XY for --target=nvptx (default sm_90), "
                      "gfx942 (default) or gfx90a for --target=amdgpu"),
             cl::init(""), cl::cat(targetCategory));
static cl::opt<bool> padLibraryBuffers(
    "gpu-pad-library-buffers",
    cl::desc("GPU: allocate the intermediates GEMM library calls use with "
             "rows padded to the library's 16-byte alignment (default on; "
             "=false keeps them dense)"),
    cl::init(mlir::ssm::kPadLibraryBuffersByDefault), cl::cat(targetCategory));
static cl::opt<std::string> rocmToolkit(
    "rocm-toolkit",
    cl::desc("--target=amdgpu: ROCm folder with llvm/bin/ld.lld and "
             "amdgcn/bitcode (default: the build's link farm over LLVM 22's "
             "ld.lld and Debian's rocm-device-libs)"),
    cl::init(""), cl::cat(targetCategory));
/// The GPU kernels' options (defaults in SSMToGPU.h), set by the
/// --scan-* flags below.
static ssm::GPUKernelOptions kernelOptions;
static cl::opt<int64_t, /*ExternalStorage=*/true> scanCrossScanSteps(
    "scan-cross-scan-steps",
    cl::desc("GPU: VMamba's cross_scan -> selective_scan -> cross_merge as "
             "one kernel with this many steps per lane (4 or 8; 0: three "
             "separate lowerings)"),
    cl::location(kernelOptions.crossScanSteps), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanChannelsPerBlock(
    "scan-channels-per-block",
    cl::desc("GPU selective-scan kernel: channels (threads) per block"),
    cl::location(kernelOptions.scan.channelsPerBlock), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true>
    scanTileSteps("scan-tile-steps",
                  cl::desc("GPU selective-scan kernel: time steps per "
                           "shared-memory tile (0: by shape)"),
                  cl::location(kernelOptions.scan.tileSteps),
                  cl::cat(kernelCategory));
static cl::opt<bool, /*ExternalStorage=*/true> scanAsyncCopies(
    "scan-async-copies",
    cl::desc("GPU selective-scan kernel: double-buffered cp.async tiles (f32)"),
    cl::location(kernelOptions.scan.asyncCopies), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanUnrollSteps(
    "scan-unroll-steps",
    cl::desc("GPU selective-scan kernel: steps per step-loop iteration"),
    cl::location(kernelOptions.scan.unrollSteps), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanLanesPerChannel(
    "scan-lanes-per-channel",
    cl::desc("GPU selective-scan kernel: threads per channel (states split "
             "across them)"),
    cl::location(kernelOptions.scan.lanesPerChannel), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanPolyExpStates(
    "scan-poly-exp-states",
    cl::desc("GPU selective-scan kernel: states per thread whose exp2 is a "
             "polynomial on the FMA pipe (-1: by shape)"),
    cl::location(kernelOptions.scan.polyExpStates), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanChannelsPerThread(
    "scan-channels-per-thread",
    cl::desc("GPU selective-scan kernel: channels per thread (sharing each "
             "step's B/C loads)"),
    cl::location(kernelOptions.scan.channelsPerThread),
    cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanMaxSharedMemory(
    "scan-max-shared-memory",
    cl::desc("GPU selective-scan kernel: shared memory bytes for the tiles "
             "(dynamic shared memory above 48 KiB)"),
    cl::location(kernelOptions.scan.maxSharedMemory), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanAsyncMinLength(
    "scan-async-min-length",
    cl::desc("GPU selective-scan kernel: f32 scans of at least this many "
             "steps use cp.async tiles (0: only with --scan-async-copies)"),
    cl::location(kernelOptions.scan.asyncMinLength), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanChunks(
    "scan-chunks",
    cl::desc("GPU selective-scan kernel: chunks of the steps scanned in "
             "parallel, then combined (0: chosen by shape, 1: one pass)"),
    cl::location(kernelOptions.scan.chunks), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanChunkMaxThreads(
    "scan-chunk-max-threads",
    cl::desc("GPU selective-scan kernel: chunks are chosen only for scans "
             "of fewer threads than this"),
    cl::location(kernelOptions.scan.chunkMaxThreads), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanChunkTargetThreads(
    "scan-chunk-target-threads",
    cl::desc("GPU selective-scan kernel: chosen chunks give at least this "
             "many threads"),
    cl::location(kernelOptions.scan.chunkTargetThreads),
    cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanChunkMinSteps(
    "scan-chunk-min-steps",
    cl::desc("GPU selective-scan kernel: chosen chunks have at least this "
             "many steps"),
    cl::location(kernelOptions.scan.chunkMinSteps), cl::cat(kernelCategory));
static cl::opt<bool, /*ExternalStorage=*/true> scanVectorLoads(
    "scan-vector-loads",
    cl::desc("GPU selective-scan kernel: 16-byte vector loads of u, delta, z "
             "in every synchronous tile fill"),
    cl::location(kernelOptions.scan.vectorLoads), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanVectorMinLength(
    "scan-vector-min-length",
    cl::desc("GPU selective-scan kernel: f32 one-pass scans of at least this "
             "many steps use 16-byte vector fills instead of cp.async (0: "
             "never by length)"),
    cl::location(kernelOptions.scan.vectorMinLength), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanPrefetchMaxStates(
    "scan-prefetch-max-states",
    cl::desc("GPU selective-scan kernel: scalar synchronous tile fills of "
             "scans with at most this many states prefetch the next tile "
             "into registers (0: never)"),
    cl::location(kernelOptions.scan.prefetchMaxStates),
    cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanGradLanesPerChannel(
    "scan-grad-lanes-per-channel",
    cl::desc("GPU selective-scan backward kernel: threads per channel"),
    cl::location(kernelOptions.grad.lanesPerChannel), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanGradChannelsPerBlock(
    "scan-grad-channels-per-block",
    cl::desc("GPU selective-scan backward kernel: channels per block (0: "
             "128 threads' worth)"),
    cl::location(kernelOptions.grad.channelsPerBlock), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanGradTileSteps(
    "scan-grad-tile-steps",
    cl::desc("GPU selective-scan backward kernel: steps per tile"),
    cl::location(kernelOptions.grad.tileSteps), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanGradMaxSharedMemory(
    "scan-grad-max-shared-memory",
    cl::desc("GPU selective-scan backward kernel: shared memory bytes per "
             "block (dynamic above 48 KiB)"),
    cl::location(kernelOptions.grad.maxSharedMemory), cl::cat(kernelCategory));
static cl::opt<int64_t, /*ExternalStorage=*/true> scanGradReduceLanes(
    "scan-grad-reduce-lanes",
    cl::desc("GPU selective-scan backward kernel: lanes per summed dB / dC "
             "element"),
    cl::location(kernelOptions.grad.reduceLanes), cl::cat(kernelCategory));
static cl::opt<bool, /*ExternalStorage=*/true> scanGradRecomputeDecays(
    "scan-grad-recompute-decays",
    cl::desc("GPU selective-scan backward kernel: recompute exp(delta A) in "
             "the backward sweep (fewer live registers)"),
    cl::location(kernelOptions.grad.recomputeDecays), cl::cat(kernelCategory));
static cl::opt<bool, /*ExternalStorage=*/true> scanGradPrefetch(
    "scan-grad-prefetch",
    cl::desc("GPU selective-scan backward kernel: load the next tile during "
             "the current one's steps"),
    cl::location(kernelOptions.grad.prefetch), cl::cat(kernelCategory));
static cl::opt<std::string>
    phaseName("compile-to",
              cl::desc("stop after a phase: input, ssm, loops, bufferized, "
                       "llvm, binary, artifact"),
              cl::init("artifact"), cl::cat(compileCategory));
static cl::opt<std::string> cpuName("cpu", cl::desc("LLVM CPU name, or 'host'"),
                                    cl::init("host"), cl::cat(targetCategory));
static cl::opt<std::string> linkerPath("linker", cl::desc("ld.lld to use"),
                                       cl::init(""), cl::cat(targetCategory));
static cl::opt<unsigned>
    cpuOptLevel("cpu-opt-level",
                cl::desc("LLVM optimization and code generation level of the "
                         "CPU target (0-3)"),
                cl::init(3), cl::cat(targetCategory));
static cl::opt<std::string>
    modelName("model",
              cl::desc("build a registered model instead of reading "
                       "IR (see --list-models)"),
              cl::init(""), cl::cat(modelCategory));
static cl::opt<std::string> imageSize("img", cl::desc("model image size"),
                                      cl::init(""), cl::cat(modelCategory));
static cl::opt<std::string> batchSize("batch", cl::desc("model batch size"),
                                      cl::init(""), cl::cat(modelCategory));
static cl::opt<std::string> numClasses("classes",
                                       cl::desc("model classifier width"),
                                       cl::init(""), cl::cat(modelCategory));
static cl::opt<std::string> dtypeName("dtype",
                                      cl::desc("model dtype: f32 or bf16"),
                                      cl::init(""), cl::cat(modelCategory));
static cl::list<std::string>
    modelOptions("model-option",
                 cl::desc("key=value override of the model's "
                          "hyper-parameters (repeatable), e.g. depth=2"),
                 cl::cat(modelCategory));
static cl::opt<std::string>
    weightsPath("weights",
                cl::desc(".safetensors whose tensors are embedded for the "
                         "inputs of the same name"),
                cl::init(""), cl::cat(modelCategory));
static cl::opt<bool> listModels("list-models",
                                cl::desc("print the registered models"),
                                cl::init(false), cl::cat(modelCategory));
static cl::opt<bool> printWeights(
    "print-weights",
    cl::desc("print the model's weight names and shapes, then exit"),
    cl::init(false), cl::cat(modelCategory));
static cl::opt<bool>
    emitGrad("grad",
             cl::desc("also emit <f>_grad for every public function f "
                      "(ssm-autodiff): f's arguments and one adjoint per "
                      "result in; f's results and the gradient of every "
                      "floating-point tensor argument out"),
             cl::init(false), cl::cat(compileCategory));
static cl::opt<std::string> gradMemory(
    "grad-memory",
    cl::desc("--grad's memory policy: 'recompute' (default) computes cheap "
             "forward values (elementwise maps, flips, the causal conv, small "
             "projections) again in the backward instead of keeping them; "
             "'keep' keeps every forward value the backward reads"),
    cl::init("recompute"), cl::cat(compileCategory));
static cl::opt<unsigned> workspaceReport(
    "workspace-report",
    cl::desc("once bufferized, print to stderr for every entry the op at "
             "which the most workspace bytes are live and the N largest "
             "buffers live there (size, live range, writer and last reader)"),
    cl::init(0), cl::cat(compileCategory));
static cl::opt<bool>
    emitTrain("train",
              cl::desc("also emit train_step: forward, softmax cross-entropy "
                       "against soft targets, backward, global-norm "
                       "clipping and AdamW in one entry (docs/training.md)"),
              cl::init(false), cl::cat(compileCategory));
static cl::list<std::string> trainOptions(
    "train-option",
    cl::desc("key=value setting of the train step (repeatable): "
             "label_smoothing, max_grad_norm, weight_decay, beta1, beta2, "
             "eps, function, num_data_inputs, name"),
    cl::cat(compileCategory));
static cl::opt<bool> emitStats("emit-stats",
                               cl::desc("print per-phase times and sizes"),
                               cl::init(false), cl::cat(compileCategory));

/// Registers MLIR's debugging flags (--mlir-timing, --mlir-print-ir-*,
/// --mlir-pass-statistics, --mlir-pass-pipeline-crash-reproducer,
/// --mlir-disable-threading, --mlir-print-debuginfo, ...) in their own
/// category, listed by --help-hidden, and hides every other option that is
/// not ssm-compile's own (LLVM registers hundreds).
static void registerOptions() {
  registerMLIRContextCLOptions();
  registerAsmPrinterCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  for (auto &[name, option] : cl::getRegisteredOptions())
    if (name.starts_with("mlir-")) {
      option->addCategory(mlirCategory);
      option->setHiddenFlag(cl::Hidden);
    }
  cl::HideUnrelatedOptions({&compileCategory, &modelCategory, &targetCategory,
                            &kernelCategory, &mlirCategory});
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerOptions();
  cl::ParseCommandLineOptions(
      argc, argv,
      "ssm model compiler: ssm IR or a registered model -> .ssmb (or the IR "
      "of an earlier phase)\n\n"
      "  ssm-compile model.mlir --target=cpu -o model.ssmb\n"
      "  ssm-compile --model=vim-t --img=224 --weights=vim-t.safetensors "
      "-o vim-t.ssmb\n\n"
      "MLIR's debugging flags (--mlir-timing, --mlir-print-ir-after-all, "
      "...) are listed by --help-hidden.\n");

  // One timer tree over every stage's pass manager (--mlir-timing).
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope timingRoot = timing.getRootScope();

  ssm::CompileOptions options;
  auto phase = ssm::parsePhase(phaseName);
  if (!phase) {
    llvm::errs() << "error: unknown phase '" << phaseName << "' (expected "
                 << ssm::phaseNames() << ")\n";
    return 1;
  }
  auto target = ssm::parseTarget(targetName);
  if (!target) {
    llvm::errs() << "error: unknown target '" << targetName << "' (expected "
                 << ssm::targetNames() << ")\n";
    return 1;
  }
  options.phase = *phase;
  options.target = *target;
  options.gradients = emitGrad;
  if (gradMemory != "recompute" && gradMemory != "keep") {
    llvm::errs() << "error: --grad-memory must be 'recompute' or 'keep', got '"
                 << gradMemory << "'\n";
    return 1;
  }
  options.recomputeInBackward = gradMemory == "recompute";
  options.workspaceReport = workspaceReport;
  if (!trainOptions.empty() && !emitTrain) {
    llvm::errs() << "error: --train-option needs --train\n";
    return 1;
  }
  if (emitTrain) {
    ssm::TrainStepOptions train;
    for (const std::string &option : trainOptions) {
      auto [key, value] = StringRef(option).split('=');
      std::string error;
      if (failed(ssm::parseTrainStepOption(train, key, value, error))) {
        llvm::errs() << "error: --train-option: " << error << "\n";
        return 1;
      }
    }
    options.train = train;
  }
  options.cpu.cpu = cpuName;
  options.cpu.linker = linkerPath;
  if (cpuOptLevel > 3) {
    llvm::errs() << "error: --cpu-opt-level must be 0 to 3, got " << cpuOptLevel
                 << "\n";
    return 1;
  }
  options.cpu.optLevel = cpuOptLevel;
  options.gpu.chip = chipName;
  options.gpu.rocmToolkit = rocmToolkit;
  options.gpu.padLibraryBuffers = padLibraryBuffers;
  options.gpu.kernels = kernelOptions;

  options.embedWeightsPath = weightsPath;
  options.configurePassManager = [&](PassManager &pm) -> LogicalResult {
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    if (timing.isEnabled())
      pm.enableTiming(timingRoot);
    return success();
  };

  if (listModels) {
    for (const std::string &name : ssm::models::variantNames())
      llvm::outs() << name << "\n";
    return 0;
  }

  DialectRegistry registry;
  ssm::registerCompilerDialects(registry);
  MLIRContext context(registry);

  std::string error;
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module;
  if (!modelName.empty()) {
    std::vector<std::pair<std::string, std::string>> overrides;
    for (auto [key, value] : {std::pair{"img", &imageSize},
                              {"batch", &batchSize},
                              {"classes", &numClasses},
                              {"dtype", &dtypeName}})
      if (!value->empty())
        overrides.push_back({key, *value});
    for (const std::string &option : modelOptions) {
      auto [key, value] = StringRef(option).split('=');
      if (key.empty() || value.empty()) {
        llvm::errs() << "error: --model-option expects key=value, got '"
                     << option << "'\n";
        return 1;
      }
      overrides.push_back({key.str(), value.str()});
    }
    FailureOr<ssm::models::ModelConfig> config =
        ssm::models::resolveModelConfig(modelName, overrides, error);
    if (failed(config)) {
      llvm::errs() << "error: " << error << "\n";
      return 1;
    }
    if (printWeights) {
      for (const auto &spec : ssm::models::weightSpecs(*config)) {
        llvm::outs() << spec.name << " [";
        llvm::interleaveComma(spec.shape, llvm::outs());
        llvm::outs() << "]\n";
      }
      return 0;
    }
    module = ssm::models::buildModel(context, *config);
    // Its name, preprocessing (ssm-run's --image defaults) and
    // hyper-parameters, stored as the artifact's ModelInfo record.
    options.modelInfo = ssm::models::describeModel(*config);
  } else {
    auto input = openInputFile(inputFile, &error);
    if (!input) {
      llvm::errs() << "error: " << error << "\n";
      return 1;
    }
    sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (!module)
    return 1;
  FailureOr<ssm::CompileResult> result = ssm::compileModule(*module, options);
  if (failed(result))
    return 1;
  if (emitStats)
    llvm::errs() << result->stats;

  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "error: " << error << "\n";
    return 1;
  }
  output->os().write(result->bytes.data(), result->bytes.size());
  output->keep();
  return 0;
}
