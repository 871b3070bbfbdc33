//===- test_kernels.cpp - CPU kernels for the runtime tests ---------------===//
//
// Part of the ssmc project. Built as a plain shared library (no compiler, no
// LLVM); the tests embed its bytes in .ssmb artifacts as a Cpu/So kernel
// object. Every kernel has the CPU kernel ABI:
//   extern "C" void kernel(void *const *args, int64_t tile_begin,
//                          int64_t tile_end);
// args[i] points at buffer data, or at an 8-byte scalar slot.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstring>

#define KERNEL extern "C" __attribute__((visibility("default"))) void

namespace {
template <typename T> T scalar(void *const *args, int i) {
  T value;
  std::memcpy(&value, args[i], sizeof(T));
  return value;
}
} // namespace

/// The runtime fills this in after loading (the compiler's parallel-for hook).
extern "C" {
__attribute__((visibility("default"))) void *ssmrt_cpu_parallel_for = nullptr;
}

/// out[i] = a[i] + b[i] for i in the tiles' elements. args: a, b, out,
/// n (i64 scalar), tile size (i64 scalar).
KERNEL add_f32(void *const *args, int64_t begin, int64_t end) {
  const float *a = static_cast<const float *>(args[0]);
  const float *b = static_cast<const float *>(args[1]);
  float *out = static_cast<float *>(args[2]);
  int64_t n = scalar<int64_t>(args, 3);
  int64_t tile = scalar<int64_t>(args, 4);
  for (int64_t t = begin; t < end; ++t)
    for (int64_t i = t * tile; i < n && i < (t + 1) * tile; ++i)
      out[i] = a[i] + b[i];
}

/// out[i] = a[i] * b[i]; same arguments as add_f32.
KERNEL mul_f32(void *const *args, int64_t begin, int64_t end) {
  const float *a = static_cast<const float *>(args[0]);
  const float *b = static_cast<const float *>(args[1]);
  float *out = static_cast<float *>(args[2]);
  int64_t n = scalar<int64_t>(args, 3);
  int64_t tile = scalar<int64_t>(args, 4);
  for (int64_t t = begin; t < end; ++t)
    for (int64_t i = t * tile; i < n && i < (t + 1) * tile; ++i)
      out[i] = a[i] * b[i];
}

/// out[t] = in[t] * scale, one element per tile. args: in, out, scale (f32
/// scalar, 4 bytes).
KERNEL scale_by_scalar(void *const *args, int64_t begin, int64_t end) {
  const float *in = static_cast<const float *>(args[0]);
  float *out = static_cast<float *>(args[1]);
  float scale = scalar<float>(args, 2);
  for (int64_t t = begin; t < end; ++t)
    out[t] = in[t] * scale;
}

/// counts[t] += 1 per tile (not atomic: each tile must run exactly once),
/// and calls[0] += 1 atomically per call. args: counts (i32), calls (i64).
KERNEL mark_tiles(void *const *args, int64_t begin, int64_t end) {
  int32_t *counts = static_cast<int32_t *>(args[0]);
  int64_t *calls = static_cast<int64_t *>(args[1]);
  for (int64_t t = begin; t < end; ++t)
    counts[t] += 1;
  __atomic_fetch_add(calls, 1, __ATOMIC_RELAXED);
}

/// out[0] = sum of in[0..n) in f64. args: in (f64), out (f64), n (i64).
KERNEL sum_f64(void *const *args, int64_t, int64_t) {
  const double *in = static_cast<const double *>(args[0]);
  double *out = static_cast<double *>(args[1]);
  int64_t n = scalar<int64_t>(args, 2);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += in[i];
  out[0] = sum;
}

namespace {
using KernelFn = void (*)(void *const *, int64_t, int64_t);
using ParallelFor = void (*)(KernelFn, void *const *, int64_t);

void negateTiles(void *const *args, int64_t begin, int64_t end) {
  const float *in = static_cast<const float *>(args[0]);
  float *out = static_cast<float *>(args[1]);
  for (int64_t t = begin; t < end; ++t)
    out[t] = -in[t];
  __atomic_fetch_add(static_cast<int64_t *>(args[2]), 1, __ATOMIC_RELAXED);
}
} // namespace

/// Like compiled code with an outlined parallel loop: a 1-tile kernel that
/// runs out[i] = -in[i] through the parallel-for hook (serially when the
/// hook is unset). args: in (f32[n]), out (f32[n]), info (i64[2]): info[0]
/// = 1 if the hook was installed, info[1] = number of chunk calls; n (i64).
KERNEL negate_via_hook(void *const *args, int64_t, int64_t) {
  int64_t *info = static_cast<int64_t *>(args[2]);
  int64_t n = scalar<int64_t>(args, 3);
  void *inner[3] = {args[0], args[1], &info[1]};
  ParallelFor hook;
  std::memcpy(&hook, &ssmrt_cpu_parallel_for, sizeof(hook));
  info[0] = hook != nullptr;
  info[1] = 0;
  if (hook)
    hook(&negateTiles, inner, n);
  else
    negateTiles(inner, 0, n);
}
