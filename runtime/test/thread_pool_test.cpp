//===- thread_pool_test.cpp - ThreadPool tests ----------------------------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace ssmrt {
namespace {

/// Runs parallelFor and returns the chunks it produced, sorted.
std::vector<std::pair<int64_t, int64_t>> chunksOf(ThreadPool &pool, int64_t n) {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  pool.parallelFor(n, [&](int64_t b, int64_t e) {
    std::lock_guard<std::mutex> lock(mutex);
    chunks.emplace_back(b, e);
  });
  std::sort(chunks.begin(), chunks.end());
  return chunks;
}

TEST(ThreadPoolTest, SizeDefaultsToHardwareConcurrency) {
  ThreadPool pool;
  EXPECT_EQ(pool.size(),
            std::max<size_t>(1, std::thread::hardware_concurrency()));
  ThreadPool four(4);
  EXPECT_EQ(four.size(), 4u);
  ThreadPool one(1);
  EXPECT_EQ(one.size(), 1u);
}

TEST(ThreadPoolTest, SumsMatch) {
  ThreadPool pool(4);
  const int64_t n = 1000003;
  std::vector<int64_t> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    values[size_t(i)] = i % 97 - 48;
  int64_t expected = 0;
  for (int64_t v : values)
    expected += v;
  for (int round = 0; round < 20; ++round) {
    std::atomic<int64_t> sum{0};
    pool.parallelFor(n, [&](int64_t b, int64_t e) {
      int64_t local = 0;
      for (int64_t i = b; i < e; ++i)
        local += values[size_t(i)];
      sum += local;
    });
    EXPECT_EQ(sum.load(), expected);
  }
}

TEST(ThreadPoolTest, ChunksAreContiguousBalancedAndCoverExactly) {
  ThreadPool pool(4);
  for (int64_t n : {2, 3, 4, 5, 7, 10, 11, 1000, 1001, 1003}) {
    auto chunks = chunksOf(pool, n);
    ASSERT_EQ(chunks.size(), size_t(std::min<int64_t>(n, 4))) << "n=" << n;
    int64_t expectBegin = 0, minLen = n, maxLen = 0;
    for (auto [b, e] : chunks) {
      EXPECT_EQ(b, expectBegin) << "n=" << n;
      EXPECT_LT(b, e);
      minLen = std::min(minLen, e - b);
      maxLen = std::max(maxLen, e - b);
      expectBegin = e;
    }
    EXPECT_EQ(expectBegin, n);
    EXPECT_LE(maxLen - minLen, 1) << "n=" << n;
  }
}

TEST(ThreadPoolTest, EveryIndexExactlyOnce) {
  ThreadPool pool(3);
  const int64_t n = 10007;
  std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
  pool.parallelFor(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      hits[size_t(i)]++;
  });
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(hits[size_t(i)].load(), 1) << i;
}

TEST(ThreadPoolTest, ZeroAndNegativeCallNothing) {
  ThreadPool pool(4);
  int calls = 0;
  pool.parallelFor(0, [&](int64_t, int64_t) { ++calls; });
  pool.parallelFor(-5, [&](int64_t, int64_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(ThreadPoolTest, OneRunsOnTheCallingThread) {
  ThreadPool pool(4);
  std::thread::id caller = std::this_thread::get_id(), ran;
  int64_t begin = -1, end = -1;
  pool.parallelFor(1, [&](int64_t b, int64_t e) {
    ran = std::this_thread::get_id();
    begin = b;
    end = e;
  });
  EXPECT_EQ(ran, caller);
  EXPECT_EQ(begin, 0);
  EXPECT_EQ(end, 1);
}

TEST(ThreadPoolTest, SizeOneRunsInlineAsOneChunk) {
  ThreadPool pool(1);
  auto chunks = chunksOf(pool, 100);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].first, 0);
  EXPECT_EQ(chunks[0].second, 100);
}

TEST(ThreadPoolTest, UsesSeveralThreads) {
  ThreadPool pool(4);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  // Chunks that wait for each other can only finish if they run in parallel
  // (bounded wait, so a failure cannot hang).
  std::atomic<int> arrived{0};
  pool.parallelFor(4, [&](int64_t, int64_t) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    arrived++;
    for (int spin = 0; spin < 2000 && arrived.load() < 4; ++spin)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  EXPECT_EQ(threads.size(), 4u);
}

TEST(ThreadPoolTest, NestedCallsRunInline) {
  ThreadPool pool(4);
  std::atomic<int64_t> total{0};
  std::atomic<int> innerChunks{0};
  pool.parallelFor(8, [&](int64_t b, int64_t e) {
    EXPECT_TRUE(ThreadPool::insideParallelFor());
    for (int64_t i = b; i < e; ++i) {
      std::thread::id outer = std::this_thread::get_id();
      pool.parallelFor(100, [&](int64_t ib, int64_t ie) {
        EXPECT_EQ(std::this_thread::get_id(), outer);
        innerChunks++;
        total += ie - ib;
      });
    }
  });
  EXPECT_FALSE(ThreadPool::insideParallelFor());
  EXPECT_EQ(total.load(), 800);
  EXPECT_EQ(innerChunks.load(), 8); // one inline chunk per nested call
}

TEST(ThreadPoolTest, NestedAcrossPoolsDoesNotDeadlock) {
  ThreadPool a(2), b(2);
  std::atomic<int64_t> total{0};
  a.parallelFor(4, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      b.parallelFor(10, [&](int64_t ib, int64_t ie) { total += ie - ib; });
  });
  EXPECT_EQ(total.load(), 40);
}

TEST(ThreadPoolTest, ConcurrentCallers) {
  ThreadPool pool(4);
  std::vector<std::thread> callers;
  std::atomic<int64_t> total{0};
  for (int t = 0; t < 6; ++t)
    callers.emplace_back([&] {
      for (int round = 0; round < 50; ++round)
        pool.parallelFor(997, [&](int64_t b, int64_t e) { total += e - b; });
    });
  for (std::thread &t : callers)
    t.join();
  EXPECT_EQ(total.load(), 6 * 50 * 997);
}

TEST(ThreadPoolTest, ManyPoolsStartAndStop) {
  for (int i = 0; i < 20; ++i) {
    ThreadPool pool(3);
    std::atomic<int> n{0};
    pool.parallelFor(3, [&](int64_t b, int64_t e) { n += int(e - b); });
    EXPECT_EQ(n.load(), 3);
  }
}

} // namespace
} // namespace ssmrt
