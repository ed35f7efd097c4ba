#include "server/model_registry.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "gpen/error.hpp"
#include "gpen/models.hpp"
#include "gpen/param_table.hpp"
#include "server/api_error.hpp"

namespace gpen::server {
namespace fs = std::filesystem;

namespace {

// A Restorer whose face detector is loaded too (it is created on first use), so the first
// request is as fast as the rest and memory figures are steady from the start.
std::shared_ptr<const Restorer> ready_restorer(const RestorerOptions& options) {
  auto restorer = std::make_shared<const Restorer>(options);
  const Image blank(64, 64, 3, ColorOrder::BGR);
  restorer->detect(blank.view());
  return restorer;
}

std::string name_of(const std::string& path) {
  return path.empty() ? "classic" : fs::path(path).filename().string();
}

// The catalogue's face models (GPEN-BFR-512, ...); cached_path is empty for one not pulled yet.
std::vector<KnownModel> catalogue_face_models() {
  std::vector<KnownModel> faces;
  for (KnownModel& m : known_models()) {
    if (m.kind == "face" && m.supported) faces.push_back(std::move(m));
  }
  return faces;
}

}  // namespace

ModelRegistry::ModelRegistry(const RestorerOptions& options, std::string models_dir)
    : options_(options), models_dir_(std::move(models_dir)) {
  current_ = ready_restorer(options_);
  current_name_ = name_of(options_.model_path);
  initial_name_ = current_name_;
  // A catalogue name or a .pth given to --model: the file the Restorer loaded.
  if (!options_.model_path.empty()) initial_path_ = resolve_model(options_.model_path);
  if (!models_dir_.empty()) {
    std::error_code ec;
    if (!fs::is_directory(models_dir_, ec)) {
      throw Error(ErrorCode::FileNotFound, "--models-dir " + models_dir_ + " is not a directory");
    }
  }
}

std::shared_ptr<const Restorer> ModelRegistry::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

std::string ModelRegistry::current_name() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_name_;
}

std::string ModelRegistry::path_of(const std::string& name) const {
  if (name == "classic") return "";
  if (!initial_path_.empty() && name == initial_name_) return initial_path_;
  if (!models_dir_.empty() && name.find('/') == std::string::npos && name != "." && name != "..") {
    const fs::path candidate = fs::path(models_dir_) / name;
    std::error_code ec;
    if (candidate.extension() == ".pt" && fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  for (const KnownModel& m : catalogue_face_models()) {
    if (m.name != name) continue;
    if (!m.cached_path.empty()) return m.cached_path;
    throw ApiError(404, "unknown-model",
                   "model '" + name + "' is not in the cache; on the server machine run: gpen models pull " + name);
  }
  throw ApiError(404, "unknown-model", "no model named '" + name + "' (GET /v1/models lists them)");
}

json::Json ModelRegistry::list() const {
  std::vector<std::string> paths;  // --models-dir files
  if (!models_dir_.empty()) {
    std::error_code ec;
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(models_dir_, ec)) {
      if (entry.path().extension() == ".pt" && entry.is_regular_file(ec)) found.push_back(entry.path().string());
    }
    std::sort(found.begin(), found.end());
    for (const std::string& p : found) {
      if (initial_path_.empty() || (name_of(p) != initial_name_ && p != initial_path_)) paths.push_back(p);
    }
  }
  // (name, path): --model first, then --models-dir, then pulled catalogue models by their
  // catalogue name (the name PUT /v1/model takes).
  std::vector<std::pair<std::string, std::string>> named;
  if (!initial_path_.empty()) named.emplace_back(initial_name_, initial_path_);
  for (const std::string& p : paths) named.emplace_back(name_of(p), p);
  for (const KnownModel& m : catalogue_face_models()) {
    if (!m.cached_path.empty() && m.cached_path != initial_path_) named.emplace_back(m.name, m.cached_path);
  }
  const std::string current = current_name();
  json::Json models = json::Json::array();
  models.push_back({{"name", "classic"},
                    {"path", ""},
                    {"bytes", 0},
                    {"current", current == "classic"},
                    {"architecture", "classic"},
                    {"size", 512},
                    {"task", "enhance"},
                    {"random_weights", false}});
  for (const auto& [name, p] : named) {
    std::error_code ec;
    const auto bytes = fs::file_size(p, ec);
    json::Json m = {{"name", name}, {"path", p}, {"bytes", ec ? 0 : bytes}, {"current", current == name}};
    try {
      const ModelInfo info = read_model_info(p);
      m["architecture"] = info.architecture;
      m["size"] = info.size;
      m["task"] = info.task;
      m["random_weights"] = info.random_weights;
    } catch (const Error& e) {
      m["error"] = e.what();
    }
    models.push_back(m);
  }
  return {{"current", current}, {"models", models}};
}

RestorerOptions ModelRegistry::options() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return options_;
}

void ModelRegistry::select(const std::string& name, const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::lock_guard<std::mutex> one_at_a_time(switching_);
  const std::string path = path_of(name);
  RestorerOptions options = this->options();
  options.model_path = path;
  for (const auto& [key, value] : overrides) {
    const ParamInfo* info = find_param(key);
    if (info == nullptr || info->group != ParamGroup::Restorer || key == "model_path") {
      throw ApiError(400, "bad-parameter", "unknown model option '" + key + "'");
    }
    try {
      set_param(options, key, value);
    } catch (const Error& e) {
      throw ApiError(400, "bad-parameter", e.what());
    }
  }
  if (name == current_name() && overrides.empty()) return;
  std::shared_ptr<const Restorer> restorer;
  try {
    restorer = ready_restorer(options);
  } catch (const Error& e) {
    throw ApiError(422, error_code_name(e.code()), e.what());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(restorer);
  current_name_ = name;
  options_ = options;
}

}  // namespace gpen::server
