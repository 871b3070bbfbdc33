//===- dynamic_library.cpp - Vendor libraries reached at run time --------===//

#include "dynamic_library.h"

#include "../../core/strings.h"

#include <dlfcn.h>

namespace ssmrt::gpu {

using detail::strCat;

Expected<OpenedLibrary> openLibrary(std::initializer_list<const char *> names,
                                    const std::string &unavailable) {
  std::string errors;
  for (const char *name : names) {
    if (void *handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL))
      return OpenedLibrary{handle, name};
    const char *e = ::dlerror();
    errors += strCat(errors.empty() ? "" : "; ", e ? e : name);
  }
  return unavailableError(strCat(unavailable, " (", errors, ")"));
}

void *findSymbol(void *library, const char *symbol) {
  return ::dlsym(library, symbol);
}

Status apiError(const char *api, const char *what, int result,
                const char *text) {
  return unavailableError(strCat(api, " ", what,
                                 " failed: ", text ? text : "unknown error",
                                 " (", result, ")"));
}

} // namespace ssmrt::gpu
