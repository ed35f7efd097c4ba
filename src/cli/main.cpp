// gpen-restore: the command-line front end of the library.

#include <algorithm>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "gpen/io.hpp"
#include "cli_args.hpp"
#include "display_text.hpp"
#include "gpen/gpen.hpp"
#include "app/malloc_policy.hpp"
#include "video_jobs.hpp"
#include "app/openmp_env.hpp"
#include "models_command.hpp"
#include "report.hpp"
#include "stderr_capture.hpp"

namespace {

constexpr int kExitPartial = 1;
constexpr int kExitNothingRan = 2;
constexpr int kExitInterrupted = 130;

std::atomic<bool> g_interrupted{false};

// "1 face", "2 faces"
std::string faces_text(long long n) { return std::to_string(n) + (n == 1 ? " face" : " faces"); }

extern "C" void on_signal(int) { g_interrupted = true; }

// A video's progress: a bar on a terminal, a line per tenth of the frames otherwise.
void print_video_progress(gpen::cli::StderrCapture& out, bool quiet, bool tty, const gpen::cli::VideoJob& job,
                          const gpen::VideoProgress& p) {
  if (quiet) return;
  const std::string name = gpen::cli::display_text(job.input);
  char line[512];
  std::snprintf(line, sizeof line, "%s: %lld/%lld frames  %.0fs, ETA %.0fs ", name.c_str(),
                static_cast<long long>(p.frames_done), static_cast<long long>(p.frames_total), p.elapsed_s, p.eta_s);
  if (tty) {
    out.show_bar(line);
  } else {
    const std::int64_t step = std::max<std::int64_t>(1, p.frames_total / 10);
    if (p.frames_done % step == 0 || p.frames_done == p.frames_total) out.print_line(line);
  }
}

// Progress: a bar redrawn in place on a terminal, one line per file otherwise. Every line goes
// through the stderr capture, so that library warnings printed meanwhile never break the bar.
class ProgressPrinter {
 public:
  ProgressPrinter(bool quiet, bool tty, gpen::cli::StderrCapture& out) : quiet_(quiet), tty_(tty), out_(out) {}

  void operator()(const gpen::BatchProgress& p) {
    const gpen::FileReport& f = *p.file;
    const bool failed = f.status == gpen::FileStatus::Failed;
    if (failed) {  // failures are always reported
      out_.print_line(gpen::cli::display_text(tty_ || quiet_ ? "gpen-restore: failed: " + f.input + ": " + f.error
                                                  : "[" + std::to_string(p.done) + "/" + std::to_string(p.total) +
                                                        "] failed: " + f.input + ": " + f.error));
    }
    if (quiet_) return;
    if (tty_) {
      const int width = 30;
      const int filled = p.total > 0 ? width * p.done / p.total : width;
      char bar[256];
      std::snprintf(bar, sizeof bar, "[%s%s] %d/%d  %s  %d failed  %.0fs, ETA %.0fs ",
                    std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), p.done, p.total,
                    faces_text(p.faces).c_str(), p.failed, p.elapsed_s, p.eta_s);
      out_.show_bar(bar);
      if (p.done == p.total) out_.end_bar();
    } else if (!failed) {
      out_.print_line(gpen::cli::display_text("[" + std::to_string(p.done) + "/" + std::to_string(p.total) + "] " +
                                   gpen::file_status_name(f.status) + ": " + f.input + " -> " + f.output + " (" +
                                   faces_text(static_cast<long long>(f.faces.size())) + ")"));
    }
  }

 private:
  bool quiet_;
  bool tty_;
  gpen::cli::StderrCapture& out_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "models") {
    return gpen::cli::run_models_command(std::vector<std::string>(argv + 2, argv + argc));
  }
  gpen::app::ensure_passive_openmp_wait(argv);
  gpen::app::keep_freed_memory();
  gpen::cli::CliArgs args;
  std::unique_ptr<gpen::Restorer> restorer;
  std::unique_ptr<gpen::BatchProcessor> processor;
  std::vector<std::string> image_inputs;
  std::vector<gpen::cli::VideoJob> videos;
  try {
    args = gpen::cli::parse_cli_args(std::vector<std::string>(argv + 1, argv + argc));
    image_inputs = args.inputs;
    // -q: the models tool (a .pth converted, a catalogue model pulled) prints only its errors too.
    if (args.quiet) ::setenv("GPEN_QUIET", "1", 1);
    if (args.show_help) {
      std::cout << gpen::cli::usage();
      return 0;
    }
    if (args.show_version) {
      std::cout << "gpen-restore " << gpen::version() << "\n";
      return 0;
    }
    videos = gpen::cli::take_video_jobs(image_inputs, args);  // videos are recognised by content
    if (!videos.empty() && args.batch.aligned) {
      throw gpen::Error(gpen::ErrorCode::InvalidArgument, "--aligned takes face crops; " + videos[0].input +
                                                              " is a video (its frames are whole photos)");
    }
    if (!image_inputs.empty() || videos.empty()) gpen::plan_batch(image_inputs, args.batch);  // bad plans fail before the model loads
    restorer = std::make_unique<gpen::Restorer>(args.options);
    // The detector is created on first use: check it now, not at the first photo.
    if (!args.batch.aligned) restorer->detect(gpen::Image(64, 64).view());
    gpen::BatchOptions batch = args.batch;
    batch.should_stop = [] { return g_interrupted.load(); };  // asked inline by the engine
    if (!image_inputs.empty()) processor = std::make_unique<gpen::BatchProcessor>(*restorer, batch);
  } catch (const std::exception& e) {
    std::cerr << "gpen-restore: error: " << gpen::cli::display_text(e.what()) << "\n";
    return kExitNothingRan;
  }
  if (args.quiet) {
    // -q: nothing but errors.
  } else if (!restorer->has_model()) {
    std::cerr << "gpen-restore: note: no --model given: faces go through the classic path (noise removed "
                 "where there is noise; no detail is added), not through GPEN.\n";
  } else if (restorer->model().random_weights) {
    std::cerr << "gpen-restore: note: " << args.options.model_path
              << " has RANDOM weights (a test model): its output is noise. For real restoration: "
                 "gpen models pull GPEN-BFR-512, then --model GPEN-BFR-512.\n";
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  gpen::BatchReport report;
  std::vector<std::string> library_messages;
  {
    const bool tty = ::isatty(STDERR_FILENO) != 0;  // asked before the capture replaces stderr
    gpen::cli::StderrCapture capture(args.quiet);
    ProgressPrinter printer(args.quiet, tty, capture);
    try {
      if (processor) report = processor->run(image_inputs, args.params, [&](const gpen::BatchProgress& p) { printer(p); });
    } catch (const std::exception& e) {
      capture.print_line(gpen::cli::display_text(std::string("gpen-restore: error: ") + e.what()));
      return kExitNothingRan;
    }
    capture.end_bar();
    if (!report.was_cancelled) {
      gpen::cli::run_video_jobs(*restorer, videos, args, [&](const gpen::cli::VideoJob& job, const gpen::VideoProgress& p) {
        print_video_progress(capture, args.quiet, tty, job, p);
      }, [] { return g_interrupted.load(); });
      capture.end_bar();
      for (const gpen::cli::VideoJob& v : videos) {
        if (v.status == "failed") capture.print_line(gpen::cli::display_text("gpen-restore: failed: " + v.input + ": " + v.error));
      }
    }
    library_messages = capture.library_messages();
  }

  int videos_failed = 0;
  bool videos_cancelled = false;
  for (const gpen::cli::VideoJob& v : videos) {
    videos_failed += v.status == "failed";
    videos_cancelled = videos_cancelled || (v.status == "cancelled" && g_interrupted.load());
    if (v.status == "restored" && !args.quiet) {
      std::cout << gpen::cli::display_text(v.input) << " -> " << gpen::cli::display_text(v.output) << " ("
                << v.report.frames << " frames, " << faces_text(v.report.faces) << ", "
                << static_cast<int>(v.report.frames / std::max(v.report.seconds, 1e-9) * 10 + 0.5) / 10.0
                << " frames/s, compute busy " << static_cast<int>(100 * v.report.compute_busy_fraction + 0.5) << "%)\n";
    }
  }
  for (const gpen::FileReport& f : report.files) {
    if (f.status == gpen::FileStatus::Restored && !args.quiet) {
      std::cout << gpen::cli::display_text(f.input) << " -> " << gpen::cli::display_text(f.output);
      if (!args.batch.aligned) std::cout << " (" << faces_text(static_cast<long long>(f.faces.size())) << ")";
      std::cout << "\n";
    }
  }
  if (!args.json_report.empty()) {
    try {
      const std::string json = gpen::cli::report_json(args, *restorer, report, videos, library_messages);
      gpen::write_file_atomically(args.json_report, json.data(), json.size());
    } catch (const std::exception& e) {
      std::cerr << "gpen-restore: error: cannot write report: " << e.what() << "\n";
      return kExitPartial;
    }
  }
  const std::string faces = args.batch.aligned ? "" : "; " + faces_text(report.faces);
  if (processor && (!args.quiet || report.was_cancelled)) {  // an interruption is reported even with -q
    std::fprintf(stderr, "gpen-restore: %d restored, %d failed, %d skipped%s%s in %.1f s "
                 "(compute busy %.0f%% of the time)\n", report.restored, report.failed, report.skipped,
                 report.was_cancelled ? ", interrupted" : "", faces.c_str(), report.wall_s,
                 100.0 * report.compute_busy_fraction);
  }
  if (!videos.empty() && (!args.quiet || videos_cancelled)) {
    long long frames = 0, video_faces = 0;
    int restored = 0;
    for (const gpen::cli::VideoJob& v : videos) {
      frames += v.report.frames;
      video_faces += v.report.faces;
      restored += v.status == "restored";
    }
    std::fprintf(stderr, "gpen-restore: videos: %d restored, %d failed%s; %lld frames, %s\n", restored, videos_failed,
                 videos_cancelled ? ", interrupted" : "", frames, faces_text(video_faces).c_str());
    if (videos_cancelled) {
      std::fputs(args.video.resume ? "gpen-restore: the complete segments are kept: the same command goes on from there\n"
                                   : "gpen-restore: with --resume, an interrupted video goes on where it stopped when run again\n",
                 stderr);
    }
  }
  if (report.was_cancelled || videos_cancelled) return kExitInterrupted;
  if (videos_failed > 0) {
    std::cerr << "gpen-restore: " << videos_failed << " of " << videos.size() << " videos failed\n";
    return kExitPartial;
  }
  if (report.failed > 0) {
    std::cerr << "gpen-restore: " << report.failed << " of " << report.files.size() << " images failed\n";
    return kExitPartial;
  }
  return 0;
}
