#include "video_jobs.hpp"

#include <filesystem>
#include <set>

#include "gpen/error.hpp"

namespace gpen::cli {

namespace fs = std::filesystem;

std::vector<VideoJob> take_video_jobs(std::vector<std::string>& inputs, const CliArgs& args) {
  std::vector<VideoJob> jobs;
  std::vector<std::string> rest;
  std::set<std::string> outputs;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (!fs::is_regular_file(input, ec) || !is_video_file(input)) {
      rest.push_back(input);
      continue;
    }
    VideoJob job;
    job.input = input;
    fs::path output = fs::path(args.batch.output_dir) / fs::path(input).filename();
    if (args.video.frames_dir) output.replace_extension();  // a folder of frames: OUT/clip/000001.png
    job.output = output.string();
    if (!outputs.insert(fs::weakly_canonical(job.output, ec).string()).second) {
      throw Error(ErrorCode::InvalidArgument, "two videos would be written to " + job.output);
    }
    jobs.push_back(job);
  }
  inputs = rest;
  return jobs;
}

void run_video_jobs(const Restorer& restorer, std::vector<VideoJob>& jobs, const CliArgs& args,
                    const std::function<void(const VideoJob&, const VideoProgress&)>& progress,
                    const std::function<bool()>& should_stop) {
  std::error_code ec;
  fs::create_directories(args.batch.output_dir, ec);
  for (VideoJob& job : jobs) {
    if (should_stop && should_stop()) return;  // the rest stay "cancelled"
    if (args.batch.skip_existing && fs::exists(job.output, ec)) {
      job.status = "skipped";
      continue;
    }
    RestoreParams params = args.params;
    params.should_stop = should_stop;
    try {
      VideoOptions options = args.video;
      options.progress = [&](const VideoProgress& p) {
        if (progress) progress(job, p);
      };
      job.report = restore_video(restorer, job.input, job.output, params, options);
      job.status = "restored";
    } catch (const Error& e) {
      job.status = e.code() == ErrorCode::Cancelled ? "cancelled" : "failed";
      job.error = e.what();
      if (job.status == "cancelled") return;
    }
  }
}

}  // namespace gpen::cli
