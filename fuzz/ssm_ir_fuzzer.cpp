//===- ssm_ir_fuzzer.cpp - libFuzzer target: ssm IR parser + verifier ----===//
//
// Part of the ssmc project. Each input is MLIR text, parsed as a module the
// way ssm-opt reads it, with the dialects ssm IR is written in registered
// (ssm, func, arith, tensor, math; builtin is always there): parse, verify,
// and for a module that verifies, print it (custom and generic forms) and
// parse + verify the custom form again. Diagnostics are swallowed.
//
// Only the ssm dialect is compiled here with coverage instrumentation (and
// ASan/UBSan); MLIR's own parser comes from Debian's static libraries, so
// the fuzzer is guided by the ssm dialect's parsers, verifiers, type
// inference and printers. A fresh MLIRContext per input keeps runs
// independent and memory bounded.
//
//===----------------------------------------------------------------------===//

#include "ssm/Dialect/SSM/IR/SSMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace mlir;

namespace {

const DialectRegistry &registry() {
  static DialectRegistry *r = [] {
    auto *reg = new DialectRegistry;
    reg->insert<ssm::SSMDialect, arith::ArithDialect, func::FuncDialect,
                math::MathDialect, tensor::TensorDialect>();
    return reg;
  }();
  return *r;
}

OwningOpRef<ModuleOp> parse(MLIRContext &context, llvm::StringRef text) {
  // Verifies after parsing, like ssm-opt.
  ParserConfig config(&context, /*verifyAfterParse=*/true);
  return parseSourceString<ModuleOp>(text, config, "fuzz-input");
}

} // namespace

/// LLVM's headers see ASan and poison allocator memory (BumpPtrAllocator,
/// ...) that Debian's uninstrumented LLVM/MLIR libraries then use: ASan must
/// ignore those manual poisonings (it still checks every heap, stack and
/// global access of the code compiled here, and the libraries' memcpy /
/// memchr / strlen through its interceptors).
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext context(registry(), MLIRContext::Threading::DISABLED);
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  // MLIR's lexer reads the byte after the buffer (a NUL marks the end), as
  // every file ssm-opt reads through llvm::MemoryBuffer has: copy the input
  // into a NUL-terminated string.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = parse(context, text);
  if (!module)
    return 0;
  if (failed(verify(*module)))
    return 0;
  std::string custom;
  {
    llvm::raw_string_ostream os(custom);
    module->print(os);
  }
  std::string generic;
  {
    llvm::raw_string_ostream os(generic);
    module->print(os, OpPrintingFlags().printGenericOpForm());
  }
  // Both printed forms parse and verify again in a fresh context (the
  // generic form spells out every inferred result type); a mismatch aborts,
  // so the fuzzer reports it.
  for (const std::string *printed : {&custom, &generic}) {
    MLIRContext again(registry(), MLIRContext::Threading::DISABLED);
    std::string errors;
    ScopedDiagnosticHandler collect(&again, [&](Diagnostic &d) {
      errors += d.str() + "\n";
      return success();
    });
    if (!parse(again, *printed)) {
      llvm::errs() << "the printed module does not parse again:\n"
                   << errors << "--- printed:\n"
                   << *printed;
      abort();
    }
  }
  return 0;
}
