#include "server/request_params.hpp"

#include <set>

#include "gpen/param_table.hpp"
#include "server/api_error.hpp"

namespace gpen::server {

namespace {

// Batch options that also shape a single restore's response.
const char* const kOutputOptions[] = {"format", "quality", "compare"};

bool is_output_option(const std::string& name) {
  for (const char* o : kOutputOptions) {
    if (name == o) return true;
  }
  return false;
}

ApiError bad_parameter(const std::string& message) { return ApiError(400, "bad-parameter", message); }

}  // namespace

std::vector<std::string> restore_request_names() {
  std::vector<std::string> names;
  for (const ParamInfo& info : param_table()) {
    if (info.group == ParamGroup::Restore) names.push_back(info.name);
  }
  names.push_back("preset");
  for (const char* o : kOutputOptions) names.push_back(o);
  names.push_back("response");
  return names;
}

RestoreRequest parse_restore_request(const std::vector<std::pair<std::string, std::string>>& fields) {
  RestoreRequest request;
  std::set<std::string> seen;
  // The preset first, wherever it stands; explicit parameters override it.
  for (const auto& [name, value] : fields) {
    if (name != "preset") continue;
    try {
      request.params = preset(value);
      request.preset = value;
    } catch (const Error& e) {
      throw bad_parameter(e.what());
    }
  }
  BatchOptions output;
  for (const auto& [name, value] : fields) {
    if (!seen.insert(name).second) throw bad_parameter(name + " is given more than once");
    if (name == "preset") continue;
    if (name == "response") {
      if (value != "image" && value != "json") {
        throw bad_parameter("response must be image or json, got '" + value + "'");
      }
      request.json_response = value == "json";
      continue;
    }
    const ParamInfo* info = find_param(name);
    try {
      if (info != nullptr && info->group == ParamGroup::Restore) {
        set_param(request.params, name, value);
        continue;
      }
      if (is_output_option(name)) {
        set_param(output, name, value);
        continue;
      }
    } catch (const Error& e) {
      throw bad_parameter(e.what());
    }
    std::string known;
    for (const std::string& n : restore_request_names()) known += (known.empty() ? "" : ", ") + n;
    throw bad_parameter("unknown parameter '" + name + "'; known: " + known);
  }
  request.format = output.format;
  request.quality = output.quality;
  request.compare = output.compare;
  return request;
}

}  // namespace gpen::server
