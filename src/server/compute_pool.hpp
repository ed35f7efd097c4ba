#pragma once
// Where restore requests are computed: a fixed set of `workers` threads, with at most `queue`
// requests waiting for one; any more are turned away at once (the API answers 503 with
// Retry-After). Computing on a few long-lived threads, rather than on whichever HTTP thread
// took the request, keeps per-thread state (OpenMP teams, allocator caches) bounded: memory
// stays flat under load. Also keeps the time during which at least one request was computing.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gpen::server {

class ComputePool {
 public:
  ComputePool(int workers, int queue);
  ~ComputePool();
  ComputePool(const ComputePool&) = delete;
  ComputePool& operator=(const ComputePool&) = delete;

  /// Runs `task` on a worker and waits for it; an exception it throws is rethrown here.
  /// Returns false at once, without running it, if all workers are busy and the queue is full.
  bool run(const std::function<void()>& task);

  int waiting() const;
  int active() const;
  /// Seconds during which at least one worker was computing, up to now.
  double busy_seconds() const;

 private:
  struct Task;
  void work();
  using Clock = std::chrono::steady_clock;

  const int workers_;
  const int queue_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task*> tasks_;
  int active_ = 0;
  bool stopping_ = false;
  Clock::time_point busy_since_;
  double busy_s_ = 0.0;
  std::vector<std::thread> threads_;
};

}  // namespace gpen::server
