#include "server/metrics.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gpen::server {

void Metrics::count_response(int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++responses_[status];
}

void Metrics::observe_restore(double seconds, std::size_t faces) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
  ++restore_count_;
  restore_sum_s_ += seconds;
  faces_ += static_cast<long long>(faces);
}

void Metrics::add_job_work(long long faces, double compute_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  faces_ += faces;
  job_compute_s_ += compute_s;
}

std::string Metrics::prometheus_text(const MetricsGauges& g) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  out << "# HELP gpen_http_responses_total HTTP responses sent, by status.\n"
         "# TYPE gpen_http_responses_total counter\n";
  for (const auto& [status, count] : responses_) {
    out << "gpen_http_responses_total{status=\"" << status << "\"} " << count << "\n";
  }
  out << "# HELP gpen_restore_seconds Latency of successful POST /v1/restore calls.\n"
         "# TYPE gpen_restore_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    out << "gpen_restore_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << bucket_counts_[i] << "\n";
  }
  out << "gpen_restore_seconds_bucket{le=\"+Inf\"} " << restore_count_ << "\n"
      << "gpen_restore_seconds_sum " << restore_sum_s_ << "\n"
      << "gpen_restore_seconds_count " << restore_count_ << "\n";
  out << "# HELP gpen_faces_restored_total Faces restored (single restores and batch jobs).\n"
         "# TYPE gpen_faces_restored_total counter\n"
      << "gpen_faces_restored_total " << faces_ << "\n";
  out << "# HELP gpen_queue_depth Restore requests waiting for a worker.\n"
         "# TYPE gpen_queue_depth gauge\n"
      << "gpen_queue_depth " << g.restore_waiting << "\n";
  out << "# HELP gpen_restore_active Restore requests computing now.\n"
         "# TYPE gpen_restore_active gauge\n"
      << "gpen_restore_active " << g.restore_active << "\n";
  out << "# HELP gpen_jobs_queued Batch jobs waiting or running.\n"
         "# TYPE gpen_jobs_queued gauge\n"
      << "gpen_jobs_queued " << g.jobs_queued << "\n";
  const double busy = g.compute_busy_s + job_compute_s_;
  out << "# HELP gpen_compute_busy_seconds_total Time the compute stage had work.\n"
         "# TYPE gpen_compute_busy_seconds_total counter\n"
      << "gpen_compute_busy_seconds_total " << busy << "\n";
  out << "# HELP gpen_compute_busy_fraction Compute-busy time over uptime.\n"
         "# TYPE gpen_compute_busy_fraction gauge\n"
      << "gpen_compute_busy_fraction " << (g.uptime_s > 0 ? std::min(1.0, busy / g.uptime_s) : 0.0) << "\n";
  out << "# HELP gpen_uptime_seconds Seconds since the server started.\n"
         "# TYPE gpen_uptime_seconds gauge\n"
      << "gpen_uptime_seconds " << g.uptime_s << "\n";
  out << "# HELP gpen_resident_memory_bytes Resident memory of the server process.\n"
         "# TYPE gpen_resident_memory_bytes gauge\n"
      << "gpen_resident_memory_bytes " << resident_bytes() << "\n";
  if (g.device_memory) {
    out << "# HELP gpen_device_memory_allocated_bytes Device memory in live tensors.\n"
           "# TYPE gpen_device_memory_allocated_bytes gauge\n"
        << "gpen_device_memory_allocated_bytes " << g.device_allocated_bytes << "\n"
        << "# HELP gpen_device_memory_reserved_bytes Device memory held by the caching allocator.\n"
           "# TYPE gpen_device_memory_reserved_bytes gauge\n"
        << "gpen_device_memory_reserved_bytes " << g.device_reserved_bytes << "\n";
  }
  return out.str();
}

std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0;
  std::int64_t resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::int64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace gpen::server
