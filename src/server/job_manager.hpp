#pragma once
// Batch jobs: uploaded albums restored on the batch engine, one job at a time in the order
// received, each in its own folder under --jobs-dir:
//   <id>/job.json     the job's request and state (written atomically at each change of state)
//   <id>/inputs/      the uploaded images          <id>/outputs/   the restored images
//   <id>/report.json  per-file results              <id>/result.zip outputs + report.json
// An upload is unpacked into a hidden ".incoming-<id>" folder and renamed into place only when
// complete. At start-up, jobs left queued or running (a crash, SIGKILL) are resumed: finished
// outputs are kept (written atomically, they are complete), temporary files are removed.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "json/gpen_json.hpp"
#include "server/model_registry.hpp"
#include "server/request_params.hpp"
#include "server/zip_archive.hpp"

namespace gpen::server {

/// One uploaded file: its name as sent and its bytes.
struct UploadedFile {
  std::string name;
  std::string content;
};

class JobManager {
 public:
  /// Creates jobs_dir if needed and resumes the jobs found in it. Finished jobs older than
  /// `keep_hours` (0: kept until deleted) are removed with their files: at start, after each
  /// job, and every 10 minutes while idle.
  JobManager(std::string jobs_dir, ModelRegistry& models, ZipLimits limits, double keep_hours,
             std::function<void(long long faces, double compute_s)> on_work);
  ~JobManager();

  /// Starts a job: a zip (one file whose name ends in .zip) or image files. Returns its id.
  /// Throws ApiError 400/413 for a bad upload (nothing is left on disk then).
  std::string submit(const std::vector<UploadedFile>& files,
                     const std::vector<std::pair<std::string, std::string>>& fields);

  /// The job's state as JSON; throws ApiError 404.
  json::Json status(const std::string& id) const;
  /// Waits until the job changed since `version` (or `timeout`), then returns its state and the
  /// new version. `*finished` tells whether the job has ended (done, failed, cancelled).
  json::Json wait_for_change(const std::string& id, std::uint64_t& version, std::chrono::milliseconds timeout,
                             bool* finished) const;
  /// Path of the job's result.zip; throws ApiError 404 (no such job) or 409 (not finished).
  std::string result_zip(const std::string& id) const;
  /// Cancels a queued or running job (running files finish and are kept); a finished job is
  /// removed with its files. Returns the state after. Throws ApiError 404.
  std::string cancel_or_remove(const std::string& id);

  /// Jobs queued or running.
  int pending() const;

  /// Stops: the running job is checkpointed (files in flight are finished; the job stays
  /// queued on disk and resumes at the next start). Joins the worker.
  void shutdown();

 private:
  struct Job;
  void run_worker();
  void run_job(Job& job);
  void load_existing();
  void save(Job& job) const;
  void remove_expired();
  void notify(Job& job);
  json::Json status_json(const Job& job) const;
  std::shared_ptr<Job> find(const std::string& id) const;

  const std::string dir_;
  ModelRegistry& models_;
  const ZipLimits limits_;
  const double keep_hours_;
  std::function<void(long long, double)> on_work_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace gpen::server
