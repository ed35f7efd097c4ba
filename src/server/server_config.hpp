#pragma once
// gpen-server's command line, parsed into a plain struct. The Restorer's options (--device,
// --precision, --threads, --max-batch, --detector, ...) are derived from the parameter table.

#include <cstdint>
#include <string>
#include <vector>

#include "gpen/options.hpp"

namespace gpen::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 7860;
  RestorerOptions restorer;  ///< restorer.model_path from --model (empty: the classic path)
  std::string models_dir;    ///< every *.pt in it is selectable
  int workers = 2;           ///< restore requests computed at once
  int queue = 8;             ///< restore requests waiting beyond the workers; then 503
  std::int64_t max_upload_bytes = 50LL << 20;
  std::int64_t max_pixels = 50'000'000;  ///< decoded images larger than this: 422
  int max_job_files = 1000;              ///< images in one batch job
  std::string jobs_dir;                  ///< default: $XDG_CACHE_HOME/gpen/jobs or ~/.cache/gpen/jobs
  double keep_jobs_hours = 168;          ///< finished jobs are removed after this; 0: kept until deleted
  std::string api_key;                   ///< --api-key or GPEN_API_KEY; empty: no auth
  std::string cors_origin;               ///< Access-Control-Allow-Origin value; empty: none
  bool quiet = false;                    ///< no request log
  bool show_help = false;
  bool show_version = false;
};

/// Parses argv (without the program name); `env_api_key` is GPEN_API_KEY's value (or null).
/// Throws gpen::Error(InvalidArgument) naming the flag and the problem.
ServerConfig parse_server_args(const std::vector<std::string>& args, const char* env_api_key);

/// The --help text.
std::string server_usage();

}  // namespace gpen::server
