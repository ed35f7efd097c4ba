#pragma once
// The models the server can use: the one given by --model (or the classic path), every *.pt
// in --models-dir, and the catalogue's face models already pulled into the cache (by name). One is current; switching builds the new Restorer first, and work already
// running keeps the old one (shared ownership) until it finishes.

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gpen/restorer.hpp"
#include "json/gpen_json.hpp"

namespace gpen::server {

class ModelRegistry {
 public:
  /// Loads options.model_path (or the classic path). Throws gpen::Error as Restorer does.
  ModelRegistry(const RestorerOptions& options, std::string models_dir);

  std::shared_ptr<const Restorer> current() const;
  /// "classic" or the model file's name.
  std::string current_name() const;

  /// {"current": NAME, "models": [{"name", "path", "bytes", "current", "architecture", "size",
  /// "random_weights", "error"?}]}: "classic", the --model file, and every *.pt in models_dir.
  json::Json list() const;

  /// Makes `name` current ("classic", or a name from list()), with the Restorer options in
  /// `overrides` (any RestorerOptions field but model_path, by its table name: device,
  /// precision, max_batch, ...) changed from the current ones. Throws ApiError 404 for an
  /// unknown name, 400 for a bad option, 422 for a model that does not load; the current model
  /// stays then.
  void select(const std::string& name, const std::vector<std::pair<std::string, std::string>>& overrides = {});

  /// The options the current Restorer was built with.
  RestorerOptions options() const;

 private:
  std::string path_of(const std::string& name) const;

  RestorerOptions options_;
  std::string models_dir_;
  std::string initial_name_;  // as given to --model ("GPEN-BFR-512", "my.pt"), or "classic"
  std::string initial_path_;  // the file it resolved to; empty for the classic path
  mutable std::mutex mutex_;
  std::shared_ptr<const Restorer> current_;
  std::string current_name_;
  std::mutex switching_;  // one switch at a time
};

}  // namespace gpen::server
