#pragma once
// Videos given to gpen-restore: recognised by content among the file arguments, each restored
// into the output folder under its own name (clip.mp4 -> OUT/clip.mp4), one after the other.

#include <functional>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "gpen/restorer.hpp"
#include "gpen/video.hpp"

namespace gpen::cli {

struct VideoJob {
  std::string input;
  std::string output;
  std::string status = "cancelled";  // restored, failed, skipped, cancelled
  std::string error;
  VideoReport report;
};

/// Moves the file arguments that are videos (by content) out of `inputs`; returns their jobs.
/// Throws gpen::Error(InvalidArgument) when two videos would be written to the same output.
std::vector<VideoJob> take_video_jobs(std::vector<std::string>& inputs, const CliArgs& args);

/// Restores each job in turn (skip_existing honoured), `progress` after every frame, until
/// `should_stop`; a video that fails does not stop the others.
void run_video_jobs(const Restorer& restorer, std::vector<VideoJob>& jobs, const CliArgs& args,
                    const std::function<void(const VideoJob&, const VideoProgress&)>& progress,
                    const std::function<bool()>& should_stop);

}  // namespace gpen::cli
