#pragma once
// The server's counters, written by the request threads and read as Prometheus text at /metrics.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace gpen::server {

/// Figures read at scrape time from elsewhere (admission, jobs, the model).
struct MetricsGauges {
  int restore_waiting = 0;
  int restore_active = 0;
  int jobs_queued = 0;
  double compute_busy_s = 0.0;
  double uptime_s = 0.0;
  bool device_memory = false;
  std::int64_t device_allocated_bytes = 0;
  std::int64_t device_reserved_bytes = 0;
};

class Metrics {
 public:
  /// One HTTP response, by status.
  void count_response(int status);
  /// One successful POST /v1/restore: its latency and faces.
  void observe_restore(double seconds, std::size_t faces);
  /// Faces restored by batch jobs, and the jobs' model time.
  void add_job_work(long long faces, double compute_s);

  /// Prometheus text exposition format (version 0.0.4).
  std::string prometheus_text(const MetricsGauges& gauges) const;

 private:
  static constexpr std::array<double, 11> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
  mutable std::mutex mutex_;
  std::map<int, std::uint64_t> responses_;
  std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};
  std::uint64_t restore_count_ = 0;
  double restore_sum_s_ = 0.0;
  long long faces_ = 0;
  double job_compute_s_ = 0.0;
};

/// This process's resident memory in bytes (from /proc/self/statm), 0 if unknown.
std::int64_t resident_bytes();

}  // namespace gpen::server
