#pragma once
// The web UI's files (src/server/ui/), embedded in the binary at build time
// (cmake/embed_ui.cmake generates ui_assets.cpp), so the server needs nothing beside it.

#include <cstddef>
#include <string>
#include <vector>

namespace gpen::server {

struct UiAsset {
  std::string path;  ///< "/index.html", "/app.js", ...
  std::string content_type;
  const char* data;
  std::size_t size;
};

const std::vector<UiAsset>& ui_assets();

}  // namespace gpen::server
