// The CPU's library GEMMs (src/drivers/cpu/blas.h): every layout the
// compiler records (row- and column-major operands, padded leading
// dimensions, batched with broadcast operands, accumulate or overwrite)
// against float64 at awkward shapes; C poisoned before each call, fresh
// random operands each case. Skipped where no BLAS loads.
#include "../src/drivers/cpu/blas.h"
#include "../src/drivers/cpu/cpu_driver.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using ssmrt::cpu::Blas;
namespace fmt = ssmrt::format;

fmt::LibraryCallRecord gemmRecord(uint64_t m, uint64_t n, uint64_t k,
                                  uint64_t batch) {
  fmt::LibraryCallRecord r = {};
  r.op = uint32_t(fmt::LibraryOp::Gemm);
  r.a_arg = 0;
  r.b_arg = 1;
  r.c_arg = 2;
  r.a_dtype = r.b_dtype = r.c_dtype = uint32_t(fmt::DType::F32);
  r.bias = uint32_t(fmt::GemmBias::None);
  r.activation = uint32_t(fmt::GemmActivation::None);
  r.m = m;
  r.n = n;
  r.k = k;
  r.batch = batch;
  return r;
}

const Blas *blasOrNull() {
  ssmrt::Expected<const Blas *> blas = Blas::get();
  return blas.ok() ? *blas : nullptr;
}

struct Layout {
  bool aColMajor, bColMajor;
  uint64_t pad;        // added to every leading dimension
  bool broadcastA;     // A's batch stride 0
  bool accumulate;
  ssmrt::ThreadPool *pool = nullptr; // the pool the hook splits over
};

void checkGemm(uint64_t m, uint64_t n, uint64_t k, uint64_t batch,
               const Layout &l, std::mt19937 &rng) {
  SCOPED_TRACE(testing::Message()
               << m << "x" << n << "x" << k << " batch " << batch << " A "
               << (l.aColMajor ? "col" : "row") << " B "
               << (l.bColMajor ? "col" : "row") << " pad " << l.pad
               << (l.broadcastA ? " broadcast A" : "")
               << (l.accumulate ? " accumulate" : "")
               << (l.pool ? " split over a pool" : ""));
  fmt::LibraryCallRecord r = gemmRecord(m, n, k, batch);
  // A is m x k, B k x n, C m x n (C row-major, ldc = n + pad).
  const uint64_t lda = (l.aColMajor ? m : k) + l.pad;
  const uint64_t ldb = (l.bColMajor ? k : n) + l.pad;
  const uint64_t ldc = n + l.pad;
  const uint64_t aSize = lda * (l.aColMajor ? k : m);
  const uint64_t bSize = ldb * (l.bColMajor ? n : k);
  const uint64_t cSize = ldc * m;
  r.a_strides[0] = l.aColMajor ? 1 : lda;
  r.a_strides[1] = l.aColMajor ? lda : 1;
  r.a_strides[2] = batch > 1 && !l.broadcastA ? aSize : 0;
  r.b_strides[0] = l.bColMajor ? 1 : ldb;
  r.b_strides[1] = l.bColMajor ? ldb : 1;
  r.b_strides[2] = batch > 1 ? bSize : 0;
  r.c_strides[0] = ldc;
  r.c_strides[1] = 1;
  r.c_strides[2] = batch > 1 ? cSize : 0;
  ASSERT_TRUE(Blas::supports(r));

  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(aSize * (l.broadcastA ? 1 : batch)),
      b(bSize * batch), c(cSize * batch);
  for (float &x : a)
    x = dist(rng);
  for (float &x : b)
    x = dist(rng);
  for (float &x : c)
    x = l.accumulate ? dist(rng)
                     : std::numeric_limits<float>::quiet_NaN(); // poison
  const std::vector<float> c0 = c;
  {
    ssmrt::cpu::CurrentThreadPool scope(l.pool);
    ASSERT_EQ(ssmrt::cpu::ssmrtCpuGemm(&r, a.data(), b.data(), c.data(),
                                       l.accumulate ? 1 : 0),
              1);
  }
  for (uint64_t bi = 0; bi < batch; ++bi)
    for (uint64_t i = 0; i < m; ++i)
      for (uint64_t j = 0; j < n; ++j) {
        double want = 0, scale = 0;
        for (uint64_t p = 0; p < k; ++p) {
          double x = a[bi * r.a_strides[2] + i * r.a_strides[0] +
                       p * r.a_strides[1]];
          double y = b[bi * r.b_strides[2] + p * r.b_strides[0] +
                       j * r.b_strides[1]];
          want += x * y;
          scale += std::fabs(x * y);
        }
        const uint64_t at = bi * r.c_strides[2] + i * ldc + j;
        if (l.accumulate)
          want += c0[at];
        ASSERT_NEAR(c[at], want, 1e-5 * (scale + 1)) << "at " << bi << ","
                                                      << i << "," << j;
      }
  // The padding between rows is never written.
  for (uint64_t bi = 0; bi < batch; ++bi)
    for (uint64_t i = 0; i < m; ++i)
      for (uint64_t j = n; j < ldc; ++j) {
        const uint64_t at = bi * cSize + i * ldc + j;
        if (std::isnan(c0[at]))
          EXPECT_TRUE(std::isnan(c[at]));
        else
          EXPECT_EQ(c[at], c0[at]);
      }
}

TEST(CpuBlas, AwkwardShapesAndLayoutsMatchFloat64) {
  if (!blasOrNull())
    GTEST_SKIP() << "no BLAS loads here: " << Blas::get().status().toString();
  std::mt19937 rng(7);
  const uint64_t dims[] = {1, 3, 17, 33};
  for (uint64_t m : dims)
    for (uint64_t n : dims)
      for (uint64_t k : dims)
        for (int variant = 0; variant < 4; ++variant) {
          Layout l{bool(variant & 1), bool(variant & 2), uint64_t(variant),
                   false, variant == 3};
          checkGemm(m, n, k, 1, l, rng);
        }
  // Batched: both operands batched, and A broadcast.
  checkGemm(5, 7, 9, 3, {false, true, 1, false, false}, rng);
  checkGemm(1, 13, 2, 4, {true, false, 0, true, true}, rng);
}

TEST(CpuBlas, SplitOverThePoolMatchesFloat64) {
  if (!blasOrNull())
    GTEST_SKIP() << "no BLAS loads here: " << Blas::get().status().toString();
  ssmrt::ThreadPool pool(3);
  std::mt19937 rng(11);
  // Along m (m >= n, not a multiple of the 16-row blocks), along n, by batch
  // matrices, and a batch smaller than the pool (split along m), each over
  // a million flops.
  checkGemm(101, 37, 251, 1, {false, false, 1, false, false, &pool}, rng);
  checkGemm(21, 203, 199, 1, {true, true, 0, false, true, &pool}, rng);
  checkGemm(45, 29, 201, 5, {false, true, 2, true, false, &pool}, rng);
  checkGemm(77, 61, 131, 2, {true, false, 0, false, true, &pool}, rng);
}

TEST(CpuBlas, RefusesWhatItCannotRun) {
  fmt::LibraryCallRecord r = gemmRecord(4, 5, 6, 1);
  r.a_strides[0] = 6;
  r.a_strides[1] = 1;
  r.b_strides[0] = 5;
  r.b_strides[1] = 1;
  r.c_strides[0] = 5;
  r.c_strides[1] = 1;
  EXPECT_TRUE(Blas::supports(r));
  fmt::LibraryCallRecord bias = r;
  bias.bias = uint32_t(fmt::GemmBias::AlongN);
  EXPECT_FALSE(Blas::supports(bias));
  fmt::LibraryCallRecord bf16 = r;
  bf16.a_dtype = uint32_t(fmt::DType::BF16);
  EXPECT_FALSE(Blas::supports(bf16));
  fmt::LibraryCallRecord noUnit = r; // neither of A's strides is 1
  noUnit.a_strides[0] = 12;
  noUnit.a_strides[1] = 2;
  EXPECT_FALSE(Blas::supports(noUnit));
  fmt::LibraryCallRecord shortLead = r; // rows of C overlap
  shortLead.c_strides[0] = 4;
  EXPECT_FALSE(Blas::supports(shortLead));
  fmt::LibraryCallRecord colMajorC = r;
  colMajorC.c_strides[0] = 1;
  colMajorC.c_strides[1] = 4;
  EXPECT_FALSE(Blas::supports(colMajorC));
  // The hook leaves C alone for what it refuses.
  std::vector<float> a(24, 1), b(30, 1), c(20, 3);
  EXPECT_EQ(ssmrt::cpu::ssmrtCpuGemm(&bias, a.data(), b.data(), c.data(), 0),
            0);
  EXPECT_EQ(c, std::vector<float>(20, 3));
}

} // namespace
