// Times gpen::Restorer::restore_faces on synthetic aligned faces and prints one JSON line.
// usage: gpen-bench --model M.pt [--threads N] [--batch N] [--iters N] [--warmup N]
//                   [--device D] [--precision P] [--streams N]
// --streams N: N threads call restore_faces at once (each call runs on a CUDA stream of its own),
// iters calls each; faces_per_s is the total throughput.
//
// gpen-bench --model M.pt --photo FILE [--detection-max-side N] [--format jpg] [--iters N] [--warmup N]
// times one whole photo end to end in a warm process (file bytes in memory -> decode -> restore ->
// encode) and prints the split: decode, detect (Restorer::detect), restore (detection, the faces'
// model calls and paste-back), of which face model (restore_faces on the found faces' count of
// model-size crops), encode. Memory is kept as gpen-restore keeps it (app/malloc_policy).

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "app/malloc_policy.hpp"
#include "gpen/gpen.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int bench_photo(const gpen::RestorerOptions& options, const std::string& path, const std::string& format, int iters,
                int warmup) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const gpen::Restorer restorer(options);
  const int size = restorer.model().size;
  double decode = 0, detect = 0, restore = 0, model = 0, encode = 0, best = 1e30;
  std::size_t faces = 0, width = 0, height = 0;
  for (int i = -warmup; i < iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const gpen::Image photo = gpen::decode_image(bytes.data(), bytes.size(), path);
    const double t_decode = seconds_since(t0);
    auto t = std::chrono::steady_clock::now();
    faces = restorer.detect(photo.view()).size();
    const double t_detect = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const gpen::Result result = restorer.restore(photo.view());
    const double t_restore = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const std::vector<unsigned char> out = gpen::encode_image(result.image.view(), format);
    const double t_encode = seconds_since(t);
    const double end_to_end = t_decode + t_restore + t_encode;  // detect is inside restore
    // The model alone, on as many model-size crops as the photo has faces.
    std::vector<gpen::Image> crops(std::max<std::size_t>(faces, 1), gpen::Image(size, size, 3));
    std::vector<gpen::ImageView> views;
    for (const gpen::Image& c : crops) views.push_back(c.view());
    t = std::chrono::steady_clock::now();
    restorer.restore_faces(views);
    const double t_model = seconds_since(t);
    if (i < 0) continue;
    decode += t_decode, detect += t_detect, restore += t_restore, encode += t_encode, model += t_model;
    best = std::min(best, end_to_end);
    width = photo.width(), height = photo.height();
  }
  const double n = iters;
  std::cout << "{\"photo\": \"" << path << "\", \"width\": " << width << ", \"height\": " << height
            << ", \"faces\": " << faces << ", \"iters\": " << iters << ", \"decode_s\": " << decode / n
            << ", \"detect_s\": " << detect / n << ", \"restore_s\": " << restore / n
            << ", \"face_model_s\": " << model / n << ", \"encode_s\": " << encode / n
            << ", \"end_to_end_s\": " << (decode + restore + encode) / n << ", \"best_end_to_end_s\": " << best
            << "}" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gpen::app::keep_freed_memory();
  gpen::RestorerOptions options;
  int batch = 1, iters = 3, warmup = 1, streams = 1;
  std::string photo, format = "jpg";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model") options.model_path = value;
    else if (flag == "--threads") options.threads = std::atoi(value.c_str());
    else if (flag == "--batch") batch = std::atoi(value.c_str());
    else if (flag == "--iters") iters = std::atoi(value.c_str());
    else if (flag == "--warmup") warmup = std::atoi(value.c_str());
    else if (flag == "--device") options.device = value;
    else if (flag == "--precision") options.precision = gpen::parse_precision(value);
    else if (flag == "--streams") streams = std::max(1, std::atoi(value.c_str()));
    else if (flag == "--photo") photo = value;
    else if (flag == "--format") format = value;
    else if (flag == "--detection-max-side") options.detection_max_side = std::atoi(value.c_str());
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  try {
    if (!photo.empty()) return bench_photo(options, photo, format, iters, warmup);
    options.max_batch = batch;
    const auto t_load = std::chrono::steady_clock::now();
    const gpen::Restorer restorer(options);
    const double load_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
    const int size = restorer.model().size;
    std::vector<gpen::Image> faces;
    for (int b = 0; b < batch; ++b) {
      gpen::Image face(size, size, 3);
      for (std::size_t k = 0; k < face.size_bytes(); ++k) {
        face.data()[k] = static_cast<std::uint8_t>((k * 7 + b * 13 + (k / (3 * size)) * 3) % 251);
      }
      faces.push_back(std::move(face));
    }
    std::vector<gpen::ImageView> views;
    for (const auto& f : faces) views.push_back(f.view());
    double first_s = 0.0;
    for (int w = 0; w < warmup; ++w) {
      const auto t = std::chrono::steady_clock::now();
      restorer.restore_faces(views);
      if (w == 0) first_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }
    std::vector<double> best(streams, 1e30), total(streams, 0.0);
    auto worker = [&](int w) {
      for (int i = 0; i < iters; ++i) {
        const auto t = std::chrono::steady_clock::now();
        restorer.restore_faces(views);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
        total[w] += s;
        best[w] = std::min(best[w], s);
      }
    };
    const auto t_all = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int w = 1; w < streams; ++w) threads.emplace_back(worker, w);
    worker(0);
    for (std::thread& t : threads) t.join();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_all).count();
    const gpen::MemoryStats mem = restorer.memory_stats();
    std::cout << "{\"size\": " << size << ", \"batch\": " << batch << ", \"iters\": " << iters
              << ", \"streams\": " << streams << ", \"load_s\": " << load_s << ", \"first_call_s\": " << first_s
              << ", \"mean_per_face_s\": " << total[0] / iters / batch
              << ", \"best_per_face_s\": " << best[0] / batch
              << ", \"faces_per_s\": " << static_cast<double>(streams) * iters * batch / wall
              << ", \"reserved_bytes\": " << mem.reserved_bytes
              << ", \"peak_allocated_bytes\": " << mem.peak_allocated_bytes << "}" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "gpen-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
