//===- CPUTarget.cpp - CPU entry wrappers, objects, shared objects ----===//

#include "ssm/Target/CPU.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::ssm;

LogicalResult mlir::ssm::addCPUEntryWrappers(ModuleOp module,
                                             ArrayRef<std::string> entries) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  for (const std::string &name : entries) {
    auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
    if (!fn || fn.isExternal())
      return module.emitError("entry function '") << name << "' was not lowered";
    for (Type t : fn.getFunctionType().getParams())
      if (t != ptr)
        return fn.emitError("entry function arguments must be buffers with "
                            "static shapes (got ")
               << t << ")";
    if (!isa<LLVM::LLVMVoidType>(fn.getFunctionType().getReturnType()))
      return fn.emitError("entry function must return its outputs through "
                          "out-parameters");
    Location loc = fn.getLoc();
    auto wrapper = LLVM::LLVMFuncOp::create(
        b, loc, name + kCPUEntrySuffix,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr, i64, i64}));
    Block *body = wrapper.addEntryBlock(b);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(body);
    SmallVector<Value> args;
    for (int64_t i = 0, e = fn.getNumArguments(); i < e; ++i) {
      Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, body->getArgument(0),
                                       ArrayRef<LLVM::GEPArg>{int32_t(i)});
      args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
    }
    LLVM::CallOp::create(b, loc, fn, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
  }
  return success();
}

namespace {

/// Finds ld.lld: the option, then PATH, then LLVM's own tools directory.
FailureOr<std::string> findLinker(const std::string &requested, Location loc) {
  if (!requested.empty())
    return requested;
  for (const char *name : {"ld.lld-22", "ld.lld"})
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  if (auto path = llvm::sys::findProgramByName("ld.lld", {SSM_LLVM_TOOLS_DIR}))
    return *path;
  return emitError(loc, "cannot find ld.lld (install lld-22 or pass --linker)");
}

/// A temporary file removed when this goes out of scope.
struct TempFile {
  llvm::SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
};

} // namespace

FailureOr<std::vector<char>>
mlir::ssm::emitCPUSharedObject(ModuleOp module, const CPUTargetOptions &options,
                               std::string &chip) {
  Location loc = module.getLoc();
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "ssm_kernels");
  if (!llvmModule)
    return emitError(loc, "translation to LLVM IR failed");

  llvm::Triple triple(llvm::sys::getProcessTriple());
  if (triple.getArch() != llvm::Triple::x86_64)
    return emitError(loc, "the CPU target emits x86-64 code; this host is ")
           << triple.str();
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return emitError(loc, "no LLVM target for ") << triple.str() << ": " << error;

  std::string cpu = options.cpu, features;
  if (cpu == "host") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (feature.second ? "+" : "-") + feature.first().str() + ",";
  }
  chip = cpu;
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return emitError(loc, "cannot create an LLVM target machine for CPU '")
           << cpu << "'";
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());

  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                            machine.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return emitError(loc, "LLVM optimization failed: ")
           << llvm::toString(std::move(err));

  TempFile object, shared;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("ssm-kernels", "o", fd, object.path))
    return emitError(loc, "cannot create a temporary object file");
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    llvm::legacy::PassManager pm;
    if (machine->addPassesToEmitFile(pm, os, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return emitError(loc, "the LLVM target cannot emit object files");
    pm.run(*llvmModule);
  }
  if (llvm::sys::fs::createTemporaryFile("ssm-kernels", "so", shared.path))
    return emitError(loc, "cannot create a temporary shared object");

  FailureOr<std::string> linker = findLinker(options.linker, loc);
  if (failed(linker))
    return failure();
  SmallVector<StringRef> args{*linker, "-shared", "--hash-style=gnu",
                              "-o", shared.path, object.path};
  // Name libm/libc as dependencies when present (expf, malloc, ...).
  for (const char *lib : {"/lib/x86_64-linux-gnu/libm.so.6",
                          "/lib/x86_64-linux-gnu/libc.so.6"})
    if (llvm::sys::fs::exists(lib))
      args.push_back(lib);
  std::string linkError;
  int rc = llvm::sys::ExecuteAndWait(*linker, args, std::nullopt, {}, 0, 0,
                                     &linkError);
  if (rc != 0)
    return emitError(loc, "linking the kernel shared object failed (")
           << *linker << " exited with " << rc << ") " << linkError;

  auto buffer = llvm::MemoryBuffer::getFile(shared.path, /*IsText=*/false);
  if (!buffer)
    return emitError(loc, "cannot read the linked shared object");
  StringRef bytes = (*buffer)->getBuffer();
  return std::vector<char>(bytes.begin(), bytes.end());
}
