//===- Passes.td - ssm conversion passes -------------------*- tablegen -*-===//

#ifndef SSM_CONVERSION_PASSES_TD
#define SSM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// SSMToSCF
//===----------------------------------------------------------------------===//

def ConvertSSMToSCF : Pass<"convert-ssm-to-scf"> {
  let summary = "Lower ssm ops to explicit loops over buffers";
  let description = [{
    Rewrites every ssm op into `scf.parallel` / `scf.for` loop nests over
    memrefs: operands enter through `bufferization.to_buffer read_only`, each
    result is a fresh `memref.alloc` that leaves through
    `bufferization.to_tensor restrict writable`, so one-shot bufferization
    takes the surrounding tensor program as usual. All arithmetic is f32;
    16-bit values are widened on load and narrowed on store. The outer loops
    are parallel over independent lanes (batch x channel); each scan keeps its
    recurrence sequential per lane, with a static number of states held as
    one vector in registers (B and C transposed once so each step loads them
    contiguously), or in a small local buffer when n is dynamic. A flip along
    time or an axis_pool producing a forward scan's sequence operand, and a
    flip or axis_broadcast consuming its output, are folded into the scan's
    loads and stores: their results are never materialized.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // SSM_CONVERSION_PASSES_TD
