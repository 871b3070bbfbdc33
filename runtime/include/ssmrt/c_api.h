/*===- c_api.h - C API of the ssm runtime (for FFI) ---------------*- C -*-===*\
|*                                                                            *|
|* Part of the ssmc project. A small C API over ssmrt/api.h for ctypes, cffi, *|
|* Rust and friends. Valid C99 and C++.                                       *|
|*                                                                            *|
|* Conventions:                                                               *|
|*  - Functions that can fail return an ssmrt_status: NULL means success;     *|
|*    otherwise the caller owns the status and frees it with                  *|
|*    ssmrt_status_free(). ssmrt_status_message() gives "Code: message".      *|
|*  - Objects come from the _create, _load and _invoke functions and are      *|
|*    released by the matching _destroy (NULL is accepted and ignored).       *|
|*  - dtypes are the .ssmb DType values: SSMRT_DTYPE_*.                       *|
|*  - A module keeps its instance's thread pool alive: an instance may be     *|
|*    destroyed before its modules.                                           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SSMRT_C_API_H
#define SSMRT_C_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ssmrt_status_t *ssmrt_status;
typedef struct ssmrt_instance_t ssmrt_instance;
typedef struct ssmrt_module_t ssmrt_module;
typedef struct ssmrt_outputs_t ssmrt_outputs;

/* Element types (the values of ssmrt::DType). */
enum {
  SSMRT_DTYPE_F32 = 1,
  SSMRT_DTYPE_F16 = 2,
  SSMRT_DTYPE_BF16 = 3,
  SSMRT_DTYPE_F64 = 4,
  SSMRT_DTYPE_I32 = 5,
  SSMRT_DTYPE_I64 = 6,
  SSMRT_DTYPE_I8 = 7,
  SSMRT_DTYPE_U8 = 8,
  SSMRT_DTYPE_BOOL = 9
};

/* Status codes (the values of ssmrt::StatusCode). */
enum {
  SSMRT_OK = 0,
  SSMRT_INVALID_ARGUMENT = 1,
  SSMRT_NOT_FOUND = 2,
  SSMRT_UNAVAILABLE = 3,
  SSMRT_DATA_LOSS = 4,
  SSMRT_FAILED_PRECONDITION = 5,
  SSMRT_OUT_OF_RANGE = 6,
  SSMRT_UNIMPLEMENTED = 7,
  SSMRT_INTERNAL = 8
};

/* The code of a status (SSMRT_OK for NULL). */
int32_t ssmrt_status_code(ssmrt_status status);
/* "Code: message"; "Ok" for NULL. Valid until the status is freed. */
const char *ssmrt_status_message(ssmrt_status status);
void ssmrt_status_free(ssmrt_status status);

/* num_threads = 0: SSMRT_NUM_THREADS, else the hardware concurrency. */
ssmrt_status ssmrt_instance_create(int32_t num_threads,
                                   ssmrt_instance **out_instance);
void ssmrt_instance_destroy(ssmrt_instance *instance);
/* The thread pool's degree of parallelism (0 for NULL). */
int32_t ssmrt_instance_num_threads(const ssmrt_instance *instance);

/* Loads an .ssmb file on `device` ("cpu", or "cuda" / "cuda:N" in a runtime
 * built with SSM_ENABLE_CUDA; NULL means "cpu"). */
ssmrt_status ssmrt_module_load(ssmrt_instance *instance, const char *device,
                               const char *path, ssmrt_module **out_module);
/* The same from memory (the bytes are copied). */
ssmrt_status ssmrt_module_load_from_memory(ssmrt_instance *instance,
                                           const char *device, const void *data,
                                           size_t size,
                                           ssmrt_module **out_module);
void ssmrt_module_destroy(ssmrt_module *module);

/* Entry functions: count and names (valid while the module lives). */
size_t ssmrt_module_function_count(const ssmrt_module *module);
const char *ssmrt_module_function_name(const ssmrt_module *module,
                                       size_t index);
/* Signature: number of inputs (is_output = 0) or outputs (is_output != 0). */
ssmrt_status ssmrt_module_io_count(const ssmrt_module *module,
                                   const char *function, int32_t is_output,
                                   size_t *out_count);
/* One input/output: dtype, rank and dims (dims: room for 8 entries). */
ssmrt_status ssmrt_module_io_desc(const ssmrt_module *module,
                                  const char *function, int32_t is_output,
                                  size_t index, int32_t *out_dtype,
                                  int32_t *out_rank, int64_t *out_dims);
/* Peak bytes of the function's static memory plan. */
ssmrt_status ssmrt_module_peak_bytes(const ssmrt_module *module,
                                     const char *function, uint64_t *out_bytes);

/* Runs `function`. Input i has dtype dtypes[i], rank ranks[i], and its dims
 * are the next ranks[i] entries of the flat `dims` array (all inputs' dims
 * concatenated), its data data[i] (C order, only read). On success the
 * caller owns *out_outputs. */
ssmrt_status ssmrt_module_invoke(const ssmrt_module *module,
                                 const char *function, size_t input_count,
                                 const int32_t *dtypes, const int32_t *ranks,
                                 const int64_t *dims, const void *const *data,
                                 ssmrt_outputs **out_outputs);

/* Flags of ssmrt_module_invoke_with_flags, ssmrt_module_invoke_buffers and
 * ssmrt_module_time_with_flags. */
enum {
  /* Output allocations start as 0xFF bytes (NaN for floats), not zeros. */
  SSMRT_INVOKE_POISON_OUTPUTS = 1,
  /* No CUDA graphs for this call (whatever SSMRT_CUDA_GRAPHS says). */
  SSMRT_INVOKE_NO_GRAPHS = 2,
  /* CUDA graphs for this call (whatever SSMRT_CUDA_GRAPHS says). */
  SSMRT_INVOKE_GRAPHS = 4
};

/* ssmrt_module_invoke with flags (SSMRT_INVOKE_*). */
ssmrt_status ssmrt_module_invoke_with_flags(
    const ssmrt_module *module, const char *function, size_t input_count,
    const int32_t *dtypes, const int32_t *ranks, const int64_t *dims,
    const void *const *data, uint32_t flags, ssmrt_outputs **out_outputs);

/* Times `function` (inputs as for ssmrt_module_invoke): `warmup` untimed
 * runs, then `iterations` timed ones, whose milliseconds go to
 * out_ms[0..iterations). On a CUDA device the inputs stay resident and each
 * run is the schedule's device time (events); on the CPU, a whole invoke. */
ssmrt_status ssmrt_module_time(const ssmrt_module *module, const char *function,
                               size_t input_count, const int32_t *dtypes,
                               const int32_t *ranks, const int64_t *dims,
                               const void *const *data, int32_t warmup,
                               int32_t iterations, double *out_ms);

/* Runs `function` on caller buffers of the module's device (host memory for
 * "cpu", device addresses of that GPU for "cuda:N"): inputs as for
 * ssmrt_module_invoke (read in place), outputs described the same way
 * (out_dtypes, out_ranks, out_dims, out_data; output_count of them) and
 * written in place. Returns once the outputs are written. Errors
 * (SSMRT_INVALID_ARGUMENT) name the buffer: count, dtype, shape, null data,
 * overlapping buffers, a GPU address that is host memory, another GPU's, or
 * shorter than the tensor. */
ssmrt_status ssmrt_module_invoke_buffers(
    const ssmrt_module *module, const char *function, size_t input_count,
    const int32_t *dtypes, const int32_t *ranks, const int64_t *dims,
    const void *const *data, size_t output_count, const int32_t *out_dtypes,
    const int32_t *out_ranks, const int64_t *out_dims, void *const *out_data,
    uint32_t flags);

/* ssmrt_module_time with flags (SSMRT_INVOKE_NO_GRAPHS / _GRAPHS). */
ssmrt_status ssmrt_module_time_with_flags(
    const ssmrt_module *module, const char *function, size_t input_count,
    const int32_t *dtypes, const int32_t *ranks, const int64_t *dims,
    const void *const *data, int32_t warmup, int32_t iterations, uint32_t flags,
    double *out_ms);

/* How the GPU runs of `function` went (all 0 on the CPU): plain runs, graphs
 * captured, graph replays and failed captures; any pointer may be NULL. */
ssmrt_status ssmrt_module_execution_stats(const ssmrt_module *module,
                                          const char *function,
                                          uint64_t *out_plain_runs,
                                          uint64_t *out_graph_captures,
                                          uint64_t *out_graph_replays,
                                          uint64_t *out_capture_failures);

size_t ssmrt_outputs_count(const ssmrt_outputs *outputs);
int32_t ssmrt_outputs_dtype(const ssmrt_outputs *outputs, size_t index);
int32_t ssmrt_outputs_rank(const ssmrt_outputs *outputs, size_t index);
/* rank entries; valid while the outputs live. */
const int64_t *ssmrt_outputs_dims(const ssmrt_outputs *outputs, size_t index);
const void *ssmrt_outputs_data(const ssmrt_outputs *outputs, size_t index);
size_t ssmrt_outputs_byte_size(const ssmrt_outputs *outputs, size_t index);
void ssmrt_outputs_destroy(ssmrt_outputs *outputs);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SSMRT_C_API_H */
