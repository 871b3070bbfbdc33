//===- thread_pool.cpp - Fixed-size thread pool with parallelFor ----------===//
//
// Part of the ssmc project.
//
// A parallelFor posts one Job (on the caller's stack) to the queue. Workers
// and the caller claim chunk indices under the pool mutex and run them
// unlocked; the job counts finished chunks under the mutex, and the caller
// returns (destroying the job) only once every chunk has finished, so no
// thread touches a job after its caller returned.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/thread_pool.h"

#include <algorithm>

namespace ssmrt {

namespace {
/// Depth of parallelFor chunks running on this thread (any pool).
thread_local int tlsChunkDepth = 0;

struct ChunkScope {
  ChunkScope() { ++tlsChunkDepth; }
  ~ChunkScope() { --tlsChunkDepth; }
};
} // namespace

struct ThreadPool::Job {
  const std::function<void(int64_t, int64_t)> *fn = nullptr;
  int64_t n = 0;
  int64_t chunks = 0;
  int64_t next = 0; // next chunk to claim (guarded by the pool mutex)
  int64_t done = 0; // finished chunks (guarded by the pool mutex)

  /// Balanced split: the first n % chunks chunks are one longer.
  int64_t begin(int64_t chunk) const {
    return (n / chunks) * chunk + std::min(chunk, n % chunks);
  }
};

ThreadPool::ThreadPool(size_t size) {
  if (size == 0)
    size = std::max<size_t>(1, std::thread::hardware_concurrency());
  workers_.reserve(size - 1);
  for (size_t i = 0; i + 1 < size; ++i)
    workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  workAvailable_.notify_all();
  for (std::thread &worker : workers_)
    worker.join();
}

bool ThreadPool::insideParallelFor() { return tlsChunkDepth > 0; }

void ThreadPool::runChunks(Job &job, std::unique_lock<std::mutex> &lock) {
  while (job.next < job.chunks) {
    int64_t chunk = job.next++;
    if (job.next == job.chunks) {
      auto it = std::find(queue_.begin(), queue_.end(), &job);
      if (it != queue_.end())
        queue_.erase(it);
    }
    lock.unlock();
    {
      ChunkScope scope;
      (*job.fn)(job.begin(chunk), job.begin(chunk + 1));
    }
    lock.lock();
    if (++job.done == job.chunks)
      jobDone_.notify_all();
  }
}

void ThreadPool::workerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    workAvailable_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty())
      return; // stopping, and nothing left to do
    runChunks(*queue_.front(), lock);
  }
}

void ThreadPool::parallelFor(int64_t n,
                             const std::function<void(int64_t, int64_t)> &fn) {
  if (n <= 0)
    return;
  if (n == 1 || workers_.empty() || insideParallelFor()) {
    fn(0, n);
    return;
  }
  Job job;
  job.fn = &fn;
  job.n = n;
  job.chunks = std::min<int64_t>(n, static_cast<int64_t>(size()));
  std::unique_lock<std::mutex> lock(mutex_);
  queue_.push_back(&job);
  if (job.chunks - 1 >= static_cast<int64_t>(workers_.size()))
    workAvailable_.notify_all();
  else
    for (int64_t i = 0; i + 1 < job.chunks; ++i)
      workAvailable_.notify_one();
  runChunks(job, lock);
  jobDone_.wait(lock, [&job] { return job.done == job.chunks; });
}

} // namespace ssmrt
