#pragma once
// Command line of gpen-restore, parsed into a plain struct (kept apart from main() so tests
// can check every rule).

#include <string>
#include <vector>

#include "gpen/batch.hpp"
#include "gpen/options.hpp"
#include "gpen/params.hpp"
#include "gpen/video.hpp"

namespace gpen::cli {

struct CliArgs {
  RestorerOptions options;
  RestoreParams params;
  BatchOptions batch;  ///< output_dir, aligned, save_faces, formats, threads, resume
  VideoOptions video;  ///< codec, quality, container, frames folder, smoothing, detection interval
  std::string json_report;
  std::vector<std::string> inputs;
  bool quiet = false;
  bool show_help = false;
  bool show_version = false;
};

/// Parses argv (without the program name). A --preset is applied first, wherever it stands;
/// explicit flags override it. Throws gpen::Error(InvalidArgument) naming the flag and the
/// problem.
CliArgs parse_cli_args(const std::vector<std::string>& args);

/// The --help text.
std::string usage();

}  // namespace gpen::cli
