#pragma once
// `gpen-restore models ...` (also `gpen models ...`): the model catalogue and the cache.

#include <string>
#include <vector>

namespace gpen::cli {

/// Runs `models list | pull NAME... | convert FILE.pth | path NAME`; returns the exit status.
int run_models_command(const std::vector<std::string>& args);

}  // namespace gpen::cli
