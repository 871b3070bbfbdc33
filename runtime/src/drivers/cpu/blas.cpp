//===- blas.cpp - A BLAS through dlopen, for the CPU's library GEMMs ---===//

#include "blas.h"

#include "cpu_driver.h"

#include "../../core/strings.h"
#include "../gpu/dynamic_library.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ssmrt::cpu {

using detail::strCat;

namespace {

// CBLAS's enum values (cblas.h), declared here: no BLAS headers needed.
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

/// How a BLAS reads one rows x cols matrix with element strides (rowStride,
/// colStride): row-major (NoTrans) or column-major (Trans) with a leading
/// dimension; false when neither stride is unit or the leading dimension
/// does not cover the contiguous extent.
bool layoutOf(uint64_t rows, uint64_t cols, uint64_t rowStride,
              uint64_t colStride, int &trans, int &ld) {
  uint64_t lead = 0;
  if ((colStride == 1 || cols == 1) && (rows == 1 || rowStride >= cols)) {
    trans = kNoTrans;
    lead = rows == 1 ? cols : rowStride;
  } else if ((rowStride == 1 || rows == 1) &&
             (cols == 1 || colStride >= rows)) {
    trans = kTrans;
    lead = cols == 1 ? rows : colStride;
  } else {
    return false;
  }
  if (lead < 1 || lead > uint64_t(INT_MAX))
    return false;
  ld = int(lead);
  return true;
}

} // namespace

Expected<GemmMode> gemmModeFromEnvironment() {
  const char *mode = std::getenv("SSMRT_GEMM");
  if (!mode || !*mode)
    return GemmMode::Auto;
  std::string m = mode;
  if (m == "auto")
    return GemmMode::Auto;
  if (m == "library")
    return GemmMode::Library;
  if (m == "fallback")
    return GemmMode::Fallback;
  return invalidArgumentError(
      strCat("SSMRT_GEMM='", m, "': expected auto, library or fallback"));
}

namespace {

/// A private instance of the library (its own link-map namespace,
/// dlmopen): its thread count is ours to set, whatever the process (e.g.
/// PyTorch, whose BLAS may be the same OpenBLAS) does with the shared one.
/// Null where no namespace is left or the library does not load there.
void *openPrivately(const char *name) {
  dlerror();
  return dlmopen(LM_ID_NEWLM, name, RTLD_NOW | RTLD_LOCAL);
}

} // namespace

Expected<const Blas *> Blas::get() {
  // Static storage, not the heap: a runtime that is itself dlopen'ed and
  // closed (libssmrt_c.so) leaves nothing behind.
  static std::once_flag once;
  static Blas instance;
  static Blas *blas = nullptr;
  static Status status;
  std::call_once(once, [] {
    const char *requested = std::getenv("SSMRT_BLAS");
    std::vector<const char *> names;
    if (requested && *requested)
      names = {requested};
    else
      names = {"libopenblas.so.0", "libblis.so.4"};
    gpu::OpenedLibrary opened;
    bool isPrivate = false;
    for (const char *name : names)
      if (void *handle = openPrivately(name)) {
        opened = {handle, name};
        isPrivate = true;
        break;
      }
    if (!isPrivate) {
      Expected<gpu::OpenedLibrary> shared =
          requested && *requested
              ? gpu::openLibrary({requested}, "the BLAS SSMRT_BLAS names")
              : gpu::openLibrary({"libopenblas.so.0", "libblis.so.4"},
                                 "no BLAS (OpenBLAS or BLIS)");
      if (!shared.ok()) {
        status = shared.status();
        return;
      }
      opened = *shared;
    }
    Blas *made = &instance;
    made->path_ = opened.name;
    made->private_ = isPrivate;
    if (!gpu::resolveSymbol(opened.handle, "cblas_sgemm", made->sgemm_)) {
      status = unavailableError(strCat(made->path_, " has no cblas_sgemm"));
      return;
    }
    // A private instance runs single-threaded, on the pool's threads (see
    // the header); a shared one keeps the threads its other users chose,
    // and its calls are not split.
    if (isPrivate) {
      using SetThreads = void(int);
      SetThreads *set = nullptr;
      for (const char *name :
           {"openblas_set_num_threads", "bli_thread_set_num_threads"})
        if (gpu::resolveSymbol(opened.handle, name, set))
          set(1);
      // OpenBLAS started its worker threads when it loaded; idle, they
      // spin (sched_yield) and take cycles from the pool's threads. Ours
      // never uses them: stop them.
      using Shutdown = int();
      Shutdown *shutdown = nullptr;
      if (gpu::resolveSymbol(opened.handle, "blas_thread_shutdown_", shutdown))
        shutdown();
    }
    blas = made; // the library stays loaded for the process
  });
  if (!blas)
    return status;
  return static_cast<const Blas *>(blas);
}

bool Blas::supports(const format::LibraryCallRecord &call) {
  const auto f32 = uint32_t(format::DType::F32);
  if (call.op != uint32_t(format::LibraryOp::Gemm) || call.a_dtype != f32 ||
      call.b_dtype != f32 || call.c_dtype != f32 ||
      call.bias != uint32_t(format::GemmBias::None) ||
      call.activation != uint32_t(format::GemmActivation::None))
    return false;
  if (call.m < 1 || call.n < 1 || call.k < 1 || call.batch < 1 ||
      call.m > uint64_t(INT_MAX) || call.n > uint64_t(INT_MAX) ||
      call.k > uint64_t(INT_MAX))
    return false;
  int trans = 0, ld = 0;
  return layoutOf(call.m, call.k, call.a_strides[0], call.a_strides[1], trans,
                  ld) &&
         layoutOf(call.k, call.n, call.b_strides[0], call.b_strides[1], trans,
                  ld) &&
         layoutOf(call.m, call.n, call.c_strides[0], call.c_strides[1], trans,
                  ld) &&
         trans == kNoTrans;
}

bool Blas::gemm(const format::LibraryCallRecord &call, const float *a,
                const float *b, float *c, bool accumulate,
                ThreadPool *pool) const {
  if (!supports(call))
    return false;
  int transA = 0, lda = 0, transB = 0, ldb = 0, transC = 0, ldc = 0;
  layoutOf(call.m, call.k, call.a_strides[0], call.a_strides[1], transA, lda);
  layoutOf(call.k, call.n, call.b_strides[0], call.b_strides[1], transB, ldb);
  layoutOf(call.m, call.n, call.c_strides[0], call.c_strides[1], transC, ldc);
  const float beta = accumulate ? 1.0f : 0.0f;
  // Rows [m0, m1) x columns [n0, n1) of batch matrices [b0, b1).
  auto run = [&](uint64_t b0, uint64_t b1, uint64_t m0, uint64_t m1,
                 uint64_t n0, uint64_t n1) {
    for (uint64_t i = b0; i < b1; ++i)
      sgemm_(kRowMajor, transA, transB, int(m1 - m0), int(n1 - n0),
             int(call.k), 1.0f,
             a + i * call.a_strides[2] + m0 * call.a_strides[0], lda,
             b + i * call.b_strides[2] + n0 * call.b_strides[1], ldb, beta,
             c + i * call.c_strides[2] + m0 * call.c_strides[0] + n0, ldc);
  };
  // Below about a million flops, splitting costs more than it saves.
  constexpr double kMinSplitFlops = 1e6;
  const double flops = 2.0 * double(call.m) * double(call.n) *
                       double(call.k) * double(call.batch);
  const int64_t threads = pool && private_ ? int64_t(pool->size()) : 1;
  if (threads <= 1 || flops < kMinSplitFlops) {
    run(0, call.batch, 0, call.m, 0, call.n);
    return true;
  }
  if (call.batch >= uint64_t(threads)) {
    pool->parallelFor(int64_t(call.batch), [&](int64_t b0, int64_t b1) {
      run(uint64_t(b0), uint64_t(b1), 0, call.m, 0, call.n);
    });
    return true;
  }
  // Blocks of 16 rows or columns keep the library's register blocks whole.
  constexpr uint64_t kBlock = 16;
  const bool alongM = call.m >= call.n;
  const uint64_t extent = alongM ? call.m : call.n;
  const int64_t blocks = int64_t((extent + kBlock - 1) / kBlock);
  pool->parallelFor(blocks, [&](int64_t u0, int64_t u1) {
    const uint64_t lo = uint64_t(u0) * kBlock;
    const uint64_t hi = std::min(extent, uint64_t(u1) * kBlock);
    if (alongM)
      run(0, call.batch, lo, hi, 0, call.n);
    else
      run(0, call.batch, 0, call.m, lo, hi);
  });
  return true;
}

namespace {

/// SSMRT_GEMM_PROFILE=1: per GEMM shape, the calls and their total time,
/// printed to stderr at exit (GFLOP/s of the library inside a model).
class GemmProfile {
public:
  static GemmProfile *get() {
    static GemmProfile *profile = [] {
      const char *on = std::getenv("SSMRT_GEMM_PROFILE");
      return on && *on && std::string(on) != "0" ? new GemmProfile()
                                                 : nullptr;
    }();
    return profile;
  }

  void add(const Blas &blas, const format::LibraryCallRecord &call,
           double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (library_.empty())
      library_ = strCat(blas.path(), blas.isPrivate() ? ", a private instance"
                                                      : ", the shared instance");
    Entry &e = entries_[{call.m, call.n, call.k, call.batch}];
    e.calls += 1;
    e.seconds += seconds;
  }

  ~GemmProfile() {
    double flops = 0, seconds = 0;
    std::fprintf(stderr,
                 "ssmrt GEMM profile, %s (m x n x k x batch: calls, ms, "
                 "GFLOP/s):\n",
                 library_.c_str());
    for (const auto &[shape, e] : entries_) {
      const double f = 2.0 * double(shape[0]) * double(shape[1]) *
                       double(shape[2]) * double(shape[3]) * double(e.calls);
      flops += f;
      seconds += e.seconds;
      std::fprintf(stderr, "  %llux%llux%llux%llu: %llu, %.3f, %.1f\n",
                   (unsigned long long)shape[0], (unsigned long long)shape[1],
                   (unsigned long long)shape[2], (unsigned long long)shape[3],
                   (unsigned long long)e.calls, e.seconds * 1e3,
                   f / e.seconds / 1e9);
    }
    std::fprintf(stderr, "  total: %.3f ms, %.1f GFLOP/s\n", seconds * 1e3,
                 seconds > 0 ? flops / seconds / 1e9 : 0.0);
  }

private:
  struct Entry {
    uint64_t calls = 0;
    double seconds = 0;
  };
  std::mutex mutex_;
  std::string library_;
  std::map<std::array<uint64_t, 4>, Entry> entries_;
};

/// Prints the profile at exit (a static object's destructor).
struct GemmProfilePrinter {
  ~GemmProfilePrinter() { delete GemmProfile::get(); }
} gemmProfilePrinter;

} // namespace

extern "C" int32_t ssmrtCpuGemm(const format::LibraryCallRecord *call,
                                const float *a, const float *b, float *c,
                                int32_t accumulate) {
  Expected<const Blas *> blas = Blas::get();
  if (!call || !blas.ok())
    return 0;
  // A CPU kernel passes pointers to each operand's first element: only the
  // v6 prefix of its record is read (a module compiled before v7 holds no
  // more), the operand offsets stay 0.
  format::LibraryCallRecord record = {};
  std::memcpy(&record, call, format::kLibraryCallRecordV6Size);
  call = &record;
  GemmProfile *profile = GemmProfile::get();
  const auto start = std::chrono::steady_clock::now();
  if (!(*blas)->gemm(*call, a, b, c, accumulate != 0, currentThreadPool()))
    return 0;
  if (profile)
    profile->add(**blas, *call, std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count());
  return 1;
}

} // namespace ssmrt::cpu
