//===- dynamic_library.h - Vendor libraries reached at run time -*- C++ -*-===//
//
// Part of the ssmc project. What the CUDA and HIP drivers (and cuBLASLt) do
// alike to reach a vendor library without its SDK: open the first of its file
// names that loads, resolve its entry points one by one, and turn an API's
// error code into a Status. Each driver keeps its own names, symbol table and
// messages.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_SRC_DRIVERS_GPU_DYNAMIC_LIBRARY_H
#define SSMRT_SRC_DRIVERS_GPU_DYNAMIC_LIBRARY_H

#include "ssmrt/status.h"

#include <initializer_list>
#include <string>

namespace ssmrt::gpu {

/// A library that openLibrary loaded: its handle and the name that loaded.
struct OpenedLibrary {
  void *handle = nullptr;
  const char *name = nullptr;
};

/// dlopens (RTLD_NOW | RTLD_LOCAL) the first of `names` that loads;
/// Unavailable "<unavailable> (<dlerror of each name>; ...)" where none
/// loads. The caller owns the handle. The CUDA and HIP drivers never close
/// theirs: GPU runtimes keep global state (threads, allocations made at
/// init) that unloading would leak or break, and a later load finds the
/// library already mapped.
Expected<OpenedLibrary> openLibrary(std::initializer_list<const char *> names,
                                    const std::string &unavailable);

/// dlsym(library, symbol); nullptr where the library lacks it.
void *findSymbol(void *library, const char *symbol);

/// Sets `fn` to the entry point `symbol` of `library`; false where the
/// library lacks it.
template <typename Fn>
bool resolveSymbol(void *library, const char *symbol, Fn *&fn) {
  fn = reinterpret_cast<Fn *>(findSymbol(library, symbol));
  return fn != nullptr;
}

/// The Status of a failed call of a GPU API: Unavailable "<api> <what>
/// failed: <text, or 'unknown error' where null> (<result>)".
Status apiError(const char *api, const char *what, int result,
                const char *text);

} // namespace ssmrt::gpu

#endif // SSMRT_SRC_DRIVERS_GPU_DYNAMIC_LIBRARY_H
