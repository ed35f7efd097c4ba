// Times gpen::Restorer::restore_faces on synthetic aligned faces and prints one JSON line.
// usage: gpen-bench --model M.pt [--threads N] [--batch N] [--iters N] [--warmup N]
//                   [--device D] [--precision P] [--streams N]
// --streams N: N threads call restore_faces at once (each call runs on a CUDA stream of its own),
// iters calls each; faces_per_s is the total throughput.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "gpen/gpen.hpp"

int main(int argc, char** argv) {
  gpen::RestorerOptions options;
  int batch = 1, iters = 3, warmup = 1, streams = 1;
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
    else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  try {
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
