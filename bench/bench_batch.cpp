// The batch engine against a plain serial loop (read -> restore -> write, one file at a time)
// over the same files in the same process. Prints one JSON line.
// usage: gpen-bench-batch [--model M.pt] --inputs DIR --out DIR [--threads N] [--batch N]
//                         [--readers N] [--writers N] [--format png|jpg] [--repeat N]

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "gpen/gpen.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  gpen::RestorerOptions options;
  gpen::BatchOptions batch;
  std::string inputs, out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model") options.model_path = value;
    else if (flag == "--inputs") inputs = value;
    else if (flag == "--out") out = value;
    else if (flag == "--threads") options.threads = std::atoi(value.c_str());
    else if (flag == "--batch") options.max_batch = std::atoi(value.c_str());
    else if (flag == "--readers") batch.readers = std::atoi(value.c_str());
    else if (flag == "--writers") batch.writers = std::atoi(value.c_str());
    else if (flag == "--format") batch.format = value;
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  try {
    const gpen::Restorer restorer(options);
    batch.output_dir = out + "/engine";
    const std::vector<gpen::PlannedFile> plan = gpen::plan_batch({inputs}, batch);
    // Warm-up: detector and model loaded, first model call profiled.
    restorer.restore(gpen::read_image(plan.front().input).view());

    // Serial loop: read -> restore -> write, one file at a time.
    fs::create_directories(out + "/serial");
    double read_s = 0, compute_s = 0, write_s = 0;
    long long serial_faces = 0;
    const auto t0 = Clock::now();
    for (const gpen::PlannedFile& f : plan) {
      auto t = Clock::now();
      const gpen::Image image = gpen::read_image(f.input);
      read_s += since(t);
      t = Clock::now();
      const gpen::Result r = restorer.restore(image.view());
      compute_s += since(t);
      serial_faces += static_cast<long long>(r.faces.size());
      t = Clock::now();
      gpen::write_image(out + "/serial/" + fs::path(f.output).filename().string(), r.image.view(), batch.quality);
      write_s += since(t);
    }
    const double serial_s = since(t0);

    gpen::BatchProcessor processor(restorer, batch);
    const gpen::BatchReport report = processor.run({inputs}, {});
    std::cout << "{\"files\": " << plan.size() << ", \"faces\": " << serial_faces
              << ", \"engine_faces\": " << report.faces << ", \"failed\": " << report.failed
              << ", \"serial_s\": " << serial_s << ", \"serial_read_s\": " << read_s
              << ", \"serial_compute_s\": " << compute_s << ", \"serial_write_s\": " << write_s
              << ", \"engine_s\": " << report.wall_s << ", \"engine_compute_busy_s\": " << report.compute_busy_s
              << ", \"compute_busy_fraction\": " << report.compute_busy_fraction
              << ", \"model_calls\": " << report.model_calls << ", \"speedup\": " << serial_s / report.wall_s
              << "}" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "gpen-bench-batch: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
