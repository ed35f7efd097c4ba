// The batch engine against a plain serial loop (read -> restore -> write, one file at a time)
// over the same files in the same process. Prints one JSON line.
// usage: gpen-bench-batch [--model M.pt] --inputs DIR --out DIR [--threads N] [--batch N]
//                         [--readers N] [--writers N] [--format png|jpg] [--device D]
//                         [--precision P] [--fixed-faces N] [--serial 0|1]
// --fixed-faces N: instead of a real detector, N faces of the 512 template laid out in a row
// across each photo (measures the engine and the device without the host's detector, e.g. on a
// GPU machine that has no dlib landmark model). --serial 0 skips the serial loop.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "gpen/gpen.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// N template faces in a row across the photo, each a quarter of its height tall.
class FixedFaces : public gpen::FaceDetector {
 public:
  explicit FixedFaces(int count) : count_(count) {}
  std::vector<gpen::DetectedFace> detect(const gpen::ImageView& image, float, int) const override {
    // The reference 5-point template for a 512 crop (see src/imaging/alignment.cpp).
    static const double base[5][2] = {{30.29, 51.70}, {65.53, 51.50}, {48.03, 71.74}, {33.55, 92.37}, {62.73, 92.20}};
    std::vector<gpen::DetectedFace> faces;
    const double crop = std::min(image.height / 2.0, image.width / (count_ + 1.0));
    const double scale = crop / 168.0;
    for (int k = 0; k < count_; ++k) {
      gpen::DetectedFace f;
      const double x0 = (k + 0.5) * image.width / (count_ + 0.0) - crop / 2, y0 = (image.height - crop) / 2;
      for (int i = 0; i < 5; ++i) {
        f.landmarks[i] = {static_cast<float>(x0 + (base[i][0] + 36.0) * scale),
                          static_cast<float>(y0 + (base[i][1] + 28.0) * scale)};
      }
      f.box = {static_cast<float>(x0 + crop * 0.3), static_cast<float>(y0 + crop * 0.3),
               static_cast<float>(crop * 0.4), static_cast<float>(crop * 0.5)};
      f.score = 1.0f;
      faces.push_back(f);
    }
    return faces;
  }
  std::string name() const override { return "fixed"; }

 private:
  int count_;
};

}  // namespace

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  gpen::RestorerOptions options;
  gpen::BatchOptions batch;
  std::string inputs, out;
  int fixed_faces = 0;
  bool serial = true;
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
    else if (flag == "--device") options.device = value;
    else if (flag == "--precision") options.precision = gpen::parse_precision(value);
    else if (flag == "--fixed-faces") fixed_faces = std::atoi(value.c_str());
    else if (flag == "--serial") serial = value != "0";
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  try {
    const gpen::Restorer restorer = fixed_faces > 0
        ? gpen::Restorer(options, std::make_unique<FixedFaces>(fixed_faces)) : gpen::Restorer(options);
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
      if (!serial) break;
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
    const double serial_s = serial ? since(t0) : 0.0;

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
