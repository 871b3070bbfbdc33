//===- kernel_artifacts.h - Artifacts over the test kernels ----*- C++ -*-===//
//
// Part of the ssmc project. Builds .ssmb artifacts whose kernel object is the
// test kernel library (test/kernels/test_kernels.cpp, built as a shared
// library), for the runtime tests and the make-test-artifact tool.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_TEST_KERNEL_ARTIFACTS_H
#define SSMRT_TEST_KERNEL_ARTIFACTS_H

#include "ssmrt/format/writer.h"
#include "ssmrt/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt::test {

/// Path of the test kernel library (compiled in by CMake).
const char *testKernelsPath();

/// The bytes of a file.
Expected<std::vector<uint8_t>> readFileBytes(const std::string &path);
Status writeFileBytes(const std::string &path,
                      const std::vector<uint8_t> &bytes);

/// A ModuleBuilder with the test kernel library as kernel object 0 and these
/// kernels registered (indices in KernelIds).
struct KernelIds {
  uint32_t add = 0;    // add_f32(a, b, out, n:i64, tile:i64)
  uint32_t mul = 0;    // mul_f32(a, b, out, n:i64, tile:i64)
  uint32_t scale = 0;  // scale_by_scalar(in, out, scale:f32)
  uint32_t mark = 0;   // mark_tiles(counts:i32[], calls:i64[1])
  uint32_t sum = 0;    // sum_f64(in, out, n:i64)
  uint32_t negate = 0; // negate_via_hook(in, out, info:i64[2], n:i64)
};

/// Adds the kernel object (with `soBytes`) and the kernels to `builder`.
KernelIds addTestKernels(format::ModuleBuilder &builder,
                         const std::vector<uint8_t> &soBytes);

/// The standard test module over `soBytes`:
///  - "add":    (a: 4xf32, b: 4xf32) -> (4xf32), one tile
///  - "add_big": (a: 1000xf32, b: 1000xf32) -> (1000xf32), 1000 tiles of 1
///  - "scale":  (x: 2x3xf32) -> (2x3xf32), x * 2.5 via a scalar, 6 tiles
///  - "affine": (x: 256xf32) -> (256xf32), x * w + c with constants w, c
///              (w[i] = 0.5 + i / 256, c[i] = i), intermediates freed and
///              reused
///  - "concat": (x: 3xf32, y: 2xf32) -> (5xf32, 3xf32) via Copy: [x, y] and
///              x passed through (an input returned as an output)
///  - "mark":   () -> (1000xi32, 1xi64): counts per tile of a 10x10x10 grid
///              and the number of kernel calls
///  - "sum":    (x: 100xf64) -> (1xf64)
///  - "negate": (x: 1000xf32) -> (1000xf32, 2xi64) through the hook
Expected<std::vector<uint8_t>>
buildTestModule(const std::vector<uint8_t> &soBytes);

} // namespace ssmrt::test

#endif // SSMRT_TEST_KERNEL_ARTIFACTS_H
