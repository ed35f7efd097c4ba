#pragma once
// The JSON report of a gpen-restore run.

#include <string>
#include <vector>

#include "cli_args.hpp"
#include "gpen/batch.hpp"
#include "gpen/restorer.hpp"
#include "video_jobs.hpp"

namespace gpen::cli {

/// The report as JSON text: model, parameters, per file (status, error, size, faces with box,
/// score and landmarks, seconds per stage), a summary with the compute-busy fraction, and the
/// warnings libraries printed during the run (libpng, libjpeg: `library_messages`).
std::string report_json(const CliArgs& args, const Restorer& restorer, const BatchReport& report,
                        const std::vector<VideoJob>& videos, const std::vector<std::string>& library_messages);

}  // namespace gpen::cli
