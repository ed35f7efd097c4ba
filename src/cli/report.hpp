#pragma once
// The JSON report of a gpen-restore run.

#include <string>
#include <vector>

#include "cli_args.hpp"
#include "gpen/restorer.hpp"

namespace gpen::cli {

struct ImageRecord {
  std::string input;
  std::string output;
  bool ok = false;
  std::string error;
  int width = 0;
  int height = 0;
  double seconds = 0.0;
  std::vector<FaceResult> faces;  // crops are not written to the report
};

/// The report as JSON text.
std::string report_json(const CliArgs& args, const Restorer* restorer,
                        const std::vector<ImageRecord>& records, double total_seconds);

}  // namespace gpen::cli
