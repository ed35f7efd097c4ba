#pragma once
// Admission of restore requests: at most `workers` compute at once, at most `queue` wait for a
// slot; any more are turned away at once (the API answers 503 with Retry-After). Also keeps
// the time during which at least one request was computing (the compute-busy figure).

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace gpen::server {

class Admission {
 public:
  Admission(int workers, int queue);

  /// A computing slot, held for the object's life.
  class Slot {
   public:
    explicit Slot(Admission* owner) : owner_(owner) {}
    Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_ != nullptr) owner_->release();
    }
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    Admission* owner_;
  };

  /// Waits for a slot if one is free or the queue has room; an empty Slot if the queue is full.
  Slot enter();

  int waiting() const;
  int active() const;
  /// Seconds during which at least one slot was held, up to now.
  double busy_seconds() const;

 private:
  void release();
  using Clock = std::chrono::steady_clock;

  const int workers_;
  const int queue_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  int active_ = 0;
  int waiting_ = 0;
  Clock::time_point busy_since_;
  double busy_s_ = 0.0;
};

}  // namespace gpen::server
