#pragma once
// What one API call asks for, from its query string and form fields: the RestoreParams (every
// restore parameter of the parameter table, by its Python keyword), a preset applied first,
// and the output's format and quality (the batch options of those names).

#include <string>
#include <utility>
#include <vector>

#include "gpen/batch.hpp"
#include "gpen/params.hpp"

namespace gpen::server {

struct RestoreRequest {
  RestoreParams params;
  std::string preset;       ///< empty: none
  std::string format = "png";
  int quality = 95;
  bool compare = false;        ///< the input and the result side by side instead of the result
  bool json_response = false;  ///< response=json
};

/// Names accepted besides the restore parameters: preset, format, quality, compare, response.
/// Throws ApiError 400 "bad-parameter" naming the parameter and its range or choices, or
/// listing the known names for an unknown one. A name given twice is an error.
RestoreRequest parse_restore_request(const std::vector<std::pair<std::string, std::string>>& fields);

/// The names parse_restore_request takes, in table order.
std::vector<std::string> restore_request_names();

}  // namespace gpen::server
