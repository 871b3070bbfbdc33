//===- KernelAllocsToPrivate.cpp - per-thread buffers off the device heap -===//
//
// Passes.td (ssm-kernel-allocs-to-private): a memref.alloc in a gpu.func is
// a device-side malloc, which fails once the small device heap is used up;
// static ones become thread-private allocas instead.
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMKERNELALLOCSTOPRIVATE
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

struct SSMKernelAllocsToPrivatePass
    : mlir::ssm::impl::SSMKernelAllocsToPrivateBase<
          SSMKernelAllocsToPrivatePass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    WalkResult result = getOperation()->walk([&](gpu::GPUFuncOp fn) {
      SmallVector<memref::AllocOp> allocs;
      fn.walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
      for (memref::AllocOp alloc : allocs) {
        MemRefType type = alloc.getType();
        int64_t bits = type.hasStaticShape() && type.getLayout().isIdentity()
                           ? type.getNumElements() *
                                 int64_t(type.getElementTypeBitWidth())
                           : -1;
        const int64_t limit = maxBytes.getValue();
        if (bits < 0 || bits / 8 > limit) {
          alloc.emitError("a per-thread buffer of GPU kernel '")
              << fn.getName() << "' (" << type
              << ") cannot live in thread-private memory (static, at most "
              << limit << " bytes); the device heap is no place for it";
          return WalkResult::interrupt();
        }
        for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
          if (isa<memref::DeallocOp>(user))
            rewriter.eraseOp(user);
        rewriter.setInsertionPoint(alloc);
        rewriter.replaceOpWithNewOp<memref::AllocaOp>(
            alloc, type, alloc.getAlignmentAttr());
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
