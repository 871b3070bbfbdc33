//===- ssm-compile.cpp - compile ssm IR into a .ssmb model binary -----===//
//
//   ssm-compile model.mlir --target=cpu -o model.ssmb
//   ssm-compile model.mlir --compile-to=bufferized      (prints IR)
//
//===----------------------------------------------------------------------===//

#include "ssm/Compiler/Compile.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                                      cl::init("-"));
static cl::opt<std::string> outputFile("o", cl::desc("output file"),
                                       cl::value_desc("file"), cl::init("-"));
static cl::opt<std::string> targetName("target", cl::desc("cpu"),
                                       cl::init("cpu"));
static cl::opt<std::string>
    phaseName("compile-to",
              cl::desc("stop after a phase: input, ssm, loops, bufferized, "
                       "llvm, binary, artifact"),
              cl::init("artifact"));
static cl::opt<std::string> cpuName("cpu", cl::desc("LLVM CPU name, or 'host'"),
                                    cl::init("host"));
static cl::opt<std::string> linkerPath("linker", cl::desc("ld.lld to use"),
                                       cl::init(""));
static cl::opt<bool> emitStats("emit-stats",
                               cl::desc("print per-phase times and sizes"),
                               cl::init(false));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "ssm model compiler\n");

  ssm::CompileOptions options;
  auto phase = ssm::parsePhase(phaseName);
  if (!phase) {
    llvm::errs() << "error: unknown phase '" << phaseName << "' (expected "
                 << ssm::phaseNames() << ")\n";
    return 1;
  }
  auto target = ssm::parseTarget(targetName);
  if (!target) {
    llvm::errs() << "error: unknown target '" << targetName
                 << "' (expected cpu)\n";
    return 1;
  }
  options.phase = *phase;
  options.target = *target;
  options.cpu.cpu = cpuName;
  options.cpu.linker = linkerPath;

  DialectRegistry registry;
  ssm::registerCompilerDialects(registry);
  MLIRContext context(registry);

  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "error: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
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
