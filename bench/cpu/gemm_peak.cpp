// Single-precision peak of this CPU, and sgemm of the BLAS libraries the
// runtime may dlopen, at the models' GEMM shapes.
//
//   clang++-22 -O3 -march=native -pthread bench/cpu/gemm_peak.cpp -ldl \
//       -o /tmp/gemm_peak && /tmp/gemm_peak [threads] [--peak-only]
//
// Peak: every thread runs a loop of independent AVX-512 FMAs (24
// accumulators, enough to cover the FMA latency on two pipes) on registers
// only; GFLOP/s = 2 * 16 * fmas / s summed over the threads. sgemm: row-major
// C = A * B through cblas_sgemm of each library found (OpenBLAS, BLIS), with
// the library's own threads set to the thread count; median of 30 calls
// after 5 warm-up calls.
#include <immintrin.h>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

__attribute__((noinline)) __m512 fmaLoop(long iters, float seed) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i)
    acc[i] = _mm512_set1_ps(seed + i);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it)
    for (int i = 0; i < 24; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 s = acc[0];
  for (int i = 1; i < 24; ++i)
    s = _mm512_add_ps(s, acc[i]);
  return s;
}

double peakGflops(int threads) {
  const long iters = 10'000'000;
  double best = 0;
  for (int rep = 0; rep < 10; ++rep) { // best of 10: other load only lowers it
    std::vector<std::thread> pool;
    std::vector<float> sink(threads);
    double t0 = now();
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        __m512 s = fmaLoop(iters, float(t));
        sink[t] = _mm512_reduce_add_ps(s);
      });
    for (auto &th : pool)
      th.join();
    double dt = now() - t0;
    best = std::max(best, 2.0 * 16 * 24 * double(iters) * threads / dt / 1e9);
  }
  return best;
}

using SgemmFn = void (*)(int, int, int, int, int, int, float, const float *,
                         int, const float *, int, float, float *, int);
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

struct Shape {
  const char *name;
  int m, n, k;
  bool transB; // B stored as [n, k] (a linear layer's weight)
};

} // namespace

int main(int argc, char **argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  double p1 = peakGflops(1), pn = peakGflops(threads);
  std::printf("peak f32 FMA: 1 thread %.1f GFLOP/s, %d threads %.1f GFLOP/s\n",
              p1, threads, pn);
  if (argc > 2 && std::string(argv[2]) == "--peak-only")
    return 0;

  const Shape shapes[] = {
      {"vim-t in_proj 197x768x192", 197, 768, 192, true},
      {"vim-t x_proj 197x56x384", 197, 56, 384, true},
      {"vim-t out_proj 197x192x384", 197, 192, 384, true},
      {"vmamba-t in_proj 1x1 3136x384x96", 3136, 384, 96, true},
      {"vmamba-t out_proj 1x1 3136x96x192", 3136, 96, 192, true},
      {"vmamba-t mlp fc1 3136x384x96", 3136, 384, 96, true},
      {"vmamba-t mlp fc2 3136x96x384", 3136, 96, 384, true},
      {"mambaout fc1 3136x288x48", 3136, 288, 48, true},
      {"mambaout fc2 3136x48x144", 3136, 48, 144, true},
      {"square 512x512x512", 512, 512, 512, false},
  };
  struct Lib {
    const char *name, *path, *setThreads;
  } libs[] = {
      {"openblas", "libopenblas.so.0", "openblas_set_num_threads"},
      {"blis", "libblis.so.4", "bli_thread_set_num_threads"},
  };
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (const Lib &lib : libs) {
    void *h = dlopen(lib.path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      std::printf("%s: not found\n", lib.name);
      continue;
    }
    auto sgemm = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"));
    if (auto set = reinterpret_cast<void (*)(int)>(dlsym(h, lib.setThreads)))
      set(threads);
    if (auto core =
            reinterpret_cast<char *(*)()>(dlsym(h, "openblas_get_corename")))
      std::printf("%s core: %s\n", lib.name, core());
    for (const Shape &s : shapes) {
      std::vector<float> a(size_t(s.m) * s.k), b(size_t(s.k) * s.n),
          c(size_t(s.m) * s.n);
      for (float &x : a)
        x = dist(rng);
      for (float &x : b)
        x = dist(rng);
      std::vector<double> ms;
      for (int i = 0; i < 35; ++i) {
        double t0 = now();
        sgemm(kRowMajor, kNoTrans, s.transB ? kTrans : kNoTrans, s.m, s.n, s.k,
              1.0f, a.data(), s.k, b.data(), s.transB ? s.k : s.n, 0.0f,
              c.data(), s.n);
        if (i >= 5)
          ms.push_back((now() - t0) * 1e3);
      }
      std::sort(ms.begin(), ms.end());
      double med = ms[ms.size() / 2];
      double gf = 2.0 * s.m * s.n * s.k / (med * 1e-3) / 1e9;
      std::printf("%-9s %-36s %8.4f ms %7.1f GFLOP/s (%3.0f%% of peak)\n",
                  lib.name, s.name, med, gf, 100 * gf / pn);
    }
  }
  return 0;
}
