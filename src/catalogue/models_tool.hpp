#pragma once
// Runs `python3 -m gpen.models ARGS...` (download, verify, convert: the exporter is Python).

#include <string>
#include <vector>

namespace gpen::detail {

/// Runs the tool; its stderr (progress, notes) is passed through to ours as it comes. Returns the
/// last line it printed on stdout (a model path). Throws gpen::Error(InvalidModel) with the
/// tool's own error (which it prints on stdout, so that it is shown once, by our caller) when it
/// fails, or saying that Python could not be started.
std::string run_models_tool(const std::vector<std::string>& args);

}  // namespace gpen::detail
