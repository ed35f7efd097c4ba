#include "server/compute_pool.hpp"

#include <exception>

namespace gpen::server {

struct ComputePool::Task {
  const std::function<void()>* function = nullptr;
  std::exception_ptr error;
  bool done = false;
  std::condition_variable finished;
};

ComputePool::ComputePool(int workers, int queue) : workers_(workers), queue_(queue) {
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { work(); });
}

ComputePool::~ComputePool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool ComputePool::run(const std::function<void()>& function) {
  Task task;
  task.function = &function;
  std::unique_lock<std::mutex> lock(mutex_);
  if (active_ + static_cast<int>(tasks_.size()) >= workers_ + queue_) return false;
  tasks_.push_back(&task);
  wake_.notify_one();
  task.finished.wait(lock, [&] { return task.done; });
  if (task.error) std::rethrow_exception(task.error);
  return true;
}

void ComputePool::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, nothing left
    Task* task = tasks_.front();
    tasks_.pop_front();
    if (active_++ == 0) busy_since_ = Clock::now();
    lock.unlock();
    try {
      (*task->function)();
    } catch (...) {
      task->error = std::current_exception();
    }
    lock.lock();
    if (--active_ == 0) busy_s_ += std::chrono::duration<double>(Clock::now() - busy_since_).count();
    task->done = true;
    task->finished.notify_one();
  }
}

int ComputePool::waiting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(tasks_.size());
}

int ComputePool::active() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_;
}

double ComputePool::busy_seconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  double busy = busy_s_;
  if (active_ > 0) busy += std::chrono::duration<double>(Clock::now() - busy_since_).count();
  return busy;
}

}  // namespace gpen::server
