#pragma once
// gpen-server's routes on a cpp-httplib server: the embedded web UI at /, the JSON API under
// /v1, /health and /metrics (docs/server.md). Every error is {"error":{"code","message"}}.

#include <httplib.h>

#include <chrono>
#include <memory>

#include "server/compute_pool.hpp"
#include "server/job_manager.hpp"
#include "server/metrics.hpp"
#include "server/model_registry.hpp"
#include "server/server_config.hpp"

namespace gpen::server {

class HttpApi {
 public:
  /// Loads the model and resumes the jobs in config.jobs_dir. Throws gpen::Error.
  explicit HttpApi(const ServerConfig& config);

  /// Registers the routes and handlers on `server` and sizes its thread pool.
  void install(httplib::Server& server);

  /// Checkpoints the batch jobs (before stopping the HTTP server).
  void shutdown();

 private:
  void restore(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& body);
  void submit_job(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& body);
  void job_events(const httplib::Request& req, httplib::Response& res);
  void job_result(const httplib::Request& req, httplib::Response& res);
  void put_model(const httplib::Request& req, httplib::Response& res);
  void health(httplib::Response& res);
  json::Json models_json() const;
  void metrics(httplib::Response& res);
  bool authorized(const httplib::Request& req) const;

  const ServerConfig config_;
  const std::chrono::steady_clock::time_point started_;
  ModelRegistry models_;
  ComputePool compute_;
  Metrics metrics_;
  std::unique_ptr<JobManager> jobs_;
};

}  // namespace gpen::server
