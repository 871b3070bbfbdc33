//===- NumericsHarness.h - compile IR, run it, read results back -*- C++
//-*-===//
//
// Compiles IR text with the CPU pipeline (compileModule, Phase::Binary), loads
// the kernel shared object and calls the entry's ABI wrapper directly, with a
// std::thread parallel-for installed in the kernel's hook so the outlined
// parallel loops really run on several threads. Values cross as float64
// reference tensors, converted to and from each argument's element type.
//
//===----------------------------------------------------------------------===//

#ifndef SSM_UNITTESTS_NUMERICS_NUMERICSHARNESS_H
#define SSM_UNITTESTS_NUMERICS_NUMERICSHARNESS_H

#include "../Reference/SSMReference.h"

#include <memory>
#include <string>
#include <vector>

namespace ssm::numerics {

/// "tensor<2x3xf32>".
std::string tensorType(const std::vector<int64_t> &shape,
                       const std::string &dtype);

/// Rounds every value to the nearest value of `dtype` (f32, f16, bf16; f64
/// keeps it), so the compiled code and the reference see identical inputs.
ref::Tensor roundTo(ref::Tensor t, const std::string &dtype);

/// One compiled module; functions are called by name. Test failures (compile
/// errors, unknown functions, argument mismatches) are reported through
/// GoogleTest and yield empty results.
class Compiled {
public:
  explicit Compiled(const std::string &ir);
  ~Compiled();
  std::vector<ref::Tensor> run(const std::string &function,
                               const std::vector<ref::Tensor> &args);
  /// The input (or output) shapes of `function`; empty when unknown.
  std::vector<std::vector<int64_t>> shapes(const std::string &function,
                                           bool inputs = true) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// Compiles and runs one function once. `hints` is unused documentation of
/// the input dtype (dtypes come from the function signature).
std::vector<ref::Tensor> compileAndRun(const std::string &ir,
                                       const std::string &function,
                                       const std::vector<ref::Tensor> &args,
                                       const std::vector<std::string> &hints);

} // namespace ssm::numerics

#endif // SSM_UNITTESTS_NUMERICS_NUMERICSHARNESS_H
