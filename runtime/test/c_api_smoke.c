/*===- c_api_smoke.c - The C API used from C ------------------------------===*\
|*                                                                            *|
|* Part of the ssmc project. Compiled as C99, so the header is checked to be  *|
|* valid C; called from c_api_test.cpp.                                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "ssmrt/c_api.h"

#include <stdio.h>
#include <string.h>

int ssmrt_c_api_smoke(const void *module_bytes, size_t size, char *error,
                      size_t error_size);

/* Loads the test module, runs "add" and checks the result. 0 on success. */
int ssmrt_c_api_smoke(const void *module_bytes, size_t size, char *error,
                      size_t error_size) {
  ssmrt_instance *instance = NULL;
  ssmrt_module *module = NULL;
  ssmrt_outputs *outputs = NULL;
  ssmrt_status status;
  float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40};
  int32_t dtypes[2] = {SSMRT_DTYPE_F32, SSMRT_DTYPE_F32};
  int32_t ranks[2] = {1, 1};
  int64_t dims[2] = {4, 4};
  const void *data[2];
  const float *sum;
  int rc = 1;
  data[0] = a;
  data[1] = b;

  status = ssmrt_instance_create(2, &instance);
  if (status)
    goto fail;
  status = ssmrt_module_load_from_memory(instance, "cpu", module_bytes, size,
                                         &module);
  if (status)
    goto fail;
  status = ssmrt_module_invoke(module, "add", 2, dtypes, ranks, dims, data,
                               &outputs);
  if (status)
    goto fail;
  if (ssmrt_outputs_count(outputs) != 1 ||
      ssmrt_outputs_dtype(outputs, 0) != SSMRT_DTYPE_F32 ||
      ssmrt_outputs_rank(outputs, 0) != 1 ||
      ssmrt_outputs_dims(outputs, 0)[0] != 4 ||
      ssmrt_outputs_byte_size(outputs, 0) != 16) {
    snprintf(error, error_size, "unexpected output metadata");
    goto cleanup;
  }
  sum = (const float *)ssmrt_outputs_data(outputs, 0);
  if (sum[0] != 11.0f || sum[3] != 44.0f) {
    snprintf(error, error_size, "wrong sum %g %g", sum[0], sum[3]);
    goto cleanup;
  }
  rc = 0;
  goto cleanup;

fail:
  snprintf(error, error_size, "%s", ssmrt_status_message(status));
  ssmrt_status_free(status);
cleanup:
  ssmrt_outputs_destroy(outputs);
  ssmrt_module_destroy(module);
  ssmrt_instance_destroy(instance);
  return rc;
}
