//===- CPUTarget.cpp - CPU entry wrappers, objects, shared objects ----===//

#include "ssm/Target/CPU.h"

#include "ssm/Dialect/SSM/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>

using namespace mlir;
using namespace mlir::ssm;

namespace {

/// Builds `void name(void *const *args, i64 begin, i64 end)` that loads the
/// first `numBuffers` pointers from args and calls `target` with them (and,
/// if `forwardTiles`, with begin and end).
LLVM::LLVMFuncOp buildAbiWrapper(OpBuilder &b, LLVM::LLVMFuncOp target,
                                 StringRef name, unsigned numBuffers,
                                 bool forwardTiles) {
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  Location loc = target.getLoc();
  auto wrapper = LLVM::LLVMFuncOp::create(
      b, loc, name,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                  {ptr, i64, i64}));
  Block *body = wrapper.addEntryBlock(b);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(body);
  SmallVector<Value> args;
  for (unsigned i = 0; i < numBuffers; ++i) {
    Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, body->getArgument(0),
                                     ArrayRef<LLVM::GEPArg>{int32_t(i)});
    args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
  }
  if (forwardTiles)
    args.append({body->getArgument(1), body->getArgument(2)});
  LLVM::CallOp::create(b, loc, target, args);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return wrapper;
}

/// Replaces each call of a `__ssm_dispatch_<kernel>(buffers..., n)`
/// declaration by a call of the runtime's parallel-for (the exported global
/// `ssmrt_cpu_parallel_for`, filled in by the runtime after loading), or of a
/// serial fallback when it is null, over the kernel's ABI wrapper.
LogicalResult lowerDispatchCalls(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  auto voidType = LLVM::LLVMVoidType::get(ctx);
  auto forType = LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, i64});
  auto abiType = LLVM::LLVMFunctionType::get(voidType, {ptr, i64, i64});
  OpBuilder b(ctx);

  SmallVector<LLVM::LLVMFuncOp> dispatches;
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
    if (fn.isExternal() && fn.getName().starts_with(kDispatchPrefix))
      dispatches.push_back(fn);
  if (dispatches.empty())
    return success();

  // The hook the runtime fills in, and the serial fallback.
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto hook = LLVM::GlobalOp::create(b, loc, ptr, /*isConstant=*/false,
                                     LLVM::Linkage::External,
                                     kCPUParallelForHook, Attribute());
  {
    Block *init = b.createBlock(&hook.getInitializerRegion());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(init);
    LLVM::ReturnOp::create(b, loc,
                           LLVM::ZeroOp::create(b, loc, ptr).getResult());
  }
  b.setInsertionPointToEnd(module.getBody());
  auto serial = LLVM::LLVMFuncOp::create(b, loc, "__ssm_serial_for", forType,
                                         LLVM::Linkage::Internal);
  {
    Block *body = serial.addEntryBlock(b);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(body);
    Value zero = LLVM::ConstantOp::create(b, loc, i64, 0);
    LLVM::CallOp::create(b, loc, abiType,
                         ValueRange{body->getArgument(0), body->getArgument(1),
                                    zero, body->getArgument(2)});
    LLVM::ReturnOp::create(b, loc, ValueRange{});
  }

  for (LLVM::LLVMFuncOp dispatch : dispatches) {
    StringRef kernelName =
        dispatch.getName().drop_front(strlen(kDispatchPrefix));
    auto kernel = module.lookupSymbol<LLVM::LLVMFuncOp>(kernelName);
    unsigned numBuffers = dispatch.getNumArguments() - 1;
    if (!kernel || kernel.getNumArguments() != numBuffers + 2)
      return dispatch.emitError("no kernel '")
             << kernelName << "' for dispatch";
    b.setInsertionPointToEnd(module.getBody());
    auto wrapper = buildAbiWrapper(b, kernel, (kernelName + "_abi").str(),
                                   numBuffers, /*forwardTiles=*/true);
    wrapper.setLinkage(LLVM::Linkage::Internal);

    SmallVector<LLVM::CallOp> calls;
    module.walk([&](LLVM::CallOp call) {
      if (call.getCallee() == dispatch.getName())
        calls.push_back(call);
    });
    for (LLVM::CallOp call : calls) {
      b.setInsertionPoint(call);
      Location cl = call.getLoc();
      Value count =
          LLVM::ConstantOp::create(b, cl, i64, std::max(numBuffers, 1u));
      Value array = LLVM::AllocaOp::create(b, cl, ptr, ptr, count);
      for (unsigned i = 0; i < numBuffers; ++i) {
        Value slot = LLVM::GEPOp::create(b, cl, ptr, ptr, array,
                                         ArrayRef<LLVM::GEPArg>{int32_t(i)});
        LLVM::StoreOp::create(b, cl, call.getOperand(i), slot);
      }
      Value hookAddr =
          LLVM::AddressOfOp::create(b, cl, ptr, kCPUParallelForHook);
      Value installed = LLVM::LoadOp::create(b, cl, ptr, hookAddr);
      Value null = LLVM::ZeroOp::create(b, cl, ptr);
      Value missing =
          LLVM::ICmpOp::create(b, cl, LLVM::ICmpPredicate::eq, installed, null);
      Value fallback = LLVM::AddressOfOp::create(b, cl, ptr, serial.getName());
      Value target =
          LLVM::SelectOp::create(b, cl, missing, fallback, installed);
      Value kernelAddr =
          LLVM::AddressOfOp::create(b, cl, ptr, wrapper.getName());
      LLVM::CallOp::create(
          b, cl, forType,
          ValueRange{target, kernelAddr, array, call.getOperand(numBuffers)});
      call.erase();
    }
    dispatch.erase();
  }
  return success();
}

/// Replaces each call of the `__ssm_cpu_gemm(record, a, b, c, accumulate)`
/// declaration by a call of the runtime's GEMM hook (the exported global
/// `ssmrt_cpu_gemm`), or by 0 (not done: the compiled loops run) while the
/// hook is null.
LogicalResult lowerGemmCalls(ModuleOp module) {
  auto callee = module.lookupSymbol<LLVM::LLVMFuncOp>(kCPUGemmCallee);
  if (!callee)
    return success();
  MLIRContext *ctx = module.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i32 = IntegerType::get(ctx, 32);
  auto hookType = LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr, ptr, i32});
  if (callee.getNumArguments() != 5)
    return callee.emitError("unexpected signature");
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto hook = LLVM::GlobalOp::create(b, loc, ptr, /*isConstant=*/false,
                                     LLVM::Linkage::External, kCPUGemmHook,
                                     Attribute());
  {
    Block *init = b.createBlock(&hook.getInitializerRegion());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(init);
    LLVM::ReturnOp::create(b, loc,
                           LLVM::ZeroOp::create(b, loc, ptr).getResult());
  }
  SmallVector<LLVM::CallOp> calls;
  module.walk([&](LLVM::CallOp call) {
    if (call.getCallee() == callee.getName())
      calls.push_back(call);
  });
  for (LLVM::CallOp call : calls) {
    // if (hook) result = hook(...) else result = 0
    Location cl = call.getLoc();
    Block *before = call->getBlock();
    Block *after = before->splitBlock(call->getNextNode());
    after->addArgument(i32, cl);
    Block *invoke = new Block();
    invoke->insertBefore(after);
    b.setInsertionPoint(call);
    Value hookAddr = LLVM::AddressOfOp::create(b, cl, ptr, kCPUGemmHook);
    Value installed = LLVM::LoadOp::create(b, cl, ptr, hookAddr);
    Value null = LLVM::ZeroOp::create(b, cl, ptr);
    Value present =
        LLVM::ICmpOp::create(b, cl, LLVM::ICmpPredicate::ne, installed, null);
    Value zero = LLVM::ConstantOp::create(b, cl, i32, 0);
    SmallVector<Value> operands(call.getArgOperands());
    LLVM::CondBrOp::create(b, cl, present, invoke, ValueRange{}, after,
                           ValueRange{zero});
    b.setInsertionPointToStart(invoke);
    SmallVector<Value> args = {installed};
    for (unsigned i = 0; i < 4; ++i)
      args.push_back(LLVM::IntToPtrOp::create(b, cl, ptr, operands[i]));
    args.push_back(operands[4]);
    auto result = LLVM::CallOp::create(b, cl, hookType, args);
    LLVM::BrOp::create(b, cl, ValueRange{result.getResult()}, after);
    call.getResult().replaceAllUsesWith(after->getArgument(0));
    call.erase();
  }
  callee.erase();
  return success();
}

} // namespace

LogicalResult mlir::ssm::addCPUEntryWrappers(
    ModuleOp module, ArrayRef<std::pair<std::string, uint64_t>> entries) {
  if (failed(lowerDispatchCalls(module)))
    return failure();
  if (failed(lowerGemmCalls(module)))
    return failure();
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  for (const auto &[name, workspaceBytes] : entries) {
    auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
    if (!fn || fn.isExternal())
      return module.emitError("entry function '")
             << name << "' was not lowered";
    for (Type t : fn.getFunctionType().getParams())
      if (t != ptr)
        return fn.emitError("entry function arguments must be buffers with "
                            "static shapes (got ")
               << t << ")";
    if (!isa<LLVM::LLVMVoidType>(fn.getFunctionType().getReturnType()))
      return fn.emitError("entry function must return its outputs through "
                          "out-parameters");
    buildAbiWrapper(b, fn, name + kCPUEntrySuffix, fn.getNumArguments(),
                    /*forwardTiles=*/false);
    auto i64 = b.getI64Type();
    LLVM::GlobalOp::create(b, fn.getLoc(), i64, /*isConstant=*/true,
                           LLVM::Linkage::External, name + kCPUWorkspaceSuffix,
                           b.getI64IntegerAttr(int64_t(workspaceBytes)));
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
                               std::string &chip, CPUBinaryTimes *times) {
  Location loc = module.getLoc();
  CPUBinaryTimes ignored;
  if (!times)
    times = &ignored;
  auto last = std::chrono::steady_clock::now();
  // Milliseconds since the previous call.
  auto lap = [&] {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - last).count();
    last = now;
    return ms;
  };
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
  times->translate = lap();

  llvm::Triple triple(llvm::sys::getProcessTriple());
  if (triple.getArch() != llvm::Triple::x86_64)
    return emitError(loc, "the CPU target emits x86-64 code; this host is ")
           << triple.str();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return emitError(loc, "no LLVM target for ")
           << triple.str() << ": " << error;

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
      llvm::CodeGenOpt::getLevel(int(std::min(options.optLevel, 3u)))
          .value_or(llvm::CodeGenOptLevel::Aggressive)));
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
  times->optimize = lap();

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
  times->codegen = lap();
  if (llvm::sys::fs::createTemporaryFile("ssm-kernels", "so", shared.path))
    return emitError(loc, "cannot create a temporary shared object");

  FailureOr<std::string> linker = findLinker(options.linker, loc);
  if (failed(linker))
    return failure();
  SmallVector<StringRef> args{*linker, "-shared",   "--hash-style=gnu",
                              "-o",    shared.path, object.path};
  // Name libm/libc as dependencies when present (expf, malloc, ...).
  for (const char *lib :
       {"/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libc.so.6"})
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
  times->link = lap();
  StringRef bytes = (*buffer)->getBuffer();
  return std::vector<char>(bytes.begin(), bytes.end());
}

CPUVectorInfo mlir::ssm::getCPUVectorInfo(const CPUTargetOptions &options) {
  auto has = [&](StringRef feature) {
    if (options.cpu == "host")
      return llvm::sys::getHostCPUFeatures().lookup(feature);
    llvm::InitializeNativeTarget();
    llvm::Triple triple(llvm::sys::getProcessTriple());
    std::string error;
    const llvm::Target *target =
        llvm::TargetRegistry::lookupTarget(triple, error);
    if (!target)
      return false;
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        target->createMCSubtargetInfo(triple, options.cpu, ""));
    return info && info->checkFeatures(("+" + feature).str());
  };
  if (has("avx512f"))
    return {512, 32, true};
  if (has("avx2") || has("avx"))
    return {256, 16, false};
  return {128, 16, false};
}
