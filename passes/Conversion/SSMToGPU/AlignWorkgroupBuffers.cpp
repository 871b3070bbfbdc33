//===- AlignWorkgroupBuffers.cpp - ssm-align-workgroup-buffers ------------===//
//
// Gives every gpu.func workgroup attribution without an alignment
// `llvm.align = 16`, so the shared globals the GPU-to-NVVM/ROCDL lowering
// declares for them suit 16-byte vector accesses (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "ssm/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::ssm {
#define GEN_PASS_DEF_SSMALIGNWORKGROUPBUFFERS
#include "ssm/Conversion/Passes.h.inc"
} // namespace mlir::ssm

using namespace mlir;

namespace {

struct SSMAlignWorkgroupBuffersPass
    : mlir::ssm::impl::SSMAlignWorkgroupBuffersBase<
          SSMAlignWorkgroupBuffersPass> {
  using Base::Base;
  void runOnOperation() override {
    const int64_t bytes = alignment;
    if (bytes <= 0 || !llvm::isPowerOf2_64(bytes)) {
      emitError(getOperation()->getLoc(), "ssm-align-workgroup-buffers: "
                                          "alignment must be a power of two, "
                                          "got ")
          << bytes;
      return signalPassFailure();
    }
    StringRef name = LLVM::LLVMDialect::getAlignAttrName();
    auto align = IntegerAttr::get(IntegerType::get(&getContext(), 64), bytes);
    getOperation()->walk([&](gpu::GPUFuncOp fn) {
      for (unsigned i = 0, e = fn.getNumWorkgroupAttributions(); i < e; ++i)
        if (!fn.getWorkgroupAttributionAttr(i, name))
          fn.setWorkgroupAttributionAttr(i, name, align);
    });
  }
};

} // namespace
