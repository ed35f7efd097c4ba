// The catalogue of published models and the cache folder (include/gpen/models.hpp).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "catalogue/catalogue_text.hpp"
#include "gpen/models.hpp"

namespace gpen {
namespace fs = std::filesystem;

namespace {

std::string text_or_empty(const nlohmann::json& entry, const char* key) {
  const auto it = entry.find(key);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string model_cache_dir() {
  const char* home = std::getenv("GPEN_HOME");
  if (home && *home) return home;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return (fs::path(xdg) / "gpen").string();
  const char* user = std::getenv("HOME");
  return (fs::path(user && *user ? user : ".") / ".cache" / "gpen").string();
}

std::vector<KnownModel> known_models() {
  // GPEN_CATALOGUE (tests) reads another file, as gpen.models does.
  const char* override_path = std::getenv("GPEN_CATALOGUE");
  nlohmann::json doc;
  if (override_path && *override_path) {
    std::ifstream in(override_path);
    doc = nlohmann::json::parse(in, nullptr, false);
  } else {
    doc = nlohmann::json::parse(detail::kCatalogueJson, nullptr, false);
  }
  std::vector<KnownModel> models;
  if (!doc.is_object() || !doc.contains("models") || !doc["models"].is_array()) return models;
  const fs::path cache = fs::path(model_cache_dir()) / "models";
  for (const nlohmann::json& entry : doc["models"]) {
    KnownModel m;
    m.name = text_or_empty(entry, "name");
    if (m.name.empty()) continue;
    m.kind = text_or_empty(entry, "kind");
    m.task = text_or_empty(entry, "task");
    m.file = text_or_empty(entry, "file");
    m.sha256 = text_or_empty(entry, "sha256");
    m.note = text_or_empty(entry, "note");
    m.supported = entry.value("supported", false);
    if (entry.contains("urls") && entry["urls"].is_array()) {
      for (const auto& url : entry["urls"]) if (url.is_string()) m.urls.push_back(url.get<std::string>());
    }
    std::error_code ec;
    const fs::path cached = cache / (m.name + ".pt");
    if (fs::is_regular_file(cached, ec)) m.cached_path = cached.string();
    models.push_back(std::move(m));
  }
  return models;
}

}  // namespace gpen
