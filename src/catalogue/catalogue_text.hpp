#pragma once
// python/gpen/catalogue.json as text, embedded at build time (cmake/embed_text.cmake).

namespace gpen::detail {

extern const char* const kCatalogueJson;

}  // namespace gpen::detail
