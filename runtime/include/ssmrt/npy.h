//===- npy.h - Reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// Part of the ssmc project. The .npy format (NumPy NEP 1): the magic
// "\x93NUMPY", a version (1.0: 16-bit header length; 2.0 and 3.0: 32-bit),
// and a Python dict literal header {'descr': ..., 'fortran_order': ...,
// 'shape': (...)}, followed by the raw C-order data.
//
// Supported element types ('descr'):
//   '<f4' f32   '<f2' f16   '<f8' f64   '<i4' i32   '<i8' i64
//   '|i1' i8    '|u1' ui8   '|b1' i1 (bool, one byte per element)
//   '<u2' bf16 (see below)
// For one-byte types '<' and '|' are both accepted. Big-endian data
// ('>f4'), fortran_order True, object arrays and structured dtypes are
// rejected with a clear error.
//
// bf16 convention: NumPy has no bfloat16 type. ssmrt writes bf16 tensors as
// '<u2' (the raw 16-bit patterns, i.e. the upper half of each float32) and,
// since ssmrt has no uint16 dtype, reads every '<u2' file as bf16. In NumPy:
//   np.save("x.npy", x_f32.view(np.uint32).__rshift__(16).astype(np.uint16))
//   back = (np.load("y.npy").astype(np.uint32) << 16).view(np.float32)
// or with ml_dtypes: np.load("y.npy").view(ml_dtypes.bfloat16).
//
// Reading validates everything: magic, version, header length and
// terminator, dict syntax, keys (exactly descr, fortran_order, shape), shape
// entries (non-negative, no overflow) and that the data is exactly
// shape x itemsize bytes. No input can make the parser read out of bounds.
// Errors: DataLoss for truncated or malformed files, Unimplemented for valid
// .npy features ssmrt does not support (dtype, fortran order), NotFound etc.
// from opening the file.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_NPY_H
#define SSMRT_NPY_H

#include "ssmrt/status.h"
#include "ssmrt/tensor.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ssmrt::npy {

/// The 'descr' string ssmrt writes for `dtype` ("<f4", "|b1", "<u2" for bf16).
const char *descrFor(DType dtype);

/// Parses .npy bytes into an owned tensor.
Expected<HostTensor> parse(const uint8_t *data, size_t size);
/// Reads an .npy file. Errors are prefixed with "'<path>': ".
Expected<HostTensor> read(const std::string &path);

/// Serializes a tensor (version 1.0, or 2.0 when the header needs it; the
/// header is padded so the data starts at a multiple of 64 bytes).
Expected<std::vector<uint8_t>> serialize(const TensorView &tensor);
/// Writes an .npy file (created or truncated).
Status write(const std::string &path, const TensorView &tensor);

} // namespace ssmrt::npy

#endif // SSMRT_NPY_H
