//===- thread_pool.h - Fixed-size thread pool with parallelFor --*- C++ -*-===//
//
// Part of the ssmc project. The CPU driver splits kernel launches across
// this pool. A pool of size N has N - 1 worker threads: the thread calling
// parallelFor works too, so N is the degree of parallelism and a pool of size
// 1 runs everything on the calling thread.
//
//===----------------------------------------------------------------------===//

#ifndef SSMRT_THREAD_POOL_H
#define SSMRT_THREAD_POOL_H

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ssmrt {

class ThreadPool {
public:
  /// `size` is the degree of parallelism (the caller plus size - 1 workers);
  /// 0 means std::thread::hardware_concurrency() (at least 1).
  explicit ThreadPool(size_t size = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// The degree of parallelism (>= 1).
  size_t size() const { return workers_.size() + 1; }

  /// Calls fn(begin, end) over contiguous chunks that exactly cover [0, n)
  /// and returns when all calls have returned. Chunks are balanced:
  /// min(n, size()) chunks whose lengths differ by at most one, in increasing
  /// order of begin. n <= 0 calls nothing; n == 1 (or a pool of size 1) calls
  /// fn(0, n) on the calling thread. A parallelFor issued from inside a chunk
  /// (of any pool) runs inline as one chunk, so nesting never deadlocks.
  /// Safe to call from several threads at once.
  void parallelFor(int64_t n, const std::function<void(int64_t, int64_t)> &fn);

  /// True while the current thread runs a chunk of some pool's parallelFor.
  static bool insideParallelFor();

private:
  struct Job;
  void workerLoop();
  /// Runs chunks of `job` until none is left; call with the lock held.
  void runChunks(Job &job, std::unique_lock<std::mutex> &lock);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable workAvailable_;
  std::condition_variable jobDone_;
  std::deque<Job *> queue_;
  bool stopping_ = false;
};

} // namespace ssmrt

#endif // SSMRT_THREAD_POOL_H
