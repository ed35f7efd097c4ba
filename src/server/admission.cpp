#include "server/admission.hpp"

namespace gpen::server {

Admission::Admission(int workers, int queue) : workers_(workers), queue_(queue) {}

Admission::Slot Admission::enter() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (active_ >= workers_) {
    if (waiting_ >= queue_) return Slot(nullptr);
    ++waiting_;
    freed_.wait(lock, [&] { return active_ < workers_; });
    --waiting_;
  }
  if (active_++ == 0) busy_since_ = Clock::now();
  return Slot(this);
}

void Admission::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--active_ == 0) busy_s_ += std::chrono::duration<double>(Clock::now() - busy_since_).count();
  }
  freed_.notify_one();
}

int Admission::waiting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return waiting_;
}

int Admission::active() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_;
}

double Admission::busy_seconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  double busy = busy_s_;
  if (active_ > 0) busy += std::chrono::duration<double>(Clock::now() - busy_since_).count();
  return busy;
}

}  // namespace gpen::server
