#pragma once
// "jpg, png,webp" -> {"jpg", "png", "webp"} (internal; used by the CLI and the C ABI).

#include <string>
#include <vector>

namespace gpen::detail {

/// Splits on commas, dropping spaces and empty items.
std::vector<std::string> split_comma_list(const std::string& text);

}  // namespace gpen::detail
