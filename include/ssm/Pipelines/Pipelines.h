//===- Pipelines.h - the ssm lowering pipelines -------------------*- C++
//-*-===//
//
// The one place the pass order lives. ssm-opt registers these as
// `ssm-lower-to-cpu` (and the stage pipelines), and ssm-compile / Python call
// the same builders, so the tools never drift.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_PIPELINES_PIPELINES_H
#define SSM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace ssm {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {};

/// Graph-level cleanup on ssm + tensor IR: canonicalize (the ssm folds) and
/// CSE.
void buildSSMGraphPipeline(OpPassManager &pm);

/// ssm ops to loops over buffers, dense tensor ops to linalg (still tensors).
void buildSSMToLoopsPipeline(OpPassManager &pm);

/// One-shot bufferization; results become out-parameters and every buffer
/// gets its deallocation.
void buildSSMBufferizePipeline(OpPassManager &pm);

/// Bufferized loops to the LLVM dialect, with the bare-pointer calling
/// convention for function arguments (static shapes).
void buildSSMToLLVMPipeline(OpPassManager &pm);

/// All of the above, in order: ssm + tensors to the LLVM dialect for the CPU.
void buildSSMToCPUPipeline(OpPassManager &pm,
                           const CPUPipelineOptions &options);

/// Registers `ssm-lower-to-cpu` and the stage pipelines with ssm-opt.
void registerSSMPipelines();

} // namespace ssm
} // namespace mlir

#endif // SSM_PIPELINES_PIPELINES_H
