// What a model argument means: an exported model, a published checkpoint to convert once, or a
// catalogue name (include/gpen/models.hpp).

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "catalogue/model_file_kind.hpp"
#include "catalogue/models_tool.hpp"
#include "gpen/error.hpp"
#include "gpen/models.hpp"

namespace gpen {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const KnownModel* find_known(const std::vector<KnownModel>& models, const std::string& name) {
  for (const KnownModel& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

// A catalogue name close to `name` (same letters in another case, or containing it), or "".
std::string close_name(const std::vector<KnownModel>& models, const std::string& name) {
  const std::string wanted = lower(name);
  for (const KnownModel& m : models) {
    if (lower(m.name) == wanted) return m.name;
  }
  for (const KnownModel& m : models) {
    if (wanted.size() >= 3 && lower(m.name).find(wanted) != std::string::npos) return m.name;
  }
  return "";
}

bool looks_like_a_path(const std::string& arg) {
  const std::string ext = fs::path(arg).extension().string();
  return arg.find('/') != std::string::npos || ext == ".pt" || ext == ".pth" || ext == ".pkl";
}

}  // namespace

std::string pull_model(const std::string& name) {
  const std::vector<KnownModel> models = known_models();
  const KnownModel* known = find_known(models, name);
  if (!known) {
    const std::string hint = close_name(models, name);
    throw Error(ErrorCode::InvalidArgument, "unknown model '" + name + "'" +
                                                (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                                                "; `gpen models list` shows the known names");
  }
  if (!known->cached_path.empty()) return known->cached_path;
  return detail::run_models_tool({"pull", name});
}

std::string resolve_model(const std::string& arg, bool download) {
  if (arg.empty()) return arg;
  std::error_code ec;
  if (fs::exists(arg, ec)) {
    if (!fs::is_regular_file(arg, ec)) return arg;  // loading says what is wrong with it
    const detail::ModelFileKind kind = detail::model_file_kind(arg);
    if (kind == detail::ModelFileKind::CheckpointZip || kind == detail::ModelFileKind::CheckpointPickle) {
      return detail::run_models_tool({"convert", fs::absolute(arg, ec).string()});
    }
    return arg;
  }
  if (looks_like_a_path(arg)) throw Error(ErrorCode::FileNotFound, "model file not found: " + arg);
  const std::vector<KnownModel> models = known_models();
  const KnownModel* known = find_known(models, arg);
  if (!known) {
    const std::string hint = close_name(models, arg);
    throw Error(ErrorCode::FileNotFound,
                "model file not found: " + arg + " (nor a known model name" +
                    (hint.empty() ? "" : "; did you mean " + hint + "?") + " `gpen models list` shows them)");
  }
  if (!known->supported) {
    throw Error(ErrorCode::UnsupportedModel, "model " + arg + " is known but gpen cannot run it yet: " + known->note);
  }
  if (!known->cached_path.empty()) return known->cached_path;
  if (download) return pull_model(arg);
  throw Error(ErrorCode::FileNotFound, "model " + arg + " is not downloaded yet: run `gpen models pull " + arg +
                                           "` (or restore with --download / download=True) to fetch it into " +
                                           model_cache_dir());
}

}  // namespace gpen
