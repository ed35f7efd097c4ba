#pragma once
// Command line of gpen-restore, parsed into a plain struct (kept apart from main() so tests
// can check every rule).

#include <string>
#include <vector>

#include "gpen/options.hpp"
#include "gpen/params.hpp"

namespace gpen::cli {

struct CliArgs {
  RestorerOptions options;
  RestoreParams params;
  bool aligned = false;
  bool save_faces = false;
  std::string json_report;
  std::string output_dir;
  std::vector<std::string> inputs;
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
