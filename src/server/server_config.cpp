#include "server/server_config.hpp"

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

#include "gpen/error.hpp"
#include "gpen/param_table.hpp"

namespace gpen::server {

namespace {

// "max_batch" -> "max-batch"
std::string flag_name(const std::string& param) {
  std::string flag = param;
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

long long parse_integer(const std::string& flag, const std::string& value, long long lo, long long hi) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || v < lo || v > hi) {
    throw Error(ErrorCode::InvalidArgument, "--" + flag + " must be a whole number in " + std::to_string(lo) +
                                                "-" + std::to_string(hi) + ", got '" + value + "'");
  }
  return v;
}

std::string default_jobs_dir() {
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache != nullptr && *cache != '\0') {
    return std::string(cache) + "/gpen/jobs";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.cache/gpen/jobs";
}

using Setter = std::function<void(ServerConfig&, const std::string&)>;

struct ServerFlag {
  std::string name;
  std::string value_name;  // empty: a switch without a value
  std::string doc;
  Setter set;
};

const std::vector<ServerFlag>& server_flags() {
  static const std::vector<ServerFlag> flags = [] {
    std::vector<ServerFlag> f = {
        {"host", "ADDR", "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
         [](ServerConfig& c, const std::string& v) { c.host = v; }},
        {"port", "N", "port to listen on (default 7860; 0 picks a free one)",
         [](ServerConfig& c, const std::string& v) { c.port = static_cast<int>(parse_integer("port", v, 0, 65535)); }},
        {"model", "PATH", "exported GPEN model (python -m gpen.export); without one, the classic path",
         [](ServerConfig& c, const std::string& v) { c.restorer.model_path = v; }},
        {"models-dir", "DIR", "folder of exported models (*.pt), each selectable from the UI and API",
         [](ServerConfig& c, const std::string& v) { c.models_dir = v; }},
        {"workers", "N", "restore requests computed at once (default 2)",
         [](ServerConfig& c, const std::string& v) { c.workers = static_cast<int>(parse_integer("workers", v, 1, 256)); }},
        {"queue", "N", "restore requests waiting beyond the workers; more get 503 (default 8)",
         [](ServerConfig& c, const std::string& v) { c.queue = static_cast<int>(parse_integer("queue", v, 0, 100000)); }},
        {"max-upload-mb", "N", "largest request body, MiB (default 50)",
         [](ServerConfig& c, const std::string& v) { c.max_upload_bytes = parse_integer("max-upload-mb", v, 1, 1 << 20) << 20; }},
        {"max-pixels", "N", "largest image accepted, pixels (default 50000000)",
         [](ServerConfig& c, const std::string& v) { c.max_pixels = parse_integer("max-pixels", v, 1, 1LL << 28); }},
        {"max-job-files", "N", "most images in one batch job (default 1000)",
         [](ServerConfig& c, const std::string& v) { c.max_job_files = static_cast<int>(parse_integer("max-job-files", v, 1, 1000000)); }},
        {"jobs-dir", "DIR", "batch jobs and their results (default ~/.cache/gpen/jobs)",
         [](ServerConfig& c, const std::string& v) { c.jobs_dir = v; }},
        {"keep-jobs-hours", "N", "finished batch jobs and their files are removed after N hours (default 168; 0 keeps them)",
         [](ServerConfig& c, const std::string& v) { c.keep_jobs_hours = static_cast<double>(parse_integer("keep-jobs-hours", v, 0, 1000000)); }},
        {"api-key", "KEY", "require 'Authorization: Bearer KEY' on every /v1 call (or GPEN_API_KEY)",
         [](ServerConfig& c, const std::string& v) { c.api_key = v; }},
        {"cors-origin", "ORIGIN", "send Access-Control-Allow-Origin: ORIGIN (e.g. * or https://example.org)",
         [](ServerConfig& c, const std::string& v) { c.cors_origin = v; }},
        {"quiet", "", "no request log on stderr", [](ServerConfig& c, const std::string&) { c.quiet = true; }},
    };
    // The Restorer's options, from the parameter table (model_path is --model above).
    for (const ParamInfo& info : param_table()) {
      if (info.group != ParamGroup::Restorer || info.name == "model_path") continue;
      std::string value_name = info.kind == ParamKind::Bool ? "BOOL" : info.kind == ParamKind::Choice ? "NAME" : "VALUE";
      const std::string name = info.name;
      f.push_back({flag_name(name), value_name, info.doc + " (default " + (info.default_value.empty() ? "none" : info.default_value) + ")",
                   [name](ServerConfig& c, const std::string& v) {
                     try {
                       set_param(c.restorer, name, v);
                     } catch (const Error& e) {  // "max_batch must be ..." -> "--max-batch must be ..."
                       const std::string message = e.what();
                       throw Error(ErrorCode::InvalidArgument, "--" + flag_name(name) +
                                   (message.rfind(name, 0) == 0 ? message.substr(name.size()) : ": " + message));
                     }
                   }});
    }
    f.push_back({"help", "", "this text", [](ServerConfig& c, const std::string&) { c.show_help = true; }});
    f.push_back({"version", "", "print the version", [](ServerConfig& c, const std::string&) { c.show_version = true; }});
    return f;
  }();
  return flags;
}

}  // namespace

ServerConfig parse_server_args(const std::vector<std::string>& args, const char* env_api_key) {
  ServerConfig config;
  if (env_api_key != nullptr) config.api_key = env_api_key;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool has_value = false;
    if (arg.rfind("--", 0) != 0) {
      throw Error(ErrorCode::InvalidArgument, "unexpected argument '" + arg + "' (see --help)");
    }
    arg = arg.substr(2);
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const ServerFlag* flag = nullptr;
    for (const ServerFlag& f : server_flags()) {
      if (f.name == arg) flag = &f;
    }
    if (flag == nullptr) throw Error(ErrorCode::InvalidArgument, "unknown flag --" + arg + " (see --help)");
    if (!flag->value_name.empty() && !has_value) {
      if (i + 1 >= args.size()) throw Error(ErrorCode::InvalidArgument, "--" + arg + " needs a value");
      value = args[++i];
    } else if (flag->value_name.empty() && has_value) {
      throw Error(ErrorCode::InvalidArgument, "--" + arg + " takes no value");
    }
    try {
      flag->set(config, value);
    } catch (const Error& e) {
      const std::string message = e.what();
      throw Error(ErrorCode::InvalidArgument, message.rfind("--", 0) == 0 ? message : "--" + message);
    }
  }
  if (config.jobs_dir.empty()) config.jobs_dir = default_jobs_dir();
  config.restorer.validate();
  return config;
}

std::string server_usage() {
  std::ostringstream out;
  out << "usage: gpen-server [--model PATH] [--models-dir DIR] [--port N] [options]\n\n"
         "Serves the gpen web UI at http://HOST:PORT/ and the HTTP API under /v1 (docs/server.md).\n\n"
         "options:\n";
  for (const ServerFlag& f : server_flags()) {
    std::string left = "  --" + f.name + (f.value_name.empty() ? "" : " " + f.value_name);
    if (left.size() < 30) left.resize(30, ' ');
    out << left << " " << f.doc << "\n";
  }
  return out.str();
}

}  // namespace gpen::server
